//! The real `shoebox` binary on a temporary library: JSON out, files on disk checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const DAY: i64 = 86_400;
const T0: i64 = crate::common::T0;

fn shoebox(lib: &Path, now: i64, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shoebox"))
        .arg("--library")
        .arg(lib)
        .args(args)
        .env("SHOEBOX_NOW", now.to_string())
        .env("USER", "cli-tester")
        .output()
        .expect("run shoebox")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

/// The id of the item named `name` in a list of items (`ls --json`, or the `imported` list
/// of `import --json`).
fn id_named(items: &Value, name: &str) -> String {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {items}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// How many pictures the library at `lib` keeps in `thumbs/`.
fn pictures_kept(lib: &Path) -> usize {
    std::fs::read_dir(lib.join("thumbs")).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".png"))
            .count()
    })
}

/// A library in `dir` holding the folder `Trips` (`b.txt`, and `2024/a.txt`), imported:
/// the library's folder, `src/`, and what the import printed.
fn trips_imported(dir: &Path) -> (PathBuf, PathBuf, Value) {
    let lib = dir.join("lib");
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("Trips/2024")).unwrap();
    std::fs::write(src.join("Trips/2024/a.txt"), b"alpha").unwrap();
    std::fs::write(src.join("Trips/b.txt"), b"bravo").unwrap();
    let imported = json(&shoebox(
        &lib,
        T0,
        &["--json", "import", src.join("Trips").to_str().unwrap()],
    ));
    (lib, src, imported)
}

