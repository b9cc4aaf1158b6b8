//! The one writer: a named thread owns the [`Library`]; the UI sends it [`Job`]s and reads
//! [`Reply`]s in `logic`. Every reply after a change carries a fresh [`Snapshot`], so the
//! UI never queries the database while drawing. Tests run the same jobs inline.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::library::{
    AssetId, AssetInfo, BatchId, BatchInfo, BulkReport, CollectionId, CollectionInfo, FileCheck,
    Followed, GalleryQuery, ImportOptions, ImportProgress, ImportReport, ItemId, Library,
    LibraryError, RestoreOptions, SweepReport, TrashEntry, TrashSort,
};

/// What the UI shows, read in one go after each change. The Gallery's items are not in it
/// (there may be a million): they come as a view's ids ([`Reply::View`]) and the records
/// of the rows drawn ([`Reply::Rows`]).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// How many assets the Gallery holds in all.
    pub asset_count: usize,
    /// How many each collection holds directly (`None`: the top of the library).
    pub asset_counts: Arc<std::collections::HashMap<Option<CollectionId>, u64>>,
    pub collections: Arc<Vec<CollectionInfo>>,
    pub trash: Arc<Vec<TrashEntry>>,
    /// What the trashed collections hold (each with `within`).
    pub trash_inside: Arc<Vec<TrashEntry>>,
    /// Where each trashed collection (an entry or inside one) is in the Trash's listing.
    pub trashed_collections: Arc<std::collections::HashMap<CollectionId, usize>>,
    pub batches: Arc<Vec<BatchInfo>>,
    pub library_size: u64,
    pub trash_size: u64,
    pub retention_days: i64,
    pub sweep_interval_minutes: i64,
    /// New files in folders imported in place join the library.
    pub join_new_files: bool,
    /// Ratings, flags, labels and keywords go into the items' XMP sidecars too.
    pub write_xmp: bool,
    /// Why automatic purging waits (a clock problem), if it does.
    pub clock_hold: Option<crate::library::ClockHold>,
    /// The version of the assets (see [`Library::assets_version`]): the Gallery's view is
    /// read again when it has moved on since its last read.
    pub assets_version: u64,
    /// Every keyword by path, with how many items of the Gallery carry it.
    pub keywords: Arc<Vec<(String, u64)>>,
    /// The searches saved as smart collections.
    pub smart: Arc<Vec<crate::store::culling::SmartCollection>>,
    /// The cameras the items were taken with (the filter bar offers them).
    pub cameras: Arc<Vec<String>>,
}

