//! The collection tree as the library's rules walk and change it: what is below a
//! collection and what it holds, names unique among siblings, renames and moves of
//! collections and of the assets in them.

use rusqlite::{Connection, params};

use super::{AssetId, AssetState, CollectionId, CollectionStatus};

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
             WHERE c.state = ?3
         ) SELECT a.id FROM assets a JOIN sub ON a.collection_id = sub.id
           WHERE a.state = ?2",
    )?
    .query_map(
        params![list, AssetState::Active, CollectionStatus::Active],
        |r| r.get(0),
    )?
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
    conn.prepare_cached("SELECT id FROM collections WHERE parent_id = ?1 AND state = ?2")?
        .query_map(params![collection, CollectionStatus::Active], |r| r.get(0))?
        .collect()
}

/// A collection's parent (`None`: at the top).
pub fn parent_of(conn: &Connection, id: CollectionId) -> rusqlite::Result<Option<CollectionId>> {
    conn.prepare_cached("SELECT parent_id FROM collections WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
}

/// A collection's name.
pub fn collection_name(conn: &Connection, id: CollectionId) -> rusqlite::Result<String> {
    conn.prepare_cached("SELECT name FROM collections WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
}

/// Whether an active collection other than `except` under `parent` has the name whose key
/// is `key`.
pub fn collection_name_taken(
    conn: &Connection,
    parent: Option<CollectionId>,
    key: &str,
    except: Option<CollectionId>,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM collections WHERE ifnull(parent_id, 0) = ifnull(?1, 0) AND name_key = ?2
         AND state = ?4 AND id <> ifnull(?3, 0)",
    )?
    .exists(params![parent, key, except, CollectionStatus::Active])
}

/// Renames a collection.
pub fn rename_collection(
    conn: &Connection,
    id: CollectionId,
    name: &str,
    key: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE collections SET name = ?2, name_key = ?3 WHERE id = ?1")?
        .execute(params![id, name, key])?;
    Ok(())
}

/// Puts a collection under `parent` (`None`: the top).
pub fn move_collection(
    conn: &Connection,
    id: CollectionId,
    parent: Option<CollectionId>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE collections SET parent_id = ?2 WHERE id = ?1")?
        .execute(params![id, parent])?;
    Ok(())
}

/// An asset's state, name and collection.
pub fn asset_place(
    conn: &Connection,
    id: AssetId,
) -> rusqlite::Result<Option<(AssetState, String, Option<CollectionId>)>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached("SELECT state, name, collection_id FROM assets WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
}

/// Whether an asset other than `except` in `collection` (active, or on its way to or from
/// the Trash) has the name whose key is `key`.
pub fn asset_name_taken(
    conn: &Connection,
    collection: Option<CollectionId>,
    key: &str,
    except: AssetId,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM assets WHERE ifnull(collection_id, 0) = ifnull(?1, 0) AND name_key = ?2
         AND state IN (?4, ?5, ?6) AND id <> ?3",
    )?
    .exists(params![
        collection,
        key,
        except,
        AssetState::Active,
        AssetState::Trashing,
        AssetState::Restoring
    ])
}

/// Renames an asset (the name shown; its file keeps its name).
pub fn rename_asset(conn: &Connection, id: AssetId, name: &str, key: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE assets SET name = ?2, name_key = ?3 WHERE id = ?1")?
        .execute(params![id, name, key])?;
    Ok(())
}

/// Moves an active asset named `key` into `to` unless an item there has that name: whether
/// it moved.
pub fn move_asset(
    conn: &Connection,
    id: AssetId,
    to: Option<CollectionId>,
    key: &str,
) -> rusqlite::Result<bool> {
    let moved = conn
        .prepare_cached(
            "UPDATE assets SET collection_id = ?2 WHERE id = ?1 AND state = ?4
             AND NOT EXISTS (SELECT 1 FROM assets o WHERE ifnull(o.collection_id, 0) = ifnull(?2, 0)
                 AND o.name_key = ?3 AND o.state IN (?4, ?5, ?6))",
        )?
        .execute(params![
            id,
            to,
            key,
            AssetState::Active,
            AssetState::Trashing,
            AssetState::Restoring
        ])?;
    Ok(moved == 1)
}
