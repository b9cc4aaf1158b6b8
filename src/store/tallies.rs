//! What the collection tree and the status line count, read from the tallies kept in step
//! with the assets: by the insert that makes them (migration 22), by `lifecycle` as their
//! states change (migration 23), and by triggers for the rest (migration 13). A few rows per
//! collection, however many items the library holds.

use rusqlite::{Connection, OptionalExtension};

use super::CollectionId;

/// How many active assets each collection holds directly (the top of the library under
/// `None`); collections holding none are left out.
pub fn active_counts_by_collection(
    conn: &Connection,
) -> rusqlite::Result<Vec<(Option<CollectionId>, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT nullif(collection_key, 0), sum(items) FROM asset_tallies
         WHERE state = 'active' GROUP BY collection_key HAVING sum(items) > 0",
    )?;
    let rows = stmt.query_map([], |r| {
        let n: i64 = r.get(1)?;
        Ok((r.get(0)?, n.max(0) as u64))
    })?;
    rows.collect()
}

/// The bytes of the active assets.
pub fn active_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT ifnull(sum(bytes), 0) FROM asset_tallies WHERE state = 'active'")?
        .query_row([], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The bytes of the trashed assets whose presence on disk is not `gone` (a file missing
/// from disk holds no bytes in the Trash).
pub fn trashed_bytes_except(conn: &Connection, gone: i64) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT ifnull(sum(bytes), 0) FROM asset_tallies
             WHERE state = 'trashed' AND missing != ?1",
        )?
        .query_row([gone], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The version of the assets: it moves on whenever an asset comes, goes, or changes what
/// orders it or where it is.
pub fn assets_version(conn: &Connection) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT version FROM assets_version WHERE id = 0")?
        .query_row([], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Counts the assets into the tallies again from the rows themselves, and moves the
/// version on: for assets written other than through [`super::insert_assets_tx`] (a
/// library built in bulk by a benchmark or a test), which counts its own.
pub fn recount(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM asset_tallies;
         INSERT INTO asset_tallies
             SELECT ifnull(collection_id, 0), state, missing, count(*), sum(size) FROM assets
             GROUP BY 1, 2, 3;
         UPDATE assets_version SET version = version + 1 WHERE id = 0;",
    )
}

/// Where the tallies disagree with a count of the assets themselves: the first such
/// group, described (`None`: they agree).
pub fn tallies_disagree(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let mut stmt = conn.prepare(
        "SELECT collection_key, state, missing, sum(t_items), sum(t_bytes), sum(a_items),
                sum(a_bytes)
         FROM (SELECT collection_key, state, missing, items AS t_items, bytes AS t_bytes,
                      0 AS a_items, 0 AS a_bytes FROM asset_tallies
               UNION ALL
               SELECT ifnull(collection_id, 0), state, missing, 0, 0, count(*), sum(size)
               FROM assets GROUP BY 1, 2, 3)
         GROUP BY 1, 2, 3
         HAVING sum(t_items) != sum(a_items) OR sum(t_bytes) != sum(a_bytes)
         LIMIT 1",
    )?;
    let mut rows = stmt.query([])?;
    let Some(r) = rows.next()? else {
        return keywords_disagree(conn);
    };
    let (c, state, missing): (i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
    let (ti, tb, ai, ab): (i64, i64, i64, i64) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
    Ok(Some(format!(
        "the tallies of collection {c}, {state}, presence {missing} say {ti} items and {tb} bytes; \
         the assets are {ai} items and {ab} bytes"
    )))
}

/// The first keyword whose count of active assets differs from its links, named.
fn keywords_disagree(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT path, active, counted FROM (
             SELECT k.path, k.active,
                    (SELECT count(*) FROM asset_keywords ak JOIN assets a ON a.id = ak.asset_id
                     WHERE ak.keyword_id = k.id AND a.state = 'active') AS counted
             FROM keywords k)
         WHERE active <> counted LIMIT 1",
        [],
        |r| {
            let (path, active, counted): (String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            Ok(format!(
                "the keyword \"{path}\" counts {active} items; {counted} carry it"
            ))
        },
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::lifecycle::{quarantine, set_asset_state};
    use super::super::{AssetId, AssetState};
    use super::*;

    /// Moves asset `id` from `from` to `to`, as every change of state is made.
    fn set(conn: &Connection, id: i64, from: AssetState, to: AssetState) {
        assert!(set_asset_state(conn, AssetId(id), from, to).unwrap());
    }

    fn library() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO collections(id, name, name_key, created_at) VALUES (1, 'A', 'a', 0);
             INSERT INTO assets(id, collection_id, name, name_key, kind, storage, size, hash,
                                imported_at)
             VALUES (1, 1, 'x', 'x', 'image', 'copy', 10, 'h1', 0),
                    (2, 1, 'y', 'y', 'image', 'copy', 20, 'h2', 0),
                    (3, NULL, 'z', 'z', 'video', 'in_place', 300, 'h3', 0);",
        )
        .unwrap();
        recount(&conn).unwrap();
        conn
    }

    #[test]
    fn the_tallies_follow_every_insert_move_state_presence_size_and_delete() {
        let conn = library();
        let version = assets_version(&conn).unwrap();
        assert_eq!(active_bytes(&conn).unwrap(), 330);
        let mut counts = active_counts_by_collection(&conn).unwrap();
        counts.sort();
        assert_eq!(counts, vec![(None, 1), (Some(CollectionId(1)), 2)]);
        set(&conn, 1, AssetState::Active, AssetState::Trashed);
        conn.execute_batch("UPDATE assets SET missing = 1 WHERE id = 2;")
            .unwrap();
        quarantine(&conn, AssetId(2), "why").unwrap();
        conn.execute_batch("UPDATE assets SET collection_id = 1, size = 301 WHERE id = 3;")
            .unwrap();
        assert_eq!(active_bytes(&conn).unwrap(), 301);
        assert_eq!(trashed_bytes_except(&conn, 1).unwrap(), 10);
        assert_eq!(
            active_counts_by_collection(&conn).unwrap(),
            vec![(Some(CollectionId(1)), 1)]
        );
        assert_eq!(tallies_disagree(&conn).unwrap(), None);
        let moved = assets_version(&conn).unwrap();
        assert!(moved > version);
        // A change the Gallery's order and places do not see leaves the version alone.
        conn.execute_batch("UPDATE assets SET hash = 'h4', width = 3 WHERE id = 3;")
            .unwrap();
        assert_eq!(assets_version(&conn).unwrap(), moved);
        conn.execute_batch("UPDATE assets SET name_key = 'w' WHERE id = 3;")
            .unwrap();
        assert!(assets_version(&conn).unwrap() > moved);
        conn.execute_batch("DELETE FROM assets WHERE id IN (1, 3);")
            .unwrap();
        assert_eq!(active_bytes(&conn).unwrap(), 0);
        assert_eq!(trashed_bytes_except(&conn, 1).unwrap(), 0);
        assert_eq!(tallies_disagree(&conn).unwrap(), None);
    }

    #[test]
    fn keyword_counts_follow_links_trash_restore_and_deletion() {
        let conn = library();
        let counts = |conn: &Connection| -> Vec<(String, u64)> {
            super::super::culling::keyword_counts(conn).unwrap()
        };
        conn.execute_batch(
            "INSERT INTO keywords(id, path, path_key) VALUES (1, 'A', 'a'), (2, 'B', 'b');
             INSERT INTO asset_keywords VALUES (1, 1), (2, 1), (3, 1), (3, 2);",
        )
        .unwrap();
        assert_eq!(counts(&conn), [("A".to_string(), 3), ("B".to_string(), 1)]);
        set(&conn, 1, AssetState::Active, AssetState::Trashed);
        set(&conn, 3, AssetState::Active, AssetState::Trashed);
        conn.execute_batch("UPDATE assets SET missing = 1 WHERE id = 2;")
            .unwrap();
        assert_eq!(counts(&conn), [("A".to_string(), 1), ("B".to_string(), 0)]);
        // A link to a trashed asset counts once it is back.
        conn.execute_batch("INSERT INTO asset_keywords VALUES (1, 2);")
            .unwrap();
        set(&conn, 1, AssetState::Trashed, AssetState::Active);
        assert_eq!(counts(&conn), [("A".to_string(), 2), ("B".to_string(), 1)]);
        conn.execute_batch(
            "DELETE FROM asset_keywords WHERE asset_id = 2;
             DELETE FROM assets WHERE id = 1;
             DELETE FROM assets WHERE id = 3;",
        )
        .unwrap();
        assert_eq!(counts(&conn), [("A".to_string(), 0), ("B".to_string(), 0)]);
        assert_eq!(tallies_disagree(&conn).unwrap(), None);
        conn.execute_batch("UPDATE keywords SET active = 5 WHERE id = 2;")
            .unwrap();
        assert!(
            tallies_disagree(&conn)
                .unwrap()
                .unwrap()
                .contains("\"B\" counts 5")
        );
    }

    #[test]
    fn tallies_that_drifted_from_the_assets_are_named() {
        let conn = library();
        conn.execute_batch("UPDATE asset_tallies SET items = items + 1 WHERE collection_key = 1")
            .unwrap();
        let why = tallies_disagree(&conn).unwrap().expect("a disagreement");
        assert!(why.contains("collection 1, active"), "{why}");
    }
}