#[test]
fn cli_import_ls_trash_restore_sweep_and_empty_trash() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, src, imported) = trips_imported(dir.path());
    assert_eq!(imported["imported"].as_array().unwrap().len(), 2);

    let ls = json(&shoebox(&lib, T0, &["--json", "ls"]));
    let items = ls.as_array().unwrap();
    assert_eq!(items.len(), 4, "two collections and two assets: {ls}");
    let a = items.iter().find(|i| i["name"] == "a.txt").unwrap();
    assert_eq!(a["kind"], "asset");
    assert_eq!(a["location"], "Trips/2024");
    assert_eq!(a["size"], 5);
    let a_id = a["id"].as_str().unwrap().to_string();
    let a_path = a["path"].as_str().unwrap().to_string();
    assert!(Path::new(&a_path).exists());

    let trashed = json(&shoebox(&lib, T0, &["--json", "trash", &a_id]));
    assert_eq!(trashed["succeeded"][0], a_id.as_str());
    assert!(!Path::new(&a_path).exists());

    let ls = json(&shoebox(&lib, T0 + 15 * DAY, &["--json", "ls", "--trash"]));
    let entry = &ls[0];
    assert_eq!(entry["id"], a_id.as_str());
    assert_eq!(entry["days_left"], 15);
    // The account's name from the system, not whatever USER says.
    assert_eq!(entry["deleted_by"], shoebox::library::os_user().as_str());
    assert_eq!(entry["original_location"], "Trips/2024");
    assert!(entry["deleted_at"].as_str().unwrap().ends_with('Z'));
    assert!(Path::new(entry["path"].as_str().unwrap()).exists());
    assert_eq!(
        json(&shoebox(&lib, T0, &["--json", "ls"]))
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // A new a.txt takes the name: restore stops with a clear message.
    std::fs::write(src.join("a.txt"), b"another").unwrap();
    let t = T0 + 15 * DAY; // the clock only moves forward from here
    json(&shoebox(
        &lib,
        t,
        &[
            "--json",
            "import",
            "--into",
            "Trips/2024",
            src.join("a.txt").to_str().unwrap(),
        ],
    ));
    let out = shoebox(&lib, t, &["restore", &a_id]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("name conflict") && err.contains("a (2).txt"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line, no backtrace: {err}");
    let out = shoebox(
        &lib,
        t,
        &["--json", "restore", "--rename", "a (2).txt", &a_id],
    );
    assert_eq!(json(&out)["succeeded"][0], a_id.as_str());
    assert_eq!(
        std::fs::read(&a_path).unwrap(),
        b"alpha",
        "the same id and file came back"
    );

    // Trash again, and let it expire.
    json(&shoebox(&lib, t, &["--json", "trash", &a_id]));
    let swept = json(&shoebox(&lib, t + 29 * DAY, &["--json", "sweep"]));
    assert_eq!(
        swept["purged"], 0,
        "29 days after deletion it still has 1 day"
    );
    let swept = json(&shoebox(&lib, t + 30 * DAY, &["--json", "sweep"]));
    assert_eq!(swept["purged"], 1);
    assert_eq!(swept["freed_bytes"], 5);
    let out = shoebox(&lib, t + 30 * DAY, &["sweep"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("purged 0 items, freed 0 B"));

    // Empty Trash needs --yes without a terminal.
    let b = json(&shoebox(&lib, t + 30 * DAY, &["--json", "ls"]));
    let b_id = b
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "b.txt")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    json(&shoebox(&lib, t + 30 * DAY, &["--json", "trash", &b_id]));
    let out = shoebox(&lib, t + 30 * DAY, &["empty-trash"]);
    assert!(!out.status.success());
    assert_eq!(
        json(&shoebox(&lib, t + 30 * DAY, &["--json", "ls", "--trash"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let emptied = json(&shoebox(
        &lib,
        t + 30 * DAY,
        &["--json", "empty-trash", "--yes"],
    ));
    assert_eq!(emptied["succeeded"].as_array().unwrap().len(), 1);
    assert!(crate::common::files_under(&lib.join("trash")).is_empty());
}

#[test]
fn cli_settings_show_and_change() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let s = json(&shoebox(&lib, T0, &["--json", "settings"]));
    assert_eq!(s["retention-days"], 30);
    assert_eq!(s["sweep-interval-minutes"], 60);
    let s = json(&shoebox(
        &lib,
        T0,
        &["--json", "settings", "retention-days", "7"],
    ));
    assert_eq!(s["retention-days"], 7);
    let out = shoebox(&lib, T0, &["settings", "retention-days", "0"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 to 3650"));
}

/// `settings write-xmp true` turns writing XMP sidecars on: `rate` then writes the item's
/// sidecar; a bad value is refused and changes nothing.
#[test]
fn cli_settings_write_xmp_makes_rate_write_the_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let shoot = dir.path().join("shoot");
    std::fs::create_dir_all(&shoot).unwrap();
    std::fs::write(shoot.join("IMG_7.jpg"), b"a picture").unwrap();
    let shoot_arg = shoot.to_str().unwrap();
    json(&shoebox(
        &lib,
        T0,
        &["--json", "import", "--in-place", shoot_arg],
    ));
    assert_eq!(
        json(&shoebox(&lib, T0, &["--json", "settings"]))["write-xmp"],
        false
    );
    let out = shoebox(&lib, T0, &["settings", "write-xmp", "maybe"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("true or false"));
    let id = "a1";
    json(&shoebox(&lib, T0, &["--json", "rate", "2", id]));
    assert!(!shoot.join("IMG_7.xmp").exists(), "off: no sidecar");
    let s = json(&shoebox(
        &lib,
        T0,
        &["--json", "settings", "write-xmp", "true"],
    ));
    assert_eq!(s["write-xmp"], true);
    let done = json(&shoebox(&lib, T0, &["--json", "rate", "5", id]));
    assert_eq!(done["unwritten"], serde_json::json!([]));
    let written = std::fs::read_to_string(shoot.join("IMG_7.xmp")).unwrap();
    assert!(written.contains(">5</xmp:Rating>"), "{written}");
    let out = shoebox(&lib, T0, &["settings", "write-xmp"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "true");
}

#[test]
fn cli_errors_are_one_line_with_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    for args in [
        &["trash", "zz9"][..],
        &["restore", "a77"],
        &["delete", "a1"],
        &["import", "/no/such/file"],
    ] {
        let out = shoebox(&lib, T0, args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{err}"
        );
    }
}

#[test]
fn cli_second_process_on_a_library_is_told_it_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let _held = shoebox::library::Library::open(&lib).unwrap();
    let out = shoebox(&lib, T0, &["ls"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another Shoebox"));
}

#[test]
fn cli_delete_permanent_destroys_active_and_trashed_items_and_logs_them() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), b"a").unwrap();
    std::fs::write(src.join("b.txt"), b"bb").unwrap();
    let imported = json(&shoebox(
        &lib,
        T0,
        &["--json", "import", src.to_str().unwrap()],
    ));
    let ids: Vec<String> = imported["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    json(&shoebox(&lib, T0, &["--json", "trash", &ids[0]]));
    let out = shoebox(&lib, T0, &["delete", &ids[0]]);
    assert!(!out.status.success(), "delete without --permanent refuses");
    let deleted = json(&shoebox(
        &lib,
        T0,
        &["--json", "delete", "--permanent", &ids[0], &ids[1]],
    ));
    assert_eq!(deleted["succeeded"].as_array().unwrap().len(), 2);
    assert_eq!(deleted["freed_bytes"], 3);
    assert!(
        json(&shoebox(&lib, T0, &["--json", "ls"]))
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] != "asset")
    );
    assert!(crate::common::files_under(&lib.join("media")).is_empty());
    assert!(crate::common::files_under(&lib.join("trash")).is_empty());
    assert!(
        src.join("a.txt").exists(),
        "the originals outside the library are untouched"
    );
}

#[test]
fn cli_in_place_import_from_inside_the_library_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    assert!(shoebox(&lib, T0, &["ls"]).status.success()); // makes the library
    std::fs::write(lib.join("media/stray.txt"), b"x").unwrap();
    let out = shoebox(
        &lib,
        T0,
        &[
            "import",
            "--in-place",
            lib.join("media/stray.txt").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the Shoebox library"));
}

#[test]
fn finding12_ls_checks_what_it_lists_and_says_missing_or_offline() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let card = dir.path().join("card");
    std::fs::create_dir_all(&card).unwrap();
    std::fs::write(dir.path().join("copy.jpg"), b"copied").unwrap();
    std::fs::write(card.join("kept.jpg"), b"in place").unwrap();
    json(&shoebox(
        &lib,
        T0,
        &[
            "--json",
            "import",
            dir.path().join("copy.jpg").to_str().unwrap(),
        ],
    ));
    json(&shoebox(
        &lib,
        T0,
        &[
            "--json",
            "import",
            "--in-place",
            card.join("kept.jpg").to_str().unwrap(),
        ],
    ));
    let listed = json(&shoebox(&lib, T0, &["--json", "ls"]));
    let copy_path = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "copy.jpg")
        .unwrap()["path"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(&copy_path).unwrap(); // gone behind Shoebox's back
    std::fs::rename(&card, dir.path().join("card-unplugged")).unwrap(); // drive away
    let listed = json(&shoebox(&lib, T0, &["--json", "ls"]));
    let by_name = |n: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("copy.jpg")["missing"], true);
    assert_eq!(by_name("kept.jpg")["offline"], true);
    assert_eq!(by_name("kept.jpg")["missing"], false);
    let text = shoebox(&lib, T0, &["ls"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("(missing)") && text.contains("(offline)"),
        "{text}"
    );
}

#[test]
fn finding13_deleted_by_is_the_account_name_when_user_and_logname_are_unset() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::write(dir.path().join("a.jpg"), b"a").unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shoebox"))
            .arg("--library")
            .arg(&lib)
            .args(args)
            .env("SHOEBOX_NOW", T0.to_string())
            .env_remove("USER")
            .env_remove("LOGNAME")
            .env_remove("USERNAME")
            .output()
            .unwrap()
    };
    let imported = json(&run(&[
        "--json",
        "import",
        dir.path().join("a.jpg").to_str().unwrap(),
    ]));
    let id = imported["imported"][0]["id"].as_str().unwrap().to_string();
    json(&run(&["--json", "trash", &id]));
    let trash = json(&run(&["--json", "ls", "--trash"]));
    let by = trash[0]["deleted_by"].as_str().unwrap();
    assert_ne!(by, "unknown");
    assert_eq!(by, shoebox::library::os_user());
}

#[test]
fn cli_thumbnails_makes_what_is_missing_for_the_gallery_and_the_trash_and_says_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    image::RgbImage::from_pixel(600, 300, image::Rgb([10, 200, 90]))
        .save(src.join("wide.png"))
        .unwrap();
    std::fs::write(src.join("portrait.jpg"), crate::common::oriented_jpeg(6)).unwrap();
    std::fs::write(src.join("broken.jpg"), b"not a jpeg at all").unwrap();
    std::fs::write(src.join("notes.txt"), b"no picture").unwrap();
    let imported = json(&shoebox(
        &lib,
        T0,
        &["--json", "import", src.to_str().unwrap()],
    ));
    let id_of = |name: &str| id_named(&imported["imported"], name);
    let (wide, portrait, broken) = (
        id_of("wide.png"),
        id_of("portrait.jpg"),
        id_of("broken.jpg"),
    );
    // A trashed photo gets its thumbnail too.
    json(&shoebox(&lib, T0, &["--json", "trash", &portrait]));

    let first = json(&shoebox(&lib, T0, &["--json", "thumbnails"]));
    assert_eq!(first["made"], 2, "{first}");
    assert_eq!(first["already"], 0);
    assert_eq!(first["no_picture"], 1);
    let failed = first["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["id"], broken.as_str());
    assert!(
        failed[0]["reason"]
            .as_str()
            .unwrap()
            .contains("can't read this image")
    );
    let cached = crate::common::files_under(&lib.join("thumbs"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .count();
    assert_eq!(cached, 2);

    // Again: nothing left to make; with --rebuild, everything is made again.
    let again = json(&shoebox(&lib, T0, &["--json", "thumbnails"]));
    assert_eq!(
        (again["made"].clone(), again["already"].clone()),
        (0.into(), 2.into())
    );
    let rebuilt = json(&shoebox(&lib, T0, &["--json", "thumbnails", "--rebuild"]));
    assert_eq!(rebuilt["made"], 2, "{rebuilt}");

    // One thumbnail as a PNG: the trashed portrait, upright.
    let out = dir.path().join("portrait.png");
    let one = json(&shoebox(
        &lib,
        T0,
        &["--json", "thumbnail", &portrait, out.to_str().unwrap()],
    ));
    assert_eq!(
        (one["width"].clone(), one["height"].clone()),
        (32.into(), 64.into())
    );
    let png = image::open(&out).unwrap().into_rgba8();
    crate::common::assert_upright(&png, 6);
    let out = dir.path().join("wide.png");
    json(&shoebox(
        &lib,
        T0,
        &["--json", "thumbnail", &wide, out.to_str().unwrap()],
    ));
    assert_eq!(image::image_dimensions(&out).unwrap(), (256, 128));

    // What has no thumbnail says why, and exits non-zero.
    let notes = id_of("notes.txt");
    let refused = shoebox(&lib, T0, &["thumbnail", &notes, out.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only photos and videos"));
    let refused = shoebox(&lib, T0, &["thumbnail", &broken, out.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("can't read this image"));
}

/// Found measuring a freshly imported library of 1,000 photos: the command queued its
/// pictures where the window queues its on-screen tiles, which keeps only the newest 512,
/// and then waited two minutes for the rest before failing.
#[test]
fn cli_thumbnails_makes_every_one_of_more_pictures_than_the_screen_queue_holds() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let n = 600u32;
    for i in 0..n {
        image::RgbImage::from_pixel(8, 6, image::Rgb([(i % 256) as u8, (i / 256) as u8, 7]))
            .save(src.join(format!("p{i:03}.png")))
            .unwrap();
    }
    shoebox(
        &lib,
        T0,
        &["--json", "import", "--in-place", src.to_str().unwrap()],
    );
    let started = std::time::Instant::now();
    let out = json(&shoebox(&lib, T0, &["--json", "thumbnails"]));
    assert_eq!(out["made"], n, "{out}");
    assert_eq!(out["failed"].as_array().map(Vec::len), Some(0), "{out}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let cached = crate::common::files_under(&lib.join("thumbs"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .count();
    assert_eq!(cached, n as usize);
}

/// Times are stored in UTC and shown in the computer's time zone (here a POSIX `TZ` string,
/// which needs no time zone database): the clock-held message of `sweep` names local times.
#[test]
#[cfg_attr(
    windows,
    ignore = "not applicable: Windows takes the time zone from its settings, not from TZ"
)]
fn cli_shows_times_in_the_local_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    assert!(shoebox(&lib, T0, &["ls"]).status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_shoebox"))
        .arg("--library")
        .arg(&lib)
        .arg("sweep")
        .env("SHOEBOX_NOW", (T0 - 2 * DAY).to_string())
        .env("TZ", "JST-9")
        .output()
        .expect("run shoebox");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("the system clock reads 2026-10-30 21:00 but this library has already seen 2026-11-01 21:00"),
        "{text}"
    );
}

/// Walk-through finding 2, on the command line: `ls --trash --inside` shows what a trashed
/// collection holds, with where; one of them is restored on its own with `--to`, and without
/// it the command says why and how.
#[test]
fn walk02_cli_lists_what_trashed_collections_hold_and_restores_one_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _, _) = trips_imported(dir.path());
    let ls = json(&shoebox(&lib, T0, &["--json", "ls"]));
    let trips = ls
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "Trips")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    json(&shoebox(&lib, T0, &["--json", "trash", &trips]));
    let entries = json(&shoebox(&lib, T0, &["--json", "ls", "--trash"]));
    assert_eq!(entries.as_array().unwrap().len(), 1, "one entry: {entries}");
    let all = json(&shoebox(&lib, T0, &["--json", "ls", "--trash", "--inside"]));
    let all = all.as_array().unwrap();
    let a = all.iter().find(|i| i["name"] == "a.txt").unwrap();
    assert_eq!(a["within"], "Trips/2024");
    assert_eq!(a["days_left"], 30);
    assert!(Path::new(a["path"].as_str().unwrap()).exists());
    let a_id = a["id"].as_str().unwrap().to_string();
    assert_eq!(
        all.iter().find(|i| i["name"] == "2024").unwrap()["within"],
        "Trips"
    );
    // Without a place: rule 8's message, and the way out.
    let out = shoebox(&lib, T0, &["restore", &a_id]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("its collection \"2024\" is in the Trash") && err.contains("--to"),
        "{err}"
    );
    json(&shoebox(
        &lib,
        T0,
        &["--json", "restore", "--to", "", &a_id],
    ));
    let ls = json(&shoebox(&lib, T0, &["--json", "ls"]));
    let back = ls
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "a.txt")
        .unwrap();
    assert_eq!(back["location"], "");
    assert_eq!(
        std::fs::read(back["path"].as_str().unwrap()).unwrap(),
        b"alpha"
    );
}

