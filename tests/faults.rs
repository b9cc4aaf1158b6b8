//! Failpoints: every step of the import, move-to-Trash, restore, purge and XMP-writing
//! protocols is crashed in turn (the library is dropped mid-operation, as a crash would
//! leave it), the library reopened, and the invariants checked: nothing lost, no orphan,
//! nothing stuck.

use std::path::PathBuf;

use shoebox::failpoint;
use shoebox::library::{Cull, ItemId, Rating, RestoreOptions};

use crate::common::{Fixture, check_invariants, shoebox_hash};

struct Scene {
    f: Fixture,
    copies: Vec<ItemId>,
    in_place: ItemId,
    trashed: ItemId,
    /// An item inside a trashed collection's entry ("Album").
    inside: ItemId,
    /// A sub-collection of that entry ("Album/Sub", holding `in_sub`).
    sub: ItemId,
    in_sub: ItemId,
    new_files: Vec<PathBuf>,
    /// Contents that must survive any crash (everything but what the user deletes).
    keep: Vec<String>,
}

fn scene() -> Scene {
    let mut f = Fixture::new();
    let mut keep = Vec::new();
    let paths: Vec<PathBuf> = ["a.jpg", "b.jpg", "c.jpg"]
        .iter()
        .map(|n| f.file(n, format!("content of {n}").as_bytes()))
        .collect();
    let copies = f.import(&paths, None);
    for p in &paths[..2] {
        keep.push(shoebox_hash(p).unwrap());
    }
    let outside = f.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let in_place_path = outside.join("kept-here.jpg");
    std::fs::write(&in_place_path, b"indexed in place").unwrap();
    keep.push(shoebox_hash(&in_place_path).unwrap());
    let in_place = f.import_in_place(&in_place_path);
    let trashed = copies[2];
    f.lib.trash(&[trashed]).unwrap();
    let album = f.lib.create_collection(None, "Album").unwrap();
    let in_album = f.file("album/d.jpg", b"content of d.jpg");
    keep.push(shoebox_hash(&in_album).unwrap());
    let inside = f.import(&[in_album], Some(album))[0];
    let sub = f.lib.create_collection(Some(album), "Sub").unwrap();
    let in_sub_file = f.file("album/sub/e.jpg", b"content of e.jpg");
    keep.push(shoebox_hash(&in_sub_file).unwrap());
    let in_sub = f.import(&[in_sub_file], Some(sub))[0];
    f.lib.trash(&[ItemId::Collection(album)]).unwrap();
    let new_files: Vec<PathBuf> = (0..3)
        .map(|i| f.file(&format!("new/n{i}.jpg"), format!("new {i}").as_bytes()))
        .collect();
    for p in &new_files {
        keep.push(shoebox_hash(p).unwrap());
    }
    Scene {
        f,
        copies,
        in_place,
        trashed,
        inside,
        sub: ItemId::Collection(sub),
        in_sub,
        new_files,
        keep,
    }
}

/// Runs the operation that reaches `point`.
fn run_to(point: &str, s: &mut Scene, variant: usize) {
    let f = &mut s.f;
    match point.split('.').next().unwrap_or_default() {
        "import" => {
            let _ = f.lib.import(&s.new_files, &Default::default(), &mut |_| {});
        }
        "trash" => {
            let _ = f.lib.trash(&[s.copies[0], s.in_place]);
        }
        "restore" if variant == 0 => {
            let _ = f.lib.restore(s.trashed, &RestoreOptions::default());
        }
        "restore" => {
            // On its own, out of its collection's entry, to the top (rule 8's answer): an
            // item, or a sub-collection with what it holds.
            let to_top = RestoreOptions {
                to: Some(None),
                ..Default::default()
            };
            let _ = f
                .lib
                .restore(if variant == 1 { s.inside } else { s.sub }, &to_top);
        }
        "purge" => {
            f.clock.advance_days(31);
            match variant {
                0 => {
                    let _ = f.lib.sweep();
                }
                1 => {
                    let _ = f.lib.delete_permanently(&[s.trashed]);
                }
                _ => {
                    let _ = f.lib.empty_trash();
                }
            }
        }
        "xmp" => {
            // A new sidecar beside the file kept in place.
            f.lib.set_write_xmp(true).unwrap();
            let rate = Cull::Rate(Rating::new(4).unwrap());
            let _ = f.lib.cull(&[s.in_place, s.copies[1]], &rate);
        }
        other => panic!("no scenario reaches {other}"),
    }
}

