//! Backups of `library.db` and the way back when it is lost. Shoebox keeps one backup a day
//! (the last seven) inside the library, taken with SQLite's online backup API. A missing,
//! empty or damaged `library.db` beside files is never taken for a new library: opening
//! refuses and says so, and [`repair`] brings the index back — from the newest good
//! backup, or rebuilt from the files that are there — without deleting anything.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::areas::AREA_MARKER;
use super::{DB_FILE, Library, LibraryError, MEDIA_DIR, Result, TRASH_DIR};
use crate::clock::{Clock, SECS_PER_DAY};
use crate::store;

/// Folder of the automatic backups.
pub const BACKUP_DIR: &str = "backups";
/// How many daily backups are kept.
pub const BACKUPS_KEPT: usize = 7;

/// What state `library.db` is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DbHealth {
    /// No library here yet: a new one may be made.
    New,
    Fine,
    Missing,
    Empty,
    Damaged,
}

impl DbHealth {
    fn describe(self) -> &'static str {
        match self {
            DbHealth::New | DbHealth::Fine => "fine",
            DbHealth::Missing => "missing",
            DbHealth::Empty => "empty",
            DbHealth::Damaged => "damaged",
        }
    }
}

/// Whether the library folder holds files Shoebox put there (copies, trashed files or
/// backups): then a missing database is a loss, not a new library.
pub(crate) fn holds_files(root: &Path) -> bool {
    let has_entries = |dir: &Path, ignore: &[&str]| {
        fs::read_dir(dir).is_ok_and(|rd| {
            rd.flatten()
                .any(|e| !ignore.iter().any(|i| e.file_name() == *i))
        })
    };
    has_entries(&root.join(MEDIA_DIR), &[])
        || has_entries(&root.join(TRASH_DIR), &[AREA_MARKER])
        || has_entries(&root.join(BACKUP_DIR), &[])
}

/// Looks at `library.db` without changing it, every page of it (SQLite's quick check).
pub fn db_health(root: &Path) -> DbHealth {
    health(root, true)
}

/// `thorough`: every page is read (as the repair does); else the header and the schema
/// only, which costs the same for any size of library (as every open does).
fn health(root: &Path, thorough: bool) -> DbHealth {
    let path = root.join(DB_FILE);
    let bad = |h: DbHealth| {
        if holds_files(root) { h } else { DbHealth::New }
    };
    match fs::metadata(&path) {
        Err(_) => return bad(DbHealth::Missing),
        Ok(m) if m.len() == 0 => return bad(DbHealth::Empty),
        Ok(_) => {}
    }
    match store::check_file(&path, thorough) {
        Ok(0) => bad(DbHealth::Empty),
        Ok(_) => DbHealth::Fine,
        Err(e) if is_corrupt(&e) => DbHealth::Damaged,
        // Busy, a full disk, an I/O error: not a verdict on the file; opening it will say.
        Err(_) => DbHealth::Fine,
    }
}

/// Whether SQLite says the file is not a (whole) database.
fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(err, _)
            if matches!(err.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// Refuses to open a library whose database is gone while its files are there.
pub(crate) fn refuse_lost_database(root: &Path) -> Result<()> {
    // A damaged page elsewhere is met (and named) by the statement that reads it.
    match health(root, false) {
        DbHealth::New | DbHealth::Fine => Ok(()),
        health => Err(LibraryError::DatabaseLost {
            state: health.describe(),
            path: root.join(DB_FILE),
        }),
    }
}

/// The backups in the library, newest first.
pub fn backups(root: &Path) -> Vec<(i64, PathBuf)> {
    let mut out: Vec<(i64, PathBuf)> = fs::read_dir(root.join(BACKUP_DIR))
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let t = name
                        .strip_prefix("library-")?
                        .strip_suffix(".db")?
                        .parse()
                        .ok()?;
                    Some((t, e.path()))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| b.cmp(a));
    out
}

