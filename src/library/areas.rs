//! Trash areas: the folders Shoebox made to hold trashed files (the library's own `trash/`
//! and a `.shoebox-trash-…` folder on each other drive). Files are only ever destroyed or
//! adopted inside one, so a folder counts as a trash area only when it is reached without
//! following a symbolic link anywhere on its path and holds the token Shoebox wrote into it
//! when it made it. A folder that fails either test is treated as offline: left alone.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::fsops::{self, SafeDir};
use super::{Library, LibraryError, Result};
use crate::store::areas;

/// The file inside a trash area that holds its token.
pub const AREA_MARKER: &str = ".shoebox-area";

/// Why a trash area cannot be used now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AreaProblem {
    /// Its drive or folder cannot be reached (unplugged, unmounted, a link on the way).
    Offline { path: PathBuf, why: String },
    /// A folder is there but it is not the one Shoebox made (its token does not match).
    Foreign { path: PathBuf },
}

impl std::fmt::Display for AreaProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AreaProblem::Offline { path, why } => write!(
                f,
                "the Trash's drive or folder is offline ({why}): {}",
                path.display()
            ),
            AreaProblem::Foreign { path } => write!(
                f,
                "the folder is not the trash area Shoebox made (its drive may have been swapped): {}",
                path.display()
            ),
        }
    }
}

impl Library {
    /// Opens trash area `id` for work that reads, moves out of, or destroys its files.
    pub(crate) fn open_area(&self, id: i64) -> Result<std::result::Result<SafeDir, AreaProblem>> {
        let (stored, token) = areas::area(&self.conn, id)?.ok_or_else(|| no_area(id))?;
        let path = self.trash_root_path(&stored)?;
        let dir = match SafeDir::open(&path) {
            Ok(d) => d,
            Err(e) => {
                return Ok(Err(AreaProblem::Offline {
                    path,
                    why: e.to_string(),
                }));
            }
        };
        let found = read_marker(&dir);
        match (token, found) {
            (Some(t), Some(f)) if t == f => Ok(Ok(dir)),
            (None, _) => Ok(Err(AreaProblem::Foreign { path })),
            _ => Ok(Err(AreaProblem::Foreign { path })),
        }
    }

    /// Gives a trash area whose record has no token yet (just made, or made by an older
    /// Shoebox) one: written into the folder and recorded. A recorded token is never replaced.
    pub(crate) fn mark_area(&self, id: i64, path: &Path) -> Result<()> {
        let dir = SafeDir::open(path)
            .map_err(|e| LibraryError::io("could not open the trash area", path, e))?;
        let recorded = areas::area(&self.conn, id)?.and_then(|(_, token)| token);
        if recorded.is_some() {
            // Known already: whether this folder is it, open_area decides; never re-mark.
            return Ok(());
        }
        if let Some(existing) = read_marker(&dir) {
            // Made by this library before its record lost the token (an older database).
            areas::set_token(&self.conn, id, &existing)?;
            return Ok(());
        }
        let token = new_token(path);
        let marker = path.join(AREA_MARKER);
        let write = || -> std::io::Result<()> {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            let mut f = crate::platform::no_follow(&mut opts).open(&marker)?;
            f.write_all(token.as_bytes())?;
            crate::platform::sync_file(&f)?;
            fsops::fsync_dir(path)
        };
        write().map_err(|e| LibraryError::io("could not mark the trash area", &marker, e))?;
        areas::set_token(&self.conn, id, &token)?;
        Ok(())
    }

    /// Trash areas made by a Shoebox that wrote no token get one the first time they are
    /// reached safely.
    pub(crate) fn mark_unmarked_areas(&self) -> Result<()> {
        for (id, stored) in areas::unmarked_areas(&self.conn)? {
            let Ok(path) = self.trash_root_path(&stored) else {
                continue;
            };
            if SafeDir::open(&path).is_ok()
                && let Err(e) = self.mark_area(id, &path)
            {
                log::warn!("could not mark a trash area: {e}");
            }
        }
        Ok(())
    }
}

fn read_marker(dir: &SafeDir) -> Option<String> {
    let mut f = dir.open_file(AREA_MARKER).ok()?;
    let mut text = String::new();
    Read::by_ref(&mut f)
        .take(256)
        .read_to_string(&mut text)
        .ok()?;
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// A token no other trash area has: a hash of the place, the time and this process.
fn new_token(path: &Path) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut seed = vec![0u8; 16];
    if crate::platform::random_bytes(&mut seed).is_err() {
        seed.clear();
    }
    seed.extend_from_slice(format!("{nanos}-{}-{}", std::process::id(), path.display()).as_bytes());
    blake3::hash(&seed).to_hex()[..32].to_string()
}

/// A trash area asked for by an id no record has (a damaged library).
pub(crate) fn no_area(id: i64) -> LibraryError {
    LibraryError::Invalid(format!("the library records no trash area {id}"))
}
