//! Moving to the Trash, as a state machine on the record: `active → trashing → trashed`.
//! Each file is checked before it moves; the intent is committed before any file moves;
//! recovery at open finishes what a crash interrupted.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::fsops;
use super::moves::{self, Expect, Found, Move};
use super::rows::AssetRow;
use super::{
    AssetId, BulkReport, CollectionId, ItemId, ItemOutcome, Library, LibraryError, Problem, Result,
    TRASH_DIR,
};
use crate::store::files::TrashPlace;
use crate::store::lifecycle::{self, Deletion, Leaving};
use crate::store::{self, AssetState, CollectionStatus};

impl Library {
    /// The active assets among `ids` and inside the collections among them, at any depth.
    fn active_assets_within(&self, ids: &[ItemId]) -> Result<Vec<AssetId>> {
        let mut out: Vec<AssetId> = ids.iter().filter_map(|id| id.asset()).collect();
        let collections: Vec<CollectionId> = ids.iter().filter_map(|id| id.collection()).collect();
        out.extend(store::tree::active_assets_under(&self.conn, &collections)?);
        Ok(out)
    }
}

/// What one directly selected item carries into the Trash.
struct Unit {
    root: ItemId,
    collections: Vec<CollectionId>,
    assets: Vec<(AssetRow, Vec<PlannedFile>)>,
}

/// What one move to the Trash has found out so far: the trash area for each device, the
/// folders already checked for links, and what the look for new versions just before saw
/// of each file (so each is looked at once, not twice, before it moves).
#[derive(Default)]
struct TrashPlaces {
    by_device: HashMap<Option<i64>, (i64, PathBuf)>,
    checked_dirs: HashSet<PathBuf>,
    seen: HashMap<PathBuf, moves::Seen>,
}

struct PlannedFile {
    file_id: i64,
    from: Option<PathBuf>,
    root_id: i64,
    to: PathBuf,
    name: String,
    size: u64,
    hash: String,
    /// Where the file lives now (re-learnt when the recorded hint was stale).
    dev: Option<i64>,
    ino: Option<i64>,
}

