//! The records the file protocols work on (read by the store: an asset with its files, a
//! collection's state), the path of a collection, and where a trashed file is now.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Library, LibraryError, Result, fsops};
pub(crate) use crate::store::rows::{AssetRow, CollectionRow, FileRow};
use crate::store::{self, AssetId, CollectionId, rows};

impl Library {
    pub(crate) fn load_asset(&self, id: AssetId) -> Result<Option<AssetRow>> {
        Ok(rows::assets(&self.conn, &[id])?.remove(&id))
    }

    /// The records of many assets with their files (see [`rows::assets`]).
    pub(crate) fn load_assets(&self, ids: &[AssetId]) -> Result<HashMap<AssetId, AssetRow>> {
        Ok(rows::assets(&self.conn, ids)?)
    }

    /// The files of one asset, the main file first.
    pub(crate) fn load_files(&self, asset_id: AssetId) -> Result<Vec<FileRow>> {
        Ok(rows::files(&self.conn, asset_id)?)
    }

    /// The state of a collection, `None` when it does not exist.
    pub(crate) fn collection_state(&self, id: CollectionId) -> Result<Option<CollectionRow>> {
        Ok(rows::collection(&self.conn, id)?)
    }

    /// `Trips/2024` for a collection id, "" for the top.
    pub fn collection_path(&self, id: Option<CollectionId>) -> Result<String> {
        path_of(id, |c| {
            Ok(self
                .collection_state(c)?
                .map(|row| (row.parent_id, row.name)))
        })
    }

    /// Absolute path of trash root `id`.
    pub(crate) fn trash_root(&self, id: i64) -> Result<PathBuf> {
        let (stored, _) =
            store::areas::area(&self.conn, id)?.ok_or_else(|| super::areas::no_area(id))?;
        self.trash_root_path(&stored)
    }

    /// Where a trashed file is now.
    pub(crate) fn trash_location(&self, f: &FileRow) -> Result<Option<PathBuf>> {
        match (f.trash_root_id, &f.trash_name) {
            (Some(root), Some(name)) => {
                fsops::validate_component(name)
                    .map_err(|e| LibraryError::io("refusing a stored trash name", name, e))?;
                Ok(Some(self.trash_root(root)?.join(name)))
            }
            _ => Ok(None),
        }
    }
}

/// The path of names from the top down to `start` ("" for the top): the one walk up the
/// collection tree, whatever the rows come from. `parent_of` gives a collection's parent
/// and name; the walk stops at a collection that is not there, and at a cycle.
pub(crate) fn path_of<Id: Copy + Eq + std::hash::Hash, E>(
    start: Option<Id>,
    mut parent_of: impl FnMut(Id) -> std::result::Result<Option<(Option<Id>, String)>, E>,
) -> std::result::Result<String, E> {
    let mut parts = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut cur = start;
    while let Some(c) = cur {
        if !seen.insert(c) {
            break;
        }
        let Some((parent, name)) = parent_of(c)? else {
            break;
        };
        parts.push(name);
        cur = parent;
    }
    parts.reverse();
    Ok(parts.join("/"))
}
