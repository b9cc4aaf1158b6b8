//! The domain's types: ids, kinds, listings and the results of bulk actions.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::Serialize;

use crate::clock::UnixSecs;
pub use crate::store::culling::{Culling, Flag, Keyword, Label, Rating};
pub use crate::store::{AssetId, BatchId, CollectionId};

/// The id of an asset or a collection: printed as `a12` or `c3`. It stays the same
/// through trash and restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemId {
    Asset(AssetId),
    Collection(CollectionId),
}

impl ItemId {
    /// The asset's id, when this is an asset.
    pub fn asset(self) -> Option<AssetId> {
        match self {
            ItemId::Asset(a) => Some(a),
            ItemId::Collection(_) => None,
        }
    }

    /// The collection's id, when this is a collection.
    pub fn collection(self) -> Option<CollectionId> {
        match self {
            ItemId::Collection(c) => Some(c),
            ItemId::Asset(_) => None,
        }
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemId::Asset(id) => id.fmt(f),
            ItemId::Collection(id) => id.fmt(f),
        }
    }
}

impl FromStr for ItemId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || format!("not an item id: {s:?} (ids look like a12 or c3)");
        let (tag, num) = s.split_at_checked(1).ok_or_else(bad)?;
        let n: i64 = num.parse().map_err(|_| bad())?;
        if n <= 0 {
            return Err(bad());
        }
        match tag {
            "a" | "A" => Ok(ItemId::Asset(AssetId(n))),
            "c" | "C" => Ok(ItemId::Collection(CollectionId(n))),
            _ => Err(bad()),
        }
    }
}

impl Serialize for ItemId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

pub use crate::media::Kind;

/// An active asset, as the Gallery and `ls` show it.
#[derive(Debug, Clone, Serialize)]
pub struct AssetInfo {
    pub id: ItemId,
    pub name: String,
    pub asset_kind: Kind,
    pub collection_id: Option<CollectionId>,
    /// Collection path, "" for the top.
    pub location: String,
    pub size: u64,
    /// Where the file is on disk now.
    pub path: PathBuf,
    pub in_place: bool,
    pub imported_at: UnixSecs,
    pub captured_at: Option<UnixSecs>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub camera: Option<String>,
    /// Playing time of a video or audio file, where known.
    pub duration_ms: Option<i64>,
    /// The file is gone from disk.
    pub missing: bool,
    /// The file's folder or drive cannot be reached (e.g. unplugged).
    pub offline: bool,
    pub hash: String,
    /// Companion files (sidecars, RAW of a pair) travelling with this asset.
    pub companions: Vec<PathBuf>,
    /// The size of the main file alone, and of each companion (in `companions`' order).
    pub main_size: u64,
    pub companion_sizes: Vec<u64>,
    /// What the user gave it: rating, flag, colour label, keywords.
    pub culling: Culling,
}

impl AssetInfo {
    /// Whether a camera RAW file travels with this picture (a RAW+JPEG pair).
    pub fn has_raw_companion(&self) -> bool {
        self.companions.iter().any(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| crate::media::probe::RAW.contains(&e.to_lowercase().as_str()))
        })
    }

    /// The size as people read it: the whole, and for an item of several files each file's
    /// part by its type ("10.2 MB (JPG 2.1 MB + CR2 8.1 MB)").
    pub fn size_text(&self) -> String {
        let whole = super::human_size(self.size);
        if self.companions.is_empty() {
            return whole;
        }
        let kind = |p: &std::path::Path| {
            p.extension()
                .map_or_else(|| "file".into(), |e| e.to_string_lossy().to_uppercase())
        };
        let parts: Vec<String> = std::iter::once((kind(&self.path), self.main_size))
            .chain(
                self.companions
                    .iter()
                    .zip(&self.companion_sizes)
                    .map(|(p, s)| (kind(p), *s)),
            )
            .map(|(k, s)| format!("{k} {}", super::human_size(s)))
            .collect();
        format!("{whole} ({})", parts.join(" + "))
    }

    /// The file names of the companions as the user knows them: a copy in `media/` is
    /// stored as `{first 12 of the content hash}-{name}`, which is Shoebox's business.
    pub fn companion_names(&self) -> Vec<String> {
        let prefix = format!("{}-", self.hash.get(..12).unwrap_or_default());
        self.companions
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| {
                let n = n.to_string_lossy();
                match n.strip_prefix(&prefix) {
                    Some(name) if !self.in_place && !name.is_empty() => name.to_string(),
                    _ => n.into_owned(),
                }
            })
            .collect()
    }
}

