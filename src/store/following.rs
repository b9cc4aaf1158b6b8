//! The statements of followed folders: which folders are followed, which files of one are
//! already recorded, the items kept in place whose file is not where it was, and an item
//! following its file to a new name or place.

use std::collections::HashSet;

use rusqlite::{Connection, Transaction, params};

use super::{
    AssetId, AssetState, CollectionId, CollectionStatus, PRESENT, Storage, exec, paths_below,
};

/// Follows `path` (resolved): what appears in it joins `collection`.
pub fn follow(conn: &Connection, path: &str, collection: CollectionId) -> rusqlite::Result<()> {
    exec(
        conn,
        "INSERT OR REPLACE INTO followed_folders(path, collection_id) VALUES (?1, ?2)",
        params![path, collection],
    )
    .map(|_| ())
}

/// The followed folders whose collection is active, with that collection.
pub fn followed_folders(conn: &Connection) -> rusqlite::Result<Vec<(String, CollectionId)>> {
    conn.prepare_cached(
        "SELECT w.path, w.collection_id FROM followed_folders w
         JOIN collections c ON c.id = w.collection_id WHERE c.state = ?1",
    )?
    .query_map([CollectionStatus::Active], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// The statement of [`in_place_paths_under`].
pub(crate) const IN_PLACE_PATHS_UNDER: &str = "SELECT f.path FROM files f
    JOIN assets a ON a.id = f.asset_id
    WHERE f.path >= ?1 AND f.path < ?2 AND +a.storage = ?3";

/// The stored paths of files kept in place at or below `folder` (its path as stored, and
/// the separator): read through the path index, so the cost is that of the folder, not of
/// the library.
pub fn in_place_paths_under(
    conn: &Connection,
    folder: &str,
    sep: char,
) -> rusqlite::Result<HashSet<String>> {
    let Some((from, to)) = paths_below(folder, sep) else {
        return Ok(HashSet::new());
    };
    conn.prepare_cached(IN_PLACE_PATHS_UNDER)?
        .query_map(params![from, to, Storage::InPlace], |r| r.get(0))?
        .collect()
}

/// The main file of an active item kept in place and flagged missing or offline.
#[derive(Debug, Clone)]
pub struct LostFile {
    pub asset: AssetId,
    pub file: i64,
    pub size: i64,
    pub hash: String,
    /// Where it was recorded.
    pub path: String,
    pub name: String,
}

/// The main files of active items kept in place that were not found when last looked for.
pub fn lost_in_place(conn: &Connection) -> rusqlite::Result<Vec<LostFile>> {
    conn.prepare_cached(
        "SELECT a.id, f.id, f.size, f.hash, f.path, a.name FROM assets a
         JOIN files f ON f.asset_id = a.id AND f.role = 'main'
         WHERE a.state = ?1 AND a.storage = ?2 AND a.missing <> ?3",
    )?
    .query_map(
        params![AssetState::Active, Storage::InPlace, PRESENT],
        |r| {
            Ok(LostFile {
                asset: r.get(0)?,
                file: r.get(1)?,
                size: r.get(2)?,
                hash: r.get(3)?,
                path: r.get(4)?,
                name: r.get(5)?,
            })
        },
    )?
    .collect()
}

/// Where a lost file was found again: its stored path and identity on disk, and the name
/// and collection its item takes.
#[derive(Debug, Clone, Copy)]
pub struct FoundAt<'a> {
    pub stored: &'a str,
    pub dev: Option<i64>,
    pub ino: Option<i64>,
    pub name: &'a str,
    pub name_key: &'a str,
    pub collection: CollectionId,
}

/// The item `asset` follows its main file `file` to where it was found; it is no longer
/// missing.
pub fn found(
    tx: &Transaction<'_>,
    asset: AssetId,
    file: i64,
    at: &FoundAt<'_>,
) -> rusqlite::Result<()> {
    exec(
        tx,
        "UPDATE files SET path = ?2, dev = ?3, ino = ?4, seen = NULL WHERE id = ?1",
        params![file, at.stored, at.dev, at.ino],
    )?;
    exec(
        tx,
        "UPDATE assets SET name = ?2, name_key = ?3, collection_id = ?4, missing = 0
         WHERE id = ?1",
        params![asset, at.name, at.name_key, at.collection],
    )?;
    Ok(())
}
