//! The Shoebox library: a folder with `library.db`, `media/`, `trash/`, `thumbs/` and a
//! lock file, and every rule of the Trash. Nothing here knows about windows or terminals.

mod adopt;
mod areas;
mod backup;
mod check;
mod collections;
mod culling;
mod follow;
mod fsops;
mod import;
mod model;
mod moves;
/// The extensions of the camera RAW files Shoebox knows.
pub use crate::media::probe::RAW;
mod purge;
mod query;
mod recovery;
mod restore;
mod rows;
pub mod search;
mod sidecars;
mod trash;

use std::fs::{self, File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::Connection;

use crate::clock::{Clock, SECS_PER_DAY, UnixSecs};
use crate::store::{self, StoreError};

pub use crate::media::probe::{Meta, dimensions_text, kind_name, kind_of, read_meta};
pub use areas::AreaProblem;
pub use backup::{BACKUP_DIR, DbHealth, RepairReport, backups, db_health, repair};
pub use check::{CHECK_PAGE, FileCheck, Presence, presence};
pub use culling::{Cull, Culled, Steps};
pub use follow::Followed;
pub use import::{FileMessage, ImportOptions, ImportProgress, ImportReport, InTrashMatch};
pub use model::*;
pub use purge::{PurgeReason, SweepReport};
pub use query::{
    FilePlace, GalleryQuery, Grouping, PictureSource, Sort, SortKey, TrashSort, asset_sort_key,
    trash_order,
};
pub use restore::{FolderChoice, RestoreOptions};
pub use search::{Facts, FileType, Search};
pub use sidecars::Unwritten;

/// Default retention: items stay 30 days in the Trash.
pub const DEFAULT_RETENTION_DAYS: i64 = 30;
/// Default sweep interval while the app is open.
pub const DEFAULT_SWEEP_INTERVAL_MINUTES: i64 = 60;
/// How far the clock may read behind the latest time seen before Shoebox distrusts it.
pub const CLOCK_TOLERANCE_SECS: i64 = 120;

const DB_FILE: &str = "library.db";
const LOCK_FILE: &str = "library.lock";
/// Folder of files imported by copy.
pub const MEDIA_DIR: &str = "media";
/// The library's own trash area.
pub const TRASH_DIR: &str = "trash";
/// The disposable thumbnail cache.
pub const THUMBS_DIR: &str = "thumbs";

/// What can go wrong with a library. Messages are lowercase and put the path last.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("the library is in use by another Shoebox (process {pid}); close it first: {}", path.display())]
    Locked { pid: String, path: PathBuf },
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{what}: {err}: {}", path.display())]
    Io {
        what: String,
        err: std::io::Error,
        path: PathBuf,
    },
    #[error("no such item: {0}")]
    NotFound(ItemId),
    #[error("{0} is not in the Trash")]
    NotInTrash(ItemId),
    #[error("{0} is in the Trash; restore it first")]
    InTrash(ItemId),
    #[error(
        "name conflict: {what} already exists at the original location; restore with a new name such as \"{suggestion}\""
    )]
    NameConflict {
        id: ItemId,
        what: String,
        suggestion: String,
    },
    #[error("lost location: {reason}; restore to another location")]
    LostLocation {
        id: ItemId,
        reason: String,
        /// True when the missing thing is an in-place file's folder on disk.
        folder: bool,
    },
    #[error(
        "library.db is {state} but the library holds files, so Shoebox changed nothing; run `shoebox repair` to bring the library back from its backups and files: {}",
        path.display()
    )]
    DatabaseLost { state: &'static str, path: PathBuf },
    #[error("{id} stays in the Trash: {problem}")]
    TrashUnavailable { id: ItemId, problem: AreaProblem },
    #[error("{id} was left as it is: {reason}")]
    FileProblem { id: ItemId, reason: String },
    #[error("invalid name {0:?}: names must be non-empty and contain no / or \\")]
    InvalidName(String),
    #[error("{0}")]
    Invalid(String),
}

impl LibraryError {
    fn io(what: impl Into<String>, path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        LibraryError::Io {
            what: what.into(),
            err,
            path: path.into(),
        }
    }
}

impl From<rusqlite::Error> for LibraryError {
    fn from(e: rusqlite::Error) -> Self {
        LibraryError::Store(StoreError::from(e))
    }
}

