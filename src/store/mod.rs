//! SQLite storage for a library: opening with safe pragmas and the schema's migrations.
//!
//! The domain (`crate::library`) owns the rules; this module only knows how the data is kept,
//! and holds every statement. States are bound as typed values (`AssetState`,
//! `CollectionStatus`), except `state = 'active'` where a query must meet a partial index
//! (`WHERE state = 'active'`): SQLite's planner chooses a partial index only when the
//! query's own text implies the index's condition, which a bound parameter does not.

pub mod areas;
pub mod culling;
pub mod files;
pub mod following;
mod gallery;
pub mod importing;
pub mod lifecycle;
mod listings;
mod migrations;
pub mod purging;
mod records;
pub mod restoring;
pub mod rows;
mod tallies;
pub mod trash_listing;
pub mod tree;
mod types;

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

pub use gallery::{
    Compare, Filter, GalleryView, Order, active_assets_by_id, active_pictures_after, cameras,
    each_gallery_id, in_place_files_after, keywords, rejected_in_view,
};
pub use listings::{AssetListing, each_active_asset};
pub use migrations::{MIGRATIONS, migrate};
pub use records::{
    NewAsset, NewFile, TrashedAt, delete_batch, insert_asset_tx, insert_assets_tx, insert_batch_tx,
    insert_collection_tx,
};
pub use tallies::{
    active_bytes, active_counts_by_collection, assets_version, recount, trashed_bytes_except,
};
pub use types::{
    AssetId, AssetState, BatchId, CollectionId, CollectionStatus, IdTable, MISSING, OFFLINE,
    PRESENT, Storage,
};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("the disk holding the library is full; free some space and try again")]
    DiskFull(rusqlite::Error),
    #[error(
        "the database refused write-ahead logging (journal mode is {0}); is the library on a network drive?"
    )]
    NoWal(String),
    #[error("the library was made by a newer Shoebox (schema {found}, this one knows {known})")]
    TooNew { found: i64, known: i64 },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if is_disk_full(&e) {
            StoreError::DiskFull(e)
        } else {
            StoreError::Sqlite(e)
        }
    }
}

/// Whether a SQLite error means the disk is full (SQLite reports some of those as I/O
/// errors while growing its files).
pub fn is_disk_full(e: &rusqlite::Error) -> bool {
    const IOERR_WRITE: i32 = 10 | (3 << 8);
    const IOERR_TRUNCATE: i32 = 10 | (6 << 8);
    const IOERR_SHMSIZE: i32 = 10 | (19 << 8);
    const IOERR_SHMMAP: i32 = 10 | (21 << 8);
    match e {
        rusqlite::Error::SqliteFailure(err, _) => {
            err.code == rusqlite::ErrorCode::DiskFull
                || matches!(
                    err.extended_code,
                    IOERR_WRITE | IOERR_TRUNCATE | IOERR_SHMSIZE | IOERR_SHMMAP
                )
        }
        _ => false,
    }
}

/// Opens (creating if needed) the database at `path` with the pragmas Shoebox relies on,
/// and brings its schema up to date.
///
/// The connection holds the database in exclusive locking mode: Shoebox is the only
/// process on a library anyway (its lock file sees to that), and so SQLite needs no
/// shared-memory file (a library on a full disk can still be read) and takes no file lock
/// per statement (bulk actions on 10,000 items run many).
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA locking_mode=EXCLUSIVE;")?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(128);
    // The planner never looks at bound values: otherwise a statement comparing a column to
    // a parameter where a partial index's condition names that column (`state = ?1`) is
    // prepared anew at every run, its parse costing more than its work. Queries that need a
    // partial index say its condition in their text (see the module's doc).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::NoWal(mode));
    }
    // Statement journals (each UPDATE of a bulk action keeps one, for its own rollback)
    // stay in memory instead of a temporary file written page by page. `fullfsync` makes
    // SQLite's flushes reach the disk itself on macOS (F_FULLFSYNC); elsewhere SQLite ignores it.
    // A page cache of up to 32 MiB (SQLite's default is 2 MiB): a listing of a million
    // items otherwise reads its pages from the file again and again (half its time in
    // the kernel).
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA fullfsync=ON; PRAGMA checkpoint_fullfsync=ON; \
         PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768;",
    )?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Runs one statement through the connection's statement cache (the protocols run the
