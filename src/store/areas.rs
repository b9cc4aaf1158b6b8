//! The statements of trash areas (table `trash_roots`): where each is, as stored, and the
//! token written into the folder that proves a folder found there is the one Shoebox made.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};

/// Trash area `id`'s stored path and token (`None`: not marked yet); `None` when there is
/// no such area.
pub fn area(conn: &Connection, id: i64) -> rusqlite::Result<Option<(String, Option<String>)>> {
    conn.prepare_cached("SELECT path, token FROM trash_roots WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Records the token of trash area `id`.
pub fn set_token(conn: &Connection, id: i64, token: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE trash_roots SET token = ?2 WHERE id = ?1")?
        .execute(params![id, token])?;
    Ok(())
}

/// Every trash area: its id and stored path.
pub fn all_areas(conn: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
    conn.prepare_cached("SELECT id, path FROM trash_roots")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// The trash areas with no token yet: their ids and stored paths.
pub fn unmarked_areas(conn: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
    conn.prepare_cached("SELECT id, path FROM trash_roots WHERE token IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// The names of the files recorded in trash area `id`.
pub fn names_in(conn: &Connection, id: i64) -> rusqlite::Result<HashSet<String>> {
    conn.prepare_cached(
        "SELECT trash_name FROM files WHERE trash_root_id = ?1 AND trash_name IS NOT NULL",
    )?
    .query_map([id], |r| r.get(0))?
    .collect()
}

/// Records the library's own trash area (id 1, inside the library folder) if it is not.
pub fn record_library_area(conn: &Connection, path: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO trash_roots(id, path) VALUES (1, ?1)")?
        .execute([path])?;
    Ok(())
}
