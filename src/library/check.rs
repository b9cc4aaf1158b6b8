//! Detects files changed or removed outside Shoebox. A file that is gone is flagged
//! *missing*; one whose folder or drive cannot be reached is flagged *offline*. Neither flag
//! ever trashes or purges anything: they only tell the user.

use std::fs;

use serde::Serialize;

use super::{Library, Result};
use crate::store;

/// The `missing` column: 0 present, 1 missing, 2 offline.
pub(crate) const PRESENT: i64 = 0;
pub(crate) const MISSING: i64 = 1;
pub(crate) const OFFLINE: i64 = 2;

/// What a check found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    pub checked: usize,
    pub missing: usize,
    pub offline: usize,
}

impl Library {
    /// Looks at the main file of every active asset (without following links) and updates
    /// its missing/offline flag.
    pub fn check_files(&mut self) -> Result<FileCheck> {
        let rows: Vec<(i64, String, bool, i64)> = {
            let mut stmt = self.conn.prepare(
                "SELECT a.id, f.path, a.storage = 'in_place', a.missing FROM assets a
                 JOIN files f ON f.asset_id = a.id AND f.role = 'main' WHERE a.state = 'active'",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut check = FileCheck::default();
        let mut changes = Vec::new();
        for (id, stored, in_place, was) in rows {
            check.checked += 1;
            let Ok(path) = self.home_path(&stored, in_place) else {
                continue;
            };
            let now = match fs::symlink_metadata(&path) {
                Ok(m) if m.is_file() => PRESENT,
                Ok(_) => MISSING,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let folder_there = path.parent().is_some_and(|p| p.is_dir());
                    if folder_there { MISSING } else { OFFLINE }
                }
                Err(_) => OFFLINE,
            };
            match now {
                MISSING => check.missing += 1,
                OFFLINE => check.offline += 1,
                _ => {}
            }
            if now != was {
                changes.push((id, now));
            }
        }
        if !changes.is_empty() {
            let tx = store::write_tx(&mut self.conn)?;
            for (id, flag) in changes {
                tx.execute(
                    "UPDATE assets SET missing = ?2 WHERE id = ?1 AND state = 'active'",
                    [id, flag],
                )?;
            }
            tx.commit()?;
        }
        Ok(check)
    }
}
