//! An asset's files as the file check and the XMP writer see them: where each is, what was
//! last recorded of it, and what Shoebox is about to write; and what the file check reads
//! again of the pictures.

use rusqlite::{Connection, OptionalExtension, params};

use super::{AssetId, AssetState, Storage};

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
        "SELECT f.id, f.asset_id, f.role, f.path, a.storage
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
            in_place: r.get::<_, Storage>(4)?.in_place(),
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

/// A file of an active asset as the file check looks at it.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub asset: AssetId,
    pub file: i64,
    pub main: bool,
    pub stored: String,
    pub in_place: bool,
    /// The asset's `missing` column.
    pub flag: i64,
    pub size: u64,
    pub hash: String,
    /// The file's size and modification time when last seen holding the recorded content.
    pub seen: Option<String>,
    pub name: String,
}

/// Which active assets a file check looks at.
#[derive(Debug, Clone, Copy)]
pub enum CheckScope<'a> {
    /// These (a check before they move to the Trash, or after a change was seen).
    Only(&'a [AssetId]),
    /// Those with an id after `after`, up to `last` (a page of a whole check).
    Ids {
        after: Option<AssetId>,
        last: AssetId,
    },
}

/// A page of a whole check: how many active assets follow `after` (at most `page`), and
/// the last of them.
pub fn check_page(
    conn: &Connection,
    after: Option<AssetId>,
    page: usize,
) -> rusqlite::Result<(usize, Option<AssetId>)> {
    // `+state`: a page is a range of ids, read by id; the index on state would have SQLite
    // read every active asset, and sort them, for each page.
    conn.prepare_cached(
        "SELECT count(*), max(id) FROM
            (SELECT id FROM assets WHERE +state = ?1 AND id > ?2 ORDER BY id LIMIT ?3)",
    )?
    .query_row(
        params![AssetState::Active, after.map_or(0, |a| a.0), page as i64],
        |r| Ok((r.get::<_, i64>(0)?.max(0) as usize, r.get(1)?)),
    )
}

/// The files of the active assets in `scope`, each through its own key: the ids asked
/// for, or a range of ids (`+state`: never the index on state, which holds every active
/// asset).
pub fn files_to_check(
    conn: &Connection,
    scope: CheckScope<'_>,
) -> rusqlite::Result<Vec<CheckedFile>> {
    const FILE_ROWS: &str = "SELECT a.id, f.id, f.role = 'main', f.path,
            a.storage, a.missing, f.size, f.hash, f.seen, a.name
         FROM assets a JOIN files f ON f.asset_id = a.id WHERE +a.state = ?1";
    let row = |r: &rusqlite::Row<'_>| {
        Ok(CheckedFile {
            asset: r.get(0)?,
            file: r.get(1)?,
            main: r.get(2)?,
            stored: r.get(3)?,
            in_place: r.get::<_, Storage>(4)?.in_place(),
            flag: r.get(5)?,
            size: r.get::<_, i64>(6)?.max(0) as u64,
            hash: r.get(7)?,
            seen: r.get(8)?,
            name: r.get(9)?,
        })
    };
    match scope {
        CheckScope::Only(ids) => {
            let ids = serde_json::to_string(&ids.iter().map(|a| a.0).collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into());
            conn.prepare_cached(&format!(
                "{FILE_ROWS} AND a.id IN (SELECT value FROM json_each(?2))"
            ))?
            .query_map(params![AssetState::Active, ids], row)?
            .collect()
        }
        CheckScope::Ids { after, last } => conn
            .prepare_cached(&format!("{FILE_ROWS} AND a.id > ?2 AND a.id <= ?3"))?
            .query_map(
                params![AssetState::Active, after.map_or(0, |a| a.0), last],
                row,
            )?
            .collect(),
    }
}

/// Records that a file was seen holding its recorded content, with this fingerprint.
pub fn set_seen(conn: &Connection, file: i64, print: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE files SET seen = ?2 WHERE id = ?1")?
        .execute(params![file, print])?;
    Ok(())
}

