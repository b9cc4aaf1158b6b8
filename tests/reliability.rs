//! The invariants of RELIABILITY.md: the guarded clock, one writer, crash recovery,
//! symbolic links, unsafe stored paths, offline trash areas and missing files.

use std::sync::Arc;

use shoebox::clock::{ManualClock, SECS_PER_DAY};
use shoebox::library::{ClockHold, ImportOptions, Library, LibraryError, RestoreOptions};

use crate::common::{Fixture, T0, files_under};

/// The library's database, opened from outside with the library closed first (Shoebox
/// holds it exclusively while open).
fn db(f: &mut Fixture) -> rusqlite::Connection {
    f.close();
    rusqlite::Connection::open(f.root().join("library.db")).unwrap()
}

/// Leaves the library's records as a crash after `change` (a change of state) would: the
/// state changed and counted, as the one transaction that makes it commits both.
fn as_if_crashed_after(f: &mut Fixture, change: &str) {
    let conn = db(f);
    conn.execute(change, []).unwrap();
    shoebox::store::recount(&conn).unwrap();
}

#[test]
fn clock_set_back_makes_the_sweep_purge_nothing_and_say_why() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    f.lib.trash(&[id]).unwrap();
    f.clock.advance_days(40);
    f.lib.sweep().unwrap(); // purges a, and the library has now seen day 40
    let id = f.import_one("b.txt", b"b");
    f.lib.trash(&[id]).unwrap();
    f.clock.advance_days(-20);
    let report = f.lib.sweep().unwrap();
    assert_eq!(report.purged, 0);
    assert!(
        matches!(report.held, Some(ClockHold::Behind { .. })),
        "{:?}",
        report.held
    );
    assert_eq!(f.lib.trash_count().unwrap(), 1);
}

#[test]
fn clock_set_back_never_dates_a_deletion_earlier_than_seen() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    f.clock.advance_days(10);
    f.lib.sweep().unwrap();
    f.clock.set(T0); // ten days back
    f.lib.trash(&[id]).unwrap();
    assert_eq!(f.entry(id).deleted_at, T0 + 10 * SECS_PER_DAY);
    f.clock.set(T0 + 10 * SECS_PER_DAY); // corrected
    assert_eq!(
        f.entry(id).days_left,
        30,
        "no early expiry once the clock is right"
    );
}

#[test]
fn clock_jump_forward_holds_automatic_purging_until_confirmed() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    f.lib.trash(&[id]).unwrap();
    f.clock.advance_days(45);
    f.reopen(); // the app starts after a gap longer than the retention
    assert!(f.lib.clock_check().jump_secs >= 45 * SECS_PER_DAY);
    let report = f.lib.sweep().unwrap();
    assert_eq!(report.purged, 0);
    assert!(report.held.is_some());
    f.lib.confirm_clock().unwrap();
    assert_eq!(f.lib.sweep().unwrap().purged, 1);
}

#[test]
fn a_second_process_on_one_library_gets_a_clear_message() {
    let f = Fixture::new();
    let clock = Arc::new(ManualClock::new(T0));
    let err = Library::open_with_clock(&f.root(), clock).unwrap_err();
    assert!(matches!(err, LibraryError::Locked { .. }));
    assert!(
        err.to_string().contains("in use by another Shoebox"),
        "{err}"
    );
}

#[test]
fn migrations_run_once_and_reopening_keeps_everything() {
    let mut f = Fixture::new();
    f.import_one("a.txt", b"a");
    f.reopen();
    f.reopen();
    assert_eq!(f.active_names(), vec!["a.txt"]);
    let version: i64 = db(&mut f)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, shoebox::store::MIGRATIONS.len() as i64);
    let mode: String = db(&mut f)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn crash_after_trash_intent_with_file_unmoved_is_settled_at_open() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"alpha");
    let home = f.asset_path(id);
    f.lib.trash(&[id]).unwrap();
    let trashed = f.trash_path(id);
    // As if the process died after recording `trashing` but before the rename.
    std::fs::rename(&trashed, &home).unwrap();
    as_if_crashed_after(&mut f, "UPDATE assets SET state = 'trashing'");
    f.reopen();
    assert_eq!(f.lib.trash_count().unwrap(), 1);
    assert!(!home.exists(), "no file is both at home and in the trash");
    assert_eq!(std::fs::read(f.trash_path(id)).unwrap(), b"alpha");
    f.assert_integrity();
}

#[test]
fn crash_during_a_cross_device_copy_keeps_the_original() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"alpha");
    let home = f.asset_path(id);
    f.lib.trash(&[id]).unwrap();
    let trashed = f.trash_path(id);
    // As if a copy was interrupted: the source is whole, the copy is truncated.
    std::fs::copy(&trashed, &home).unwrap();
    std::fs::write(&trashed, b"al").unwrap();
    as_if_crashed_after(&mut f, "UPDATE assets SET state = 'trashing'");
    f.reopen();
    assert!(!home.exists());
    assert_eq!(
        std::fs::read(f.trash_path(id)).unwrap(),
        b"alpha",
        "the whole file survives"
    );
}

