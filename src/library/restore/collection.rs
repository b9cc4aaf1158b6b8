//! Restoring a trashed collection with what went to the Trash with it, under its name or
//! another, where it was or elsewhere.

use std::collections::{BTreeSet, HashSet};

use super::plan::restore_moves;
use super::{RestoreOptions, activate_collection_tx, finish_restore_asset_tx};
use crate::library::fsops;
use crate::library::import::{free_name, name_key};
use crate::library::moves::{run_moves, sync_dirs};
use crate::library::rows::CollectionRow;
use crate::library::trash::display_location;
use crate::library::{CollectionId, ItemId, Library, LibraryError, Result};
use crate::store::lifecycle::{self};
use crate::store::{self, AssetState, CollectionStatus, files, restoring};

impl Library {
    pub(super) fn restore_collection(
        &mut self,
        c: CollectionId,
        opts: &RestoreOptions,
    ) -> Result<()> {
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
        let mut folders = HashSet::new();
        for a in &members {
            let Some(asset) = self.load_asset(*a)? else {
                continue;
            };
            let sources = self.restore_sources(&asset)?;
            let plan = self.plan_restore_files(&asset, &asset.name, &member_opts, &mut folders)?;
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
        lifecycle::begin_restoring(&tx, &members)?;
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