impl Snapshot {
    /// A collection's name, path and how many items it holds (in sub-collections too).
    pub fn collection_holding(&self, c: CollectionId) -> Option<(&str, &str, usize)> {
        let info = self
            .collections
            .iter()
            .find(|x| x.id == ItemId::Collection(c))?;
        let path = info.path.as_str();
        let inside = self
            .collections
            .iter()
            .filter(|x| {
                x.path == path
                    || x.path
                        .strip_prefix(path)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .filter_map(|x| self.asset_counts.get(&x.id.collection()))
            .sum::<u64>();
        Some((info.name.as_str(), path, inside as usize))
    }

    /// A row of the Trash's listing: an entry (`i < trash.len()`), or after them an item
    /// inside a trashed collection.
    pub fn trash_item(&self, i: usize) -> Option<&TrashEntry> {
        match i.checked_sub(self.trash.len()) {
            None => self.trash.get(i),
            Some(j) => self.trash_inside.get(j),
        }
    }

    /// Every row of the Trash's listing, with its index: the entries, then what is inside.
    pub fn trash_items(&self) -> impl Iterator<Item = (usize, &TrashEntry)> {
        self.trash
            .iter()
            .chain(self.trash_inside.iter())
            .enumerate()
    }

    /// A trashed collection, an entry or inside one.
    pub fn trashed_collection(&self, c: CollectionId) -> Option<&TrashEntry> {
        self.trash_item(*self.trashed_collections.get(&c)?)
    }
}

/// Work for the library thread. Each variant says what the user asked for.
#[derive(Debug, Clone)]
pub enum Job {
    /// Read everything again (e.g. days left move on with the clock).
    Refresh,
    /// The ids of what a view of the Gallery shows, in order (a read: no snapshot): the
    /// first `limit` of them (the head of a new view, answered at once whatever the
    /// library's size), or all of them. A read of all stops early once `wanted` has moved
    /// on from `generation` (the user typed on: its answer would not be taken).
    View {
        query: GalleryQuery,
        generation: u64,
        limit: Option<usize>,
        wanted: Arc<std::sync::atomic::AtomicU64>,
    },
    /// The records of these rows of the Gallery (a read), in the data generation given.
    Rows {
        ids: Vec<AssetId>,
        generation: u64,
    },
    /// The next page of pictures to make thumbnails of ahead, after this id (a read).
    Ahead(AssetId),
    /// The folders holding files imported in place, to watch (a read; after the first
    /// frame and after changes that can add folders, never before the library shows):
    /// those of the files after the file id `after` added to `found`, a page at a time,
    /// so the reads the window waits for go between the pages.
    Folders {
        after: i64,
        found: std::collections::BTreeSet<PathBuf>,
    },
    Import {
        paths: Vec<PathBuf>,
        opts: ImportOptions,
    },
    /// Move to the Trash.
    Trash(Vec<ItemId>),
    /// Skip the Trash: destroy now (after the user's irreversible confirmation).
    DeleteNow(Vec<ItemId>),
    Restore {
        id: ItemId,
        opts: RestoreOptions,
    },
    RestoreMany(Vec<ItemId>),
    /// Several items whose location is lost, to the place the user chose.
    RestoreManyWith {
        ids: Vec<ItemId>,
        opts: RestoreOptions,
    },
    RestoreBatch(BatchId),
    DeletePermanently(Vec<ItemId>),
    EmptyTrash,
    /// The expiry sweep (startup and timer).
    Sweep,
    /// Look for files changed or removed outside Shoebox.
    CheckFiles,
    /// The rest of a file check, after the assets up to `after` (the check goes a page at a
    /// time, resting between pages: the window's reads and the user's changes go between).
    CheckingFiles {
        after: AssetId,
        sum: FileCheck,
    },
    ConfirmClock,
    SaveSettings {
        retention_days: i64,
        sweep_interval_minutes: i64,
        join_new_files: bool,
        write_xmp: bool,
    },
    /// How many entries a retention of this many days would purge.
    CountExpired(i64),
    CreateCollection {
        parent: Option<CollectionId>,
        name: String,
    },
    RenameCollection {
        id: CollectionId,
        name: String,
    },
    MoveCollection {
        id: CollectionId,
        parent: Option<CollectionId>,
    },
    /// Move assets into a collection (`None`: the top).
    MoveAssets {
        ids: Vec<ItemId>,
        to: Option<CollectionId>,
    },
    /// Ratings, flags, labels or keywords given (all of the steps or none); `undoing`: the
    /// steps take back an earlier change.
    Cull {
        steps: crate::library::Steps,
        undoing: bool,
    },
    /// Every reject the view shows, to the Trash as one batch.
    TrashRejected(GalleryQuery),
    /// A keyword renamed or moved (those below it follow).
    RenameKeyword {
        from: crate::store::culling::Keyword,
        to: crate::store::culling::Keyword,
    },
    /// A keyword, and those below it, taken from every item.
    DeleteKeyword(crate::store::culling::Keyword),
    /// A search saved as a smart collection.
    SaveSearch {
        name: String,
        search: String,
    },
    /// A smart collection forgotten.
    ForgetSearch(i64),
}

impl Job {
    /// Only reads what the window shows: it changes nothing, is not "working", and is
    /// answered without a snapshot.
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            Job::View { .. } | Job::Rows { .. } | Job::Ahead(_) | Job::Folders { .. }
        )
    }
}

