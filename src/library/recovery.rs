//! Startup recovery: settles every operation a crash left half done, before the UI or the
//! sweep acts. After it, each record matches one file (or is flagged missing) and no file
//! is both at its original place and in the Trash.

use std::path::PathBuf;

use rusqlite::params;

use super::fsops;
use super::trash::{activate_collection_tx, finish_restore_asset_tx, revert_asset_tx};
use super::{Library, Result};
use crate::store;

impl Library {
    /// Finishes or rolls back `trashing`, `restoring` and `purging` records.
    pub(crate) fn recover(&mut self) -> Result<()> {
        for (id, in_place, via) in self.assets_in_state("trashing")? {
            let ok = self.settle_files(id, in_place, true)?;
            let tx = store::write_tx(&mut self.conn)?;
            if ok {
                tx.execute("UPDATE assets SET state = 'trashed' WHERE id = ?1", [id])?;
            } else {
                revert_asset_tx(&tx, id)?;
                if via.is_some() {
                    // Its collection went to the Trash without it: keep it visible at the top.
                    tx.execute("UPDATE assets SET collection_id = NULL WHERE id = ?1", [id])?;
                }
            }
            tx.commit()?;
            log::info!("recovery: finished moving a{id} to the Trash (ok: {ok})");
        }
        for (id, in_place, via) in self.assets_in_state("restoring")? {
            let ok = self.settle_files(id, in_place, false)?;
            let tx = store::write_tx(&mut self.conn)?;
            if ok {
                if let Some(c) = via {
                    activate_collection_tx(&tx, c)?;
                }
                finish_restore_asset_tx(&tx, id)?;
            } else {
                tx.execute("UPDATE assets SET state = 'trashed' WHERE id = ?1", [id])?;
            }
            tx.commit()?;
            log::info!("recovery: finished restoring a{id} (ok: {ok})");
        }
        self.finish_purging()?;
        Ok(())
    }

    fn assets_in_state(&self, state: &str) -> Result<Vec<(i64, bool, Option<i64>)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, storage = 'in_place', via_id FROM assets WHERE state = ?1")?;
        let rows = stmt
            .query_map([state], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Brings each file of an asset to its trash place (`to_trash`) or back home.
    /// Returns false when that could not be done (the files are then all back where
    /// they started).
    fn settle_files(&mut self, id: i64, in_place: bool, to_trash: bool) -> Result<bool> {
        let files = self.load_files(id)?;
        let mut moved: Vec<(PathBuf, PathBuf, String)> = Vec::new();
        let mut missing = false;
        for f in &files {
            let home = self.home_path(&f.path, in_place)?;
            let Some(trash) = self.trash_location(f)? else {
                continue;
            };
            let (src, dst) = if to_trash {
                (home, trash)
            } else {
                (trash, home)
            };
            let at_src = fsops::exists_nofollow(&src);
            let at_dst = fsops::exists_nofollow(&dst);
            match (at_src, at_dst) {
                (true, false) => match fsops::move_file(&src, &dst, &f.hash) {
                    Ok(_) => moved.push((src.clone(), dst.clone(), f.hash.clone())),
                    Err(e) => {
                        log::warn!("recovery could not move {}: {e}", src.display());
                        for (s, d, h) in moved.iter().rev() {
                            let _ = fsops::move_file(d, s, h);
                        }
                        return Ok(false);
                    }
                },
                (false, true) => {}
                (true, true) => {
                    // An interrupted copy: keep the destination only if it is whole.
                    let whole = fsops::hash_file(&dst).is_ok_and(|(_, h)| h == f.hash);
                    if whole {
                        if let Err(e) = std::fs::remove_file(&src) {
                            log::warn!("recovery could not remove {}: {e}", src.display());
                        }
                    } else if to_trash {
                        // The partial copy is ours, inside our trash area.
                        let _ = std::fs::remove_file(&dst);
                        if fsops::move_file(&src, &dst, &f.hash).is_err() {
                            return Ok(false);
                        }
                    } else {
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
            let tx = store::write_tx(&mut self.conn)?;
            tx.execute(
                "UPDATE assets SET missing = ?2 WHERE id = ?1",
                params![id, super::check::MISSING],
            )?;
            tx.commit()?;
        }
        Ok(true)
    }
}
