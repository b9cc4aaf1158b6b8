//! Failpoints: named steps of the file protocols (move to Trash, restore, purge, import,
//! writing an XMP sidecar)
//! where a test can make Shoebox stop as if the machine crashed there.
//!
//! Off by default and nearly free: one atomic load per step. A test arms one point on its
//! own thread with [`arm`] (the step panics, and the caller drops the library without
//! cleaning up, as a crash would; tests running beside it are not affected), or a whole
//! process is armed with `SHOEBOX_FAILPOINT=name` (the process aborts at that step, for
//! the kill harness of the real binary).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Every failpoint, in protocol order. Tests walk this list so a new step is never missed.
pub const ALL: &[&str] = &[
    "import.after_intent",
    "import.after_copy",
    "import.after_sync",
    "trash.after_intent",
    "trash.after_move",
    "trash.after_sync",
    "restore.after_intent",
    "restore.after_move",
    "restore.after_sync",
    "purge.after_claim",
    "purge.after_unlink",
    "xmp.after_intent",
    "xmp.after_temp",
    "xmp.after_rename",
];

use std::cell::RefCell;

/// Whether any point is armed anywhere (the fast path when none is).
static ARMED: AtomicBool = AtomicBool::new(false);
/// The point armed for the whole process (from the environment).
static PROCESS_POINT: Mutex<Option<Armed>> = Mutex::new(None);

thread_local! {
    /// The point armed by a test on this thread.
    static THREAD_POINT: RefCell<Option<Armed>> = const { RefCell::new(None) };
}

#[derive(Debug, Clone)]
struct Armed {
    name: String,
    /// Pass this many hits before failing.
    skip: usize,
    abort: bool,
}

/// Arms `name` on this thread: the `skip + 1`th time that step is reached, it panics.
pub fn arm(name: &str, skip: usize) {
    ARMED.store(true, Ordering::SeqCst);
    THREAD_POINT.with(|p| {
        *p.borrow_mut() = Some(Armed {
            name: name.to_string(),
            skip,
            abort: false,
        });
    });
}

/// Disarms this thread's failpoint.
pub fn disarm() {
    THREAD_POINT.with(|p| *p.borrow_mut() = None);
}

/// Arms the point named by `SHOEBOX_FAILPOINT` (`name` or `name:skip`) for the whole
/// process, which then aborts at that step. Called once by the binary at start.
pub fn arm_from_env() {
    let Ok(spec) = std::env::var("SHOEBOX_FAILPOINT") else {
        return;
    };
    let (name, skip) = match spec.split_once(':') {
        Some((n, s)) => (n, s.parse().unwrap_or(0)),
        None => (spec.as_str(), 0),
    };
    ARMED.store(true, Ordering::SeqCst);
    *PROCESS_POINT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Armed {
        name: name.to_string(),
        skip,
        abort: true,
    });
}

/// Counts a hit on an armed point; true when it must fire now (and disarms it).
fn fires(slot: &mut Option<Armed>, name: &str) -> Option<bool> {
    let p = slot.as_mut()?;
    if p.name != name {
        return None;
    }
    if p.skip > 0 {
        p.skip -= 1;
        return None;
    }
    let abort = p.abort;
    *slot = None;
    Some(abort)
}

/// A step of a protocol. Does nothing unless this point is armed.
pub fn hit(name: &str) {
    if !ARMED.load(Ordering::Relaxed) {
        return;
    }
    let fire = THREAD_POINT
        .with(|p| fires(&mut p.borrow_mut(), name))
        .or_else(|| {
            fires(
                &mut PROCESS_POINT
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
                name,
            )
        });
    match fire {
        Some(true) => {
            eprintln!("shoebox: failpoint {name} reached; aborting");
            crate::platform::crash_now();
        }
        Some(false) => panic!("failpoint {name}"),
        None => {}
    }
}
