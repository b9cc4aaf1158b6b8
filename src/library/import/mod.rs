//! Import of files and folders, by copy into `media/` or in place. Folders become nested
//! collections; companions (sidecars, the RAW of a RAW+JPEG pair) join their asset. A file
//! that cannot be read is reported by name and does not stop the rest.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::fsops;
use super::{CollectionId, ItemId, Library, LibraryError, MEDIA_DIR, Result};
use crate::media::probe::{self, Kind};
use crate::media::xmp::XmpFacts;
use crate::store::{self, CollectionStatus, importing};

mod plan;
mod read;

use plan::{DirPlan, Group, count_files, group_companions, plan_dir, with_sidecars_beside};
pub(super) use read::xmp_inside;
use read::{GroupRead, Placing, ReadAhead, read_ahead_threads};

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Index the files where they are instead of copying them into the library.
    pub in_place: bool,
    /// The collection to import into (`None`: the top).
    pub into: Option<CollectionId>,
    /// Import a file even when its content matches an item in the Trash.
    pub allow_trash_duplicates: bool,
    /// Set (from another thread) to stop the import at the next file: what is imported by
    /// then stays, whole; the rest is left alone and [`ImportReport::stopped`] says so.
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl ImportOptions {
    fn stop_asked(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// Progress of a long import.
#[derive(Debug, Clone)]
pub struct ImportProgress {
    pub done: usize,
    pub total: usize,
    pub current: String,
}

/// A file whose content matches an item in the Trash: offer to restore it instead.
#[derive(Debug, Clone, Serialize)]
pub struct InTrashMatch {
    pub path: String,
    pub id: ItemId,
    pub name: String,
}

/// One imported asset.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    pub id: ItemId,
    pub name: String,
    pub path: String,
}

/// A message about one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileMessage {
    pub path: String,
    pub message: String,
}

/// What an import did, file by file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub imported: Vec<Imported>,
    pub collections_created: Vec<ItemId>,
    /// Files not imported because their content is in the Trash.
    pub in_trash: Vec<InTrashMatch>,
    /// Files not imported because they are already in the library.
    pub already_imported: Vec<FileMessage>,
    /// Imported, but something about them could not be read.
    pub warnings: Vec<FileMessage>,
    pub failed: Vec<FileMessage>,
    /// Stopped when asked, before every file was read (the rest were left alone).
    pub stopped: bool,
}

/// A group read and ready to record.
struct Ready {
    name: String,
    kind: Kind,
    /// What the file says of itself.
    meta: probe::Meta,
    files: Vec<Prepared>,
    /// What its XMP sidecar says.
    xmp: Option<XmpFacts>,
    /// The collection it goes to (`None`: the top).
    collection: Option<CollectionId>,
}

/// A file read and ready to record.
struct Prepared {
    role: &'static str,
    path: String,
    size: u64,
    hash: String,
    dev: Option<i64>,
    ino: Option<i64>,
    /// For a copy: the original, to be copied to `path` (relative to the library) once the
    /// intent is recorded.
    copy_from: Option<PathBuf>,
}

/// One import under way: what it was asked, what it has found, and its readers.
struct Run<'a> {
    opts: &'a ImportOptions,
    report: &'a mut ImportReport,
    done: usize,
    total: usize,
    progress: &'a mut dyn FnMut(&ImportProgress),
    /// Given the report after each transaction of files (see [`Library::import_reporting`]).
    recorded: &'a mut dyn FnMut(&mut ImportReport),
    /// One per reading thread, kept for the whole import (each may hold a helper process).
    readers: Vec<crate::thumbs::Describer>,
}

/// A folder of an import, with its collection (`created`: made by this import) and the
/// index of its files among the import's parts.
struct Folder {
    path: PathBuf,
    id: CollectionId,
    created: bool,
    part: usize,
}

/// Files recorded per transaction (and, for copies, made durable per sync), at most: each
/// transaction costs a flush of the database and, as a rule, a checkpoint (100,000 files
/// imported in place took 2.0 s in chunks of 4,096, 1.75 s in chunks of 16,384).
pub(super) const CHUNK: usize = 16384;

