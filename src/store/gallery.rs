//! The Gallery's listing, read from indexes: the ids of what a view shows, in its order and
//! streamed from the first (an index on each sort key gives the order, so nothing is sorted
//! in memory and nothing is skipped with OFFSET); the records of the rows on screen, by id;
//! and the counts the collection tree shows. A search finds names through a trigram index
//! (any part of a name of three characters or more), shorter ones by a scan.

use rusqlite::{Connection, params_from_iter, types::Value};

use super::listings::{AssetListing, LISTING_COLUMNS, listing_from_row};
use super::{AssetId, CollectionId};

/// What the Gallery orders by. Ties go by name (ignoring case), then by id, so the order
/// is total and the same every time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The capture date, else the import date.
    Date,
    Name,
    Size,
    /// Images, videos, audio, other files.
    Kind,
}

impl Order {
    /// Its index (see migration 12).
    fn index(self) -> &'static str {
        match self {
            Order::Date => "assets_by_date",
            Order::Name => "assets_by_name",
            Order::Size => "assets_by_size",
            Order::Kind => "assets_by_kind",
        }
    }

    /// The expression its index is on (see migration 12); the query must say it the same
    /// way for SQLite to use that index.
    fn key(self) -> &'static str {
        match self {
            Order::Date => "ifnull(a.captured_at, a.imported_at)",
            Order::Name => "a.name_key",
            Order::Size => "a.size",
            Order::Kind => {
                "CASE a.kind WHEN 'image' THEN 0 WHEN 'video' THEN 1 WHEN 'audio' THEN 2 ELSE 3 END"
            }
        }
    }
}

/// One view of the Gallery: which assets, in which order.
#[derive(Debug, Clone, Copy)]
pub struct GalleryView<'a> {
    /// Only the assets directly in this collection; `None`: every asset.
    pub collection: Option<CollectionId>,
    /// Part of the name (any case); empty: every name.
    pub search: &'a str,
    pub order: Order,
    pub descending: bool,
}

/// Shorter searches than this are answered by a scan: the name index holds three-character
/// pieces of names.
const INDEXED_SEARCH_CHARS: usize = 3;

/// The ids and sizes of the assets `view` shows, in its order, handed to `each` as they are
/// read (the first at once: an index gives the order); `each` returns false to stop.
pub fn each_gallery_id(
    conn: &Connection,
    view: &GalleryView<'_>,
    each: &mut dyn FnMut(AssetId, u64) -> bool,
) -> rusqlite::Result<()> {
    let needle = view.search.to_lowercase();
    let mut filters = vec!["a.state = 'active'".to_string()];
    let mut args: Vec<Value> = Vec::new();
    let mut from = "assets a".to_string();
    if let Some(c) = view.collection {
        args.push(Value::Integer(c.0));
        filters.push(format!("a.collection_id = ?{}", args.len()));
    }
    if needle.chars().count() >= INDEXED_SEARCH_CHARS {
        // A phrase of the trigram index: the name holds the needle.
        args.push(Value::Text(format!("\"{}\"", needle.replace('"', "\"\""))));
        from = format!(
            "assets_names n JOIN assets a ON a.id = n.rowid AND n.assets_names MATCH ?{}",
            args.len()
        );
    } else if !needle.is_empty() {
        args.push(Value::Text(needle));
        filters.push(format!("instr(a.name_key, ?{}) > 0", args.len()));
    }
    if view.collection.is_none() && from == "assets a" {
        // The whole library, in the sort index's order: its first rows come at once
        // (SQLite would otherwise pick the state index and sort every row, a short search
        // of a million names taking a quarter of a second before its first row).
        from = format!("assets a INDEXED BY {}", view.order.index());
    }
    let dir = if view.descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT a.id, a.size FROM {from} WHERE {} ORDER BY {key} {dir}, a.name_key {dir}, a.id {dir}",
        filters.join(" AND "),
        key = view.order.key(),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        let size: i64 = r.get(1)?;
        if !each(r.get(0)?, size.max(0) as u64) {
            break;
        }
    }
    Ok(())
}

/// The records of the active assets among `ids`, in the order of `ids` (an id that is no
/// longer active is left out).
pub fn active_assets_by_id(
    conn: &Connection,
    ids: &[AssetId],
) -> rusqlite::Result<Vec<AssetListing>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LISTING_COLUMNS} FROM assets a WHERE a.id = ?1 AND a.state = 'active'"
    ))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let mut rows = stmt.query([id])?;
        if let Some(r) = rows.next()? {
            out.push(listing_from_row(r)?);
        }
    }
    Ok(out)
}

/// Up to `limit` active pictures and videos with an id above `after`, by id (a keyset page:
/// the next page starts after the last id, and what is imported later comes last). Read in
/// the table's own order from `after` on: by the state index SQLite would sort every active
/// asset first (a second at a million).
pub fn active_pictures_after(
    conn: &Connection,
    after: AssetId,
    limit: usize,
) -> rusqlite::Result<Vec<AssetListing>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LISTING_COLUMNS} FROM assets a NOT INDEXED
         WHERE a.id > ?1 AND a.state = 'active' AND a.kind IN ('image', 'video')
         ORDER BY a.id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(rusqlite::params![after, limit as i64], listing_from_row)?;
    rows.collect()
}

/// The stored paths of up to `limit` files of the active assets imported in place, after
/// the file id `after`, by id (a keyset page); returns the last id read (`None`: no more).
/// (`+a.state`: the index on state would have SQLite read every active asset, and sort
/// their files, for each page.)
pub fn in_place_files_after(
    conn: &Connection,
    after: i64,
    limit: usize,
    each: &mut dyn FnMut(&str),
) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, f.path FROM files f JOIN assets a ON a.id = f.asset_id
         WHERE f.id > ?1 AND +a.state = 'active' AND a.storage = 'in_place'
         ORDER BY f.id LIMIT ?2",
    )?;
    let mut rows = stmt.query(rusqlite::params![after, limit as i64])?;
    let mut last = None;
    while let Some(r) = rows.next()? {
        last = Some(r.get(0)?);
        each(r.get_ref(1)?.as_str()?);
    }
    Ok(last)
}