impl Library {
    /// Moves items to the Trash as one batch.
    pub fn trash(&mut self, ids: &[ItemId]) -> Result<BulkReport> {
        let now = self.guarded_now()?;
        let mut report = BulkReport::default();
        let mut units = Vec::new();
        let mut covered = HashSet::new();
        let mut roots_by_dev = TrashPlaces::default();
        // Collections first, so assets inside a selected collection travel with it.
        let mut ordered: Vec<ItemId> = ids.to_vec();
        ordered.sort_by_key(|id| matches!(id, ItemId::Asset(_)));
        ordered.dedup();
        // An item inside another selected collection goes with it, once.
        let selected: HashSet<CollectionId> =
            ordered.iter().filter_map(|id| id.collection()).collect();
        if !selected.is_empty() {
            let mut keep = Vec::with_capacity(ordered.len());
            for id in ordered {
                if !self.inside_any(id, &selected)? {
                    keep.push(id);
                }
            }
            ordered = keep;
        }
        // A file changed or replaced outside Shoebox since it was last looked at goes as
        // the version it is now (the item takes it first, as a file check would).
        let within = self.active_assets_within(&ordered)?;
        roots_by_dev.seen = self.take_new_versions_seeing(&within)?;
        // The selected assets' records, read together.
        let asset_ids: Vec<AssetId> = ordered.iter().filter_map(|id| id.asset()).collect();
        let mut loaded = self.load_assets(&asset_ids)?;
        for id in ordered {
            match self.plan_unit(id, &mut loaded, &mut covered, &mut roots_by_dev) {
                Ok(Some(unit)) => units.push(unit),
                Ok(None) => {}
                Err(PlanError::Skip(reason)) => report.skipped.push(outcome(id, reason)),
                Err(PlanError::Fail(reason)) => report.failed.push(outcome(id, reason)),
                Err(PlanError::Library(e)) => return Err(e),
            }
        }
        if units.is_empty() {
            return Ok(report);
        }
        let label = self.batch_label(&units)?;
        let user = self.user.clone();
        // Where each item was: its collection's path, read once per collection.
        let mut parents: HashMap<CollectionId, Option<CollectionId>> = HashMap::new();
        let mut wanted: BTreeSet<Option<CollectionId>> = BTreeSet::new();
        for unit in &units {
            for &c in &unit.collections {
                let parent = self.collection_state(c)?.and_then(|row| row.parent_id);
                parents.insert(c, parent);
                wanted.insert(parent);
            }
            wanted.extend(unit.assets.iter().map(|(asset, _)| asset.collection_id));
        }
        let mut paths: HashMap<Option<CollectionId>, String> = HashMap::new();
        for c in wanted {
            paths.insert(c, self.collection_path(c)?);
        }
        let location = |c: Option<CollectionId>| paths.get(&c).map_or("", String::as_str);
        // Each unit's files, moved all or nothing.
        let unit_moves: Vec<Vec<Move>> = units
            .iter()
            .map(|unit| {
                unit.assets
                    .iter()
                    .flat_map(|(_, files)| files.iter())
                    .filter_map(|f| {
                        f.from.as_ref().map(|from| Move {
                            from: from.clone(),
                            to: f.to.clone(),
                            size: f.size,
                            hash: f.hash.clone(),
                        })
                    })
                    .collect()
            })
            .collect();
        // The intents are recorded a part at a time, each durable before its files move;
        // the files move and are flushed on a thread of their own while the next part is
        // recorded, and each part is finished once flushed.
        let mut batch = None;
        let moved = moves::move_while_recording(
            &unit_moves,
            Vec::as_slice,
            &mut self.conn,
            |conn, range| {
                let tx = store::write_tx(conn)?;
                let batch = match batch {
                    Some(b) => b,
                    None => *batch.insert(store::insert_batch_tx(&tx, now, &user, &label)?),
                };
                let mut leaving = Vec::new();
                let mut places = Vec::new();
                for unit in &units[range] {
                    let via = unit.root.collection();
                    for &c in &unit.collections {
                        let parent = parents.get(&c).copied().flatten();
                        let deletion = Deletion {
                            at: now,
                            by: &user,
                            batch,
                            via: if Some(c) == via { None } else { via },
                            orig_location: location(parent),
                        };
                        lifecycle::trash_collection(&tx, c, &deletion)?;
                    }
                    for (asset, files) in &unit.assets {
                        let missing = if files.iter().any(|f| f.from.is_none()) {
                            super::check::MISSING
                        } else {
                            super::check::PRESENT
                        };
                        leaving.push(Leaving {
                            id: asset.id,
                            deletion: Deletion {
                                at: now,
                                by: &user,
                                batch,
                                via,
                                orig_location: location(asset.collection_id),
                            },
                            missing,
                        });
                        places.extend(files.iter().map(|f| TrashPlace {
                            file: f.file_id,
                            root: f.root_id,
                            name: &f.name,
                            dev: f.dev,
                            ino: f.ino,
                        }));
                    }
                }
                if lifecycle::begin_trashing(&tx, &leaving)? != leaving.len() {
                    // Not one of this part moves: its transaction is dropped unfinished.
                    return Err(LibraryError::Invalid(
                        "an item changed while it was being moved to the Trash".into(),
                    ));
                }
                store::files::place_in_trash(&tx, &places)?;
                tx.commit()?;
                crate::failpoint::hit("trash.after_intent");
                Ok(())
            },
            |conn, range, outcomes| {
                crate::failpoint::hit("trash.after_move");
                crate::failpoint::hit("trash.after_sync");
                let tx = store::write_tx(conn)?;
                let mut moved = Vec::new();
                for (unit, outcome) in units[range].iter().zip(outcomes) {
                    if outcome.is_ok() {
                        moved.extend(unit.assets.iter().map(|(asset, _)| asset.id));
                        continue;
                    }
                    // Its files are all back where they were: so is its record.
                    for &c in &unit.collections {
                        revert_collection_tx(&tx, c)?;
                    }
                    for (asset, _) in &unit.assets {
                        revert_asset_tx(&tx, asset.id)?;
                    }
                }
                lifecycle::finish_trashing(&tx, &moved)?;
                tx.commit()?;
                Ok(())
            },
        );
        let outcomes = match moved {
            Ok(outcomes) => outcomes,
            Err(e) => {
                self.settle_now();
                return Err(e);
            }
        };
        let Some(batch) = batch else {
            return Ok(report);
        };
        for (unit, outcome) in units.iter().zip(outcomes) {
            match outcome {
                Ok(()) => report.succeeded.push(unit.root),
                Err(reason) => report
                    .failed
                    .push(self::outcome(unit.root, Problem::Files(reason))),
            }
        }
        if report.succeeded.is_empty() {
            let tx = store::write_tx(&mut self.conn)?;
            store::delete_batch(&tx, batch)?;
            tx.commit()?;
        } else {
            report.batch_id = Some(batch);
        }
        Ok(report)
    }

