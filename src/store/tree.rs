//! The collection tree as the library's rules walk it: what is below a collection, and
//! what it holds.

use rusqlite::{Connection, params};

use super::{AssetId, AssetState, CollectionId};

/// The active assets inside `collections` or any active collection below them.
pub fn active_assets_under(
    conn: &Connection,
    collections: &[CollectionId],
) -> rusqlite::Result<Vec<AssetId>> {
    if collections.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(&collections.iter().map(|c| c.0).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    conn.prepare_cached(
        "WITH RECURSIVE sub(id) AS (
             SELECT value FROM json_each(?1)
             UNION
             SELECT c.id FROM collections c JOIN sub ON c.parent_id = sub.id
             WHERE c.state = 'active'
         ) SELECT a.id FROM assets a JOIN sub ON a.collection_id = sub.id
           WHERE a.state = ?2",
    )?
    .query_map(params![list, AssetState::Active], |r| r.get(0))?
    .collect()
}

/// The active assets directly in `collection`.
pub fn active_assets_in(
    conn: &Connection,
    collection: CollectionId,
) -> rusqlite::Result<Vec<AssetId>> {
    conn.prepare_cached("SELECT id FROM assets WHERE collection_id = ?1 AND state = ?2")?
        .query_map(params![collection, AssetState::Active], |r| r.get(0))?
        .collect()
}

/// The active collections directly below `collection`.
pub fn active_children(
    conn: &Connection,
    collection: CollectionId,
) -> rusqlite::Result<Vec<CollectionId>> {
    conn.prepare_cached("SELECT id FROM collections WHERE parent_id = ?1 AND state = 'active'")?
        .query_map([collection], |r| r.get(0))?
        .collect()
}
