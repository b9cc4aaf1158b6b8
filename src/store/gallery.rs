//! The Gallery's listing, read from indexes: the ids of what a view shows, in its order and
//! streamed from the first (an index on each sort key gives the order, so nothing is sorted
//! in memory and nothing is skipped with OFFSET); the records of the rows on screen, by id;
//! and the counts the collection tree shows. A search finds names through a trigram index
//! (any part of a name of three characters or more), shorter ones by a scan.

use rusqlite::{Connection, OptionalExtension, params_from_iter, types::Value};

use super::culling::{Flag, Label};

use super::listings::{AssetListing, LISTING_COLUMNS, listing_from_row};
use super::{AssetId, CollectionId};

/// What the Gallery orders by. Ties go by name (ignoring case), then by id, so the order
/// is total and the same every time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The capture date, else the import date.
    Date,
    /// The import date.
    Imported,
    /// The stars.
    Rating,
    /// Rejects, then neither, then picks.
    Flag,
    /// No label, then red, yellow, green, blue, purple.
    Label,
    Name,
    Size,
    /// Images, videos, audio, other files.
    Kind,
}

/// A part of a view's order read through one index. The indexes of the rating, the flag,
/// the label and the kind hold only the items off the usual value (migration 24: a new
/// item takes no entry in them); the items with it are read through the name index, which
/// holds those four values, so it is read alone.
#[derive(Debug, Clone, Copy)]
struct Segment {
    /// `None`: the one part of a view SQLite reads as it chooses.
    index: Option<&'static str>,
    /// What its items pass, written as its index's condition says it (for SQLite to read
    /// that index); `None`: every item.
    condition: Option<&'static str>,
    /// Whether it is ordered by the order's key first (else it holds one value of the
    /// key, or the key is the name, and it is ordered by name).
    keyed: bool,
}

impl Segment {
    fn any() -> Segment {
        Segment {
            index: None,
            condition: None,
            keyed: true,
        }
    }

    fn own(index: &'static str) -> Segment {
        Segment {
            index: Some(index),
            condition: None,
            keyed: true,
        }
    }

    fn usual(condition: &'static str) -> Segment {
        Segment {
            index: Some("assets_by_name"),
            condition: Some(condition),
            keyed: false,
        }
    }

    fn others(index: &'static str, condition: &'static str) -> Segment {
        Segment {
            index: Some(index),
            condition: Some(condition),
            keyed: true,
        }
    }
}

impl Order {
    /// The parts of its order, in ascending order, each read through an index (see
    /// migrations 12, 15, 17 and 24).
    fn segments(self) -> Vec<Segment> {
        match self {
            Order::Date => vec![Segment::own("assets_by_date")],
            Order::Imported => vec![Segment::own("assets_by_import")],
            // The key is the name: said once.
            Order::Name => vec![Segment {
                keyed: false,
                ..Segment::own("assets_by_name")
            }],
            Order::Size => vec![Segment::own("assets_by_size")],
            Order::Rating => vec![
                Segment::usual("a.rating = 0"),
                Segment::others("assets_by_rating", "a.rating <> 0"),
            ],
            // Rejects (-1), neither (0, the usual), picks (1).
            Order::Flag => vec![
                Segment::others("assets_by_flag", "a.flag <> 0 AND a.flag < 0"),
                Segment::usual("a.flag = 0"),
                Segment::others("assets_by_flag", "a.flag <> 0 AND a.flag > 0"),
            ],
            Order::Label => vec![
                Segment::usual("a.label IS NULL"),
                Segment::others("assets_by_label", "a.label IS NOT NULL"),
            ],
            Order::Kind => vec![
                Segment::usual("a.kind = 'image'"),
                Segment::others("assets_by_kind", "a.kind <> 'image'"),
            ],
        }
    }

