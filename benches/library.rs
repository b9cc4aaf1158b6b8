//! Library benchmarks on 10,000 small files, each next to the bare cost of the same work
//! measured in the same run (these machines are noisy; ratios hold where absolute times
//! drift):
//!
//! - import by copy          vs `cp -r` of the folder + `sync`
//! - import in place         vs hashing the same files (BLAKE3 in this process, as Shoebox
//!   does; and `b3sum` over the folder, when it is installed)
//! - move to Trash, restore  vs renaming the same files (no-replace) + fsync of both folders
//! - sweep, Empty Trash      vs unlinking the same files + fsync of the folder
//! - import in place of 2,000 small pictures, their size and date read in helper processes
//!   (as the app and the command line read them) vs read in this process
//!
//! Then one action on 100,000 files, once: import in place vs `b3sum`, move to the Trash
//! and restore vs the bare renames and flushes.
//!
//! Run with `cargo bench --bench library` (a release build). Each figure is the median of
//! a few runs, each in a fresh temporary library.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shoebox::clock::ManualClock;
use shoebox::library::{ImportOptions, ItemId, Library, Sort};

const N: usize = 10_000;
const RUNS: usize = 3;
const T0: i64 = 1_793_534_400;

struct Setup {
    dir: tempfile::TempDir,
    src: PathBuf,
    lib: Library,
    clock: ManualClock,
}

fn make_files(dir: &Path) {
    make_n_files(dir, N);
}

fn make_n_files(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).expect("src");
    for i in 0..n {
        std::fs::write(
            dir.join(format!("file{i:05}.txt")),
            format!("small file number {i}"),
        )
        .expect("write");
    }
}

fn setup() -> Setup {
    let dir = tempfile::tempdir_in(bench_dir()).expect("temp dir");
    let src = dir.path().join("src");
    make_files(&src);
    let clock = ManualClock::new(T0);
    let lib =
        Library::open_with_clock(&dir.path().join("lib"), Arc::new(clock.clone())).expect("open");
    Setup {
        dir,
        src,
        lib,
        clock,
    }
}

/// Where the benchmark's files live: a folder on the same disk as the project (not a RAM
/// disk), so flushes cost what they cost on a real drive.
fn bench_dir() -> PathBuf {
    let d = std::env::var_os("SHOEBOX_BENCH_DIR")
        .map_or_else(|| PathBuf::from("target/bench-tmp"), PathBuf::from);
    std::fs::create_dir_all(&d).expect("bench dir");
    d
}

/// Times `f` after flushing whatever earlier steps left unwritten, so no step pays for
/// another's writes.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let _ = Command::new("sync").status();
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn ids(s: &Setup) -> Vec<ItemId> {
    s.lib
        .assets(Sort::default())
        .expect("assets")
        .iter()
        .map(|a| a.id)
        .collect()
}

fn fsync_dir(dir: &Path) {
    shoebox::platform::fsync_dir(dir).expect("fsync");
}

/// The bare cost of moving N files and making it durable: one no-replace rename each and
/// a flush of both folders.
fn bare_rename(dir: &Path) -> Duration {
    bare_rename_n(dir, N)
}

fn bare_rename_n(dir: &Path, n: usize) -> Duration {
    let a = dir.join("bare-a");
    let b = dir.join("bare-b");
    make_n_files(&a, n);
    std::fs::create_dir_all(&b).expect("mkdir");
    let names: Vec<_> = (0..n).map(|i| format!("file{i:05}.txt")).collect();
    let (_, t) = timed(|| {
        for n in &names {
            rename_noreplace(&a.join(n), &b.join(n));
        }
        fsync_dir(&a);
        fsync_dir(&b);
    });
    t
}

/// The system's own no-replace rename (`renameat2(RENAME_NOREPLACE)` on Linux).
fn rename_noreplace(from: &Path, to: &Path) {
    shoebox::platform::rename_noreplace(from, to).expect("rename");
}

/// The bare cost of deleting N files durably: one unlink each and a flush of the folder.
fn bare_unlink(dir: &Path) -> Duration {
    let a = dir.join("bare-u");
    make_files(&a);
    let names: Vec<_> = (0..N).map(|i| a.join(format!("file{i:05}.txt"))).collect();
    let (_, t) = timed(|| {
        for n in &names {
            std::fs::remove_file(n).expect("unlink");
        }
        fsync_dir(&a);
    });
    t
}

/// `cp -r` of the folder and a `sync`: what copying the files by hand costs.
fn bare_copy(src: &Path, dir: &Path) -> Duration {
    let dst = dir.join("bare-copy");
    let (_, t) = timed(|| {
        // `sync` here is part of what is measured: it makes the copies durable.
        let ok = Command::new("cp")
            .arg("-r")
            .arg(src)
            .arg(&dst)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new("sync").status().is_ok_and(|s| s.success());
        assert!(ok, "cp -r + sync");
    });
    t
}