impl Library {
    /// Takes a backup of the database when the newest is a day old or more (or there is
    /// none), and keeps the last seven. Returns the new backup's path when one was taken.
    pub fn backup_if_due(&self) -> Result<Option<PathBuf>> {
        self.backup_if_due_unless(&mut || false)
    }

    /// As [`Library::backup_if_due`], giving up as soon as `stop` says something else
    /// wants the library (the window's work never waits for a backup: one not finished is
    /// taken at a later quiet moment).
    pub fn backup_if_due_unless(&self, stop: &mut dyn FnMut() -> bool) -> Result<Option<PathBuf>> {
        let now = self.clock.now();
        if let Some((newest, _)) = backups(&self.root).first()
            && (0..SECS_PER_DAY).contains(&(now - newest))
        {
            return Ok(None);
        }
        self.take_backup(stop)
    }

    /// Takes a backup of the database now.
    pub fn backup_now(&self) -> Result<PathBuf> {
        self.take_backup(&mut || false)?
            .ok_or_else(|| LibraryError::Invalid("the backup was not finished".into()))
    }

    /// Takes a backup, unless `stop` says to give up first (then none is kept).
    fn take_backup(&self, stop: &mut dyn FnMut() -> bool) -> Result<Option<PathBuf>> {
        let dir = self.root.join(BACKUP_DIR);
        fs::create_dir_all(&dir)
            .map_err(|e| LibraryError::io("could not make the backup folder", &dir, e))?;
        let now = self.clock.now();
        let path = dir.join(format!("library-{now}.db"));
        let tmp = dir.join(format!("library-{now}.db.partial"));
        let _ = fs::remove_file(&tmp);
        let mut copy = || -> Result<bool> {
            if !store::copy_to(&self.conn, &tmp, stop)? {
                return Ok(false);
            }
            let flush = super::fsops::fsync_file(&tmp);
            flush.map_err(|e| LibraryError::io("could not flush the backup", &tmp, e))?;
            Ok(true)
        };
        match copy() {
            Ok(true) => {}
            // Given up, or failed (say, on a full disk): a partial backup is ours and
            // worthless, not kept.
            Ok(false) => {
                let _ = fs::remove_file(&tmp);
                return Ok(None);
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
        }
        fs::rename(&tmp, &path)
            .map_err(|e| LibraryError::io("could not keep the backup", &path, e))?;
        let _ = super::fsops::fsync_dir(&dir);
        for (_, old) in backups(&self.root).into_iter().skip(BACKUPS_KEPT) {
            if let Err(e) = fs::remove_file(&old) {
                log::warn!("could not remove an old backup {}: {e}", old.display());
            }
        }
        Ok(Some(path))
    }
}

/// What `shoebox repair` did.
#[derive(Debug, Clone, Serialize)]
pub struct RepairReport {
    /// What state library.db was found in.
    pub found: DbHealth,
    /// Where the damaged database was moved (it is never deleted).
    pub set_aside: Option<PathBuf>,
    /// The backup the index was restored from, if any.
    pub from_backup: Option<PathBuf>,
    /// Files in `media/` that no record knew, indexed as items again.
    pub indexed_media: usize,
    /// Files in trash areas that no record knew, back in the Trash.
    pub adopted_trash: usize,
}

/// Brings a library's index back when `library.db` is missing, empty or damaged: the
/// damaged file is set aside, the newest good backup restored (or a new index started),
/// and every file in `media/` and the trash areas that no record knows is indexed again.
/// Never deletes a file. On a healthy library it changes nothing.
pub fn repair(root: &Path, clock: Arc<dyn Clock>) -> Result<RepairReport> {
    let found = db_health(root);
    let mut report = RepairReport {
        found,
        set_aside: None,
        from_backup: None,
        indexed_media: 0,
        adopted_trash: 0,
    };
    if matches!(found, DbHealth::Fine | DbHealth::New) {
        return Ok(report);
    }
    let lock = super::take_lock(root)?;
    let db = root.join(DB_FILE);
    let now = clock.now();
    if fs::symlink_metadata(&db).is_ok() {
        let aside = root.join(format!("{DB_FILE}.damaged-{now}"));
        fs::rename(&db, &aside)
            .map_err(|e| LibraryError::io("could not set the damaged database aside", &db, e))?;
        for suffix in ["-wal", "-shm"] {
            let side = root.join(format!("{DB_FILE}{suffix}"));
            if side.exists() {
                let _ = fs::rename(&side, root.join(format!("{DB_FILE}.damaged-{now}{suffix}")));
            }
        }
        report.set_aside = Some(aside);
    }
    for (_, backup) in backups(root) {
        if store::check_file(&backup, true).is_ok_and(|v| v > 0) {
            fs::copy(&backup, &db)
                .map_err(|e| LibraryError::io("could not restore the backup", &backup, e))?;
            let _ = super::fsops::fsync_file(&db);
            report.from_backup = Some(backup);
            break;
        }
        log::warn!("skipping a damaged backup: {}", backup.display());
    }
    if report.from_backup.is_none() {
        // A new, empty index; opening it is allowed only here.
        let conn = store::open(&db)?;
        drop(conn);
    }
    drop(lock);
    let mut lib = Library::open_unchecked(root, clock)?;
    report.adopted_trash = lib.adopted_at_open;
    report.indexed_media = lib.index_unknown_media()?;
    Ok(report)
}

impl Library {
    /// Indexes every file in `media/` that no record knows as an active item in the
    /// collection "Recovered by Shoebox" (for `repair`). Returns how many.
    pub(crate) fn index_unknown_media(&mut self) -> Result<usize> {
        let media = self.root.join(MEDIA_DIR);
        let mut found = Vec::new();
        collect_files(&media, &mut found);
        let mut unknown = Vec::new();
        for path in found {
            let Ok(rel) = path.strip_prefix(&self.root) else {
                continue;
            };
            let Some(rel) = rel.to_str().map(str::to_string) else {
                continue;
            };
            if !store::importing::path_recorded(&self.conn, &rel)? {
                unknown.push((path, rel));
            }
        }
        if unknown.is_empty() {
            return Ok(0);
        }
        let (collection, _) = self.ensure_collection(None, "Recovered by Shoebox")?;
        let mut taken = std::collections::HashSet::new();
        let now = self.clock.now();
        let tx = store::write_tx(&mut self.conn)?;
        let mut count = 0;
        for (path, rel) in &unknown {
            let Ok((size, hash)) = super::fsops::hash_file(path) else {
                continue;
            };
            let stored_name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("file")
                .to_string();
            let name = super::import::shown_name(&stored_name).to_string();
            let name = super::import::free_name(&name, &taken);
            let key = super::import::name_key(&name);
            taken.insert(key.clone());
            let (dev, ino) = super::fsops::identity_of(path);
            store::insert_asset_tx(
                &tx,
                &store::NewAsset {
                    collection_id: Some(collection),
                    name: &name,
                    name_key: &key,
                    kind: crate::media::probe::kind_of(&name).as_str(),
                    size: size as i64,
                    hash: &hash,
                    imported_at: now,
                    ..Default::default()
                },
                &[store::NewFile {
                    role: "main",
                    path: rel,
                    size: size as i64,
                    hash: &hash,
                    dev,
                    ino,
                    trash_root_id: None,
                    trash_name: None,
                }],
            )?;
            count += 1;
        }
        tx.commit()?;
        Ok(count)
    }
}

/// Regular files below `dir`, never through a link.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        match e.file_type() {
            Ok(t) if t.is_dir() => collect_files(&e.path(), out),
            Ok(t) if t.is_file() => out.push(e.path()),
            _ => {}
        }
    }
}
