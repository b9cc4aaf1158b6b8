//! Making, renaming and moving collections. Names are unique among siblings, ignoring case.

use super::import::name_key;
use super::trash::validate_name;
use super::{AssetId, CollectionId, ItemId, Library, LibraryError, Problem, Result};
use crate::store::{AssetState, tree};

impl Library {
    /// Makes a new collection; fails if a sibling has the name.
    pub fn create_collection(
        &mut self,
        parent: Option<CollectionId>,
        name: &str,
    ) -> Result<CollectionId> {
        validate_name(name)?;
        if let Some(p) = parent {
            self.require_active_collection(p)?;
        }
        self.require_free_collection_name(parent, name, None)?;
        let (id, _) = self.ensure_collection(parent, name)?;
        Ok(id)
    }

    /// Renames an active collection.
    pub fn rename_collection(&mut self, id: CollectionId, name: &str) -> Result<()> {
        validate_name(name)?;
        self.require_active_collection(id)?;
        let parent = tree::parent_of(&self.conn, id)?;
        self.require_free_collection_name(parent, name, Some(id))?;
        tree::rename_collection(&self.conn, id, name, &name_key(name))?;
        Ok(())
    }

    /// Moves an active collection under another (or to the top).
    pub fn move_collection(
        &mut self,
        id: CollectionId,
        parent: Option<CollectionId>,
    ) -> Result<()> {
        self.require_active_collection(id)?;
        if let Some(p) = parent {
            self.require_active_collection(p)?;
            if self.subtree(id)?.contains(&p) {
                return Err(LibraryError::Invalid(
                    "cannot move a collection into itself".into(),
                ));
            }
        }
        let name = tree::collection_name(&self.conn, id)?;
        self.require_free_collection_name(parent, &name, Some(id))?;
        tree::move_collection(&self.conn, id, parent)?;
        Ok(())
    }

    /// Renames an active asset (the name shown in the library; the file keeps its name).
    pub fn rename_asset(&mut self, id: AssetId, name: &str) -> Result<()> {
        validate_name(name)?;
        let Some((state, _, collection)) = tree::asset_place(&self.conn, id)? else {
            return Err(LibraryError::NotFound(ItemId::Asset(id)));
        };
        if state != AssetState::Active {
            return Err(LibraryError::InTrash(ItemId::Asset(id)));
        }
        if tree::asset_name_taken(&self.conn, collection, &name_key(name), id)? {
            return Err(LibraryError::Invalid(format!(
                "an item named \"{name}\" is already there"
            )));
        }
        tree::rename_asset(&self.conn, id, name, &name_key(name))?;
        Ok(())
    }

    /// Moves active assets into a collection (`None`: the top). An asset whose name is
    /// already taken there is left where it is and reported.
    pub fn move_assets(
        &mut self,
        ids: &[ItemId],
        to: Option<CollectionId>,
    ) -> Result<super::BulkReport> {
        if let Some(c) = to {
            self.require_active_collection(c)?;
        }
        let mut report = super::BulkReport::default();
        for &id in ids {
            let ItemId::Asset(a) = id else {
                report.failed.push(super::ItemOutcome {
                    id,
                    problem: Problem::NotAnAsset,
                });
                continue;
            };
            let row = tree::asset_place(&self.conn, a)?;
            let outcome = |problem: Problem| super::ItemOutcome { id, problem };
            match row {
                None => report.failed.push(outcome(Problem::NotFound)),
                Some((state, ..)) if state != AssetState::Active => {
                    report.failed.push(outcome(Problem::InTrash));
                }
                Some((_, _, from)) if from == to => {
                    report.skipped.push(outcome(Problem::AlreadyThere));
                }
                Some((_, name, _)) => {
                    if tree::move_asset(&self.conn, a, to, &name_key(&name))? {
                        report.succeeded.push(id);
                    } else {
                        report.failed.push(outcome(Problem::NameTaken(name)));
                    }
                }
            }
        }
        Ok(report)
    }

    fn require_free_collection_name(
        &self,
        parent: Option<CollectionId>,
        name: &str,
        except: Option<CollectionId>,
    ) -> Result<()> {
        if tree::collection_name_taken(&self.conn, parent, &name_key(name), except)? {
            return Err(LibraryError::Invalid(format!(
                "a collection named \"{name}\" is already there"
            )));
        }
        Ok(())
    }
}
