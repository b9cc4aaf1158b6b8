//! With the setting *write XMP* (SPEC §5), what the user gives an item goes back into its
//! XMP sidecar, for the other tools they use: an existing sidecar in place, else a new
//! `NAME.xmp` beside the file (`NAME.EXT.xmp` when another item's file holds that name).
//!
//! A sidecar is rewritten whole: the new packet goes to a hidden file in the same folder,
//! which is flushed and renamed over the sidecar, and the folder flushed; a crash leaves
//! the old sidecar or the new one, never a mix. What is written is recorded as the file's
//! content, so the file check does not take it for a change made outside. A sidecar that
//! cannot be written (a read-only folder or file, one that is not XML) is left as it is and
//! named; the value stays in the library, where it was recorded first.

use std::fmt;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{AssetId, Library, Result, fsops};
use crate::media::probe;
use crate::media::xmp::{self, MAX_XMP_BYTES, XmpWrite};
use crate::store::{self, culling, files};

/// The setting, `write-xmp` on the command line.
const WRITE_XMP: &str = "write_xmp";

/// A sidecar Shoebox could not write, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unwritten {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for Unwritten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "couldn't write the XMP sidecar {}: {} (the library keeps what the item was given)",
            self.path.display(),
            self.reason
        )
    }
}

impl Library {
    /// Whether changes are written into the items' XMP sidecars (off unless turned on).
    pub fn write_xmp(&self) -> Result<bool> {
        Ok(store::get_setting(&self.conn, WRITE_XMP)?.as_deref() == Some("1"))
    }

    /// Turns writing XMP sidecars on or off; it applies to the changes made from then on.
    pub fn set_write_xmp(&mut self, on: bool) -> Result<()> {
        store::set_setting(&self.conn, WRITE_XMP, if on { "1" } else { "0" })?;
        Ok(())
    }

    /// When writing XMP is on, writes into the sidecar of each of `assets` in the Gallery
    /// what it carries now: the sidecars that could not be written, each with why.
    ///
    /// All of them as one protocol: each write is planned (what to write, where); the
    /// intents are recorded (the hidden files, and the sidecars made new, with the hash of
    /// what goes there); each sidecar is written; what was written is recorded and the
    /// intents cleared. After a crash, [`Library::settle_sidecar_writes`] finishes what
    /// the intents say.
    pub(crate) fn write_sidecars(&mut self, assets: &[AssetId]) -> Result<Vec<Unwritten>> {
        if assets.is_empty() || !self.write_xmp()? {
            return Ok(Vec::new());
        }
        let mut unwritten = Vec::new();
        let mut plans = Vec::new();
        for &asset in assets {
            match self.plan_sidecar(asset)? {
                Ok(Some(plan)) => plans.push(plan),
                Ok(None) => {}
                Err(problem) => unwritten.push(problem),
            }
        }
        if !plans.is_empty() {
            let tx = store::write_tx(&mut self.conn)?;
            for plan in &plans {
                for intent in plan.intents() {
                    files::intend(&tx, &intent)?;
                }
            }
            tx.commit()?;
            crate::failpoint::hit("xmp.after_intent");
            let mut done = Vec::new();
            for plan in &plans {
                let written = if plan.bytes.is_some() {
                    replace_durably(plan)
                } else {
                    Ok(())
                };
                match written.and_then(|()| seen_now(&plan.path)) {
                    Ok(seen) => done.push((plan, seen)),
                    Err(e) => unwritten.push(Unwritten {
                        path: plan.path.clone(),
                        reason: e.to_string(),
                    }),
                }
            }
            let tx = store::write_tx(&mut self.conn)?;
            for (plan, (dev, ino, seen)) in done {
                let written = files::Written {
                    size: plan.size,
                    hash: &plan.hash,
                    dev,
                    ino,
                    seen: &seen,
                };
                match plan.file_id {
                    Some(id) => files::rewritten(&tx, id, &written)?,
                    None => files::add_sidecar(&tx, plan.asset, &plan.stored, &written)?,
                }
            }
            for plan in &plans {
                for intent in plan.intents() {
                    files::settled(&tx, intent.path)?;
                }
            }
            tx.commit()?;
        }
        for problem in &unwritten {
            log::warn!("{problem}");
        }
        Ok(unwritten)
    }