/// Hashing the same files with BLAKE3: the floor of indexing them in place.
fn bare_hash(src: &Path) -> Duration {
    let (_, t) = timed(|| {
        for i in 0..N {
            let bytes = std::fs::read(src.join(format!("file{i:05}.txt"))).expect("read");
            std::hint::black_box(blake3::hash(&bytes));
        }
    });
    t
}

/// `b3sum` over every file of the folder: what a person would run to hash them; `None`
/// when it is not installed.
fn bare_b3sum(src: &Path) -> Option<Duration> {
    bare_b3sum_n(src, N)
}

/// `b3sum` over `n` files, 10,000 names to a run (the length of a command line is bounded).
fn bare_b3sum_n(src: &Path, n: usize) -> Option<Duration> {
    let names: Vec<String> = (0..n).map(|i| format!("file{i:05}.txt")).collect();
    let (ok, t) = timed(|| {
        names.chunks(10_000).all(|chunk| {
            Command::new("b3sum")
                .arg("--")
                .args(chunk)
                .current_dir(src)
                .stdout(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
    });
    ok.then_some(t)
}

/// One action on many items, as the scale this is about: 100,000 files indexed in place,
/// moved to the Trash and restored, each once, next to `b3sum` of the same files and the
/// bare renames and flushes (one run: it takes a while).
const MANY: usize = 100_000;

fn one_action_on_many() {
    let dir = tempfile::tempdir_in(bench_dir()).expect("temp dir");
    let src = dir.path().join("src");
    make_n_files(&src, MANY);
    let mut lib = Library::open_with_clock(&dir.path().join("lib"), Arc::new(ManualClock::new(T0)))
        .expect("open");
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    let (report, in_place) = timed(|| {
        lib.import(std::slice::from_ref(&src), &opts, &mut |_| {})
            .expect("import in place")
    });
    assert_eq!(report.imported.len(), MANY);
    let b3sum = bare_b3sum_n(&src, MANY);
    let all: Vec<ItemId> = report.imported.iter().map(|i| i.id).collect();
    let (report, trash) = timed(|| lib.trash(&all).expect("trash"));
    assert_eq!(report.succeeded.len(), MANY);
    let (report, restore) = timed(|| {
        lib.restore_many_with(&all, &Default::default())
            .expect("restore")
    });
    assert_eq!(report.succeeded.len(), MANY, "{:?}", report.failed.first());
    let rename = bare_rename_n(dir.path(), MANY);
    let row = |what: &str, ours: Duration, base_name: &str, base: Duration| {
        println!(
            "{what:<24} {:>8.3} s   {base_name:<34} {:>8.3} s   ratio {:>5.2}x",
            ours.as_secs_f64(),
            base.as_secs_f64(),
            ours.as_secs_f64() / base.as_secs_f64()
        );
    };
    println!("one action on {MANY} small files, one run");
    match b3sum {
        Some(b) => row("import in place", in_place, "b3sum of the same files", b),
        None => println!(
            "{:<24} (b3sum is not installed: no figure)",
            "import in place"
        ),
    }
    row(
        "move to Trash",
        trash,
        "rename (no-replace) + fsync",
        rename,
    );
    row("restore", restore, "rename (no-replace) + fsync", rename);
}

#[derive(Default)]
struct Figures {
    import: Vec<Duration>,
    copy: Vec<Duration>,
    in_place: Vec<Duration>,
    hash: Vec<Duration>,
    b3sum: Vec<Duration>,
    trash: Vec<Duration>,
    restore: Vec<Duration>,
    rename: Vec<Duration>,
    sweep: Vec<Duration>,
    empty: Vec<Duration>,
    unlink: Vec<Duration>,
    list: Vec<Duration>,
    pictures_in_helpers: Vec<Duration>,
    pictures_in_process: Vec<Duration>,
}

/// Pictures made for the reading figure.
const PICTURES: usize = 2_000;

fn make_pictures(dir: &Path) {
    std::fs::create_dir_all(dir).expect("pictures");
    for i in 0..PICTURES {
        image::RgbImage::from_pixel(16 + (i % 7) as u32, 12, image::Rgb([i as u8, 40, 90]))
            .save(dir.join(format!("p{i:05}.png")))
            .expect("png");
    }
}

/// Imports the pictures in `src` in place into a new library, read in helpers or not.
fn import_pictures(dir: &Path, src: &Path, helpers: bool) -> Duration {
    let mut lib = Library::open_with_clock(dir, Arc::new(ManualClock::new(T0))).expect("open");
    if helpers {
        lib.read_files_with(shoebox::thumbs::Helpers::new(PathBuf::from(env!(
            "CARGO_BIN_EXE_shoebox"
        ))));
    }
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    let (report, t) = timed(|| {
        lib.import(std::slice::from_ref(&src.to_path_buf()), &opts, &mut |_| {})
            .expect("import pictures")
    });
    assert_eq!(report.imported.len(), PICTURES);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings.first());
    t
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut fig = Figures::default();
    for _ in 0..RUNS {
        let mut s = setup();
        // Import by copy, next to cp -r + sync of the same folder.
        let (report, t) = timed(|| {
            s.lib
                .import(
                    std::slice::from_ref(&s.src),
                    &ImportOptions::default(),
                    &mut |_| {},
                )
                .expect("import")
        });
        assert_eq!(report.imported.len(), N);
        fig.import.push(t);
        fig.copy.push(bare_copy(&s.src, s.dir.path()));

        let (all, t) = timed(|| ids(&s));
        fig.list.push(t);

        // Trash and restore, next to renames + flushes of the same number of files.
        let (report, t) = timed(|| s.lib.trash(&all).expect("trash"));
        assert_eq!(report.succeeded.len(), N);
        fig.trash.push(t);
        // The path `shoebox restore ID...` and the window take.
        let (report, t) = timed(|| {
            s.lib
                .restore_many_with(&all, &Default::default())
                .expect("restore")
        });
        assert_eq!(report.succeeded.len(), N, "{:?}", report.failed.first());
        fig.restore.push(t);
        fig.rename.push(bare_rename(s.dir.path()));

        // Sweep, next to unlinks + a flush.
        s.lib.trash(&all).expect("trash");
        s.clock.advance_days(30);
        let (swept, t) = timed(|| s.lib.sweep().expect("sweep"));
        assert_eq!(swept.purged, N);
        fig.sweep.push(t);
        fig.unlink.push(bare_unlink(s.dir.path()));

        // Empty Trash of a fresh import.
        let again = s.dir.path().join("again");
        make_files(&again);
        let report = s
            .lib
            .import(
                std::slice::from_ref(&again),
                &ImportOptions {
                    allow_trash_duplicates: true,
                    ..Default::default()
                },
                &mut |_| {},
            )
            .expect("import");
        let fresh: Vec<ItemId> = report.imported.iter().map(|i| i.id).collect();
        s.lib.trash(&fresh).expect("trash");
        let (report, t) = timed(|| s.lib.empty_trash().expect("empty"));
        assert_eq!(report.succeeded.len(), N);
        fig.empty.push(t);

        // In place, next to hashing the same files.
        let mut lib2 = Library::open_with_clock(
            &s.dir.path().join("lib-in-place"),
            Arc::new(ManualClock::new(T0)),
        )
        .expect("open");
        let (report, t) = timed(|| {
            lib2.import(
                std::slice::from_ref(&s.src),
                &ImportOptions {
                    in_place: true,
                    ..Default::default()
                },
                &mut |_| {},
            )
            .expect("import in place")
        });
        assert_eq!(report.imported.len(), N);
        fig.in_place.push(t);
        fig.hash.push(bare_hash(&s.src));
        fig.b3sum.extend(bare_b3sum(&s.src));

        // Reading pictures at import: in helper processes, next to in this process.
        let pictures = s.dir.path().join("pictures");
        make_pictures(&pictures);
        fig.pictures_in_helpers.push(import_pictures(
            &s.dir.path().join("lib-h"),
            &pictures,
            true,
        ));
        fig.pictures_in_process.push(import_pictures(
            &s.dir.path().join("lib-p"),
            &pictures,
            false,
        ));
    }
    let row = |what: &str, ours: &[Duration], base_name: &str, base: &[Duration]| {
        let (o, b) = (median(ours), median(base));
        println!(
            "{what:<24} {:>8.3} s   {base_name:<34} {:>8.3} s   ratio {:>5.2}x",
            o.as_secs_f64(),
            b.as_secs_f64(),
            o.as_secs_f64() / b.as_secs_f64()
        );
    };
    println!("library benchmarks, {N} small files, median of {RUNS} runs");
    row("import by copy", &fig.import, "cp -r + sync", &fig.copy);
    row(
        "import in place",
        &fig.in_place,
        "BLAKE3 of the same files",
        &fig.hash,
    );
    if fig.b3sum.is_empty() {
        println!("{:<24} (b3sum is not installed: no figure)", "");
    } else {
        row("", &fig.in_place, "b3sum of the same files", &fig.b3sum);
    }
    row(
        "move to Trash",
        &fig.trash,
        "rename (no-replace) + fsync",
        &fig.rename,
    );
    row(
        "restore",
        &fig.restore,
        "rename (no-replace) + fsync",
        &fig.rename,
    );
    row(
        "sweep (purge all)",
        &fig.sweep,
        "unlink + fsync",
        &fig.unlink,
    );
    row("Empty Trash", &fig.empty, "unlink + fsync", &fig.unlink);
    row(
        "2,000 pictures, helpers",
        &fig.pictures_in_helpers,
        "read in this process",
        &fig.pictures_in_process,
    );
    println!(
        "list active assets       {:>8.1} ms",
        median(&fig.list).as_secs_f64() * 1e3
    );
    one_action_on_many();
}
