//! The life of asset and collection records: every change of a record's state goes
//! through here, each one a compare-and-set on the state the caller expects the record to be
//! in (the file-move protocol is a state machine on it; a record found in another state is
//! left alone and the caller told). The states are bound as typed values, never written
//! into a statement as text.

use rusqlite::{Connection, params};
use serde_json::json;

use super::{
    AssetId, AssetState, BatchId, CollectionId, CollectionStatus, Storage, exec, set_wise,
};

/// What a record moved to the Trash carries: when, by whom, in which batch (one user
/// action), through which collection (when it went with one), and the place it came from
/// as the user saw it.
#[derive(Debug, Clone, Copy)]
pub struct Deletion<'a> {
    pub at: i64,
    pub by: &'a str,
    pub batch: BatchId,
    pub via: Option<CollectionId>,
    pub orig_location: &'a str,
}

/// The name and place a record takes as it comes back from the Trash (when they differ
/// from those it had).
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
    pub collection: Option<CollectionId>,
}

/// What a change of state leaves unchanged besides, for [`counted`]: whether the records'
/// counts before it can be told from what it returns.
#[derive(Clone, Copy)]
enum Before {
    /// Only the state changes, and from this one.
    Only(AssetState),
    /// The collection or the presence may change too, or the state from any (`None`): the
    /// records in this state are read before the change.
    Read(Option<AssetState>),
}

/// One record a change of state changed, as the change returns it (`RETURNING
/// ifnull(collection_id, 0), missing, size`): its collection (0: the top), presence and
/// size.
type Left = (i64, i64, i64);

/// Runs `change`, a statement moving some of the assets named by `list` (a JSON list of
/// ids) to `to` and returning them as they are left ([`Left`]), and keeps what is
/// counted by state in step with it: the tallies by collection, state and presence, the
/// keywords' counts of active items, and the version the window watches (when an active
/// record is among those changed). A few statements for the whole list instead of
/// triggers at each row (see migration 23). How many records changed.
fn counted(
    conn: &Connection,
    list: &str,
    before: Before,
    to: AssetState,
    change: impl FnOnce(&str) -> rusqlite::Result<Vec<Left>>,
) -> rusqlite::Result<usize> {
    let from = match before {
        Before::Only(from) => Some(from),
        Before::Read(from) => from,
    };
    let active = to == AssetState::Active || from.is_none_or(|f| f == AssetState::Active);
    if let Before::Read(from) = before {
        exec(conn, UNCOUNT, params![list, from])?;
    }
    if active {
        exec(conn, COUNT_KEYWORDS, params![list, AssetState::Active, -1])?;
    }
    let left = change(list)?;
    let mut groups: std::collections::BTreeMap<(i64, i64), (i64, i64)> = Default::default();
    for &(collection, missing, size) in &left {
        let g = groups.entry((collection, missing)).or_default();
        *g = (g.0 + 1, g.1 + size);
    }
    for (&(collection, missing), &(items, bytes)) in &groups {
        match before {
            Before::Only(from) => exec(
                conn,
                MOVE_IN_TALLIES,
                params![collection, to, missing, items, bytes, from],
            )?,
            Before::Read(_) => exec(
                conn,
                ADD_TO_TALLY,
                params![collection, to, missing, items, bytes],
            )?,
        };
    }
    if active {
        exec(conn, COUNT_KEYWORDS, params![list, AssetState::Active, 1])?;
        if !left.is_empty() {
            exec(
                conn,
                "UPDATE assets_version SET version = version + 1 WHERE id = 0",
                [],
            )?;
        }
    }
    Ok(left.len())
}

