//! The records the file protocols work on, as read from the database: an asset with its
//! files and a collection's state, read for many ids with one statement each.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use super::{AssetId, AssetState, CollectionId, CollectionStatus, MISSING, Storage};

/// A file of an asset as recorded.
#[derive(Debug, Clone)]
pub struct FileRow {
    pub id: i64,
    pub role: String,
    pub path: String,
    pub size: u64,
    pub hash: String,
    pub dev: Option<i64>,
    pub ino: Option<i64>,
    pub trash_root_id: Option<i64>,
    pub trash_name: Option<String>,
}

/// An asset as recorded.
#[derive(Debug, Clone)]
pub struct AssetRow {
    pub id: AssetId,
    pub name: String,
    pub collection_id: Option<CollectionId>,
    pub in_place: bool,
    pub state: AssetState,
    pub via_id: Option<CollectionId>,
    /// The file was already gone when it was trashed (or is flagged so).
    pub missing: bool,
    /// Why recovery left this record alone, if it did.
    pub quarantine: Option<String>,
    pub files: Vec<FileRow>,
}

/// A collection as recorded.
#[derive(Debug, Clone)]
pub struct CollectionRow {
    pub status: CollectionStatus,
    pub parent_id: Option<CollectionId>,
    pub name: String,
    /// The collection it was trashed with, when it went with a parent.
    pub via_id: Option<CollectionId>,
}

/// The records of many assets with their files, read with two statements whatever their
/// number (bulk actions plan thousands); ids not found are left out.
pub fn assets(conn: &Connection, ids: &[AssetId]) -> rusqlite::Result<HashMap<AssetId, AssetRow>> {
    let mut out = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(out);
    }
    let which = IdSet::of(ids.iter().copied());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, name, collection_id, storage, state, via_id, missing, quarantine
         FROM assets WHERE id {}",
        which.condition()
    ))?;
    let rows = stmt.query_map([&which], |r| {
        Ok(AssetRow {
            id: r.get(0)?,
            name: r.get(1)?,
            collection_id: r.get(2)?,
            in_place: r.get::<_, Storage>(3)?.in_place(),
            state: r.get(4)?,
            via_id: r.get(5)?,
            missing: r.get::<_, i64>(6)? == MISSING,
            quarantine: r.get(7)?,
            files: Vec::new(),
        })
    })?;
    for row in rows {
        let row = row?;
        out.insert(row.id, row);
    }
    for (asset_id, files) in files_of(conn, &which)? {
        if let Some(a) = out.get_mut(&asset_id) {
            a.files = files;
        }
    }
    Ok(out)
}

/// The files of one asset, the main file first.
pub fn files(conn: &Connection, asset: AssetId) -> rusqlite::Result<Vec<FileRow>> {
    Ok(files_of(conn, &IdSet::of([asset]))?
        .remove(&asset)
        .unwrap_or_default())
}

/// The files of the assets in `which`, each asset's main file first and the others in the
/// order they were recorded.
fn files_of(conn: &Connection, which: &IdSet) -> rusqlite::Result<HashMap<AssetId, Vec<FileRow>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT asset_id, id, role, path, size, hash, dev, ino, trash_root_id, trash_name
         FROM files WHERE asset_id {}",
        which.condition()
    ))?;
    let rows = stmt.query_map([which], |r| {
        Ok((
            r.get::<_, AssetId>(0)?,
            FileRow {
                id: r.get(1)?,
                role: r.get(2)?,
                path: r.get(3)?,
                size: r.get::<_, i64>(4)?.max(0) as u64,
                hash: r.get(5)?,
                dev: r.get(6)?,
                ino: r.get(7)?,
                trash_root_id: r.get(8)?,
                trash_name: r.get(9)?,
            },
        ))
    })?;
    let mut out: HashMap<AssetId, Vec<FileRow>> = HashMap::new();
    for row in rows {
        let (asset_id, file) = row?;
        out.entry(asset_id).or_default().push(file);
    }
    // Sorted here: SQLite would build a sorter for every asset of a bulk action.
    for files in out.values_mut() {
        files.sort_by_key(|f| (f.role != "main", f.id));
    }
    Ok(out)
}

/// The state of a collection, `None` when it does not exist.
pub fn collection(conn: &Connection, id: CollectionId) -> rusqlite::Result<Option<CollectionRow>> {
    conn.prepare_cached("SELECT state, parent_id, name, via_id FROM collections WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(CollectionRow {
                status: r.get(0)?,
                parent_id: r.get(1)?,
                name: r.get(2)?,
                via_id: r.get(3)?,
            })
        })
        .optional()
}

/// Which ids a statement reads: one (an indexed `= ?`), or many as a JSON array (`IN
/// (SELECT value FROM json_each(?))`: one statement and one parameter for any number).
enum IdSet {
    One(i64),
    Many(String),
}

impl IdSet {
    fn of(ids: impl IntoIterator<Item = impl Into<i64>>) -> IdSet {
        let ids: Vec<i64> = ids.into_iter().map(Into::into).collect();
        match ids.as_slice() {
            [one] => IdSet::One(*one),
            _ => {
                let mut s = String::with_capacity(ids.len() * 7 + 2);
                s.push('[');
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    s.push_str(&id.to_string());
                }
                s.push(']');
                IdSet::Many(s)
            }
        }
    }

    /// The condition on an id column, with the set as parameter `?1`.
    fn condition(&self) -> &'static str {
        match self {
            IdSet::One(_) => "= ?1",
            IdSet::Many(_) => "IN (SELECT value FROM json_each(?1))",
        }
    }
}

impl rusqlite::ToSql for IdSet {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            IdSet::One(id) => id.to_sql(),
            IdSet::Many(list) => list.to_sql(),
        }
    }
}