impl LibraryError {
    /// Whether this is the disk being full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, LibraryError::Store(StoreError::DiskFull(_)))
            || matches!(self, LibraryError::Io { err, .. } if err.kind() == std::io::ErrorKind::StorageFull)
    }
}

pub type Result<T, E = LibraryError> = std::result::Result<T, E>;

/// What the guarded clock found when the library was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockCheck {
    /// Seconds the clock reads behind the latest time seen (0 when it does not).
    pub behind_secs: i64,
    /// Seconds the clock jumped forward since the library was last used, when that gap
    /// exceeds the retention period; automatic purging waits for the user.
    pub jump_secs: i64,
}

/// Why the guarded clock holds automatic purging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockHold {
    /// The clock reads earlier than a time this library has already seen.
    Behind { now: UnixSecs, seen: UnixSecs },
    /// The clock moved forward by more than the retention since the library was last used.
    JumpedForward { days: i64 },
}

impl std::fmt::Display for ClockHold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClockHold::Behind { now, seen } => write!(
                f,
                "the system clock reads {} but this library has already seen {}; nothing is purged until the clock is right",
                crate::clock::display(*now),
                crate::clock::display(*seen)
            ),
            ClockHold::JumpedForward { days } => write!(
                f,
                "the clock moved {days} days forward since this library was last used; automatic purging waits until you confirm the time is right"
            ),
        }
    }
}

impl serde::Serialize for ClockHold {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An open library: the only writer of its database while it lives.
pub struct Library {
    root: PathBuf,
    conn: Connection,
    clock: Arc<dyn Clock>,
    user: String,
    clock_check: ClockCheck,
    /// Files found in trash areas with no record, adopted when the library was opened.
    adopted_at_open: usize,
    /// Where files are read at import: helper processes, or (`None`) this one.
    readers: Option<crate::thumbs::Helpers>,
    /// Held for the life of the library: one writer per library.
    _lock: File,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library").field("root", &self.root).finish()
    }
}

/// The library folder: `flag` when given (`--library`), else [`default_root`].
pub fn root_or_default(flag: Option<PathBuf>) -> Result<PathBuf> {
    match flag {
        Some(dir) => Ok(dir),
        None => default_root(),
    }
}

/// The default library folder: the platform data dir for Shoebox, unless
/// `SHOEBOX_LIBRARY` names another.
pub fn default_root() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("SHOEBOX_LIBRARY").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "Shoebox")
        .map(|d| d.data_dir().join("Library"))
        .ok_or_else(|| {
            LibraryError::Invalid(
                "could not find a home folder for the library; pass --library DIR".into(),
            )
        })
}

