//! Reading what an import records, ahead of it: each group's files hashed, its picture
//! described (size, date, camera), and what other tools gave it (its XMP).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::plan::Group;
use super::{in_place_path, name_of};
use crate::library::fsops;
use crate::media::xmp::{self, XmpFacts};
use crate::media::{embedded, probe};

/// What reading a group's files found, before anything is looked up or recorded.
pub(super) struct GroupRead {
    pub(super) main: std::io::Result<fsops::Hashed>,
    pub(super) meta: Result<probe::Meta, String>,
    pub(super) companions: Vec<std::io::Result<fsops::Hashed>>,
    /// What its XMP sidecar says, when it has one (the sidecar's path, and the reading).
    pub(super) xmp: Option<(PathBuf, Result<XmpFacts, String>)>,
    /// Its name and where its files are recorded.
    pub(super) placed: Placed,
}

impl GroupRead {
    fn failed(why: &str, placed: Placed) -> GroupRead {
        GroupRead {
            main: Err(std::io::Error::other(why.to_string())),
            meta: Ok(probe::Meta::default()),
            companions: Vec::new(),
            xmp: None,
            placed,
        }
    }
}

/// How an import records where its files are: in place or as copies, and the library's
/// folder (no file inside it is imported in place).
pub(super) struct Placing {
    pub(super) in_place: bool,
    pub(super) root: PathBuf,
}

/// A group's name and paths as the import records and reports them, worked out on the
/// reading threads (a million of them took a second of the thread that writes records).
pub(super) struct Placed {
    /// The main file's name, or why it cannot be an item's.
    pub(super) name: Result<String, String>,
    /// In place: each file's stored path, the main file's first and then its companions',
    /// or why it cannot be imported in place. Empty for copies.
    pub(super) stored: Vec<Result<String, String>>,
    /// The main file's path as messages show it.
    pub(super) shown: String,
}

/// Works out [`Placed`] for one reading thread, remembering each folder it resolved.
pub(super) struct Placer<'a> {
    placing: &'a Placing,
    folders: HashMap<PathBuf, PathBuf>,
}

impl<'a> Placer<'a> {
    pub(super) fn new(placing: &'a Placing) -> Placer<'a> {
        Placer {
            placing,
            folders: HashMap::new(),
        }
    }

    pub(super) fn place(&mut self, group: &Group) -> Placed {
        let stored = if self.placing.in_place {
            std::iter::once(&group.main)
                .chain(group.companions.iter().map(|(_, p)| p))
                .map(|path| {
                    let stored = in_place_path(path, &mut self.folders)?;
                    // The library's root is already resolved.
                    if Path::new(&stored).starts_with(&self.placing.root) {
                        return Err("is inside the Shoebox library folder; import files from where you keep them".into());
                    }
                    Ok(stored)
                })
                .collect()
        } else {
            Vec::new()
        };
        Placed {
            name: name_of(&group.main),
            stored,
            shown: group.main.display().to_string(),
        }
    }
}

pub(super) fn read_group(
    group: &Group,
    reader: &mut crate::thumbs::Describer,
    placer: &mut Placer<'_>,
) -> GroupRead {
    read_block(std::slice::from_ref(group), reader, placer)
        .pop()
        .unwrap_or_else(|| GroupRead::failed("the file could not be read", placer.place(group)))
}

/// Reads a block of groups: each main file hashed (and, when it has no sidecar, its XMP
/// packet read from what hashing read, or through the same open file), then the pictures
/// among them described together (one exchange with the reader helper for the block, not
/// one per file).
fn read_block(
    groups: &[Group],
    reader: &mut crate::thumbs::Describer,
    placer: &mut Placer<'_>,
) -> Vec<GroupRead> {
    let mains: Vec<_> = groups
        .iter()
        .map(|g| match xmp_sidecar(g) {
            Some(sidecar) => fsops::hash_regular_file(&g.main)
                .map(|hashed| (hashed, Some((sidecar.clone(), xmp::read_file(sidecar))))),
            None => fsops::hash_regular_file_then(&g.main, |content| {
                xmp_in(&g.main, content).map(|facts| (g.main.clone(), facts))
            }),
        })
        .collect();
    let asked: Vec<(&Path, probe::Kind)> = groups
        .iter()
        .zip(&mains)
        .filter(|(_, main)| main.is_ok())
        .map(|(g, _)| {
            let name = g.main.file_name().unwrap_or_default().to_string_lossy();
            (g.main.as_path(), probe::kind_of(&name))
        })
        .collect();
    let mut metas = reader.describe_many(&asked).into_iter();
    groups
        .iter()
        .zip(mains)
        .map(|(group, main)| {
            let (main, xmp) = match main {
                Ok((hashed, xmp)) => (Ok(hashed), xmp),
                Err(e) => (Err(e), None),
            };
            GroupRead {
                meta: match &main {
                    Ok(_) => metas
                        .next()
                        .unwrap_or_else(|| Err("could not read its size".into())),
                    Err(_) => Ok(probe::Meta::default()),
                },
                main,
                companions: group
                    .companions
                    .iter()
                    .map(|(_, path)| fsops::hash_regular_file(path))
                    .collect(),
                xmp,
                placed: placer.place(group),
            }
        })
        .collect()
}

/// A group's XMP sidecar, when it has one.
fn xmp_sidecar(group: &Group) -> Option<&PathBuf> {
    group
        .companions
        .iter()
        .find(|(role, path)| {
            *role == "sidecar" && probe::ext_lower(&path.to_string_lossy()) == "xmp"
        })
        .map(|(_, path)| path)
}

/// What the XMP packet inside a picture says: a JPEG's, a TIFF's (DNG and the RAW formats
/// built on TIFF too) or a HEIF/AVIF file's. `None` for other files, and pictures with none.
pub(in crate::library) fn xmp_inside(path: &Path) -> Option<Result<XmpFacts, String>> {
    let file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    xmp_in(path, fsops::Content::Open(&file, len))
}

/// [`xmp_inside`] the picture at `path`, read from what hashing it read.
fn xmp_in(path: &Path, content: fsops::Content<'_>) -> Option<Result<XmpFacts, String>> {
    const CARRIERS: &[&str] = &["jpg", "jpeg", "jpe", "tif", "tiff", "heic", "heif", "avif"];
    let ext = probe::ext_lower(&path.to_string_lossy());
    if !CARRIERS.contains(&ext.as_str()) && !probe::RAW.contains(&ext.as_str()) {
        return None;
    }
    let packet = match content {
        fsops::Content::Whole(bytes) => {
            embedded::packet_in(&mut std::io::Cursor::new(bytes), bytes.len() as u64)
        }
        fsops::Content::Open(mut file, len) => embedded::packet_in(&mut file, len),
    }?;
    Some(xmp::parse(&packet))
}

/// How many groups a reader reads at a time, and hands over at once.
const BLOCK: usize = 64;

/// Reads groups ahead of the importer, in order, on one thread per core (up to four):
/// thread `k` reads blocks `k`, `k + n`, `k + 2n`, … of [`BLOCK`] groups into its own
/// bounded queue, and the importer takes them round the queues, so it gets them in order
/// without waiting for a whole chunk. Dropping it stops the readers.
pub(super) struct ReadAhead<'env> {
    groups: &'env [Group],
    /// Places what is read where no thread could be started.
    placer: Placer<'env>,
    /// One queue per reader; `None` where no thread could be started (read in place).
    lanes: Vec<Option<std::sync::mpsc::Receiver<Vec<GroupRead>>>>,
    /// The block being handed out, and the index of its next group.
    current: std::vec::IntoIter<GroupRead>,
    next: usize,
}

