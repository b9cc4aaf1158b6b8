//! Folders imported in place stay followed: a file that appears in one joins its collection
//! (a setting, on by default), a folder that appears becomes a sub-collection, and a file
//! renamed or moved inside them is followed by its item (same content, same item) instead of
//! showing "missing".

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::import::{free_name, name_key};
use super::{AssetId, CollectionId, ImportOptions, Library, Result, fsops};
use crate::media::probe;
use crate::store::{self, following};

/// The setting that says whether new files in followed folders join the library.
const JOIN_NEW_FILES: &str = "join_new_files";

/// What following the folders did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Followed {
    /// Files that appeared in a followed folder and joined its collection.
    pub joined: Vec<String>,
    /// Items whose file was renamed or moved inside the followed folders: (was, is now).
    pub renamed: Vec<(String, String)>,
}

/// A file found in a followed folder that no item knows.
struct Stranger {
    path: PathBuf,
    /// Its stored form (an in-place item's path).
    stored: String,
    collection: CollectionId,
}

impl Library {
    /// Whether new files in folders imported in place join their collection.
    pub fn join_new_files(&self) -> Result<bool> {
        Ok(store::get_setting(&self.conn, JOIN_NEW_FILES)?.as_deref() != Some("0"))
    }

    pub fn set_join_new_files(&mut self, on: bool) -> Result<()> {
        store::set_setting(&self.conn, JOIN_NEW_FILES, if on { "1" } else { "0" })?;
        Ok(())
    }

    /// Remembers that `folder` was imported in place as `collection`, to follow it.
    pub(crate) fn follow_folder(&self, folder: &Path, collection: CollectionId) -> Result<()> {
        let Some(path) = crate::platform::resolve(folder)
            .ok()
            .and_then(|p| p.to_str().map(str::to_string))
        else {
            return Ok(());
        };
        Ok(following::follow(&self.conn, &path, collection)?)
    }

    /// Looks in every followed folder: files renamed or moved there are followed by their
    /// items, new files join (when the setting is on), new folders become sub-collections.
    /// A folder that cannot be read now (an unplugged drive) is left for later.
    pub fn follow_folders(&mut self) -> Result<Followed> {
        let mut followed = Followed::default();
        let folders = following::followed_folders(&self.conn)?;
        if folders.is_empty() {
            return Ok(followed);
        }
        let followed_paths: HashSet<&str> = folders.iter().map(|(p, _)| p.as_str()).collect();
        let mut strangers = Vec::new();
        let mut new_folders: Vec<(PathBuf, CollectionId)> = Vec::new();
        for (folder, collection) in &folders {
            let Ok(entries) = fs::read_dir(folder) else {
                continue;
            };
            let entries: Vec<fs::DirEntry> = entries.filter_map(std::result::Result::ok).collect();
            // The files of this folder already recorded (read for this folder alone).
            let known =
                following::in_place_paths_under(&self.conn, folder, std::path::MAIN_SEPARATOR)?;
            // A sidecar is named after its file's stem (`IMG_1.xmp`) or whole name
            // (`IMG_1.CR2.xmp`).
            let stems: HashSet<String> = entries
                .iter()
                .filter_map(|e| e.file_name().to_str().map(str::to_lowercase))
                .filter(|n| probe::ext_lower(n) != "xmp")
                .flat_map(|n| [crate::media::split_ext(&n).0.to_string(), n])
                .collect();
            for entry in entries {
                let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                if passing_by(&name) {
                    continue;
                }
                let path = entry.path();
                let Some(stored) = path.to_str().map(str::to_string) else {
                    continue;
                };
                match entry.file_type() {
                    Ok(t) if t.is_dir() && !followed_paths.contains(stored.as_str()) => {
                        new_folders.push((path, *collection));
                    }
                    Ok(t) if t.is_file() && !known.contains(&stored) => {
                        // A sidecar beside a photo belongs to that photo, never an item.
                        let lower = name.to_lowercase();
                        if probe::ext_lower(&lower) == "xmp"
                            && stems.contains(crate::media::split_ext(&lower).0)
                        {
                            continue;
                        }
                        strangers.push(Stranger {
                            path,
                            stored,
                            collection: *collection,
                        });
                    }
                    _ => {}
                }
            }
        }
        let strangers = self.follow_renames(strangers, &mut followed)?;
        if !self.join_new_files()? {
            return Ok(followed);
        }
        let mut by_collection: HashMap<CollectionId, Vec<PathBuf>> = HashMap::new();
        for s in strangers {
            by_collection.entry(s.collection).or_default().push(s.path);
        }
        for (path, collection) in new_folders {
            by_collection.entry(collection).or_default().push(path);
        }
        for (collection, paths) in by_collection {
            let opts = ImportOptions {
                in_place: true,
                into: Some(collection),
                ..Default::default()
            };
            let report = self.import(&paths, &opts, &mut |_| {})?;
            for m in &report.failed {
                log::info!(
                    "a new file in a followed folder was not imported: {}: {}",
                    m.path,
                    m.message
                );
            }
            followed
                .joined
                .extend(report.imported.into_iter().map(|i| i.name));
        }
        Ok(followed)
    }

