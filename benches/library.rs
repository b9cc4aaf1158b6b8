//! Library benchmarks on 10,000 items: import, move to Trash in one call, and a sweep
//! that purges them all. Run with `cargo bench --bench library` (a release build).
//!
//! Each figure is the median of a few runs, each in a fresh temporary library.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shoebox::clock::ManualClock;
use shoebox::library::{ImportOptions, ItemId, Library, Sort};

const N: usize = 10_000;
const RUNS: usize = 3;
const T0: i64 = 1_793_534_400;

struct Setup {
    _dir: tempfile::TempDir,
    src: PathBuf,
    lib: Library,
    clock: ManualClock,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).expect("src");
    for i in 0..N {
        std::fs::write(
            src.join(format!("file{i:05}.txt")),
            format!("small file number {i}"),
        )
        .expect("write");
    }
    let clock = ManualClock::new(T0);
    let lib =
        Library::open_with_clock(&dir.path().join("lib"), Arc::new(clock.clone())).expect("open");
    Setup {
        _dir: dir,
        src,
        lib,
        clock,
    }
}

fn import(s: &mut Setup) -> Duration {
    let start = Instant::now();
    let report = s
        .lib
        .import(
            std::slice::from_ref(&s.src),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .expect("import");
    let took = start.elapsed();
    assert_eq!(report.imported.len(), N);
    took
}

fn ids(s: &Setup) -> Vec<ItemId> {
    s.lib
        .assets(Sort::default())
        .expect("assets")
        .iter()
        .map(|a| a.id)
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut import_t = Vec::new();
    let mut trash_t = Vec::new();
    let mut sweep_t = Vec::new();
    let mut list_t = Vec::new();
    for _ in 0..RUNS {
        let mut s = setup();
        import_t.push(import(&mut s));
        let start = Instant::now();
        let all = ids(&s);
        list_t.push(start.elapsed());
        let start = Instant::now();
        let report = s.lib.trash(&all).expect("trash");
        trash_t.push(start.elapsed());
        assert_eq!(report.succeeded.len(), N);
        s.clock.advance_days(30);
        let start = Instant::now();
        let swept = s.lib.sweep().expect("sweep");
        sweep_t.push(start.elapsed());
        assert_eq!(swept.purged, N);
    }
    println!("library benchmarks, {N} small files, median of {RUNS} runs");
    println!(
        "import (by copy)        {:>8.2} s",
        median(import_t).as_secs_f64()
    );
    println!(
        "list active assets      {:>8.1} ms",
        median(list_t).as_secs_f64() * 1e3
    );
    println!(
        "move to Trash (1 call)  {:>8.2} s",
        median(trash_t).as_secs_f64()
    );
    println!(
        "sweep purging all       {:>8.2} s",
        median(sweep_t).as_secs_f64()
    );
}