/// What the library thread answers.
#[derive(Debug)]
pub enum Reply {
    Snapshot(Snapshot),
    /// A view's ids in order, and the bytes they hold; `complete`: all of them (else the
    /// head of the view, the rest to be read); `version`: the assets' version read;
    /// `rejected`: how many rejects it shows (counted once it is complete).
    View {
        generation: u64,
        ids: Vec<ItemId>,
        bytes: u64,
        complete: bool,
        version: u64,
        rejected: u64,
        /// Where each group of a grouped view by date starts, and its header.
        groups: Vec<(usize, String)>,
    },
    /// Records of the Gallery's rows.
    Rows {
        rows: Vec<AssetInfo>,
        generation: u64,
    },
    /// The folders holding files imported in place.
    Folders(Vec<PathBuf>),
    /// The rest of background work done a page at a time (a file check, the folders to
    /// watch), to run once `rest` has passed and behind the jobs asked for meanwhile: the
    /// work is paced, it never keeps the library's thread, or the disk, to itself. The job
    /// is not done until its last page; this never reaches the window.
    Later {
        job: Job,
        rest: std::time::Duration,
    },
    /// Pictures to make thumbnails of ahead, and whether more follow.
    Ahead {
        pictures: Vec<AssetInfo>,
        more: bool,
    },
    Progress(ImportProgress),
    Imported(ImportReport),
    Trashed(BulkReport),
    DeletedNow(BulkReport),
    /// A single restore: Ok, or the error (conflict, lost location, …) to resolve.
    Restored {
        id: ItemId,
        /// As asked: a question that follows (a new name) keeps the place already chosen.
        opts: RestoreOptions,
        result: Result<(), RestoreError>,
    },
    RestoredMany(BulkReport),
    /// Ratings, flags, labels or keywords given: the first change asked for, how many
    /// items it was asked of, and what the library did.
    Culled {
        change: Option<crate::library::Cull>,
        items: usize,
        undoing: bool,
        culled: crate::library::Culled,
    },
    Deleted(BulkReport),
    Moved(BulkReport),
    Emptied(BulkReport),
    Swept(SweepReport),
    /// A file check, and what following the folders imported in place found.
    Checked(FileCheck, Followed),
    ExpiredCount {
        retention_days: i64,
        count: usize,
    },
    /// XMP sidecars that could not be written (the library keeps the values).
    Unwritten(Vec<crate::library::Unwritten>),
    /// A job failed as a whole: what it was, and the library's error.
    Failed {
        what: String,
        error: LibraryError,
    },
    /// The library thread finished a job.
    Done,
}

/// Why a restore stopped, in the terms the dialogs need.
#[derive(Debug, Clone)]
pub enum RestoreError {
    NameConflict { message: String, suggestion: String },
    LostLocation { message: String, folder: bool },
    Other(String),
}

