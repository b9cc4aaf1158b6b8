//! Adoption: a file in one of Shoebox's trash areas that no record knows (say, after the
//! database was restored from an older backup) is never deleted. At open it becomes a Trash
//! entry of its own, "recovered by Shoebox", so the user can restore it or let it expire.

use std::fs;
use std::path::Path;

use super::fsops::SafeDir;
use super::import::name_key;
use super::{Library, Result, fsops};
use crate::media::probe;
use crate::store::{self, areas};

/// Who a recovered entry was deleted by.
pub const RECOVERED_BY: &str = "recovered by Shoebox";

impl Library {
    /// Adopts unknown files in every reachable trash area; returns how many.
    pub(crate) fn adopt_orphans(&mut self) -> Result<usize> {
        let roots = areas::all_areas(&self.conn)?;
        let mut adopted = 0;
        for (root_id, _) in roots {
            // Only a trash area reached without links and holding its token: never a
            // folder that merely sits at its path.
            let Ok(area) = self.open_area(root_id)? else {
                continue; // offline or not ours: later
            };
            let Ok(names) = area.file_names() else {
                continue;
            };
            let known = areas::names_in(&self.conn, root_id)?;
            let orphans: Vec<String> = names
                .into_iter()
                .filter(|n| !n.starts_with('.') && !known.contains(n))
                .collect();
            if !orphans.is_empty() {
                adopted += self.adopt_files(root_id, &area, &orphans)?;
            }
        }
        if adopted > 0 {
            log::warn!("adopted {adopted} unknown files found in the trash areas");
        }
        Ok(adopted)
    }

    fn adopt_files(&mut self, root_id: i64, area: &SafeDir, names: &[String]) -> Result<usize> {
        let root = area.path();
        let now = self.guarded_now()?;
        let in_place = root_id != 1;
        let home_dir = if in_place {
            root.parent()
                .map_or_else(|| root.to_path_buf(), Path::to_path_buf)
        } else {
            Path::new(super::MEDIA_DIR).join("recovered")
        };
        let mut rows = Vec::new();
        for trash_name in names {
            let Ok((size, hash)) = area.open_file(trash_name).and_then(fsops::hash_reader) else {
                continue;
            };
            // Shoebox names trashed files `{asset}-{file}-{name}`; anything else keeps its name.
            let name = match trash_name.splitn(3, '-').collect::<Vec<_>>()[..] {
                [a, f, rest]
                    if a.parse::<u64>().is_ok() && f.parse::<u64>().is_ok() && !rest.is_empty() =>
                {
                    super::import::shown_name(rest).to_string()
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
        let batch = store::insert_batch_tx(
            &tx,
            now,
            RECOVERED_BY,
            &format!("{} found in the trash area", super::items(rows.len())),
        )?;
        for (trash_name, name, home, size, hash) in &rows {
            let key = name_key(name);
            store::insert_asset_tx(
                &tx,
                &store::NewAsset {
                    name,
                    name_key: &key,
                    kind: probe::kind_of(name).as_str(),
                    in_place,
                    size: *size as i64,
                    hash,
                    imported_at: now,
                    trashed: Some(store::TrashedAt {
                        deleted_at: now,
                        deleted_by: RECOVERED_BY,
                        batch_id: batch,
                    }),
                    ..Default::default()
                },
                &[store::NewFile {
                    role: "main",
                    path: home,
                    size: *size as i64,
                    hash,
                    dev: None,
                    ino: None,
                    trash_root_id: Some(root_id),
                    trash_name: Some(trash_name),
                }],
            )?;
        }
        tx.commit()?;
        if !in_place {
            let _ = fs::create_dir_all(self.root.join(&home_dir));
        }
        Ok(rows.len())
    }
}