/// New-user finding 5, on the command line: `restore --to "" ID` brings a sub-collection of a
/// trashed collection back on its own, with what it holds; without `--to` it says why.
#[test]
fn newuser05_cli_restores_a_sub_collection_of_a_trashed_collection_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _, _) = trips_imported(dir.path());
    let ls = json(&shoebox(&lib, T0, &["--json", "ls"]));
    let id_of = id_named;
    let trips = id_of(&ls, "Trips");
    json(&shoebox(&lib, T0, &["--json", "trash", &trips]));
    let inside = json(&shoebox(&lib, T0, &["--json", "ls", "--trash", "--inside"]));
    let y2024 = id_of(&inside, "2024");
    let out = shoebox(&lib, T0, &["restore", &y2024]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("its collection \"Trips\" is in the Trash") && err.contains("--to"),
        "{err}"
    );
    json(&shoebox(
        &lib,
        T0,
        &["--json", "restore", "--to", "", &y2024],
    ));
    let ls = json(&shoebox(&lib, T0, &["--json", "ls"]));
    let a = ls
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "a.txt")
        .unwrap();
    assert_eq!(a["location"], "2024");
    assert_eq!(
        std::fs::read(a["path"].as_str().unwrap()).unwrap(),
        b"alpha"
    );
    let entries = json(&shoebox(&lib, T0, &["--json", "ls", "--trash"]));
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 1, "Trips keeps b.txt: {entries:?}");
    assert_eq!(entries[0]["name"], "Trips");
}

