//! The Trash rules of SPEC §2, one test (at least) per rule, named after it.

use shoebox::library::{
    AssetId, Flag, FolderChoice, ImportOptions, ItemId, Label, Library, LibraryError,
    RestoreOptions, TrashSort,
};

use crate::common::{Fixture, T0, collection_id, files_under, shoebox_hash};

#[test]
fn rule1_delete_moves_to_trash_and_destroys_nothing() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"alpha");
    let home = f.asset_path(id);
    let report = f.lib.trash(&[id]).unwrap();
    assert_eq!(report.succeeded, vec![id]);
    assert!(!home.exists(), "the file left its place");
    let trashed = f.trash_path(id);
    assert_eq!(
        std::fs::read(&trashed).unwrap(),
        b"alpha",
        "the bytes are intact in the trash area"
    );
    assert!(trashed.starts_with(f.root().join("trash")));
    f.assert_integrity();
}

#[test]
fn rule2_trashed_items_vanish_from_every_listing_and_count() {
    let mut f = Fixture::new();
    let keep = f.import_one("keep.txt", b"keep");
    let gone = f.import_one("gone.txt", b"gone!");
    let c = f.lib.create_collection(None, "Album").unwrap();
    f.lib.trash(&[gone, ItemId::Collection(c)]).unwrap();
    let assets = f.lib.assets(Default::default()).unwrap();
    assert_eq!(assets.iter().map(|a| a.id).collect::<Vec<_>>(), vec![keep]);
    assert!(f.lib.collections().unwrap().is_empty());
    assert_eq!(f.lib.library_size().unwrap(), 4);
    assert_eq!(f.lib.trash_count().unwrap(), 2);
}

#[test]
fn rule2_trashed_items_are_read_only() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    let c = f.lib.create_collection(None, "Album").unwrap();
    f.lib.trash(&[id, ItemId::Collection(c)]).unwrap();
    let ItemId::Asset(a) = id else { unreachable!() };
    assert!(matches!(
        f.lib.rename_asset(a, "b.txt"),
        Err(LibraryError::InTrash(_))
    ));
    assert!(matches!(
        f.lib.rename_collection(c, "B"),
        Err(LibraryError::InTrash(_))
    ));
}

#[test]
fn rule3_deleting_a_collection_trashes_its_subtree_as_one_batch() {
    let mut f = Fixture::new();
    let trips = trips_in_the_trash(&mut f);
    let entries = f.lib.trash_entries(TrashSort::DeletedAt).unwrap();
    assert_eq!(entries.len(), 1, "one entry carries the whole sub-tree");
    assert_eq!(entries[0].id, trips);
    assert_eq!(entries[0].item_count, 3);
    assert_eq!(entries[0].size, 6);
    assert!(f.lib.assets(Default::default()).unwrap().is_empty());
    assert!(
        f.lib.collections().unwrap().is_empty(),
        "its sub-collections too"
    );
    assert_eq!(files_under(&f.root().join("trash")).len(), 3);
    assert_eq!(f.lib.batches().unwrap().len(), 1);
}

#[test]
fn rule4_days_left_reads_30_then_15_then_1_and_is_purged_after_30_days() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    f.lib.trash(&[id]).unwrap();
    assert_eq!(f.entry(id).days_left, 30);
    f.clock.advance_days(15);
    assert_eq!(f.entry(id).days_left, 15);
    f.clock.advance_days(14);
    assert_eq!(f.entry(id).days_left, 1);
    let swept = f.lib.sweep().unwrap();
    assert_eq!(swept.purged, 0, "1 day left is not expired");
    f.clock.advance_days(1);
    assert_eq!(f.entry(id).days_left, 0);
    let swept = f.lib.sweep().unwrap();
    assert_eq!(swept.purged, 1);
    assert_eq!(swept.freed_bytes, 1);
    assert_eq!(f.lib.trash_count().unwrap(), 0);
    assert!(files_under(&f.root().join("trash")).is_empty());
    f.assert_integrity();
}

#[test]
fn rule4_days_left_uses_whole_days_since_deletion() {
    assert_eq!(Library::days_left(30, T0, T0), 30);
    assert_eq!(Library::days_left(30, T0, T0 + 86_399), 30);
    assert_eq!(Library::days_left(30, T0, T0 + 86_400), 29);
    assert_eq!(Library::days_left(30, T0, T0 + 30 * 86_400), 0);
}

#[test]
fn rule5_lowering_the_retention_purges_at_the_next_sweep() {
    let mut f = Fixture::new();
    let old = f.import_one("old.txt", b"old");
    f.lib.trash(&[old]).unwrap();
    f.clock.advance_days(10);
    let new = f.import_one("new.txt", b"new!");
    f.lib.trash(&[new]).unwrap();
    assert_eq!(
        f.lib.expired_count(7).unwrap(),
        1,
        "the settings dialog can say how many"
    );
    f.lib.set_retention_days(7).unwrap();
    assert_eq!(
        f.lib.trash_count().unwrap(),
        2,
        "nothing happens before the sweep"
    );
    let swept = f.lib.sweep().unwrap();
    assert_eq!(swept.purged, 1);
    let left: Vec<_> = f
        .lib
        .trash_entries(TrashSort::Name)
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(left, vec![new]);
    assert_eq!(f.entry(new).days_left, 7);
}

#[test]
fn rule5_retention_must_be_1_to_3650_days() {
    let mut f = Fixture::new();
    assert_eq!(f.lib.retention_days().unwrap(), 30);
    assert!(f.lib.set_retention_days(0).is_err());
    assert!(f.lib.set_retention_days(3651).is_err());
    f.lib.set_retention_days(3650).unwrap();
    assert_eq!(f.lib.retention_days().unwrap(), 3650);
}

#[test]
fn rule6_restore_returns_the_item_as_if_never_deleted() {
    let mut f = Fixture::new();
    let c = f.lib.create_collection(None, "Album").unwrap();
    let ids = f.import(&[f.file("a.txt", b"alpha")], Some(c));
    let home = f.asset_path(ids[0]);
    f.lib.trash(&ids).unwrap();
    f.lib.restore(ids[0], &RestoreOptions::default()).unwrap();
    assert_eq!(f.asset_path(ids[0]), home);
    assert_eq!(std::fs::read(&home).unwrap(), b"alpha");
    let a = &f.lib.assets(Default::default()).unwrap()[0];
    assert_eq!(a.location, "Album");
    assert_eq!(f.lib.trash_count().unwrap(), 0);
    assert!(files_under(&f.root().join("trash")).is_empty());
}

#[test]
fn rule6_restoring_a_collection_restores_its_batch_not_items_trashed_before() {
    let mut f = Fixture::new();
    f.file("Album/early.txt", b"e");
    f.file("Album/late.txt", b"l");
    f.import(&[f.src().join("Album")], None);
    let assets = f.lib.assets(Default::default()).unwrap();
    let early = assets.iter().find(|a| a.name == "early.txt").unwrap().id;
    let album = f.lib.collections().unwrap()[0].id;
    f.lib.trash(&[early]).unwrap();
    f.clock.advance(60);
    f.lib.trash(&[album]).unwrap();
    f.lib.restore(album, &RestoreOptions::default()).unwrap();
    assert_eq!(f.active_names(), vec!["late.txt"]);
    let left: Vec<_> = f
        .lib
        .trash_entries(TrashSort::Name)
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(
        left,
        vec![early],
        "the item trashed before stays in the Trash"
    );
    // And it can now go back, since its collection is back.
    f.lib.restore(early, &RestoreOptions::default()).unwrap();
    assert_eq!(f.active_names(), vec!["early.txt", "late.txt"]);
    f.assert_integrity();
}

#[test]
fn rule7_name_conflict_stops_and_suggests_the_first_free_name() {
    let mut f = Fixture::new();
    let first = f.import_one("IMG_1.jpg", b"first");
    f.lib.trash(&[first]).unwrap();
    f.import_one("IMG_1.jpg", b"second");
    f.import_one("IMG_1 (2).jpg", b"third");
    let err = f
        .lib
        .restore(first, &RestoreOptions::default())
        .unwrap_err();
    match &err {
        LibraryError::NameConflict { suggestion, .. } => assert_eq!(suggestion, "IMG_1 (3).jpg"),
        other => panic!("expected a name conflict, got {other}"),
    }
    assert_eq!(f.lib.trash_count().unwrap(), 1, "nothing moved");
    let opts = RestoreOptions {
        rename: Some("IMG_1 (3).jpg".into()),
        ..Default::default()
    };
    f.lib.restore(first, &opts).unwrap();
    assert_eq!(
        f.active_names(),
        vec!["IMG_1 (2).jpg", "IMG_1 (3).jpg", "IMG_1.jpg"]
    );
    assert_eq!(std::fs::read(f.asset_path(first)).unwrap(), b"first");
}

#[test]
fn rule7_name_conflict_ignores_case() {
    let mut f = Fixture::new();
    let first = f.import_one("Photo.JPG", b"first");
    f.lib.trash(&[first]).unwrap();
    f.import_one("photo.jpg", b"second");
    assert!(matches!(
        f.lib.restore(first, &RestoreOptions::default()),
        Err(LibraryError::NameConflict { .. })
    ));
}

