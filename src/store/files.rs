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
