//! The statements of permanent deletion: which Trash entries are due, what an entry takes
//! with it, the purge log, and forgetting records whose files are gone. The rules (what may
//! be purged, in which order the files and records go) stay with the library.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{AssetId, AssetState, CollectionId, CollectionStatus, Storage, exec};

/// How many Trash entries (assets and collections trashed on their own) were deleted at or
/// before `cutoff`. Quarantined records are not due: recovery left them alone.
pub fn due_count(conn: &Connection, cutoff: i64) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM assets WHERE state = ?2 AND via_id IS NULL
                    AND quarantine IS NULL AND deleted_at <= ?1)
              + (SELECT count(*) FROM collections WHERE state = ?3 AND via_id IS NULL
                    AND deleted_at <= ?1)",
        params![cutoff, AssetState::Trashed, CollectionStatus::Trashed],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n.max(0) as u64)
}

/// The next collections, by id after `after`, that are Trash entries deleted at or before
/// `cutoff`; at most `limit`.
pub fn due_collections(
    conn: &Connection,
    after: i64,
    cutoff: i64,
    limit: usize,
) -> rusqlite::Result<Vec<CollectionId>> {
    conn.prepare_cached(
        "SELECT id FROM collections WHERE state = ?4 AND via_id IS NULL
         AND deleted_at <= ?2 AND id > ?1 ORDER BY id LIMIT ?3",
    )?
    .query_map(
        params![after, cutoff, limit as i64, CollectionStatus::Trashed],
        |r| r.get(0),
    )?
    .collect()
}

/// The next assets, by id after `after`, that are Trash entries deleted at or before
/// `cutoff` and not quarantined; at most `limit`.
pub fn due_assets(
    conn: &Connection,
    after: i64,
    cutoff: i64,
    limit: usize,
) -> rusqlite::Result<Vec<AssetId>> {
    conn.prepare_cached(
        "SELECT id FROM assets WHERE state = ?4 AND via_id IS NULL AND quarantine IS NULL
         AND deleted_at <= ?2 AND id > ?1 ORDER BY id LIMIT ?3",
    )?
    .query_map(
        params![after, cutoff, limit as i64, AssetState::Trashed],
        |r| r.get(0),
    )?
    .collect()
}

/// What went to the Trash with collection `c`: its collections below (at any depth) and
/// their assets.
pub fn trashed_with(
    conn: &Connection,
    c: CollectionId,
) -> rusqlite::Result<(Vec<CollectionId>, Vec<AssetId>)> {
    let collections = conn
        .prepare_cached("SELECT id FROM collections WHERE via_id = ?1")?
        .query_map([c], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let assets = conn
        .prepare_cached("SELECT id FROM assets WHERE via_id = ?1")?
        .query_map([c], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((collections, assets))
}

/// The Trash entries of their own whose parent is collection `c` (trashed from inside it
/// before it went): its assets and its collections.
pub fn entries_inside(
    conn: &Connection,
    c: CollectionId,
) -> rusqlite::Result<(Vec<AssetId>, Vec<CollectionId>)> {
    let assets = conn
        .prepare_cached(
            "SELECT id FROM assets WHERE collection_id = ?1 AND state = ?2 AND via_id IS NULL",
        )?
        .query_map(params![c, AssetState::Trashed], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let collections = conn
        .prepare_cached(
            "SELECT id FROM collections WHERE parent_id = ?1 AND state = ?2 AND via_id IS NULL",
        )?
        .query_map(params![c, CollectionStatus::Trashed], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((assets, collections))
}

/// Assets a crash left `purging` (and recovery did not quarantine).
pub fn left_purging(conn: &Connection) -> rusqlite::Result<Vec<AssetId>> {
    conn.prepare("SELECT id FROM assets WHERE state = ?1 AND quarantine IS NULL")?
        .query_map([AssetState::Purging], |r| r.get(0))?
        .collect()
}

/// One line of the purge log.
#[derive(Debug, Clone, Serialize)]
pub struct PurgeLogEntry {
    pub at: i64,
    pub name: String,
    pub original_path: String,
    pub size: u64,
    pub hash: String,
    pub reason: String,
}

/// The purge log, newest first.
pub fn purge_log(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<PurgeLogEntry>> {
    conn.prepare(
        "SELECT at, name, original_path, size, hash, reason FROM purge_log
         ORDER BY id DESC LIMIT ?1",
    )?
    .query_map([limit as i64], |r| {
        Ok(PurgeLogEntry {
            at: r.get(0)?,
            name: r.get(1)?,
            original_path: r.get(2)?,
            size: r.get::<_, i64>(3)?.max(0) as u64,
            hash: r.get(4)?,
            reason: r.get(5)?,
        })
    })?
    .collect()
}

/// Writes an asset's line in the purge log (`item` is its id as the user reads it) and
/// deletes its record and its files' records: its files are gone. Returns the bytes it
/// held and its content's hash.
pub fn log_and_forget(
    tx: &Transaction<'_>,
    a: AssetId,
    item: &str,
    reason: &str,
    now: i64,
) -> rusqlite::Result<(u64, String)> {
    let (name, location, storage, size, hash): (String, Option<String>, Storage, i64, String) = tx
        .prepare_cached(
            "SELECT name, orig_location, storage, size, hash FROM assets WHERE id = ?1",
        )?
        .query_row([a], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
    let original = if storage.in_place() {
        tx.prepare_cached("SELECT path FROM files WHERE asset_id = ?1 AND role = 'main'")?
            .query_row([a], |r| r.get::<_, String>(0))
            .optional()?
            .unwrap_or_else(|| name.clone())
    } else {
        match location.as_deref() {
            Some(l) if !l.is_empty() => format!("{l}/{name}"),
            _ => name.clone(),
        }
    };
    exec(
        tx,
        "INSERT INTO purge_log(at, name, original_path, size, hash, reason, item_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![now, name, original, size, hash, reason, item],
    )?;
    exec(tx, "DELETE FROM files WHERE asset_id = ?1", [a])?;
    exec(tx, "DELETE FROM assets WHERE id = ?1", [a])?;
    Ok((size.max(0) as u64, hash))
}

/// Deletes the records of purged collections: first unhooked from each other (a parent
/// may go before its child), then deleted.
pub fn forget_collections(tx: &Transaction<'_>, cols: &[CollectionId]) -> rusqlite::Result<()> {
    for &c in cols {
        exec(
            tx,
            "UPDATE collections SET parent_id = NULL, via_id = NULL WHERE id = ?1",
            [c],
        )?;
    }
    for &c in cols {
        exec(tx, "DELETE FROM collections WHERE id = ?1", [c])?;
    }
    Ok(())
}

/// Deletes the batches no record belongs to any more.
pub fn forget_empty_batches(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    exec(
        tx,
        "DELETE FROM batches
         WHERE id NOT IN (SELECT batch_id FROM assets WHERE batch_id IS NOT NULL)
           AND id NOT IN (SELECT batch_id FROM collections WHERE batch_id IS NOT NULL)",
        [],
    )
    .map(|_| ())
}
