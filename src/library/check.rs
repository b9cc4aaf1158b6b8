//! Detects files changed or removed outside Shoebox. A file that is gone is flagged
//! *missing*; one whose folder or drive cannot be reached is flagged *offline*. Neither flag
//! ever trashes or purges anything: they only tell the user.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use serde::Serialize;

use super::moves::Seen;
use super::{AssetId, Library, Result, fsops};
use crate::store;
use crate::store::files::{self, CheckScope as Scope, CheckedFile};

/// The `missing` column: 0 present, 1 missing, 2 offline.
pub(crate) use crate::store::{MISSING, OFFLINE, PRESENT};

/// The setting that says a library's photo dimensions take EXIF orientation into account
/// (set by migration 5 for a library made empty, by the first check for an older one).
const ORIENTED: &str = "dimensions_oriented";

/// The setting that says a library's RAW, HEIC/AVIF, PDF, PSD and SVG files were read as
/// their own structure records them (set by migration 8 for a library made empty, by the
/// first check for an older one).
const FORMATS_READ: &str = "formats_read";

/// What a check found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    pub checked: usize,
    pub missing: usize,
    pub offline: usize,
    /// Items whose file was changed or replaced outside Shoebox: each took the new version
    /// (same item, collection and metadata; new size, dimensions and picture).
    pub changed: Vec<String>,
    /// Photos whose recorded dimensions were corrected for their EXIF orientation (once,
    /// for libraries made before Shoebox read it).
    pub reoriented: usize,
    /// RAW, HEIC/AVIF, PDF, PSD and SVG files whose size, date or camera were read again
    /// (once, for libraries made before Shoebox read them from the files' own structure).
    pub reread: usize,
    /// XMP that changed outside Shoebox (a sidecar, or the packet inside a picture) and
    /// could not be read: the item's name and why. What it had is kept.
    pub unreadable_xmp: Vec<(String, String)>,
}

