//! Restoring from the Trash, as a state machine on the record: `trashed → restoring →
//! active`. Everything is checked before the intent is recorded (the file is really in the
//! Trash, its place and name are free); the intent is committed before any file moves; recovery
//! at open finishes what a crash interrupted.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::fsops;
use super::import::{free_name, name_key};
use super::moves::{self, Expect, Found, Move, run_moves, sync_dirs};
use super::rows::{AssetRow, CollectionRow};
use super::trash::{display_location, outcome, validate_name};
use super::{
    AreaProblem, AssetId, BatchId, BulkReport, CollectionId, ItemId, Library, LibraryError, Result,
};
use crate::store::lifecycle::{self, Placement};
use crate::store::{self, AssetState, CollectionStatus, files, restoring};

/// How to restore an in-place file whose folder is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderChoice {
    /// Make the original folder again.
    Recreate,
    /// Put the file in this folder instead.
    Use(PathBuf),
}

/// How to resolve a conflict or a lost location when restoring.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Restore under this name.
    pub rename: Option<String>,
    /// Restore into this collection instead of the original (`Some(None)`: the top).
    pub to: Option<Option<CollectionId>>,
    /// For in-place files whose folder is gone.
    pub folder: Option<FolderChoice>,
}

impl Library {
    /// Restores items with their original name and place; conflicts and lost locations
    /// are reported per item.
    pub fn restore_many(&mut self, ids: &[ItemId]) -> Result<BulkReport> {
        self.restore_many_with(ids, &RestoreOptions::default())
    }

    /// [`Library::restore_many`] with every item going where `opts` says (`to`, `folder`):
    /// the answer to a lost location given once for several items, e.g. out of a trashed
    /// collection. A new name is only for one item at a time.
    pub fn restore_many_with(
        &mut self,
        ids: &[ItemId],
        opts: &RestoreOptions,
    ) -> Result<BulkReport> {
        if opts.rename.is_some() && ids.len() > 1 {
            return Err(LibraryError::Invalid(
                "a new name is given to one item at a time".into(),
            ));
        }
        let mut report = BulkReport::default();
        let mut ctx = RestoreCtx::default();
        let mut plans = Vec::new();
        let mut seen = HashSet::new();
        // Collections first (each restored at once); then the assets, planned against the
        // names and places as they are after that, and restored together.
        let mut ordered = ids.to_vec();
        ordered.sort_by_key(|id| matches!(id, ItemId::Asset(_)));
        for id in ordered {
            if !seen.insert(id) {
                continue;
            }
            if let ItemId::Asset(_) = id
                && ctx.assets.is_none()
            {
                // The assets' records, read together once the collections are back.
                let asset_ids: Vec<AssetId> = ids.iter().filter_map(|id| id.asset()).collect();
                ctx.assets = Some(self.load_assets(&asset_ids)?);
            }
            let planned = match id {
                ItemId::Asset(a) => self.plan_asset_restore(a, opts, &mut ctx).map(Some),
                ItemId::Collection(_) => self.restore(id, opts).map(|()| {
                    report.succeeded.push(id);
                    None
                }),
            };
            match planned {
                Ok(Some(plan)) => plans.push(plan),
                Ok(None) => {}
                Err(e @ (LibraryError::NotFound(_) | LibraryError::NotInTrash(_))) => {
                    report.skipped.push(outcome(id, e.to_string()));
                }
                Err(e @ LibraryError::Store(_)) => return Err(e),
                Err(e) => report.failed.push(outcome(id, e.to_string())),
            }
        }
        for (id, result) in self.execute_restores(plans)? {
            match result {
                Ok(()) => report.succeeded.push(id),
                Err(reason) => report.failed.push(outcome(id, reason)),
            }
        }
        Ok(report)
    }

    /// Restores every item of a batch (the Undo of a move to Trash).
    pub fn restore_batch(&mut self, batch: BatchId) -> Result<BulkReport> {
        let ids = self.batch_entries(batch)?;
        self.restore_many(&ids)
    }

