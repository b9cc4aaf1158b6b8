//! The kill -9 harness: the real `shoebox` binary runs random commands (import by copy, of
//! folders that become collections, and in place; trash, collections too; restore, of items
//! inside trashed collections too; delete permanently, Empty Trash, sweep; rate, tag and label,
//! written into XMP sidecars) and is killed with
//! SIGKILL at a random moment, or aborted at a random failpoint (`SHOEBOX_FAILPOINT`). After
//! every kill the library is opened (which runs recovery) and checked: nothing lost that the
//! user did not delete, no orphan copy, no record claiming a move that did not happen, the
//! database whole. The sources of imported copies are removed, so the library is the only
//! place their content lives.
//!
//! `cargo test` kills a few dozen times; `SHOEBOX_KILLS=1000` runs a long campaign
//! (`SHOEBOX_BIN` may name a copy of the binary to run).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use shoebox::clock::{ManualClock, SECS_PER_DAY};
use shoebox::failpoint;
use shoebox::library::{ItemId, Library};

use crate::common::{T0, check_invariants, files_under, shoebox_hash};

struct Harness {
    dir: tempfile::TempDir,
    rng: fastrand::Rng,
    now: i64,
    counter: u64,
    /// Content that must never be lost.
    keep: HashSet<String>,
    log: Vec<String>,
}

impl Harness {
    fn lib(&self) -> PathBuf {
        self.dir.path().join("lib")
    }
    fn src(&self) -> PathBuf {
        self.dir.path().join("src")
    }
    fn in_place(&self) -> PathBuf {
        self.dir.path().join("in-place")
    }

    fn open(&self) -> Library {
        Library::open_with_clock(&self.lib(), Arc::new(ManualClock::new(self.now)))
            .expect("the library opens after a kill")
    }

    fn new_files(&mut self, dir: &Path, n: usize) -> Vec<PathBuf> {
        std::fs::create_dir_all(dir).unwrap();
        (0..n)
            .map(|_| {
                self.counter += 1;
                let p = dir.join(format!("photo-{}.jpg", self.counter));
                let body = format!(
                    "pixels {} {}",
                    self.counter,
                    "x".repeat(self.rng.usize(0..40_000))
                );
                std::fs::write(&p, body.as_bytes()).unwrap();
                self.keep.insert(shoebox_hash(&p).unwrap());
                p
            })
            .collect()
    }

