//! An asset's files as the XMP writer sees them: where each is, and what was last recorded
//! of one Shoebox wrote.

use rusqlite::{Connection, OptionalExtension, params};

use super::{AssetId, AssetState};

/// One file of an active asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    pub id: i64,
    pub asset: AssetId,
    /// `main`, `sidecar` or `raw`.
    pub role: String,
    /// As stored: absolute for an asset kept in place, else inside the library.
    pub path: String,
    pub in_place: bool,
}

/// What was read of a file just written.
#[derive(Debug, Clone, Copy)]
pub struct Written<'a> {
    pub size: u64,
    pub hash: &'a str,
    pub dev: Option<i64>,
    pub ino: Option<i64>,
    /// Its size and modification time, so the file check does not read it again.
    pub seen: &'a str,
}

/// The files of `asset` while it is in the Gallery (none when it is not), main first.
pub fn files_of_active(conn: &Connection, asset: AssetId) -> rusqlite::Result<Vec<FileRecord>> {
    conn.prepare_cached(
        "SELECT f.id, f.asset_id, f.role, f.path, a.storage = 'in_place'
         FROM files f JOIN assets a ON a.id = f.asset_id
         WHERE f.asset_id = ?1 AND a.state = ?2
         ORDER BY f.role <> 'main', f.id",
    )?
    .query_map(params![asset, AssetState::Active], |r| {
        Ok(FileRecord {
            id: r.get(0)?,
            asset: r.get(1)?,
            role: r.get(2)?,
            path: r.get(3)?,
            in_place: r.get(4)?,
        })
    })?
    .collect()
}

/// The asset one of whose files is stored at `path`, if any.
pub fn owner_of(conn: &Connection, path: &str) -> rusqlite::Result<Option<AssetId>> {
    conn.prepare_cached("SELECT asset_id FROM files WHERE path = ?1 LIMIT 1")?
        .query_row([path], |r| r.get(0))
        .optional()
}

/// Records what a file of an asset holds after Shoebox wrote it; the asset's size follows.
pub fn rewritten(conn: &Connection, file: i64, w: &Written<'_>) -> rusqlite::Result<()> {
    let asset: AssetId = conn
        .prepare_cached(
            "UPDATE files SET size = ?2, hash = ?3, dev = ?4, ino = ?5, seen = ?6
             WHERE id = ?1 RETURNING asset_id",
        )?
        .query_row(
            params![file, w.size as i64, w.hash, w.dev, w.ino, w.seen],
            |r| r.get(0),
        )?;
    resize(conn, asset)
}

/// Records a sidecar Shoebox made for `asset` at `path` (stored as its main file is);
/// the asset's size follows.
pub fn add_sidecar(
    conn: &Connection,
    asset: AssetId,
    path: &str,
    w: &Written<'_>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO files(asset_id, role, path, size, hash, dev, ino, seen)
         VALUES (?1, 'sidecar', ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        asset,
        path,
        w.size as i64,
        w.hash,
        w.dev,
        w.ino,
        w.seen
    ])?;
    resize(conn, asset)
}

fn resize(conn: &Connection, asset: AssetId) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE assets SET size = (SELECT sum(size) FROM files WHERE asset_id = ?1) WHERE id = ?1",
    )?
    .execute([asset])?;
    Ok(())
}

/// What Shoebox is about to write (see migration 18): a hidden file, or a sidecar and
/// the hash of what goes into it.
#[derive(Debug, Clone)]
pub struct Intent<'a> {
    /// As stored (inside the library, or absolute with `in_place`).
    pub path: &'a str,
    pub in_place: bool,
    pub asset: AssetId,
    /// The sidecar's record, when it is the asset's already.
    pub file_id: Option<i64>,
    pub hash: &'a str,
    /// The hidden file written first (removed if a crash leaves it).
    pub temp: bool,
}

/// An intent as read back.
#[derive(Debug, Clone)]
pub struct PendingWrite {
    pub path: String,
    pub in_place: bool,
    pub asset: AssetId,
    pub file_id: Option<i64>,
    pub hash: String,
    pub temp: bool,
}

/// Records an intent.
pub fn intend(conn: &Connection, i: &Intent<'_>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO pending_writes(path, in_place, asset_id, file_id, hash, temp)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        i.path, i.in_place, i.asset, i.file_id, i.hash, i.temp
    ])?;
    Ok(())
}

/// Forgets the intent for `path`.
pub fn settled(conn: &Connection, path: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM pending_writes WHERE path = ?1")?
        .execute([path])?;
    Ok(())
}

/// Every intent left (by a crash).
pub fn intents(conn: &Connection) -> rusqlite::Result<Vec<PendingWrite>> {
    conn.prepare_cached(
        "SELECT path, in_place, asset_id, file_id, hash, temp FROM pending_writes ORDER BY path",
    )?
    .query_map([], |r| {
        Ok(PendingWrite {
            path: r.get(0)?,
            in_place: r.get(1)?,
            asset: r.get(2)?,
            file_id: r.get(3)?,
            hash: r.get(4)?,
            temp: r.get(5)?,
        })
    })?
    .collect()
}