    fn batch_label(&self, units: &[Unit]) -> Result<String> {
        let count: usize = units
            .iter()
            .map(|u| u.assets.len() + u.collections.len())
            .sum();
        let mut parents = BTreeSet::new();
        for u in units {
            let parent = match u.root {
                ItemId::Asset(_) => u.assets.first().and_then(|(a, _)| a.collection_id),
                ItemId::Collection(c) => self.collection_state(c)?.and_then(|row| row.parent_id),
            };
            parents.insert(parent);
        }
        let from = if parents.len() == 1 {
            let p = self.collection_path(parents.into_iter().next().flatten())?;
            if p.is_empty() {
                "the top of the library".to_string()
            } else {
                p
            }
        } else {
            "several collections".to_string()
        };
        Ok(format!("{} from {from}", super::items(count)))
    }

    /// What moving `id` to the Trash takes; an asset's record comes from `loaded` when
    /// it was read there.
    fn plan_unit(
        &mut self,
        id: ItemId,
        loaded: &mut HashMap<AssetId, AssetRow>,
        covered: &mut HashSet<AssetId>,
        roots: &mut TrashPlaces,
    ) -> Result<Option<Unit>, PlanError> {
        match id {
            ItemId::Asset(a) => {
                if covered.contains(&a) {
                    return Ok(None);
                }
                let asset = match loaded.remove(&a) {
                    Some(row) => row,
                    None => self
                        .load_asset(a)?
                        .ok_or(PlanError::Fail(Problem::NotFound))?,
                };
                if asset.state != AssetState::Active {
                    return Err(PlanError::Skip(Problem::AlreadyInTrash));
                }
                let files = self.plan_files(&asset, roots)?;
                Ok(Some(Unit {
                    root: id,
                    collections: Vec::new(),
                    assets: vec![(asset, files)],
                }))
            }
            ItemId::Collection(c) => {
                match self.collection_state(c)? {
                    None => return Err(PlanError::Fail(Problem::NotFound)),
                    Some(row) if row.status != CollectionStatus::Active => {
                        return Err(PlanError::Skip(Problem::AlreadyInTrash));
                    }
                    Some(_) => {}
                }
                let collections = self.subtree(c)?;
                let mut assets = Vec::new();
                for &col in &collections {
                    let ids = store::tree::active_assets_in(&self.conn, col)?;
                    for a in ids {
                        let Some(asset) = self.load_asset(a)? else {
                            continue;
                        };
                        let files = self.plan_files(&asset, roots).map_err(|e| match e {
                            PlanError::Fail(Problem::Files(m)) => {
                                PlanError::Fail(Problem::Files(format!("{}: {m}", asset.name)))
                            }
                            other => other,
                        })?;
                        covered.insert(a);
                        assets.push((asset, files));
                    }
                }
                Ok(Some(Unit {
                    root: id,
                    collections,
                    assets,
                }))
            }
        }
    }