    /// The Trash entries (directly deleted items) of a batch.
    pub fn batch_entries(&self, batch: BatchId) -> Result<Vec<ItemId>> {
        let (cols, assets) = restoring::batch_entries(&self.conn, batch)?;
        let cols = cols.into_iter().map(ItemId::Collection);
        Ok(cols.chain(assets.into_iter().map(ItemId::Asset)).collect())
    }

    /// Restores one item to its original location, or as `opts` says.
    pub fn restore(&mut self, id: ItemId, opts: &RestoreOptions) -> Result<()> {
        if let Some(name) = &opts.rename {
            validate_name(name)?;
        }
        match id {
            ItemId::Asset(a) => self.restore_asset(a, opts),
            ItemId::Collection(c) => self.restore_collection(c, opts),
        }
    }

    /// Where an entry goes back to: the original collection or `opts.to`.
    fn restore_parent(
        &self,
        id: ItemId,
        original: Option<CollectionId>,
        opts: &RestoreOptions,
    ) -> Result<Option<CollectionId>> {
        if let Some(to) = opts.to {
            if let Some(c) = to {
                self.require_active_collection(c)?;
            }
            return Ok(to);
        }
        if let Some(c) = original {
            match self.collection_state(c)? {
                Some(row) if row.status == CollectionStatus::Active => {}
                Some(CollectionRow { name, .. }) => {
                    return Err(LibraryError::LostLocation {
                        id,
                        reason: format!("its collection \"{name}\" is in the Trash"),
                        folder: false,
                    });
                }
                None => {
                    return Err(LibraryError::LostLocation {
                        id,
                        reason: "its collection no longer exists".into(),
                        folder: false,
                    });
                }
            }
        }
        Ok(original)
    }

    fn restore_asset(&mut self, a: AssetId, opts: &RestoreOptions) -> Result<()> {
        let mut ctx = RestoreCtx::default();
        let plan = self.plan_asset_restore(a, opts, &mut ctx)?;
        match self.execute_restores(vec![plan])?.pop() {
            Some((_, Err(reason))) => Err(LibraryError::Invalid(reason)),
            _ => Ok(()),
        }
    }

