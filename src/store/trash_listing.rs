//! What the Trash, the file check and the thumbnails read of the library in one pass each:
//! the Trash's entries and what the trashed collections hold, every collection, the
//! batches still in the Trash, every recorded file, every asset that can have a picture.
//! Rows carry what is stored; the library turns them into places on disk and days left.

use rusqlite::{Connection, params};

use super::culling::Culling;
use super::listings::{culling_columns, culling_from_row};
use super::{AssetId, AssetState, BatchId, CollectionId, CollectionStatus, Storage};

/// Which of the Trash's records a listing reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entries {
    /// The Trash's entries: items the user trashed.
    Own,
    /// What went to the Trash inside a trashed collection.
    Inside,
}

impl Entries {
    fn condition(self, table: &str) -> String {
        match self {
            Entries::Own => format!("{table}.via_id IS NULL"),
            Entries::Inside => format!("{table}.via_id IS NOT NULL"),
        }
    }
}

/// A collection of the tree: its parent, name and status.
#[derive(Debug, Clone)]
pub struct CollectionNode {
    pub id: CollectionId,
    pub parent: Option<CollectionId>,
    pub name: String,
    pub status: CollectionStatus,
}

/// Every collection, in any state.
pub fn all_collections(conn: &Connection) -> rusqlite::Result<Vec<CollectionNode>> {
    conn.prepare_cached("SELECT id, parent_id, name, state FROM collections")?
        .query_map([], |r| {
            Ok(CollectionNode {
                id: r.get(0)?,
                parent: r.get(1)?,
                name: r.get(2)?,
                status: r.get(3)?,
            })
        })?
        .collect()
}

/// A trashed asset as the Trash lists it.
#[derive(Debug, Clone)]
pub struct TrashedAsset {
    pub id: AssetId,
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub deleted_at: i64,
    pub deleted_by: String,
    pub orig_location: Option<String>,
    pub batch: BatchId,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub captured_at: Option<i64>,
    pub camera: Option<String>,
    pub hash: String,
    pub in_place: bool,
    /// Its main file's stored path (where it lives when active) and place in a trash area.
    pub main_path: Option<String>,
    pub trash_root: Option<i64>,
    pub trash_name: Option<String>,
    pub quarantine: Option<String>,
    pub collection: Option<CollectionId>,
    pub via: Option<CollectionId>,
    /// The `missing` flag as last recorded.
    pub missing: i64,
    pub culling: Culling,
}

/// The trashed assets that are `entries`.
pub fn trashed_assets(conn: &Connection, entries: Entries) -> rusqlite::Result<Vec<TrashedAsset>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT a.id, a.name, a.kind, a.size, a.deleted_at, a.deleted_by, a.orig_location,
                a.batch_id, a.width, a.height, a.captured_at, a.camera, a.hash,
                a.storage, f.path, f.trash_root_id, f.trash_name, a.quarantine,
                a.collection_id, a.via_id, a.missing, {}
         FROM assets a LEFT JOIN files f ON f.asset_id = a.id AND f.role = 'main'
         WHERE a.state = ?1 AND {}",
        culling_columns!(),
        entries.condition("a")
    ))?;
    stmt.query_map([AssetState::Trashed], |r| {
        Ok(TrashedAsset {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
            size: r.get(3)?,
            deleted_at: r.get(4)?,
            deleted_by: r.get(5)?,
            orig_location: r.get(6)?,
            batch: r.get(7)?,
            width: r.get(8)?,
            height: r.get(9)?,
            captured_at: r.get(10)?,
            camera: r.get(11)?,
            hash: r.get(12)?,
            in_place: r.get::<_, Storage>(13)?.in_place(),
            main_path: r.get(14)?,
            trash_root: r.get(15)?,
            trash_name: r.get(16)?,
            quarantine: r.get(17)?,
            collection: r.get(18)?,
            via: r.get(19)?,
            missing: r.get(20)?,
            culling: culling_from_row(r, 21)?,
        })
    })?
    .collect()
}

/// A trashed collection as the Trash lists it, with what it took along.
#[derive(Debug, Clone)]
pub struct TrashedCollection {
    pub id: CollectionId,
    pub name: String,
    pub deleted_at: i64,
    pub deleted_by: String,
    pub orig_location: Option<String>,
    pub batch: BatchId,
    pub parent: Option<CollectionId>,
    /// Bytes of the assets that went with it, those missing from disk left out.
    pub size: i64,
    /// How many assets went with it.
    pub items: i64,
    pub via: Option<CollectionId>,
}