#[test]
fn crash_during_restore_is_finished_at_open() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"alpha");
    let home = f.asset_path(id);
    f.lib.trash(&[id]).unwrap();
    as_if_crashed_after(&mut f, "UPDATE assets SET state = 'restoring'");
    f.reopen();
    assert_eq!(f.lib.trash_count().unwrap(), 0);
    assert_eq!(std::fs::read(&home).unwrap(), b"alpha");
    f.assert_integrity();
}

#[test]
fn crash_during_purge_is_finished_and_logged_at_open() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"alpha");
    f.lib.trash(&[id]).unwrap();
    let trashed = f.trash_path(id);
    as_if_crashed_after(&mut f, "UPDATE assets SET state = 'purging'");
    f.reopen();
    assert!(!trashed.exists());
    assert_eq!(f.lib.trash_count().unwrap(), 0);
    assert_eq!(f.lib.purge_log(5).unwrap().len(), 1);
    f.assert_integrity();
}

#[cfg(unix)] // making a symbolic link on Windows needs a privilege tests do not have
#[test]
fn a_symlink_in_place_of_a_file_is_never_followed_or_trashed() {
    let mut f = Fixture::new();
    let path = f.file("shoot/a.txt", b"mine");
    let precious = f.file("elsewhere/precious.txt", b"do not touch");
    let id = f.import_in_place(&path);
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&precious, &path).unwrap();
    let report = f.lib.trash(&[id]).unwrap();
    assert!(report.succeeded.is_empty());
    assert!(
        report.failed[0]
            .problem
            .to_string()
            .contains("symbolic link"),
        "{}",
        report.failed[0].problem
    );
    assert_eq!(std::fs::read(&precious).unwrap(), b"do not touch");
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_stored_path_that_climbs_out_is_refused() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    let victim = f.file("victim.txt", b"victim");
    db(&mut f)
        .execute("UPDATE files SET path = 'media/../../src/victim.txt'", [])
        .unwrap();
    f.open_again();
    let result = f.lib.trash(&[id]);
    assert!(result.is_err() || !result.unwrap().failed.is_empty());
    assert_eq!(std::fs::read(&victim).unwrap(), b"victim");
}

#[test]
fn an_offline_trash_area_is_never_purged() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    f.lib.trash(&[id]).unwrap();
    f.clock.advance_days(31);
    let trash = f.root().join("trash");
    let away = f.root().join("trash-unplugged");
    std::fs::rename(&trash, &away).unwrap();
    let report = f.lib.sweep().unwrap();
    assert_eq!(report.purged, 0);
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].problem.to_string().contains("offline"));
    assert_eq!(f.lib.trash_count().unwrap(), 1);
    std::fs::rename(&away, &trash).unwrap();
    assert_eq!(f.lib.sweep().unwrap().purged, 1);
}

#[test]
fn a_file_removed_outside_shoebox_is_flagged_missing_and_purge_counts_it_done() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    std::fs::remove_file(f.asset_path(id)).unwrap();
    let report = f.lib.trash(&[id]).unwrap();
    assert_eq!(report.succeeded, vec![id]);
    f.lib.restore(id, &RestoreOptions::default()).unwrap();
    assert!(f.lib.assets(Default::default()).unwrap()[0].missing);
    f.lib.trash(&[id]).unwrap();
    let report = f.lib.empty_trash().unwrap();
    assert_eq!(
        report.succeeded,
        vec![id],
        "one missing file does not abort the purge"
    );
}

#[test]
fn purge_never_touches_files_it_did_not_put_in_the_trash() {
    let mut f = Fixture::new();
    let stranger = f.root().join("trash").join("not-ours.txt");
    std::fs::write(&stranger, b"unknown").unwrap();
    let id = f.import_one("a.txt", b"a");
    f.lib.trash(&[id]).unwrap();
    f.lib.empty_trash().unwrap();
    f.clock.advance_days(100);
    f.lib.sweep().unwrap();
    assert_eq!(files_under(&f.root().join("trash")), vec![stranger]);
}

#[test]
fn offline_is_not_deleted_a_check_flags_missing_and_offline_files_and_changes_nothing() {
    let mut f = Fixture::new();
    let a = f.file("drive/shoot/a.txt", b"a");
    let b = f.file("other/b.txt", b"b");
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    f.lib
        .import(&[a.clone(), b.clone()], &opts, &mut |_| {})
        .unwrap();
    std::fs::remove_file(&b).unwrap();
    let unplugged = f.src().join("drive-unplugged");
    std::fs::rename(f.src().join("drive"), &unplugged).unwrap();
    let check = f.lib.check_files().unwrap();
    assert_eq!((check.checked, check.missing, check.offline), (2, 1, 1));
    let assets = f.lib.assets(Default::default()).unwrap();
    let by = |n: &str| assets.iter().find(|x| x.name == n).unwrap().clone();
    assert!(by("b.txt").missing && !by("b.txt").offline);
    assert!(by("a.txt").offline && !by("a.txt").missing);
    assert_eq!(
        f.lib.trash_count().unwrap(),
        0,
        "nothing is trashed because of it"
    );
    f.clock.advance_days(100);
    f.lib.sweep().unwrap();
    assert_eq!(
        f.lib.assets(Default::default()).unwrap().len(),
        2,
        "nor purged"
    );
    // The drive comes back.
    std::fs::rename(&unplugged, f.src().join("drive")).unwrap();
    let check = f.lib.check_files().unwrap();
    assert_eq!(check.offline, 0);
    assert!(
        !f.lib
            .assets(Default::default())
            .unwrap()
            .iter()
            .any(|x| x.name == "a.txt" && x.offline)
    );
}

