//! Reading what an import records, ahead of it: each group's files hashed, its picture
//! described (size, date, camera), and what other tools gave it (its XMP).

use std::path::{Path, PathBuf};

use super::plan::Group;
use crate::library::fsops;
use crate::media::probe;
use crate::media::xmp::XmpFacts;

/// What reading a group's files found, before anything is looked up or recorded.
pub(super) struct GroupRead {
    pub(super) main: std::io::Result<fsops::Hashed>,
    pub(super) meta: Result<probe::Meta, String>,
    pub(super) companions: Vec<std::io::Result<fsops::Hashed>>,
    /// What its XMP sidecar says, when it has one (the sidecar's path, and the reading).
    pub(super) xmp: Option<(PathBuf, Result<XmpFacts, String>)>,
}

impl GroupRead {
    fn failed(why: &str) -> GroupRead {
        GroupRead {
            main: Err(std::io::Error::other(why.to_string())),
            meta: Ok(probe::Meta::default()),
            companions: Vec::new(),
            xmp: None,
        }
    }
}

pub(super) fn read_group(group: &Group, reader: &mut crate::thumbs::Describer) -> GroupRead {
    let main = fsops::hash_regular_file(&group.main);
    let meta = match &main {
        Ok(_) => {
            let name = group.main.file_name().unwrap_or_default().to_string_lossy();
            reader.describe(&group.main, probe::kind_of(&name))
        }
        Err(_) => Ok(probe::Meta::default()),
    };
    GroupRead {
        main,
        meta,
        companions: group
            .companions
            .iter()
            .map(|(_, path)| fsops::hash_regular_file(path))
            .collect(),
        xmp: read_xmp(group),
    }
}

/// What other tools gave a group's picture: its XMP sidecar when it has one, else the
/// packet inside the picture. The path read, and what it says.
pub(super) fn read_xmp(group: &Group) -> Option<(PathBuf, Result<XmpFacts, String>)> {
    let sidecar = group.companions.iter().find(|(role, path)| {
        *role == "sidecar" && probe::ext_lower(&path.to_string_lossy()) == "xmp"
    });
    if let Some((_, path)) = sidecar {
        return Some((path.clone(), crate::media::xmp::read_file(path)));
    }
    Some((group.main.clone(), xmp_inside(&group.main)?))
}

/// What the XMP packet inside a picture says: a JPEG's, a TIFF's (DNG and the RAW formats
/// built on TIFF too) or a HEIF/AVIF file's. `None` for other files, and pictures with none.
pub(in crate::library) fn xmp_inside(path: &Path) -> Option<Result<XmpFacts, String>> {
    const CARRIERS: &[&str] = &["jpg", "jpeg", "jpe", "tif", "tiff", "heic", "heif", "avif"];
    let ext = probe::ext_lower(&path.to_string_lossy());
    if !CARRIERS.contains(&ext.as_str()) && !probe::RAW.contains(&ext.as_str()) {
        return None;
    }
    let packet = crate::media::embedded::packet(path)?;
    Some(crate::media::xmp::parse(&packet))
}

/// Reads groups ahead of the importer, in order, on one thread per core (up to four):
/// thread `k` reads groups `k`, `k + n`, `k + 2n`, … into its own bounded queue, and the
/// importer takes them round the queues, so it gets them in order without waiting for a
/// whole chunk. Dropping it stops the readers.
pub(super) struct ReadAhead<'env> {
    groups: &'env [Group],
    /// One queue per reader; `None` where no thread could be started (read in place).
    lanes: Vec<Option<std::sync::mpsc::Receiver<GroupRead>>>,
    next: usize,
}

impl<'env> ReadAhead<'env> {
    /// Starts one reading thread per reader in `readers`.
    pub(super) fn start<'scope>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        groups: &'env [Group],
        readers: &'env mut [crate::thumbs::Describer],
    ) -> ReadAhead<'env> {
        let workers = readers.len().max(1);
        let lanes = readers
            .iter_mut()
            .enumerate()
            .map(|(lane, reader)| {
                // Deep enough for a reader to read the next chunk whole while the importer
                // records this one (with a shallow queue the importer waited on each file
                // of the next chunk, and the records and the reading took turns).
                let (tx, rx) = std::sync::mpsc::sync_channel(super::CHUNK);
                std::thread::Builder::new()
                    .name("shoebox-read".into())
                    .spawn_scoped(scope, move || {
                        for group in groups.iter().skip(lane).step_by(workers) {
                            // A decoder that panics on a strange file costs that file only.
                            let read = crate::media::panics::quietly(|| read_group(group, reader))
                                .unwrap_or_else(|_| GroupRead::failed("reading it failed"));
                            if tx.send(read).is_err() {
                                break;
                            }
                        }
                    })
                    .ok()
                    .map(|_| rx)
            })
            .collect();
        ReadAhead {
            groups,
            lanes,
            next: 0,
        }
    }

    /// What the next group's files hold.
    pub(super) fn next_read(&mut self) -> GroupRead {
        let i = self.next;
        self.next += 1;
        let lane = i % self.lanes.len();
        match &self.lanes[lane] {
            // Its reader stopped early (it cannot, short of a bug): left unread.
            Some(rx) => rx
                .recv()
                .unwrap_or_else(|_| GroupRead::failed("the file could not be read")),
            None => read_group(&self.groups[i], &mut crate::thumbs::Describer::new(None)),
        }
    }
}

/// How many threads read files ahead of an import: one per core, up to four.
pub(super) fn read_ahead_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 4)
}