    /// Whether `id` lies below (not at) one of the collections in `set`.
    fn inside_any(&self, id: ItemId, set: &HashSet<CollectionId>) -> Result<bool> {
        let mut cur = match id {
            ItemId::Asset(a) => self.load_asset(a)?.and_then(|a| a.collection_id),
            ItemId::Collection(c) => self.collection_state(c)?.and_then(|row| row.parent_id),
        };
        let mut guard = 0;
        while let Some(c) = cur {
            if set.contains(&c) {
                return Ok(true);
            }
            cur = self.collection_state(c)?.and_then(|row| row.parent_id);
            guard += 1;
            if guard > 10_000 {
                break;
            }
        }
        Ok(false)
    }

    /// The active collection `c` and every active collection below it.
    pub(crate) fn subtree(&self, c: CollectionId) -> Result<Vec<CollectionId>> {
        let mut out = vec![c];
        let mut i = 0;
        while i < out.len() {
            out.extend(store::tree::active_children(&self.conn, out[i])?);
            i += 1;
        }
        Ok(out)
    }

    /// Checks each file of an asset and picks its place in a trash area.
    fn plan_files(
        &mut self,
        asset: &AssetRow,
        roots: &mut TrashPlaces,
    ) -> Result<Vec<PlannedFile>, PlanError> {
        let mut out = Vec::new();
        for f in &asset.files {
            let from = self.home_path(&f.path, asset.in_place)?;
            if asset.in_place {
                // The file itself is checked below; its folders once per folder.
                if let Some(dir) = from.parent()
                    && !roots.checked_dirs.contains(dir)
                {
                    fsops::check_no_symlinks(dir)
                        .map_err(|e| PlanError::Fail(Problem::Files(e.to_string())))?;
                    roots.checked_dirs.insert(dir.to_path_buf());
                }
            }
            let fname = from
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let name = fsops::fit_name(&format!("{}-{}-{}", asset.id.0, f.id, fname));
            let expect = Expect {
                size: f.size,
                hash: f.hash.clone(),
                dev: f.dev,
                ino: f.ino,
            };
            let found = match roots.seen.remove(&from) {
                Some(seen) => moves::check_seen(&from, seen, &expect),
                None => moves::check_file(&from, &expect),
            };
            let found = found.map_err(|e| {
                PlanError::Fail(Problem::Files(format!(
                    "could not read {}: {e}",
                    from.display()
                )))
            })?;
            match found {
                Found::Gone => {
                    if f.role == "main"
                        && asset.in_place
                        && !from.parent().is_some_and(Path::exists)
                    {
                        return Err(PlanError::Fail(Problem::Files(format!(
                            "its folder is offline or gone: {}",
                            from.display()
                        ))));
                    }
                    // Missing: the record goes to the Trash flagged missing, nothing moves.
                    let (root_id, root) = self.trash_root_for(None, &from, roots)?;
                    out.push(PlannedFile {
                        file_id: f.id,
                        from: None,
                        root_id,
                        to: root.join(&name),
                        name,
                        size: f.size,
                        hash: f.hash.clone(),
                        dev: f.dev,
                        ino: f.ino,
                    });
                }
                Found::NotAFile => {
                    return Err(PlanError::Fail(Problem::Files(format!(
                        "is no longer a regular file (a symbolic link or a folder is in its place): {}",
                        from.display()
                    ))));
                }
                Found::Changed => {
                    return Err(PlanError::Fail(Problem::Files(format!(
                        "the file was changed or replaced outside Shoebox since it was imported: {}",
                        from.display()
                    ))));
                }
                Found::File { dev, ino } => {
                    let (root_id, root) = self.trash_root_for(dev, &from, roots)?;
                    out.push(PlannedFile {
                        file_id: f.id,
                        from: Some(from),
                        root_id,
                        to: root.join(&name),
                        name,
                        size: f.size,
                        hash: f.hash.clone(),
                        dev,
                        ino,
                    });
                }
            }
        }
        Ok(out)
    }