    /// After a crash: what the intents of an unfinished write say is finished. A hidden
    /// file left is removed; a sidecar that holds what was being written is recorded as
    /// the item's (one that holds anything else is left as it is, and not recorded).
    pub(crate) fn settle_sidecar_writes(&mut self) -> Result<()> {
        let intents = files::intents(&self.conn)?;
        if intents.is_empty() {
            return Ok(());
        }
        let mut finished = Vec::new();
        for intent in &intents {
            let Ok(path) = self.home_path(&intent.path, intent.in_place) else {
                continue;
            };
            if intent.temp {
                if let (Some(dir), Some(name)) =
                    (path.parent(), path.file_name().and_then(|n| n.to_str()))
                    && let Err(e) = fsops::unlink_in(dir, name)
                {
                    log::warn!("recovery could not remove {}: {e}", path.display());
                }
                continue;
            }
            let Ok(hashed) = fsops::hash_regular_file(&path) else {
                continue;
            };
            if hashed.hash != intent.hash {
                continue;
            }
            let Ok((_, _, seen)) = seen_now(&path) else {
                continue;
            };
            finished.push((intent, hashed, seen));
        }
        let tx = store::write_tx(&mut self.conn)?;
        for (intent, hashed, seen) in &finished {
            let written = files::Written {
                size: hashed.size,
                hash: &hashed.hash,
                dev: hashed.dev,
                ino: hashed.ino,
                seen,
            };
            match intent.file_id {
                Some(id) => files::rewritten(&tx, id, &written)?,
                None if files::owner_of(&tx, &intent.path)?.is_none() => {
                    files::add_sidecar(&tx, intent.asset, &intent.path, &written)?;
                }
                None => {}
            }
        }
        for intent in &intents {
            files::settled(&tx, &intent.path)?;
        }
        tx.commit()?;
        log::info!(
            "recovery: settled {} XMP sidecar writes",
            intents.iter().filter(|i| !i.temp).count()
        );
        Ok(())
    }

    /// What writing one asset's sidecar takes: `None` when there is nothing to do (no
    /// main file, or its sidecar already says it all); the inner error names a sidecar
    /// that is left as it was.
    fn plan_sidecar(
        &mut self,
        asset: AssetId,
    ) -> Result<std::result::Result<Option<Plan>, Unwritten>> {
        let records = files::files_of_active(&self.conn, asset)?;
        let Some(main) = records.iter().find(|f| f.role == "main") else {
            return Ok(Ok(None));
        };
        let Some(given) = culling::culling_of(&self.conn, asset)? else {
            return Ok(Ok(None));
        };
        let registered = records
            .iter()
            .find(|f| f.role == "sidecar" && probe::ext_lower(&f.path) == "xmp");
        let (stored, file_id) = match registered {
            Some(f) => (f.path.clone(), Some(f.id)),
            None => match self.new_sidecar_name(main)? {
                Ok(stored) => (stored, None),
                Err(problem) => return Ok(Err(problem)),
            },
        };
        let path = self.home_path(&stored, main.in_place)?;
        let unwritten = |reason: String| Unwritten {
            path: path.clone(),
            reason,
        };
        let existing = match read_existing(&path) {
            Ok(existing) => existing,
            Err(reason) => return Ok(Err(unwritten(reason))),
        };
        let packet = match xmp::write_packet(
            existing.as_deref(),
            &XmpWrite {
                rating: given.rating,
                flag: given.flag,
                label: given.label,
                keywords: &given.keywords,
            },
        ) {
            Ok(packet) => packet.into_bytes(),
            Err(reason) => return Ok(Err(unwritten(format!("{reason}; it was left as it is")))),
        };
        let same = existing.as_deref() == Some(packet.as_slice());
        if same && file_id.is_some() {
            return Ok(Ok(None));
        }
        let (size, hash) = fsops::hash_reader(packet.as_slice())
            .map_err(|e| super::LibraryError::io("hashing a sidecar", &path, e))?;
        // The hidden file it is written to first, beside it.
        let mut random = [0u8; 6];
        crate::platform::random_bytes(&mut random)
            .map_err(|e| super::LibraryError::io("naming a sidecar's new version", &path, e))?;
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let temp_name = format!(".{name}.{suffix}.shoebox-tmp");
        let Some(temp_stored) = Path::new(&stored)
            .with_file_name(&temp_name)
            .to_str()
            .map(String::from)
        else {
            return Ok(Err(unwritten("its folder's name is not UTF-8".into())));
        };
        Ok(Ok(Some(Plan {
            asset,
            temp: path.with_file_name(&temp_name),
            temp_stored,
            path,
            stored,
            in_place: main.in_place,
            file_id,
            new_file: existing.is_none(),
            bytes: (!same).then_some(packet),
            size,
            hash,
        })))
    }

