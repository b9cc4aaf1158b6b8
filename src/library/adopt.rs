//! Adoption: a file in one of Shoebox's trash areas that no record knows (say, after the
//! database was restored from an older backup) is never deleted. At open it becomes a Trash
//! entry of its own, "recovered by Shoebox", so the user can restore it or let it expire.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use rusqlite::params;

use super::import::name_key;
use super::{Library, Result, fsops, probe};
use crate::store;

/// Who a recovered entry was deleted by.
pub const RECOVERED_BY: &str = "recovered by Shoebox";

impl Library {
    /// Adopts unknown files in every reachable trash area; returns how many.
    pub(crate) fn adopt_orphans(&mut self) -> Result<usize> {
        let roots: Vec<(i64, String)> = {
            let mut stmt = self.conn.prepare("SELECT id, path FROM trash_roots")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut adopted = 0;
        for (root_id, stored) in roots {
            let Ok(root) = self.trash_root_path(&stored) else {
                continue;
            };
            let Ok(entries) = fs::read_dir(&root) else {
                continue;
            }; // offline: later
            let known: HashSet<String> = {
                let mut stmt = self
                    .conn
                    .prepare("SELECT trash_name FROM files WHERE trash_root_id = ?1 AND trash_name IS NOT NULL")?;
                stmt.query_map([root_id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?
            };
            let mut orphans = Vec::new();
            for entry in entries.flatten() {
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                if is_file && !name.starts_with('.') && !known.contains(&name) {
                    orphans.push(name);
                }
            }
            if !orphans.is_empty() {
                adopted += self.adopt_files(root_id, &root, &orphans)?;
            }
        }
        if adopted > 0 {
            log::warn!("adopted {adopted} unknown files found in the trash areas");
        }
        Ok(adopted)
    }

    fn adopt_files(&mut self, root_id: i64, root: &Path, names: &[String]) -> Result<usize> {
        let now = self.guarded_now()?;
        let in_place = root_id != 1;
        let home_dir = if in_place {
            root.parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| root.to_path_buf())
        } else {
            Path::new(super::MEDIA_DIR).join("recovered")
        };
        let mut rows = Vec::new();
        for trash_name in names {
            let Ok((size, hash)) = fsops::hash_file(&root.join(trash_name)) else {
                continue;
            };
            // Shoebox names trashed files `{asset}-{file}-{name}`; anything else keeps its name.
            let name = match trash_name.splitn(3, '-').collect::<Vec<_>>()[..] {
                [a, f, rest]
                    if a.parse::<u64>().is_ok() && f.parse::<u64>().is_ok() && !rest.is_empty() =>
                {
                    rest.to_string()
                }
                _ => trash_name.clone(),
            };
            let Some(home) = home_dir.join(&name).to_str().map(str::to_string) else {
                continue;
            };
            rows.push((trash_name, name, home, size, hash));
        }
        if rows.is_empty() {
            return Ok(0);
        }
        let tx = store::write_tx(&mut self.conn)?;
        tx.execute(
            "INSERT INTO batches(created_at, deleted_by, label) VALUES (?1, ?2, ?3)",
            params![
                now,
                RECOVERED_BY,
                format!("{} found in the trash area", super::items(rows.len()))
            ],
        )?;
        let batch = tx.last_insert_rowid();
        for (trash_name, name, home, size, hash) in &rows {
            tx.execute(
                "INSERT INTO assets(name, name_key, kind, storage, size, hash, imported_at, state,
                    deleted_at, deleted_by, batch_id, orig_location)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'trashed', ?7, ?8, ?9, '')",
                params![
                    name,
                    name_key(name),
                    probe::kind_of(name).as_str(),
                    if in_place { "in_place" } else { "copy" },
                    *size as i64,
                    hash,
                    now,
                    RECOVERED_BY,
                    batch
                ],
            )?;
            let asset = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO files(asset_id, role, path, size, hash, trash_root_id, trash_name)
                 VALUES (?1, 'main', ?2, ?3, ?4, ?5, ?6)",
                params![asset, home, *size as i64, hash, root_id, trash_name],
            )?;
        }
        tx.commit()?;
        if !in_place {
            let _ = fs::create_dir_all(self.root.join(&home_dir));
        }
        Ok(rows.len())
    }
}