/// same few statements for every item of a bulk action).
pub fn exec<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// How many records one set-wise statement changes at most (its rows travel as one JSON
/// text, read by `json_each`).
const ROWS_PER_STATEMENT: usize = 10_000;

/// Values as one JSON array, for a statement that reads them with `json_each`.
pub(crate) fn json_list(values: impl Iterator<Item = serde_json::Value>) -> String {
    serde_json::Value::Array(values.collect()).to_string()
}

/// The bounds of the paths below a folder, for `path >= from AND path < to` (which reads
/// the path index: the cost is that of the folder, not of the library). `from` is the
/// folder's path followed by the separator; every path starting with it sorts before the
/// folder's path followed by the character after the separator.
pub(crate) fn paths_below(folder: &str, sep: char) -> Option<(String, String)> {
    // The root (`/`, `C:\`) ends with the separator already.
    let folder = folder.strip_suffix(sep).unwrap_or(folder);
    let next = char::from_u32(sep as u32 + 1)?;
    Some((format!("{folder}{sep}"), format!("{folder}{next}")))
}

/// Changes many records with one statement per [`ROWS_PER_STATEMENT`] of them: `run` gets
/// each chunk's rows (`row` of each item) as one JSON list; the sum of what it returned. A
/// statement per record costs a statement journal (every page it touches copied) and the
/// start of each trigger, many times what the change itself costs. Such a statement names
/// the record it changes by `rowid` and keeps other columns' indexes out of the plan
/// (`+column`): the planner must look each row up, never scan the table for the list.
pub(crate) fn set_wise<T>(
    items: &[T],
    row: impl Fn(&T) -> serde_json::Value,
    mut run: impl FnMut(String) -> rusqlite::Result<usize>,
) -> rusqlite::Result<usize> {
    let mut changed = 0;
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        changed += run(json_list(chunk.iter().map(&row)))?;
    }
    Ok(changed)
}

/// Begins a write transaction that takes the write lock at once.
pub fn write_tx(conn: &mut Connection) -> rusqlite::Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}

/// Begins a write transaction on `conn` (taking the write lock at once) for work that needs
/// the connection's owner while it is open: the statements it runs on `conn` join it. End
/// it with [`end_write`].
pub fn begin_write(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")
}

/// Ends what [`begin_write`] began: commits it, or rolls it back.
pub fn end_write(conn: &Connection, commit: bool) -> rusqlite::Result<()> {
    conn.execute_batch(if commit { "COMMIT" } else { "ROLLBACK" })
}

/// Hands out the next id of `table`: one above the highest ever given, recorded as given
/// in the insert's own transaction, so an id is never handed out twice (not even one
/// whose item has since been deleted: the mark only ever moves up, and together with the
/// insert or not at all). Every insert of an asset, collection or batch takes its id here
/// (`records.rs`).
pub(crate) fn take_id(conn: &Connection, table: IdTable) -> rusqlite::Result<i64> {
    // Two plain statements: `UPDATE … RETURNING` would collect its one row in a
    // temporary table, which costs more than the insert it serves.
    take_ids(conn, table, 1)
}

/// Hands out `n` consecutive ids of `table` at once (see [`take_id`]); returns the first.
pub(crate) fn take_ids(conn: &Connection, table: IdTable, n: usize) -> rusqlite::Result<i64> {
    let first: i64 = conn
        .prepare_cached("SELECT last + 1 FROM id_high_water WHERE tbl = ?1")?
        .query_row([table.name()], |r| r.get(0))?;
    conn.prepare_cached("UPDATE id_high_water SET last = ?2 WHERE tbl = ?1")?
        .execute(rusqlite::params![table.name(), first + n as i64 - 1])?;
    Ok(first)
}

/// Reads a setting, `None` when unset.
pub fn get_setting(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()
}

/// Removes a setting.
pub fn clear_setting(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM settings WHERE key = ?1")?
        .execute([key])?;
    Ok(())
}