    /// One random command for the binary, and the contents it may destroy.
    fn command(&mut self) -> (Vec<String>, Vec<String>) {
        let lib = self.open();
        let active: Vec<ItemId> = lib
            .assets(Default::default())
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect();
        let entries = lib.trash_entries(Default::default()).unwrap();
        let mut trashed: Vec<ItemId> = entries.iter().map(|e| e.id).collect();
        let collections: Vec<ItemId> = lib.collections().unwrap().iter().map(|c| c.id).collect();
        // Items inside trashed collections: now and then one is restored (to the top) or
        // deleted on its own.
        // A sub-collection is restored on its own too (with what it holds), never deleted
        // permanently on its own.
        let inside: Vec<ItemId> = lib.trash_inside().unwrap().iter().map(|e| e.id).collect();
        let with_inside = !inside.is_empty() && self.rng.bool();
        if with_inside {
            trashed = inside;
        }
        let trashed_hashes: Vec<String> = lib
            .file_places()
            .unwrap()
            .into_iter()
            .filter(|p| p.trashed)
            .map(|p| p.hash)
            .collect();
        drop(lib);
        let pick = |rng: &mut fastrand::Rng, from: &[ItemId], n: usize| -> Vec<String> {
            (0..n.min(from.len()))
                .map(|_| from[rng.usize(..from.len())].to_string())
                .collect::<HashSet<_>>()
                .into_iter()
                .collect()
        };
        // What may be deleted permanently: not a sub-collection on its own.
        let deletable: Vec<ItemId> = trashed
            .iter()
            .filter(|id| !with_inside || id.asset().is_some())
            .copied()
            .collect();
        let args: Vec<String>;
        let mut may_destroy = Vec::new();
        match self.rng.u32(..100) {
            0..=29 => {
                let n = self.rng.usize(1..40);
                if self.rng.u8(..3) == 0 {
                    // A folder: it becomes a collection.
                    self.counter += 1;
                    let album = self.src().join(format!("album-{}", self.counter));
                    self.new_files(&album, n);
                    if self.rng.bool() {
                        // With a folder inside: a sub-collection.
                        self.new_files(&album.join("picks"), n / 2 + 1);
                    }
                    args = vec!["import".to_string(), album.display().to_string()];
                } else {
                    let src = self.src();
                    let files = self.new_files(&src, n);
                    args = ["import".to_string()]
                        .into_iter()
                        .chain(files.iter().map(|p| p.display().to_string()))
                        .collect();
                }
            }
            30..=39 => {
                let n = self.rng.usize(1..10);
                let dir = self.in_place();
                let files = self.new_files(&dir, n);
                args = ["import".to_string(), "--in-place".to_string()]
                    .into_iter()
                    .chain(files.iter().map(|p| p.display().to_string()))
                    .collect();
            }
            40..=64 if !active.is_empty() => {
                let n = self.rng.usize(1..60);
                let mut ids = pick(&mut self.rng, &active, n);
                if !collections.is_empty() && self.rng.bool() {
                    ids.push(collections[self.rng.usize(..collections.len())].to_string());
                }
                args = ["trash".to_string()].into_iter().chain(ids).collect();
            }
            65..=82 if !trashed.is_empty() => {
                let n = self.rng.usize(1..30);
                // Items from inside a trashed collection have lost their place: to the top.
                let to: &[&str] = if with_inside { &["--to", ""] } else { &[] };
                args = ["restore".to_string()]
                    .into_iter()
                    .chain(to.iter().map(std::string::ToString::to_string))
                    .chain(pick(&mut self.rng, &trashed, n))
                    .collect();
            }
            83..=89 if !deletable.is_empty() => {
                let n = self.rng.usize(1..20);
                let ids = pick(&mut self.rng, &deletable, n);
                let lib = self.open();
                let places = lib.file_places().unwrap();
                may_destroy = if ids.iter().any(|id| id.starts_with('c')) {
                    // A collection takes along what it holds, and what was trashed from
                    // inside it before (SPEC rule 9): any trashed file may go.
                    trashed_hashes
                } else {
                    places
                        .iter()
                        .filter(|p| ids.contains(&p.id.to_string()))
                        .map(|p| p.hash.clone())
                        .collect()
                };
                args = ["delete".to_string(), "--permanent".to_string()]
                    .into_iter()
                    .chain(ids)
                    .collect();
            }
            90..=93 => {
                may_destroy = trashed_hashes;
                args = vec!["empty-trash".into(), "--yes".into()];
            }
            94..=97 if !active.is_empty() => {
                // Culling, written into the items' XMP sidecars (the setting is on).
                let n = self.rng.usize(1..30);
                let change: [String; 2] = match self.rng.u8(..3) {
                    0 => ["rate".into(), self.rng.u8(..=5).to_string()],
                    1 => ["tag".into(), "Places|Porto".into()],
                    _ => ["label".into(), "red".into()],
                };
                let assets: Vec<ItemId> = active
                    .iter()
                    .filter(|i| i.asset().is_some())
                    .copied()
                    .collect();
                args = change
                    .into_iter()
                    .chain(pick(&mut self.rng, &assets, n))
                    .collect();
            }
            _ => {
                self.now += self.rng.i64(1..20) * SECS_PER_DAY;
                may_destroy = trashed_hashes;
                args = vec!["sweep".into()];
            }
        }
        (args, may_destroy)
    }

