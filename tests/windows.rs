//! What only Windows does to files: another program holding a file open, names Windows
//! refuses, long paths, trash areas hidden. Run by `.ci/windows` under Wine; on Linux and
//! macOS this module is empty.
#![cfg(windows)]

use std::os::windows::fs::{MetadataExt, OpenOptionsExt};

use shoebox::library::RestoreOptions;

use crate::common::Fixture;

/// A file another program holds open without sharing deletion (an editor, a viewer) is
/// tried again briefly, then reported with the system's reason; it stays where it was,
/// whole, and its item stays in the Gallery. Closed, it can be trashed.
#[test]
fn a_file_held_open_by_another_program_is_reported_and_never_half_moved() {
    let mut f = Fixture::new();
    let path = f.file("shoot/IMG_1.jpg", b"the photo");
    let id = f.import_in_place(&path);
    let held = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(0)
        .open(&path)
        .expect("hold the file");
    let report = f.lib.trash(&[id]).expect("trash");
    assert!(report.succeeded.is_empty(), "{report:?}");
    assert_eq!(report.failed.len(), 1, "{report:?}");
    drop(held);
    assert_eq!(std::fs::read(&path).expect("still there"), b"the photo");
    assert_eq!(f.lib.trash_count().expect("count"), 0);
    let report = f.lib.trash(&[id]).expect("trash");
    assert_eq!(report.succeeded, vec![id], "{report:?}");
    assert!(!path.exists());
}

/// Names Windows keeps for devices or cannot end a file with are refused with the reason,
/// before anything moves.
#[test]
fn a_name_windows_refuses_is_refused_with_its_reason() {
    let mut f = Fixture::new();
    let path = f.file("shoot/a.txt", b"original");
    let id = f.import_in_place(&path);
    f.lib.trash(&[id]).expect("trash");
    for (name, why) in [
        ("CON.txt", "device"),
        ("a.", "dot"),
        ("a:b.txt", "character"),
    ] {
        let opts = RestoreOptions {
            rename: Some(name.into()),
            ..Default::default()
        };
        let err = f.lib.restore(id, &opts).expect_err(name);
        assert!(err.to_string().contains(why), "{name}: {err}");
    }
    assert_eq!(f.lib.trash_count().expect("count"), 1);
    f.lib
        .restore(id, &RestoreOptions::default())
        .expect("restore");
    assert_eq!(std::fs::read(&path).expect("back"), b"original");
}

/// A file deeper than Windows' old 260-character limit is imported by copy, trashed and
/// restored like any other.
#[test]
fn a_path_longer_than_260_characters_is_handled() {
    let mut f = Fixture::new();
    let deep: String = (0..12)
        .map(|i| format!("folder-number-{i:02}-of-a-deep-tree/"))
        .collect();
    let path = f.file(&format!("{deep}IMG_1.jpg"), b"deep photo");
    assert!(path.as_os_str().len() > 260, "{}", path.display());
    let id = f.import_in_place(&path);
    f.lib.trash(&[id]).expect("trash");
    assert!(!path.exists());
    f.lib
        .restore(id, &RestoreOptions::default())
        .expect("restore");
    assert_eq!(std::fs::read(&path).expect("back"), b"deep photo");
}

/// A trash area Shoebox makes beside the user's files is hidden (Windows shows dot-folders).
#[test]
fn a_trash_area_beside_the_users_files_is_hidden() {
    let dir = tempfile::tempdir().expect("temp");
    let area = dir.path().join(".shoebox-trash-test");
    std::fs::create_dir(&area).expect("mkdir");
    shoebox::platform::hide(&area).expect("hide");
    const HIDDEN: u32 = 0x2;
    let attrs = std::fs::metadata(&area).expect("meta").file_attributes();
    assert_ne!(attrs & HIDDEN, 0, "attributes {attrs:#x}");
}
