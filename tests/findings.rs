//! Regression tests for the ways to lose a file (or get stuck) that a fault campaign found,
//! each named after its finding.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use shoebox::clock::{ManualClock, SECS_PER_DAY};
use shoebox::library::{
    DbHealth, FolderChoice, ImportOptions, ItemId, Library, LibraryError, RestoreOptions,
};

use crate::common::{Drive, Fixture, T0, collection_id, files_under};

/// Imports `path` in place, trashes it, and returns its id and where it went.
fn trash_in_place(f: &mut Fixture, path: &Path) -> (ItemId, PathBuf) {
    let id = f.import_in_place(path);
    let report = f.lib.trash(&[id]).unwrap();
    assert_eq!(report.succeeded, vec![id], "{report:?}");
    let at = f.trash_path(id);
    (id, at)
}

#[test]
fn finding01_restore_while_the_trash_drive_is_unplugged_moves_nothing_and_names_the_drive() {
    let Some(mut drive) = Drive::new("4m") else {
        return;
    };
    let mut f = Fixture::new();
    let folder = drive.mount_point.join("Shoot");
    std::fs::create_dir_all(&folder).unwrap();
    let photo = folder.join("IMG_1.jpg");
    std::fs::write(&photo, b"a photo on a card").unwrap();
    let (id, at) = trash_in_place(&mut f, &photo);
    assert!(
        at.starts_with(&drive.mount_point),
        "trashed on its own drive: {}",
        at.display()
    );
    drive.unplug();

    for opts in [
        RestoreOptions::default(),
        RestoreOptions {
            folder: Some(FolderChoice::Recreate),
            ..Default::default()
        },
    ] {
        let err = f.lib.restore(id, &opts).unwrap_err();
        assert!(
            matches!(err, LibraryError::TrashUnavailable { .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains(&drive.mount_point.display().to_string()),
            "{err}"
        );
        assert_eq!(
            f.lib.trash_count().unwrap(),
            1,
            "the entry stays in the Trash"
        );
    }
    // Nothing was recreated on the system disk in the drive's place.
    assert!(!folder.exists());

    drive.plug();
    f.reopen();
    assert_eq!(f.lib.trash_count().unwrap(), 1, "nothing adopted twice");
    f.lib.restore(id, &RestoreOptions::default()).unwrap();
    assert_eq!(std::fs::read(&photo).unwrap(), b"a photo on a card");
    assert_eq!(f.lib.trash_count().unwrap(), 0);
    f.clock.advance_days(40);
    f.lib.sweep().unwrap();
    assert!(
        photo.exists(),
        "a later sweep leaves the restored photo alone"
    );
}

#[test]
fn finding02_purge_never_follows_a_symlink_in_a_parent_of_a_trash_area() {
    let Some(mut drive) = Drive::new("4m") else {
        return;
    };
    let mut f = Fixture::new();
    let photo = drive.mount_point.join("IMG_2.jpg");
    std::fs::write(&photo, b"on the drive").unwrap();
    let (id, at) = trash_in_place(&mut f, &photo);
    let area_name = at.parent().unwrap().file_name().unwrap().to_owned();
    let trash_name = at.file_name().unwrap().to_owned();

    // The drive goes away and its mount point becomes a link to a folder holding a
    // look-alike trash area with a file of the same name.
    drive.unplug();
    let decoy = f.dir.path().join("decoy");
    std::fs::create_dir_all(decoy.join(&area_name)).unwrap();
    let victim = decoy.join(&area_name).join(&trash_name);
    std::fs::write(&victim, b"not Shoebox's").unwrap();
    std::fs::remove_dir(&drive.mount_point).unwrap();
    if !crate::common::symlink(&decoy, &drive.mount_point) {
        return;
    }

    f.clock.advance_days(31);
    let swept = f.lib.sweep().unwrap();
    assert_eq!(swept.purged, 0);
    let report = f.lib.delete_permanently(&[id]).unwrap();
    assert!(report.succeeded.is_empty());
    f.lib.empty_trash().unwrap();
    f.reopen();
    assert_eq!(std::fs::read(&victim).unwrap(), b"not Shoebox's");
    assert_eq!(
        f.lib.trash_count().unwrap(),
        1,
        "kept until its drive is back"
    );

    // A real folder (not a link) at that place, but not the trash area Shoebox made.
    std::fs::remove_file(&drive.mount_point).unwrap();
    std::fs::create_dir_all(drive.mount_point.join(&area_name)).unwrap();
    let victim2 = drive.mount_point.join(&area_name).join(&trash_name);
    std::fs::write(&victim2, b"another drive's file").unwrap();
    f.lib.empty_trash().unwrap();
    assert_eq!(std::fs::read(&victim2).unwrap(), b"another drive's file");
    assert_eq!(f.lib.trash_count().unwrap(), 1);
    std::fs::remove_file(&victim2).unwrap();
    std::fs::remove_dir(drive.mount_point.join(&area_name)).unwrap();
    drive.plug();
    assert_eq!(f.lib.empty_trash().unwrap().succeeded, vec![id]);
    assert!(!at.exists());
}

#[test]
fn finding03_ids_are_never_reused() {
    let mut f = Fixture::new();
    let p1 = f.file("p1.txt", b"one");
    let p2 = f.file("p2.txt", b"two");
    let ids = f.import(&[p1, p2], None);
    let a2 = ids[1];
    f.lib.delete_now(&[a2]).unwrap();
    let a3 = f.import_one("p3.txt", b"three");
    assert_ne!(a3, a2, "a new import never gets a deleted item's id");
    // A stale or retried delete of the old id destroys nothing.
    let report = f.lib.delete_permanently(&[a2]).unwrap();
    assert_eq!(report.failed.len(), 1);
    assert_eq!(f.active_names(), vec!["p1.txt", "p3.txt"]);

    let c1 = f.lib.create_collection(None, "One").unwrap();
    f.lib.delete_now(&[ItemId::Collection(c1)]).unwrap();
    let c2 = f.lib.create_collection(None, "Two").unwrap();
    assert_ne!(c1, c2);

    let b1 = f.lib.trash(&[ids[0]]).unwrap().batch_id.unwrap();
    f.lib.empty_trash().unwrap();
    let b2 = f.lib.trash(&[a3]).unwrap().batch_id.unwrap();
    assert!(b2 > b1, "batch ids are never reused either");
    f.reopen();
    let a4 = f.import_one("p4.txt", b"four");
    assert!(a4 > a3 && a4 != a2);
}

#[test]
fn finding04_an_emptied_or_missing_library_db_is_refused_and_repair_brings_it_back() {
    let mut f = Fixture::new();
    let kept = f.import_one("keep.jpg", b"keep me");
    let gone = f.import_one("trashed.jpg", b"in the trash");
    f.lib.trash(&[gone]).unwrap();
    let root = f.root();
    let before: Vec<PathBuf> = files_under(&root.join("media"));

    for damage in ["empty", "missing"] {
        f.close();
        let db = root.join("library.db");
        let _ = std::fs::remove_file(root.join("library.db-wal"));
        let _ = std::fs::remove_file(root.join("library.db-shm"));
        match damage {
            "empty" => std::fs::write(&db, b"").unwrap(),
            _ => std::fs::remove_file(&db).unwrap(),
        }
        let clock = Arc::new(f.clock.clone());
        let err = Library::open_with_clock(&root, clock.clone()).unwrap_err();
        assert!(matches!(err, LibraryError::DatabaseLost { .. }), "{err}");
        assert!(err.to_string().contains("shoebox repair"), "{err}");
        assert_eq!(files_under(&root.join("media")), before, "nothing changed");

        // Without a backup: the index is rebuilt from the files.
        let report = shoebox::library::repair(&root, clock.clone()).unwrap();
        assert_ne!(report.found, DbHealth::Fine);
        assert_eq!(report.indexed_media, 1, "{report:?}");
        assert_eq!(report.adopted_trash, 1, "{report:?}");
        f.lib = Library::open_with_clock(&root, clock).unwrap();
        let names: Vec<String> = f
            .lib
            .assets(Default::default())
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, vec!["keep.jpg"]);
        let trash = f.lib.trash_entries(Default::default()).unwrap();
        assert_eq!(trash.len(), 1);
        assert_eq!(trash[0].name, "trashed.jpg");
        // Restore the repaired library to its first state for the next round.
        f.lib
            .restore(trash[0].id, &RestoreOptions::default())
            .unwrap();
        let id = f.asset_named("trashed.jpg").id;
        f.lib.trash(&[id]).unwrap();
    }
    let _ = kept;

    // With a backup: the index comes back from it, collections and all.
    let c = f.lib.create_collection(None, "Trips").unwrap();
    let in_trips = f.file("trip.jpg", b"a trip");
    f.import(&[in_trips], Some(c));
    f.lib.backup_now().unwrap();
    f.close();
    std::fs::write(root.join("library.db"), b"not a database at all").unwrap();
    let clock = Arc::new(f.clock.clone());
    assert!(matches!(
        Library::open_with_clock(&root, clock.clone()).unwrap_err(),
        LibraryError::DatabaseLost { .. }
    ));
    let report = shoebox::library::repair(&root, clock.clone()).unwrap();
    assert!(report.from_backup.is_some(), "{report:?}");
    assert!(
        report.set_aside.as_ref().is_some_and(|p| p.exists()),
        "kept, never deleted"
    );
    f.lib = Library::open_with_clock(&root, clock).unwrap();
    let trip = f.asset_named("trip.jpg");
    assert_eq!(trip.location, "Trips");
    f.assert_integrity();
}

#[test]
fn finding05_a_killed_copy_import_leaves_no_orphan_copy_and_reimport_makes_no_duplicate() {
    for point in [
        "import.after_intent",
        "import.after_copy",
        "import.after_sync",
    ] {
        let mut f = Fixture::new();
        let paths: Vec<PathBuf> = (0..5)
            .map(|i| f.file(&format!("p{i}.jpg"), format!("photo {i}").as_bytes()))
            .collect();
        shoebox::failpoint::arm(point, 0);
        let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = f.lib.import(&paths, &ImportOptions::default(), &mut |_| {});
        }));
        shoebox::failpoint::disarm();
        assert!(crashed.is_err(), "{point} was reached");
        f.reopen();
        let known: Vec<PathBuf> = f
            .lib
            .assets(Default::default())
            .unwrap()
            .into_iter()
            .map(|a| a.path)
            .collect();
        let mut on_disk = files_under(&f.root().join("media"));
        on_disk.sort();
        assert!(
            on_disk.iter().all(|p| known.contains(p)),
            "{point}: orphan copies {on_disk:?}"
        );
        f.import(&paths, None);
        assert_eq!(f.active_names().len(), 5, "{point}");
        assert_eq!(files_under(&f.root().join("media")).len(), 5, "{point}");
        f.assert_integrity();
    }
}

