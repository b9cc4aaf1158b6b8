//! Startup recovery: settles every operation a crash left half done, before the UI or the
//! sweep acts. After it, each record matches one file (or is flagged missing) and no file
//! is both at its original place and in the Trash. A record that cannot be settled (say, a
//! stored name that would lead outside the library) is quarantined: flagged, shown in the
//! Trash, and left alone, so the rest of the library keeps working.

use std::path::PathBuf;

use super::moves::{self, Move, roll_back};
use super::restore::{activate_collection_tx, finish_restore_asset_tx};
use super::trash::revert_asset_tx;
use super::{Library, LibraryError, Result, fsops};
use crate::store::{self, AssetId, AssetState, CollectionId, lifecycle};

/// Which way a half-done move is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toward {
    Trash,
    Home,
}

impl Library {
    /// Finishes or rolls back `trashing`, `restoring` and `purging` records, and removes
    /// copies of an import that never finished.
    pub(crate) fn recover(&mut self) -> Result<()> {
        self.settle_pending_copies()?;
        self.settle_sidecar_writes()?;
        for (id, in_place, via) in self.assets_in_state(AssetState::Trashing)? {
            match self.settle_files(id, in_place, Toward::Trash) {
                Ok(ok) => {
                    let tx = store::write_tx(&mut self.conn)?;
                    if ok {
                        lifecycle::set_asset_state(
                            &tx,
                            id,
                            AssetState::Trashing,
                            AssetState::Trashed,
                        )?;
                    } else {
                        revert_asset_tx(&tx, id)?;
                        if via.is_some() {
                            // Its collection went to the Trash without it: keep it visible
                            // at the top.
                            lifecycle::put_at_top(&tx, id)?;
                        }
                    }
                    tx.commit()?;
                    log::info!("recovery: finished moving {id} to the Trash (ok: {ok})");
                }
                Err(e) => self.quarantine(id, AssetState::Trashing, &e)?,
            }
        }
        for (id, in_place, via) in self.assets_in_state(AssetState::Restoring)? {
            match self.settle_files(id, in_place, Toward::Home) {
                Ok(ok) => {
                    let tx = store::write_tx(&mut self.conn)?;
                    if ok {
                        if let Some(c) = via {
                            activate_collection_tx(&tx, c)?;
                        }
                        finish_restore_asset_tx(&tx, id)?;
                    } else {
                        lifecycle::set_asset_state(
                            &tx,
                            id,
                            AssetState::Restoring,
                            AssetState::Trashed,
                        )?;
                    }
                    tx.commit()?;
                    log::info!("recovery: finished restoring {id} (ok: {ok})");
                }
                Err(e) => self.quarantine(id, AssetState::Restoring, &e)?,
            }
        }
        self.finish_purging()?;
        Ok(())
    }

    /// Settles at once what a bulk action had begun when it stopped part way (a later
    /// part's intent could not be recorded), as recovery at open would; when that fails
    /// too, the next open does it.
    pub(crate) fn settle_now(&mut self) {
        if let Err(e) = self.recover() {
            log::warn!("could not settle an interrupted action now (the next start will): {e}");
        }
    }

    /// Leaves a record that recovery cannot settle alone: it shows in the Trash with the
    /// reason, and no restore, purge or later recovery touches it.
    fn quarantine(&mut self, id: AssetId, was: AssetState, err: &LibraryError) -> Result<()> {
        let reason = format!("recovery could not finish ({}): {err}", was.as_str());
        log::error!("{id} quarantined: {reason}");
        lifecycle::quarantine(&self.conn, id, &reason)?;
        Ok(())
    }

    fn assets_in_state(
        &self,
        state: AssetState,
    ) -> Result<Vec<(AssetId, bool, Option<CollectionId>)>> {
        Ok(lifecycle::left_in(&self.conn, state)?)
    }

    /// Brings each file of an asset to its trash place or back home. Returns false when
    /// that could not be done (the files are then all back where they started); an error
    /// when the record itself cannot be trusted (an unsafe stored path).
    fn settle_files(&mut self, id: AssetId, in_place: bool, toward: Toward) -> Result<bool> {
        let files = self.load_files(id)?;
        // Every stored path is checked before anything moves.
        let mut pairs = Vec::new();
        for f in &files {
            let home = self.home_path(&f.path, in_place)?;
            let Some(trash) = self.trash_location(f)? else {
                continue;
            };
            pairs.push((f, home, trash));
        }
        let mut moved: Vec<Move> = Vec::new();
        let mut missing = false;
        for (f, home, trash) in pairs {
            let (src, dst) = match toward {
                Toward::Trash => (home, trash),
                Toward::Home => (trash, home),
            };
            let m = Move {
                from: src.clone(),
                to: dst.clone(),
                size: f.size,
                hash: f.hash.clone(),
            };
            match (fsops::exists_nofollow(&src), fsops::exists_nofollow(&dst)) {
                (true, false) => {
                    if let Err(e) = check_regular(&src).and_then(|_| moves::move_checked(&m)) {
                        log::warn!("recovery could not move {}: {e}", src.display());
                        roll_back(&moved);
                        return Ok(false);
                    }
                    moved.push(m);
                }
                (false, true) => {}
                (true, true) => {
                    // An interrupted copy: keep the destination only if it is whole.
                    let whole =
                        fs_is_file(&dst) && fsops::hash_file(&dst).is_ok_and(|(_, h)| h == f.hash);
                    if whole {
                        if let Err(e) = std::fs::remove_file(&src) {
                            log::warn!("recovery could not remove {}: {e}", src.display());
                        }
                    } else if toward == Toward::Trash && fs_is_file(&dst) {
                        // The partial copy is ours, inside our trash area.
                        let _ = std::fs::remove_file(&dst);
                        if moves::move_checked(&m).is_err() {
                            roll_back(&moved);
                            return Ok(false);
                        }
                        moved.push(m);
                    } else {
                        roll_back(&moved);
                        return Ok(false);
                    }
                }
                (false, false) => missing = true,
            }
            if let Some(parent) = dst.parent() {
                let _ = fsops::fsync_dir(parent);
            }
        }
        if missing {
            lifecycle::flag_missing(&self.conn, id)?;
        }
        Ok(true)
    }
}

fn fs_is_file(p: &PathBuf) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

fn check_regular(p: &PathBuf) -> std::io::Result<()> {
    if fs_is_file(p) {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "not a regular file: {}",
            p.display()
        )))
    }
}
