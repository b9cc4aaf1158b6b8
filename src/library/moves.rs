//! The one move engine: every file that goes to the Trash, comes back from it, or is
//! settled by recovery moves through here. A file is checked before it moves (a regular
//! file, never a link, with the recorded content) and after (at its destination, gone from
//! its source), so a record never claims a move that did not happen.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::fsops;
use super::{LibraryError, Result};

/// What a recorded file must be to be moved.
#[derive(Debug, Clone)]
pub(crate) struct Expect {
    pub size: u64,
    pub hash: String,
    /// Device and inode when it was last seen: a hint, not its identity.
    pub dev: Option<i64>,
    pub ino: Option<i64>,
}

/// What is at a recorded file's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// The recorded file; `dev_ino` is where it lives now (re-learnt when the hint was stale,
    /// as after the library was copied to another disk).
    File { dev: Option<i64>, ino: Option<i64> },
    /// Nothing there.
    Gone,
    /// A link, a folder or another non-file is in its place.
    NotAFile,
    /// A regular file, but not the recorded content.
    Changed,
}

/// Looks at `path` without following a link: is it the recorded file? Content is the
/// identity (size, then hash); a matching device and inode spare reading the file.
pub(crate) fn check_file(path: &Path, expect: &Expect) -> io::Result<Found> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Gone),
        Err(e) => return Err(e),
    };
    if !meta.file_type().is_file() {
        return Ok(Found::NotAFile);
    }
    if meta.len() != expect.size {
        return Ok(Found::Changed);
    }
    let (dev, ino) = fsops::identity(path, &meta);
    let hint_matches = expect.ino.is_some() && (expect.dev, expect.ino) == (dev, ino);
    if !hint_matches {
        let (_, hash) = fsops::hash_file(path)?;
        if hash != expect.hash {
            return Ok(Found::Changed);
        }
    }
    Ok(Found::File { dev, ino })
}

/// One file to move, and where.
#[derive(Debug, Clone)]
pub(crate) struct Move {
    pub from: PathBuf,
    pub to: PathBuf,
    pub size: u64,
    pub hash: String,
}

/// Moves one file without replacing anything, then checks it arrived: a regular file of
/// the recorded size at `to`, and nothing left at `from`.
pub(crate) fn move_checked(m: &Move) -> io::Result<fsops::MoveHow> {
    let how = fsops::move_file(&m.from, &m.to, &m.hash)?;
    let arrived = fs::symlink_metadata(&m.to).is_ok_and(|d| d.is_file() && d.len() == m.size);
    let left = fsops::exists_nofollow(&m.from);
    if !arrived || left {
        return Err(io::Error::other(format!(
            "the file did not arrive whole at {}",
            m.to.display()
        )));
    }
    Ok(how)
}

/// Moves files; on the first failure moves back what was moved and says why. The folders
/// touched are added to `dirs`, to be flushed by [`sync_dirs`].
pub(crate) fn run_moves(moves: &[Move], dirs: &mut BTreeSet<PathBuf>) -> Result<(), String> {
    for (i, m) in moves.iter().enumerate() {
        if let Err(e) = move_checked(m) {
            roll_back(&moves[..i]);
            return Err(describe(&e, m));
        }
        for p in [&m.from, &m.to] {
            if let Some(d) = p.parent() {
                dirs.insert(d.to_path_buf());
            }
        }
    }
    Ok(())
}

/// Moves files back where they came from, newest first (after a later move failed).
pub(crate) fn roll_back(moved: &[Move]) {
    for m in moved.iter().rev() {
        let back = Move {
            from: m.to.clone(),
            to: m.from.clone(),
            size: m.size,
            hash: m.hash.clone(),
        };
        if let Err(e) = move_checked(&back) {
            log::error!("could not move {} back: {e}", back.from.display());
        }
    }
}

fn describe(e: &io::Error, m: &Move) -> String {
    if e.kind() == io::ErrorKind::AlreadyExists {
        format!("a file is already at {}", m.to.display())
    } else if e.kind() == io::ErrorKind::ReadOnlyFilesystem
        || e.kind() == io::ErrorKind::PermissionDenied
    {
        format!(
            "cannot move the file on this drive ({e}); nothing was deleted: {}",
            m.from.display()
        )
    } else if e.kind() == io::ErrorKind::StorageFull {
        format!("the disk is full; nothing was moved: {}", m.to.display())
    } else {
        format!("could not move {}: {e}", m.from.display())
    }
}

/// Flushes folders so the renames in them are durable. A failed flush is not retried: the
/// records stay mid-move for recovery.
pub(crate) fn sync_dirs(dirs: &BTreeSet<PathBuf>) -> Result<()> {
    // Many folders on one drive (copies spread over `media/`'s sub-folders) are flushed
    // with one `syncfs` of that drive; a few are flushed one by one.
    let mut by_device: std::collections::BTreeMap<Option<i64>, Vec<&PathBuf>> =
        std::collections::BTreeMap::new();
    for d in dirs {
        let dev = fsops::identity_of(d).0;
        by_device.entry(dev).or_default().push(d);
    }
    for (dev, group) in by_device {
        if dev.is_some() && group.len() > SYNCFS_ABOVE && fsops::sync_filesystem(group[0]).is_ok() {
            continue;
        }
        for d in group {
            fsops::fsync_dir(d)
                .map_err(|e| LibraryError::io("could not flush the folder to disk", d, e))?;
        }
    }
    Ok(())
}

/// More folders than this on one drive are flushed with one `syncfs`.
const SYNCFS_ABOVE: usize = 8;