impl<'env> ReadAhead<'env> {
    /// Starts one reading thread per reader in `readers`.
    pub(super) fn start<'scope>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        groups: &'env [Group],
        readers: &'env mut [crate::thumbs::Describer],
        placing: &'env Placing,
    ) -> ReadAhead<'env> {
        let workers = readers.len().max(1);
        let lanes = readers
            .iter_mut()
            .enumerate()
            .map(|(lane, reader)| {
                // Deep enough for a reader to read the next chunk whole while the importer
                // records this one (with a shallow queue the importer waited on each file
                // of the next chunk, and the records and the reading took turns).
                let (tx, rx) = std::sync::mpsc::sync_channel(super::CHUNK / BLOCK);
                std::thread::Builder::new()
                    .name("shoebox-read".into())
                    .spawn_scoped(scope, move || {
                        crate::platform::run_behind();
                        let mut placer = Placer::new(placing);
                        for block in groups.chunks(BLOCK).skip(lane).step_by(workers) {
                            // A decoder that panics on a strange file costs that file only.
                            let read = crate::media::panics::quietly(|| {
                                read_block(block, reader, &mut placer)
                            })
                            .unwrap_or_else(|_| {
                                block
                                    .iter()
                                    .map(|g| read_alone(g, reader, &mut placer))
                                    .collect()
                            });
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
            placer: Placer::new(placing),
            lanes,
            current: Vec::new().into_iter(),
            next: 0,
        }
    }

    /// What the next group's files hold.
    pub(super) fn next_read(&mut self) -> GroupRead {
        let i = self.next;
        self.next += 1;
        if i.is_multiple_of(BLOCK) {
            let lane = (i / BLOCK) % self.lanes.len();
            self.current = match &self.lanes[lane] {
                // Its reader stopped early (it cannot, short of a bug): left unread.
                Some(rx) => rx.recv().unwrap_or_default().into_iter(),
                None => {
                    let end = (i + BLOCK).min(self.groups.len());
                    let mut reader = crate::thumbs::Describer::new(None);
                    let block = &self.groups[i.min(end)..end];
                    block
                        .iter()
                        .map(|g| read_alone(g, &mut reader, &mut self.placer))
                        .collect::<Vec<_>>()
                        .into_iter()
                }
            };
        }
        match self.current.next() {
            Some(read) => read,
            None => {
                let placed = match self.groups.get(i) {
                    Some(group) => self.placer.place(group),
                    None => Placed {
                        name: Err("has no file name".into()),
                        stored: Vec::new(),
                        shown: String::new(),
                    },
                };
                GroupRead::failed("the file could not be read", placed)
            }
        }
    }
}

/// One group read by itself, a panic costing that group only.
fn read_alone(
    group: &Group,
    reader: &mut crate::thumbs::Describer,
    placer: &mut Placer<'_>,
) -> GroupRead {
    crate::media::panics::quietly(|| read_group(group, reader, placer))
        .unwrap_or_else(|_| GroupRead::failed("reading it failed", placer.place(group)))
}

/// How many threads read files ahead of an import: one per core, up to four.
pub(super) fn read_ahead_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 4)
}