/// Writes a setting.
pub fn set_setting(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO settings(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// `PRAGMA integrity_check` and `foreign_key_check` both clean, and the tallies agreeing
/// with the assets they count.
pub fn check_integrity(conn: &Connection) -> rusqlite::Result<Result<(), String>> {
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if integrity != "ok" {
        return Ok(Err(integrity));
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = stmt.query([])?;
    if let Some(row) = rows.next()? {
        let table: String = row.get(0)?;
        return Ok(Err(format!("foreign key violation in {table}")));
    }
    if let Some(why) = tallies::tallies_disagree(conn)? {
        return Ok(Err(why));
    }
    Ok(Ok(()))
}

/// Opens a database file read-only and checks it (`thorough`: every page): its schema
/// version when it is whole.
pub fn check_file(path: &Path, thorough: bool) -> rusqlite::Result<i64> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let check: String = if thorough {
        conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?
    } else {
        "ok".into()
    };
    if check != "ok" {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(check),
        ));
    }
    if version > 0 {
        let assets: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'assets'",
            [],
            |r| r.get(0),
        )?;
        if assets == 0 {
            return Ok(0);
        }
    }
    Ok(version)
}

/// Copies the database, a few thousand pages at a time, into a new file at `to`. Between
/// steps `stop` is asked whether to give up (something else wants the connection): then
/// the copy is left unfinished and false returned.
pub fn copy_to(
    conn: &Connection,
    to: &Path,
    stop: &mut dyn FnMut() -> bool,
) -> rusqlite::Result<bool> {
    use rusqlite::backup::{Backup, StepResult};
    let mut dst = Connection::open(to)?;
    let backup = Backup::new(conn, &mut dst)?;
    loop {
        match backup.step(PAGES_PER_STEP)? {
            StepResult::Done => return Ok(true),
            StepResult::More if stop() => return Ok(false),
            StepResult::More => {}
            // Only this connection uses the database (exclusive locking): never expected.
            _ => {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                    Some("the database was busy during the backup".into()),
                ));
            }
        }
    }
}

/// Pages one step of a backup copies (16 MiB of 4 KiB pages: a step takes a few
/// milliseconds).
const PAGES_PER_STEP: i32 = 4_096;

#[cfg(test)]
pub(crate) mod tests {
    use rusqlite::StatementStatus;

    use super::*;