impl Library {
    /// Looks at every file of every active asset (without following links): updates each
    /// asset's missing/offline flag, and lets an asset whose file has new content take the
    /// new version (see [`Library::take_new_versions`]).
    pub fn check_files(&mut self) -> Result<FileCheck> {
        let mut check = FileCheck::default();
        let mut after = None;
        loop {
            let (page, next) = self.check_files_page(after, CHECK_PAGE)?;
            check.add(page);
            match next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        self.finish_file_check(&mut check)?;
        Ok(check)
    }

    /// One page of [`Library::check_files`]: the active assets after `after` in id order,
    /// at most `page` of them. What the page found, and where the next begins (`None`:
    /// this was the last). Run page by page, other work goes between pages, and an asset
    /// imported or restored meanwhile is checked when its page comes (or by the next check).
    pub fn check_files_page(
        &mut self,
        after: Option<AssetId>,
        page: usize,
    ) -> Result<(FileCheck, Option<AssetId>)> {
        let (count, last) = files::check_page(&self.conn, after, page)?;
        let Some(last) = last else {
            return Ok((FileCheck::default(), None));
        };
        let check = self.look_at_files(Scope::Ids { after, last }, None)?;
        Ok((check, (count >= page).then_some(last)))
    }

    /// What a whole check does after its last page: once per library, the dimensions and
    /// formats an older Shoebox recorded are read again.
    pub fn finish_file_check(&mut self, check: &mut FileCheck) -> Result<()> {
        check.reoriented = self.orient_stored_dimensions()?;
        check.reread = self.reread_formats()?;
        Ok(())
    }

    /// Lets the given active assets take the content their files hold now, when it was
    /// changed or replaced outside Shoebox (as [`Library::check_files`] does for all): the
    /// names of those that changed.
    pub fn take_new_versions(&mut self, assets: &[AssetId]) -> Result<Vec<String>> {
        Ok(self.look_at_files(Scope::Only(assets), None)?.changed)
    }

    /// [`Library::take_new_versions`], and what it saw of each file at its place (for a
    /// move that follows, so it need not look again).
    pub(crate) fn take_new_versions_seeing(
        &mut self,
        assets: &[AssetId],
    ) -> Result<HashMap<PathBuf, Seen>> {
        let mut seen = HashMap::with_capacity(assets.len());
        self.look_at_files(Scope::Only(assets), Some(&mut seen))?;
        Ok(seen)
    }

    /// The file check of the active assets in `scope`; what it saw of each file goes into
    /// `keep`, when given.
    fn look_at_files(
        &mut self,
        scope: Scope<'_>,
        mut keep: Option<&mut HashMap<PathBuf, Seen>>,
    ) -> Result<FileCheck> {
        let whole = matches!(scope, Scope::Ids { .. });
        let rows = files::files_to_check(&self.conn, scope)?;
        let mut check = FileCheck::default();
        let mut flags = Vec::new();
        let mut seen = Vec::new();
        let mut versions: Vec<NewVersion> = Vec::new();
        let mut reader = crate::thumbs::Describer::new(self.readers.clone());
        // An asset's XMP sidecar, when it has one, says what other tools gave it; else the
        // packet inside its picture does.
        let with_sidecar: std::collections::HashSet<AssetId> = rows
            .iter()
            .filter(|r| !r.main && is_xmp(&r.stored))
            .map(|r| r.asset)
            .collect();
        for row in rows {
            let Ok(path) = self.home_path(&row.stored, row.in_place) else {
                continue;
            };
            let meta = fs::symlink_metadata(&path);
            if let (Some(keep), Ok(m)) = (keep.as_deref_mut(), &meta) {
                keep.insert(path.clone(), Seen::of(&path, m));
            }
            if row.main {
                check.checked += 1;
                let now = presence_from(&path, &meta).flag();
                match now {
                    MISSING => check.missing += 1,
                    OFFLINE => check.offline += 1,
                    _ => {}
                }
                if now != row.flag {
                    flags.push((row.asset, now));
                }
            }
            let Some(meta) = meta.ok().filter(std::fs::Metadata::is_file) else {
                continue;
            };
            // Read again only when its size or time says it may hold something new.
            let print = fingerprint(&meta);
            if row.seen.as_deref() == Some(print.as_str()) {
                continue;
            }
            if row.seen.is_none() && meta.len() == row.size {
                // First seen by a check (an import or an older library): its time is learnt
                // (by a whole check; one before a move to the Trash only looks).
                if whole {
                    seen.push((row.file, print));
                }
                continue;
            }
            let Ok(hashed) = fsops::hash_regular_file(&path) else {
                continue;
            };
            if hashed.hash == row.hash {
                seen.push((row.file, print));
                continue;
            }
            let read = row.main.then(|| {
                reader
                    .describe(&path, crate::media::probe::kind_of(&row.name))
                    .unwrap_or_default()
            });
            // What another tool gave it, read again from what changed.
            let xmp = if row.main {
                (!with_sidecar.contains(&row.asset))
                    .then(|| super::import::xmp_inside(&path))
                    .flatten()
            } else if is_xmp(&row.stored) {
                Some(crate::media::xmp::read_file(&path))
            } else {
                None
            };
            let xmp = match xmp {
                Some(Err(why)) => {
                    log::warn!("the XMP of {} can't be read: {why}", path.display());
                    check.unreadable_xmp.push((row.name.clone(), why));
                    None
                }
                Some(Ok(facts)) => Some(facts),
                None => None,
            };
            versions.push((row, hashed, print, read, xmp));
        }
        if flags.is_empty() && seen.is_empty() && versions.is_empty() {
            return Ok(check);
        }
        match self.record_look(&mut check, flags, &seen, &versions) {
            // What was seen is told all the same; it is recorded at a later check.
            Err(e) if e.is_disk_full() => {
                log::warn!("the file check could not record what it saw: {e}");
                check.changed.clear();
                Ok(check)
            }
            Err(e) => Err(e),
            Ok(()) => Ok(check),
        }
    }

    /// Records what a file check saw.
    fn record_look(
        &mut self,
        check: &mut FileCheck,
        flags: Vec<(AssetId, i64)>,
        seen: &[(i64, String)],
        versions: &[NewVersion],
    ) -> Result<()> {
        let tx = store::write_tx(&mut self.conn)?;
        for (id, flag) in flags {
            store::lifecycle::set_presence(&tx, id, flag)?;
        }
        for (file, print) in seen {
            files::set_seen(&tx, *file, print)?;
        }
        let mut old_pictures = Vec::new();
        for (row, hashed, print, read, xmp) in versions {
            files::rewritten(
                &tx,
                row.file,
                &files::Written {
                    size: hashed.size,
                    hash: &hashed.hash,
                    dev: hashed.dev,
                    ino: hashed.ino,
                    seen: print,
                },
            )?;
            if let Some(meta) = read {
                // The picture is new: its size is read again; what the new file does not
                // say (a date, a camera) is kept.
                files::new_picture(&tx, row.asset, &hashed.hash, meta)?;
                old_pictures.push(row.hash.clone());
            }
            if let Some(facts) = xmp.as_ref().filter(|f| !f.is_empty()) {
                store::culling::give(&tx, row.asset, facts)?;
            }
            if !check.changed.contains(&row.name) {
                check.changed.push(row.name.clone());
            }
        }
        tx.commit()?;
        if !versions.is_empty() {
            log::info!("took the new version of {}", check.changed.join(", "));
        }
        // The old version's pictures show what is no longer there.
        self.forget_pictures(&old_pictures);
        Ok(())
    }

    /// Once per library: reads again the size, date and camera of the files of the formats
    /// Shoebox reads from their own structure (an earlier Shoebox recorded a RAW's preview
    /// size, no page size for a PDF). What cannot be read now (an unplugged drive) or is not
    /// in the file keeps what was recorded.
    fn reread_formats(&mut self) -> Result<usize> {
        type Recorded = files::ImageFacts;
        if store::get_setting(&self.conn, FORMATS_READ)?.is_some() {
            return Ok(0);
        }
        let recorded: std::collections::HashMap<AssetId, Recorded> =
            files::image_facts(&self.conn)?;
        let mut changes = Vec::new();
        let mut reader = crate::thumbs::Describer::new(self.readers.clone());
        for source in self.picture_sources()? {
            let Some(id) = source.id.asset() else {
                continue;
            };
            let Some(was) = recorded.get(&id) else {
                continue;
            };
            if !crate::media::probe::read_from_own_structure(&source.name) {
                continue;
            }
            // (A reader that panics or crashes on a file is caught: that file keeps its record.)
            let Ok(meta) = reader.describe(&source.path, crate::media::probe::Kind::Image) else {
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
        for (id, facts) in &changes {
            files::set_image_facts(&tx, *id, facts)?;
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
        let recorded: std::collections::HashMap<AssetId, (u32, u32)> =
            files::image_sizes(&self.conn)?;
        let mut changes = Vec::new();
        for source in self.picture_sources()? {
            let Some(id) = source.id.asset() else {
                continue;
            };
            let Some(&was) = recorded.get(&id) else {
                continue;
            };
            let read = crate::media::panics::quietly(|| {
                crate::media::probe::oriented_dimensions(&source.path)
            });
            if let Ok(Ok(seen)) = read
                && seen != was
            {
                changes.push((id, seen));
            }
        }
        let tx = store::write_tx(&mut self.conn)?;
        for (id, size) in &changes {
            files::set_image_size(&tx, *id, *size)?;
        }
        store::set_setting(&tx, ORIENTED, "1")?;
        tx.commit()?;
        Ok(changes.len())
    }
}

/// Whether a file is there: present, missing (gone from a folder that is there), or offline
/// (its folder or drive cannot be reached).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Present,
    Missing,
    Offline,
}

impl Presence {
    /// The `missing` column's value.
    fn flag(self) -> i64 {
        match self {
            Presence::Present => PRESENT,
            Presence::Missing => MISSING,
            Presence::Offline => OFFLINE,
        }
    }
}

/// Whether the file at `path` is there, looked at now without following a link.
pub fn presence(path: &std::path::Path) -> Presence {
    presence_from(path, &fs::symlink_metadata(path))
}

fn presence_from(path: &std::path::Path, meta: &std::io::Result<fs::Metadata>) -> Presence {
    match meta {
        Ok(m) if m.is_file() => Presence::Present,
        Ok(_) => Presence::Missing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if path.parent().is_some_and(std::path::Path::is_dir) {
                Presence::Missing
            } else {
                Presence::Offline
            }
        }
        Err(_) => Presence::Offline,
    }
}

/// A file found holding new content: its record, what it holds now, its fingerprint, and
/// (a main file) what its picture is now.
type NewVersion = (
    CheckedFile,
    fsops::Hashed,
    String,
    Option<crate::media::probe::Meta>,
    Option<crate::media::xmp::XmpFacts>,
);

/// Whether a stored path names an XMP sidecar.
fn is_xmp(stored: &str) -> bool {
    crate::media::probe::ext_lower(stored) == "xmp"
}

/// How many assets one page of a whole file check looks at (a page is some tens of
/// milliseconds at most: the Gallery's reads go between pages, and wait no longer).
pub const CHECK_PAGE: usize = 5_000;

impl FileCheck {
    /// Adds what another page of the same check found.
    pub fn add(&mut self, page: FileCheck) {
        self.checked += page.checked;
        self.missing += page.missing;
        self.offline += page.offline;
        for name in page.changed {
            if !self.changed.contains(&name) {
                self.changed.push(name);
            }
        }
        self.reoriented += page.reoriented;
        self.reread += page.reread;
        self.unreadable_xmp.extend(page.unreadable_xmp);
    }
}

/// What says a file may have changed without reading it: its size and modification time.
pub(crate) fn fingerprint(meta: &fs::Metadata) -> String {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{}:{modified}", meta.len())
}