#[test]
fn finding06_a_record_recovery_cannot_settle_is_quarantined_and_the_library_works() {
    let mut f = Fixture::new();
    let bad = f.import_one("bad.jpg", b"bad");
    let other = f.import_one("other.jpg", b"other");
    f.lib.trash(&[bad, other]).unwrap();
    let victim = f.dir.path().join("victim.txt");
    std::fs::write(&victim, b"outside the library").unwrap();
    let ItemId::Asset(n) = bad else {
        unreachable!()
    };
    f.close();
    {
        let db = rusqlite::Connection::open(f.root().join("library.db")).unwrap();
        db.execute("UPDATE assets SET state = 'restoring' WHERE id = ?1", [n])
            .unwrap();
        shoebox::store::recount(&db).unwrap();
        db.execute(
            "UPDATE files SET trash_name = '../../victim.txt' WHERE asset_id = ?1",
            [n],
        )
        .unwrap();
    }
    f.open_again();
    let entries = f.lib.trash_entries(Default::default()).unwrap();
    let q = entries
        .iter()
        .find(|e| e.id == bad)
        .expect("shown in the Trash");
    assert!(
        q.quarantine
            .as_deref()
            .is_some_and(|r| r.contains("unsafe")),
        "{q:?}"
    );
    assert!(f.lib.restore(bad, &RestoreOptions::default()).is_err());
    f.clock.advance_days(31);
    let swept = f.lib.sweep().unwrap();
    // `other`, and bad.jpg's real trash file (no record names it now, so it was adopted as
    // a recovered entry): the rest of the Trash still expires.
    assert_eq!(swept.purged, 2, "{swept:?}");
    let left: Vec<ItemId> = f
        .lib
        .trash_entries(Default::default())
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(left, vec![bad]);
    assert_eq!(std::fs::read(&victim).unwrap(), b"outside the library");
    f.reopen();
    assert_eq!(f.lib.trash_count().unwrap(), 1);
    f.assert_integrity();
}

