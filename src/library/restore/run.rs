//! A restore of planned assets as one run of the protocol: the intents recorded in one
//! transaction, the files moved (each asset all or nothing), one flush, one transaction to
//! finish.

use super::plan::RestorePlan;
use crate::library::import::name_key;
use crate::library::moves::move_while_recording;
use crate::library::{ItemId, Library, LibraryError, Result};
use crate::store::lifecycle::{self, Placement};
use crate::store::{self, files, restoring};

impl Library {
    /// Restores planned assets as one protocol run: one transaction records every intent,
    /// the files move (each asset all or nothing), one flush makes the moves durable, and
    /// one transaction finishes them. Returns each asset's outcome.
    #[allow(clippy::type_complexity)]
    pub(super) fn execute_restores(
        &mut self,
        plans: Vec<RestorePlan>,
    ) -> Result<Vec<(ItemId, std::result::Result<(), String>)>> {
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        // The intents are recorded a part at a time, each durable before its files move;
        // the files move and are flushed on a thread of their own while the next part is
        // recorded, and each part is finished once flushed.
        let moved = move_while_recording(
            &plans,
            |p| p.moves.as_slice(),
            &mut self.conn,
            |conn, range| {
                let tx = store::write_tx(conn)?;
                // Most come back under their own name and place: then only the state changes,
                // for all of them in one statement (and no index on name or place is touched).
                let mut as_they_were = Vec::with_capacity(range.len());
                for p in &plans[range] {
                    let key = name_key(&p.name);
                    let changed = if p.name == p.asset.name && p.parent == p.asset.collection_id {
                        as_they_were.push(p.asset.id);
                        true
                    } else {
                        let placement = Placement {
                            name: &p.name,
                            name_key: &key,
                            collection: p.parent,
                        };
                        lifecycle::begin_restoring_as(&tx, p.asset.id, placement)?
                    };
                    if !changed {
                        return Err(changed_meanwhile());
                    }
                    if p.asset.via_id.is_some() {
                        // Out of its collection's batch: if it stays in the Trash after all, it
                        // is an entry of its own (restoring that collection no longer brings it
                        // back).
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
                if lifecycle::begin_restoring(&tx, &as_they_were)? != as_they_were.len() {
                    return Err(changed_meanwhile());
                }
                tx.commit()?;
                crate::failpoint::hit("restore.after_intent");
                Ok(())
            },
            |conn, range, outcomes| {
                crate::failpoint::hit("restore.after_move");
                crate::failpoint::hit("restore.after_sync");
                let tx = store::write_tx(conn)?;
                let mut back = Vec::new();
                for (p, outcome) in plans[range].iter().zip(outcomes) {
                    let asset = &p.asset;
                    if outcome.is_ok() {
                        back.push(asset.id);
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
                lifecycle::finish_restoring_of(&tx, &back)?;
                tx.commit()?;
                Ok(())
            },
        );
        let moved = match moved {
            Ok(moved) => moved,
            Err(e) => {
                self.settle_now();
                return Err(e);
            }
        };
        let outcomes: Vec<(ItemId, std::result::Result<(), String>)> = plans
            .iter()
            .zip(moved)
            .map(|(p, moved)| {
                let id = ItemId::Asset(p.asset.id);
                (
                    id,
                    moved.map_err(|reason| format!("{id} stays in the Trash: {reason}")),
                )
            })
            .collect();
        Ok(outcomes)
    }
}

/// A record left the Trash (or changed state) between the plan and the intent: nothing is
/// restored (the intent's transaction is dropped unfinished).
fn changed_meanwhile() -> LibraryError {
    LibraryError::Invalid(
        "an item changed while it was being restored; nothing was restored".into(),
    )
}