    /// Checks everything about restoring asset `a` (the file is in the Trash, its place
    /// and name are free) and says what to move; changes nothing.
    fn plan_asset_restore(
        &mut self,
        a: AssetId,
        opts: &RestoreOptions,
        ctx: &mut RestoreCtx,
    ) -> Result<RestorePlan> {
        let id = ItemId::Asset(a);
        let preloaded = ctx.assets.as_mut().and_then(|m| m.remove(&a));
        let asset = match preloaded {
            Some(row) => row,
            None => self.load_asset(a)?.ok_or(LibraryError::NotFound(id))?,
        };
        if asset.state != AssetState::Trashed {
            return Err(LibraryError::NotInTrash(id));
        }
        // An item that went with a collection still in the Trash comes back on its own: its
        // collection is in the Trash, so its location is lost and `opts.to` must say where.
        if let Some(reason) = asset.quarantine.clone() {
            return Err(LibraryError::FileProblem { id, reason });
        }
        // The file must really be in the Trash, and its trash area reachable, before
        // anything else is asked or changed.
        let sources = self.restore_sources_in(&asset, &mut ctx.areas)?;
        let parent = self.restore_parent(id, asset.collection_id, opts)?;
        let name = opts.rename.clone().unwrap_or_else(|| asset.name.clone());
        let taken = match ctx.taken.entry(parent) {
            std::collections::hash_map::Entry::Occupied(slot) => slot.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(self.active_names(parent)?)
            }
        };
        let taken = std::mem::take(taken);
        let checked = self.check_restore_names(&asset, parent, &name, opts, &taken);
        // The names go back to the shared set, with this one taken when it is planned.
        let slot = ctx.taken.entry(parent).or_default();
        *slot = taken;
        let files = checked?;
        slot.insert(name_key(&name));
        let moves = restore_moves(&asset, &sources, &files);
        Ok(RestorePlan {
            asset,
            parent,
            name,
            files,
            moves,
        })
    }

    /// Checks the restored name is free in the collection and on disk, and plans where
    /// each file goes.
    fn check_restore_names(
        &self,
        asset: &AssetRow,
        parent: Option<CollectionId>,
        name: &str,
        opts: &RestoreOptions,
        taken: &HashSet<String>,
    ) -> Result<Vec<(i64, PathBuf, String)>> {
        let id = ItemId::Asset(asset.id);
        if taken.contains(&name_key(name)) {
            let suggestion = self.free_restore_name(asset, name, taken)?;
            let location = self.collection_path(parent)?;
            return Err(LibraryError::NameConflict {
                id,
                what: format!("\"{name}\" in {}", display_location(&location)),
                suggestion,
            });
        }
        let files = self.plan_restore_files(asset, name, opts)?;
        if let Some(conflict) = files.iter().find(|(_, to, _)| fsops::exists_nofollow(to)) {
            let suggestion = self.free_restore_name(asset, name, taken)?;
            return Err(LibraryError::NameConflict {
                id,
                what: format!("a file at {}", conflict.1.display()),
                suggestion,
            });
        }
        Ok(files)
    }

    /// Restores planned assets as one protocol run: one transaction records every intent,
    /// the files move (each asset all or nothing), one flush makes the moves durable, and
    /// one transaction finishes them. Returns each asset's outcome.
    #[allow(clippy::type_complexity)]
    fn execute_restores(
        &mut self,
        plans: Vec<RestorePlan>,
    ) -> Result<Vec<(ItemId, std::result::Result<(), String>)>> {
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        let tx = store::write_tx(&mut self.conn)?;
        for p in &plans {
            // Most come back under their own name and place: then only the state changes
            // (and no index on name or place is touched).
            let key = name_key(&p.name);
            let placement =
                (p.name != p.asset.name || p.parent != p.asset.collection_id).then(|| Placement {
                    name: &p.name,
                    name_key: &key,
                    collection: p.parent,
                });
            lifecycle::begin_restoring(&tx, p.asset.id, placement)?;
            if p.asset.via_id.is_some() {
                // Out of its collection's batch: if it stays in the Trash after all, it is an
                // entry of its own (restoring that collection no longer brings it back).
                restoring::detach_asset(&tx, p.asset.id)?;
            }
            for (file_id, _, stored) in &p.files {
                let unchanged = p
                    .asset
                    .files
                    .iter()
                    .any(|f| f.id == *file_id && f.path == *stored);
                if !unchanged {
                    files::set_path(&tx, *file_id, stored)?;
                }
            }
        }
        tx.commit()?;
        crate::failpoint::hit("restore.after_intent");
        let mut dirs = BTreeSet::new();
        let mut outcomes = Vec::with_capacity(plans.len());
        for p in &plans {
            let id = ItemId::Asset(p.asset.id);
            outcomes.push((
                id,
                run_moves(&p.moves, &mut dirs)
                    .map_err(|reason| format!("{id} stays in the Trash: {reason}")),
            ));
        }
        crate::failpoint::hit("restore.after_move");
        sync_dirs(&dirs)?;
        crate::failpoint::hit("restore.after_sync");
        let tx = store::write_tx(&mut self.conn)?;
        for (p, (_, outcome)) in plans.iter().zip(&outcomes) {
            let asset = &p.asset;
            if outcome.is_ok() {
                continue;
            }
            // Its files are all back in the Trash: so is its record, as it was.
            let was = Placement {
                name: &asset.name,
                name_key: &name_key(&asset.name),
                collection: asset.collection_id,
            };
            lifecycle::back_to_trash(&tx, asset.id, was, asset.via_id)?;
            for f in &asset.files {
                files::set_path(&tx, f.id, &f.path)?;
            }
        }
        // The records still `restoring` are exactly this run's that came back whole (one
        // writer; a crash's are settled at open): finish them together.
        lifecycle::finish_restoring(&tx)?;
        tx.commit()?;
        Ok(outcomes)
    }

    /// Where each file of a trashed asset is now, checked: its trash area reachable and the
    /// one Shoebox made, and the file there a regular file with the recorded content. A
    /// file that was already missing when it was trashed has nothing to move (`None`).
    /// Anything else stops the restore before any record or file changes.
    pub(crate) fn restore_sources(&self, asset: &AssetRow) -> Result<Vec<(i64, Option<PathBuf>)>> {
        self.restore_sources_in(asset, &mut HashMap::new())
    }

    /// [`Library::restore_sources`] with the trash areas already checked in this operation.
    fn restore_sources_in(
        &self,
        asset: &AssetRow,
        areas: &mut HashMap<i64, std::result::Result<PathBuf, AreaProblem>>,
    ) -> Result<Vec<(i64, Option<PathBuf>)>> {
        let id = ItemId::Asset(asset.id);
        let mut out = Vec::new();
        for f in &asset.files {
            let (Some(root_id), Some(name)) = (f.trash_root_id, f.trash_name.as_deref()) else {
                out.push((f.id, None));
                continue;
            };
            fsops::validate_component(name)
                .map_err(|e| LibraryError::io("refusing a stored trash name", name, e))?;
            if let std::collections::hash_map::Entry::Vacant(slot) = areas.entry(root_id) {
                slot.insert(self.open_area(root_id)?.map(|a| a.path().to_path_buf()));
            }
            let area = match areas.get(&root_id) {
                Some(Ok(area)) => area,
                Some(Err(problem)) => {
                    return Err(LibraryError::TrashUnavailable {
                        id,
                        problem: problem.clone(),
                    });
                }
                None => continue,
            };
            let path = area.join(name);
            let expect = Expect {
                size: f.size,
                hash: f.hash.clone(),
                dev: f.dev,
                ino: f.ino,
            };
            let found = moves::check_file(&path, &expect)
                .map_err(|e| LibraryError::io("could not read the file in the Trash", &path, e))?;
            let problem = match found {
                Found::File { .. } => {
                    out.push((f.id, Some(path)));
                    continue;
                }
                Found::Gone if asset.missing => {
                    out.push((f.id, None));
                    continue;
                }
                Found::Gone => "its file is no longer in the Trash",
                Found::NotAFile => {
                    "something other than its file (a link or a folder) is in its place in the Trash"
                }
                Found::Changed => "the file in the Trash was changed outside Shoebox",
            };
            return Err(LibraryError::FileProblem {
                id,
                reason: format!("{problem}: {}", path.display()),
            });
        }
        Ok(out)
    }

    /// The first `name (n).ext` free both in the collection and, for in-place files, on disk.
    fn free_restore_name(
        &self,
        asset: &AssetRow,
        name: &str,
        taken: &HashSet<String>,
    ) -> Result<String> {
        for n in 2..10_000 {
            let candidate = fsops::numbered_name(name, n);
            if taken.contains(&name_key(&candidate)) {
                continue;
            }
            if asset.in_place
                && let Some(main) = asset.files.first()
            {
                let orig = self.home_path(&main.path, true)?;
                if let Some(dir) = orig.parent()
                    && fsops::exists_nofollow(&dir.join(&candidate))
                {
                    continue;
                }
            }
            return Ok(candidate);
        }
        Ok(fsops::numbered_name(name, 10_000))
    }

    /// (file id, destination, stored path) for each file of a trashed asset.
    fn plan_restore_files(
        &self,
        asset: &AssetRow,
        name: &str,
        opts: &RestoreOptions,
    ) -> Result<Vec<(i64, PathBuf, String)>> {
        let id = ItemId::Asset(asset.id);
        let mut out = Vec::new();
        let old_stem = crate::media::split_ext(&asset.name).0.to_string();
        let new_stem = crate::media::split_ext(name).0.to_string();
        for f in &asset.files {
            let home = self.home_path(&f.path, asset.in_place)?;
            if !asset.in_place {
                // Copies go back to their place in media/, or beside it if that is taken.
                let mut dest = home.clone();
                let mut n = 2;
                while fsops::exists_nofollow(&dest) {
                    let fname = home
                        .file_name()
                        .map(|x| x.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    dest = home.with_file_name(fsops::numbered_name(&fname, n));
                    n += 1;
                }
                let stored = dest
                    .strip_prefix(&self.root)
                    .map_or_else(|_| f.path.clone(), |p| p.to_string_lossy().into_owned());
                out.push((f.id, dest, stored));
                continue;
            }
            let orig_dir = home.parent().map(Path::to_path_buf).unwrap_or_default();
            let dir = match &opts.folder {
                Some(FolderChoice::Use(dir)) => {
                    if !dir.is_dir() {
                        return Err(LibraryError::Invalid(format!(
                            "not a folder: {}",
                            dir.display()
                        )));
                    }
                    crate::platform::resolve(dir)
                        .map_err(|e| LibraryError::io("could not use the folder", dir, e))?
                }
                Some(FolderChoice::Recreate) => {
                    fs::create_dir_all(&orig_dir).map_err(|e| {
                        LibraryError::io("could not recreate the folder", &orig_dir, e)
                    })?;
                    orig_dir
                }
                None => {
                    if !orig_dir.is_dir() {
                        return Err(LibraryError::LostLocation {
                            id,
                            reason: format!(
                                "its folder is gone or offline: {}",
                                orig_dir.display()
                            ),
                            folder: true,
                        });
                    }
                    orig_dir
                }
            };
            fsops::check_no_symlinks(&dir)
                .map_err(|e| LibraryError::io("refusing the folder", &dir, e))?;
            let fname = home
                .file_name()
                .map(|x| x.to_string_lossy().into_owned())
                .unwrap_or_default();
            let new_name = if f.role == "main" {
                name.to_string()
            } else if fname.starts_with(&old_stem) && old_stem != new_stem {
                format!("{new_stem}{}", &fname[old_stem.len()..])
            } else {
                fname
            };
            let dest = dir.join(&new_name);
            let stored = dest
                .to_str()
                .ok_or_else(|| {
                    LibraryError::Invalid(format!("path is not valid UTF-8: {}", dest.display()))
                })?
                .to_string();
            out.push((f.id, dest, stored));
        }
        Ok(out)
    }

    fn restore_collection(&mut self, c: CollectionId, opts: &RestoreOptions) -> Result<()> {
        let id = ItemId::Collection(c);
        let CollectionRow {
            status,
            parent_id: parent,
            name: old_name,
            via_id: via,
        } = self
            .collection_state(c)?
            .ok_or(LibraryError::NotFound(id))?;
        if status != CollectionStatus::Trashed {
            return Err(LibraryError::NotInTrash(id));
        }
        // A sub-collection of a trashed collection goes back on its own with what it holds
        // (its place is in the Trash: `opts.to` says where).
        let new_parent = self.restore_parent(id, parent, opts)?;
        let name = opts.rename.clone().unwrap_or_else(|| old_name.clone());
        let taken = restoring::active_collection_keys(&self.conn, new_parent)?;
        if taken.contains(&name_key(&name)) {
            let location = self.collection_path(new_parent)?;
            return Err(LibraryError::NameConflict {
                id,
                what: format!("a collection \"{name}\" in {}", display_location(&location)),
                suggestion: free_name(&name, &taken),
            });
        }
        // The collections going back: this one and those trashed with it below it.
        let entry = via.unwrap_or(c);
        let subtree = restoring::trashed_subtree(&self.conn, c, entry)?;
        let members = restoring::trashed_members(&self.conn, entry, &subtree)?;
        let mut moves = Vec::new();
        let mut updates = Vec::new();
        let member_opts = RestoreOptions {
            folder: opts.folder.clone(),
            ..Default::default()
        };
        for a in &members {
            let Some(asset) = self.load_asset(*a)? else {
                continue;
            };
            let sources = self.restore_sources(&asset)?;
            let plan = self.plan_restore_files(&asset, &asset.name, &member_opts)?;
            for f in &asset.files {
                let Some((_, to, stored)) = plan.iter().find(|(id, ..)| *id == f.id) else {
                    continue;
                };
                if asset.in_place && fsops::exists_nofollow(to) {
                    return Err(LibraryError::NameConflict {
                        id,
                        what: format!("a file at {}", to.display()),
                        suggestion: name.clone(),
                    });
                }
                updates.push((f.id, stored.clone(), f.path.clone()));
            }
            moves.extend(restore_moves(&asset, &sources, &plan));
        }
        // Intent: the new name and place, and the members `restoring`. The collections
        // become active only once every file is back.
        let tx = store::write_tx(&mut self.conn)?;
        restoring::place_collection(&tx, c, &name, &name_key(&name), new_parent)?;
        if via.is_some() {
            // Out of its collection's entry, with what it holds: if it stays in the Trash
            // after all, it is an entry of its own (restoring that collection no longer
            // brings it back), and recovery finishes it as one.
            restoring::make_entry(&tx, c, &subtree, &members)?;
        }
        for &a in &members {
            lifecycle::begin_restoring(&tx, a, None)?;
        }
        for (file_id, stored, _) in &updates {
            files::set_path(&tx, *file_id, stored)?;
        }
        tx.commit()?;
        crate::failpoint::hit("restore.after_intent");
        let mut dirs = BTreeSet::new();
        if let Err(reason) = run_moves(&moves, &mut dirs) {
            // Put everything back as it was: still in the Trash.
            let tx = store::write_tx(&mut self.conn)?;
            restoring::place_collection(&tx, c, &old_name, &name_key(&old_name), parent)?;
            for &a in &members {
                lifecycle::set_asset_state(&tx, a, AssetState::Restoring, AssetState::Trashed)?;
            }
            for (file_id, _, old) in &updates {
                files::set_path(&tx, *file_id, old)?;
            }
            tx.commit()?;
            return Err(LibraryError::Invalid(format!("restore failed: {reason}")));
        }
        crate::failpoint::hit("restore.after_move");
        sync_dirs(&dirs)?;
        crate::failpoint::hit("restore.after_sync");
        let tx = store::write_tx(&mut self.conn)?;
        activate_collection_tx(&tx, c)?;
        for a in &members {
            finish_restore_asset_tx(&tx, *a)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// A checked plan to restore one asset.
struct RestorePlan {
    asset: AssetRow,
    parent: Option<CollectionId>,
    name: String,
    /// (file id, destination, stored path) for each file.
    files: Vec<(i64, PathBuf, String)>,
    moves: Vec<Move>,
}

/// What the items of one restore share: names taken per collection (including those
/// this restore gives back) and the trash areas already checked.
#[derive(Default)]
struct RestoreCtx {
    /// The records of the assets being restored, read together.
    assets: Option<HashMap<AssetId, AssetRow>>,
    taken: HashMap<Option<CollectionId>, HashSet<String>>,
    areas: HashMap<i64, std::result::Result<PathBuf, AreaProblem>>,
}

/// The moves that bring an asset's files back: from where [`Library::restore_sources`]
/// found them to where the plan puts them.
fn restore_moves(
    asset: &AssetRow,
    sources: &[(i64, Option<PathBuf>)],
    plan: &[(i64, PathBuf, String)],
) -> Vec<Move> {
    let mut out = Vec::new();
    for f in &asset.files {
        let from = sources
            .iter()
            .find(|(id, _)| *id == f.id)
            .and_then(|(_, p)| p.clone());
        let to = plan
            .iter()
            .find(|(id, ..)| *id == f.id)
            .map(|(_, to, _)| to);
        if let (Some(from), Some(to)) = (from, to) {
            out.push(Move {
                from,
                to: to.clone(),
                size: f.size,
                hash: f.hash.clone(),
            });
        }
    }
    out
}

/// Makes a trashed collection and everything trashed with it active again.
pub(crate) fn activate_collection_tx(
    tx: &rusqlite::Transaction<'_>,
    c: CollectionId,
) -> rusqlite::Result<()> {
    lifecycle::activate_collection(tx, c, true)?;
    Ok(())
}

pub(crate) fn finish_restore_asset_tx(
    tx: &rusqlite::Transaction<'_>,
    a: AssetId,
) -> rusqlite::Result<()> {
    lifecycle::activate_asset(tx, a, Some(AssetState::Restoring))?;
    Ok(())
}
