//! Inserting records. Every insert of an asset, collection or batch goes through here so
//! that each gets a fresh id that was never given before.

use rusqlite::{Connection, params};

use super::{AssetState, IdTable, take_id};

/// A batch: one user action that moved things to the Trash.
pub fn insert_batch_tx(
    conn: &Connection,
    created_at: i64,
    deleted_by: &str,
    label: &str,
) -> rusqlite::Result<i64> {
    let id = take_id(conn, IdTable::Batches)?;
    conn.execute(
        "INSERT INTO batches(id, created_at, deleted_by, label) VALUES (?1, ?2, ?3, ?4)",
        params![id, created_at, deleted_by, label],
    )?;
    Ok(id)
}

/// A new active collection.
pub fn insert_collection_tx(
    conn: &Connection,
    parent: Option<i64>,
    name: &str,
    name_key: &str,
    created_at: i64,
) -> rusqlite::Result<i64> {
    let id = take_id(conn, IdTable::Collections)?;
    conn.execute(
        "INSERT INTO collections(id, parent_id, name, name_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, parent, name, name_key, created_at],
    )?;
    Ok(id)
}

/// An asset's record as first written.
#[derive(Debug, Clone, Default)]
pub struct NewAsset<'a> {
    pub collection_id: Option<i64>,
    pub name: &'a str,
    pub name_key: &'a str,
    pub kind: &'a str,
    pub in_place: bool,
    pub size: i64,
    pub hash: &'a str,
    pub imported_at: i64,
    pub captured_at: Option<i64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub camera: Option<&'a str>,
    pub duration_ms: Option<i64>,
    /// For an asset born in the Trash (a file adopted from a trash area).
    pub trashed: Option<TrashedAt<'a>>,
}

/// When and by whom an asset born in the Trash was deleted.
#[derive(Debug, Clone, Copy)]
pub struct TrashedAt<'a> {
    pub deleted_at: i64,
    pub deleted_by: &'a str,
    pub batch_id: i64,
}

/// A file of an asset as first written.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    pub role: &'a str,
    pub path: &'a str,
    pub size: i64,
    pub hash: &'a str,
    pub dev: Option<i64>,
    pub ino: Option<i64>,
    pub trash_root_id: Option<i64>,
    pub trash_name: Option<&'a str>,
}

/// Inserts an asset with its files; returns its new id.
pub fn insert_asset_tx(
    conn: &Connection,
    asset: &NewAsset<'_>,
    files: &[NewFile<'_>],
) -> rusqlite::Result<i64> {
    let id = take_id(conn, IdTable::Assets)?;
    let state = if asset.trashed.is_some() {
        AssetState::Trashed
    } else {
        AssetState::Active
    };
    let mut stmt = conn.prepare_cached(
        "INSERT INTO assets(id, collection_id, name, name_key, kind, storage, size, hash,
            imported_at, captured_at, width, height, camera, duration_ms, state,
            deleted_at, deleted_by, batch_id, orig_location)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?;
    stmt.execute(params![
        id,
        asset.collection_id,
        asset.name,
        asset.name_key,
        asset.kind,
        if asset.in_place { "in_place" } else { "copy" },
        asset.size,
        asset.hash,
        asset.imported_at,
        asset.captured_at,
        asset.width,
        asset.height,
        asset.camera,
        asset.duration_ms,
        state,
        asset.trashed.map(|t| t.deleted_at),
        asset.trashed.map(|t| t.deleted_by),
        asset.trashed.map(|t| t.batch_id),
        asset.trashed.map(|_| ""),
    ])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO files(asset_id, role, path, size, hash, dev, ino, trash_root_id, trash_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for f in files {
        stmt.execute(params![
            id,
            f.role,
            f.path,
            f.size,
            f.hash,
            f.dev,
            f.ino,
            f.trash_root_id,
            f.trash_name
        ])?;
    }
    Ok(id)
}