/// The first transaction's files: the chunks grow from this to [`CHUNK`], doubling, so the
/// records of the first files are written while the next are read (a first chunk of
/// [`CHUNK`] would be read whole before anything is recorded).
const FIRST_CHUNK: usize = 256;

/// The chunks of `len` groups, in order: [`FIRST_CHUNK`], twice that, … up to [`CHUNK`].
fn growing_chunks(len: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut size) = (0, FIRST_CHUNK);
    while start < len {
        let end = (start + size).min(len);
        out.push(start..end);
        start = end;
        size = (size * 2).min(CHUNK);
    }
    out
}

impl Library {
    /// Imports `paths` (files and folders, folders recursively).
    pub fn import(
        &mut self,
        paths: &[PathBuf],
        opts: &ImportOptions,
        progress: &mut dyn FnMut(&ImportProgress),
    ) -> Result<ImportReport> {
        self.import_reporting(paths, opts, progress, &mut |_| {})
    }

    /// [`Library::import`], handing the report so far to `recorded` each time a
    /// transaction of files is committed: what it takes out of it (the lines it has
    /// printed, say) is not kept, so an import of a million files need not hold a million
    /// lines until its end. The report returned holds what was not taken.
    pub fn import_reporting(
        &mut self,
        paths: &[PathBuf],
        opts: &ImportOptions,
        progress: &mut dyn FnMut(&ImportProgress),
        recorded: &mut dyn FnMut(&mut ImportReport),
    ) -> Result<ImportReport> {
        if let Some(c) = opts.into {
            self.require_active_collection(c)?;
        }
        let mut report = ImportReport::default();
        let mut loose = Vec::new();
        let mut dirs = Vec::new();
        for path in paths {
            match fs::symlink_metadata(path) {
                Err(e) => report
                    .failed
                    .push(msg(path, format!("could not read: {e}"))),
                Ok(m) if m.file_type().is_symlink() => report.failed.push(msg(
                    path,
                    "is a symbolic link; Shoebox does not follow links".into(),
                )),
                Ok(m) if m.is_dir() => match name_of(path) {
                    Ok(name) => dirs.push(plan_dir(path, name, &mut report)),
                    Err(m) => report.failed.push(msg(path, m)),
                },
                Ok(m) if m.is_file() => loose.push(path.clone()),
                Ok(_) => report
                    .failed
                    .push(msg(path, "is not a regular file".into())),
            }
        }
        let loose = with_sidecars_beside(loose);
        let total = loose.len() + dirs.iter().map(count_files).sum::<usize>();
        let mut run = Run {
            opts,
            report: &mut report,
            done: 0,
            total,
            progress,
            recorded,
            readers: (0..read_ahead_threads())
                .map(|_| crate::thumbs::Describer::new(self.readers.clone()))
                .collect(),
        };
        // Each folder's collection first (one transaction for them all), then every file
        // in one stream of chunks whatever folder it is in (a transaction per folder would
        // rewrite the same pages of the indexes once per folder), then what becomes of
        // each folder.
        let mut parts = vec![(opts.into, loose)];
        let mut folders = Vec::new();
        self.in_one_transaction(|lib| {
            for dir in dirs {
                lib.place_folder(dir, opts.into, opts.in_place, &mut parts, &mut folders)?;
            }
            Ok(())
        })?;
        let reached = self.import_parts(parts, &mut run)?;
        self.in_one_transaction(|lib| lib.settle_folders(folders, reached, &mut run))?;
        Ok(report)
    }

    /// Runs `f` in one write transaction (the statements it runs on the connection join it),
    /// committed if `f` succeeds, rolled back if not.
    fn in_one_transaction(&mut self, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        store::begin_write(&self.conn)?;
        match f(self) {
            Ok(()) => Ok(store::end_write(&self.conn, true)?),
            Err(e) => {
                let _ = store::end_write(&self.conn, false);
                Err(e)
            }
        }
    }