    /// The expression its index is on (see migrations 12, 15 and 17); the query must say it the same
    /// way for SQLite to use that index.
    fn key(self) -> &'static str {
        match self {
            Order::Date => "ifnull(a.captured_at, a.imported_at)",
            Order::Imported => "a.imported_at",
            Order::Rating => "a.rating",
            Order::Flag => "a.flag",
            Order::Label => {
                "CASE a.label WHEN 'red' THEN 1 WHEN 'yellow' THEN 2 WHEN 'green' THEN 3 \
                 WHEN 'blue' THEN 4 WHEN 'purple' THEN 5 ELSE 0 END"
            }
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
    /// What each asset shown must pass (all of them).
    pub filter: &'a [Filter],
    pub order: Order,
    pub descending: bool,
    /// Each id comes with the date a view by date orders it by (to group it).
    pub dated: bool,
}

/// One test of a view's filter, in the store's terms (the library makes them from what
/// the user typed: see `library::search`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// The name holds this text (lowercase).
    NameHas(String),
    /// The camera is one of these (as stored).
    Cameras(Vec<String>),
    /// Directly in one of these collections.
    InCollections(Vec<CollectionId>),
    /// Carries one of these keywords (by id).
    Keywords(Vec<i64>),
    Rating(Compare, u8),
    Flag(Flag),
    Label(Option<Label>),
    /// Of this type ("photo", "raw", "video", "audio", "document", "other"; see
    /// migration 15).
    FileType(&'static str),
    /// Taken in `[from, until)`.
    Taken {
        from: i64,
        until: i64,
    },
    AnyOf(Vec<Filter>),
    AllOf(Vec<Filter>),
    Not(Box<Filter>),
}

/// How a rating compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Less,
    AtMost,
    Equal,
    AtLeast,
    More,
}

impl Filter {
    /// Its SQL condition on the asset `a`, its values added to `args`.
    fn sql(&self, args: &mut Vec<Value>) -> String {
        let mut arg = |v: Value| {
            args.push(v);
            format!("?{}", args.len())
        };
        match self {
            Filter::NameHas(text) if text.chars().count() >= INDEXED_SEARCH_CHARS => {
                let phrase = arg(Value::Text(fts_phrase(text)));
                format!(
                    "a.id IN (SELECT rowid FROM assets_names WHERE assets_names MATCH {phrase})"
                )
            }
            Filter::NameHas(text) => format!("instr(a.name_key, {}) > 0", arg(text.clone().into())),
            Filter::Cameras(cams) => format!(
                "a.camera IN (SELECT value FROM json_each({}))",
                arg(Value::Text(super::json_list(
                    cams.iter().map(|c| serde_json::Value::from(c.as_str()))
                )))
            ),
            Filter::InCollections(ids) => format!(
                "a.collection_id IN (SELECT value FROM json_each({}))",
                arg(Value::Text(super::json_list(
                    ids.iter().map(|c| serde_json::Value::from(c.0))
                )))
            ),
            Filter::Keywords(ids) => format!(
                "EXISTS (SELECT 1 FROM asset_keywords ak WHERE ak.asset_id = a.id
                   AND ak.keyword_id IN (SELECT value FROM json_each({})))",
                arg(Value::Text(super::json_list(
                    ids.iter().map(|&k| serde_json::Value::from(k))
                )))
            ),
            Filter::Rating(cmp, r) => {
                let op = match cmp {
                    Compare::Less => "<",
                    Compare::AtMost => "<=",
                    Compare::Equal => "=",
                    Compare::AtLeast => ">=",
                    Compare::More => ">",
                };
                format!("a.rating {op} {}", arg(Value::Integer(i64::from(*r))))
            }
            // Written out (a flag is one of three numbers): the index of picks, and that of
            // rejects, are for a condition SQLite can read as theirs.
            Filter::Flag(f) => format!("a.flag = {}", f.code()),
            Filter::Label(None) => "a.label IS NULL".to_string(),
            Filter::Label(Some(l)) => format!("a.label = {}", arg(Value::Text(l.name().into()))),
            Filter::FileType(t) => format!("a.file_type = {}", arg(Value::Text((*t).into()))),
            Filter::Taken { from, until } => format!(
                "(a.captured_at >= {} AND a.captured_at < {})",
                arg(Value::Integer(*from)),
                arg(Value::Integer(*until))
            ),
            Filter::AnyOf(any) if any.is_empty() => "0".to_string(),
            Filter::AnyOf(any) => {
                let each: Vec<String> = any.iter().map(|f| f.sql(args)).collect();
                format!("({})", each.join(" OR "))
            }
            Filter::AllOf(all) if all.is_empty() => "1".to_string(),
            Filter::AllOf(all) => {
                let each: Vec<String> = all.iter().map(|f| f.sql(args)).collect();
                format!("({})", each.join(" AND "))
            }
            Filter::Not(f) => format!("NOT ifnull({}, 0)", f.sql(args)),
        }
    }
}