    /// A migration that rewrites the schema's text in place checks every row against what
    /// it says: a row that breaks a rule (here a kind no rule allows, written past the
    /// checks) stops the migration, and the library stays at the version before it.
    #[test]
    fn a_schema_rewrite_meeting_a_row_that_breaks_its_rules_is_not_applied() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("library.db")).unwrap();
        for sql in &migrations::MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "PRAGMA ignore_check_constraints=ON;
             INSERT INTO assets(id, name, name_key, kind, storage, size, hash, imported_at)
             VALUES (1, 'x', 'x', 'bogus', 'copy', 1, 'h', 0);
             PRAGMA ignore_check_constraints=OFF;",
        )
        .unwrap();
        let err = migrations::migrate(&mut conn).expect_err("the rewrite's check fails");
        assert!(err.to_string().contains("schema rewrite 4"), "{err}");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 3);
    }

    /// A statement binding a state (`+a.state = ?4`, where partial indexes name `state`) is
    /// prepared once and run many times: the planner does not look at bound values.
    #[test]
    fn a_statement_binding_a_state_is_not_prepared_again_at_each_run() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("library.db")).unwrap();
        for i in 0..5 {
            importing::collection_of_folder(&conn, &format!("/photos/{i}"), '/').unwrap();
        }
        let stmt = conn
            .prepare_cached(importing::COLLECTION_OF_FOLDER)
            .unwrap();
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
    }

    /// Every lookup by content reads an index that holds only what it looks for: that of
    /// contents in the Trash (a prefix of each hash, migrations 20 and 21) for a Trash
    /// entry, the active assets by name for one with the same name and content. Were the
    /// prefix said another way, SQLite would read every asset of the library at each file
    /// imported; were the trashed and active looked for among all those of the same
    /// content, every asset with that content (a library of a thousand empty files).
    #[test]
    fn lookups_by_content_read_the_index_of_contents() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("library.db")).unwrap();
        for (sql, search) in [
            (
                importing::ACTIVE_DUPLICATE,
                "SEARCH assets USING INDEX assets_by_name (name_key=?)",
            ),
            (
                importing::TRASHED_WITH_CONTENT,
                "SEARCH assets USING INDEX assets_trashed_hash (<expr>=?)",
            ),
        ] {
            let plan = query_plan(&conn, sql, &["[]", "a"]);
            assert!(plan.contains(search), "{sql}: {plan}");
            assert!(!plan.contains("SCAN assets"), "{sql}: {plan}");
        }
    }

    /// How SQLite would run `sql` (with the first of `values` bound to its parameters),
    /// one step of the plan after another, joined by `; `.
    pub(crate) fn query_plan(conn: &Connection, sql: &str, values: &[&str]) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let params = rusqlite::params_from_iter(&values[..stmt.parameter_count()]);
        let plan: Vec<String> = stmt
            .query_map(params, |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        plan.join("; ")
    }

    /// The statements reading the files in or below a folder read the path index: were
    /// the planner to go through the assets instead, an import would read the whole
    /// library at each folder it comes to (a million items in 1,000 folders: 11 minutes).
    #[test]
    fn lookups_by_folder_read_the_index_of_paths() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("library.db")).unwrap();
        for sql in [
            importing::COLLECTION_OF_FOLDER,
            following::IN_PLACE_PATHS_UNDER,
        ] {
            let plan = query_plan(&conn, sql, &["/a/", "/a0", "/", "active", "in_place"]);
            assert!(
                plan.contains("SEARCH f USING INDEX files_path (path>? AND path<?)"),
                "{sql}: {plan}"
            );
            assert!(
                plan.contains("SEARCH a USING INTEGER PRIMARY KEY (rowid=?)"),
                "{sql}: {plan}"
            );
            assert!(!plan.contains("SCAN"), "{sql}: {plan}");
        }
    }

    /// The names taken in a collection are found through the index of live names: a
    /// look at the whole library for each folder an import comes to would make an import
    /// cost the square of the library's size.
    #[test]
    fn the_names_taken_in_a_collection_are_read_from_the_index_of_live_names() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("library.db")).unwrap();
        let plan = query_plan(&conn, importing::ASSET_KEYS, &["1"]);
        assert_eq!(
            plan,
            "SEARCH assets USING INDEX assets_live_name (<expr>=?)"
        );
    }

    /// The paths below a folder are those starting with its path and a separator, the
    /// root's too.
    #[test]
    fn the_paths_below_a_folder_are_bounded_by_the_character_after_the_separator() {
        assert_eq!(
            paths_below("/photos", '/'),
            Some(("/photos/".to_string(), "/photos0".to_string()))
        );
        assert_eq!(
            paths_below("/", '/'),
            Some(("/".to_string(), "0".to_string()))
        );
        assert_eq!(
            paths_below(r"C:\", '\\'),
            Some((r"C:\".to_string(), "C:]".to_string()))
        );
        let (from, to) = paths_below("/photos", '/').unwrap();
        for (path, below) in [
            ("/photos/a.jpg", true),
            ("/photos/2024/a.jpg", true),
            ("/photos", false),
            ("/photos 2/a.jpg", false),
            ("/photos-old/a.jpg", false),
            ("/photosa/a.jpg", false),
        ] {
            assert_eq!(path >= from.as_str() && path < to.as_str(), below, "{path}");
        }
    }

    /// A backup gives up between steps when asked to (the window wants the library), and
    /// otherwise copies every page.
    #[test]
    fn a_backup_gives_up_between_steps_when_asked_and_else_copies_everything() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("library.db")).unwrap();
        // More pages than one step copies.
        conn.execute_batch(
            "CREATE TABLE big(b BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 24)
             INSERT INTO big SELECT zeroblob(1024 * 1024) FROM n;",
        )
        .unwrap();
        let mut asked = 0;
        let copied = copy_to(&conn, &dir.path().join("given-up.db"), &mut || {
            asked += 1;
            true
        })
        .unwrap();
        assert!(!copied);
        assert_eq!(asked, 1);
        let whole = dir.path().join("whole.db");
        assert!(copy_to(&conn, &whole, &mut || false).unwrap());
        let n: i64 = Connection::open(&whole)
            .unwrap()
            .query_row("SELECT count(*) FROM big", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 24);
    }
}
