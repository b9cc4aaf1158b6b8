//! Checking a restore before anything changes: the files are really in the Trash and
//! are what was recorded, the place and name each goes back to are free; and the moves
//! that bring them back.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::{FolderChoice, RestoreOptions};
use crate::library::fsops;
use crate::library::import::name_key;
use crate::library::moves::{self, Expect, Found, Move};
use crate::library::rows::AssetRow;
use crate::library::trash::display_location;
use crate::library::{AreaProblem, AssetId, CollectionId, ItemId, Library, LibraryError, Result};
use crate::store::AssetState;

impl Library {
    /// Checks everything about restoring asset `a` (the file is in the Trash, its place
    /// and name are free) and says what to move; changes nothing.
    pub(super) fn plan_asset_restore(
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
        let checked =
            self.check_restore_names(&asset, parent, &name, opts, &taken, &mut ctx.folders);
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
    pub(super) fn check_restore_names(
        &self,
        asset: &AssetRow,
        parent: Option<CollectionId>,
        name: &str,
        opts: &RestoreOptions,
        taken: &HashSet<String>,
        folders: &mut HashSet<PathBuf>,
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
        let files = self.plan_restore_files(asset, name, opts, folders)?;
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

    /// Where each file of a trashed asset is now, checked: its trash area reachable and the
    /// one Shoebox made, and the file there a regular file with the recorded content. A
    /// file that was already missing when it was trashed has nothing to move (`None`).
    /// Anything else stops the restore before any record or file changes.
    pub(crate) fn restore_sources(&self, asset: &AssetRow) -> Result<Vec<(i64, Option<PathBuf>)>> {
        self.restore_sources_in(asset, &mut HashMap::new())
    }

    /// [`Library::restore_sources`] with the trash areas already checked in this operation.
    pub(super) fn restore_sources_in(
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
    pub(super) fn free_restore_name(
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

    /// (file id, destination, stored path) for each file of a trashed asset. A folder in
    /// `folders` was found there, with no link on its way, by this restore already; one
    /// found so now is added.
    pub(super) fn plan_restore_files(
        &self,
        asset: &AssetRow,
        name: &str,
        opts: &RestoreOptions,
        folders: &mut HashSet<PathBuf>,
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
                None if folders.contains(&orig_dir) => orig_dir,
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
            if !folders.contains(&dir) {
                fsops::check_no_symlinks(&dir)
                    .map_err(|e| LibraryError::io("refusing the folder", &dir, e))?;
                folders.insert(dir.clone());
            }
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
}

/// A checked plan to restore one asset.
pub(super) struct RestorePlan {
    pub(super) asset: AssetRow,
    pub(super) parent: Option<CollectionId>,
    pub(super) name: String,
    /// (file id, destination, stored path) for each file.
    pub(super) files: Vec<(i64, PathBuf, String)>,
    pub(super) moves: Vec<Move>,
}

/// What the items of one restore share: names taken per collection (including those
/// this restore gives back), the trash areas already checked, and the folders found to be
/// there with no link on their way.
#[derive(Default)]
pub(super) struct RestoreCtx {
    /// The records of the assets being restored, read together.
    pub(super) assets: Option<HashMap<AssetId, AssetRow>>,
    pub(super) taken: HashMap<Option<CollectionId>, HashSet<String>>,
    pub(super) areas: HashMap<i64, std::result::Result<PathBuf, AreaProblem>>,
    pub(super) folders: HashSet<PathBuf>,
}

/// The moves that bring an asset's files back: from where [`Library::restore_sources`]
/// found them to where the plan puts them.
pub(super) fn restore_moves(
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