    /// Runs a command and kills it at a random moment (or aborts it at a failpoint).
    /// Returns what happened, and whether the command was cut short.
    fn run_and_kill(&mut self, args: &[String]) -> (String, bool) {
        // SHOEBOX_BIN: a copy of the binary, for a long campaign while the project rebuilds.
        let bin =
            std::env::var_os("SHOEBOX_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_shoebox").into());
        let mut cmd = Command::new(bin);
        cmd.arg("--library")
            .arg(self.lib())
            .args(args)
            .env("SHOEBOX_NOW", self.now.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let how = if self.rng.bool() {
            let point = failpoint::ALL[self.rng.usize(..failpoint::ALL.len())];
            cmd.env(
                "SHOEBOX_FAILPOINT",
                format!("{point}:{}", self.rng.usize(0..3)),
            );
            format!("abort at {point}")
        } else {
            String::new()
        };
        let mut child = cmd.spawn().expect("run shoebox");
        let wait = Duration::from_micros(self.rng.u64(0..12_000));
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return (
                    format!("{how} ended ({status})"),
                    crate::common::ended_abnormally(status),
                );
            }
            if how.is_empty() && started.elapsed() >= wait {
                let _ = child.kill(); // SIGKILL
                let _ = child.wait();
                return (format!("killed after {:?}", started.elapsed()), true);
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                return ("killed after a minute".into(), true);
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Removes the originals of copies the library holds: from now on, losing one of them
    /// inside the library would be a real loss.
    fn drop_imported_sources(&self, lib: &Library) {
        let held: HashSet<String> = lib
            .file_places()
            .unwrap()
            .into_iter()
            .filter(|p| p.path.starts_with(self.lib()))
            .filter(|p| std::fs::symlink_metadata(&p.path).is_ok())
            .map(|p| p.hash)
            .collect();
        for f in files_under(&self.src()) {
            if shoebox_hash(&f).is_some_and(|h| held.contains(&h)) {
                let _ = std::fs::remove_file(&f);
            }
        }
    }
}

#[test]
fn kill_9_at_random_moments_loses_no_file_and_leaves_no_orphan() {
    let kills: usize = std::env::var("SHOEBOX_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let seed: u64 = std::env::var("SHOEBOX_KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let mut h = Harness {
        dir: tempfile::tempdir().unwrap(),
        rng: fastrand::Rng::with_seed(seed),
        now: T0,
        counter: 0,
        keep: HashSet::new(),
        log: Vec::new(),
    };
    h.open()
        .set_write_xmp(true)
        .expect("writing XMP sidecars is turned on");
    let mut interrupted = 0;
    let mut from_inside = 0;
    for round in 0..kills {
        let (args, may_destroy) = h.command();
        if args.iter().any(|a| a == "--to") {
            from_inside += 1;
        }
        for hash in &may_destroy {
            h.keep.remove(hash);
        }
        let (what, cut) = h.run_and_kill(&args);
        if cut {
            interrupted += 1;
        }
        h.log.push(format!(
            "{round}: {} … {what}",
            args.first().cloned().unwrap_or_default()
        ));
        let lib = h.open();
        let keep: Vec<String> = h.keep.iter().cloned().collect();
        let src = h.src();
        let in_place = h.in_place();
        if let Err(e) = check_invariants(&lib, &h.lib(), &keep, &[&src, &in_place]) {
            let tail: Vec<&String> = h.log.iter().rev().take(8).collect();
            panic!("after round {round}: {e}\nlast rounds (newest first): {tail:#?}");
        }
        // No hidden file of a sidecar's write is left once the library was opened.
        let left: Vec<PathBuf> = files_under(h.dir.path())
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".shoebox-tmp"))
            .collect();
        assert!(left.is_empty(), "after round {round}: {left:?}");
        h.drop_imported_sources(&lib);
    }
    eprintln!(
        "kill harness: {kills} rounds ({from_inside} restores from inside trashed collections), \
         {interrupted} interrupted mid-command, no file lost"
    );
    assert!(interrupted > 0, "no command was ever interrupted");
}