/// Runs one job on the library, producing its replies.
pub fn execute(
    lib: &mut Library,
    job: Job,
    progress: &mut dyn FnMut(&ImportProgress),
) -> Vec<Reply> {
    let mut out = Vec::new();
    let changed = match job {
        Job::Refresh => true,
        Job::View {
            query,
            generation,
            limit,
            wanted,
        } => {
            // How often a long read looks whether it is still wanted.
            const LOOK_EVERY: usize = 4_096;
            let mut ids = Vec::new();
            let mut bytes = 0;
            let mut complete = true;
            let mut superseded = false;
            let mut groups: Vec<(usize, String)> = Vec::new();
            // The span of the group the last date was in.
            let mut span: Option<(i64, i64)> = None;
            let read = lib.assets_version().and_then(|version| {
                lib.each_gallery_id_dated(&query, &mut |id, size, date| {
                    if limit.is_some_and(|n| ids.len() >= n) {
                        complete = false;
                        return false;
                    }
                    if ids.len() % LOOK_EVERY == LOOK_EVERY - 1
                        && wanted.load(std::sync::atomic::Ordering::Relaxed) != generation
                    {
                        superseded = true;
                        return false;
                    }
                    if let Some(d) = date
                        && span.is_none_or(|(from, until)| d < from || d >= until)
                        && let Some((header, from, until)) = query.group.group_of(d)
                    {
                        span = Some((from, until));
                        if groups.last().is_none_or(|(_, last)| *last != header) {
                            groups.push((ids.len(), header));
                        }
                    }
                    ids.push(ItemId::Asset(id));
                    bytes += size;
                    true
                })
                .map(|()| version)
            });
            // The rejects of a whole view, for its "Move rejected to the Trash".
            let read = read.and_then(|version| {
                let rejected = if complete && !superseded {
                    lib.rejected_in_view(&query)?.len() as u64
                } else {
                    0
                };
                Ok((version, rejected))
            });
            match read {
                Ok(_) if superseded => {}
                Ok((version, rejected)) => out.push(Reply::View {
                    generation,
                    ids,
                    bytes,
                    complete,
                    version,
                    rejected,
                    groups,
                }),
                Err(e) => out.push(Reply::Failed {
                    what: "Reading the library".into(),
                    error: e,
                }),
            }
            false
        }
        Job::Rows { ids, generation } => {
            let rows = match lib.assets_by_id(&ids) {
                Ok(rows) => rows,
                Err(e) => {
                    out.push(Reply::Failed {
                        what: "Reading the library".into(),
                        error: e,
                    });
                    Vec::new()
                }
            };
            // Always answered: the window asks for one page at a time.
            out.push(Reply::Rows { rows, generation });
            false
        }
        Job::Folders { after, mut found } => {
            // A page is some milliseconds; the pages are paced like the file check's.
            const PAGE: usize = 10_000;
            let started = std::time::Instant::now();
            match lib.in_place_folders_page(after, PAGE, &mut found) {
                Ok(Some(after)) => out.push(Reply::Later {
                    job: Job::Folders { after, found },
                    rest: started.elapsed(),
                }),
                Ok(None) => out.push(Reply::Folders(found.into_iter().collect())),
                Err(e) => out.push(Reply::Failed {
                    what: "Reading the library".into(),
                    error: e,
                }),
            }
            false
        }
        Job::Ahead(after) => {
            const PAGE: usize = 2_000;
            match lib.pictures_after(after, PAGE) {
                Ok(pictures) => {
                    let more = pictures.len() == PAGE;
                    out.push(Reply::Ahead { pictures, more });
                }
                Err(e) => out.push(Reply::Failed {
                    what: "Reading the library".into(),
                    error: e,
                }),
            }
            false
        }
        Job::Import { paths, opts } => push(
            &mut out,
            "Import",
            lib.import(&paths, &opts, progress),
            Reply::Imported,
        ),
        Job::Trash(ids) => push(&mut out, "Move to Trash", lib.trash(&ids), Reply::Trashed),
        Job::DeleteNow(ids) => push(&mut out, "Delete", lib.delete_now(&ids), Reply::DeletedNow),
        Job::Restore { id, opts } => {
            // Said for the window: the command line's "name conflict:" prefixes and its
            // advice about flags do not belong in a dialog.
            let result = lib.restore(id, &opts).map_err(|e| match e {
                LibraryError::NameConflict {
                    what, suggestion, ..
                } => RestoreError::NameConflict {
                    message: format!(
                        "{} is already {}. Restore it under another name:",
                        capitalized(&what),
                        if opts.to.is_some() || opts.folder.is_some() {
                            "there"
                        } else {
                            "at its original place"
                        }
                    ),
                    suggestion,
                },
                LibraryError::LostLocation { reason, folder, .. } => RestoreError::LostLocation {
                    message: format!("Its original place is gone: {reason}."),
                    folder,
                },
                other => RestoreError::Other(capitalized(&other.to_string())),
            });
            out.push(Reply::Restored { id, opts, result });
            true
        }
        Job::RestoreMany(ids) => push(
            &mut out,
            "Restore",
            lib.restore_many(&ids),
            Reply::RestoredMany,
        ),
        Job::RestoreManyWith { ids, opts } => push(
            &mut out,
            "Restore",
            lib.restore_many_with(&ids, &opts),
            Reply::RestoredMany,
        ),
        Job::RestoreBatch(b) => push(&mut out, "Undo", lib.restore_batch(b), Reply::RestoredMany),
        Job::DeletePermanently(ids) => push(
            &mut out,
            "Delete permanently",
            lib.delete_permanently(&ids),
            Reply::Deleted,
        ),
        Job::EmptyTrash => push(&mut out, "Empty Trash", lib.empty_trash(), Reply::Emptied),
        Job::Sweep => push(&mut out, "Sweep", lib.sweep(), Reply::Swept),
        Job::CheckFiles => check_files(lib, None, FileCheck::default(), &mut out),
        Job::CheckingFiles { after, sum } => check_files(lib, Some(after), sum, &mut out),
        Job::ConfirmClock => push(&mut out, "Confirm the clock", lib.confirm_clock(), |_| {
            Reply::Swept(SweepReport::default())
        }),
        Job::SaveSettings {
            retention_days,
            sweep_interval_minutes,
            join_new_files,
            write_xmp,
        } => {
            let r = lib
                .set_retention_days(retention_days)
                .and_then(|_| lib.set_sweep_interval_minutes(sweep_interval_minutes))
                .and_then(|_| lib.set_join_new_files(join_new_files))
                .and_then(|_| lib.set_write_xmp(write_xmp));
            if let Err(e) = r {
                out.push(Reply::Failed {
                    what: "Settings".into(),
                    error: e,
                });
            }
            true
        }
        Job::CountExpired(days) => {
            match lib.expired_count(days) {
                Ok(count) => out.push(Reply::ExpiredCount {
                    retention_days: days,
                    count,
                }),
                Err(e) => out.push(Reply::Failed {
                    what: "Settings".into(),
                    error: e,
                }),
            }
            false
        }
        Job::CreateCollection { parent, name } => push_unit(
            &mut out,
            "New collection",
            lib.create_collection(parent, &name).map(|_| ()),
        ),
        Job::RenameCollection { id, name } => {
            push_unit(&mut out, "Rename", lib.rename_collection(id, &name))
        }
        Job::MoveCollection { id, parent } => {
            push_unit(&mut out, "Move", lib.move_collection(id, parent))
        }
        Job::MoveAssets { ids, to } => {
            push(&mut out, "Move", lib.move_assets(&ids, to), Reply::Moved)
        }
        Job::Cull { steps, undoing } => {
            let change = steps.first().map(|(_, c)| c.clone());
            let items = steps.first().map_or(0, |(ids, _)| ids.len());
            let culled = lib.cull_all(&steps).map(|mut culled| {
                push_unwritten(&mut out, std::mem::take(&mut culled.unwritten));
                culled
            });
            push(
                &mut out,
                if undoing { "Undo" } else { "Culling" },
                culled,
                |culled| Reply::Culled {
                    change,
                    items,
                    undoing,
                    culled,
                },
            )
        }
        Job::RenameKeyword { from, to } => {
            let renamed = lib.rename_keyword(&from, &to);
            let renamed = renamed.map(|unwritten| push_unwritten(&mut out, unwritten));
            push_unit(&mut out, "Rename keyword", renamed)
        }
        Job::SaveSearch { name, search } => push_unit(
            &mut out,
            "Save search",
            lib.save_search(&name, &search).map(|_| ()),
        ),
        Job::ForgetSearch(id) => push_unit(&mut out, "Smart collection", lib.forget_search(id)),
        Job::DeleteKeyword(k) => {
            let deleted = lib.delete_keyword(&k);
            let deleted = deleted.map(|(_, unwritten)| push_unwritten(&mut out, unwritten));
            push_unit(&mut out, "Delete keyword", deleted)
        }
        Job::TrashRejected(query) => {
            let rejected = lib.rejected_in_view(&query);
            push(
                &mut out,
                "Move rejected to the Trash",
                rejected.and_then(|ids| lib.trash(&ids)),
                Reply::Trashed,
            )
        }
    };
    if changed {
        match snapshot(lib) {
            Ok(s) => out.push(Reply::Snapshot(s)),
            Err(e) => out.push(Reply::Failed {
                what: "Reading the library".into(),
                error: e,
            }),
        }
    }
    out
}

