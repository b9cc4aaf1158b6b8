//! Detects files changed or removed outside Shoebox. A file that is gone is flagged
//! *missing*; one whose folder or drive cannot be reached is flagged *offline*. Neither flag
//! ever trashes or purges anything: they only tell the user.

use std::fs;

use serde::Serialize;

use super::{AssetId, Library, Result};
use crate::store;

/// The `missing` column: 0 present, 1 missing, 2 offline.
pub(crate) const PRESENT: i64 = 0;
pub(crate) const MISSING: i64 = 1;
pub(crate) const OFFLINE: i64 = 2;

/// The setting that says a library's photo dimensions take EXIF orientation into account
/// (set by migration 5 for a library made empty, by the first check for an older one).
const ORIENTED: &str = "dimensions_oriented";

/// The setting that says a library's RAW, HEIC/AVIF, PDF, PSD and SVG files were read as
/// their own structure records them (set by migration 8 for a library made empty, by the
/// first check for an older one).
const FORMATS_READ: &str = "formats_read";

/// What a check found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    pub checked: usize,
    pub missing: usize,
    pub offline: usize,
    /// Photos whose recorded dimensions were corrected for their EXIF orientation (once,
    /// for libraries made before Shoebox read it).
    pub reoriented: usize,
    /// RAW, HEIC/AVIF, PDF, PSD and SVG files whose size, date or camera were read again
    /// (once, for libraries made before Shoebox read them from the files' own structure).
    pub reread: usize,
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
        check.reoriented = self.orient_stored_dimensions()?;
        check.reread = self.reread_formats()?;
        Ok(check)
    }

    /// Once per library: reads again the size, date and camera of the files of the formats
    /// Shoebox reads from their own structure (an earlier Shoebox recorded a RAW's preview
    /// size, no page size for a PDF). What cannot be read now (an unplugged drive) or is not
    /// in the file keeps what was recorded.
    fn reread_formats(&mut self) -> Result<usize> {
        type Recorded = (Option<u32>, Option<u32>, Option<i64>, Option<String>);
        if store::get_setting(&self.conn, FORMATS_READ)?.is_some() {
            return Ok(0);
        }
        let recorded: std::collections::HashMap<AssetId, Recorded> = {
            let mut stmt = self.conn.prepare(
                "SELECT id, width, height, captured_at, camera FROM assets WHERE kind = 'image'",
            )?;
            stmt.query_map([], |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        let mut changes = Vec::new();
        let mut reader = crate::thumbs::Describer::new(self.readers.clone());
        for source in self.picture_sources()? {
            let Some(id) = source.id.asset() else {
                continue;
            };
            let Some(was) = recorded.get(&id) else {
                continue;
            };
            if !super::probe::read_from_own_structure(&source.name) {
                continue;
            }
            // (A reader that panics or crashes on a file is caught: that file keeps its record.)
            let Ok(meta) = reader.describe(&source.path, super::probe::Kind::Image) else {
                continue;
            };
            let now: Recorded = (
                meta.width.or(was.0),
                meta.height.or(was.1),
                meta.captured_at.or(was.2),
                meta.camera.or_else(|| was.3.clone()),
            );
            if &now != was {
                changes.push((id, now));
            }
        }
        let tx = store::write_tx(&mut self.conn)?;
        for (id, (w, h, t, camera)) in &changes {
            tx.execute(
                "UPDATE assets SET width = ?2, height = ?3, captured_at = ?4, camera = ?5
                 WHERE id = ?1",
                rusqlite::params![id, w, h, t, camera],
            )?;
        }
        store::set_setting(&tx, FORMATS_READ, "1")?;
        tx.commit()?;
        Ok(changes.len())
    }

    /// Once per library: records every photo's dimensions as it is meant to be seen (an
    /// earlier Shoebox recorded them as stored, sideways for a turned portrait). A file that
    /// cannot be read now (an unplugged drive) keeps what was recorded.
    fn orient_stored_dimensions(&mut self) -> Result<usize> {
        if store::get_setting(&self.conn, ORIENTED)?.is_some() {
            return Ok(0);
        }
        let recorded: std::collections::HashMap<AssetId, (u32, u32)> = {
            let mut stmt = self.conn.prepare(
                "SELECT id, width, height FROM assets
                 WHERE kind = 'image' AND width IS NOT NULL AND height IS NOT NULL",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut changes = Vec::new();
        for source in self.picture_sources()? {
            let Some(id) = source.id.asset() else {
                continue;
            };
            let Some(&was) = recorded.get(&id) else {
                continue;
            };
            let read =
                crate::thumbs::panics::quietly(|| super::probe::oriented_dimensions(&source.path));
            if let Ok(Ok(seen)) = read
                && seen != was
            {
                changes.push((id, seen));
            }
        }
        let tx = store::write_tx(&mut self.conn)?;
        for (id, (w, h)) in &changes {
            tx.execute(
                "UPDATE assets SET width = ?2, height = ?3 WHERE id = ?1",
                rusqlite::params![id, w, h],
            )?;
        }
        store::set_setting(&tx, ORIENTED, "1")?;
        tx.commit()?;
        Ok(changes.len())
    }
}