#[test]
fn rule7_in_place_file_conflict_on_disk_never_overwrites() {
    let mut f = Fixture::new();
    let path = f.file("shoot/a.txt", b"original");
    let id = f.import_in_place(&path);
    f.lib.trash(&[id]).unwrap();
    assert!(!path.exists());
    std::fs::write(&path, b"a new file the user made").unwrap();
    let err = f.lib.restore(id, &RestoreOptions::default()).unwrap_err();
    let LibraryError::NameConflict { suggestion, .. } = err else {
        panic!("expected a conflict: {err}")
    };
    assert_eq!(suggestion, "a (2).txt");
    assert_eq!(std::fs::read(&path).unwrap(), b"a new file the user made");
    f.lib
        .restore(
            id,
            &RestoreOptions {
                rename: Some(suggestion),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        std::fs::read(path.with_file_name("a (2).txt")).unwrap(),
        b"original"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"a new file the user made");
}

#[test]
fn rule8_lost_location_when_the_parent_collection_is_in_the_trash() {
    let mut f = Fixture::new();
    let c = f.lib.create_collection(None, "Album").unwrap();
    let ids = f.import(&[f.file("a.txt", b"a")], Some(c));
    f.lib.trash(&ids).unwrap();
    f.lib.trash(&[ItemId::Collection(c)]).unwrap();
    let err = f
        .lib
        .restore(ids[0], &RestoreOptions::default())
        .unwrap_err();
    assert!(
        matches!(err, LibraryError::LostLocation { folder: false, .. }),
        "{err}"
    );
    let other = f.lib.create_collection(None, "Other").unwrap();
    f.lib
        .restore(
            ids[0],
            &RestoreOptions {
                to: Some(Some(other)),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        f.lib.assets(Default::default()).unwrap()[0].location,
        "Other"
    );
}

#[test]
fn rule8_lost_location_when_an_in_place_folder_is_gone() {
    let mut f = Fixture::new();
    let path = f.file("shoot/day1/a.txt", b"a");
    let id = f.import_in_place(&path);
    f.lib.trash(&[id]).unwrap();
    std::fs::remove_dir(path.parent().unwrap()).unwrap();
    let err = f.lib.restore(id, &RestoreOptions::default()).unwrap_err();
    assert!(
        matches!(err, LibraryError::LostLocation { folder: true, .. }),
        "{err}"
    );
    f.lib
        .restore(
            id,
            &RestoreOptions {
                folder: Some(FolderChoice::Recreate),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"a");
}

#[test]
fn rule9_delete_permanently_warns_nothing_but_removes_record_and_file() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    f.lib.trash(&[id]).unwrap();
    let trashed = f.trash_path(id);
    let report = f.lib.delete_permanently(&[id]).unwrap();
    assert_eq!(report.succeeded, vec![id]);
    assert!(!trashed.exists());
    assert_eq!(f.lib.trash_count().unwrap(), 0);
    assert!(f.lib.restore(id, &RestoreOptions::default()).is_err());
}

#[test]
fn rule9_delete_permanently_refuses_active_items() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"a");
    let report = f.lib.delete_permanently(&[id]).unwrap();
    assert!(report.succeeded.is_empty());
    assert_eq!(report.failed.len(), 1);
    assert!(f.asset_path(id).exists());
}

#[test]
fn rule9_permanently_deleting_a_collection_takes_items_trashed_before_from_it() {
    let mut f = Fixture::new();
    let (early, album) = f.album_with_early_and_late();
    let unrelated = f.import_one("other.txt", b"o");
    f.lib.trash(&[early]).unwrap();
    f.lib.trash(&[album, unrelated]).unwrap();
    assert_eq!(f.lib.trash_count().unwrap(), 3);
    f.lib.delete_permanently(&[album]).unwrap();
    let left: Vec<_> = f
        .lib
        .trash_entries(TrashSort::Name)
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(left, vec![unrelated]);
    assert_eq!(files_under(&f.root().join("trash")).len(), 1);
    f.assert_integrity();
}

#[test]
fn rule10_empty_trash_deletes_every_item() {
    let mut f = Fixture::new();
    let mut ids = Vec::new();
    for i in 0..600 {
        ids.push(f.import_one(&format!("f{i}.txt"), format!("{i}").as_bytes()));
    }
    f.lib.trash(&ids).unwrap();
    let c = f.lib.create_collection(None, "Album").unwrap();
    f.lib.trash(&[ItemId::Collection(c)]).unwrap();
    assert_eq!(f.lib.trash_count().unwrap(), 601);
    let report = f.lib.empty_trash().unwrap();
    assert_eq!(report.succeeded.len(), 601, "paging by key skips nothing");
    assert_eq!(f.lib.trash_count().unwrap(), 0);
    assert!(files_under(&f.root().join("trash")).is_empty());
}

#[test]
fn rule11_trash_entry_shows_deleted_at_by_location_and_size() {
    let mut f = Fixture::new();
    let c = f.lib.create_collection(None, "Trips").unwrap();
    let ids = f.import(&[f.file("a.txt", b"12345")], Some(c));
    f.clock.advance(3600);
    f.lib.trash(&ids).unwrap();
    let e = f.entry(ids[0]);
    assert_eq!(e.deleted_at, T0 + 3600);
    assert_eq!(e.deleted_by, "tester");
    assert_eq!(e.original_location, "Trips");
    assert_eq!(e.size, 5);
    assert_eq!(e.name, "a.txt");
}

#[test]
fn rule11_trash_sorts_by_days_left_name_and_size() {
    let mut f = Fixture::new();
    let a = f.import_one("b.txt", b"1");
    f.lib.trash(&[a]).unwrap();
    f.clock.advance_days(3);
    let b = f.import_one("a.txt", b"12345");
    f.lib.trash(&[b]).unwrap();
    let ids = |s| {
        f.lib
            .trash_entries(s)
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(TrashSort::DaysLeft), vec![a, b]);
    assert_eq!(ids(TrashSort::Name), vec![b, a]);
    assert_eq!(ids(TrashSort::Size), vec![b, a]);
    assert_eq!(ids(TrashSort::DeletedAt), vec![b, a]);
}

#[test]
fn rule12_trash_does_not_count_toward_the_library_size() {
    let mut f = Fixture::new();
    let a = f.import_one("a.txt", b"12345");
    f.import_one("b.txt", b"123");
    assert_eq!(f.lib.library_size().unwrap(), 8);
    f.lib.trash(&[a]).unwrap();
    assert_eq!(f.lib.library_size().unwrap(), 3);
    assert_eq!(f.lib.trash_size().unwrap(), 5);
}

#[test]
fn rule13_companions_are_trashed_restored_and_purged_together() {
    let mut f = Fixture::new();
    let jpg = f.png("shoot/IMG_1.jpg", 4, 4);
    f.file("shoot/IMG_1.CR2", b"raw bytes");
    f.file("shoot/IMG_1.jpg.xmp", b"<xmp/>");
    f.file("shoot/IMG_2.png.xmp", b"<lonely/>");
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    let report = f
        .lib
        .import(&[f.src().join("shoot")], &opts, &mut |_| {})
        .unwrap();
    assert_eq!(
        report.imported.len(),
        2,
        "the pair and sidecar make one asset; the orphan sidecar is its own"
    );
    let id = report
        .imported
        .iter()
        .find(|i| i.name == "IMG_1.jpg")
        .unwrap()
        .id;
    let asset = f
        .lib
        .assets(Default::default())
        .unwrap()
        .into_iter()
        .find(|a| a.id == id)
        .unwrap();
    assert_eq!(asset.companions.len(), 2);
    f.lib.trash(&[id]).unwrap();
    for name in ["IMG_1.jpg", "IMG_1.CR2", "IMG_1.jpg.xmp"] {
        assert!(
            !f.src().join("shoot").join(name).exists(),
            "{name} went with its asset"
        );
    }
    f.lib.restore(id, &RestoreOptions::default()).unwrap();
    for name in ["IMG_1.jpg", "IMG_1.CR2", "IMG_1.jpg.xmp"] {
        assert!(
            f.src().join("shoot").join(name).exists(),
            "{name} came back"
        );
    }
    f.lib.trash(&[id]).unwrap();
    let report = f.lib.delete_permanently(&[id]).unwrap();
    assert_eq!(report.purged_files, 3);
    assert!(!jpg.exists());
    assert!(
        f.src().join("shoot/IMG_2.png.xmp").exists(),
        "the unrelated file is untouched"
    );
}

#[test]
fn rule14_a_whole_batch_can_be_restored_at_once() {
    let mut f = Fixture::new();
    let a = f.import_one("a.txt", b"a");
    let b = f.import_one("b.txt", b"b");
    let c = f.import_one("c.txt", b"c");
    let first = f.lib.trash(&[a, b]).unwrap().batch_id.unwrap();
    f.lib.trash(&[c]).unwrap();
    let batches = f.lib.batches().unwrap();
    assert_eq!(batches.len(), 2);
    assert!(
        batches
            .iter()
            .any(|x| x.id == first && x.label == "2 items from the top of the library")
    );
    let report = f.lib.restore_batch(first).unwrap();
    assert_eq!(report.succeeded.len(), 2);
    assert_eq!(f.active_names(), vec!["a.txt", "b.txt"]);
}

