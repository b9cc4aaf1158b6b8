//! Listings read row by row, in an order an index gives, so the first row comes at once and
//! memory does not grow with the library.

use rusqlite::Connection;

use super::culling::Culling;
use super::{AssetId, CollectionId, Storage};

/// One active asset as listed: its record and its files.
#[derive(Debug, Clone)]
pub struct AssetListing {
    pub id: AssetId,
    pub name: String,
    pub kind: String,
    pub collection_id: Option<CollectionId>,
    pub size: i64,
    pub in_place: bool,
    pub imported_at: i64,
    pub captured_at: Option<i64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub camera: Option<String>,
    /// The `missing` flag as last recorded (0 present, 1 missing, 2 offline).
    pub missing: i64,
    pub hash: String,
    pub duration_ms: Option<i64>,
    /// The main file's stored path and size.
    pub main_path: String,
    pub main_size: i64,
    /// The companions' stored paths and sizes.
    pub companions: Vec<(String, i64)>,
    /// What the user gave it.
    pub culling: Culling,
}

/// The columns a listing reads of an asset `a`, in the order [`listing_from_row`] decodes.
pub(super) const LISTING_COLUMNS: &str = concat!(
    "a.id, a.name, a.kind, a.collection_id, a.size,
    a.storage, a.imported_at, a.captured_at, a.width, a.height, a.camera,
    a.missing, a.hash, a.duration_ms,
    (SELECT json_group_array(json_array(f.role = 'main', f.path, f.size))
       FROM files f WHERE f.asset_id = a.id), ",
    culling_columns!()
);

/// Every active asset, by collection and then name (ignoring case), handed to `each` one
/// by one; `each` returns false to stop. Read in the order of the index of live names (its
/// condition written out, so the planner may take it; the rows moving in or out of the
/// Trash that it also holds are left out by their state).
pub fn each_active_asset(
    conn: &Connection,
    each: &mut dyn FnMut(AssetListing) -> bool,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {LISTING_COLUMNS}
         FROM assets a INDEXED BY assets_live_name
         WHERE a.state <> 'trashed' AND a.state <> 'purging' AND a.state = 'active'
         ORDER BY ifnull(a.collection_id, 0), a.name_key"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if !each(listing_from_row(r)?) {
            break;
        }
    }
    Ok(())
}

/// One row of [`LISTING_COLUMNS`], decoded.
pub(super) fn listing_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AssetListing> {
    let files: String = r.get(14)?;
    let files: Vec<(u8, String, i64)> = serde_json::from_str(&files).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(14, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let (mut main_path, mut main_size) = (String::new(), 0);
    let mut companions = Vec::new();
    for (main, path, size) in files {
        if main == 1 {
            (main_path, main_size) = (path, size);
        } else {
            companions.push((path, size));
        }
    }
    Ok(AssetListing {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        collection_id: r.get(3)?,
        size: r.get(4)?,
        in_place: r.get::<_, Storage>(5)?.in_place(),
        imported_at: r.get(6)?,
        captured_at: r.get(7)?,
        width: r.get(8)?,
        height: r.get(9)?,
        camera: r.get(10)?,
        missing: r.get(11)?,
        hash: r.get(12)?,
        duration_ms: r.get(13)?,
        main_path,
        main_size,
        companions,
        culling: culling_from_row(r, 15)?,
    })
}

/// What the user gave an asset, from the four columns at `at` of [`CULLING_COLUMNS`].
pub(crate) fn culling_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Culling> {
    let keywords: String = r.get(at + 3)?;
    let mut keywords: Vec<String> = serde_json::from_str(&keywords).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(at + 3, rusqlite::types::Type::Text, Box::new(e))
    })?;
    keywords.sort_by_key(|k| k.to_lowercase());
    Ok(Culling {
        rating: r.get(at)?,
        flag: r.get(at + 1)?,
        label: r.get(at + 2)?,
        keywords,
    })
}

/// What the user gave an asset `a`: rating, flag, label and its keywords' paths as a JSON
/// array, in the order [`culling_from_row`] decodes.
macro_rules! culling_columns {
    () => {
        "a.rating, a.flag, a.label,
        (SELECT json_group_array(k.path) FROM asset_keywords ak
           JOIN keywords k ON k.id = ak.keyword_id WHERE ak.asset_id = a.id)"
    };
}
pub(crate) use culling_columns;