/// One page of a file check; after the last, the folders imported in place are followed
/// and the whole check is answered. A page that found nothing to change the view answers
/// nothing: the window hears once, at the end.
fn check_files(
    lib: &mut Library,
    after: Option<AssetId>,
    mut sum: FileCheck,
    out: &mut Vec<Reply>,
) -> bool {
    let started = std::time::Instant::now();
    let page = lib.check_files_page(after, crate::library::CHECK_PAGE);
    let finished = page.and_then(|(found, next)| {
        sum.add(found);
        match next {
            Some(after) => Ok(Some(after)),
            None => lib.finish_file_check(&mut sum).map(|()| None),
        }
    });
    match finished {
        Ok(Some(after)) => {
            out.push(Reply::Later {
                job: Job::CheckingFiles { after, sum },
                rest: started.elapsed(),
            });
            false
        }
        Ok(None) => push(
            out,
            "Checking files",
            lib.follow_folders().map(|followed| {
                // A renamed file was missing only until it was followed.
                sum.missing = sum.missing.saturating_sub(followed.renamed.len());
                (sum, followed)
            }),
            |(check, followed)| Reply::Checked(check, followed),
        ),
        Err(e) => push_unit(out, "Checking files", Err(e)),
    }
}

fn push<T>(
    out: &mut Vec<Reply>,
    what: &str,
    r: Result<T, LibraryError>,
    wrap: impl FnOnce(T) -> Reply,
) -> bool {
    match r {
        Ok(v) => out.push(wrap(v)),
        Err(e) => out.push(Reply::Failed {
            what: what.into(),
            error: e,
        }),
    }
    true
}