/// New-user finding 13: plain `ls` printed newlines and carriage returns inside names raw,
/// breaking its columns. Text output escapes them; `--json` gives the name exactly.
#[test]
#[cfg_attr(
    windows,
    ignore = "not applicable: Windows file names cannot hold control characters"
)]
fn newuser13_plain_ls_escapes_control_characters_in_names() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let odd = "two\nlines\rand\ttab.jpg";
    std::fs::write(src.join(odd), b"pixels").unwrap();
    let out = shoebox(&lib, T0, &["import", src.join(odd).to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(printed.lines().count(), 1, "{printed:?}");
    let out = shoebox(&lib, T0, &["ls"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("tab.jpg")).collect();
    assert_eq!(lines.len(), 1, "{text:?}");
    assert!(lines[0].contains("two\\nlines\\rand\\ttab.jpg"), "{text:?}");
    assert_eq!(lines[0].split('\t').count(), 4, "{text:?}");
    let listed = json(&shoebox(&lib, T0, &["--json", "ls"]));
    assert!(
        listed.as_array().unwrap().iter().any(|i| i["name"] == odd),
        "{listed}"
    );
}

/// New-user finding 4: after `delete --permanent`, the sweep and Empty Trash, the item's
/// thumbnail stayed in `thumbs/`: a picture of a photo the user destroyed. It stays while
/// the item is in the Trash (the Trash shows it), and goes with the item's last copy.
#[test]
fn newuser04_a_purged_item_leaves_no_picture_behind() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for (i, how) in ["delete", "sweep", "empty"].iter().enumerate() {
        let lib = dir.path().join(format!("lib-{how}"));
        let pictures = || pictures_kept(&lib);
        let photo = src.join(format!("photo-{i}.png"));
        image::RgbImage::from_pixel(64, 48, image::Rgb([i as u8 * 60, 90, 200]))
            .save(&photo)
            .unwrap();
        let imported = json(&shoebox(
            &lib,
            T0,
            &["--json", "import", photo.to_str().unwrap()],
        ));
        let id = imported["imported"][0]["id"].as_str().unwrap().to_string();
        let out = dir.path().join(format!("thumb-{i}.png"));
        let made = shoebox(&lib, T0, &["thumbnail", &id, out.to_str().unwrap()]);
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        assert_eq!(pictures(), 1, "{how}: the thumbnail is cached");
        assert!(shoebox(&lib, T0, &["trash", &id]).status.success());
        assert_eq!(pictures(), 1, "{how}: kept while in the Trash");
        let gone = match *how {
            "delete" => shoebox(&lib, T0, &["delete", "--permanent", &id]),
            "sweep" => {
                assert!(shoebox(&lib, T0 + 29 * DAY, &["sweep"]).status.success());
                assert_eq!(pictures(), 1, "not yet expired");
                shoebox(&lib, T0 + 30 * DAY, &["sweep"])
            }
            _ => shoebox(&lib, T0, &["empty-trash", "--yes"]),
        };
        assert!(
            gone.status.success(),
            "{how}: {}",
            String::from_utf8_lossy(&gone.stderr)
        );
        assert_eq!(pictures(), 0, "{how}: the picture went with the item");
    }
}

/// Two items with the same content share their pictures (the cache is by content). A
/// purge of one takes them (the library keeps no index of every item's content to tell:
/// migration 25), and the other makes them again when it is next shown.
#[test]
fn a_purged_twin_takes_the_shared_pictures_and_the_other_makes_them_again() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let photo = src.join("photo.png");
    image::RgbImage::from_pixel(64, 48, image::Rgb([40, 90, 200]))
        .save(&photo)
        .unwrap();
    std::fs::copy(&photo, src.join("twin.png")).unwrap();
    let imported = json(&shoebox(
        &lib,
        T0,
        &["--json", "import", src.to_str().unwrap()],
    ));
    let id_of = |name: &str| id_named(&imported["imported"], name);
    let (photo_id, twin_id) = (id_of("photo.png"), id_of("twin.png"));
    let pictures = || pictures_kept(&lib);
    let thumbnail = |id: &str, out: &str| {
        let out = dir.path().join(out);
        let made = shoebox(&lib, T0, &["thumbnail", id, out.to_str().unwrap()]);
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let img = image::open(out).unwrap();
        (img.width(), img.height())
    };
    let shown = thumbnail(&twin_id, "before.png");
    assert_eq!(pictures(), 1, "one picture for both");
    assert!(shoebox(&lib, T0, &["trash", &photo_id]).status.success());
    let gone = shoebox(&lib, T0, &["delete", "--permanent", &photo_id]);
    assert!(
        gone.status.success(),
        "{}",
        String::from_utf8_lossy(&gone.stderr)
    );
    assert_eq!(pictures(), 0, "the picture went with the purged item");
    assert_eq!(thumbnail(&twin_id, "after.png"), shown);
    assert_eq!(pictures(), 1, "made again for the twin");
}