#[test]
fn finding07_confirming_the_clock_releases_a_time_seen_in_the_future() {
    let mut f = Fixture::new();
    let a = f.import_one("a.jpg", b"a");
    f.clock.advance_days(400); // one run with a wrong clock
    f.lib.trash(&[a]).unwrap();
    f.lib.sweep().unwrap();
    f.clock.set(T0 + SECS_PER_DAY); // the real time again
    f.reopen();
    assert!(f.lib.sweep().unwrap().held.is_some());
    f.lib.confirm_clock().unwrap();
    assert!(f.lib.sweep().unwrap().held.is_none());
    assert_eq!(f.entry(a).days_left, 30, "re-dated now, not 400 days ahead");
    let b = f.import_one("b.jpg", b"b");
    f.lib.trash(&[b]).unwrap();
    assert_eq!(f.entry(b).deleted_at, T0 + SECS_PER_DAY);
    f.clock.advance_days(30);
    assert_eq!(f.lib.sweep().unwrap().purged, 2, "both expire on time");
}

#[test]
fn finding08_trashing_a_collection_and_its_child_trashes_the_subtree_once() {
    let mut f = Fixture::new();
    let c1 = f.lib.create_collection(None, "2025").unwrap();
    let c2 = f.lib.create_collection(Some(c1), "June").unwrap();
    let p = f.file("june.jpg", b"june");
    let a = f.import(&[p], Some(c2))[0];
    let (c1, c2) = (ItemId::Collection(c1), ItemId::Collection(c2));
    let report = f.lib.trash(&[c2, c1, a]).unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(report.succeeded, vec![c1]);
    assert_eq!(f.lib.trash_count().unwrap(), 1);
    f.lib.restore(c1, &RestoreOptions::default()).unwrap();
    assert_eq!(f.active_names(), vec!["june.jpg"]);
    let _ = collection_id(c2);
}

