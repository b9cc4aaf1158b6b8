//! The one move engine: every file that goes to the Trash, comes back from it, or is
//! settled by recovery moves through here. A file is checked before it moves (a regular
//! file, never a link, with the recorded content) and after (at its destination, gone from
//! its source), so a record never claims a move that did not happen.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::ops::Range;
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
    let seen = match fs::symlink_metadata(path) {
        Ok(meta) => Seen::of(path, &meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Gone),
        Err(e) => return Err(e),
    };
    check_seen(path, seen, expect)
}

/// What a look at a file (`lstat`, never following a link) saw of it: enough to judge it
/// against its record without looking again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    pub is_file: bool,
    pub len: u64,
    pub dev: Option<i64>,
    pub ino: Option<i64>,
}

impl Seen {
    pub(crate) fn of(path: &Path, meta: &fs::Metadata) -> Seen {
        let is_file = meta.file_type().is_file();
        let (dev, ino) = if is_file {
            fsops::identity(path, meta)
        } else {
            (None, None)
        };
        Seen {
            is_file,
            len: meta.len(),
            dev,
            ino,
        }
    }
}

/// [`check_file`] of what a look at `path` just saw (the file is read only when its
/// device and inode do not match the record's hint).
pub(crate) fn check_seen(path: &Path, seen: Seen, expect: &Expect) -> io::Result<Found> {
    if !seen.is_file {
        return Ok(Found::NotAFile);
    }
    if seen.len != expect.size {
        return Ok(Found::Changed);
    }
    let Seen { dev, ino, .. } = seen;
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

/// How many files' intents one transaction records, at most, before they are handed to
/// the mover (see [`move_while_recording`]).
pub(crate) const MOVES_PER_INTENT: usize = 16_000;

/// The first part's files: the parts grow from this to [`MOVES_PER_INTENT`], doubling, so
/// the first files move soon after the action starts, and a large action is recorded in
/// few transactions (each costs a flush of the database and, as a rule, a checkpoint:
/// 100,000 items moved to the Trash in parts of 1,000 took 2.9 s, in parts of 4,000 2.56 s,
/// of 16,000 2.44 s).
const FIRST_PART: usize = 250;

/// The parts of a bulk action: consecutive ranges of whole groups, of about
/// [`FIRST_PART`] files, then twice that, up to [`MOVES_PER_INTENT`] (a group without
/// files counts as one).
fn parts<G>(groups: &[G], moves_of: impl Fn(&G) -> &[Move]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut size = FIRST_PART;
    while start < groups.len() {
        let mut end = start;
        let mut files = 0;
        while end < groups.len() && (end == start || files < size) {
            files += moves_of(&groups[end]).len().max(1);
            end += 1;
        }
        out.push(start..end);
        start = end;
        size = (size * 2).min(MOVES_PER_INTENT);
    }
    out
}

/// What the mover did with one part: each group's outcome, and whether the folders it
/// touched were flushed.
struct PartMoved {
    part: Range<usize>,
    outcomes: Vec<Result<(), String>>,
    flushed: Result<()>,
}

/// Runs a bulk action as a pipeline of parts (whole groups, about [`MOVES_PER_INTENT`]
/// files each): `record` commits a part's intent; only then are its files moved, each
/// group all or nothing (see [`run_moves`]), and the folders they touched flushed, on a
/// thread of their own; then `finish` records how the part ended (each group's outcome).
/// While one part's files move, this thread records the next part and finishes the one
/// before: the records' work and the renames overlap, and no file moves before its record
/// says where it goes, nor is a move recorded done before it is flushed.
///
/// Returns each group's outcome, in order. When `record` fails, no later part is started;
/// when a flush or `finish` fails, no later part is started or finished (a failed flush is
/// not retried: those records stay mid-move, for recovery); the parts under way are moved
/// either way, and the error is returned.
pub(crate) fn move_while_recording<G: Sync, C>(
    groups: &[G],
    moves_of: impl Fn(&G) -> &[Move] + Sync,
    ctx: &mut C,
    mut record: impl FnMut(&mut C, Range<usize>) -> Result<()>,
    mut finish: impl FnMut(&mut C, Range<usize>, &[Result<(), String>]) -> Result<()>,
) -> Result<Vec<Result<(), String>>> {
    let parts = parts(groups, &moves_of);
    std::thread::scope(|s| {
        let (to_mover, todo) = std::sync::mpsc::channel::<Range<usize>>();
        let (from_mover, done) = std::sync::mpsc::channel::<PartMoved>();
        let moves_of = &moves_of;
        s.spawn(move || {
            for part in todo {
                let mut dirs = BTreeSet::new();
                let outcomes = groups[part.clone()]
                    .iter()
                    .map(|g| run_moves(moves_of(g), &mut dirs))
                    .collect();
                let flushed = sync_dirs(&dirs);
                if from_mover
                    .send(PartMoved {
                        part,
                        outcomes,
                        flushed,
                    })
                    .is_err()
                {
                    break;
                }
            }
        });
        let mut outcomes = Vec::with_capacity(groups.len());
        // A failed flush or finish stops the finishing of later parts; a failed record
        // stops the starting of later parts, but those under way are finished.
        let mut unfinished = None;
        let mut finish_part = |ctx: &mut C, moved: PartMoved, unfinished: &mut Option<_>| {
            if unfinished.is_none() {
                let finished = moved
                    .flushed
                    .and_then(|()| finish(ctx, moved.part, &moved.outcomes));
                if let Err(e) = finished {
                    *unfinished = Some(e);
                }
            }
            outcomes.extend(moved.outcomes);
        };
        let mut unrecorded = None;
        let mut under_way = 0;
        for part in parts {
            if unfinished.is_some() {
                break;
            }
            if let Err(e) = record(ctx, part.clone()) {
                unrecorded = Some(e);
                break;
            }
            if to_mover.send(part).is_err() {
                break;
            }
            under_way += 1;
            // Finish what has moved meanwhile.
            while let Ok(moved) = done.try_recv() {
                finish_part(ctx, moved, &mut unfinished);
                under_way -= 1;
            }
        }
        drop(to_mover);
        for moved in done.iter().take(under_way) {
            finish_part(ctx, moved, &mut unfinished);
        }
        if let Some(e) = unrecorded.or(unfinished) {
            return Err(e);
        }
        if outcomes.len() != groups.len() {
            return Err(LibraryError::Invalid(
                "moving the files stopped unexpectedly".into(),
            ));
        }
        Ok(outcomes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` groups of one small file each, in `dir/from`, to go to `dir/to`.
    fn groups(dir: &Path, n: usize) -> Vec<Vec<Move>> {
        let (from, to) = (dir.join("from"), dir.join("to"));
        fs::create_dir_all(&from).unwrap();
        fs::create_dir_all(&to).unwrap();
        (0..n)
            .map(|i| {
                let name = format!("f{i}");
                fs::write(from.join(&name), b"x").unwrap();
                vec![Move {
                    from: from.join(&name),
                    to: to.join(&name),
                    size: 1,
                    hash: String::new(),
                }]
            })
            .collect()
    }

    /// What the callbacks saw, in order.
    #[derive(Debug, PartialEq)]
    enum Step {
        Recorded(Range<usize>),
        Finished(Range<usize>),
    }

    #[test]
    fn files_move_only_after_their_intent_and_are_finished_only_once_moved() {
        let dir = tempfile::tempdir().unwrap();
        let groups = groups(dir.path(), 3 * FIRST_PART + 10);
        let parts = parts(&groups, Vec::as_slice);
        assert_eq!(parts.len(), 3, "{parts:?}");
        let mut steps = Vec::new();
        let outcomes = move_while_recording(
            &groups,
            Vec::as_slice,
            &mut steps,
            |steps, range| {
                for g in &groups[range.clone()] {
                    assert!(g[0].from.exists(), "moved before its intent was recorded");
                }
                steps.push(Step::Recorded(range));
                Ok(())
            },
            |steps, range, outcomes| {
                assert_eq!(outcomes.len(), range.len());
                for g in &groups[range.clone()] {
                    assert!(g[0].to.exists() && !g[0].from.exists(), "finished unmoved");
                }
                steps.push(Step::Finished(range));
                Ok(())
            },
        )
        .unwrap();
        for part in &parts {
            let recorded = steps
                .iter()
                .position(|s| *s == Step::Recorded(part.clone()));
            let finished = steps
                .iter()
                .position(|s| *s == Step::Finished(part.clone()));
            assert!(recorded.unwrap() < finished.unwrap(), "{steps:?}");
        }
        assert_eq!(steps.len(), 6, "{steps:?}");
        assert_eq!(outcomes.len(), groups.len());
        assert!(outcomes.iter().all(Result::is_ok));
    }

    #[test]
    fn a_failed_record_moves_and_finishes_what_was_recorded_before_it_and_nothing_after() {
        let dir = tempfile::tempdir().unwrap();
        let groups = groups(dir.path(), 7 * FIRST_PART);
        let first_part = parts(&groups, Vec::as_slice)[0].clone();
        let mut finished = Vec::new();
        let mut calls = 0;
        let result = move_while_recording(
            &groups,
            Vec::as_slice,
            &mut finished,
            |_, _| {
                calls += 1;
                if calls == 2 {
                    return Err(LibraryError::Invalid("the disk is full".into()));
                }
                Ok(())
            },
            |finished, range, _| {
                finished.push(range);
                Ok(())
            },
        );
        assert!(matches!(result, Err(LibraryError::Invalid(m)) if m == "the disk is full"));
        assert_eq!(finished, vec![first_part.clone()]);
        for (i, g) in groups.iter().enumerate() {
            let first = first_part.contains(&i);
            assert_eq!(g[0].to.exists(), first, "file {i}");
            assert_eq!(g[0].from.exists(), !first, "file {i}");
        }
    }

    #[test]
    fn a_failed_finish_starts_and_finishes_nothing_more() {
        #[derive(Default)]
        struct Seen {
            records: usize,
            finishes: usize,
        }
        let dir = tempfile::tempdir().unwrap();
        let groups = groups(dir.path(), 31 * FIRST_PART);
        let parts = parts(&groups, Vec::as_slice);
        assert_eq!(parts.len(), 5, "{parts:?}");
        let mut seen = Seen::default();
        let result = move_while_recording(
            &groups,
            Vec::as_slice,
            &mut seen,
            |seen, range| {
                assert_eq!(seen.finishes, 0, "a part was started after a finish failed");
                seen.records += 1;
                // Give the part before time to move (however slow the machine), so that a
                // finish usually comes before the last part is started.
                if let Some(before) = range.start.checked_sub(1) {
                    let moved = &groups[before][0].to;
                    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
                    while !moved.exists() && std::time::Instant::now() < until {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Ok(())
            },
            |seen, _, _| {
                seen.finishes += 1;
                Err(LibraryError::Invalid("the database is gone".into()))
            },
        );
        assert!(matches!(result, Err(LibraryError::Invalid(m)) if m == "the database is gone"));
        assert_eq!(seen.finishes, 1);
        // What was recorded moved; nothing else did.
        let moved = groups.iter().filter(|g| g[0].to.exists()).count();
        let recorded: usize = parts[..seen.records]
            .iter()
            .map(ExactSizeIterator::len)
            .sum();
        assert_eq!(moved, recorded);
    }

    #[test]
    fn parts_grow_from_a_small_first_one_to_the_most_one_transaction_records_and_keep_groups_whole()
    {
        // Groups of one file, then one of three files astride where a part would end.
        let one = |i: usize| {
            vec![Move {
                from: PathBuf::from(format!("f{i}")),
                to: PathBuf::from(format!("t{i}")),
                size: 1,
                hash: String::new(),
            }]
        };
        let mut groups: Vec<Vec<Move>> = (0..FIRST_PART - 1).map(one).collect();
        groups.push([one(1), one(2), one(3)].concat());
        groups.extend((0..3 * MOVES_PER_INTENT).map(one));
        let parts = parts(&groups, Vec::as_slice);
        let files = |r: &Range<usize>| groups[r.clone()].iter().map(Vec::len).sum::<usize>();
        // The three-file group ends the first part whole.
        assert_eq!(parts[0], 0..FIRST_PART);
        assert_eq!(files(&parts[0]), FIRST_PART + 2);
        // Then each twice the one before, up to the most; the last holds what is left.
        let sizes: Vec<usize> = parts.iter().map(files).collect();
        let mut want = 2 * FIRST_PART;
        for &size in &sizes[1..sizes.len() - 1] {
            assert_eq!(size, want, "{sizes:?}");
            want = (want * 2).min(MOVES_PER_INTENT);
        }
        assert!(sizes.contains(&MOVES_PER_INTENT), "{sizes:?}");
        assert!(
            sizes.iter().all(|&n| n <= MOVES_PER_INTENT + 2),
            "{sizes:?}"
        );
        // One after the other, every group once.
        assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(parts.last().map(|r| r.end), Some(groups.len()));
    }

    #[test]
    fn a_group_that_cannot_move_is_put_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut groups = groups(dir.path(), 3);
        // The middle group's second file would land on a file already there.
        let extra = dir.path().join("from").join("extra");
        fs::write(&extra, b"y").unwrap();
        fs::write(dir.path().join("to").join("taken"), b"z").unwrap();
        groups[1].push(Move {
            from: extra.clone(),
            to: dir.path().join("to").join("taken"),
            size: 1,
            hash: String::new(),
        });
        let outcomes = move_while_recording(
            &groups,
            Vec::as_slice,
            &mut (),
            |(), _| Ok(()),
            |(), _, _| Ok(()),
        )
        .unwrap();
        assert!(outcomes[0].is_ok() && outcomes[2].is_ok());
        assert!(
            outcomes[1].as_ref().is_err_and(|e| e.contains("already")),
            "{outcomes:?}"
        );
        // Its first file came back; the file in the way and its own are untouched.
        assert!(groups[1][0].from.exists() && !groups[1][0].to.exists());
        assert!(extra.exists());
        assert_eq!(fs::read(dir.path().join("to").join("taken")).unwrap(), b"z");
        assert!(groups[0][0].to.exists() && groups[2][0].to.exists());
    }
}