#[test]
fn rule15_a_restored_item_keeps_its_metadata() {
    let mut f = Fixture::new();
    let c = f.lib.create_collection(None, "Shots").unwrap();
    let ids = f.import(&[f.png("p.png", 32, 16)], Some(c));
    let before = f.lib.assets(Default::default()).unwrap()[0].clone();
    assert_eq!((before.width, before.height), (Some(32), Some(16)));
    f.lib.trash(&ids).unwrap();
    f.clock.advance_days(3);
    f.lib.restore(ids[0], &RestoreOptions::default()).unwrap();
    let after = f.lib.assets(Default::default()).unwrap()[0].clone();
    assert_eq!(after.id, before.id, "the same id keeps working");
    assert_eq!(
        (after.name, after.location, after.width, after.height),
        (before.name, before.location, before.width, before.height)
    );
    assert_eq!(
        (after.hash, after.imported_at, after.size),
        (before.hash, before.imported_at, before.size)
    );
}

#[test]
fn rule16_bulk_actions_report_succeeded_skipped_and_failed() {
    let mut f = Fixture::new();
    let a = f.import_one("a.txt", b"a");
    let b = f.import_one("b.txt", b"b");
    f.lib.trash(&[b]).unwrap();
    let report = f.lib.trash(&[a, b, ItemId::Asset(AssetId(999))]).unwrap();
    assert_eq!(report.succeeded, vec![a]);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].id, b);
    assert_eq!(
        report.skipped[0].problem,
        shoebox::library::Problem::AlreadyInTrash
    );
    assert_eq!(report.failed.len(), 1);
    assert_eq!(
        report.failed[0].problem,
        shoebox::library::Problem::NotFound
    );
    // As JSON: the problem's word for scripts beside its sentence for people.
    let json = serde_json::to_value(&report.failed[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"id": "a999", "problem": "not-found", "reason": "no such item"})
    );
    let nothing = f.lib.trash(&[ItemId::Asset(AssetId(999))]).unwrap();
    assert!(
        nothing.succeeded.is_empty(),
        "no success when nothing happened"
    );
    assert_eq!(
        nothing.summary("moved to the Trash:"),
        "moved to the Trash: 0 items, 1 failed"
    );
}