/// The trashed collections that are `entries`; the `missing` flag value `missing` marks
/// assets whose bytes do not count.
pub fn trashed_collections(
    conn: &Connection,
    entries: Entries,
    missing: i64,
) -> rusqlite::Result<Vec<TrashedCollection>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id, c.name, c.deleted_at, c.deleted_by, c.orig_location, c.batch_id,
                c.parent_id,
                (SELECT ifnull(sum(size), 0) FROM assets WHERE via_id = c.id AND missing != ?2),
                (SELECT count(*) FROM assets WHERE via_id = c.id), c.via_id
         FROM collections c WHERE c.state = ?1 AND {}",
        entries.condition("c")
    ))?;
    stmt.query_map(params![CollectionStatus::Trashed, missing], |r| {
        Ok(TrashedCollection {
            id: r.get(0)?,
            name: r.get(1)?,
            deleted_at: r.get(2)?,
            deleted_by: r.get(3)?,
            orig_location: r.get(4)?,
            batch: r.get(5)?,
            parent: r.get(6)?,
            size: r.get(7)?,
            items: r.get(8)?,
            via: r.get(9)?,
        })
    })?
    .collect()
}

/// How many entries the Trash holds.
pub fn entry_count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM assets WHERE state = ?1 AND via_id IS NULL)
              + (SELECT count(*) FROM collections WHERE state = ?2 AND via_id IS NULL)",
        params![AssetState::Trashed, CollectionStatus::Trashed],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n.max(0) as u64)
}

/// A batch of deletions (one user action) as stored.
#[derive(Debug, Clone)]
pub struct BatchRecord {
    pub id: BatchId,
    pub created_at: i64,
    pub deleted_by: String,
    pub label: String,
}

/// The batches with items still in the Trash, newest first.
pub fn batches_in_trash(conn: &Connection) -> rusqlite::Result<Vec<BatchRecord>> {
    conn.prepare_cached(
        "SELECT id, created_at, deleted_by, label FROM batches b
         WHERE EXISTS (SELECT 1 FROM assets WHERE batch_id = b.id AND state = ?1)
            OR EXISTS (SELECT 1 FROM collections WHERE batch_id = b.id AND state = ?2)
         ORDER BY created_at DESC, id DESC",
    )?
    .query_map(
        params![AssetState::Trashed, CollectionStatus::Trashed],
        |r| {
            Ok(BatchRecord {
                id: r.get(0)?,
                created_at: r.get(1)?,
                deleted_by: r.get(2)?,
                label: r.get(3)?,
            })
        },
    )?
    .collect()
}

/// One recorded file of an asset in any state, and where the record puts it.
#[derive(Debug, Clone)]
pub struct RecordedFile {
    pub asset: AssetId,
    pub in_place: bool,
    pub state: AssetState,
    pub missing: i64,
    /// Where it lives when active, as stored.
    pub path: String,
    pub hash: String,
    pub trash_root: Option<i64>,
    pub trash_name: Option<String>,
}

/// Every recorded file of every asset.
pub fn recorded_files(conn: &Connection) -> rusqlite::Result<Vec<RecordedFile>> {
    conn.prepare_cached(
        "SELECT a.id, a.storage, a.state, a.missing, f.path, f.hash,
                f.trash_root_id, f.trash_name
         FROM files f JOIN assets a ON a.id = f.asset_id",
    )?
    .query_map([], |r| {
        Ok(RecordedFile {
            asset: r.get(0)?,
            in_place: r.get::<_, Storage>(1)?.in_place(),
            state: r.get(2)?,
            missing: r.get(3)?,
            path: r.get(4)?,
            hash: r.get(5)?,
            trash_root: r.get(6)?,
            trash_name: r.get(7)?,
        })
    })?
    .collect()
}

/// An asset in the Gallery or the Trash with its main file, for its picture.
#[derive(Debug, Clone)]
pub struct PictureRecord {
    pub id: AssetId,
    pub name: String,
    pub kind: String,
    pub hash: String,
    pub state: AssetState,
    pub in_place: bool,
    pub path: String,
    pub trash_root: Option<i64>,
    pub trash_name: Option<String>,
}

/// Every asset active or trashed (not those a crash left half-way), by id.
pub fn picture_records(conn: &Connection) -> rusqlite::Result<Vec<PictureRecord>> {
    conn.prepare_cached(
        "SELECT a.id, a.name, a.kind, a.hash, a.state, a.storage,
                f.path, f.trash_root_id, f.trash_name
         FROM assets a JOIN files f ON f.asset_id = a.id AND f.role = 'main'
         WHERE a.state IN (?1, ?2) ORDER BY a.id",
    )?
    .query_map(params![AssetState::Active, AssetState::Trashed], |r| {
        Ok(PictureRecord {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
            hash: r.get(3)?,
            state: r.get(4)?,
            in_place: r.get::<_, Storage>(5)?.in_place(),
            path: r.get(6)?,
            trash_root: r.get(7)?,
            trash_name: r.get(8)?,
        })
    })?
    .collect()
}
