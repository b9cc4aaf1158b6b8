//! The statements of an import: what the library already holds of the files coming in
//! (the same content in the Trash, the same paths, the same name and content), the
//! collections made for folders, and the copies intended before they are made (so
//! recovery can remove one an interrupted import left unrecorded).

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{AssetId, AssetState, CollectionId, CollectionStatus, Storage, exec, paths_below};

/// A list of texts as one JSON array, bound where a statement reads `json_each(?)`: one
/// statement for a whole chunk, whatever its size.
fn json_list<S: AsRef<str>>(items: &[S]) -> rusqlite::Result<String> {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&items).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))
}

/// A trashed asset with content the import brings again.
pub struct InTrash {
    pub hash: String,
    pub asset: AssetId,
    pub name: String,
    /// The collection it went to the Trash with (then that is the Trash entry).
    pub via: Option<CollectionId>,
}

/// The statement of [`trashed_with_content`]: it reads the index of contents in the Trash
/// (migration 21; its condition is written as the index says it).
pub(crate) const TRASHED_WITH_CONTENT: &str = "SELECT hash, id, name, via_id
    FROM assets INDEXED BY assets_trashed_hash
    WHERE substr(hash, 1, 16) IN (SELECT substr(value, 1, 16) FROM json_each(?1))
      AND state = 'trashed' AND hash IN (SELECT value FROM json_each(?1))
    ORDER BY id";

/// The trashed assets whose content is one of `hashes`, oldest first.
pub fn trashed_with_content(conn: &Connection, hashes: &[&str]) -> rusqlite::Result<Vec<InTrash>> {
    conn.prepare_cached(TRASHED_WITH_CONTENT)?
        .query_map(params![json_list(hashes)?], |r| {
            Ok(InTrash {
                hash: r.get(0)?,
                asset: r.get(1)?,
                name: r.get(2)?,
                via: r.get(3)?,
            })
        })?
        .collect()
}

/// Of the stored `paths`, those a file of an asset outside the Trash has, with its asset (a
/// file in the Trash left its path free).
pub fn owners_of_paths(
    conn: &Connection,
    paths: &[&str],
) -> rusqlite::Result<Vec<(String, AssetId)>> {
    conn.prepare_cached(
        "SELECT f.path, f.asset_id FROM files f JOIN assets a ON a.id = f.asset_id
         WHERE f.path IN (SELECT value FROM json_each(?1)) AND a.state != ?2",
    )?
    .query_map(params![json_list(paths)?, AssetState::Trashed], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?
    .collect()
}

/// Whether an active asset has the content `hash` and the name whose key is `key`.
pub fn active_duplicate(conn: &Connection, hash: &str, key: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(ACTIVE_DUPLICATE)?
        .exists(params![hash, key])
}

/// The statement of [`active_duplicate`]: it reads the active assets of that name (as many
/// as the collections holding the name, at most), not those of that content (a library
/// may hold any number of identical files: empty ones, the same sidecar under many names).
pub(crate) const ACTIVE_DUPLICATE: &str = "SELECT 1 FROM assets INDEXED BY assets_by_name
    WHERE name_key = ?2 AND state = 'active' AND hash = ?1
    LIMIT 1";

/// The statement of [`asset_keys`]: the names the index of live names holds for one
/// collection (the index is what keeps them unique; its condition is written as the index
/// says it, so the planner reads it alone, not every live asset of the library).
pub(crate) const ASSET_KEYS: &str = "SELECT name_key FROM assets INDEXED BY assets_live_name
    WHERE ifnull(collection_id, 0) = ifnull(?1, 0)
      AND state <> 'trashed' AND state <> 'purging'";

/// The name keys taken in a collection (`None`: the top) by live assets and by those
/// moving in or out of the Trash.
pub fn asset_keys(
    conn: &Connection,
    collection: Option<CollectionId>,
) -> rusqlite::Result<HashSet<String>> {
    conn.prepare_cached(ASSET_KEYS)?
        .query_map(params![collection], |r| r.get(0))?
        .collect()
}

/// The statement of [`collection_of_folder`]: it reads the files below the folder through
/// the path index (the state and storage are not looked up in an index: `+`), so its cost
/// is that of the folder, not of the library, at each folder an import comes to.
pub(crate) const COLLECTION_OF_FOLDER: &str = "SELECT a.collection_id FROM files f
    JOIN assets a ON a.id = f.asset_id
    WHERE f.path >= ?1 AND f.path < ?2 AND instr(substr(f.path, length(?1) + 1), ?3) = 0
      AND f.role = 'main' AND +a.state = ?4 AND +a.storage = ?5
      AND a.collection_id IS NOT NULL
    LIMIT 1";

/// The collection of an active asset kept in place whose main file sits directly in
/// `folder` (its path as stored, and the separator `sep`), if any.
pub fn collection_of_folder(
    conn: &Connection,
    folder: &str,
    sep: char,
) -> rusqlite::Result<Option<CollectionId>> {
    let Some((from, to)) = paths_below(folder, sep) else {
        return Ok(None);
    };
    conn.prepare_cached(COLLECTION_OF_FOLDER)?
        .query_row(
            params![
                from,
                to,
                sep.to_string(),
                AssetState::Active,
                Storage::InPlace
            ],
            |r| r.get(0),
        )
        .optional()
}

/// The active collection under `parent` (`None`: the top) whose name's key is `key`.
pub fn active_collection_named(
    conn: &Connection,
    parent: Option<CollectionId>,
    key: &str,
) -> rusqlite::Result<Option<CollectionId>> {
    conn.prepare_cached(
        "SELECT id FROM collections WHERE ifnull(parent_id, 0) = ifnull(?1, 0)
         AND name_key = ?2 AND state = ?3",
    )?
    .query_row(params![parent, key, CollectionStatus::Active], |r| r.get(0))
    .optional()
}

/// A collection's status; `None` when there is no such collection.
pub fn collection_status(
    conn: &Connection,
    id: CollectionId,
) -> rusqlite::Result<Option<CollectionStatus>> {
    conn.prepare_cached("SELECT state FROM collections WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

/// Deletes the record of a collection that holds nothing (one made for a folder that
/// brought nothing new): whether it held nothing and is gone.
pub fn forget_empty_collection(conn: &Connection, id: CollectionId) -> rusqlite::Result<bool> {
    exec(
        conn,
        "DELETE FROM collections WHERE id = ?1
         AND NOT EXISTS(SELECT 1 FROM assets WHERE collection_id = ?1)
         AND NOT EXISTS(SELECT 1 FROM collections WHERE parent_id = ?1)",
        [id],
    )
    .map(|n| n == 1)
}

/// Records copies about to be made into the library (their stored paths).
pub fn intend_copies(tx: &Transaction<'_>, paths: &[String]) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO pending_copies(path) VALUES (?1)")?;
    for p in paths {
        stmt.execute([p])?;
    }
    Ok(())
}

/// Forgets the intended copies at `paths` (made and recorded, or removed).
pub fn copies_settled<S: AsRef<str>>(conn: &Connection, paths: &[S]) -> rusqlite::Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    exec(
        conn,
        "DELETE FROM pending_copies WHERE path IN (SELECT value FROM json_each(?1))",
        [json_list(paths)?],
    )
    .map(|_| ())
}

/// The copies intended and not yet settled.
pub fn pending_copies(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("SELECT path FROM pending_copies")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// Whether a file of any asset is recorded at the stored `path`.
pub fn path_recorded(conn: &Connection, path: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM files WHERE path = ?1 LIMIT 1")?
        .exists([path])
}