#[test]
fn every_failpoint_crashed_in_turn_loses_nothing_and_leaves_nothing_stuck() {
    let mut crashes = 0;
    for &point in failpoint::ALL {
        let variants = match point.split('.').next() {
            Some("purge") => 3,
            Some("restore") => 3,
            _ => 1,
        };
        for variant in 0..variants {
            let mut s = scene();
            failpoint::arm(point, 0);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_to(point, &mut s, variant);
            }));
            failpoint::disarm();
            assert!(
                outcome.is_err(),
                "{point} (variant {variant}) was never reached"
            );
            crashes += 1;
            s.f.reopen();
            // Reopening finished or removed what the crash left half done.
            let left: Vec<_> = crate::common::files_under(s.f.dir.path())
                .into_iter()
                .filter(|p| p.to_string_lossy().ends_with(".shoebox-tmp"))
                .collect();
            assert!(left.is_empty(), "{point}: hidden files left: {left:?}");
            let src = s.f.src();
            let outside = s.f.dir.path().join("outside");
            if let Err(e) = check_invariants(&s.f.lib, &s.f.root(), &s.keep, &[&src, &outside]) {
                panic!("after a crash at {point} (variant {variant}): {e}");
            }
            // Nothing is stuck: the same operation can be done again, to the end.
            run_to(point, &mut s, variant);
            if let Err(e) = check_invariants(&s.f.lib, &s.f.root(), &s.keep, &[&src, &outside]) {
                panic!("redoing the operation after a crash at {point}: {e}");
            }
            let trashed_left =
                s.f.lib
                    .trash_entries(Default::default())
                    .unwrap()
                    .iter()
                    .any(|e| e.id == s.trashed);
            match point.split('.').next() {
                Some("purge") => assert!(!trashed_left, "{point}: purged in the end"),
                Some("restore") if variant == 0 => {
                    assert!(!trashed_left, "{point}: restored in the end");
                }
                Some("restore") => {
                    let back = s.f.lib.assets(Default::default()).unwrap();
                    let (it, at) = if variant == 1 {
                        (s.inside, "")
                    } else {
                        (s.in_sub, "Sub")
                    };
                    let it = back.iter().find(|a| a.id == it);
                    assert_eq!(
                        it.map(|a| a.location.as_str()),
                        Some(at),
                        "{point} (variant {variant}): restored to the top in the end"
                    );
                }
                Some("xmp") => {
                    // The library had the rating before the sidecars were written; each
                    // sidecar (beside the file kept in place, and in the library beside a
                    // copy), once written again, has it too, and is its item's.
                    let places = s.f.lib.file_places().unwrap();
                    for id in [s.in_place, s.copies[1]] {
                        let rated = s.f.lib.culling_of(id).unwrap().rating;
                        assert_eq!(rated.stars(), 4, "{point}: the library keeps the rating");
                        let sidecar = places
                            .iter()
                            .find(|p| p.id == id && p.path.extension().is_some_and(|e| e == "xmp"))
                            .unwrap_or_else(|| panic!("{point}: {id} has its sidecar"));
                        let read = shoebox::media::xmp::read_file(&sidecar.path);
                        assert_eq!(read.map(|x| x.rating), Ok(Rating::new(4)), "{point}");
                    }
                    assert!(outside.join("kept-here.xmp").exists());
                    assert_eq!(s.f.lib.check_files().unwrap().changed, Vec::<String>::new());
                }
                _ => {}
            }
        }
    }
    assert!(crashes >= failpoint::ALL.len());
}

/// A large move to the Trash, or back, records its intents a part at a time and moves each
/// part's files while the next part is recorded: a crash after the second part is recorded
/// leaves the first part's files moved and the second's not. Reopening settles each item
/// by where its file is, loses nothing, and the action can be done again to the end.
#[test]
fn a_crash_between_parts_of_a_large_move_settles_each_part_by_its_files() {
    const N: usize = 2_500;
    let mut f = Fixture::new();
    let paths: Vec<PathBuf> = (0..N)
        .map(|i| f.file(&format!("many/f{i:04}.txt"), format!("file {i}").as_bytes()))
        .collect();
    let keep: Vec<String> = paths.iter().filter_map(|p| shoebox_hash(p)).collect();
    let ids = f.import(&paths, None);
    let src = f.src();
    for (point, restore) in [
        ("trash.after_intent", false),
        ("restore.after_intent", true),
    ] {
        failpoint::arm(point, 1);
        let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if restore {
                let _ = f.lib.restore_many_with(&ids, &RestoreOptions::default());
            } else {
                let _ = f.lib.trash(&ids);
            }
        }));
        failpoint::disarm();
        assert!(
            crashed.is_err(),
            "{point}: the second part was never recorded"
        );
        f.reopen();
        check_invariants(&f.lib, &f.root(), &keep, &[&src]).unwrap();
        let in_trash = f.lib.trash_count().unwrap() as usize;
        let active = f.lib.assets(Default::default()).unwrap().len();
        assert_eq!(in_trash + active, N, "{point}: every item is somewhere");
        // The first part went (or came back), the part recorded when it crashed did not.
        let moved = if restore { active } else { in_trash };
        assert!(moved > 0 && moved < N, "{point}: {moved} of {N} moved");
        if restore {
            let _ = f
                .lib
                .restore_many_with(&ids, &RestoreOptions::default())
                .unwrap();
            assert_eq!(
                f.lib.trash_count().unwrap(),
                0,
                "{point}: all back in the end"
            );
        } else {
            let _ = f.lib.trash(&ids).unwrap();
            assert_eq!(
                f.lib.trash_count().unwrap() as usize,
                N,
                "{point}: all in the Trash in the end"
            );
        }
        check_invariants(&f.lib, &f.root(), &keep, &[&src]).unwrap();
    }
}