/// Says which XMP sidecars could not be written, when some could not.
fn push_unwritten(out: &mut Vec<Reply>, unwritten: Vec<crate::library::Unwritten>) {
    if !unwritten.is_empty() {
        out.push(Reply::Unwritten(unwritten));
    }
}

fn push_unit(out: &mut Vec<Reply>, what: &str, r: Result<(), LibraryError>) -> bool {
    if let Err(e) = r {
        out.push(Reply::Failed {
            what: what.into(),
            error: e,
        });
    }
    true
}

/// Reads everything the UI shows.
pub fn snapshot(lib: &mut Library) -> Result<Snapshot, LibraryError> {
    let asset_counts = lib.asset_counts()?;
    let mut snap = Snapshot {
        asset_count: asset_counts.values().sum::<u64>() as usize,
        asset_counts: Arc::new(asset_counts),
        collections: Arc::new(lib.collections()?),
        trash: Arc::new(lib.trash_entries(TrashSort::DeletedAt)?),
        trash_inside: Arc::new(lib.trash_inside()?),
        trashed_collections: Arc::default(),
        batches: Arc::new(lib.batches()?),
        library_size: lib.library_size()?,
        trash_size: lib.trash_size()?,
        retention_days: lib.retention_days()?,
        sweep_interval_minutes: lib.sweep_interval_minutes()?,
        join_new_files: lib.join_new_files()?,
        write_xmp: lib.write_xmp()?,
        clock_hold: lib.clock_hold()?,
        assets_version: lib.assets_version()?,
        keywords: Arc::new(lib.keyword_counts()?),
        smart: Arc::new(lib.smart_collections()?),
        cameras: Arc::new(lib.cameras()?),
    };
    // Looked up while drawing (the Trash's path, its status line): indexed once here.
    snap.trashed_collections = Arc::new(
        snap.trash_items()
            .filter_map(|(i, e)| Some((e.id.collection()?, i)))
            .collect(),
    );
    Ok(snap)
}

/// The UI's end of the library: a thread, or (in tests) the library itself.
pub enum LibraryHandle {
    Thread {
        jobs: Sender<Job>,
        replies: Receiver<Reply>,
        busy: usize,
    },
    Inline {
        lib: Box<Library>,
        replies: Vec<Reply>,
    },
}