#[test]
fn finding10_restore_never_brings_back_a_link_or_another_file_at_the_trash_name() {
    let mut f = Fixture::new();
    let a = f.import_one("a.jpg", b"the photo");
    f.lib.trash(&[a]).unwrap();
    let at = f.trash_path(a);
    let elsewhere = f.dir.path().join("secret.txt");
    std::fs::write(&elsewhere, b"secret").unwrap();
    let real = f.dir.path().join("kept.jpg");
    std::fs::rename(&at, &real).unwrap();
    if !crate::common::symlink(&elsewhere, &at) {
        return;
    }
    let err = f.lib.restore(a, &RestoreOptions::default()).unwrap_err();
    assert!(matches!(err, LibraryError::FileProblem { .. }), "{err}");
    assert!(
        std::fs::symlink_metadata(&at)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(f.lib.trash_count().unwrap(), 1);
    // Another file's content at the trash name is refused too.
    std::fs::remove_file(&at).unwrap();
    std::fs::write(&at, b"something else!!").unwrap();
    assert!(f.lib.restore(a, &RestoreOptions::default()).is_err());
    assert!(f.active_names().is_empty());
    // The real file back in place: the restore goes through.
    std::fs::remove_file(&at).unwrap();
    std::fs::rename(&real, &at).unwrap();
    f.lib.restore(a, &RestoreOptions::default()).unwrap();
    assert_eq!(std::fs::read(f.asset_path(a)).unwrap(), b"the photo");
}

#[test]
fn finding11_adoption_never_follows_a_symlinked_trash_folder() {
    let mut f = Fixture::new();
    let a = f.import_one("a.jpg", b"a");
    f.lib.trash(&[a]).unwrap();
    f.lib.empty_trash().unwrap();
    let foreign = f.dir.path().join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("letter.txt"), b"someone's letter").unwrap();
    f.close();
    let trash = f.root().join("trash");
    std::fs::rename(&trash, f.dir.path().join("real-trash")).unwrap();
    if !crate::common::symlink(&foreign, &trash) {
        return;
    }
    f.open_again();
    assert_eq!(
        f.lib.trash_count().unwrap(),
        0,
        "nothing adopted through the link"
    );
    f.clock.advance_days(60);
    f.lib.sweep().unwrap();
    f.lib.empty_trash().unwrap();
    assert_eq!(
        std::fs::read(foreign.join("letter.txt")).unwrap(),
        b"someone's letter"
    );
}

#[test]
fn finding14_a_library_copied_with_cp_a_can_trash_and_restore() {
    let mut f = Fixture::new();
    let a = f.import_one("a.jpg", b"moved with the library");
    f.close();
    let copy = f.dir.path().join("copied-lib");
    crate::common::copy_folder_as_people_do(&f.root(), &copy);
    let mut lib = Library::open_with_clock(&copy, Arc::new(ManualClock::new(T0))).unwrap();
    let report = lib.trash(&[a]).unwrap();
    assert_eq!(report.succeeded, vec![a], "{report:?}");
    lib.restore(a, &RestoreOptions::default()).unwrap();
    // A file really changed outside Shoebox goes as it is now: the item takes the new
    // version first (new-user finding 7), and it comes back as that.
    let path = lib.assets(Default::default()).unwrap()[0].path.clone();
    std::fs::write(&path, b"edited outside Shoebox!").unwrap();
    let report = lib.trash(&[a]).unwrap();
    assert_eq!(report.succeeded, vec![a], "{report:?}");
    assert!(!path.exists());
    lib.restore(a, &RestoreOptions::default()).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"edited outside Shoebox!");
}