/// The name of the person using the computer, recorded as `deleted_by`: the account of
/// the process's user as the system knows it (systemd timers and some launchers set no
/// `USER`), the environment only where the system cannot say.
pub fn os_user() -> String {
    crate::platform::account_name()
        .or_else(|| {
            ["USER", "USERNAME", "LOGNAME"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        })
        .unwrap_or_else(|| "unknown".to_string())
}

impl Library {
    /// Opens the library at `root` (creating it if missing) with the system clock.
    pub fn open(root: &Path) -> Result<Library> {
        Self::open_with_clock(root, crate::clock::from_env())
    }

    /// Opens the library with an injected clock; finishes or rolls back whatever a crash
    /// left half done before returning.
    pub fn open_with_clock(root: &Path, clock: Arc<dyn Clock>) -> Result<Library> {
        backup::refuse_lost_database(root)?;
        Self::open_unchecked(root, clock)
    }

    /// Opens without first checking that a database beside files is really there (for
    /// `repair`, which has just put one back).
    fn open_unchecked(root: &Path, clock: Arc<dyn Clock>) -> Result<Library> {
        for dir in [
            root.to_path_buf(),
            root.join(MEDIA_DIR),
            root.join(TRASH_DIR),
            root.join(THUMBS_DIR),
        ] {
            fs::create_dir_all(&dir)
                .map_err(|e| LibraryError::io("could not create the library folder", &dir, e))?;
        }
        // Resolved once: every path below it is then walked without following links.
        let root = &crate::platform::resolve(root)
            .map_err(|e| LibraryError::io("could not open the library folder", root, e))?;
        let lock = take_lock(root)?;
        let conn = store::open(&root.join(DB_FILE))?;
        let mut lib = Library {
            root: root.clone(),
            conn,
            clock,
            user: os_user(),
            clock_check: ClockCheck::default(),
            adopted_at_open: 0,
            readers: None,
            _lock: lock,
        };
        lib.init_settings()?;
        lib.mark_unmarked_areas()?;
        lib.clock_check = match lib.check_clock_at_open() {
            Ok(check) => check,
            // Reading must still work on a full disk; the time is remembered next time.
            Err(e) if e.is_disk_full() => {
                log::warn!("{e}");
                ClockCheck::default()
            }
            Err(e) => return Err(e),
        };
        lib.recover()?;
        lib.adopted_at_open = lib.adopt_orphans()?;
        Ok(lib)
    }

    /// The library folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Reads files at import (their size, date, camera) in helper processes started from
    /// `helpers`, so a file no reader can cope with costs that file only. Without this they
    /// are read in this process.
    pub fn read_files_with(&mut self, helpers: crate::thumbs::Helpers) {
        self.readers = Some(helpers);
    }

    /// Sets the name recorded as `deleted_by` (defaults to the OS user).
    pub fn set_user(&mut self, user: &str) {
        self.user = user.to_string();
    }

    /// The injected clock's reading, unguarded.
    pub fn clock_now(&self) -> UnixSecs {
        self.clock.now()
    }

    /// What the guarded clock found at open.
    pub fn clock_check(&self) -> ClockCheck {
        self.clock_check
    }

    fn init_settings(&mut self) -> Result<()> {
        let tx = store::write_tx(&mut self.conn)?;
        if store::get_setting(&tx, "library_uid")?.is_none() {
            let seed = format!(
                "{}-{}-{}",
                self.clock.now(),
                std::process::id(),
                self.root.display()
            );
            let uid = blake3::hash(seed.as_bytes()).to_hex()[..12].to_string();
            store::set_setting(&tx, "library_uid", &uid)?;
            store::areas::record_library_area(&tx, TRASH_DIR)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn setting_i64(&self, key: &str, default: i64) -> Result<i64> {
        Ok(store::get_setting(&self.conn, key)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(default))
    }

    /// Days an item stays in the Trash (1 to 3650).
    pub fn retention_days(&self) -> Result<i64> {
        self.setting_i64("retention_days", DEFAULT_RETENTION_DAYS)
    }

    /// Minutes between two sweeps while the app is open.
    pub fn sweep_interval_minutes(&self) -> Result<i64> {
        self.setting_i64("sweep_interval_minutes", DEFAULT_SWEEP_INTERVAL_MINUTES)
    }

    /// Changes the retention; it takes effect at the next sweep.
    pub fn set_retention_days(&mut self, days: i64) -> Result<()> {
        if !(1..=3650).contains(&days) {
            return Err(LibraryError::Invalid(format!(
                "retention-days must be a whole number of days from 1 to 3650, not {days}"
            )));
        }
        store::set_setting(&self.conn, "retention_days", &days.to_string())?;
        Ok(())
    }

    /// Changes the sweep interval (1 minute to 1 week).
    pub fn set_sweep_interval_minutes(&mut self, minutes: i64) -> Result<()> {
        if !(1..=7 * 24 * 60).contains(&minutes) {
            return Err(LibraryError::Invalid(format!(
                "sweep-interval-minutes must be from 1 to 10080, not {minutes}"
            )));
        }
        store::set_setting(&self.conn, "sweep_interval_minutes", &minutes.to_string())?;
        Ok(())
    }

    /// The latest time this library has seen.
    fn high_water(&self) -> Result<Option<UnixSecs>> {
        Ok(store::get_setting(&self.conn, "clock_high_water")?.and_then(|v| v.parse().ok()))
    }

    fn check_clock_at_open(&mut self) -> Result<ClockCheck> {
        let now = self.clock.now();
        let retention_secs = self.retention_days()? * SECS_PER_DAY;
        let mut check = ClockCheck::default();
        match self.high_water()? {
            None => store::set_setting(&self.conn, "clock_high_water", &now.to_string())?,
            Some(seen) => {
                if now < seen - CLOCK_TOLERANCE_SECS {
                    check.behind_secs = seen - now;
                } else if now - seen > retention_secs {
                    store::set_setting(
                        &self.conn,
                        "clock_jump_pending",
                        &(now - seen).to_string(),
                    )?;
                }
                if now > seen {
                    store::set_setting(&self.conn, "clock_high_water", &now.to_string())?;
                }
            }
        }
        check.jump_secs = self.setting_i64("clock_jump_pending", 0)?;
        Ok(check)
    }

    /// The time to date a new deletion: never earlier than the latest time seen, so a
    /// clock set back cannot make items expire early once it is corrected.
    fn guarded_now(&mut self) -> Result<UnixSecs> {
        let now = self.clock.now();
        let seen = self.high_water()?.unwrap_or(now);
        if now > seen {
            store::set_setting(&self.conn, "clock_high_water", &now.to_string())?;
            Ok(now)
        } else {
            Ok(seen)
        }
    }

    /// Why automatic purging must wait, if it must.
    pub fn clock_hold(&mut self) -> Result<Option<ClockHold>> {
        let now = self.clock.now();
        if let Some(seen) = self.high_water()?
            && now < seen - CLOCK_TOLERANCE_SECS
        {
            return Ok(Some(ClockHold::Behind { now, seen }));
        }
        let jump = self.setting_i64("clock_jump_pending", 0)?;
        if jump > 0 {
            return Ok(Some(ClockHold::JumpedForward {
                days: jump / SECS_PER_DAY,
            }));
        }
        self.guarded_now()?;
        Ok(None)
    }

    /// The user confirms the clock reads the right time: the library trusts it again. The
    /// latest time seen becomes now (also when it had been pushed ahead by a wrong clock),
    /// automatic purging resumes, and deletions that a wrong clock dated in the future are
    /// dated now, so they expire one full retention period from now and never stick.
    pub fn confirm_clock(&mut self) -> Result<()> {
        let now = self.clock.now();
        let tx = store::write_tx(&mut self.conn)?;
        store::clear_setting(&tx, "clock_jump_pending")?;
        store::set_setting(&tx, "clock_high_water", &now.to_string())?;
        store::lifecycle::bring_dates_back(&tx, now)?;
        tx.commit()?;
        self.clock_check = ClockCheck::default();
        Ok(())
    }

    /// Days left for an item deleted at `deleted_at`, by SPEC rule 4.
    pub fn days_left(retention_days: i64, deleted_at: UnixSecs, now: UnixSecs) -> i64 {
        retention_days - (now - deleted_at).max(0).div_euclid(SECS_PER_DAY)
    }

    /// `PRAGMA integrity_check` and `foreign_key_check` are clean.
    pub fn check_integrity(&self) -> Result<Result<(), String>> {
        Ok(store::check_integrity(&self.conn)?)
    }

    /// Absolute path of a file stored in `files.path`.
    pub(crate) fn home_path(&self, stored: &str, in_place: bool) -> Result<PathBuf> {
        let p = fsops::validate_stored(stored, in_place)
            .map_err(|e| LibraryError::io("refusing a stored path", stored, e))?;
        Ok(if in_place { p } else { self.root.join(p) })
    }

    /// Absolute path of a trash root stored in `trash_roots.path`.
    fn trash_root_path(&self, stored: &str) -> Result<PathBuf> {
        let absolute = Path::new(stored).is_absolute();
        let p = fsops::validate_stored(stored, absolute)
            .map_err(|e| LibraryError::io("refusing a stored trash area", stored, e))?;
        Ok(if absolute { p } else { self.root.join(p) })
    }
}

/// Takes the library's lock file; a second process gets [`LibraryError::Locked`].
pub(crate) fn take_lock(root: &Path) -> Result<File> {
    let path = root.join(LOCK_FILE);
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| LibraryError::io("could not open the lock file", &path, e))?;
    // A lock still held a moment after its Shoebox let go (a process that is just
    // exiting, or a child being started elsewhere in this process that briefly shares the
    // descriptor until it runs its program) is waited for, briefly.
    let mut attempt = 0;
    let locked = loop {
        match file.try_lock() {
            Err(TryLockError::WouldBlock) if attempt < 20 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => break other,
        }
    };
    match locked {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let pid = fs::read_to_string(&path).unwrap_or_default();
            let pid = pid.trim();
            return Err(LibraryError::Locked {
                pid: if pid.is_empty() {
                    "unknown".into()
                } else {
                    pid.to_string()
                },
                path: root.to_path_buf(),
            });
        }
        Err(TryLockError::Error(e)) => {
            return Err(LibraryError::io("could not lock the library", &path, e));
        }
    }
    let _ = file.set_len(0);
    let _ = write!(file, "{}", std::process::id());
    let _ = crate::platform::sync_file(&file);
    Ok(file)
}