/// New-user finding 6: `shoebox restore ID...` restored one item per transaction (10,000
/// ids took 135× the bare renames). It restores them together, as the window does, and a
/// conflict among them is reported for that item while the others come back.
#[test]
fn newuser06_restore_of_many_ids_restores_them_together_and_reports_each() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let paths: Vec<PathBuf> = (0..20)
        .map(|i| {
            let p = src.join(format!("p{i:02}.txt"));
            std::fs::write(&p, format!("photo {i}")).unwrap();
            p
        })
        .collect();
    let mut args = vec!["--json".to_string(), "import".to_string()];
    args.extend(paths.iter().map(|p| p.to_str().unwrap().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let imported = json(&shoebox(&lib, T0, &args));
    let ids: Vec<String> = imported["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let mut trash = vec!["trash"];
    trash.extend(ids.iter().map(String::as_str));
    assert!(shoebox(&lib, T0, &trash).status.success());
    // A new p00.txt where the first one was: its restore meets a name conflict.
    let again = src.join("p00.txt");
    std::fs::write(&again, b"a new p00").unwrap();
    assert!(
        shoebox(&lib, T0, &["import", again.to_str().unwrap()])
            .status
            .success()
    );
    let mut restore = vec!["--json", "restore"];
    restore.extend(ids.iter().map(String::as_str));
    // One recorded intent for all of them: a process that would end at a second one
    // (as one transaction per item would reach) finishes.
    let out = Command::new(env!("CARGO_BIN_EXE_shoebox"))
        .arg("--library")
        .arg(&lib)
        .args(&restore)
        .env("SHOEBOX_NOW", T0.to_string())
        .env("SHOEBOX_FAILPOINT", "restore.after_intent:1")
        .output()
        .expect("run shoebox");
    assert!(!out.status.success(), "one of them failed");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["succeeded"].as_array().unwrap().len(),
        19,
        "{report}"
    );
    assert_eq!(report["failed"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["failed"][0]["id"], ids[0].as_str());
    let ls = json(&shoebox(&lib, T0, &["--json", "ls", "--trash"]));
    assert_eq!(
        ls.as_array().unwrap().len(),
        1,
        "only the conflicting one stays: {ls}"
    );
}

/// Each item of `ls --json` (or `ls --trash --json`) by id.
fn by_id(listing: &Value) -> std::collections::HashMap<String, Value> {
    listing
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| (v["id"].as_str().unwrap().to_string(), v.clone()))
        .collect()
}

/// What the user gave an item, as `--json` says: rating, flag, label, keywords.
fn culling(item: &Value) -> (Value, Value, Value, Value) {
    (
        item["rating"].clone(),
        item["flag"].clone(),
        item["label"].clone(),
        item["keywords"].clone(),
    )
}

/// SPEC §5 and §8: `rate`, `flag`, `label`, `tag` and `untag` on many items at once, shown
/// by `ls --json`; a bad value, a collection, a trashed or unknown id exits non-zero with a
/// clear message and changes nothing (all or none).
#[test]
fn cli_rate_flag_label_tag_and_untag_many_items_and_refuse_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _src, _) = trips_imported(dir.path());
    let items = by_id(&json(&shoebox(&lib, T0, &["--json", "ls"])));
    let (a, b) = ("a1", "a2");
    assert!(items.contains_key(a) && items.contains_key(b), "{items:?}");
    assert_eq!(
        culling(&items[a]),
        (0.into(), Value::Null, Value::Null, serde_json::json!([]))
    );
    let done = json(&shoebox(&lib, T0, &["--json", "rate", "4", a, b]));
    assert_eq!(done["changed"], 2);
    json(&shoebox(&lib, T0, &["--json", "flag", "pick", a]));
    json(&shoebox(&lib, T0, &["--json", "flag", "reject", b]));
    json(&shoebox(&lib, T0, &["--json", "label", "green", a, b]));
    json(&shoebox(&lib, T0, &["--json", "label", "none", b]));
    json(&shoebox(
        &lib,
        T0,
        &["--json", "tag", "Places|Portugal|Lisbon", a, b],
    ));
    // The same keyword in another case is the same keyword.
    let again = json(&shoebox(
        &lib,
        T0,
        &["--json", "tag", "places | portugal|LISBON", a],
    ));
    assert_eq!(again["changed"], 0);
    json(&shoebox(&lib, T0, &["--json", "tag", "portrait", a]));
    json(&shoebox(&lib, T0, &["--json", "untag", "portrait", a]));
    json(&shoebox(&lib, T0, &["--json", "tag", "film", b]));
    let text = shoebox(&lib, T0, &["rate", "1", a]);
    assert!(text.status.success());
    assert_eq!(
        String::from_utf8_lossy(&text.stdout).trim(),
        "rated 1 star: 1 item"
    );
    json(&shoebox(&lib, T0, &["--json", "rate", "4", a]));
    let items = by_id(&json(&shoebox(&lib, T0, &["--json", "ls"])));
    let expected_a = (
        4.into(),
        "pick".into(),
        "green".into(),
        serde_json::json!(["Places|Portugal|Lisbon"]),
    );
    let expected_b = (
        4.into(),
        "reject".into(),
        Value::Null,
        serde_json::json!(["film", "Places|Portugal|Lisbon"]),
    );
    assert_eq!(culling(&items[a]), expected_a);
    assert_eq!(culling(&items[b]), expected_b);

    // Refused, with a clear message, and nothing changed (the good ids included).
    json(&shoebox(&lib, T0, &["--json", "trash", b]));
    let refused: [(&[&str], &str); 9] = [
        (&["rate", "6", a], "0 to 5 stars"),
        (&["rate", "-1", a], "0 to 5 stars"),
        (&["rate", "three", a], "0 to 5 stars"),
        (&["flag", "maybe", a], "pick, reject or none"),
        (
            &["label", "orange", a],
            "red, yellow, green, blue, purple or none",
        ),
        (&["tag", "Places||Lisbon", a], "each level"),
        (&["rate", "2", a, "c1"], "c1 is a collection"),
        (&["rate", "2", a, b], "a2 is in the Trash"),
        (&["label", "red", a, "a99"], "no such item: a99"),
    ];
    for (args, says) in refused {
        let out = shoebox(&lib, T0, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    let items = by_id(&json(&shoebox(&lib, T0, &["--json", "ls"])));
    assert_eq!(culling(&items[a]), expected_a, "nothing changed");
}

/// Rule 23: what the user gave an item is shown, read-only, in the Trash and comes back
/// with it on restore (of the item, or of its collection); `trash --rejected` moves every
/// rejected item as one batch (restored as one); a purge takes it all away.
#[test]
fn rule23_culling_survives_trash_and_restore_and_goes_with_a_purge() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _src, _) = trips_imported(dir.path());
    json(&shoebox(&lib, T0, &["--json", "rate", "5", "a1"]));
    json(&shoebox(&lib, T0, &["--json", "label", "red", "a1"]));
    json(&shoebox(
        &lib,
        T0,
        &["--json", "tag", "Trips|Porto", "a1", "a2"],
    ));
    json(&shoebox(
        &lib,
        T0,
        &["--json", "flag", "reject", "a1", "a2"],
    ));
    let before = by_id(&json(&shoebox(&lib, T0, &["--json", "ls"])));

    let report = json(&shoebox(&lib, T0, &["--json", "trash", "--rejected"]));
    assert_eq!(report["succeeded"], serde_json::json!(["a1", "a2"]));
    let trash = json(&shoebox(&lib, T0, &["--json", "ls", "--trash"]));
    let trashed = by_id(&trash);
    assert_eq!(trashed.len(), 2);
    assert_eq!(trashed["a1"]["batch"], trashed["a2"]["batch"], "one batch");
    for id in ["a1", "a2"] {
        assert_eq!(
            culling(&trashed[id]),
            culling(&before[id]),
            "{id} in the Trash"
        );
    }
    // Nothing rejected is left in the Gallery.
    let none = shoebox(&lib, T0, &["--json", "trash", "--rejected"]);
    assert_eq!(json(&none)["succeeded"], serde_json::json!([]));
    let batch = trashed["a1"]["batch"].as_i64().unwrap().to_string();
    json(&shoebox(
        &lib,
        T0,
        &["--json", "restore", "--batch", &batch],
    ));
    let after = by_id(&json(&shoebox(&lib, T0, &["--json", "ls"])));
    for id in ["a1", "a2"] {
        assert_eq!(culling(&after[id]), culling(&before[id]), "{id} restored");
    }

    // Through its collection's trip to the Trash too.
    json(&shoebox(&lib, T0, &["--json", "trash", "c1"]));
    json(&shoebox(&lib, T0, &["--json", "restore", "c1"]));
    let after = by_id(&json(&shoebox(&lib, T0, &["--json", "ls"])));
    for id in ["a1", "a2"] {
        assert_eq!(
            culling(&after[id]),
            culling(&before[id]),
            "{id} back with c1"
        );
    }

    // Purged: its links to keywords go with its record.
    json(&shoebox(
        &lib,
        T0,
        &["--json", "delete", "--permanent", "a1"],
    ));
    let db = rusqlite::Connection::open(lib.join("library.db")).unwrap();
    let links: Vec<i64> = db
        .prepare("SELECT asset_id FROM asset_keywords ORDER BY asset_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(links, vec![2], "only a2's link is left");
}