/// Runs a change of state that returns the records it changed ([`Left`]).
fn returning(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<Vec<Left>> {
    conn.prepare_cached(sql)?
        .query_map(params, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// Takes the listed records in a state (any: NULL) out of the tallies, as they are.
const UNCOUNT: &str = "UPDATE asset_tallies SET items = items - g.n, bytes = bytes - g.b
    FROM (SELECT ifnull(collection_id, 0) AS c, state AS s, missing AS m, count(*) AS n,
                 sum(size) AS b
          FROM assets WHERE id IN (SELECT value FROM json_each(?1))
            AND (?2 IS NULL OR +state = ?2)
          GROUP BY 1, 2, 3) AS g
    WHERE collection_key = g.c AND state = g.s AND missing = g.m";

/// Moves a group of records from one state (`?6`) to another (`?2`) in the tallies.
const MOVE_IN_TALLIES: &str = "INSERT INTO asset_tallies
    VALUES (?1, ?6, ?3, -?4, -?5), (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT DO UPDATE SET items = items + excluded.items, bytes = bytes + excluded.bytes";

const ADD_TO_TALLY: &str = "INSERT INTO asset_tallies VALUES (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT DO UPDATE SET items = items + excluded.items, bytes = bytes + excluded.bytes";

/// Counts the listed records in a state (`?2`, active) out of their keywords' counts of
/// active items (`?3` = -1) or in (`?3` = 1).
const COUNT_KEYWORDS: &str = "UPDATE keywords SET active = active + ?3 * g.n
    FROM (SELECT keyword_id AS k, count(*) AS n FROM asset_keywords
          WHERE asset_id IN (SELECT value FROM json_each(?1))
            AND (SELECT state FROM assets WHERE id = asset_id) = ?2
          GROUP BY 1) AS g
    WHERE id = g.k";

/// One asset's id as the list [`counted`] takes.
fn one(id: AssetId) -> String {
    format!("[{}]", id.0)
}

/// The one compare-and-set of an asset's state: `from` → `to`. False when the record was
/// not in `from` (another action changed it first), and then nothing changed.
pub fn set_asset_state(
    conn: &Connection,
    id: AssetId,
    from: AssetState,
    to: AssetState,
) -> rusqlite::Result<bool> {
    Ok(counted(conn, &one(id), Before::Only(from), to, |_| {
        returning(
            conn,
            "UPDATE assets SET state = ?3 WHERE id = ?1 AND state = ?2
             RETURNING ifnull(collection_id, 0), missing, size",
            params![id, from, to],
        )
    })? == 1)
}

/// One asset leaving for the Trash: its deletion facts, and whether its files were found
/// as the move began (`PRESENT`, `MISSING`).
#[derive(Debug, Clone, Copy)]
pub struct Leaving<'a> {
    pub id: AssetId,
    pub deletion: Deletion<'a>,
    pub missing: i64,
}

const BEGIN_TRASHING: &str = "UPDATE assets SET state = ?2, deleted_at = ?4, deleted_by = ?5,
        batch_id = ?6, via_id = ?7, orig_location = ?8, missing = ?9
    WHERE id IN (SELECT value FROM json_each(?1)) AND +state = ?3
    RETURNING ifnull(collection_id, 0), missing, size";

/// Active assets → `trashing`, each with its deletion facts and presence, many to a
/// statement: those with the same facts (one action's items from one place, as a rule
/// all of them) together, named by a list of ids (a list of whole rows cost more to
/// read than the change itself). How many changed: fewer than given when some were not
/// active (those are left as they were).
pub fn begin_trashing(conn: &Connection, leaving: &[Leaving<'_>]) -> rusqlite::Result<usize> {
    type Facts<'a> = (i64, &'a str, BatchId, Option<CollectionId>, &'a str, i64);
    let mut alike: Vec<(Facts<'_>, Vec<AssetId>)> = Vec::new();
    let mut at: std::collections::HashMap<Facts<'_>, usize> = std::collections::HashMap::new();
    for l in leaving {
        let d = &l.deletion;
        let facts = (d.at, d.by, d.batch, d.via, d.orig_location, l.missing);
        let i = *at.entry(facts).or_insert_with(|| {
            alike.push((facts, Vec::new()));
            alike.len() - 1
        });
        alike[i].1.push(l.id);
    }
    let mut changed = 0;
    for ((at, by, batch, via, place, missing), ids) in &alike {
        changed += set_wise(
            ids,
            |id| json!(id),
            |list| {
                counted(
                    conn,
                    &list,
                    Before::Read(Some(AssetState::Active)),
                    AssetState::Trashing,
                    |list| {
                        returning(
                            conn,
                            BEGIN_TRASHING,
                            params![
                                list,
                                AssetState::Trashing,
                                AssetState::Active,
                                at,
                                by,
                                batch,
                                via,
                                place,
                                missing
                            ],
                        )
                    },
                )
            },
        )?;
    }
    Ok(changed)
}

/// `trashing` assets → trashed (their files are in the Trash), many to a statement; how
/// many.
pub fn finish_trashing(conn: &Connection, ids: &[AssetId]) -> rusqlite::Result<usize> {
    set_states(conn, ids, AssetState::Trashing, AssetState::Trashed)
}

/// Assets among `ids` in `from` → `to`, many to a statement; how many changed.
fn set_states(
    conn: &Connection,
    ids: &[AssetId],
    from: AssetState,
    to: AssetState,
) -> rusqlite::Result<usize> {
    set_wise(
        ids,
        |id| json!(id),
        |list| {
            counted(conn, &list, Before::Only(from), to, |list| {
                returning(conn, SET_STATES, params![list, from, to])
            })
        },
    )
}

const SET_STATES: &str = "UPDATE assets SET state = ?3
    WHERE id IN (SELECT value FROM json_each(?1)) AND +state = ?2
    RETURNING ifnull(collection_id, 0), missing, size";

/// Trashed assets → `restoring`, under the names and places they had: only the state
/// changes (no index on name or place is touched), many to a statement. How many changed:
/// fewer than given when some were not trashed (those are left as they were).
pub fn begin_restoring(conn: &Connection, ids: &[AssetId]) -> rusqlite::Result<usize> {
    set_states(conn, ids, AssetState::Trashed, AssetState::Restoring)
}

/// A trashed asset → `restoring` under a new name or in a new place. False when it was not
/// trashed.
pub fn begin_restoring_as(
    conn: &Connection,
    id: AssetId,
    p: Placement<'_>,
) -> rusqlite::Result<bool> {
    let (from, to) = (AssetState::Trashed, AssetState::Restoring);
    Ok(counted(conn, &one(id), Before::Read(Some(from)), to, |_| {
        returning(
            conn,
            "UPDATE assets SET state = ?3, name = ?4, name_key = ?5, collection_id = ?6
             WHERE id = ?1 AND state = ?2
             RETURNING ifnull(collection_id, 0), missing, size",
            params![id, from, to, p.name, p.name_key, p.collection],
        )
    })? == 1)
}

/// A `restoring` asset back in the Trash as it was (its files all went back): its name,
/// place and collection batch as before. False when it was not restoring.
pub fn back_to_trash(
    conn: &Connection,
    id: AssetId,
    was: Placement<'_>,
    via: Option<CollectionId>,
) -> rusqlite::Result<bool> {
    let (from, to) = (AssetState::Restoring, AssetState::Trashed);
    Ok(counted(conn, &one(id), Before::Read(Some(from)), to, |_| {
        returning(
            conn,
            "UPDATE assets SET state = ?3, name = ?4, name_key = ?5, collection_id = ?6,
                via_id = ?7
             WHERE id = ?1 AND state = ?2
             RETURNING ifnull(collection_id, 0), missing, size",
            params![id, from, to, was.name, was.name_key, was.collection, via],
        )
    })? == 1)
}

/// An asset → active, out of the Trash (from `from` only, when given; from any state
/// when a move is rolled back): no deletion facts, and its files lose their trash names.
pub fn activate_asset(
    conn: &Connection,
    id: AssetId,
    from: Option<AssetState>,
) -> rusqlite::Result<bool> {
    let before = from.map_or(Before::Read(None), Before::Only);
    let changed = counted(conn, &one(id), before, AssetState::Active, |_| {
        returning(
            conn,
            "UPDATE assets SET state = ?3, deleted_at = NULL, deleted_by = NULL,
                batch_id = NULL, via_id = NULL, orig_location = NULL
             WHERE id = ?1 AND (?2 IS NULL OR state = ?2)
             RETURNING ifnull(collection_id, 0), missing, size",
            params![id, from, AssetState::Active],
        )
    })?;
    exec(
        conn,
        "UPDATE files SET trash_root_id = NULL, trash_name = NULL WHERE asset_id = ?1",
        [id],
    )?;
    Ok(changed == 1)
}

/// `restoring` assets among `ids` → active (their files all came back), many to a
/// statement: no deletion facts, and their files lose their trash names. How many.
pub fn finish_restoring_of(conn: &Connection, ids: &[AssetId]) -> rusqlite::Result<usize> {
    set_wise(
        ids,
        |id| json!(id),
        |list| {
            exec(
                conn,
                CLEAR_TRASH_PLACES,
                params![list, AssetState::Restoring],
            )?;
            let (from, to) = (AssetState::Restoring, AssetState::Active);
            counted(conn, &list, Before::Only(from), to, |list| {
                returning(conn, FINISH_RESTORING, params![list, from, to])
            })
        },
    )
}

const CLEAR_TRASH_PLACES: &str = "UPDATE files SET trash_root_id = NULL, trash_name = NULL
    WHERE asset_id IN (SELECT value FROM json_each(?1))
      AND (SELECT state FROM assets WHERE id = files.asset_id) = ?2";

const FINISH_RESTORING: &str = "UPDATE assets SET state = ?3, deleted_at = NULL,
        deleted_by = NULL, batch_id = NULL, via_id = NULL, orig_location = NULL
    WHERE id IN (SELECT value FROM json_each(?1)) AND +state = ?2
    RETURNING ifnull(collection_id, 0), missing, size";

/// A trashed asset that recovery has not set aside → `purging`, claimed for permanent
/// deletion before any byte of it is destroyed. False when it was not (or is set aside).
pub fn claim_for_purging(conn: &Connection, id: AssetId) -> rusqlite::Result<bool> {
    let (from, to) = (AssetState::Trashed, AssetState::Purging);
    Ok(counted(conn, &one(id), Before::Only(from), to, |_| {
        returning(
            conn,
            "UPDATE assets SET state = ?3 WHERE id = ?1 AND state = ?2 AND quarantine IS NULL
             RETURNING ifnull(collection_id, 0), missing, size",
            params![id, from, to],
        )
    })? == 1)
}

/// An asset recovery cannot settle alone, from whatever state: in the Trash, with the
/// reason, and left alone by every restore, purge and later recovery.
pub fn quarantine(conn: &Connection, id: AssetId, reason: &str) -> rusqlite::Result<()> {
    counted(
        conn,
        &one(id),
        Before::Read(None),
        AssetState::Trashed,
        |_| {
            returning(
                conn,
                "UPDATE assets SET state = ?2, quarantine = ?3 WHERE id = ?1
             RETURNING ifnull(collection_id, 0), missing, size",
                params![id, AssetState::Trashed, reason],
            )
        },
    )?;
    Ok(())
}

/// An active asset's files seen present, missing or offline (see `library::check`).
pub fn set_presence(conn: &Connection, id: AssetId, missing: i64) -> rusqlite::Result<bool> {
    Ok(exec(
        conn,
        "UPDATE assets SET missing = ?2 WHERE id = ?1 AND state = ?3",
        params![id, missing, AssetState::Active],
    )? == 1)
}

/// An active collection → the Trash, with its deletion facts. False when it was not active.
pub fn trash_collection(
    conn: &Connection,
    id: CollectionId,
    deletion: &Deletion<'_>,
) -> rusqlite::Result<bool> {
    Ok(exec(
        conn,
        "UPDATE collections SET state = ?7, deleted_at = ?2, deleted_by = ?3, batch_id = ?4,
            via_id = ?5, orig_location = ?6 WHERE id = ?1 AND state = ?8",
        params![
            id,
            deletion.at,
            deletion.by,
            deletion.batch,
            deletion.via,
            deletion.orig_location,
            CollectionStatus::Trashed,
            CollectionStatus::Active
        ],
    )? == 1)
}

/// A collection → active (a move to the Trash rolled back, or a restore), with the
/// collections trashed through it when `with_members`: no deletion facts.
pub fn activate_collection(
    conn: &Connection,
    id: CollectionId,
    with_members: bool,
) -> rusqlite::Result<usize> {
    let sql = if with_members {
        "UPDATE collections SET state = ?2, deleted_at = NULL, deleted_by = NULL,
            batch_id = NULL, via_id = NULL, orig_location = NULL WHERE id = ?1 OR via_id = ?1"
    } else {
        "UPDATE collections SET state = ?2, deleted_at = NULL, deleted_by = NULL,
            batch_id = NULL, via_id = NULL, orig_location = NULL WHERE id = ?1"
    };
    exec(conn, sql, params![id, CollectionStatus::Active])
}

/// The assets in `state` that recovery did not quarantine: each with whether it is kept in
/// place and the collection it went to the Trash with.
pub fn left_in(
    conn: &Connection,
    state: AssetState,
) -> rusqlite::Result<Vec<(AssetId, bool, Option<CollectionId>)>> {
    conn.prepare(
        "SELECT id, storage, via_id FROM assets
         WHERE state = ?1 AND quarantine IS NULL",
    )?
    .query_map([state], |r| {
        Ok((r.get(0)?, r.get::<_, Storage>(1)?.in_place(), r.get(2)?))
    })?
    .collect()
}

/// Puts an asset at the top of the collection tree (its collection went to the Trash
/// without it).
pub fn put_at_top(conn: &Connection, id: AssetId) -> rusqlite::Result<()> {
    exec(
        conn,
        "UPDATE assets SET collection_id = NULL WHERE id = ?1",
        [id],
    )
    .map(|_| ())
}

/// Flags an asset in any state as missing from disk (recovery found a file of it in
/// neither place).
pub fn flag_missing(conn: &Connection, id: AssetId) -> rusqlite::Result<()> {
    exec(
        conn,
        "UPDATE assets SET missing = ?2 WHERE id = ?1",
        params![id, super::MISSING],
    )
    .map(|_| ())
}

/// Deletions and batches dated after `now` (by a clock that ran ahead) are dated `now`.
pub fn bring_dates_back(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    exec(
        conn,
        "UPDATE assets SET deleted_at = ?1 WHERE deleted_at > ?1",
        [now],
    )?;
    exec(
        conn,
        "UPDATE collections SET deleted_at = ?1 WHERE deleted_at > ?1",
        [now],
    )?;
    exec(
        conn,
        "UPDATE batches SET created_at = ?1 WHERE created_at > ?1",
        [now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO batches(id, created_at, deleted_by, label) VALUES (1, 0, 'u', 'b');
             INSERT INTO assets(id, collection_id, name, name_key, kind, storage, size, hash,
                                imported_at, state)
             VALUES (1, NULL, 'x', 'x', 'image', 'copy', 10, 'h1', 0, 'active'),
                    (2, NULL, 'y', 'y', 'image', 'copy', 20, 'h2', 0, 'trashed'),
                    (3, NULL, 'z', 'z', 'image', 'copy', 30, 'h3', 0, 'active');",
        )
        .unwrap();
        super::super::recount(&conn).unwrap();
        conn
    }

    fn state(conn: &Connection, id: i64) -> (AssetState, Option<String>, i64) {
        conn.query_row(
            "SELECT state, orig_location, missing FROM assets WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    }

    #[test]
    fn set_wise_state_changes_take_only_the_records_in_the_expected_state() {
        let conn = library();
        let deletion = |place| Deletion {
            at: 5,
            by: "u",
            batch: BatchId(1),
            via: None,
            orig_location: place,
        };
        let leaving = [
            Leaving {
                id: AssetId(1),
                deletion: deletion("A/B"),
                missing: super::super::PRESENT,
            },
            Leaving {
                id: AssetId(2),
                deletion: deletion("C"),
                missing: super::super::PRESENT,
            },
            Leaving {
                id: AssetId(3),
                deletion: deletion("\"quoted\" / é"),
                missing: super::super::MISSING,
            },
        ];
        // The trashed one is left as it was; each other takes its own facts.
        assert_eq!(begin_trashing(&conn, &leaving).unwrap(), 2);
        assert_eq!(
            state(&conn, 1),
            (AssetState::Trashing, Some("A/B".into()), 0)
        );
        assert_eq!(state(&conn, 2), (AssetState::Trashed, None, 0));
        assert_eq!(
            state(&conn, 3),
            (
                AssetState::Trashing,
                Some("\"quoted\" / é".into()),
                super::super::MISSING
            )
        );
        assert_eq!(
            begin_restoring(&conn, &[AssetId(1), AssetId(2), AssetId(3)]).unwrap(),
            1
        );
        assert_eq!(state(&conn, 2).0, AssetState::Restoring);
        assert_eq!(state(&conn, 1).0, AssetState::Trashing);
        assert_eq!(
            super::super::tallies::tallies_disagree(&conn).unwrap(),
            None
        );
    }

    #[test]
    fn every_change_of_state_keeps_the_counts_by_state_in_step() {
        let conn = library();
        conn.execute_batch(
            "INSERT INTO collections(id, name, name_key, created_at) VALUES (7, 'C', 'c', 0);
             INSERT INTO keywords(id, path, path_key) VALUES (1, 'K', 'k');
             INSERT INTO asset_keywords VALUES (1, 1), (2, 1), (3, 1);
             UPDATE keywords SET active = 2;",
        )
        .unwrap();
        let agree = |conn: &Connection| {
            assert_eq!(super::super::tallies::tallies_disagree(conn).unwrap(), None);
        };
        let carrying =
            |conn: &Connection| super::super::culling::keyword_counts(conn).unwrap()[0].1;
        let version = |conn: &Connection| super::super::tallies::assets_version(conn).unwrap();
        agree(&conn);
        let v0 = version(&conn);
        let deletion = Deletion {
            at: 5,
            by: "u",
            batch: BatchId(1),
            via: None,
            orig_location: "here",
        };
        let leaving = [1, 3].map(|id| Leaving {
            id: AssetId(id),
            deletion,
            missing: if id == 3 {
                super::super::MISSING
            } else {
                super::super::PRESENT
            },
        });
        assert_eq!(begin_trashing(&conn, &leaving).unwrap(), 2);
        agree(&conn);
        assert_eq!(carrying(&conn), 0);
        let v1 = version(&conn);
        assert!(v1 > v0);
        assert_eq!(
            finish_trashing(&conn, &[AssetId(1), AssetId(3)]).unwrap(),
            2
        );
        agree(&conn);
        // Between states of the Trash, the window's version stays.
        assert_eq!(version(&conn), v1);
        let elsewhere = Placement {
            name: "x2",
            name_key: "x2",
            collection: Some(CollectionId(7)),
        };
        assert!(begin_restoring_as(&conn, AssetId(1), elsewhere).unwrap());
        agree(&conn);
        let was = Placement {
            name: "x",
            name_key: "x",
            collection: None,
        };
        assert!(back_to_trash(&conn, AssetId(1), was, None).unwrap());
        agree(&conn);
        assert!(!back_to_trash(&conn, AssetId(1), was, None).unwrap());
        agree(&conn);
        assert_eq!(begin_restoring(&conn, &[AssetId(1)]).unwrap(), 1);
        assert_eq!(finish_restoring_of(&conn, &[AssetId(1)]).unwrap(), 1);
        agree(&conn);
        assert_eq!(carrying(&conn), 1);
        assert!(claim_for_purging(&conn, AssetId(3)).unwrap());
        agree(&conn);
        quarantine(&conn, AssetId(3), "why").unwrap();
        agree(&conn);
        assert!(activate_asset(&conn, AssetId(3), None).unwrap());
        agree(&conn);
        assert_eq!(carrying(&conn), 2);
        assert!(
            set_asset_state(&conn, AssetId(2), AssetState::Trashed, AssetState::Active).unwrap()
        );
        agree(&conn);
        assert_eq!(carrying(&conn), 3);
        assert!(version(&conn) > v1);
    }

    /// A set-wise statement looks each listed record up by its id: were the planner to
    /// scan the table (or a state's index) for the list instead, a bulk action would cost
    /// what the whole library holds, or the list's length squared.
    #[test]
    fn set_wise_statements_look_each_record_up_by_id() {
        let conn = library();
        for (sql, table) in [
            (BEGIN_TRASHING, "assets"),
            (SET_STATES, "assets"),
            (FINISH_RESTORING, "assets"),
            (UNCOUNT, "assets"),
            (super::super::files::PLACE_IN_TRASH, "files"),
        ] {
            let values = ["[]", "active", "trashed", "0", "u", "1", "", "", "0"];
            let plan = crate::store::tests::query_plan(&conn, sql, &values);
            assert!(
                plan.contains(&format!(
                    "SEARCH {table} USING INTEGER PRIMARY KEY (rowid=?)"
                )),
                "{plan}"
            );
            assert!(!plan.contains(&format!("SCAN {table}")), "{plan}");
            assert!(
                !plan.contains("USING INDEX") && !plan.contains("COVERING INDEX"),
                "{plan}"
            );
        }
    }
}