/// Fewer matches than this, of a term with an index of its own, are read through that index
/// and sorted; more are found reading the sort index (its first rows come at once).
const FEW: i64 = 5_000;

impl Filter {
    /// The index of its own a term can be read through.
    fn own_index(&self) -> Option<&'static str> {
        match self {
            Filter::FileType(_) => Some("assets_by_type"),
            Filter::Label(Some(_)) => Some("assets_labelled"),
            Filter::Flag(Flag::Pick) => Some("assets_picked"),
            Filter::Flag(Flag::Reject) => Some("assets_rejected"),
            _ => None,
        }
    }
}

/// The index of its own of a term of `filter` that few active assets match, if one does:
/// the matches are then read through it (a rare label, a type the library hardly holds),
/// not by reading the whole library in order until they are found.
fn narrow_index(conn: &Connection, filter: &[Filter]) -> rusqlite::Result<Option<&'static str>> {
    for f in filter {
        let Some(index) = f.own_index() else {
            continue;
        };
        let mut args = Vec::new();
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM assets a INDEXED BY {index}
             WHERE a.state = 'active' AND {} LIMIT {FEW})",
            f.sql(&mut args)
        );
        let n: i64 = conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args), |r| r.get(0))?;
        if n < FEW {
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// Text as one phrase of the trigram index.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Shorter searches than this are answered by a scan: the name index holds three-character
/// pieces of names.
const INDEXED_SEARCH_CHARS: usize = 3;

/// The ids and sizes of the assets `view` shows, in its order, handed to `each` as they are
/// read (the first at once: an index gives the order), with the date a view by date orders
/// each by; `each` returns false to stop.
pub fn each_gallery_id(
    conn: &Connection,
    view: &GalleryView<'_>,
    each: &mut dyn FnMut(AssetId, u64, Option<i64>) -> bool,
) -> rusqlite::Result<()> {
    let (statements, args) = gallery_statements(conn, view)?;
    for sql in statements {
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(&args))?;
        while let Some(r) = rows.next()? {
            let size: i64 = r.get(1)?;
            if !each(r.get(0)?, size.max(0) as u64, r.get(2)?) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The statements that read what `view` shows, one after the other (each the id, the size
/// and the date of its rows, in order), and the values bound to each.
fn gallery_statements(
    conn: &Connection,
    view: &GalleryView<'_>,
) -> rusqlite::Result<(Vec<String>, Vec<Value>)> {
    let mut filters = vec!["a.state = 'active'".to_string()];
    let mut args: Vec<Value> = Vec::new();
    let mut from = "assets a".to_string();
    if let Some(c) = view.collection {
        args.push(Value::Integer(c.0));
        filters.push(format!("a.collection_id = ?{}", args.len()));
    }
    for (i, f) in view.filter.iter().enumerate() {
        match f {
            // The first part of a name of three characters or more: the trigram index finds
            // the names that hold it, the rest are tested on those.
            Filter::NameHas(text) if i == 0 && text.chars().count() >= INDEXED_SEARCH_CHARS => {
                args.push(Value::Text(fts_phrase(text)));
                from = format!(
                    "assets_names n JOIN assets a ON a.id = n.rowid AND n.assets_names MATCH ?{}",
                    args.len()
                );
            }
            f => filters.push(f.sql(&mut args)),
        }
    }
    // The parts read one after the other: one, read as SQLite chooses, unless the view is
    // of the whole library.
    let mut parts = vec![Segment::any()];
    if view.collection.is_none() && from == "assets a" {
        // The whole library, in the sort indexes' order: its first rows come at once
        // (SQLite would otherwise pick the state index and sort every row, a short search
        // of a million names taking a quarter of a second before its first row). Unless
        // a term few items match has an index: its matches, read through it, are sorted.
        parts = match narrow_index(conn, view.filter)? {
            Some(index) => vec![Segment::own(index)],
            None => view.order.segments(),
        };
        if view.descending {
            parts.reverse();
        }
    }
    let dir = if view.descending { "DESC" } else { "ASC" };
    // The date each is ordered by, for a view by date (its index holds it); else none.
    let date = match view.order {
        Order::Date | Order::Imported if view.dated => view.order.key(),
        _ => "NULL",
    };
    let statements = parts
        .into_iter()
        .map(|part| {
            let mut all = filters.clone();
            all.extend(part.condition.map(str::to_string));
            let from = match part.index {
                Some(index) => format!("assets a INDEXED BY {index}"),
                None => from.clone(),
            };
            // A part holding one value of the key is in name order (ordered by the key
            // too, SQLite would sort it: it cannot tell an expression's value is the same).
            let key = if part.keyed {
                format!("{} {dir}, ", view.order.key())
            } else {
                String::new()
            };
            format!(
                "SELECT a.id, a.size, {date} FROM {from} WHERE {} \
                 ORDER BY {key}a.name_key {dir}, a.id {dir}",
                all.join(" AND "),
            )
        })
        .collect();
    Ok((statements, args))
}

/// The rejects among the assets `view` shows, by id (read through the index of rejects: as
/// many rows as there are rejects, whatever the library's size).
pub fn rejected_in_view(
    conn: &Connection,
    view: &GalleryView<'_>,
) -> rusqlite::Result<Vec<AssetId>> {
    let mut args: Vec<Value> = Vec::new();
    let mut filters = vec!["a.flag = -1 AND a.state = 'active'".to_string()];
    if let Some(c) = view.collection {
        args.push(Value::Integer(c.0));
        filters.push(format!("a.collection_id = ?{}", args.len()));
    }
    for f in view.filter {
        filters.push(f.sql(&mut args));
    }
    let sql = format!(
        "SELECT a.id FROM assets a INDEXED BY assets_rejected WHERE {} ORDER BY a.id",
        filters.join(" AND ")
    );
    conn.prepare_cached(&sql)?
        .query_map(params_from_iter(args), |r| r.get(0))?
        .collect()
}

/// The cameras the active assets were taken with, each once, in order: read by seeking
/// from one to the next in the index of cameras (a few reads per camera, however many
/// items each has).
pub fn cameras(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT camera FROM assets INDEXED BY assets_camera
         WHERE camera > ?1 AND camera IS NOT NULL AND state = 'active' ORDER BY camera LIMIT 1",
    )?;
    let mut out: Vec<String> = Vec::new();
    loop {
        let after = out.last().map_or("", String::as_str);
        let next: Option<String> = stmt.query_row([after], |r| r.get(0)).optional()?;
        match next {
            Some(c) => out.push(c),
            None => return Ok(out),
        }
    }
}

/// The keywords, each with its id and its path.
pub fn keywords(conn: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
    conn.prepare_cached("SELECT id, path FROM keywords ORDER BY path_key")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
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
         WHERE f.id > ?1 AND +a.state = 'active' AND a.storage = ?3
         ORDER BY f.id LIMIT ?2",
    )?;
    let mut rows = stmt.query(rusqlite::params![
        after,
        limit as i64,
        super::Storage::InPlace
    ])?;
    let mut last = None;
    while let Some(r) = rows.next()? {
        last = Some(r.get(0)?);
        each(r.get_ref(1)?.as_str()?);
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A view of the whole library is read through the sort indexes in their order, its
    /// first rows at once (nothing sorted first), whatever the key and the direction; the
    /// items with the usual rating, flag, label or kind from the name index alone, not
    /// their rows (a library where nearly every item is rated reads past the rated ones
    /// in the index to find the rest).
    #[test]
    fn every_order_of_the_whole_library_is_read_from_indexes_without_a_sort() {
        let dir = tempfile::tempdir().unwrap();
        let conn = super::super::open(&dir.path().join("library.db")).unwrap();
        for order in [
            Order::Date,
            Order::Imported,
            Order::Rating,
            Order::Flag,
            Order::Label,
            Order::Name,
            Order::Size,
            Order::Kind,
        ] {
            for descending in [false, true] {
                let view = GalleryView {
                    collection: None,
                    filter: &[],
                    order,
                    descending,
                    dated: true,
                };
                let (statements, args) = gallery_statements(&conn, &view).unwrap();
                assert!(args.is_empty());
                let parts = match order {
                    Order::Flag => 3,
                    Order::Rating | Order::Label | Order::Kind => 2,
                    _ => 1,
                };
                assert_eq!(statements.len(), parts, "{order:?}");
                for sql in &statements {
                    let plan = crate::store::tests::query_plan(&conn, sql, &[]);
                    assert!(
                        plan.starts_with("SCAN a USING ") || plan.starts_with("SEARCH a USING "),
                        "{sql}: {plan}"
                    );
                    assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
                    if parts > 1 && sql.contains("assets_by_name") {
                        assert_eq!(plan, "SCAN a USING COVERING INDEX assets_by_name");
                    }
                }
            }
        }
    }
}