/// A collection, as the tree shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CollectionInfo {
    pub id: ItemId,
    pub parent_id: Option<CollectionId>,
    pub name: String,
    /// Full path of names, e.g. `Trips/2024`.
    pub path: String,
}

/// One item of the Trash: something deleted directly (the contents of a trashed
/// collection travel inside its entry), or, with `within`, something inside such an entry.
#[derive(Debug, Clone, Serialize)]
pub struct TrashEntry {
    pub id: ItemId,
    pub name: String,
    /// For assets: image, video, audio or other; `None` for a collection.
    pub asset_kind: Option<Kind>,
    /// Bytes held in the Trash by this entry (a collection: all it carries).
    pub size: u64,
    /// Assets carried by a collection entry (1 for an asset).
    pub item_count: u64,
    pub deleted_at: UnixSecs,
    pub deleted_by: String,
    pub days_left: i64,
    /// Collection path it was deleted from, "" for the top.
    pub original_location: String,
    /// For an asset: the path the file had before deletion.
    pub original_path: Option<PathBuf>,
    /// For an asset: where its file is now, inside a trash area.
    pub trash_path: Option<PathBuf>,
    pub batch_id: BatchId,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub captured_at: Option<UnixSecs>,
    pub camera: Option<String>,
    pub hash: Option<String>,
    /// Why recovery left this entry alone (it cannot be restored or purged until repaired).
    pub quarantine: Option<String>,
    /// For an item that went to the Trash inside a collection: where it is in there.
    pub within: Option<Within>,
    /// Its file was already gone from disk when it went to the Trash (or since): the
    /// Trash says so, does not count its bytes, and restoring brings back only the record.
    pub missing: bool,
    /// For an asset: what the user gave it (rating, flag, label, keywords), kept while it
    /// is in the Trash and brought back with it.
    #[serde(flatten)]
    pub culling: Option<Culling>,
}

impl TrashEntry {
    /// Whether it can be restored or deleted permanently on its own: an entry, or an item
    /// from inside a trashed collection. A sub-collection goes (back or away) only with the
    /// collection it was trashed with.
    pub fn goes_alone(&self) -> bool {
        !(self.within.is_some() && self.asset_kind.is_none())
    }

    /// An item from inside a trashed collection: its place (its collection) is in the Trash,
    /// so restoring it needs to be told where (SPEC rule 8).
    pub fn place_is_lost(&self) -> bool {
        self.within.is_some() && self.asset_kind.is_some()
    }
}

/// Where an item trashed with a collection is inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Within {
    /// The trashed collection that holds it directly.
    pub collection: CollectionId,
    /// The Trash entry it went with (a trashed collection).
    pub entry: CollectionId,
    /// The path of `collection` from the entry down, e.g. `2025/Summer`.
    pub path: String,
}

/// One batch of deletions: a single user action.
#[derive(Debug, Clone, Serialize)]
pub struct BatchInfo {
    pub id: BatchId,
    pub created_at: UnixSecs,
    pub deleted_by: String,
    /// e.g. `248 items from Trips/2024`.
    pub label: String,
}

/// The honest outcome of a bulk action: what succeeded, was skipped and failed, and why.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BulkReport {
    pub succeeded: Vec<ItemId>,
    pub skipped: Vec<ItemOutcome>,
    pub failed: Vec<ItemOutcome>,
    /// Bytes freed (for permanent deletions).
    pub freed_bytes: u64,
    /// Files destroyed (for permanent deletions).
    pub purged_files: u64,
    /// The batch the action created, if any.
    pub batch_id: Option<BatchId>,
}

impl BulkReport {
    /// A sentence such as `moved 3 items to the Trash; 1 failed`.
    pub fn summary(&self, verb: &str) -> String {
        let mut text = format!("{verb} {}", items(self.succeeded.len()));
        if !self.skipped.is_empty() {
            text.push_str(&format!(", {} skipped", self.skipped.len()));
        }
        if !self.failed.is_empty() {
            text.push_str(&format!(", {} failed", self.failed.len()));
        }
        text
    }
}

