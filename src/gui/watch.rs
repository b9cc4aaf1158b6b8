//! Noticing files changed outside Shoebox: the library's `media/` and the folders of
//! in-place items are watched (inotify and the like, through the `notify` crate), and a
//! change there asks for the missing/offline check, so a file deleted or renamed outside
//! shows "missing" within seconds (and back again when it returns). Where watching is not
//! possible the window checks on a timer instead.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use notify::{RecursiveMode, Watcher as _};

/// The watches, and whether something changed since the last look.
pub struct FileWatch {
    watcher: Option<notify::RecommendedWatcher>,
    watched: BTreeSet<(PathBuf, bool)>,
    changed: Arc<AtomicBool>,
}

impl FileWatch {
    /// A watch that wakes the window (`wake`) when something changes. `None` inside when
    /// this system cannot watch: [`FileWatch::is_watching`] then says so.
    pub fn new(wake: Arc<dyn Fn() + Send + Sync>) -> FileWatch {
        let changed = Arc::new(AtomicBool::new(false));
        let flag = changed.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            use notify::EventKind;
            let Ok(event) = event else {
                return;
            };
            // Files created, removed, renamed or written (an edit gives its item the new
            // version); reads and access times tell nothing.
            if matches!(
                event.kind,
                EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(_) | EventKind::Any
            ) {
                flag.store(true, Ordering::SeqCst);
                wake();
            }
        });
        let watcher = match watcher {
            Ok(w) => Some(w),
            Err(e) => {
                log::warn!("cannot watch for changes outside Shoebox ({e}); checking on a timer");
                None
            }
        };
        FileWatch {
            watcher,
            watched: BTreeSet::new(),
            changed,
        }
    }

    /// Whether changes are noticed as they happen.
    pub fn is_watching(&self) -> bool {
        self.watcher.is_some()
    }

    /// Watches exactly these folders (recursively where `true`), adding and dropping
    /// watches as the set changes. A folder that cannot be watched (gone, unplugged) is
    /// left to the timer.
    pub fn watch(&mut self, wanted: BTreeSet<(PathBuf, bool)>) {
        let Some(w) = self.watcher.as_mut() else {
            return;
        };
        for gone in self.watched.difference(&wanted) {
            let _ = w.unwatch(&gone.0);
        }
        let mut now = BTreeSet::new();
        for (dir, recursive) in wanted {
            if self.watched.contains(&(dir.clone(), recursive)) {
                now.insert((dir, recursive));
                continue;
            }
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            match w.watch(&dir, mode) {
                Ok(()) => {
                    now.insert((dir, recursive));
                }
                Err(e) => log::debug!("not watching {}: {e}", dir.display()),
            }
        }
        self.watched = now;
    }

    /// Whether something changed since the last call.
    pub fn take_changed(&self) -> bool {
        self.changed.swap(false, Ordering::SeqCst)
    }
}
