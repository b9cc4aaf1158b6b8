//! What the user gives an asset to cull and organise it: a rating, a flag, a colour label
//! and keywords. They are kept on the asset's record and in the keyword tables, so they go
//! to the Trash and come back with it, and go with it when it is purged (the links to its
//! keywords are deleted with its record).

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, params};

use super::{AssetId, AssetState, exec};

pub use crate::media::marks::{Flag, Keyword, Label, MAX_KEYWORD_BYTES, Rating};

impl ToSql for Rating {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(i64::from(self.stars())))
    }
}

impl FromSql for Rating {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let n = value.as_i64()?;
        u8::try_from(n)
            .ok()
            .and_then(Rating::new)
            .ok_or(FromSqlError::OutOfRange(n))
    }
}

impl ToSql for Flag {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.code()))
    }
}

impl FromSql for Flag {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_i64()? {
            0 => Ok(Flag::None),
            1 => Ok(Flag::Pick),
            -1 => Ok(Flag::Reject),
            n => Err(FromSqlError::OutOfRange(n)),
        }
    }
}

impl ToSql for Label {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.name()))
    }
}

impl FromSql for Label {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Label::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("unknown colour label {text:?}").into()))
    }
}

/// What the user gave one asset.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Culling {
    pub rating: Rating,
    pub flag: Flag,
    pub label: Option<Label>,
    /// Its keywords' paths, in order.
    pub keywords: Vec<String>,
}

/// The ids as one JSON array, for `json_each`.
fn id_list(ids: &[AssetId]) -> String {
    let mut out = String::with_capacity(ids.len() * 8 + 2);
    out.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.0.to_string());
    }
    out.push(']');
    out
}

/// Sets the rating of those of `ids` that are active; how many.
pub fn set_rating(conn: &Connection, ids: &[AssetId], rating: Rating) -> rusqlite::Result<usize> {
    exec(
        conn,
        "UPDATE assets SET rating = ?2
         WHERE id IN (SELECT value FROM json_each(?1)) AND state = ?3 AND rating <> ?2",
        params![id_list(ids), rating, AssetState::Active],
    )
}

/// Sets the flag of those of `ids` that are active; how many changed.
pub fn set_flag(conn: &Connection, ids: &[AssetId], flag: Flag) -> rusqlite::Result<usize> {
    exec(
        conn,
        "UPDATE assets SET flag = ?2
         WHERE id IN (SELECT value FROM json_each(?1)) AND state = ?3 AND flag <> ?2",
        params![id_list(ids), flag, AssetState::Active],
    )
}

/// Sets (or clears) the colour label of those of `ids` that are active; how many changed.
pub fn set_label(
    conn: &Connection,
    ids: &[AssetId],
    label: Option<Label>,
) -> rusqlite::Result<usize> {
    exec(
        conn,
        "UPDATE assets SET label = ?2
         WHERE id IN (SELECT value FROM json_each(?1)) AND state = ?3 AND label IS NOT ?2",
        params![id_list(ids), label, AssetState::Active],
    )
}