/// SPEC §5 and §8: `ls --filter EXPR` lists what the search syntax selects, in the Gallery
/// and (with `--trash`) in the Trash; words match names, keywords, cameras and collection
/// paths; a bad term exits non-zero with a message naming it.
#[test]
fn cli_ls_filter_selects_by_the_search_syntax_in_the_gallery_and_the_trash() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _src, _) = trips_imported(dir.path());
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--json", "ls"];
        all.extend_from_slice(args);
        let mut ids: Vec<String> = json(&shoebox(&lib, T0, &all))
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    // a1 is Trips/b.txt, a2 Trips/2024/a.txt.
    let names = by_id(&json(&shoebox(&lib, T0, &["--json", "ls"])));
    assert_eq!(names["a1"]["location"], "Trips");
    assert_eq!(names["a2"]["location"], "Trips/2024");
    json(&shoebox(&lib, T0, &["--json", "rate", "3", "a1"]));
    json(&shoebox(
        &lib,
        T0,
        &["--json", "tag", "Places|Portugal|Lisbon", "a2"],
    ));
    json(&shoebox(&lib, T0, &["--json", "flag", "pick", "a2"]));
    assert_eq!(ids(&[]), ["a1", "a2", "c1", "c2"]);
    assert_eq!(ids(&["--filter", "rating>=3"]), ["a1"]);
    assert_eq!(ids(&["--filter", "keyword:Portugal"]), ["a2"]);
    assert_eq!(ids(&["--filter", "-keyword:Portugal"]), ["a1"]);
    assert_eq!(ids(&["--filter", "2024"]), ["a2"]);
    assert_eq!(ids(&["--filter", "lisbon"]), ["a2"]);
    assert_eq!(ids(&["--filter", "type:other flag:pick"]), ["a2"]);
    assert_eq!(ids(&["--filter", "type:photo"]), Vec::<String>::new());
    assert_eq!(ids(&["--filter", ""]), ["a1", "a2"]);

    json(&shoebox(&lib, T0, &["--json", "trash", "a2"]));
    assert_eq!(ids(&["--filter", "keyword:Lisbon"]), Vec::<String>::new());
    assert_eq!(ids(&["--trash", "--filter", "keyword:Lisbon"]), ["a2"]);
    assert_eq!(
        ids(&["--trash", "--filter", "rating>=1"]),
        Vec::<String>::new()
    );

    let out = shoebox(&lib, T0, &["ls", "--filter", "rating>=9"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("rating>=9") && err.contains("0 to 5"), "{err}");
}