/// An item that was skipped or failed, and why. As JSON: `{"id", "problem", "reason"}`,
/// the problem's word for scripts and its sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOutcome {
    pub id: ItemId,
    pub problem: Problem,
}

impl Serialize for ItemOutcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("ItemOutcome", 3)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("problem", self.problem.word())?;
        out.serialize_field("reason", &self.problem.to_string())?;
        out.end()
    }
}

/// Why a bulk action skipped or failed one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No item has the id.
    NotFound,
    /// Asked to go to the Trash, and there already.
    AlreadyInTrash,
    /// In the Trash, where the action needs an active item.
    InTrash,
    /// Not in the Trash, where the action needs it there.
    NotInTrash,
    /// Asked to go where it is.
    AlreadyThere,
    /// A collection, where the action takes assets.
    NotAnAsset,
    /// An item of this name is where it was to go.
    NameTaken(String),
    /// Went to the Trash with this collection, and goes with it.
    TrashedWith(CollectionId),
    /// Left alone by recovery until the library is repaired, and why.
    Quarantined(String),
    /// Its trash area cannot be reached now, or is not the folder Shoebox made.
    AreaUnavailable(String),
    /// Another action changed it meanwhile.
    Changed,
    /// Its files: what is wrong with them, in words.
    Files(String),
    /// The library would not do it, in its words (a name or place to choose first).
    Refused(String),
}

impl Problem {
    /// One word for the kind of problem.
    pub fn word(&self) -> &'static str {
        match self {
            Problem::NotFound => "not-found",
            Problem::AlreadyInTrash => "already-in-trash",
            Problem::InTrash => "in-trash",
            Problem::NotInTrash => "not-in-trash",
            Problem::AlreadyThere => "already-there",
            Problem::NotAnAsset => "not-an-asset",
            Problem::NameTaken(_) => "name-taken",
            Problem::TrashedWith(_) => "trashed-with-collection",
            Problem::Quarantined(_) => "quarantined",
            Problem::AreaUnavailable(_) => "trash-area-unavailable",
            Problem::Changed => "changed",
            Problem::Files(_) => "files",
            Problem::Refused(_) => "refused",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NotFound => f.write_str("no such item"),
            Problem::AlreadyInTrash => f.write_str("already in the Trash"),
            Problem::InTrash => f.write_str("is in the Trash"),
            Problem::NotInTrash => f.write_str("is not in the Trash; move it to the Trash first"),
            Problem::AlreadyThere => f.write_str("already there"),
            Problem::NotAnAsset => f.write_str("not an asset"),
            Problem::NameTaken(name) => write!(f, "an item named \"{name}\" is already there"),
            Problem::TrashedWith(c) => write!(
                f,
                "was trashed as part of collection {c}; delete that collection"
            ),
            Problem::Quarantined(why) => {
                write!(f, "is left alone until the library is repaired: {why}")
            }
            Problem::AreaUnavailable(why) => write!(f, "kept until its trash area is back: {why}"),
            Problem::Changed => f.write_str("changed while being deleted; try again"),
            Problem::Files(why) | Problem::Refused(why) => f.write_str(why),
        }
    }
}

/// `1 item`, `3 items`, `1,000,000 items`.
pub fn items(n: usize) -> String {
    if n == 1 {
        "1 item".to_string()
    } else {
        format!("{} items", thousands(n))
    }
}

/// `1 day`, `30 days`.
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// A count for people, in groups of three digits: `20,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes for people: `1.5 MB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        let shown: Vec<String> = [0, 7, 999, 1_000, 1_234, 20_000, 1_234_567]
            .into_iter()
            .map(thousands)
            .collect();
        assert_eq!(
            shown,
            ["0", "7", "999", "1,000", "1,234", "20,000", "1,234,567"]
        );
    }

    /// New-user finding 21: "1000000 items" had no separator while "2,000" had.
    #[test]
    fn newuser21_item_counts_are_grouped_by_thousands_too() {
        assert_eq!(items(1), "1 item");
        assert_eq!(items(999), "999 items");
        assert_eq!(items(1_000_000), "1,000,000 items");
    }
}