#[test]
fn a_version_1_library_is_migrated_and_keeps_its_items() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    std::fs::create_dir_all(&root).unwrap();
    {
        let db = rusqlite::Connection::open(root.join("library.db")).unwrap();
        db.execute_batch(shoebox::store::MIGRATIONS[0]).unwrap();
        db.pragma_update(None, "user_version", 1).unwrap();
        db.execute(
            "INSERT INTO assets(id, name, name_key, kind, storage, size, hash, imported_at)
             VALUES (1, 'old.txt', 'old.txt', 'other', 'copy', 3, 'h', 0)",
            [],
        )
        .unwrap();
        db.execute("INSERT INTO files(asset_id, role, path, size, hash) VALUES (1, 'main', 'media/old.txt', 3, 'h')", []).unwrap();
    }
    let lib = Library::open_with_clock(&root, Arc::new(ManualClock::new(T0))).unwrap();
    let assets = lib.assets(Default::default()).unwrap();
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0].name, "old.txt");
    assert_eq!(assets[0].duration_ms, None);
    drop(lib);
    let version: i64 = rusqlite::Connection::open(root.join("library.db"))
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, shoebox::store::MIGRATIONS.len() as i64);
}

#[test]
fn a_trash_file_with_no_record_is_adopted_never_deleted() {
    let mut f = Fixture::new();
    // As if the database had been restored from an older backup: a trashed file it forgot,
    // named the way Shoebox names trashed files, and one a person dropped there.
    std::fs::write(f.root().join("trash/7-9-holiday.jpg"), b"forgotten").unwrap();
    std::fs::write(f.root().join("trash/dropped.txt"), b"dropped").unwrap();
    f.reopen();
    let entries = f
        .lib
        .trash_entries(shoebox::library::TrashSort::Name)
        .unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["dropped.txt", "holiday.jpg"]);
    assert!(
        entries
            .iter()
            .all(|e| e.deleted_by == "recovered by Shoebox" && e.days_left == 30)
    );
    let holiday = entries.iter().find(|e| e.name == "holiday.jpg").unwrap().id;
    f.lib.restore(holiday, &RestoreOptions::default()).unwrap();
    let restored = f.lib.assets(Default::default()).unwrap();
    assert_eq!(restored.len(), 1);
    assert_eq!(std::fs::read(&restored[0].path).unwrap(), b"forgotten");
    assert!(
        restored[0]
            .path
            .starts_with(f.root().join("media/recovered"))
    );
    f.reopen();
    assert_eq!(f.lib.trash_count().unwrap(), 1, "adopted once, not again");
    f.assert_integrity();
}

#[test]
fn the_schemas_rules_still_refuse_bad_values_after_their_rewrite() {
    let mut f = Fixture::new();
    f.import_one("a.txt", b"a");
    let conn = db(&mut f);
    let refused = |sql: &str| {
        let err = conn.execute(sql, []).expect_err(sql).to_string();
        assert!(err.contains("CHECK constraint failed"), "{sql}: {err}");
    };
    refused("UPDATE assets SET kind = 'document'");
    refused("UPDATE assets SET state = 'gone'");
    refused("UPDATE files SET role = 'thumbnail'");
    refused("UPDATE assets SET rating = 6");
    refused("UPDATE assets SET flag = 2");
    refused("UPDATE assets SET label = 'orange'");
    // Every allowed value still passes.
    for kind in ["image", "video", "audio", "other"] {
        conn.execute("UPDATE assets SET kind = ?1", [kind]).unwrap();
    }
    for role in ["main", "sidecar", "raw"] {
        conn.execute("UPDATE files SET role = ?1", [role]).unwrap();
    }
    for label in ["red", "yellow", "green", "blue", "purple"] {
        conn.execute("UPDATE assets SET label = ?1", [label])
            .unwrap();
    }
    // Two live items with one name in one place are still refused.
    let dup = conn.execute(
        "INSERT INTO assets(id, name, name_key, kind, storage, size, hash, imported_at, collection_id)
         SELECT id + 1000, name, name_key, kind, storage, size, hash, imported_at, collection_id FROM assets",
        [],
    );
    assert!(dup.is_err_and(|e| e.to_string().contains("UNIQUE")));
    // Writing a row builds no temporary table for its checks.
    let plan: Vec<String> = conn
        .prepare(
            "EXPLAIN INSERT INTO assets(id, name, name_key, kind, storage, size, hash, imported_at, state)
             VALUES (5000, 'b', 'b', 'other', 'copy', 1, 'h', 0, 'active')",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, String>(1))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!plan.iter().any(|op| op == "OpenEphemeral"), "{plan:?}");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}