/// `shoebox import` prints each transaction's lines once it is committed and keeps none of
/// them: across several transactions every file is said once, on its own line, and the
/// counts at the end add them all up.
#[test]
fn cli_import_prints_every_file_once_across_its_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let src = dir.path().join("src/Shoot");
    std::fs::create_dir_all(&src).unwrap();
    // More than the first transactions hold (256, then 512): three of them.
    for i in 0..900 {
        std::fs::write(src.join(format!("f{i:03}.txt")), format!("file {i}")).unwrap();
    }
    let out = shoebox(&lib, T0, &["import", "--in-place", src.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut names: Vec<&str> = stdout
        .lines()
        .map(|l| l.split('\t').nth(1).expect("id, tab, name"))
        .collect();
    assert_eq!(names.len(), 900, "a line for each file imported");
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 900, "each said once");
    assert!(
        stderr.contains("imported 900 files, 1 new collection, 0 failed"),
        "{stderr}"
    );

    // With --json, one document: its list of what was imported written as it goes, the
    // rest of the report after it.
    let again = dir.path().join("again");
    std::fs::create_dir_all(&again).unwrap();
    for i in 0..600 {
        std::fs::write(again.join(format!("g{i:03}.txt")), format!("again {i}")).unwrap();
    }
    let missing = dir.path().join("missing.txt");
    let out = shoebox(
        &lib,
        T0,
        &[
            "--json",
            "import",
            "--in-place",
            again.to_str().unwrap(),
            missing.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "a file failed");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 file could not be imported"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one document");
    let imported = doc["imported"].as_array().expect("imported");
    assert_eq!(imported.len(), 600);
    assert_eq!(imported[0]["name"], "g000.txt");
    assert_eq!(doc["collections_created"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["failed"][0]["path"], missing.to_str().unwrap());
    assert_eq!(doc["stopped"], false);
}