    /// Where a new sidecar of the asset whose main file is stored at `main` goes:
    /// `NAME.xmp` beside it, or `NAME.EXT.xmp` when another item's file holds that name
    /// (a sidecar already there that no item holds is the one other tools wrote: it is
    /// written into, and becomes the item's).
    fn new_sidecar_name(
        &self,
        main: &files::FileRecord,
    ) -> Result<std::result::Result<String, Unwritten>> {
        let main_path = Path::new(&main.path);
        let name = main_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (stem, _) = crate::media::split_ext(&name);
        let mut tried = None;
        for candidate in [format!("{stem}.xmp"), format!("{name}.xmp")] {
            let Some(mut stored) = main_path
                .with_file_name(&candidate)
                .to_str()
                .map(String::from)
            else {
                continue;
            };
            let mut path = self.home_path(&stored, main.in_place)?;
            // Where names differing in case are one file (Windows, macOS), the file there
            // may be another item's under its own spelling: that spelling is the one asked
            // about.
            if let Some(there) = spelled_on_disk(&path)
                && there != candidate
                && let Some(respelled) = main_path.with_file_name(&there).to_str()
            {
                stored = respelled.to_string();
                path = self.home_path(&stored, main.in_place)?;
            }
            let taken = files::owner_of(&self.conn, &stored)?.is_some_and(|a| a != main.asset);
            let blocked = fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file());
            if !taken && !blocked {
                return Ok(Ok(stored));
            }
            tried.get_or_insert(path);
        }
        Ok(Err(Unwritten {
            path: tried.unwrap_or_else(|| main_path.with_extension("xmp")),
            reason: "its names (NAME.xmp, NAME.EXT.xmp) are another item's file or a folder".into(),
        }))
    }
}

/// The name the file at `path` has in its folder, when it is there (on a file system that
/// ignores case, it may be spelled otherwise than `path`).
fn spelled_on_disk(path: &Path) -> Option<String> {
    fs::symlink_metadata(path).ok()?;
    let name = path.file_name()?.to_str()?;
    let mut found = None;
    for entry in fs::read_dir(path.parent()?).ok()?.flatten() {
        let there = entry.file_name();
        let Some(there) = there.to_str() else {
            continue;
        };
        if there == name {
            return Some(there.to_string());
        }
        if there.eq_ignore_ascii_case(name) || there.to_lowercase() == name.to_lowercase() {
            found = Some(there.to_string());
        }
    }
    found
}

/// The sidecar's bytes (`None`: there is none yet), or why it is left alone.
fn read_existing(path: &Path) -> std::result::Result<Option<Vec<u8>>, String> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("it can't be read: {e}")),
    };
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.permissions().readonly() {
        return Err("it is read-only".into());
    }
    if meta.len() > MAX_XMP_BYTES {
        return Err(format!(
            "it is larger than {} MB; it was left as it is",
            MAX_XMP_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_XMP_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("it can't be read: {e}"))?;
    Ok(Some(bytes))
}

/// One sidecar to write.
struct Plan {
    asset: AssetId,
    /// Where it goes, as stored and on disk.
    stored: String,
    path: PathBuf,
    in_place: bool,
    /// The hidden file written first, as stored and on disk.
    temp_stored: String,
    temp: PathBuf,
    /// Its record, when it is the item's already.
    file_id: Option<i64>,
    /// No file is there yet: it is made new (never replacing one that came meanwhile).
    new_file: bool,
    /// What to write; `None`: it holds that already (a sidecar another tool made, which
    /// becomes the item's).
    bytes: Option<Vec<u8>>,
    size: u64,
    hash: String,
}

impl Plan {
    /// The intents recorded before writing: the hidden file, and the sidecar itself.
    fn intents(&self) -> [files::Intent<'_>; 2] {
        let intent = |path, temp| files::Intent {
            path,
            in_place: self.in_place,
            asset: self.asset,
            file_id: self.file_id,
            hash: &self.hash,
            temp,
        };
        [intent(&self.temp_stored, true), intent(&self.stored, false)]
    }
}

/// The identity and fingerprint of the file at `path` now.
fn seen_now(path: &Path) -> std::io::Result<(Option<i64>, Option<i64>, String)> {
    let meta = fs::symlink_metadata(path)?;
    let (dev, ino) = fsops::identity(path, &meta);
    Ok((dev, ino, super::check::fingerprint(&meta)))
}

/// Puts a plan's bytes at its path whole or not at all: written to its hidden file beside
/// it, flushed, renamed over it (a new one never replaces a file that came meanwhile), and
/// the folder flushed.
fn replace_durably(plan: &Plan) -> std::io::Result<()> {
    let bytes = plan.bytes.as_deref().unwrap_or_default();
    let dir = plan.path.parent().unwrap_or(Path::new("."));
    let written = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&plan.temp)?;
        file.write_all(bytes)?;
        crate::platform::sync_file(&file)?;
        drop(file);
        crate::failpoint::hit("xmp.after_temp");
        if plan.new_file {
            fsops::rename_noreplace(&plan.temp, &plan.path)?;
        } else {
            fs::rename(&plan.temp, &plan.path)?;
        }
        crate::failpoint::hit("xmp.after_rename");
        fsops::fsync_dir(dir)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&plan.temp);
    }
    written
}