    /// Finds or makes the collection of `dir` and of each folder below it: their files go
    /// to `parts` (folder before sub-folders), the folders to `folders` (sub-folders before
    /// their folder).
    fn place_folder(
        &mut self,
        dir: DirPlan,
        parent: Option<CollectionId>,
        in_place: bool,
        parts: &mut Vec<(Option<CollectionId>, Vec<PathBuf>)>,
        folders: &mut Vec<Folder>,
    ) -> Result<()> {
        // A folder imported in place before keeps its collection, wherever that is now
        // (`Clients/Acme` imported again alone adds to `Clients/Acme`, no second `Acme`).
        let home = if in_place {
            self.collection_of_folder(&dir.path)?
        } else {
            None
        };
        let (id, created) = match home {
            Some(c) => (c, false),
            None => self.ensure_collection(parent, &dir.name)?,
        };
        let part = parts.len();
        parts.push((Some(id), dir.files));
        for sub in dir.subdirs {
            self.place_folder(sub, Some(id), in_place, parts, folders)?;
        }
        folders.push(Folder {
            path: dir.path,
            id,
            created,
            part,
        });
        Ok(())
    }

    /// What becomes of each folder once its files are recorded: a collection made for one
    /// that brought nothing new is not left behind empty; one imported in place is
    /// followed. A folder an import stopped before (its part at or after `reached`) is
    /// not followed.
    fn settle_folders(
        &mut self,
        folders: Vec<Folder>,
        reached: usize,
        run: &mut Run<'_>,
    ) -> Result<()> {
        for folder in folders {
            if folder.created && importing::forget_empty_collection(&self.conn, folder.id)? {
                continue;
            }
            if folder.part >= reached {
                continue;
            }
            if folder.created {
                run.report
                    .collections_created
                    .push(ItemId::Collection(folder.id));
            }
            if run.opts.in_place {
                // Followed from now on: what appears in it joins this collection.
                self.follow_folder(&folder.path, folder.id)?;
            }
        }
        Ok(())
    }

    /// The collection holding the items of the Gallery imported in place from `folder`
    /// itself (not from its sub-folders), if any.
    fn collection_of_folder(&self, folder: &Path) -> Result<Option<CollectionId>> {
        let Ok(resolved) = crate::platform::resolve(folder) else {
            return Ok(None);
        };
        let Some(folder) = resolved.to_str() else {
            return Ok(None);
        };
        Ok(importing::collection_of_folder(
            &self.conn,
            folder,
            std::path::MAIN_SEPARATOR,
        )?)
    }

    /// Finds the active collection `name` under `parent`, or makes it.
    pub fn ensure_collection(
        &mut self,
        parent: Option<CollectionId>,
        name: &str,
    ) -> Result<(CollectionId, bool)> {
        let key = name_key(name);
        if let Some(id) = importing::active_collection_named(&self.conn, parent, &key)? {
            return Ok((id, false));
        }
        let now = self.clock.now();
        let id = store::insert_collection_tx(&self.conn, parent, name, &key, now)?;
        Ok((id, true))
    }