/// The keyword's id, made (with the keywords above it) when new.
fn keyword_id(conn: &Connection, keyword: &Keyword) -> rusqlite::Result<i64> {
    let mut id = None;
    for path in keyword.with_ancestors() {
        let key = Keyword::key(path);
        let found: Option<i64> = conn
            .prepare_cached("SELECT id FROM keywords WHERE path_key = ?1")?
            .query_row([&key], |r| r.get(0))
            .optional()?;
        id = Some(match found {
            Some(id) => id,
            None => {
                conn.prepare_cached("INSERT INTO keywords(path, path_key) VALUES (?1, ?2)")?
                    .execute([path, key.as_str()])?;
                conn.last_insert_rowid()
            }
        });
    }
    // A keyword has at least one level.
    id.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

/// Gives `keyword` to those of `ids` that are active; how many did not have it.
pub fn tag(conn: &Connection, ids: &[AssetId], keyword: &Keyword) -> rusqlite::Result<usize> {
    let keyword = keyword_id(conn, keyword)?;
    exec(
        conn,
        "INSERT OR IGNORE INTO asset_keywords(asset_id, keyword_id)
         SELECT id, ?2 FROM assets WHERE id IN (SELECT value FROM json_each(?1)) AND state = ?3",
        params![id_list(ids), keyword, AssetState::Active],
    )
}

/// Takes `keyword` from those of `ids` that are active; how many had it.
pub fn untag(conn: &Connection, ids: &[AssetId], keyword: &Keyword) -> rusqlite::Result<usize> {
    exec(
        conn,
        "DELETE FROM asset_keywords
         WHERE keyword_id = (SELECT id FROM keywords WHERE path_key = ?2)
           AND asset_id IN (SELECT a.id FROM assets a
                            WHERE a.id IN (SELECT value FROM json_each(?1)) AND a.state = ?3)",
        params![
            id_list(ids),
            Keyword::key(keyword.path()),
            AssetState::Active
        ],
    )
}

/// Gives a new asset what another tool gave its file (its XMP): each value said.
pub fn give(
    conn: &Connection,
    id: AssetId,
    facts: &crate::media::xmp::XmpFacts,
) -> rusqlite::Result<()> {
    if let Some(r) = facts.rating {
        set_rating(conn, &[id], r)?;
    }
    if let Some(f) = facts.flag {
        set_flag(conn, &[id], f)?;
    }
    if facts.label.is_some() {
        set_label(conn, &[id], facts.label)?;
    }
    for k in &facts.keywords {
        tag(conn, &[id], k)?;
    }
    Ok(())
}

/// The state of each of `ids` that is an asset.
pub fn states_of(
    conn: &Connection,
    ids: &[AssetId],
) -> rusqlite::Result<std::collections::HashMap<AssetId, AssetState>> {
    conn.prepare_cached(
        "SELECT id, state FROM assets WHERE id IN (SELECT value FROM json_each(?1))",
    )?
    .query_map([id_list(ids)], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// An asset's rating, flag and label.
pub type Marks = (AssetId, Rating, Flag, Option<Label>);

/// The rating, flag and label of each of `ids` that is an asset (in any state).
pub fn marks_of(conn: &Connection, ids: &[AssetId]) -> rusqlite::Result<Vec<Marks>> {
    conn.prepare_cached(
        "SELECT id, rating, flag, label FROM assets WHERE id IN (SELECT value FROM json_each(?1))",
    )?
    .query_map([id_list(ids)], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?
    .collect()
}

/// Those of `ids` that carry `keyword` itself.
pub fn carrying(
    conn: &Connection,
    ids: &[AssetId],
    keyword: &Keyword,
) -> rusqlite::Result<Vec<AssetId>> {
    conn.prepare_cached(
        "SELECT ak.asset_id FROM asset_keywords ak JOIN keywords k ON k.id = ak.keyword_id
         WHERE k.path_key = ?2 AND ak.asset_id IN (SELECT value FROM json_each(?1))",
    )?
    .query_map(params![id_list(ids), Keyword::key(keyword.path())], |r| {
        r.get(0)
    })?
    .collect()
}

/// The active assets that carry the keyword `path` or one below it.
pub fn carrying_below(conn: &Connection, path: &str) -> rusqlite::Result<Vec<AssetId>> {
    let ids: Vec<i64> = keyword_and_below(conn, path)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
    conn.prepare_cached(
        "SELECT DISTINCT a.id FROM asset_keywords ak JOIN assets a ON a.id = ak.asset_id
         WHERE ak.keyword_id IN (SELECT value FROM json_each(?1)) AND a.state = ?2",
    )?
    .query_map(params![ids, AssetState::Active], |r| r.get(0))?
    .collect()
}

/// Every keyword, by path, with how many active assets carry it (itself, not those below).
pub fn keyword_counts(conn: &Connection) -> rusqlite::Result<Vec<(String, u64)>> {
    // Each keyword keeps its count (migration 16).
    conn.prepare_cached("SELECT path, active FROM keywords ORDER BY path_key")?
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?
        .collect()
}

/// The keyword `path` and every keyword below it, by id and path.
fn keyword_and_below(conn: &Connection, path: &str) -> rusqlite::Result<Vec<(i64, String)>> {
    let key = Keyword::key(path);
    conn.prepare_cached(
        "SELECT id, path FROM keywords
         WHERE path_key = ?1 OR substr(path_key, 1, length(?1) + 1) = ?1 || '|'
         ORDER BY length(path_key)",
    )?
    .query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Renames the keyword `from` to `to`, those below it following (`Places|Porto|Ribeira`
/// becomes `to|Ribeira`): every asset that carried one carries the renamed one. Into a
/// keyword that exists, the two become one. How many keywords were renamed.
pub fn rename_keyword(conn: &Connection, from: &Keyword, to: &Keyword) -> rusqlite::Result<usize> {
    let moving = keyword_and_below(conn, from.path())?;
    for (old, path) in &moving {
        let rest = &path[from.path().len()..];
        let Ok(new_path) = Keyword::parse(&format!("{}{rest}", to.path())) else {
            continue;
        };
        if Keyword::key(new_path.path()) == Keyword::key(path) {
            // The same keyword written otherwise ("film" to "Film").
            conn.prepare_cached("UPDATE keywords SET path = ?2 WHERE id = ?1")?
                .execute(params![old, new_path.path()])?;
            continue;
        }
        let new = keyword_id(conn, &new_path)?;
        conn.prepare_cached(
            "INSERT OR IGNORE INTO asset_keywords(asset_id, keyword_id)
             SELECT asset_id, ?2 FROM asset_keywords WHERE keyword_id = ?1",
        )?
        .execute(params![old, new])?;
    }
    // The old ones go (and their links with them), deepest first.
    for (old, path) in moving.iter().rev() {
        let rest = &path[from.path().len()..];
        if Keyword::key(&format!("{}{rest}", to.path())) != Keyword::key(path) {
            conn.prepare_cached("DELETE FROM keywords WHERE id = ?1")?
                .execute([old])?;
        }
    }
    Ok(moving.len())
}

/// Deletes the keyword `path` and every keyword below it: no asset carries them any more.
/// How many assets carried one.
pub fn delete_keyword(conn: &Connection, path: &str) -> rusqlite::Result<usize> {
    let mut carried = 0;
    for (id, _) in keyword_and_below(conn, path)?.iter().rev() {
        carried += conn
            .prepare_cached("DELETE FROM asset_keywords WHERE keyword_id = ?1")?
            .execute([id])?;
        conn.prepare_cached("DELETE FROM keywords WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(carried)
}

/// A search saved under a name: a smart collection, its items found again each time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SmartCollection {
    pub id: i64,
    pub name: String,
    pub search: String,
}

/// The smart collections, by name.
pub fn smart_collections(conn: &Connection) -> rusqlite::Result<Vec<SmartCollection>> {
    conn.prepare_cached("SELECT id, name, search FROM smart_collections ORDER BY name_key")?
        .query_map([], |r| {
            Ok(SmartCollection {
                id: r.get(0)?,
                name: r.get(1)?,
                search: r.get(2)?,
            })
        })?
        .collect()
}

/// Saves `search` under `name`, in place of a smart collection of that name (any case).
pub fn save_search(conn: &Connection, name: &str, search: &str, now: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO smart_collections(name, name_key, search, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(name_key) DO UPDATE SET name = ?1, search = ?3",
    )?
    .execute(params![name, name.to_lowercase(), search, now])?;
    conn.prepare_cached("SELECT id FROM smart_collections WHERE name_key = ?1")?
        .query_row([name.to_lowercase()], |r| r.get(0))
}

/// Forgets a smart collection (its items stay); whether there was one.
pub fn forget_search(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM smart_collections WHERE id = ?1")?
        .execute([id])?
        > 0)
}

/// The active assets flagged as rejects, by id.
pub fn rejected(conn: &Connection) -> rusqlite::Result<Vec<AssetId>> {
    // By id (`+state`: the index on state holds every active asset).
    conn.prepare_cached("SELECT id FROM assets WHERE flag = ?1 AND +state = ?2 ORDER BY id")?
        .query_map(params![Flag::Reject, AssetState::Active], |r| r.get(0))?
        .collect()
}

/// What the user gave an asset, in whatever state it is (`None`: no such asset).
pub fn culling_of(conn: &Connection, id: AssetId) -> rusqlite::Result<Option<Culling>> {
    let Some((rating, flag, label)) = conn
        .prepare_cached("SELECT rating, flag, label FROM assets WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
    else {
        return Ok(None);
    };
    let keywords = conn
        .prepare_cached(
            "SELECT k.path FROM asset_keywords ak JOIN keywords k ON k.id = ak.keyword_id
             WHERE ak.asset_id = ?1 ORDER BY k.path_key",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(Culling {
        rating,
        flag,
        label,
        keywords,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyword_is_its_trimmed_levels_and_each_level_above_it() {
        let k = Keyword::parse(" Places | Portugal|Lisbon ").unwrap();
        assert_eq!(k.path(), "Places|Portugal|Lisbon");
        assert_eq!(
            k.with_ancestors().collect::<Vec<_>>(),
            ["Places", "Places|Portugal", "Places|Portugal|Lisbon"]
        );
        assert_eq!(
            Keyword::parse("portrait").unwrap().with_ancestors().count(),
            1
        );
        for bad in ["", " ", "Places||Lisbon", "|Places", "Places|", "a\nb"] {
            assert!(Keyword::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Keyword::parse(&"x".repeat(MAX_KEYWORD_BYTES + 1)).is_err());
    }

    #[test]
    fn ratings_flags_and_labels_take_only_their_values() {
        assert_eq!(Rating::new(5).map(Rating::stars), Some(5));
        assert_eq!(Rating::new(6), None);
        assert_eq!(Flag::parse("Reject"), Some(Flag::Reject));
        assert_eq!(Flag::parse("maybe"), None);
        assert_eq!(Label::parse("PURPLE"), Some(Label::Purple));
        assert_eq!(Label::parse("orange"), None);
        assert_eq!(
            serde_json::to_string(&(Flag::None, Flag::Pick, Label::Red)).unwrap(),
            r#"[null,"pick","red"]"#
        );
    }
}
