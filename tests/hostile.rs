//! Regression tests for files that hurt Shoebox's readers, each found by fuzzing and kept in
//! `tests/data/hostile/`, each test named after what the file did. Every one is read with a
//! bound on its time (a hang fails the test instead of stalling it) and must be imported with
//! what could be read, without a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use shoebox::library::{ImportOptions, Kind, Library, read_meta};
use shoebox::media::NoPicture;
use shoebox::media::formats::Tools;
use shoebox::thumbs::render;

use crate::common::Fixture;

/// Longer than any of these files may take on a busy machine; a hang ends here.
const HANG: Duration = Duration::from_secs(90);
/// The processor time one reading may take (a few milliseconds in a release build; a
/// debug build on a loaded machine is given a wide margin). Before their fixes these
/// files took from 10 s to minutes.
const CPU: Duration = Duration::from_secs(5);

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/hostile")
        .join(name)
}

/// The processor time this thread has used (where the system tells it; elsewhere the time
/// since `since`, which a busy machine lengthens).
fn thread_cpu(since: Instant) -> Duration {
    #[cfg(unix)]
    {
        let _ = since;
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid timespec for clock_gettime to write.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime");
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }
    #[cfg(not(unix))]
    {
        since.elapsed()
    }
}

/// Runs `work` on a thread of its own and returns what it gave; fails the test when it
/// panics, runs past [`HANG`], or uses more than [`CPU`] of processor time (measured on
/// its thread, so a machine busy with other work does not fail it).
fn bounded<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("hostile: {what}"))
        .spawn(move || {
            let started = Instant::now();
            let start = thread_cpu(started);
            let got = work();
            let _ = tx.send((got, thread_cpu(started) - start));
        })
        .expect("a thread");
    match rx.recv_timeout(HANG) {
        Ok((got, cpu)) => {
            assert!(cpu <= CPU, "{what}: took {cpu:?} of processor time");
            got
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: still running after {HANG:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

/// Imports `paths` in place into a new library; returns the library's folder (kept) and
/// the import's report.
fn import_in_place(paths: &[PathBuf]) -> (tempfile::TempDir, shoebox::library::ImportReport) {
    let mut f = Fixture::new();
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    let report = f.lib.import(paths, &opts, &mut |_| {}).expect("import");
    let Fixture { dir, .. } = f;
    (dir, report)
}

/// The `shoebox` binary run on a new library in `dir` with `args`, killed after [`HANG`]:
/// whether it succeeded, its standard output and its standard error.
fn shoebox_within(dir: &Path, args: &[&str]) -> (bool, String, String) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_shoebox"))
        .arg("--library")
        .arg(dir.join("lib"))
        .args(args)
        .env("SHOEBOX_NOW", crate::common::T0.to_string())
        .env("USER", "hostile-tester")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shoebox");
    let read_all = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let out = read_all(child.stdout.take().map(|p| Box::new(p) as _));
    let err = read_all(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + HANG;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for shoebox") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("shoebox {args:?} still running after {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.success(),
        out.join().expect("standard output"),
        err.join().expect("standard error"),
    )
}

/// A 256 KB file of overlapping JPEG starts (`FF D8 FF E1 00 04` over and over) after a RAF
/// header: the search for EXIF walked from every start to the end of the file, and import
/// ran for over two minutes. It is imported at once, with no size (there is none to read).
#[test]
fn hostile_raf_of_overlapping_jpeg_starts_is_imported_at_once() {
    let raf = hostile("slow-raf-256k.raf");
    let meta = bounded("read_meta", {
        let raf = raf.clone();
        move || read_meta(&raf, Kind::Image)
    })
    .expect("read");
    assert_eq!((meta.width, meta.height, meta.camera), (None, None, None));
    let (_dir, report) = bounded("import", {
        let raf = raf.clone();
        move || import_in_place(&[raf])
    });
    assert_eq!(report.imported.len(), 1, "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");
    let shown = bounded("preview", move || {
        render(&raf, Kind::Image, 256, Tools::default())
    });
    assert_eq!(
        shown.unwrap_err(),
        NoPicture::NoPreview("no preview inside this RAW file".into())
    );
}

/// The same as a TIFF-based RAW (a CR2 whose first directory is at offset 0): its search
/// for the largest JPEG walked from every start, 10 s at import.
#[test]
fn hostile_cr2_of_overlapping_jpeg_starts_is_imported_at_once() {
    let cr2 = hostile("slow-tiff-256k.cr2");
    let meta = bounded("read_meta", {
        let cr2 = cr2.clone();
        move || read_meta(&cr2, Kind::Image)
    })
    .expect("read");
    assert_eq!((meta.width, meta.height), (None, None));
    let (_dir, report) = bounded("import", move || import_in_place(&[cr2]));
    assert_eq!(report.imported.len(), 1, "{report:?}");
}

/// 4 MB of the same: the preview's search of the whole file ran past 30 s (the helper's
/// timeout ended it). It now says at once that there is no preview.
#[test]
fn hostile_4mb_cr2_of_overlapping_jpeg_starts_says_at_once_it_has_no_preview() {
    let cr2 = hostile("raw_preview_quadratic_crafted_4m.cr2");
    let shown = bounded("preview", move || {
        render(&cr2, Kind::Image, 256, Tools::default())
    });
    assert_eq!(
        shown.unwrap_err(),
        NoPicture::NoPreview("no preview inside this RAW file".into())
    );
}

/// Photoshop headers of a few dozen bytes whose channel count times height made the reader
/// ask for gigabytes of row lengths (the helper died at its memory limit). Refused before
/// anything is allocated, through a helper with the app's kind of limit; imported with the
/// size the header says.
#[cfg(target_os = "linux")] // RLIMIT_AS (Windows' Job Object: platform::windows tests)
#[test]
fn hostile_psd_claiming_gigabytes_of_row_lengths_is_refused_before_allocating() {
    use shoebox::thumbs::{Helpers, Output};
    for name in ["psd-huge-alloc.psd", "psd_lengths_oom_crafted.psd"] {
        let psd = hostile(name);
        let dir = tempfile::tempdir().unwrap();
        let mut helpers = Helpers::new(env!("CARGO_BIN_EXE_shoebox").into());
        helpers.memory_bytes = 1 << 30;
        match &crate::formats::through_a_helper(helpers, psd.clone(), dir.path())[..] {
            [Output::Failed { why, .. }] => assert_eq!(
                why,
                &NoPicture::Unreadable(
                    "can't read this Photoshop file: the file ends too soon".into()
                ),
                "{name}"
            ),
            other => panic!("{name}: {other:?}"),
        }
        let shown = bounded(name, {
            let psd = psd.clone();
            move || render(&psd, Kind::Image, 256, Tools::default())
        });
        assert!(shown.is_err(), "{name}");
        let (_dir, report) = bounded(name, move || import_in_place(&[psd]));
        assert_eq!(report.imported.len(), 1, "{name}: {report:?}");
    }
}

const ZERO_SIZE_IMAGE_SVGS: [&str; 3] = [
    "svg_usvg_image_unwrap.svg",
    "svg-zero-size-image.svg",
    "svg-panic-2.svg",
];

/// Drawings with an embedded image that ends up zero pixels wide: usvg (through
/// tiny-skia) panics reading them. Each is imported with the size its root states (read
/// from the XML, not by usvg; the first states none) and shows a reason for having no
/// picture, and nothing panics out of Shoebox's readers.
#[test]
fn hostile_svg_whose_image_has_zero_size_is_imported_without_its_size() {
    let paths: Vec<PathBuf> = ZERO_SIZE_IMAGE_SVGS.iter().map(|n| hostile(n)).collect();
    let stated = [(None, None), (Some(200), Some(100)), (Some(200), Some(100))];
    for (svg, stated) in paths.iter().zip(stated) {
        let meta = bounded("read_meta", {
            let svg = svg.clone();
            move || read_meta(&svg, Kind::Image)
        })
        .expect("read");
        assert_eq!((meta.width, meta.height), stated, "{svg:?}");
        let shown = bounded("picture", {
            let svg = svg.clone();
            move || render(&svg, Kind::Image, 256, Tools::default())
        });
        let why = shown.unwrap_err();
        assert!(matches!(why, NoPicture::Unreadable(_)), "{why:?}");
        assert!(why.reason().starts_with("can't read this drawing"), "{why}");
    }
    let (_dir, report) = bounded("import", move || import_in_place(&paths));
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(report.imported.len(), 3, "{report:?}");
}

/// The same drawings and the RAF imported by the `shoebox` command: all imported, at once,
/// and no panic message or backtrace on the terminal.
#[test]
fn hostile_files_imported_by_the_command_print_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let mut names: Vec<&str> = ZERO_SIZE_IMAGE_SVGS.to_vec();
    names.push("slow-raf-256k.raf");
    for name in &names {
        std::fs::copy(hostile(name), src.join(name)).unwrap();
    }
    let started = Instant::now();
    let (ok, out, err) = shoebox_within(
        dir.path(),
        &["--json", "import", "--in-place", src.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        report["imported"].as_array().map(Vec::len),
        Some(names.len()),
        "{report}"
    );
    assert!(started.elapsed() < HANG);
}

/// A library made before Shoebox read SVGs' own size reads them again at its next file
/// check: one of these drawings there must not panic out of the check (the app's library
/// thread and `shoebox ls` run it), and its record is kept as it was.
#[test]
fn hostile_svg_read_again_by_the_file_check_keeps_its_record() {
    let mut f = Fixture::new();
    let svg = f.file(
        "drawing.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg' width='40' height='30'/>",
    );
    f.import_in_place(&svg);
    // As if this drawing had been imported by that earlier Shoebox, its size recorded.
    std::fs::copy(hostile("svg_usvg_image_unwrap.svg"), &svg).unwrap();
    let (size, hash) = (
        std::fs::metadata(&svg).unwrap().len() as i64,
        crate::common::shoebox_hash(&svg).unwrap(),
    );
    f.close();
    let db = rusqlite::Connection::open(f.root().join("library.db")).unwrap();
    db.execute("DELETE FROM settings WHERE key = 'formats_read'", [])
        .unwrap();
    db.execute(
        "UPDATE files SET size = ?1, hash = ?2",
        rusqlite::params![size, hash],
    )
    .unwrap();
    db.execute(
        "UPDATE assets SET size = ?1, hash = ?2",
        rusqlite::params![size, hash],
    )
    .unwrap();
    drop(db);
    let root = f.root();
    let clock = f.clock.clone();
    let (check, asset) = bounded("file check", move || {
        let mut lib = Library::open_with_clock(&root, std::sync::Arc::new(clock)).expect("open");
        let check = lib.check_files().expect("check");
        let asset = lib.assets(Default::default()).expect("assets").remove(0);
        (check.reread, asset)
    });
    assert_eq!(check, 0, "nothing new was read");
    assert_eq!((asset.width, asset.height), (Some(40), Some(30)));
}

/// A progressive JPEG that ran past the fuzzer's 10 s limit on the in-process thumbnail
/// path under AddressSanitizer (0.17 s in a release build): its thumbnail, or a reason,
/// within the bound.
#[test]
fn hostile_slow_progressive_jpeg_thumbnail_is_made_within_its_bound() {
    let jpeg = hostile("jpeg-slow.jpg");
    let _ = bounded("thumbnail", move || {
        render(&jpeg, Kind::Image, 256, Tools::default())
    });
}

/// A progressive JPEG of a few kilobytes stating a 16,000 × 16,000 frame: libjpeg decodes a
/// progressive file through a buffer of every block's coefficients at full size (768 MB
/// here, whatever the scale asked), which the fast path used to set aside and fill in the
/// process that asked. The fuzzer's `jpeg_scans` target rose past 1 GB of memory on such
/// inputs. Refused before libjpeg starts; the same file at its own size still decodes.
#[test]
fn hostile_progressive_jpeg_stating_a_huge_frame_is_refused_before_libjpeg_buffers_it() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/progressive.jpg");
    let small = std::fs::read(data).unwrap();
    let sof = small
        .windows(2)
        .position(|w| w == [0xFF, 0xC2])
        .expect("a progressive frame");
    let mut huge = small.clone();
    huge[sof + 5..sof + 9].copy_from_slice(&[0x3E, 0x80, 0x3E, 0x80]);
    let own = bounded("its own size", move || {
        shoebox::thumbs::scaled_jpeg(&small, 8).map(|i| (i.width(), i.height()))
    });
    assert_eq!(own, Some((20, 15)), "the file as it is decodes at 1/8");
    let refused = bounded("the huge frame", move || {
        shoebox::thumbs::scaled_jpeg(&huge, 256).is_none()
    });
    assert!(
        refused,
        "a frame whose coefficients exceed the limit is not decoded"
    );
}

/// Import reads each file in a helper process: a reader that crashes there (every helper
/// is made to abort at the file it reads) costs that file its size only. Each file is
/// imported, says why its size is missing, and the import and this process go on; the
/// same files read by healthy helpers get their sizes.
#[test]
fn hostile_reader_crashing_at_import_costs_each_file_its_size_only() {
    use shoebox::thumbs::Helpers;
    let read_with = |env: &[(&str, &str)]| {
        let mut f = Fixture::new();
        let photos: Vec<PathBuf> = (0..4)
            .map(|i| {
                let p = f.src().join(format!("p{i}.png"));
                image::RgbImage::new(40 + i, 30).save(&p).unwrap();
                p
            })
            .collect();
        let mut helpers = Helpers::new(env!("CARGO_BIN_EXE_shoebox").into());
        helpers.env = env
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        f.lib.read_files_with(helpers);
        let report = f
            .lib
            .import(&photos, &ImportOptions::default(), &mut |_| {});
        let report = report.expect("import");
        assert_eq!(report.imported.len(), 4, "{report:?}");
        assert!(report.failed.is_empty(), "{report:?}");
        let sizes: Vec<_> = (0..4)
            .map(|i| {
                let a = f.asset_named(&format!("p{i}.png"));
                (a.width, a.height)
            })
            .collect();
        (report.warnings, sizes)
    };
    let (warnings, sizes) = read_with(&[("SHOEBOX_FAILPOINT", "probe.describe")]);
    assert_eq!(sizes, vec![(None, None); 4]);
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    for w in &warnings {
        assert_eq!(
            w.message,
            "could not read its size: its reader crashed on it"
        );
    }
    let (warnings, sizes) = read_with(&[]);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        sizes,
        (0..4).map(|i| (Some(40 + i), Some(30))).collect::<Vec<_>>()
    );
}

/// Import asks a reader helper about many files at once: a crash on one of them belongs to
/// that file alone. Each helper here aborts at the third file it reads, so of eight files
/// asked together the third and the sixth lose their size (each crash ends a helper, the
/// next starts afresh), and the others, before and after each crash, keep theirs.
#[test]
fn hostile_reader_crashing_on_one_file_of_many_costs_that_file_only() {
    use shoebox::thumbs::Helpers;
    let mut f = Fixture::new();
    let photos: Vec<PathBuf> = (0..8)
        .map(|i| {
            let p = f.src().join(format!("p{i}.png"));
            image::RgbImage::new(40 + i, 30).save(&p).unwrap();
            p
        })
        .collect();
    let mut helpers = Helpers::new(env!("CARGO_BIN_EXE_shoebox").into());
    helpers.env = vec![("SHOEBOX_FAILPOINT".into(), "probe.describe:2".into())];
    f.lib.read_files_with(helpers);
    let report = f
        .lib
        .import(&photos, &ImportOptions::default(), &mut |_| {})
        .expect("import");
    assert_eq!(report.imported.len(), 8, "{report:?}");
    let sizes: Vec<_> = (0..8)
        .map(|i| {
            let a = f.asset_named(&format!("p{i}.png"));
            (a.width, a.height)
        })
        .collect();
    let expected: Vec<_> = (0..8)
        .map(|i| match i {
            2 | 5 => (None, None),
            _ => (Some(40 + i), Some(30)),
        })
        .collect();
    assert_eq!(sizes, expected);
    let crashed: Vec<&str> = report.warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(crashed.len(), 2, "{:?}", report.warnings);
    assert!(crashed[0].ends_with("p2.png") && crashed[1].ends_with("p5.png"));
    for w in &report.warnings {
        assert_eq!(
            w.message,
            "could not read its size: its reader crashed on it"
        );
    }
}

/// Found by the `xmp` fuzz target: an `xmp:Rating` nested inside another property's value
/// (here a description's text spliced around elements) is no rating of the picture. The
/// reader took it for one and the writer left it in, so a rating written did not read back;
/// both now take only the properties of an `rdf:Description`, as ExifTool does.
#[test]
fn hostile_xmp_with_a_rating_nested_in_another_property_reads_back_what_is_written() {
    use shoebox::library::{Flag, Label, Rating};
    use shoebox::media::xmp::{self, XmpWrite};
    let packet = std::fs::read(hostile("xmp-nested-rating.xmp")).unwrap();
    let read = xmp::parse(&packet).unwrap();
    assert_eq!(
        read.rating,
        Rating::new(4),
        "the rating of its rdf:Description"
    );
    let keywords = vec!["Places|Porto".to_string()];
    let written = xmp::write_packet(
        Some(&packet),
        &XmpWrite {
            rating: Rating::new(3).unwrap(),
            flag: Flag::Pick,
            label: Some(Label::Blue),
            keywords: &keywords,
        },
    )
    .unwrap();
    let back = xmp::parse(written.as_bytes()).unwrap();
    assert_eq!(back.rating, Rating::new(3));
    assert_eq!(back.label, Some(Label::Blue));
}
