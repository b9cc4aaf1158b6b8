//! Restoring from the Trash, as a state machine on the record: `trashed → restoring →
//! active`. Everything is checked before the intent is recorded (the file is really in the
//! Trash, its place and name are free); the intent is committed before any file moves; recovery
//! at open finishes what a crash interrupted.

mod collection;
mod plan;
mod run;

use std::collections::HashSet;
use std::path::PathBuf;

use plan::RestoreCtx;

use crate::library::rows::CollectionRow;
use crate::library::trash::{outcome, validate_name};
use crate::library::{
    AssetId, BatchId, BulkReport, CollectionId, ItemId, Library, LibraryError, Problem, Result,
};
use crate::store::lifecycle;
use crate::store::{AssetState, CollectionStatus, restoring};

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
                Err(LibraryError::NotFound(_)) => {
                    report.skipped.push(outcome(id, Problem::NotFound));
                }
                Err(LibraryError::NotInTrash(_)) => {
                    report.skipped.push(outcome(id, Problem::NotInTrash));
                }
                Err(e @ LibraryError::Store(_)) => return Err(e),
                Err(e) => report
                    .failed
                    .push(outcome(id, Problem::Refused(e.to_string()))),
            }
        }
        for (id, result) in self.execute_restores(plans)? {
            match result {
                Ok(()) => report.succeeded.push(id),
                Err(reason) => report.failed.push(outcome(id, Problem::Files(reason))),
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