impl LibraryHandle {
    /// Starts the library thread; `wake` asks the UI to repaint.
    pub fn spawn(
        mut lib: Library,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> std::io::Result<LibraryHandle> {
        let (job_tx, job_rx) = channel::<Job>();
        let (reply_tx, reply_rx) = channel::<Reply>();
        std::thread::Builder::new()
            .name("shoebox-library".into())
            .spawn(move || {
                // Reads (what the window shows) go before changes waiting behind them: the
                // rows on screen never wait for a file check that was asked for later.
                let mut waiting = std::collections::VecDeque::new();
                // Paced work resting until its time (see `Reply::Later`).
                let mut resting: Vec<(std::time::Instant, Job)> = Vec::new();
                loop {
                    waiting.extend(job_rx.try_iter());
                    let now = std::time::Instant::now();
                    while let Some(i) = resting.iter().position(|(at, _)| *at <= now) {
                        waiting.push_back(resting.swap_remove(i).1);
                    }
                    if waiting.is_empty() {
                        let next = match resting.iter().map(|(at, _)| *at).min() {
                            Some(at) => job_rx.recv_timeout(at.saturating_duration_since(now)),
                            None => job_rx
                                .recv()
                                .map_err(|_| std::sync::mpsc::RecvTimeoutError::Disconnected),
                        };
                        match next {
                            Ok(job) => waiting.push_back(job),
                            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    let next = waiting.iter().position(Job::is_read).unwrap_or(0);
                    let Some(job) = waiting.remove(next) else {
                        continue;
                    };
                    let read = job.is_read();
                    let progress_tx = reply_tx.clone();
                    let progress_wake = wake.clone();
                    let mut last = std::time::Instant::now();
                    let replies = execute(&mut lib, job, &mut |p| {
                        if last.elapsed().as_millis() >= 50 {
                            last = std::time::Instant::now();
                            let _ = progress_tx.send(Reply::Progress(p.clone()));
                            progress_wake();
                        }
                    });
                    // Work that goes on in a later page is not done yet.
                    let goes_on = replies.iter().any(|r| matches!(r, Reply::Later { .. }));
                    let done = (!read && !goes_on).then_some(Reply::Done);
                    for r in replies.into_iter().chain(done) {
                        match r {
                            Reply::Later { job, rest } => resting.push((now + rest * 2, job)),
                            r => {
                                if reply_tx.send(r).is_err() {
                                    return;
                                }
                            }
                        }
                    }
                    wake();
                    if read {
                        continue;
                    }
                    // One backup of the database a day, on this thread, never the UI's; given
                    // up as soon as the window asks for something (taken again later).
                    let mut asked = || {
                        let before = waiting.len();
                        waiting.extend(job_rx.try_iter());
                        waiting.len() > before
                    };
                    if let Err(e) = lib.backup_if_due_unless(&mut asked) {
                        log::warn!("could not back up the library: {e}");
                    }
                }
            })?;
        Ok(LibraryHandle::Thread {
            jobs: job_tx,
            replies: reply_rx,
            busy: 0,
        })
    }

    /// Runs jobs at once on the calling thread (for tests).
    pub fn inline(lib: Library) -> LibraryHandle {
        LibraryHandle::Inline {
            lib: Box::new(lib),
            replies: Vec::new(),
        }
    }

    pub fn send(&mut self, job: Job) {
        match self {
            LibraryHandle::Thread { jobs, busy, .. } => {
                let read = job.is_read();
                if jobs.send(job).is_ok() && !read {
                    *busy += 1;
                }
            }
            LibraryHandle::Inline { lib, replies } => {
                let mut jobs = vec![job];
                while let Some(job) = jobs.pop() {
                    for r in execute(lib, job, &mut |_| {}) {
                        match r {
                            Reply::Later { job, .. } => jobs.push(job),
                            r => replies.push(r),
                        }
                    }
                }
            }
        }
    }

    /// Replies that arrived since the last call.
    pub fn poll(&mut self) -> Vec<Reply> {
        match self {
            LibraryHandle::Thread { replies, busy, .. } => {
                let got: Vec<Reply> = replies.try_iter().collect();
                let done = got.iter().filter(|r| matches!(r, Reply::Done)).count();
                *busy = busy.saturating_sub(done);
                got
            }
            LibraryHandle::Inline { replies, .. } => std::mem::take(replies),
        }
    }

    /// Whether replies are waiting to be polled (run inline, a job answers at once).
    pub fn has_replies(&self) -> bool {
        matches!(self, LibraryHandle::Inline { replies, .. } if !replies.is_empty())
    }

    /// Whether jobs are still running.
    pub fn is_busy(&self) -> bool {
        matches!(self, LibraryHandle::Thread { busy, .. } if *busy > 0)
    }
}

/// `text` with its first letter in upper case, to begin a sentence.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
