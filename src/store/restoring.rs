//! The statements of bringing items back from the Trash: what an entry brings with it,
//! where a collection goes back, and the entries a partly finished restore leaves. The
//! order of the steps (intent, moves, activation) stays with the library.

use rusqlite::{Connection, Transaction, params};

use super::{AssetId, AssetState, BatchId, CollectionId, CollectionStatus, exec};

/// The Trash entries of a batch (the items the user trashed, not those that went with a
/// collection): its collections and its assets.
pub fn batch_entries(
    conn: &Connection,
    batch: BatchId,
) -> rusqlite::Result<(Vec<CollectionId>, Vec<AssetId>)> {
    let collections = conn
        .prepare_cached(
            "SELECT id FROM collections WHERE batch_id = ?1 AND state = ?2 AND via_id IS NULL",
        )?
        .query_map(params![batch, CollectionStatus::Trashed], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let assets = conn
        .prepare_cached(
            "SELECT id FROM assets WHERE batch_id = ?1 AND state = ?2 AND via_id IS NULL",
        )?
        .query_map(params![batch, AssetState::Trashed], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((collections, assets))
}

/// Collection `c` and the trashed collections below it that went to the Trash with entry
/// `entry` (one walk of the tree in SQLite).
pub fn trashed_subtree(
    conn: &Connection,
    c: CollectionId,
    entry: CollectionId,
) -> rusqlite::Result<Vec<CollectionId>> {
    conn.prepare_cached(
        "WITH RECURSIVE sub(id) AS (
             SELECT ?1
             UNION ALL
             SELECT k.id FROM collections k JOIN sub ON k.parent_id = sub.id
             WHERE k.state = ?3 AND k.via_id = ?2
         ) SELECT id FROM sub",
    )?
    .query_map(params![c, entry, CollectionStatus::Trashed], |r| r.get(0))?
    .collect()
}

/// The trashed assets that went to the Trash with entry `entry` and sit in one of
/// `collections`.
pub fn trashed_members(
    conn: &Connection,
    entry: CollectionId,
    collections: &[CollectionId],
) -> rusqlite::Result<Vec<AssetId>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM assets WHERE via_id = ?1 AND state = ?2 AND collection_id = ?3",
    )?;
    for &k in collections {
        for a in stmt.query_map(params![entry, AssetState::Trashed, k], |r| r.get(0))? {
            out.push(a?);
        }
    }
    Ok(out)
}

/// Names collection `c` and puts it under `parent` (`None`: the top) in one statement.
pub fn place_collection(
    conn: &Connection,
    c: CollectionId,
    name: &str,
    key: &str,
    parent: Option<CollectionId>,
) -> rusqlite::Result<()> {
    exec(
        conn,
        "UPDATE collections SET name = ?2, name_key = ?3, parent_id = ?4 WHERE id = ?1",
        params![c, name, key, parent],
    )
    .map(|_| ())
}

/// Takes an asset out of the entry it went to the Trash with: if it stays in the Trash,
/// it is an entry of its own.
pub fn detach_asset(conn: &Connection, a: AssetId) -> rusqlite::Result<()> {
    exec(conn, "UPDATE assets SET via_id = NULL WHERE id = ?1", [a]).map(|_| ())
}

/// Makes collection `c` an entry of its own, with `below` (collections) and `members`
/// (assets) now going with it rather than with the entry they went to the Trash with.
pub fn make_entry(
    tx: &Transaction<'_>,
    c: CollectionId,
    below: &[CollectionId],
    members: &[AssetId],
) -> rusqlite::Result<()> {
    exec(
        tx,
        "UPDATE collections SET via_id = NULL WHERE id = ?1",
        [c],
    )?;
    for k in below.iter().filter(|k| **k != c) {
        exec(
            tx,
            "UPDATE collections SET via_id = ?2 WHERE id = ?1",
            params![k, c],
        )?;
    }
    for a in members {
        exec(
            tx,
            "UPDATE assets SET via_id = ?2 WHERE id = ?1",
            params![a, c],
        )?;
    }
    Ok(())
}

/// The name keys of the active collections under `parent` (`None`: the top).
pub fn active_collection_keys(
    conn: &Connection,
    parent: Option<CollectionId>,
) -> rusqlite::Result<std::collections::HashSet<String>> {
    conn.prepare_cached(
        "SELECT name_key FROM collections WHERE ifnull(parent_id, 0) = ifnull(?1, 0)
         AND state = ?2",
    )?
    .query_map(params![parent, CollectionStatus::Active], |r| r.get(0))?
    .collect()
}