/// An asset's picture is new (its main file changed): its hash and size as read now; what
/// the new file does not say (a date, a camera) is kept.
pub fn new_picture(
    conn: &Connection,
    asset: AssetId,
    hash: &str,
    meta: &crate::media::probe::Meta,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE assets SET hash = ?2, width = ?3, height = ?4,
            captured_at = coalesce(?5, captured_at), camera = coalesce(?6, camera),
            duration_ms = coalesce(?7, duration_ms)
         WHERE id = ?1",
    )?
    .execute(params![
        asset,
        hash,
        meta.width,
        meta.height,
        meta.captured_at,
        meta.camera,
        meta.duration_ms
    ])?;
    Ok(())
}

/// An image's width, height, capture time and camera as recorded.
pub type ImageFacts = (Option<u32>, Option<u32>, Option<i64>, Option<String>);

/// What is recorded of every image.
pub fn image_facts(
    conn: &Connection,
) -> rusqlite::Result<std::collections::HashMap<AssetId, ImageFacts>> {
    conn.prepare("SELECT id, width, height, captured_at, camera FROM assets WHERE kind = 'image'")?
        .query_map([], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        })?
        .collect()
}

/// Records an image's width, height, capture time and camera.
pub fn set_image_facts(conn: &Connection, id: AssetId, f: &ImageFacts) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE assets SET width = ?2, height = ?3, captured_at = ?4, camera = ?5 WHERE id = ?1",
    )?
    .execute(params![id, f.0, f.1, f.2, f.3])?;
    Ok(())
}

/// Every image's recorded width and height (those that have both).
pub fn image_sizes(
    conn: &Connection,
) -> rusqlite::Result<std::collections::HashMap<AssetId, (u32, u32)>> {
    conn.prepare(
        "SELECT id, width, height FROM assets
         WHERE kind = 'image' AND width IS NOT NULL AND height IS NOT NULL",
    )?
    .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
    .collect()
}

/// Records an image's width and height.
pub fn set_image_size(conn: &Connection, id: AssetId, (w, h): (u32, u32)) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE assets SET width = ?2, height = ?3 WHERE id = ?1")?
        .execute(params![id, w, h])?;
    Ok(())
}

/// A file's place in a trash area (its area and name there), with where it lives now.
#[derive(Debug, Clone, Copy)]
pub struct TrashPlace<'a> {
    pub file: i64,
    pub root: i64,
    pub name: &'a str,
    pub dev: Option<i64>,
    pub ino: Option<i64>,
}

pub(crate) const PLACE_IN_TRASH: &str = "UPDATE files SET trash_root_id = ?2, trash_name = ?3,
        dev = ?4, ino = ?5
    WHERE id = ?1";

/// Records each file's place in a trash area: one statement run per file (a file's row
/// has no trigger, so a run costs less than reading the same facts from a list; see
/// `store::set_wise` for the records that have).
pub fn place_in_trash(conn: &Connection, places: &[TrashPlace<'_>]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(PLACE_IN_TRASH)?;
    for p in places {
        stmt.execute(params![p.file, p.root, p.name, p.dev, p.ino])?;
    }
    Ok(())
}

/// The id of the trash area at `path` (as stored), recorded if it was not.
pub fn trash_root(conn: &Connection, path: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached("INSERT OR IGNORE INTO trash_roots(path) VALUES (?1)")?
        .execute([path])?;
    conn.prepare_cached("SELECT id FROM trash_roots WHERE path = ?1")?
        .query_row([path], |r| r.get(0))
}

/// Records where a file lives while its asset is active (as stored: relative to the
/// library for a copied file, absolute for one kept in place).
pub fn set_path(conn: &Connection, file: i64, stored: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE files SET path = ?2 WHERE id = ?1")?
        .execute(params![file, stored])?;
    Ok(())
}