    /// A trash area on the same device as `file` (so the move is a rename), else the
    /// library's own (the move copies).
    fn trash_root_for(
        &mut self,
        dev: Option<i64>,
        file: &Path,
        cache: &mut TrashPlaces,
    ) -> Result<(i64, PathBuf)> {
        if let Some(hit) = cache.by_device.get(&dev) {
            return Ok(hit.clone());
        }
        let own = self.root.join(TRASH_DIR);
        let own_dev = fsops::identity_of(&own).0;
        let chosen = if dev.is_none() || dev == own_dev {
            (1, own)
        } else {
            let uid = store::get_setting(&self.conn, "library_uid")?.unwrap_or_default();
            let dir_name = format!(".shoebox-trash-{uid}");
            let parent = file.parent().unwrap_or(Path::new("/")).to_path_buf();
            // The highest folder on the same device, then the file's own folder.
            let mut top = parent.clone();
            for a in parent.ancestors() {
                if fsops::identity_of(a).0 == dev {
                    top = a.to_path_buf();
                } else {
                    break;
                }
            }
            let mut picked = None;
            for base in [top, parent] {
                let candidate = base.join(&dir_name);
                let made = match fs::create_dir(&candidate) {
                    Ok(()) => {
                        // Out of sight beside the user's files (best effort).
                        let _ = crate::platform::hide(&candidate);
                        true
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        fs::symlink_metadata(&candidate).is_ok_and(|m| m.is_dir())
                    }
                    Err(_) => false,
                };
                if made && let Some(stored) = candidate.to_str() {
                    let id = store::files::trash_root(&self.conn, stored)?;
                    if self.mark_area(id, &candidate).is_err() || self.open_area(id)?.is_err() {
                        // A folder of that name that is not this library's trash area.
                        continue;
                    }
                    picked = Some((id, candidate));
                    break;
                }
            }
            picked.unwrap_or((1, own))
        };
        cache.by_device.insert(dev, chosen.clone());
        Ok(chosen)
    }
}

enum PlanError {
    Skip(Problem),
    Fail(Problem),
    Library(LibraryError),
}

impl From<LibraryError> for PlanError {
    fn from(e: LibraryError) -> Self {
        PlanError::Library(e)
    }
}

impl From<rusqlite::Error> for PlanError {
    fn from(e: rusqlite::Error) -> Self {
        PlanError::Library(e.into())
    }
}

pub(crate) fn outcome(id: ItemId, problem: Problem) -> ItemOutcome {
    ItemOutcome { id, problem }
}

/// "the top of the library" for "", else the collection path in quotes.
pub(crate) fn display_location(location: &str) -> String {
    if location.is_empty() {
        "the top of the library".to_string()
    } else {
        format!("\"{location}\"")
    }
}

/// Checks a user-given name.
pub(crate) fn validate_name(name: &str) -> Result<()> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed != name || fsops::validate_component(name).is_err() {
        return Err(LibraryError::InvalidName(name.to_string()));
    }
    // A name becomes a file's name on restore: it must be one this system accepts.
    if let Some(why) = crate::platform::refused_name(name) {
        return Err(LibraryError::Invalid(format!(
            "invalid name {name:?}: {why}"
        )));
    }
    Ok(())
}

pub(crate) fn revert_asset_tx(tx: &rusqlite::Transaction<'_>, a: AssetId) -> rusqlite::Result<()> {
    lifecycle::activate_asset(tx, a, None)?;
    Ok(())
}

fn revert_collection_tx(tx: &rusqlite::Transaction<'_>, c: CollectionId) -> rusqlite::Result<()> {
    lifecycle::activate_collection(tx, c, false)?;
    Ok(())
}