    /// Reads and records the files of `parts` (each with the collection it goes to), in
    /// chunks that run on from one part to the next; how many parts were reached (all, or
    /// those before the one a stop came in).
    fn import_parts(
        &mut self,
        parts: Vec<(Option<CollectionId>, Vec<PathBuf>)>,
        run: &mut Run<'_>,
    ) -> Result<usize> {
        let count = parts.len();
        if run.opts.stop_asked() {
            run.report.stopped = true;
            return Ok(0);
        }
        let Run {
            opts,
            report,
            done,
            total,
            progress,
            recorded,
            readers,
        } = run;
        let (opts, total) = (*opts, *total);
        // Each group with its collection; where each part's groups start.
        let mut groups = Vec::new();
        let mut homes = Vec::new();
        let mut starts = Vec::with_capacity(count);
        for (collection, files) in parts {
            starts.push(groups.len());
            let part = group_companions(files, report);
            homes.extend(std::iter::repeat_n(collection, part.len()));
            groups.extend(part);
        }
        // The names taken in each collection, read when a file first goes there.
        let mut taken: HashMap<Option<CollectionId>, HashSet<String>> = HashMap::new();
        let mut reached_groups = 0;
        // The files are read (hashed, probed) on other threads, ahead of the records
        // being written here: reading is most of the work and needs no database.
        let placing = Placing {
            in_place: opts.in_place,
            root: self.root.clone(),
        };
        std::thread::scope(|scope| -> Result<()> {
            let mut reads = ReadAhead::start(scope, &groups, readers, &placing);
            // Where the import is, handed to `progress` at each file (one buffer for the
            // path shown: a million files made a million copies of it).
            let mut at = ImportProgress {
                done: *done,
                total,
                current: String::new(),
            };
            for range in growing_chunks(groups.len()) {
                let chunk_homes = &homes[range.clone()];
                let chunk = &groups[range];
                let mut ready = Vec::new();
                let mut planned: HashSet<String> = HashSet::new();
                let mut chunk_reads: Vec<GroupRead> = Vec::with_capacity(chunk.len());
                for group in chunk {
                    if opts.stop_asked() {
                        report.stopped = true;
                        break;
                    }
                    let read = reads.next_read();
                    *done += 1 + group.companions.len();
                    at.done = *done;
                    at.current.clear();
                    at.current.push_str(&read.placed.shown);
                    progress(&at);
                    chunk_reads.push(read);
                }
                // Stopped: what was read is recorded whole, the rest left alone.
                let chunk = &chunk[..chunk_reads.len()];
                reached_groups += chunk.len();
                let known = self.lookups(&chunk_reads, opts)?;
                for ((group, read), home) in chunk.iter().zip(chunk_reads).zip(chunk_homes) {
                    match self.prepare(group, read, *home, &known, opts, report, &mut planned) {
                        Ok(Some(p)) => ready.push(p),
                        Ok(None) => {}
                        Err((shown, m)) => report.failed.push(FileMessage {
                            path: shown,
                            message: m,
                        }),
                    }
                }
                let ready = self.copy_chunk(ready, report)?;
                let now = self.clock.now();
                let tx = store::write_tx(&mut self.conn)?;
                let mut named: Vec<(String, String)> = Vec::with_capacity(ready.len());
                for r in &ready {
                    let taken = match taken.entry(r.collection) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(importing::asset_keys(&tx, r.collection)?)
                        }
                    };
                    let name = free_name(&r.name, taken);
                    let key = name_key(&name);
                    taken.insert(key.clone());
                    named.push((name, key));
                }
                let rows: Vec<(store::NewAsset<'_>, Vec<store::NewFile<'_>>)> = ready
                    .iter()
                    .zip(&named)
                    .map(|(r, (name, key))| {
                        let (kind, meta, files) = (&r.kind, &r.meta, &r.files);
                        let new_files = files
                            .iter()
                            .map(|f| store::NewFile {
                                role: f.role,
                                path: &f.path,
                                size: f.size as i64,
                                hash: &f.hash,
                                dev: f.dev,
                                ino: f.ino,
                                trash_root_id: None,
                                trash_name: None,
                            })
                            .collect();
                        let asset = store::NewAsset {
                            collection_id: r.collection,
                            name,
                            name_key: key,
                            kind: kind.as_str(),
                            in_place: opts.in_place,
                            size: files.iter().map(|f| f.size as i64).sum(),
                            hash: &files[0].hash,
                            imported_at: now,
                            captured_at: meta.captured_at,
                            width: meta.width,
                            height: meta.height,
                            camera: meta.camera.as_deref(),
                            duration_ms: meta.duration_ms,
                            trashed: None,
                        };
                        (asset, new_files)
                    })
                    .collect();
                let ids = store::insert_assets_tx(&tx, &rows)?;
                drop(rows);
                // The copies are recorded: no longer pending.
                let copied: Vec<&str> = ready
                    .iter()
                    .flat_map(|r| r.files.iter())
                    .filter(|f| f.copy_from.is_some())
                    .map(|f| f.path.as_str())
                    .collect();
                importing::copies_settled(&tx, &copied)?;
                // What other tools gave each (from its XMP sidecar).
                for (id, r) in ids.iter().zip(&ready) {
                    if let Some(facts) = r.xmp.as_ref().filter(|f| !f.is_empty()) {
                        store::culling::give(&tx, *id, facts)?;
                    }
                }
                for ((id, (name, _)), r) in ids.iter().zip(named).zip(ready) {
                    report.imported.push(Imported {
                        id: ItemId::Asset(*id),
                        name,
                        path: r
                            .files
                            .into_iter()
                            .next()
                            .map(|f| f.path)
                            .unwrap_or_default(),
                    });
                }
                tx.commit()?;
                recorded(report);
                if report.stopped {
                    break;
                }
            }
            Ok(())
        })?;
        if !report.stopped {
            return Ok(count);
        }
        Ok(starts.iter().take_while(|&&s| s < reached_groups).count())
    }

    /// Says what to record of a group read (for a copy, where in `media/` it goes), or
    /// why it is not imported (with the main file's path as shown).
    #[allow(clippy::type_complexity, clippy::too_many_arguments)]
    fn prepare(
        &mut self,
        group: &Group,
        read: GroupRead,
        collection: Option<CollectionId>,
        known: &Known,
        opts: &ImportOptions,
        report: &mut ImportReport,
        planned: &mut HashSet<String>,
    ) -> Result<Option<Ready>, (String, String)> {
        let read::Placed {
            name,
            stored,
            shown,
        } = read.placed;
        let name = match name {
            Ok(name) => name,
            Err(m) => return Err((shown, m)),
        };
        let kind = probe::kind_of(&name);
        let main = match read.main {
            Ok(main) => main,
            Err(e) => return Err((shown, format!("could not read: {e}"))),
        };
        let hash = main.hash.clone();
        if !opts.allow_trash_duplicates
            && let Some((id, tname)) = known.in_trash.get(&hash).cloned()
        {
            report.in_trash.push(InTrashMatch {
                path: shown,
                id,
                name: tname,
            });
            return Ok(None);
        }
        let meta = match read.meta {
            Ok(m) => m,
            Err(m) => {
                report.warnings.push(FileMessage {
                    path: shown.clone(),
                    message: m,
                });
                probe::Meta::default()
            }
        };
        // Each file read, with where it is recorded in place (`None` for copies).
        let mut stored = stored.into_iter();
        let mut sources = vec![("main", group.main.clone(), main, stored.next())];
        for ((role, path), hashed) in group.companions.iter().zip(read.companions) {
            let place = stored.next();
            match hashed {
                Ok(h) => sources.push((*role, path.clone(), h, place)),
                Err(e) => report
                    .warnings
                    .push(msg(path, format!("companion not imported: {e}"))),
            }
        }
        let mut files = Vec::new();
        if opts.in_place {
            for (role, _, hashed, place) in sources {
                let stored = match place {
                    Some(Ok(s)) => s,
                    Some(Err(m)) => return Err((shown, m)),
                    None => return Err((shown, "could not find where it is".into())),
                };
                if let Some(&existing) = known.paths.get(&stored) {
                    if role == "main" {
                        report.already_imported.push(FileMessage {
                            path: stored,
                            message: format!("already in the library as {existing}"),
                        });
                        return Ok(None);
                    }
                    continue;
                }
                // The identity of the very file that was hashed.
                files.push(Prepared {
                    role,
                    path: stored,
                    size: hashed.size,
                    hash: hashed.hash,
                    dev: hashed.dev,
                    ino: hashed.ino,
                    copy_from: None,
                });
            }
        } else {
            match self.active_duplicate(&hash, &name) {
                Ok(false) => {}
                Ok(true) => {
                    report.already_imported.push(FileMessage {
                        path: shown,
                        message: "the same file is already in the library".into(),
                    });
                    return Ok(None);
                }
                Err(e) => return Err((shown, e.to_string())),
            }
            let dir = Path::new(MEDIA_DIR).join(&hash[..2]);
            for (role, path, hashed, _) in sources {
                let fname = name_of(&path).map_err(|m| (shown.clone(), m))?;
                let rel = self
                    .free_media_name(&dir, &format!("{}-{fname}", &hash[..12]), planned)
                    .map_err(|m| (shown.clone(), m))?;
                files.push(Prepared {
                    role,
                    path: rel,
                    size: hashed.size,
                    hash: hashed.hash,
                    dev: None,
                    ino: None,
                    copy_from: Some(path),
                });
            }
        }
        // What other tools gave it; a sidecar that cannot be read is named, and skipped.
        let xmp = match read.xmp {
            Some((_, Ok(facts))) => Some(facts),
            Some((path, Err(why))) => {
                let what = if path == group.main {
                    "its XMP".to_string()
                } else {
                    format!(
                        "its sidecar {}",
                        path.file_name().unwrap_or_default().to_string_lossy()
                    )
                };
                report.warnings.push(FileMessage {
                    path: shown,
                    message: format!("{what} was skipped: {why}"),
                });
                None
            }
            None => None,
        };
        Ok(Some(Ready {
            name,
            kind,
            meta,
            files,
            xmp,
            collection,
        }))
    }

    /// A free name for a copy in `dir` (relative to the library): not on disk and not
    /// planned by this import already.
    fn free_media_name(
        &self,
        dir: &Path,
        name: &str,
        planned: &mut HashSet<String>,
    ) -> Result<String, String> {
        for n in 1..1000 {
            let rel = dir.join(fsops::fit_name(&fsops::numbered_name(name, n)));
            let rel_text = rel.to_string_lossy().into_owned();
            if planned.contains(&rel_text) || fsops::exists_nofollow(&self.root.join(&rel)) {
                continue;
            }
            planned.insert(rel_text.clone());
            return Ok(rel_text);
        }
        Err("could not find a free name in the library".into())
    }

    /// Copies a chunk's files into `media/` as one protocol step: the intent (every
    /// destination) is committed first, the copies are made and flushed with one sync, and
    /// only then are they recorded (by the caller, in the transaction that also clears the
    /// intent). A crash anywhere leaves copies that the next open removes, never orphans.
    #[allow(clippy::type_complexity)]
    fn copy_chunk(&mut self, ready: Vec<Ready>, report: &mut ImportReport) -> Result<Vec<Ready>> {
        let intents: Vec<String> = ready
            .iter()
            .flat_map(|r| r.files.iter())
            .filter(|f| f.copy_from.is_some())
            .map(|f| f.path.clone())
            .collect();
        if intents.is_empty() {
            return Ok(ready);
        }
        {
            let tx = store::write_tx(&mut self.conn)?;
            importing::intend_copies(&tx, &intents)?;
            tx.commit()?;
        }
        crate::failpoint::hit("import.after_intent");
        let mut copied = Vec::new();
        let mut made = Vec::new();
        for mut r in ready {
            let mut result = Ok(());
            for f in &mut r.files {
                let Some(src) = f.copy_from.as_ref() else {
                    continue;
                };
                let abs = self.root.join(&f.path);
                if let Some(dir) = abs.parent()
                    && let Err(e) = fs::create_dir_all(dir)
                {
                    result = Err(copy_failed(&e));
                    break;
                }
                match fsops::copy_new(src, &abs, false) {
                    Ok(_) => {
                        made.push(abs.clone());
                        (f.dev, f.ino) = fsops::identity_of(&abs);
                    }
                    Err(e) => {
                        result = Err(copy_failed(&e));
                        break;
                    }
                }
            }
            match result {
                Ok(()) => copied.push(r),
                Err(m) => {
                    // This asset's copies so far are ours and unrecorded: remove them.
                    for f in r.files.iter().filter(|f| f.copy_from.is_some()) {
                        let _ = fs::remove_file(self.root.join(&f.path));
                    }
                    let path = r
                        .files
                        .first()
                        .and_then(|f| f.copy_from.as_ref())
                        .map(|p| p.display().to_string())
                        .unwrap_or(r.name);
                    report.failed.push(FileMessage { path, message: m });
                }
            }
        }
        crate::failpoint::hit("import.after_copy");
        // The copies must be on disk before their records say they exist.
        if let Err(e) = self.flush_copies(&made) {
            for r in &copied {
                for f in r.files.iter().filter(|f| f.copy_from.is_some()) {
                    let _ = fs::remove_file(self.root.join(&f.path));
                }
                report.failed.push(FileMessage {
                    path: r.name.clone(),
                    message: format!("could not save the copy to disk: {e}"),
                });
            }
            self.clear_pending_copies(&intents)?;
            return Ok(Vec::new());
        }
        crate::failpoint::hit("import.after_sync");
        Ok(copied)
    }

    /// Makes new copies durable: one `syncfs` for the whole batch where the system has it,
    /// else each file and its folder flushed in turn.
    fn flush_copies(&self, files: &[PathBuf]) -> std::io::Result<()> {
        if files.is_empty() {
            return Ok(());
        }
        if fsops::sync_filesystem(&self.root.join(MEDIA_DIR)).is_ok() {
            return Ok(());
        }
        let mut dirs = std::collections::BTreeSet::new();
        for f in files {
            fsops::fsync_file(f)?;
            if let Some(d) = f.parent() {
                dirs.insert(d.to_path_buf());
            }
        }
        for d in dirs {
            fsops::fsync_dir(&d)?;
        }
        Ok(())
    }

    fn clear_pending_copies(&mut self, paths: &[String]) -> Result<()> {
        let tx = store::write_tx(&mut self.conn)?;
        importing::copies_settled(&tx, paths)?;
        tx.commit()?;
        Ok(())
    }

    /// Recovery: copies an import recorded as intended but never recorded as assets are
    /// removed (their originals were never touched); recorded ones are kept.
    pub(crate) fn settle_pending_copies(&mut self) -> Result<usize> {
        let paths = importing::pending_copies(&self.conn)?;
        let mut removed = 0;
        for p in &paths {
            if importing::path_recorded(&self.conn, p)? {
                continue;
            }
            let Ok(rel) = fsops::validate_stored(p, false) else {
                log::warn!("recovery: ignoring an unsafe pending copy {p:?}");
                continue;
            };
            if !rel.starts_with(MEDIA_DIR) {
                continue;
            }
            let abs = self.root.join(&rel);
            if let (Some(dir), Some(name)) =
                (abs.parent(), abs.file_name().and_then(|n| n.to_str()))
            {
                match fsops::unlink_in(dir, name) {
                    Ok(true) => removed += 1,
                    Ok(false) => {}
                    Err(e) => log::warn!("recovery could not remove {}: {e}", abs.display()),
                }
            }
        }
        self.clear_pending_copies(&paths)?;
        if removed > 0 {
            log::warn!("recovery: removed {removed} copies left by an interrupted import");
        }
        Ok(removed)
    }

    /// The name keys taken in a collection (by live items, and by those moving in or out).
    pub(crate) fn active_names(&self, collection: Option<CollectionId>) -> Result<HashSet<String>> {
        Ok(importing::asset_keys(&self.conn, collection)?)
    }

    /// What the library already holds of a chunk, looked up with one statement each:
    /// Trash entries with the same content, and (in place) items at the same paths.
    fn lookups(&self, reads: &[GroupRead], opts: &ImportOptions) -> Result<Known> {
        let mut known = Known::default();
        if !opts.allow_trash_duplicates {
            let hashes: Vec<&str> = reads
                .iter()
                .filter_map(|r| r.main.as_ref().ok().map(|h| h.hash.as_str()))
                .collect();
            for t in importing::trashed_with_content(&self.conn, &hashes)? {
                // The Trash entry: the collection it went with, or the asset itself.
                let id = t.via.map_or(ItemId::Asset(t.asset), ItemId::Collection);
                known.in_trash.entry(t.hash).or_insert((id, t.name));
            }
        }
        if opts.in_place {
            let stored: Vec<&str> = reads
                .iter()
                .flat_map(|r| r.placed.stored.iter())
                .filter_map(|p| p.as_deref().ok())
                .collect();
            // A path belongs to an item in the Gallery; one in the Trash left it free (a new
            // file written there is a new item: both can be trashed and restored).
            for (path, a) in importing::owners_of_paths(&self.conn, &stored)? {
                known.paths.entry(path).or_insert(ItemId::Asset(a));
            }
        }
        Ok(known)
    }

    fn active_duplicate(&self, hash: &str, name: &str) -> Result<bool> {
        Ok(importing::active_duplicate(
            &self.conn,
            hash,
            &name_key(name),
        )?)
    }

    pub(crate) fn require_active_collection(&self, id: CollectionId) -> Result<()> {
        match importing::collection_status(&self.conn, id)? {
            None => Err(LibraryError::NotFound(ItemId::Collection(id))),
            Some(CollectionStatus::Active) => Ok(()),
            Some(CollectionStatus::Trashed) => Err(LibraryError::InTrash(ItemId::Collection(id))),
        }
    }
}