#[test]
fn rule18_importing_content_that_is_in_the_trash_offers_it_instead() {
    let mut f = Fixture::new();
    let id = f.import_one("a.txt", b"same bytes");
    f.lib.trash(&[id]).unwrap();
    let again = f.file("copy-of-a.txt", b"same bytes");
    let report = f
        .lib
        .import(
            std::slice::from_ref(&again),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert!(report.imported.is_empty());
    assert_eq!(report.in_trash.len(), 1);
    assert_eq!(report.in_trash[0].id, id);
    let opts = ImportOptions {
        allow_trash_duplicates: true,
        ..Default::default()
    };
    let report = f.lib.import(&[again], &opts, &mut |_| {}).unwrap();
    assert_eq!(report.imported.len(), 1);
}

#[test]
fn rule19_every_permanent_deletion_is_in_the_append_only_purge_log() {
    let mut f = Fixture::new();
    let a = f.import_one("a.txt", b"aaa");
    let b = f.import_one("b.txt", b"bb");
    let c = f.import_one("c.txt", b"c");
    f.lib.trash(&[a, b, c]).unwrap();
    f.lib.delete_permanently(&[a]).unwrap();
    f.lib.empty_trash().unwrap();
    let log = f.lib.purge_log(10).unwrap();
    assert_eq!(log.len(), 3);
    let a_line = log.iter().find(|l| l.name == "a.txt").unwrap();
    assert_eq!(
        (a_line.size, a_line.reason.as_str()),
        (3, "deleted permanently")
    );
    assert_eq!(a_line.hash.len(), 64);
    assert!(log.iter().filter(|l| l.reason == "empty trash").count() == 2);
    // Expiry too.
    let d = f.import_one("d.txt", b"d");
    f.lib.trash(&[d]).unwrap();
    f.clock.advance_days(30);
    f.lib.sweep().unwrap();
    assert_eq!(f.lib.purge_log(1).unwrap()[0].reason, "expired");
    // Append-only: the database refuses to change it.
    f.close();
    let db = rusqlite::Connection::open(f.root().join("library.db")).unwrap();
    assert!(db.execute("DELETE FROM purge_log", []).is_err());
    assert!(db.execute("UPDATE purge_log SET name = 'x'", []).is_err());
}

#[test]
fn import_makes_nested_collections_and_reads_dimensions() {
    let mut f = Fixture::new();
    f.png("Trips/2024/beach.png", 40, 30);
    f.file("Trips/notes.md", b"# notes");
    f.file("Trips/.hidden", b"x");
    let report = f
        .lib
        .import(
            &[f.src().join("Trips")],
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(report.imported.len(), 2);
    let paths: Vec<String> = f
        .lib
        .collections()
        .unwrap()
        .into_iter()
        .map(|c| c.path)
        .collect();
    assert_eq!(paths, vec!["Trips", "Trips/2024"]);
    let beach = f.asset_named("beach.png");
    assert_eq!((beach.width, beach.height), (Some(40), Some(30)));
    assert_eq!(beach.location, "Trips/2024");
    assert!(beach.path.starts_with(f.root().join("media")));
    assert!(
        f.src().join("Trips/2024/beach.png").exists(),
        "import by copy leaves the original"
    );
}

#[test]
fn import_reports_a_corrupt_image_and_goes_on() {
    let mut f = Fixture::new();
    let bad = f.file("broken.png", b"\x89PNG\r\n\x1a\nnot really");
    let good = f.png("good.png", 2, 2);
    let report = f
        .lib
        .import(&[bad, good], &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(
        report.imported.len(),
        2,
        "the corrupt file is kept, not lost"
    );
    assert_eq!(report.warnings.len(), 1);
    assert!(report.warnings[0].path.ends_with("broken.png"));
}

#[cfg(unix)] // Windows names are UTF-16: a name that is not valid Unicode is made otherwise
#[test]
fn import_reports_a_non_utf8_name_and_goes_on() {
    use std::os::unix::ffi::OsStrExt;
    let mut f = Fixture::new();
    let weird = f
        .src()
        .join(std::ffi::OsStr::from_bytes(b"bad\xffname.txt"));
    std::fs::write(&weird, b"x").unwrap();
    let good = f.file("good.txt", b"y");
    let report = f
        .lib
        .import(&[weird, good], &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(report.imported.len(), 1);
    assert_eq!(report.failed.len(), 1);
    assert!(report.failed[0].message.contains("not valid UTF-8"));
}

#[test]
fn collections_have_unique_names_among_siblings_ignoring_case() {
    let mut f = Fixture::new();
    let a = f.lib.create_collection(None, "Trips").unwrap();
    assert!(f.lib.create_collection(None, "trips").is_err());
    let b = f.lib.create_collection(Some(a), "Trips").unwrap();
    assert!(
        f.lib.move_collection(a, Some(b)).is_err(),
        "not into itself"
    );
    f.lib.rename_collection(b, "2024").unwrap();
    assert_eq!(f.lib.collection_path(Some(b)).unwrap(), "Trips/2024");
    assert_eq!(collection_id(f.lib.collections().unwrap()[0].id), a);
}

/// A small JPEG carrying EXIF: taken 2024-07-14 18:03:22 with a "Canon EOS R5".
fn jpeg_with_exif() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 6, image::Rgb([200, 120, 40]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&img)
        .unwrap();
    // TIFF, little endian: IFD0 (Make, Model, Exif pointer) then the Exif IFD (DateTimeOriginal).
    let mut t: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let entry = |tag: u16, typ: u16, count: u32, value: u32| {
        [
            &tag.to_le_bytes()[..],
            &typ.to_le_bytes(),
            &count.to_le_bytes(),
            &value.to_le_bytes(),
        ]
        .concat()
    };
    t.extend_from_slice(&3u16.to_le_bytes());
    t.extend(entry(0x010F, 2, 6, 50)); // Make at 50
    t.extend(entry(0x0110, 2, 13, 56)); // Model at 56
    t.extend(entry(0x8769, 4, 1, 70)); // Exif IFD at 70
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(b"Canon\0");
    t.extend_from_slice(b"Canon EOS R5\0");
    t.push(0);
    t.extend_from_slice(&1u16.to_le_bytes());
    t.extend(entry(0x9003, 2, 20, 88)); // DateTimeOriginal at 88
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(b"2024:07:14 18:03:22\0");
    assert_eq!(t.len(), 108);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(t);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn import_records_capture_date_and_camera_from_exif() {
    let mut f = Fixture::new();
    let id = f.import_one("IMG_0001.jpg", &jpeg_with_exif());
    let a = f
        .lib
        .assets(Default::default())
        .unwrap()
        .into_iter()
        .find(|a| a.id == id)
        .unwrap();
    assert_eq!(a.captured_at, Some(1_720_980_202));
    assert_eq!(a.camera.as_deref(), Some("Canon EOS R5"));
    assert_eq!((a.width, a.height), (Some(8), Some(6)));
}

#[test]
fn import_records_the_duration_of_a_video_with_ffprobe() {
    let mut f = Fixture::new();
    let path = f.src().join("clip.mp4");
    if crate::common::make_video(&path, 2).is_none() {
        return;
    }
    let ids = f.import(&[path], None);
    let a = f
        .lib
        .assets(Default::default())
        .unwrap()
        .into_iter()
        .find(|a| a.id == ids[0])
        .unwrap();
    assert_eq!(a.asset_kind, shoebox::library::Kind::Video);
    let ms = a.duration_ms.expect("a duration");
    assert!((1900..=2100).contains(&ms), "{ms} ms");
    // Walk-through finding 9: videos had no dimensions.
    assert_eq!((a.width, a.height), (Some(160), Some(120)));
    assert_eq!(shoebox::clock::duration(ms), "0:02");
}

#[test]
fn assets_move_between_collections_and_a_taken_name_is_reported() {
    let mut f = Fixture::new();
    let album = f.lib.create_collection(None, "Album").unwrap();
    let a = f.import_one("a.txt", b"a");
    let b = f.import_one("b.txt", b"b");
    f.import(&[f.file("x/a.txt", b"other")], Some(album));
    let report = f.lib.move_assets(&[a, b], Some(album)).unwrap();
    assert_eq!(report.succeeded, vec![b]);
    assert_eq!(report.failed.len(), 1);
    assert!(
        report.failed[0]
            .problem
            .to_string()
            .contains("already there")
    );
    let located: Vec<(String, String)> = f
        .lib
        .assets(Default::default())
        .unwrap()
        .into_iter()
        .map(|x| (x.name, x.location))
        .collect();
    assert!(located.contains(&("b.txt".into(), "Album".into())));
    assert!(
        located.contains(&("a.txt".into(), "".into())),
        "the clashing one stays put"
    );
}

#[test]
fn dimensions_are_those_of_the_picture_as_meant_to_be_seen() {
    let mut f = Fixture::new();
    let paths: Vec<_> = (1..=8u16)
        .map(|o| f.file(&format!("o{o}.jpg"), &crate::common::oriented_jpeg(o)))
        .collect();
    f.import(&paths, None);
    let assets = f.lib.assets(Default::default()).unwrap();
    assert_eq!(assets.len(), 8);
    for a in assets {
        let o: u16 = a.name[1..2].parse().unwrap();
        let want = if o >= 5 { (32, 64) } else { (64, 32) };
        assert_eq!(
            (a.width, a.height),
            (Some(want.0), Some(want.1)),
            "{}",
            a.name
        );
    }
}

#[test]
fn dimensions_recorded_sideways_by_an_earlier_shoebox_are_corrected_once() {
    let mut f = Fixture::new();
    let shown = f.file("shown.jpg", &crate::common::oriented_jpeg(6));
    let trashed = f.file("trashed.jpg", &crate::common::oriented_jpeg(8));
    let ids = f.import(&[shown, trashed], None);
    f.lib.trash(&[ids[1]]).unwrap();
    // As an earlier Shoebox recorded them: as stored, sideways.
    f.close();
    {
        let db = rusqlite::Connection::open(f.root().join("library.db")).unwrap();
        db.execute("UPDATE assets SET width = 64, height = 32", [])
            .unwrap();
        db.execute("DELETE FROM settings WHERE key = 'dimensions_oriented'", [])
            .unwrap();
    }
    f.open_again();
    let check = f.lib.check_files().unwrap();
    assert_eq!(
        check.reoriented, 2,
        "the one shown and the one in the Trash"
    );
    let a = &f.lib.assets(Default::default()).unwrap()[0];
    assert_eq!((a.width, a.height), (Some(32), Some(64)));
    let t = &f.lib.trash_entries(Default::default()).unwrap()[0];
    assert_eq!((t.width, t.height), (Some(32), Some(64)));
    assert_eq!(f.lib.check_files().unwrap().reoriented, 0, "only once");
}

/// A library made before Shoebox read RAWs through their own structure recorded a RAW's
/// preview size (or none) and no date or camera: its next file check reads them again, once,
/// keeping what a file does not say.
#[test]
fn raw_sizes_dates_and_cameras_recorded_by_an_earlier_shoebox_are_read_again_once() {
    let mut f = Fixture::new();
    let cr2 = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/canon-30d.cr2"),
    )
    .unwrap();
    let raw = f.file("IMG_5952.CR2", &cr2);
    let photo = f.file("photo.jpg", &crate::common::oriented_jpeg(1));
    f.import(&[raw, photo], None);
    f.close();
    {
        let db = rusqlite::Connection::open(f.root().join("library.db")).unwrap();
        db.execute(
            "UPDATE assets SET width = 1728, height = 1152, captured_at = NULL, camera = NULL",
            [],
        )
        .unwrap();
        db.execute("DELETE FROM settings WHERE key = 'formats_read'", [])
            .unwrap();
    }
    f.open_again();
    let check = f.lib.check_files().unwrap();
    assert_eq!(check.reread, 1, "the RAW, not the JPEG");
    let raw = f.asset_named("IMG_5952.CR2");
    assert_eq!((raw.width, raw.height), (Some(3504), Some(2336)));
    assert_eq!(raw.camera.as_deref(), Some("Canon EOS 30D"));
    assert_eq!(raw.captured_at, Some(1_248_181_400));
    let photo = f.asset_named("photo.jpg");
    assert_eq!(
        (photo.width, photo.height),
        (Some(1728), Some(1152)),
        "not read again"
    );
    assert_eq!(f.lib.check_files().unwrap().reread, 0, "only once");
}

#[test]
fn a_new_library_does_not_read_its_photos_again_to_correct_dimensions() {
    let mut f = Fixture::new();
    let p = f.file("p.jpg", &crate::common::oriented_jpeg(6));
    let cr2 = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/canon-30d.cr2"),
    )
    .unwrap();
    let raw = f.file("IMG_5952.CR2", &cr2);
    f.import(&[p, raw], None);
    // Even with the records made wrong behind its back, nothing is re-read: the library was
    // made by a Shoebox that records dimensions as seen and reads RAWs' own structure.
    f.close();
    rusqlite::Connection::open(f.root().join("library.db"))
        .unwrap()
        .execute("UPDATE assets SET width = 1, height = 1", [])
        .unwrap();
    f.open_again();
    let check = f.lib.check_files().unwrap();
    assert_eq!((check.reoriented, check.reread), (0, 0));
}

/// Walk-through finding 5: "Sweep purged 4 items" after five entries left the Trash — an
/// item trashed before from a collection is its own entry, and went with the collection
/// uncounted (coming first in the sweep's page, it even left the collection for the next
/// sweep).
#[test]
fn walk05_the_sweep_counts_every_entry_that_left_the_trash() {
    let mut f = Fixture::new();
    let (early, album) = f.album_with_early_and_late();
    let others: Vec<_> = (0..3)
        .map(|i| f.import_one(&format!("o{i}.txt"), format!("other {i}").as_bytes()))
        .collect();
    f.lib.trash(&[early]).unwrap();
    f.clock.advance(60);
    f.lib.trash(&[album]).unwrap();
    f.lib.trash(&others).unwrap();
    assert_eq!(f.lib.trash_count().unwrap(), 5, "five entries in the Trash");
    f.clock.advance_days(31);
    let report = f.lib.sweep().unwrap();
    assert_eq!(f.lib.trash_count().unwrap(), 0, "the Trash is empty");
    assert_eq!(report.purged, 5, "every entry that left is counted");
    f.assert_integrity();
}

/// The same count when the collection is deleted permanently by hand.
#[test]
fn walk05_a_permanent_delete_reports_the_entries_it_took_along() {
    let mut f = Fixture::new();
    let (early, album) = f.album_with_early_and_late();
    f.lib.trash(&[early]).unwrap();
    f.lib.trash(&[album]).unwrap();
    let report = f.lib.delete_permanently(&[album]).unwrap();
    let mut gone = report.succeeded.clone();
    gone.sort();
    let mut want = vec![early, album];
    want.sort();
    assert_eq!(gone, want);
    assert_eq!(f.lib.trash_count().unwrap(), 0);
}

/// Walk-through finding 9: Properties showed a companion's stored name in `media/`
/// (`{hash}-IMG_1.CR2`) instead of its file name.
#[test]
fn walk09_companions_are_named_as_the_user_named_them() {
    let mut f = Fixture::new();
    f.png("shoot/IMG_1.jpg", 4, 4);
    f.file("shoot/IMG_1.CR2", b"raw bytes");
    f.file("shoot/IMG_1.jpg.xmp", b"<xmp/>");
    f.lib
        .import(
            &[f.src().join("shoot")],
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    let asset = f.asset_named("IMG_1.jpg");
    assert!(!asset.in_place, "copied into media/");
    let mut names = asset.companion_names();
    names.sort();
    assert_eq!(names, ["IMG_1.CR2", "IMG_1.jpg.xmp"]);
}

/// "Trips" (a.txt, and 2024 holding b.txt and deep/c.txt) trashed as one entry.
fn trips_in_the_trash(f: &mut Fixture) -> ItemId {
    f.file("Trips/a.txt", b"a");
    f.file("Trips/2024/b.txt", b"bb");
    f.file("Trips/2024/deep/c.txt", b"ccc");
    f.import(&[f.src().join("Trips")], None);
    let trips = f
        .lib
        .collections()
        .unwrap()
        .into_iter()
        .find(|c| c.path == "Trips")
        .unwrap()
        .id;
    f.lib.trash(&[trips]).unwrap();
    trips
}

#[test]
fn walk02_what_a_trashed_collection_holds_is_listed_with_where_it_is() {
    let mut f = Fixture::new();
    let trips = trips_in_the_trash(&mut f);
    assert_eq!(f.lib.trash_entries(TrashSort::Name).unwrap().len(), 1);
    let inside = f.lib.trash_inside().unwrap();
    let mut seen: Vec<(String, String, u64, u64)> = inside
        .iter()
        .map(|e| {
            let within = e.within.clone().expect("inside an entry");
            assert_eq!(Some(within.entry), trips.collection());
            (e.name.clone(), within.path, e.item_count, e.size)
        })
        .collect();
    seen.sort();
    let expect = [
        ("2024", "Trips", 2, 5),
        ("a.txt", "Trips", 1, 1),
        ("b.txt", "Trips/2024", 1, 2),
        ("c.txt", "Trips/2024/deep", 1, 3),
        ("deep", "Trips/2024", 1, 3),
    ];
    let expect: Vec<(String, String, u64, u64)> = expect
        .iter()
        .map(|(n, p, c, s)| (n.to_string(), p.to_string(), *c, *s))
        .collect();
    assert_eq!(seen, expect);
    // Each item's file is there to preview or export a copy of.
    for e in inside.iter().filter(|e| e.asset_kind.is_some()) {
        let path = e.trash_path.clone().expect("a trash path");
        assert_eq!(std::fs::metadata(&path).unwrap().len(), e.size, "{e:?}");
    }
    // What may go on its own, and what needs to be told where: decided here, not by a window.
    for e in &inside {
        assert_eq!(e.goes_alone(), e.asset_kind.is_some(), "{e:?}");
        assert_eq!(e.place_is_lost(), e.asset_kind.is_some(), "{e:?}");
    }
    // Entries of their own are not listed as inside.
    assert!(
        f.lib
            .trash_entries(TrashSort::Name)
            .unwrap()
            .iter()
            .all(|e| e.within.is_none())
    );
}

#[test]
fn walk02_an_item_restored_from_inside_a_trashed_collection_asks_where_then_goes_alone() {
    let mut f = Fixture::new();
    let trips = trips_in_the_trash(&mut f);
    let inside = f.lib.trash_inside().unwrap();
    let b = inside.iter().find(|e| e.name == "b.txt").unwrap().id;
    // Its collection is in the Trash: rule 8's question, nothing changed.
    let err = f.lib.restore(b, &RestoreOptions::default()).unwrap_err();
    assert!(
        matches!(&err, LibraryError::LostLocation { folder: false, reason, .. } if reason.contains("\"2024\" is in the Trash")),
        "{err}"
    );
    assert_eq!(f.lib.trash_inside().unwrap().len(), 5);
    // Told where, it comes back there, on its own.
    let keep = f.lib.create_collection(None, "Keep").unwrap();
    f.lib
        .restore(
            b,
            &RestoreOptions {
                to: Some(Some(keep)),
                ..Default::default()
            },
        )
        .unwrap();
    let back = f.asset_named("b.txt");
    assert_eq!(back.location, "Keep");
    assert_eq!(std::fs::read(&back.path).unwrap(), b"bb");
    let entry = f.entry(trips);
    assert_eq!((entry.item_count, entry.size), (2, 4));
    assert_eq!(f.lib.trash_inside().unwrap().len(), 4);
    f.assert_integrity();
    // Restoring the collection later brings back the rest, not b.txt a second time.
    f.lib.restore(trips, &RestoreOptions::default()).unwrap();
    let mut names = f.active_names();
    names.sort();
    assert_eq!(names, ["a.txt", "b.txt", "c.txt"]);
    assert_eq!(f.asset_named("b.txt").location, "Keep");
    assert!(f.lib.trash_entries(TrashSort::Name).unwrap().is_empty());
    f.assert_integrity();
}

#[test]
fn walk02_an_item_inside_a_trashed_collection_can_be_deleted_permanently_on_its_own() {
    let mut f = Fixture::new();
    let trips = trips_in_the_trash(&mut f);
    let inside = f.lib.trash_inside().unwrap();
    let c = inside.iter().find(|e| e.name == "c.txt").unwrap();
    let deep = inside.iter().find(|e| e.name == "deep").unwrap().id;
    let path = c.trash_path.clone().unwrap();
    let report = f.lib.delete_permanently(&[c.id]).unwrap();
    assert_eq!(report.succeeded, vec![c.id]);
    assert!(!path.exists());
    assert_eq!(f.entry(trips).item_count, 2);
    // A sub-collection goes only with the collection it was trashed with.
    let report = f.lib.delete_permanently(&[deep]).unwrap();
    assert!(report.succeeded.is_empty());
    assert_eq!(report.failed.len(), 1);
    f.assert_integrity();
}

/// New-user finding 10: `import --in-place p.jpg` (a single file) did not take its
/// `p.xmp` sidecar, while importing the folder did. The sidecar rule is the same for both:
/// it travels with its photo to the Trash and back.
#[test]
fn newuser10_a_file_imported_alone_takes_its_sidecar() {
    let mut f = Fixture::new();
    let photo = f.file("shoot/p.jpg", b"the photo");
    let xmp = f.file("shoot/p.xmp", b"<x:xmpmeta/>");
    let other = f.file("shoot/q.JPG.XMP", b"<x:xmpmeta/>");
    let q = f.file("shoot/q.JPG", b"another photo");
    let id = f.import_in_place(&photo);
    let qid = f.import_in_place(&q);
    assert_eq!(
        f.lib.assets(Default::default()).unwrap().len(),
        2,
        "sidecars are no assets"
    );
    f.lib.trash(&[id, qid]).unwrap();
    for gone in [&photo, &xmp, &q, &other] {
        assert!(!gone.exists(), "{} went to the Trash", gone.display());
    }
    f.lib.restore_many(&[id, qid]).unwrap();
    for back in [&photo, &xmp, &q, &other] {
        assert!(back.exists(), "{} came back", back.display());
    }
}

/// New-user finding 12: a 255-byte name could not be imported by copy ("File name too
/// long": the stored name adds a prefix) and, in place, could not be trashed. Stored names
/// are shortened as needed; the item's name is unchanged everywhere and on restore.
#[test]
fn newuser12_a_name_of_255_bytes_is_imported_trashed_and_restored_whole() {
    let mut f = Fixture::new();
    let name = format!("{}.jpg", "a".repeat(251));
    assert_eq!(name.len(), 255);
    let by_copy = f.file(&format!("copy/{name}"), b"copied photo");
    let ids = f.import(&[by_copy], None);
    let other = format!("{}.jpg", "b".repeat(251));
    let in_place = f.file(&format!("place/{other}"), b"photo kept in place");
    let kept = f.import_in_place(&in_place);
    let all = [ids[0], kept];
    let names = |f: &Fixture| -> Vec<String> {
        f.lib
            .assets(Default::default())
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect()
    };
    let mut both = names(&f);
    both.sort();
    assert_eq!(both, [name.clone(), other.clone()]);
    let report = f.lib.trash(&all).unwrap();
    assert_eq!(report.succeeded.len(), 2, "{report:?}");
    assert!(!in_place.exists());
    let mut trashed: Vec<String> = f
        .lib
        .trash_entries(Default::default())
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    trashed.sort();
    assert_eq!(
        trashed,
        [name.clone(), other.clone()],
        "the Trash shows whole names"
    );
    f.lib.restore_many(&all).unwrap();
    assert_eq!(std::fs::read(&in_place).unwrap(), b"photo kept in place");
    let mut both = names(&f);
    both.sort();
    assert_eq!(both, [name, other]);
}

/// New-user finding 11: after `foo.jpg` was trashed (in place) and a new `foo.jpg` written at
/// that path, importing it said "already in the library as a1" (a1 is other content, in the
/// Trash) and imported nothing. It is imported; both can be trashed and restored, the second
/// restore meeting a name conflict (rule 7).
#[test]
fn newuser11_a_new_file_at_a_trashed_items_path_is_imported() {
    let mut f = Fixture::new();
    let path = f.file("shoot/foo.jpg", b"the first foo");
    let first = f.import_in_place(&path);
    f.lib.trash(&[first]).unwrap();
    std::fs::write(&path, b"a second foo, new content").unwrap();
    let second = f.import_in_place(&path);
    assert_ne!(first, second);
    f.lib.trash(&[second]).unwrap();
    assert_eq!(f.lib.trash_count().unwrap(), 2);
    f.lib.restore(second, &RestoreOptions::default()).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"a second foo, new content");
    let err = f
        .lib
        .restore(first, &RestoreOptions::default())
        .unwrap_err();
    let LibraryError::NameConflict { suggestion, .. } = err else {
        panic!("expected a conflict: {err}")
    };
    assert_eq!(suggestion, "foo (2).jpg");
    let opts = RestoreOptions {
        rename: Some(suggestion),
        ..Default::default()
    };
    f.lib.restore(first, &opts).unwrap();
    assert_eq!(
        std::fs::read(path.with_file_name("foo (2).jpg")).unwrap(),
        b"the first foo"
    );
}

/// New-user finding 9: re-importing a folder duplicated collections: `Acme`, imported in
/// place as part of `Clients`, became a second top-level `Acme` when imported again alone;
/// a folder imported into its own collection left an empty `Broken/Broken`. What is new joins
/// the collection the folder already has, and nothing empty is made.
#[test]
fn newuser09_importing_a_folder_again_adds_to_its_collection_and_makes_nothing_empty() {
    let mut f = Fixture::new();
    f.file("Clients/Acme/logo.png", b"logo");
    f.file("Clients/Acme/brief.pdf", b"brief");
    let clients = f.src().join("Clients");
    let in_place = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    f.lib.import(&[clients], &in_place, &mut |_| {}).unwrap();
    let paths = |f: &Fixture| -> Vec<String> {
        let mut p: Vec<String> = f
            .lib
            .collections()
            .unwrap()
            .into_iter()
            .map(|c| c.path)
            .collect();
        p.sort();
        p
    };
    assert_eq!(paths(&f), ["Clients", "Clients/Acme"]);
    // A new file, and the folder imported again on its own.
    f.file("Clients/Acme/invoice.png", b"invoice");
    let acme = f.src().join("Clients/Acme");
    let report = f
        .lib
        .import(std::slice::from_ref(&acme), &in_place, &mut |_| {})
        .unwrap();
    assert_eq!(report.imported.len(), 1, "{report:?}");
    assert!(report.collections_created.is_empty(), "{report:?}");
    assert_eq!(paths(&f), ["Clients", "Clients/Acme"], "no second Acme");
    let new = f
        .lib
        .assets(Default::default())
        .unwrap()
        .into_iter()
        .find(|a| a.name == "invoice.png")
        .unwrap();
    assert_eq!(new.location, "Clients/Acme");
    // By copy, a folder imported into the collection it already has: nothing new, and no
    // empty collection inside it.
    f.file("Broken/a.png", b"a");
    let broken = f.src().join("Broken");
    f.lib
        .import(
            std::slice::from_ref(&broken),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    let into = f
        .lib
        .collections()
        .unwrap()
        .into_iter()
        .find(|c| c.path == "Broken")
        .unwrap();
    let opts = ImportOptions {
        into: into.id.collection(),
        ..Default::default()
    };
    f.lib.import(&[broken], &opts, &mut |_| {}).unwrap();
    assert!(
        !paths(&f).contains(&"Broken/Broken".to_string()),
        "{:?}",
        paths(&f)
    );
}

/// New-user finding 20: a long import can be stopped. It stops at the next file: what was
/// imported by then is whole (each copy in `media/` and recorded, no half copy), the rest is
/// left alone, the report says it stopped, and importing the folder again adds the rest to
/// the same collection.
#[test]
fn newuser20_a_stopped_import_keeps_what_it_imported_whole_and_adds_the_rest_later() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut f = Fixture::new();
    for i in 0..30 {
        f.png(&format!("Shoot/sub/p{i:02}.png"), 8 + i, 6);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let opts = ImportOptions {
        stop: Some(stop.clone()),
        ..Default::default()
    };
    let folder = f.src().join("Shoot");
    let report = f
        .lib
        .import(std::slice::from_ref(&folder), &opts, &mut |p| {
            if p.done == 10 {
                stop.store(true, Ordering::Relaxed);
            }
        })
        .expect("import");
    assert!(report.stopped);
    assert_eq!(report.imported.len(), 10, "{report:?}");
    assert!(report.failed.is_empty());
    assert_eq!(files_under(&f.root().join("media")).len(), 10);
    f.assert_integrity();
    let again = f
        .lib
        .import(&[folder], &ImportOptions::default(), &mut |_| {})
        .expect("import again");
    assert!(!again.stopped);
    assert_eq!(
        (again.imported.len(), again.already_imported.len()),
        (20, 10)
    );
    let paths: Vec<String> = f
        .lib
        .collections()
        .unwrap()
        .into_iter()
        .map(|c| c.path)
        .collect();
    assert_eq!(paths, vec!["Shoot", "Shoot/sub"]);
    assert_eq!(f.active_names().len(), 30);
    f.assert_integrity();
}

/// An import runs on from one folder's files to the next's in the same chunks. Stopped
/// partway, each folder it came to keeps its files in its own collection (a name in one
/// does not take it in another) and is followed; a folder it never reached gets no
/// collection and is not followed; importing them all again adds the rest.
#[test]
fn a_stopped_import_of_many_folders_keeps_each_folder_reached_and_leaves_the_rest_alone() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut f = Fixture::new();
    let folders: Vec<std::path::PathBuf> = ["A", "B", "C"]
        .iter()
        .map(|folder| {
            for i in 0..6 {
                f.file(
                    &format!("{folder}/IMG_{i}.jpg"),
                    format!("{folder} photo {i}").as_bytes(),
                );
            }
            f.src().join(folder)
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let opts = ImportOptions {
        in_place: true,
        stop: Some(stop.clone()),
        ..Default::default()
    };
    let report = f
        .lib
        .import(&folders, &opts, &mut |p| {
            if p.done == 9 {
                stop.store(true, Ordering::Relaxed);
            }
        })
        .expect("import");
    assert!(report.stopped);
    assert_eq!(report.imported.len(), 9, "{report:?}");
    let collections = |f: &Fixture| -> Vec<String> {
        f.lib
            .collections()
            .unwrap()
            .into_iter()
            .map(|c| c.path)
            .collect()
    };
    assert_eq!(collections(&f), ["A", "B"]);
    assert_eq!(report.collections_created.len(), 2);
    assert_eq!(f.asset_named("IMG_5.jpg").location, "A");
    let mut names = f.active_names();
    names.sort();
    assert_eq!(
        names,
        [
            "IMG_0.jpg",
            "IMG_0.jpg",
            "IMG_1.jpg",
            "IMG_1.jpg",
            "IMG_2.jpg",
            "IMG_2.jpg",
            "IMG_3.jpg",
            "IMG_4.jpg",
            "IMG_5.jpg"
        ]
    );
    f.assert_integrity();
    // A and B are followed (what B holds beyond the stop joins), C is not.
    f.file("A/new.jpg", b"new in A");
    f.file("C/new.jpg", b"new in C");
    let mut joined = f.lib.follow_folders().unwrap().joined;
    joined.sort();
    assert_eq!(joined, ["IMG_3.jpg", "IMG_4.jpg", "IMG_5.jpg", "new.jpg"]);
    assert_eq!(f.asset_named("new.jpg").location, "A");
    let again = f
        .lib
        .import(
            &folders,
            &ImportOptions {
                in_place: true,
                ..Default::default()
            },
            &mut |_| {},
        )
        .expect("import again");
    assert!(!again.stopped);
    assert_eq!(again.imported.len(), 7, "{again:?}");
    assert_eq!(collections(&f), ["A", "B", "C"]);
    assert_eq!(f.active_names().len(), 20);
    f.assert_integrity();
}

/// New-user finding 5: a sub-collection of a trashed collection could not be restored on
/// its own. It goes back with what it holds, where the user says (its place is in the
/// Trash); its collection's entry keeps the rest, and restoring that later does not bring
/// the sub-collection twice.
#[test]
fn newuser05_a_sub_collection_in_the_trash_is_restored_on_its_own_with_what_it_holds() {
    let mut f = Fixture::new();
    let trips = trips_in_the_trash(&mut f);
    let inside = f.lib.trash_inside().unwrap();
    let y2024 = inside.iter().find(|e| e.name == "2024").unwrap().id;
    // Its place is in the Trash: asked where (rule 8).
    let err = f
        .lib
        .restore(y2024, &RestoreOptions::default())
        .unwrap_err();
    assert!(
        matches!(err, LibraryError::LostLocation { folder: false, .. }),
        "{err}"
    );
    let keep = f.lib.create_collection(None, "Keep").unwrap();
    let into_keep = RestoreOptions {
        to: Some(Some(keep)),
        ..Default::default()
    };
    f.lib.restore(y2024, &into_keep).unwrap();
    let paths: Vec<String> = f
        .lib
        .collections()
        .unwrap()
        .into_iter()
        .map(|c| c.path)
        .collect();
    assert_eq!(paths, ["Keep", "Keep/2024", "Keep/2024/deep"]);
    for (name, at, bytes) in [
        ("b.txt", "Keep/2024", &b"bb"[..]),
        ("c.txt", "Keep/2024/deep", b"ccc"),
    ] {
        let back = f.asset_named(name);
        assert_eq!(back.location, at);
        assert_eq!(std::fs::read(&back.path).unwrap(), bytes);
    }
    let entry = f.entry(trips);
    assert_eq!((entry.item_count, entry.size), (1, 1), "Trips keeps a.txt");
    assert_eq!(f.lib.trash_inside().unwrap().len(), 1);
    f.assert_integrity();
    f.lib.restore(trips, &RestoreOptions::default()).unwrap();
    let paths: Vec<String> = f
        .lib
        .collections()
        .unwrap()
        .into_iter()
        .map(|c| c.path)
        .collect();
    assert_eq!(paths, ["Keep", "Keep/2024", "Keep/2024/deep", "Trips"]);
    let mut names = f.active_names();
    names.sort();
    assert_eq!(names, ["a.txt", "b.txt", "c.txt"]);
    assert!(f.lib.trash_entries(TrashSort::Name).unwrap().is_empty());
    f.assert_integrity();
}

/// New-user finding 7: a photo edited or replaced outside Shoebox was a dead end (old
/// picture and size, Delete refused). A file check that finds new content at an item's path
/// gives the item the new version: same id and collection, new size, dimensions and hash,
/// the old version's thumbnail gone; it then goes to the Trash and back like any other.
#[test]
fn newuser07_a_photo_edited_outside_takes_its_new_version() {
    let mut f = Fixture::new();
    let shots = f.lib.create_collection(None, "Shots").unwrap();
    let photo = f.png("shoot/p.png", 40, 30);
    let report = f
        .lib
        .import(
            std::slice::from_ref(&photo),
            &ImportOptions {
                in_place: true,
                into: Some(shots),
                ..Default::default()
            },
            &mut |_| {},
        )
        .unwrap();
    let id = report.imported[0].id;
    let before = f.asset_named("p.png");
    assert!(f.lib.check_files().unwrap().changed.is_empty());
    // A thumbnail of the first version, as the window would have made.
    let thumbs = f.root().join("thumbs");
    std::fs::create_dir_all(&thumbs).unwrap();
    let old_thumb = thumbs.join(format!("{}-256-v2.png", before.hash));
    std::fs::write(&old_thumb, b"a picture of the first version").unwrap();
    // Edited elsewhere: larger now.
    image::RgbImage::from_pixel(80, 60, image::Rgb([200, 10, 10]))
        .save(&photo)
        .unwrap();
    let check = f.lib.check_files().unwrap();
    assert_eq!(check.changed, vec!["p.png".to_string()]);
    let after = f.asset_named("p.png");
    assert_eq!(
        (after.id, after.collection_id, after.in_place),
        (id, Some(shots), true)
    );
    assert_eq!((after.width, after.height), (Some(80), Some(60)));
    assert_eq!(after.size, std::fs::metadata(&photo).unwrap().len());
    assert_ne!(after.hash, before.hash);
    assert!(!old_thumb.exists(), "the first version's picture is gone");
    assert!(f.lib.check_files().unwrap().changed.is_empty(), "once");
    f.assert_integrity();
    // Now it goes to the Trash and back like any other.
    let report = f.lib.trash(&[id]).unwrap();
    assert_eq!(report.succeeded, vec![id], "{report:?}");
    f.lib.restore(id, &RestoreOptions::default()).unwrap();
    assert_eq!(
        shoebox_hash(&photo).as_deref(),
        Some(after.hash.as_str()),
        "the new version came back"
    );
    f.assert_integrity();
}

/// New-user finding 7: an edit that keeps the file's size is noticed by its new time; and
/// a file replaced just before Delete (no check in between), with its sidecar rewritten by
/// another program, goes to the Trash as it is now instead of failing.
#[test]
fn newuser07_a_same_size_edit_and_a_replace_just_before_delete_are_taken() {
    let mut f = Fixture::new();
    let photo = f.file("shoot/p.jpg", b"version one!");
    let xmp = f.file("shoot/p.xmp", b"<x:xmpmeta rating=1/>");
    let id = f.import_in_place(&photo);
    f.lib.check_files().unwrap();
    std::fs::write(&photo, b"version two!").unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&photo)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_eq!(
        f.lib.check_files().unwrap().changed,
        vec!["p.jpg".to_string()]
    );
    assert_eq!(
        Some(f.asset_named("p.jpg").hash),
        shoebox_hash(&photo),
        "same size, new content"
    );
    // Replaced (a new, longer file) and its sidecar rewritten, then Delete at once.
    std::fs::remove_file(&photo).unwrap();
    std::fs::write(&photo, b"version three, longer").unwrap();
    std::fs::write(&xmp, b"<x:xmpmeta rating=5 label=red/>").unwrap();
    let report = f.lib.trash(&[id]).unwrap();
    assert_eq!(report.succeeded, vec![id], "{report:?}");
    assert!(!photo.exists() && !xmp.exists());
    f.lib.restore(id, &RestoreOptions::default()).unwrap();
    assert_eq!(std::fs::read(&photo).unwrap(), b"version three, longer");
    assert_eq!(
        std::fs::read(&xmp).unwrap(),
        b"<x:xmpmeta rating=5 label=red/>"
    );
    f.assert_integrity();
}

/// New-user finding 8: new files in a folder imported in place were never picked up, and
/// a file renamed there only showed "missing". Following the folder, a new file joins its
/// collection (sidecar with it), a new folder becomes a sub-collection, a renamed file
/// keeps its item (same id, the new name), and nothing is picked up with the setting off.
#[test]
fn newuser08_a_folder_imported_in_place_is_followed() {
    let mut f = Fixture::new();
    let shoot = f.src().join("Shoot");
    let first = f.file("Shoot/IMG_1.jpg", b"first photo");
    f.file("Shoot/IMG_2.jpg", b"second photo");
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    f.lib
        .import(std::slice::from_ref(&shoot), &opts, &mut |_| {})
        .unwrap();
    let one = f.asset_named("IMG_1.jpg").id;
    assert!(
        f.lib.follow_folders().unwrap() == Default::default(),
        "nothing new"
    );
    // New: a photo with its sidecar, a folder of one photo, junk that comes and goes.
    f.file("Shoot/IMG_3.jpg", b"third photo");
    f.file("Shoot/IMG_3.xmp", b"<x:xmpmeta/>");
    f.file("Shoot/Picks/IMG_9.jpg", b"a pick");
    f.file("Shoot/.DS_Store", b"finder");
    f.file("Shoot/big.mov.part", b"half a download");
    // Renamed outside Shoebox.
    std::fs::rename(&first, shoot.join("IMG_1-final.jpg")).unwrap();
    f.lib.check_files().unwrap();
    let followed = f.lib.follow_folders().unwrap();
    assert_eq!(
        followed.renamed,
        vec![("IMG_1.jpg".to_string(), "IMG_1-final.jpg".to_string())]
    );
    let mut joined = followed.joined.clone();
    joined.sort();
    assert_eq!(joined, ["IMG_3.jpg", "IMG_9.jpg"]);
    let renamed = f.asset_named("IMG_1-final.jpg");
    assert_eq!((renamed.id, renamed.missing), (one, false));
    assert_eq!(renamed.location, "Shoot");
    let third = f.asset_named("IMG_3.jpg");
    assert_eq!((third.location.as_str(), third.in_place), ("Shoot", true));
    assert_eq!(third.companions.len(), 1, "its sidecar travels with it");
    assert_eq!(f.asset_named("IMG_9.jpg").location, "Shoot/Picks");
    assert_eq!(f.active_names().len(), 4);
    assert!(
        f.lib.follow_folders().unwrap() == Default::default(),
        "once"
    );
    f.assert_integrity();
    // The renamed item goes to the Trash and back as any other.
    f.lib.trash(&[one]).unwrap();
    f.lib.restore(one, &RestoreOptions::default()).unwrap();
    assert!(shoot.join("IMG_1-final.jpg").exists());
    // Setting off: new files are left alone (renames are still followed).
    f.lib.set_join_new_files(false).unwrap();
    f.file("Shoot/IMG_4.jpg", b"fourth photo");
    assert!(f.lib.follow_folders().unwrap().joined.is_empty());
    assert_eq!(f.active_names().len(), 4);
    f.lib.set_join_new_files(true).unwrap();
    assert_eq!(f.lib.follow_folders().unwrap().joined, ["IMG_4.jpg"]);
    f.assert_integrity();
}

/// A sidecar named as darktable names it (`IMG_2.jpg.xmp`), written after the import into
/// a followed folder, belongs to its photo: it never becomes an item of its own.
#[test]
fn followed_folder_takes_a_darktable_sidecar_for_a_sidecar_not_an_item() {
    let mut f = Fixture::new();
    let shoot = f.src().join("Shoot");
    f.file("Shoot/IMG_2.jpg", b"second photo");
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    f.lib
        .import(std::slice::from_ref(&shoot), &opts, &mut |_| {})
        .unwrap();
    f.file("Shoot/IMG_2.jpg.xmp", b"<x:xmpmeta/>");
    f.file("Shoot/IMG_2.xmp", b"<x:xmpmeta/>");
    f.file("Shoot/lonely.xmp", b"<x:xmpmeta/>");
    let mut joined = f.lib.follow_folders().unwrap().joined;
    joined.sort();
    assert_eq!(
        joined,
        ["lonely.xmp"],
        "only a sidecar of no photo is an item"
    );
}

/// A file check goes a page at a time (the Gallery's reads go between pages): page by page,
/// from the first asset to the last, it sees every active asset once and finds the same as
/// a check in one go; an asset trashed between two pages is not looked at, one imported
/// meanwhile is looked at when its page comes.
#[test]
fn a_file_check_page_by_page_sees_each_active_asset_once() {
    let mut f = Fixture::new();
    let ids: Vec<_> = (0..7)
        .map(|i| {
            let p = f.file(&format!("p{i}.png"), format!("picture {i}").as_bytes());
            f.import_in_place(&p)
        })
        .collect();
    std::fs::remove_file(f.src().join("p1.png")).unwrap();
    std::fs::remove_file(f.src().join("p5.png")).unwrap();
    let whole = f.lib.check_files().unwrap();
    assert_eq!((whole.checked, whole.missing), (7, 2));

    let (first, after) = f.lib.check_files_page(None, 3).unwrap();
    assert_eq!((first.checked, first.missing), (3, 1));
    assert_eq!(after, ids[2].asset());
    // Between pages: one trashed, one imported.
    let trashed = f.lib.trash(&[ids[3]]).unwrap();
    assert_eq!(trashed.succeeded, vec![ids[3]]);
    let late = f.file("late.png", b"picture late");
    let late = f.import_in_place(&late);
    let mut sum = first;
    let mut after = after;
    let mut pages = 1;
    while let Some(at) = after {
        let (page, next) = f.lib.check_files_page(Some(at), 3).unwrap();
        assert!(page.checked <= 3);
        sum.add(page);
        after = next;
        pages += 1;
    }
    assert_eq!(pages, 3, "3 + 3 + 1 assets");
    assert_eq!((sum.checked, sum.missing), (7, 2), "{sum:?}");
    // Past the last asset there is nothing to look at.
    let (none, next) = f.lib.check_files_page(late.asset(), 3).unwrap();
    assert_eq!((none.checked, next), (0, None));
}

/// What other tools gave a picture comes with it at import (SPEC §5, interoperability):
/// Lightroom's `IMG_1.xmp` (rating, label, hierarchical keywords), darktable's
/// `IMG_2.CR2.xmp` (a reject, its colour labels), digiKam's tags; a broken sidecar is named
/// in a warning and its picture imported without it. Copies and in-place imports alike.
#[test]
fn xmp_sidecars_give_their_rating_flag_label_and_keywords_at_import() {
    for in_place in [true, false] {
        let mut f = Fixture::new();
        let rdf = |body: &str| {
            format!(
                r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{body}</rdf:RDF></x:xmpmeta>"#
            )
        };
        f.file("shoot/IMG_1.jpg", b"one");
        f.file(
            "shoot/IMG_1.xmp",
            rdf(r#"<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmp:Rating="5" xmp:Label="Yellow"><lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|Portugal|Porto</rdf:li></rdf:Bag></lr:hierarchicalSubject></rdf:Description>"#).as_bytes(),
        );
        f.file("shoot/IMG_2.CR2", b"two");
        f.file(
            "shoot/IMG_2.CR2.xmp",
            rdf(r#"<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:darktable="http://darktable.sf.net/" xmlns:digiKam="http://www.digikam.org/ns/1.0/" xmp:Rating="-1"><darktable:colorlabels><rdf:Seq><rdf:li>3</rdf:li></rdf:Seq></darktable:colorlabels><digiKam:TagsList><rdf:Seq><rdf:li>People/Ana</rdf:li></rdf:Seq></digiKam:TagsList></rdf:Description>"#).as_bytes(),
        );
        f.file("shoot/IMG_3.jpg", b"three");
        f.file("shoot/IMG_3.xmp", b"<x:xmpmeta><rdf:RDF");
        let opts = ImportOptions {
            in_place,
            ..Default::default()
        };
        let report = f
            .lib
            .import(&[f.src().join("shoot")], &opts, &mut |_| {})
            .unwrap();
        assert_eq!(report.imported.len(), 3, "{report:?}");
        // (The made-up pictures warn that they are not readable images.)
        let sidecars: Vec<_> = report
            .warnings
            .iter()
            .filter(|w| w.message.contains("sidecar"))
            .collect();
        assert_eq!(sidecars.len(), 1, "{report:?}");
        assert!(sidecars[0].path.ends_with("IMG_3.jpg"));
        assert!(
            sidecars[0]
                .message
                .contains("its sidecar IMG_3.xmp was skipped"),
            "{report:?}"
        );
        let culling = |name: &str| f.asset_named(name).culling;
        let one = culling("IMG_1.jpg");
        assert_eq!(one.rating.stars(), 5);
        assert_eq!(one.flag, Flag::None);
        assert_eq!(one.label, Some(Label::Yellow));
        assert_eq!(one.keywords, ["Places|Portugal|Porto"]);
        let two = culling("IMG_2.CR2");
        assert_eq!((two.rating.stars(), two.flag), (0, Flag::Reject));
        assert_eq!(two.label, Some(Label::Blue));
        assert_eq!(two.keywords, ["People|Ana"]);
        assert_eq!(culling("IMG_3.jpg"), Default::default());
        f.assert_integrity();
    }
}

/// The keyword tree: renaming or moving a keyword takes those below it along and every item
/// follows; into a keyword that exists, the two become one; a keyword cannot go below
/// itself; deleting one takes it (and those below) from every item, the items staying. An
/// undo of a change gives each item back what it carried.
#[test]
fn keywords_are_renamed_moved_merged_and_deleted_with_their_items_following() {
    use shoebox::library::Cull;
    use shoebox::store::culling::Keyword;
    let mut f = Fixture::new();
    let a = f.import_one("a.txt", b"a");
    let b = f.import_one("b.txt", b"b");
    let k = |p: &str| Keyword::parse(p).unwrap();
    let tag = |f: &mut Fixture, ids: &[ItemId], p: &str| {
        f.lib.cull(ids, &Cull::Tag(k(p))).unwrap();
    };
    tag(&mut f, &[a], "Places|Porto|Ribeira");
    tag(&mut f, &[b], "Places|Porto");
    tag(&mut f, &[b], "Portugal|Lisbon");
    let keywords = |f: &Fixture, id| f.lib.culling_of(id).unwrap().keywords;
    f.lib
        .rename_keyword(&k("places|porto"), &k("Portugal|Porto"))
        .unwrap();
    assert_eq!(keywords(&f, a), ["Portugal|Porto|Ribeira"]);
    assert_eq!(keywords(&f, b), ["Portugal|Lisbon", "Portugal|Porto"]);
    // Into one that exists: one keyword, carried by both.
    f.lib
        .rename_keyword(&k("Portugal|Porto|Ribeira"), &k("portugal|lisbon"))
        .unwrap();
    assert_eq!(keywords(&f, a), ["Portugal|Lisbon"]);
    let counts = f.lib.keyword_counts().unwrap();
    assert!(
        counts.contains(&("Portugal|Lisbon".to_string(), 2)),
        "{counts:?}"
    );
    assert!(
        !counts.iter().any(|(p, _)| p.contains("Ribeira")),
        "{counts:?}"
    );
    // Another case is the same keyword, written otherwise.
    f.lib
        .rename_keyword(&k("portugal"), &k("PORTUGAL"))
        .unwrap();
    assert_eq!(keywords(&f, a), ["PORTUGAL|Lisbon"]);
    let err = f
        .lib
        .rename_keyword(&k("PORTUGAL"), &k("portugal|x"))
        .unwrap_err();
    assert!(err.to_string().contains("below itself"), "{err}");
    assert!(f.lib.rename_keyword(&k("Nowhere"), &k("Else")).is_err());
    // Undo of a tag takes it off those that did not have it; of an untag gives it back.
    let done = f.lib.cull(&[a, b], &Cull::Tag(k("film"))).unwrap();
    f.lib.cull_all(&done.undo).unwrap();
    assert_eq!(keywords(&f, a), ["PORTUGAL|Lisbon"]);
    let done = f
        .lib
        .cull(&[a, b], &Cull::Untag(k("portugal|lisbon")))
        .unwrap();
    assert_eq!(done.changed, 2);
    assert!(keywords(&f, a).is_empty());
    f.lib.cull_all(&done.undo).unwrap();
    assert_eq!(keywords(&f, a), ["PORTUGAL|Lisbon"]);
    // Deleted: gone from both items, which stay.
    assert_eq!(f.lib.delete_keyword(&k("Portugal")).unwrap().0, 3);
    assert!(keywords(&f, a).is_empty() && keywords(&f, b).is_empty());
    assert_eq!(f.active_names().len(), 2);
    f.assert_integrity();
}