    /// Strangers with the content of a missing in-place item are that item, renamed or
    /// moved: its record follows the file. The rest are returned.
    fn follow_renames(
        &mut self,
        strangers: Vec<Stranger>,
        followed: &mut Followed,
    ) -> Result<Vec<Stranger>> {
        // Main files of in-place items whose file is not where it was recorded.
        let mut lost: HashMap<u64, Vec<(AssetId, i64, String, String)>> = HashMap::new();
        for f in following::lost_in_place(&self.conn)? {
            if fsops::exists_nofollow(Path::new(&f.path)) {
                continue;
            }
            lost.entry(f.size.max(0) as u64)
                .or_default()
                .push((f.asset, f.file, f.hash, f.name));
        }
        if lost.is_empty() {
            return Ok(strangers);
        }
        let mut rest = Vec::new();
        for s in strangers {
            let Some(candidates) = fs::symlink_metadata(&s.path)
                .ok()
                .and_then(|m| lost.get_mut(&m.len()))
            else {
                rest.push(s);
                continue;
            };
            let Ok(hashed) = fsops::hash_regular_file(&s.path) else {
                rest.push(s);
                continue;
            };
            let Some(at) = candidates.iter().position(|c| c.2 == hashed.hash) else {
                rest.push(s);
                continue;
            };
            let (asset, file, _, old_name) = candidates.remove(at);
            let file_name = s
                .path
                .file_name()
                .map_or_else(|| old_name.clone(), |n| n.to_string_lossy().into_owned());
            let taken = self.active_names(Some(s.collection))?;
            let name = if name_key(&file_name) == name_key(&old_name) {
                file_name
            } else {
                free_name(&file_name, &taken)
            };
            let tx = store::write_tx(&mut self.conn)?;
            let key = name_key(&name);
            let at = following::FoundAt {
                stored: &s.stored,
                dev: hashed.dev,
                ino: hashed.ino,
                name: &name,
                name_key: &key,
                collection: s.collection,
            };
            following::found(&tx, asset, file, &at)?;
            tx.commit()?;
            log::info!("followed {old_name} to {}", s.path.display());
            followed.renamed.push((old_name, name));
        }
        Ok(rest)
    }
}

/// Files that come and go on their own and are never someone's media: hidden files, the
/// system's folder notes, downloads and copies not finished yet.
fn passing_by(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.starts_with('.')
        || lower.ends_with('~')
        || ["thumbs.db", "desktop.ini"].contains(&lower.as_str())
        || [".part", ".crdownload", ".tmp", ".partial", ".download"]
            .iter()
            .any(|e| lower.ends_with(e))
}
