//! Inserting records. Every insert of an asset, collection or batch goes through here so
//! that each gets a fresh id that was never given before.

use rusqlite::{Connection, ToSql, params, params_from_iter};

use super::{AssetId, AssetState, BatchId, CollectionId, IdTable, Storage, take_id, take_ids};

/// A batch: one user action that moved things to the Trash.
pub fn insert_batch_tx(
    conn: &Connection,
    created_at: i64,
    deleted_by: &str,
    label: &str,
) -> rusqlite::Result<BatchId> {
    let id = BatchId(take_id(conn, IdTable::Batches)?);
    conn.execute(
        "INSERT INTO batches(id, created_at, deleted_by, label) VALUES (?1, ?2, ?3, ?4)",
        params![id, created_at, deleted_by, label],
    )?;
    Ok(id)
}

/// A new active collection.
pub fn insert_collection_tx(
    conn: &Connection,
    parent: Option<CollectionId>,
    name: &str,
    name_key: &str,
    created_at: i64,
) -> rusqlite::Result<CollectionId> {
    let id = CollectionId(take_id(conn, IdTable::Collections)?);
    conn.execute(
        "INSERT INTO collections(id, parent_id, name, name_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, parent, name, name_key, created_at],
    )?;
    Ok(id)
}

/// An asset's record as first written.
#[derive(Debug, Clone, Default)]
pub struct NewAsset<'a> {
    pub collection_id: Option<CollectionId>,
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
    pub batch_id: BatchId,
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
) -> rusqlite::Result<AssetId> {
    let ids = insert_assets_tx(conn, &[(asset.clone(), files.to_vec())])?;
    Ok(ids[0])
}

/// Rows per INSERT statement: one statement for many rows costs far less than one per row
/// (and stays well under SQLite's limit on parameters).
const ROWS: usize = 512;

/// Inserts many assets with their files, many rows per statement; returns their new ids,
/// in order.
pub fn insert_assets_tx(
    conn: &Connection,
    assets: &[(NewAsset<'_>, Vec<NewFile<'_>>)],
) -> rusqlite::Result<Vec<AssetId>> {
    if assets.is_empty() {
        return Ok(Vec::new());
    }
    let first = take_ids(conn, IdTable::Assets, assets.len())?;
    let ids: Vec<AssetId> = (first..first + assets.len() as i64).map(AssetId).collect();
    // The ids follow the order given; the rows go in by name. Most of the assets' indexes
    // lead with the name, and rows arriving in its order land next to each other in them
    // instead of all over (a fifth less time per row for folders whose names interleave).
    let mut order: Vec<usize> = (0..assets.len()).collect();
    order.sort_by(|&x, &y| assets[x].0.name_key.cmp(assets[y].0.name_key));
    for chunk in order.chunks(ROWS) {
        let derived: Vec<Derived<'_>> = chunk.iter().map(|&i| Derived::of(&assets[i].0)).collect();
        let mut values: Vec<&dyn ToSql> = Vec::with_capacity(chunk.len() * 19);
        for (&i, d) in chunk.iter().zip(&derived) {
            let (id, a) = (&ids[i], &assets[i].0);
            values.extend_from_slice(&[
                id,
                &a.collection_id,
                &a.name,
                &a.name_key,
                &a.kind,
                &d.storage,
                &a.size,
                &a.hash,
                &a.imported_at,
                &a.captured_at,
                &a.width,
                &a.height,
                &a.camera,
                &a.duration_ms,
                &d.state,
                &d.deleted_at,
                &d.deleted_by,
                &d.batch_id,
                &d.orig_location,
            ]);
        }
        conn.prepare_cached(&format!(
            "INSERT INTO assets(id, collection_id, name, name_key, kind, storage, size, hash,
                imported_at, captured_at, width, height, camera, duration_ms, state,
                deleted_at, deleted_by, batch_id, orig_location) VALUES {}",
            placeholders(chunk.len(), 19)
        ))?
        .execute(params_from_iter(values))?;
    }
    // Their names, searchable: all in one statement (see migration 20). The ids are one run.
    conn.prepare_cached(
        "INSERT INTO assets_names(rowid, name_key)
         SELECT id, name_key FROM assets WHERE id BETWEEN ?1 AND ?2",
    )?
    .execute([first, first + assets.len() as i64 - 1])?;
    // Counted, and the version moved on, once for them all (see migration 22).
    conn.prepare_cached(
        "INSERT INTO asset_tallies
         SELECT ifnull(collection_id, 0), state, missing, count(*), sum(size) FROM assets
         WHERE id BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3
         ON CONFLICT DO UPDATE SET items = items + excluded.items,
                                   bytes = bytes + excluded.bytes",
    )?
    .execute([first, first + assets.len() as i64 - 1])?;
    conn.prepare_cached("UPDATE assets_version SET version = version + 1 WHERE id = 0")?
        .execute([])?;
    let files: Vec<(AssetId, &NewFile<'_>)> = ids
        .iter()
        .zip(assets)
        .flat_map(|(id, (_, files))| files.iter().map(move |f| (*id, f)))
        .collect();
    for rows in files.chunks(ROWS) {
        let mut values: Vec<&dyn ToSql> = Vec::with_capacity(rows.len() * 9);
        for (id, f) in rows {
            values.extend_from_slice(&[
                id,
                &f.role,
                &f.path,
                &f.size,
                &f.hash,
                &f.dev,
                &f.ino,
                &f.trash_root_id,
                &f.trash_name,
            ]);
        }
        conn.prepare_cached(&format!(
            "INSERT INTO files(asset_id, role, path, size, hash, dev, ino, trash_root_id, trash_name)
             VALUES {}",
            placeholders(rows.len(), 9)
        ))?
        .execute(params_from_iter(values))?;
    }
    Ok(ids)
}

/// The columns of an asset's row that follow from what it is.
struct Derived<'a> {
    storage: Storage,
    state: AssetState,
    deleted_at: Option<i64>,
    deleted_by: Option<&'a str>,
    batch_id: Option<BatchId>,
    orig_location: Option<&'static str>,
}

impl<'a> Derived<'a> {
    fn of(a: &NewAsset<'a>) -> Derived<'a> {
        Derived {
            storage: Storage::of(a.in_place),
            state: if a.trashed.is_some() {
                AssetState::Trashed
            } else {
                AssetState::Active
            },
            deleted_at: a.trashed.map(|t| t.deleted_at),
            deleted_by: a.trashed.map(|t| t.deleted_by),
            batch_id: a.trashed.map(|t| t.batch_id),
            orig_location: a.trashed.map(|_| ""),
        }
    }
}

/// `(?, ?, …), (?, ?, …), …`: `rows` groups of `columns` parameters.
fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// Forgets a batch that took nothing to the Trash.
pub fn delete_batch(conn: &Connection, batch: BatchId) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM batches WHERE id = ?1")?
        .execute([batch])?;
    Ok(())
}