#[test]
fn finding09_a_full_disk_still_lists_and_a_failing_write_says_the_disk_is_full() {
    let Some(drive) = Drive::new("2m") else {
        return;
    };
    let lib = drive.mount_point.join("Library");
    let src = tempfile::tempdir().unwrap();
    let photo = src.path().join("photo.jpg");
    std::fs::write(&photo, vec![7u8; 200_000]).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_shoebox"))
            .arg("--library")
            .arg(&lib)
            .args(args)
            .env("SHOEBOX_NOW", T0.to_string())
            .output()
            .unwrap()
    };
    assert!(run(&["import", photo.to_str().unwrap()]).status.success());
    // Fill the drive to the last byte.
    let filler = drive.mount_point.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let block = vec![0u8; 64 * 1024];
    loop {
        use std::io::Write;
        if f.write_all(&block).is_err() {
            break;
        }
    }
    let _ = f.sync_all();
    let ls = run(&["--json", "ls"]);
    assert!(
        ls.status.success(),
        "{}",
        String::from_utf8_lossy(&ls.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&ls.stdout).unwrap();
    assert_eq!(listed[0]["name"], "photo.jpg");
    let other = src.path().join("more.jpg");
    std::fs::write(&other, vec![9u8; 300_000]).unwrap();
    let out = run(&["import", other.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() || err.contains("full"), "{err}");
    assert!(err.contains("full"), "says the disk is full: {err}");
    assert!(!err.contains("Error code"), "no raw SQLite code: {err}");
    // With room again, everything works and nothing was lost.
    drop(f);
    std::fs::remove_file(&filler).unwrap();
    let ls = run(&["--json", "ls"]);
    assert!(ls.status.success());
    let listed: serde_json::Value = serde_json::from_slice(&ls.stdout).unwrap();
    assert!(!listed.as_array().unwrap().is_empty());
    assert!(run(&["import", other.to_str().unwrap()]).status.success());
}

#[test]
fn finding15_a_bulk_restore_records_its_intent_once_and_flushes_once_for_all_its_items() {
    let mut f = Fixture::new();
    let paths: Vec<_> = (0..60)
        .map(|i| f.file(&format!("p{i}.txt"), format!("photo {i}").as_bytes()))
        .collect();
    let ids = f.import(&paths, None);
    f.lib.trash(&ids).unwrap();
    // Each protocol step is reached once for the whole restore, not once per item: a
    // second arrival at either step would stop the restore here.
    for step in ["restore.after_intent", "restore.after_sync"] {
        shoebox::failpoint::arm(step, 1);
        let report = f.lib.restore_many(&ids).unwrap();
        shoebox::failpoint::disarm();
        assert_eq!(report.succeeded.len(), ids.len(), "{step}");
        f.lib.trash(&ids).unwrap();
    }
    f.assert_integrity();
}

#[test]
fn finding16_an_import_flushes_once_per_chunk_and_finds_files_by_an_index() {
    let mut f = Fixture::new();
    // By copy: one intent, one flush for all the copies, not one per file.
    for step in ["import.after_intent", "import.after_sync"] {
        let paths: Vec<_> = (0..60)
            .map(|i| {
                f.file(
                    &format!("{step}/i{i}.txt"),
                    format!("{step} {i}").as_bytes(),
                )
            })
            .collect();
        shoebox::failpoint::arm(step, 1);
        let before = f.active_names().len();
        let report = f
            .lib
            .import(&paths, &ImportOptions::default(), &mut |_| {})
            .unwrap();
        shoebox::failpoint::disarm();
        assert_eq!(report.imported.len(), 60, "{step}");
        assert_eq!(f.active_names().len(), before + 60);
    }
    // Files are looked up by their path through an index, not a scan of every file.
    f.close();
    let db = rusqlite::Connection::open(f.root().join("library.db")).unwrap();
    let plan: String = db
        .query_row(
            "EXPLAIN QUERY PLAN SELECT path, asset_id FROM files
             WHERE path IN (SELECT value FROM json_each('[\"x\"]'))",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("INDEX files_path"), "{plan}");
}