/// What the library already holds of an import chunk (see [`Library::lookups`]).
#[derive(Default)]
struct Known {
    /// By content hash: the Trash entry holding it, and its name.
    in_trash: HashMap<String, (ItemId, String)>,
    /// By stored path: the item an in-place file already belongs to.
    paths: HashMap<String, ItemId>,
}

/// Why a copy into the library failed, in words (a full disk is said so).
fn copy_failed(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::StorageFull {
        "could not copy into the library: the disk is full".to_string()
    } else {
        format!("could not copy into the library: {e}")
    }
}

/// The name to show for a file Shoebox stored: copies in `media/` are stored as
/// `{first 12 hex digits of the hash}-{name}`.
pub(crate) fn shown_name(stored: &str) -> &str {
    match stored.split_once('-') {
        Some((prefix, rest))
            if prefix.len() == 12
                && prefix.chars().all(|c| c.is_ascii_hexdigit())
                && !rest.is_empty() =>
        {
            rest
        }
        _ => stored,
    }
}

/// The case-insensitive key names are unique by.
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// `name`, or the first `name (n).ext` not in `taken`.
pub(crate) fn free_name(name: &str, taken: &HashSet<String>) -> String {
    (1..)
        .map(|n| fsops::numbered_name(name, n))
        .find(|candidate| !taken.contains(&name_key(candidate)))
        .unwrap_or_else(|| name.to_string())
}

fn msg(path: &Path, message: String) -> FileMessage {
    FileMessage {
        path: path.display().to_string(),
        message,
    }
}

/// The UTF-8 file name of a path, or a message saying why not.
fn name_of(path: &Path) -> Result<String, String> {
    let name = path
        .file_name()
        .ok_or_else(|| "has no file name".to_string())?;
    name.to_str().map(str::to_string).ok_or_else(|| {
        format!(
            "file name is not valid UTF-8 ({}); rename the file and import it again",
            name.to_string_lossy()
        )
    })
}

/// An in-place file's stored path: its folder resolved, its own name never followed.
/// `folders` remembers each folder resolved so far in this import.
fn in_place_path(path: &Path, folders: &mut HashMap<PathBuf, PathBuf>) -> Result<String, String> {
    let name = name_of(path)?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let resolved = match folders.get(&parent) {
        Some(r) => r.clone(),
        None => {
            let r = crate::platform::resolve(&parent)
                .map_err(|e| format!("could not resolve its folder: {e}"))?;
            folders.insert(parent, r.clone());
            r
        }
    };
    let full = resolved.join(name);
    full.to_str()
        .map(str::to_string)
        .ok_or_else(|| "its folder's path is not valid UTF-8".to_string())
}
