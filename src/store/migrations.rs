//! The schema, as an append-only list of migrations tracked by `PRAGMA user_version`.
//!
//! Never edit or reorder an entry: add a new one.

use rusqlite::Connection;

use super::StoreError;

/// Every migration, in order; entry `i` brings the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the library.
    r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    -- Folders where Shoebox keeps trashed files. The library's own is `trash` (relative);
    -- others sit on other volumes, beside in-place files, and are absolute.
    CREATE TABLE trash_roots (
        id   INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE
    ) STRICT;

    -- One user action that moved things to the Trash.
    CREATE TABLE batches (
        id         INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        deleted_by TEXT NOT NULL,
        label      TEXT NOT NULL
    ) STRICT;

    CREATE TABLE collections (
        id            INTEGER PRIMARY KEY,
        parent_id     INTEGER REFERENCES collections(id),
        name          TEXT NOT NULL,
        name_key      TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        state         TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'trashed')),
        deleted_at    INTEGER,
        deleted_by    TEXT,
        batch_id      INTEGER REFERENCES batches(id),
        via_id        INTEGER REFERENCES collections(id),
        orig_location TEXT
    ) STRICT;
    CREATE UNIQUE INDEX collections_live_name
        ON collections(ifnull(parent_id, 0), name_key) WHERE state = 'active';
    CREATE INDEX collections_parent ON collections(parent_id);
    CREATE INDEX collections_via ON collections(via_id);

    CREATE TABLE assets (
        id            INTEGER PRIMARY KEY,
        collection_id INTEGER REFERENCES collections(id),
        name          TEXT NOT NULL,
        name_key      TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'other')),
        storage       TEXT NOT NULL CHECK (storage IN ('copy', 'in_place')),
        size          INTEGER NOT NULL,
        hash          TEXT NOT NULL,
        imported_at   INTEGER NOT NULL,
        captured_at   INTEGER,
        width         INTEGER,
        height        INTEGER,
        camera        TEXT,
        state         TEXT NOT NULL DEFAULT 'active'
                      CHECK (state IN ('active', 'trashing', 'trashed', 'restoring', 'purging')),
        missing       INTEGER NOT NULL DEFAULT 0,
        deleted_at    INTEGER,
        deleted_by    TEXT,
        batch_id      INTEGER REFERENCES batches(id),
        via_id        INTEGER REFERENCES collections(id),
        orig_location TEXT
    ) STRICT;
    CREATE UNIQUE INDEX assets_live_name
        ON assets(ifnull(collection_id, 0), name_key) WHERE state IN ('active', 'trashing', 'restoring');
    CREATE INDEX assets_collection ON assets(collection_id);
    CREATE INDEX assets_state ON assets(state, deleted_at);
    CREATE INDEX assets_via ON assets(via_id);
    CREATE INDEX assets_hash ON assets(hash);
    CREATE INDEX assets_batch ON assets(batch_id);

    -- The files of an asset: its main file and companions (sidecars, the RAW of a pair).
    -- `path` is where the file lives while active: relative to the library for copies,
    -- absolute for in-place files. While trashed it lives at trash_root/trash_name.
    CREATE TABLE files (
        id            INTEGER PRIMARY KEY,
        asset_id      INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
        role          TEXT NOT NULL CHECK (role IN ('main', 'sidecar', 'raw')),
        path          TEXT NOT NULL,
        size          INTEGER NOT NULL,
        hash          TEXT NOT NULL,
        dev           INTEGER,
        ino           INTEGER,
        trash_root_id INTEGER REFERENCES trash_roots(id),
        trash_name    TEXT
    ) STRICT;
    CREATE INDEX files_asset ON files(asset_id);

    -- Every permanent deletion, never changed once written.
    CREATE TABLE purge_log (
        id            INTEGER PRIMARY KEY,
        at            INTEGER NOT NULL,
        name          TEXT NOT NULL,
        original_path TEXT NOT NULL,
        size          INTEGER NOT NULL,
        hash          TEXT NOT NULL,
        reason        TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER purge_log_no_update BEFORE UPDATE ON purge_log
        BEGIN SELECT RAISE(ABORT, 'the purge log is append-only'); END;
    CREATE TRIGGER purge_log_no_delete BEFORE DELETE ON purge_log
        BEGIN SELECT RAISE(ABORT, 'the purge log is append-only'); END;
    "#,
    // 2: how long a video or audio file plays, where known.
    r#"
    ALTER TABLE assets ADD COLUMN duration_ms INTEGER;
    "#,
    // 3: ids are never handed out twice; import intents; quarantine; trash-area identity.
    r#"
    -- The highest id ever given per table. Inserts take `last + 1` (see store::next_id);
    -- the triggers refuse any insert that would reuse an id, even one deleted since.
    CREATE TABLE id_high_water (
        tbl  TEXT PRIMARY KEY,
        last INTEGER NOT NULL
    ) STRICT;
    INSERT INTO id_high_water(tbl, last) VALUES
        ('assets', (SELECT ifnull(max(id), 0) FROM assets)),
        ('collections', (SELECT ifnull(max(id), 0) FROM collections)),
        ('batches', (SELECT ifnull(max(id), 0) FROM batches));
    CREATE TRIGGER assets_fresh_id AFTER INSERT ON assets BEGIN
        SELECT RAISE(ABORT, 'an asset id would be reused')
            WHERE NEW.id <= (SELECT last FROM id_high_water WHERE tbl = 'assets');
        UPDATE id_high_water SET last = NEW.id WHERE tbl = 'assets';
    END;
    CREATE TRIGGER collections_fresh_id AFTER INSERT ON collections BEGIN
        SELECT RAISE(ABORT, 'a collection id would be reused')
            WHERE NEW.id <= (SELECT last FROM id_high_water WHERE tbl = 'collections');
        UPDATE id_high_water SET last = NEW.id WHERE tbl = 'collections';
    END;
    CREATE TRIGGER batches_fresh_id AFTER INSERT ON batches BEGIN
        SELECT RAISE(ABORT, 'a batch id would be reused')
            WHERE NEW.id <= (SELECT last FROM id_high_water WHERE tbl = 'batches');
        UPDATE id_high_water SET last = NEW.id WHERE tbl = 'batches';
    END;

    -- Copies an import is making in media/, recorded before the first byte is written and
    -- removed in the transaction that records the asset. At open, a copy still listed here
    -- belongs to an import that never finished: it is removed (its original is untouched).
    CREATE TABLE pending_copies (
        path TEXT PRIMARY KEY
    ) STRICT;

    CREATE INDEX files_path ON files(path);
    CREATE INDEX files_trash ON files(trash_root_id, trash_name);

    -- Why recovery could not settle this record; it is then left alone and shown.
    ALTER TABLE assets ADD COLUMN quarantine TEXT;

    -- A random token written inside each trash area Shoebox makes (in `.shoebox-area`):
    -- a folder is only treated as that trash area when its token matches.
    ALTER TABLE trash_roots ADD COLUMN token TEXT;

    -- The id of what was purged.
    ALTER TABLE purge_log ADD COLUMN item_id TEXT;
    "#,
    // 4: writing records without needless work.
    // - Ids: `store::take_id` moves the high-water mark in the transaction that hands an
    //   id out; per-row triggers doing it made every insert keep a statement journal.
    // - Indexes of columns that are NULL for every active record hold only the others, so
    //   importing and restoring do not maintain entries nobody looks up.
    // - The same CHECK rules, written so that checking them costs no temporary table:
    //   SQLite evaluates `x IN (three or more values)` through a temporary b-tree it builds
    //   for every row written; comparisons joined by OR say the same. They are rewritten
    //   in place (SQLite's documented procedure for constraints every stored row already
    //   meets; `migrate` bumps the schema version and checks every row against them), and
    //   the partial unique index is made again.
    r#"
    DROP TRIGGER assets_fresh_id;
    DROP TRIGGER collections_fresh_id;
    DROP TRIGGER batches_fresh_id;
    DROP INDEX assets_via;
    CREATE INDEX assets_via ON assets(via_id) WHERE via_id IS NOT NULL;
    DROP INDEX assets_batch;
    CREATE INDEX assets_batch ON assets(batch_id) WHERE batch_id IS NOT NULL;
    DROP INDEX collections_via;
    CREATE INDEX collections_via ON collections(via_id) WHERE via_id IS NOT NULL;
    DROP INDEX files_trash;
    CREATE INDEX files_trash ON files(trash_root_id, trash_name) WHERE trash_root_id IS NOT NULL;
    PRAGMA writable_schema=ON;
    UPDATE sqlite_schema SET sql = replace(sql,
        'CHECK (kind IN (''image'', ''video'', ''audio'', ''other''))',
        'CHECK (kind = ''image'' OR kind = ''video'' OR kind = ''audio'' OR kind = ''other'')')
        WHERE type = 'table' AND name = 'assets';
    UPDATE sqlite_schema SET sql = replace(sql,
        'CHECK (state IN (''active'', ''trashing'', ''trashed'', ''restoring'', ''purging''))',
        'CHECK (state = ''active'' OR state = ''trashing'' OR state = ''trashed''
                             OR state = ''restoring'' OR state = ''purging'')')
        WHERE type = 'table' AND name = 'assets';
    UPDATE sqlite_schema SET sql = replace(sql,
        'CHECK (role IN (''main'', ''sidecar'', ''raw''))',
        'CHECK (role = ''main'' OR role = ''sidecar'' OR role = ''raw'')')
        WHERE type = 'table' AND name = 'files';
    PRAGMA writable_schema=RESET;
    DROP INDEX assets_live_name;
    CREATE UNIQUE INDEX assets_live_name
        ON assets(ifnull(collection_id, 0), name_key) WHERE state <> 'trashed' AND state <> 'purging';
    "#,
    // 5: photo dimensions are recorded as the picture is meant to be seen (EXIF orientation).
    // A library with no assets yet has nothing to correct; an older one is corrected once
    // by its next file check (library::check).
    r#"
    INSERT INTO settings(key, value) SELECT 'dimensions_oriented', '1'
        WHERE NOT EXISTS (SELECT 1 FROM assets);
    "#,
    // 6: PDFs (by their first page) and Photoshop files are shown, like pictures.
    r#"
    UPDATE assets SET kind = 'image'
        WHERE kind = 'other' AND (lower(name) LIKE '%.pdf' OR lower(name) LIKE '%.psd');
    "#,
    // 7: SVG drawings are shown, like pictures.
    r#"
    UPDATE assets SET kind = 'image'
        WHERE kind = 'other' AND (lower(name) LIKE '%.svg' OR lower(name) LIKE '%.svgz');
    "#,
    // 8: the size, date and camera of RAW, HEIC/AVIF, PDF, PSD and SVG files are read as
    // their own structure records them. A library with no assets yet has nothing to read
    // again; an older one reads them again once, at its next file check (library::check).
    r#"
    INSERT INTO settings(key, value) SELECT 'formats_read', '1'
        WHERE NOT EXISTS (SELECT 1 FROM assets);
    "#,
    // 9: each file's size and modification time when last seen holding its recorded
    // content, so a check notices a file changed outside Shoebox without reading it all
    // (NULL until a check has seen it).
    r#"
    ALTER TABLE files ADD COLUMN seen TEXT;
    "#,
    // 10: folders imported in place, followed: files that appear there join the collection,
    // files renamed there are followed by their items.
    r#"
    CREATE TABLE followed_folders (
        path          TEXT PRIMARY KEY,
        collection_id INTEGER NOT NULL
    ) STRICT;
    "#,
    // 11: active assets listed in an index's order (by collection, then name), so a
    // listing streams from its first row instead of sorting the whole library first.
    r#"
    CREATE INDEX assets_active_listing
        ON assets(ifnull(collection_id, 0), name_key) WHERE state = 'active';
    "#,
    // 12: the Gallery reads its order from an index per sort key (the key, the name, the
    // id; the size carried along for the status line's total), and finds any part of a
    // name through a trigram index of the names (lower case, as `name_key` holds them),
    // kept in step with the assets by triggers. The index keeps no copy of the names, and
    // forgets a row by its id alone (a purge of many items does not read each name again).
    r#"
    CREATE INDEX assets_by_date ON assets(ifnull(captured_at, imported_at), name_key, id, size)
        WHERE state = 'active';
    CREATE INDEX assets_by_name ON assets(name_key, id, size) WHERE state = 'active';
    CREATE INDEX assets_by_size ON assets(size, name_key, id) WHERE state = 'active';
    CREATE INDEX assets_by_kind ON assets(
        CASE kind WHEN 'image' THEN 0 WHEN 'video' THEN 1 WHEN 'audio' THEN 2 ELSE 3 END,
        name_key, id, size) WHERE state = 'active';
    CREATE VIRTUAL TABLE assets_names USING fts5(
        name_key, content = '', contentless_delete = 1,
        tokenize = 'trigram case_sensitive 1');
    CREATE TRIGGER assets_names_insert AFTER INSERT ON assets BEGIN
        INSERT INTO assets_names(rowid, name_key) VALUES (new.id, new.name_key);
    END;
    CREATE TRIGGER assets_names_delete AFTER DELETE ON assets BEGIN
        DELETE FROM assets_names WHERE rowid = old.id;
    END;
    CREATE TRIGGER assets_names_update AFTER UPDATE OF name_key ON assets
        WHEN new.name_key IS NOT old.name_key BEGIN
        DELETE FROM assets_names WHERE rowid = old.id;
        INSERT INTO assets_names(rowid, name_key) VALUES (new.id, new.name_key);
    END;
    INSERT INTO assets_names(rowid, name_key) SELECT id, name_key FROM assets;
    "#,
    // 13: how many assets, and how many bytes, each collection holds in each state (and
    // each presence on disk), kept in step with the assets by triggers in the same
    // transaction: the collection tree's counts and the status line's totals are read from
    // at most a few thousand rows however many items the library holds. And the version
    // of the assets, moved on by triggers at each change.
    r#"
    CREATE TABLE asset_tallies (
        collection_key INTEGER NOT NULL,
        state          TEXT NOT NULL,
        missing        INTEGER NOT NULL,
        items          INTEGER NOT NULL,
        bytes          INTEGER NOT NULL,
        PRIMARY KEY (collection_key, state, missing)
    ) STRICT, WITHOUT ROWID;
    CREATE TRIGGER asset_tallies_insert AFTER INSERT ON assets BEGIN
        INSERT INTO asset_tallies VALUES
            (ifnull(new.collection_id, 0), new.state, new.missing, 1, new.size)
        ON CONFLICT DO UPDATE SET items = items + 1, bytes = bytes + excluded.bytes;
    END;
    CREATE TRIGGER asset_tallies_delete AFTER DELETE ON assets BEGIN
        UPDATE asset_tallies SET items = items - 1, bytes = bytes - old.size
        WHERE collection_key = ifnull(old.collection_id, 0) AND state = old.state
          AND missing = old.missing;
    END;
    CREATE TRIGGER asset_tallies_update AFTER UPDATE OF collection_id, state, missing, size
        ON assets
        WHEN old.collection_id IS NOT new.collection_id OR old.state IS NOT new.state
          OR old.missing IS NOT new.missing OR old.size IS NOT new.size BEGIN
        UPDATE asset_tallies SET items = items - 1, bytes = bytes - old.size
        WHERE collection_key = ifnull(old.collection_id, 0) AND state = old.state
          AND missing = old.missing;
        INSERT INTO asset_tallies VALUES
            (ifnull(new.collection_id, 0), new.state, new.missing, 1, new.size)
        ON CONFLICT DO UPDATE SET items = items + 1, bytes = bytes + excluded.bytes;
    END;
    INSERT INTO asset_tallies
        SELECT ifnull(collection_id, 0), state, missing, count(*), sum(size) FROM assets
        GROUP BY 1, 2, 3;
    -- A number that moves on whenever an asset comes, goes or changes what orders or
    -- places it: the Gallery reads its view again only when it has.
    CREATE TABLE assets_version (
        id      INTEGER PRIMARY KEY CHECK (id = 0),
        version INTEGER NOT NULL
    ) STRICT;
    INSERT INTO assets_version VALUES (0, 0);
    CREATE TRIGGER assets_version_insert AFTER INSERT ON assets BEGIN
        UPDATE assets_version SET version = version + 1 WHERE id = 0;
    END;
    CREATE TRIGGER assets_version_delete AFTER DELETE ON assets BEGIN
        UPDATE assets_version SET version = version + 1 WHERE id = 0;
    END;
    CREATE TRIGGER assets_version_update
        AFTER UPDATE OF collection_id, name_key, kind, size, imported_at, captured_at, state
        ON assets BEGIN
        UPDATE assets_version SET version = version + 1 WHERE id = 0;
    END;
    "#,
    // 14: what the user gives an asset to cull and organise it: a rating (0-5 stars), a
    // flag (1 pick, -1 reject, 0 none), a colour label (its rule written without `IN`, as
    // migration 4 rewrote the others, so a write builds no temporary table to check it),
    // and keywords (a tree by their
    // paths, `Places|Portugal|Lisbon`, one keyword whatever the case). An asset's links
    // to its keywords go with its record; changing any of it moves the assets' version on
    // (a Gallery filtered by it reads its view again).
    r#"
    ALTER TABLE assets ADD COLUMN rating INTEGER NOT NULL DEFAULT 0
        CHECK (rating BETWEEN 0 AND 5);
    ALTER TABLE assets ADD COLUMN flag INTEGER NOT NULL DEFAULT 0 CHECK (flag BETWEEN -1 AND 1);
    ALTER TABLE assets ADD COLUMN label TEXT
        CHECK (label = 'red' OR label = 'yellow' OR label = 'green' OR label = 'blue'
               OR label = 'purple');
    CREATE TABLE keywords (
        id       INTEGER PRIMARY KEY,
        path     TEXT NOT NULL,
        path_key TEXT NOT NULL UNIQUE
    ) STRICT;
    CREATE TABLE asset_keywords (
        asset_id   INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
        keyword_id INTEGER NOT NULL REFERENCES keywords(id) ON DELETE CASCADE,
        PRIMARY KEY (asset_id, keyword_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX asset_keywords_keyword ON asset_keywords(keyword_id);
    DROP TRIGGER assets_version_update;
    CREATE TRIGGER assets_version_update
        AFTER UPDATE OF collection_id, name_key, kind, size, imported_at, captured_at, state,
            rating, flag, label
        ON assets BEGIN
        UPDATE assets_version SET version = version + 1 WHERE id = 0;
    END;
    CREATE TRIGGER asset_keywords_version_insert AFTER INSERT ON asset_keywords BEGIN
        UPDATE assets_version SET version = version + 1 WHERE id = 0;
    END;
    CREATE TRIGGER asset_keywords_version_delete AFTER DELETE ON asset_keywords BEGIN
        UPDATE assets_version SET version = version + 1 WHERE id = 0;
    END;
    "#,
    // 15: the Gallery sorts by import date and by rating as it does by the other keys,
    // from an index; the rejects of a view are counted from an index of the rejects alone;
    // the cameras are read one by one from an index of cameras (a search word names one).
    // And the searches saved as smart collections, by name.
    r#"
    CREATE TABLE smart_collections (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        name_key   TEXT NOT NULL UNIQUE,
        search     TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX assets_by_import ON assets(imported_at, name_key, id, size)
        WHERE state = 'active';
    CREATE INDEX assets_by_rating ON assets(rating, name_key, id, size) WHERE state = 'active';
    CREATE INDEX assets_rejected ON assets(collection_id) WHERE flag = -1 AND state = 'active';
    CREATE INDEX assets_camera ON assets(camera) WHERE camera IS NOT NULL AND state = 'active';
    -- What `type:` names an asset (a RAW and a PDF are images by kind), worked out from its
    -- kind and its name's extension (those of `media::probe::RAW`), with an index: a
    -- type few items have is found without reading every one. Labels and picks too.
    ALTER TABLE assets ADD COLUMN file_type TEXT GENERATED ALWAYS AS (
        CASE kind WHEN 'image' THEN
            CASE WHEN name_key LIKE '%.dng' OR
                      name_key LIKE '%.cr2' OR
                      name_key LIKE '%.cr3' OR
                      name_key LIKE '%.nef' OR
                      name_key LIKE '%.arw' OR
                      name_key LIKE '%.raf' OR
                      name_key LIKE '%.orf' OR
                      name_key LIKE '%.rw2' OR
                      name_key LIKE '%.pef' OR
                      name_key LIKE '%.srw' THEN 'raw'
                 WHEN name_key LIKE '%.pdf' THEN 'document'
                 ELSE 'photo' END
        ELSE kind END) VIRTUAL;
    CREATE INDEX assets_by_type ON assets(file_type) WHERE state = 'active';
    CREATE INDEX assets_labelled ON assets(label) WHERE label IS NOT NULL AND state = 'active';
    CREATE INDEX assets_picked ON assets(collection_id) WHERE flag = 1 AND state = 'active';
    "#,
    // 16: how many active assets carry each keyword, kept in step by triggers (a link made
    // or taken away, an asset going to the Trash or coming back): the keyword tree's counts
    // are read from the keywords alone, not by counting their links. An asset's links go
    // before it does, while its state still says what they counted for.
    r#"
    ALTER TABLE keywords ADD COLUMN active INTEGER NOT NULL DEFAULT 0;
    UPDATE keywords SET active = (
        SELECT count(*) FROM asset_keywords ak JOIN assets a ON a.id = ak.asset_id
        WHERE ak.keyword_id = keywords.id AND a.state = 'active');
    CREATE TRIGGER keyword_tallies_link AFTER INSERT ON asset_keywords BEGIN
        UPDATE keywords SET active = active + 1
        WHERE id = new.keyword_id
          AND (SELECT state FROM assets WHERE id = new.asset_id) = 'active';
    END;
    CREATE TRIGGER keyword_tallies_unlink AFTER DELETE ON asset_keywords BEGIN
        UPDATE keywords SET active = active - 1
        WHERE id = old.keyword_id
          AND (SELECT state FROM assets WHERE id = old.asset_id) = 'active';
    END;
    CREATE TRIGGER keyword_tallies_state AFTER UPDATE OF state ON assets
        WHEN (old.state = 'active') <> (new.state = 'active') BEGIN
        UPDATE keywords SET active = active + CASE new.state WHEN 'active' THEN 1 ELSE -1 END
        WHERE id IN (SELECT keyword_id FROM asset_keywords WHERE asset_id = new.id);
    END;
    CREATE TRIGGER keyword_tallies_asset_gone BEFORE DELETE ON assets BEGIN
        DELETE FROM asset_keywords WHERE asset_id = old.id;
    END;
    "#,
    // 17: the Gallery sorts by flag and by colour label from an index, as by the other keys
    // (the label's order: none, then as the keys 6-9 and purple).
    r#"
    CREATE INDEX assets_by_flag ON assets(flag, name_key, id, size) WHERE state = 'active';
    CREATE INDEX assets_by_label ON assets(
        CASE label WHEN 'red' THEN 1 WHEN 'yellow' THEN 2 WHEN 'green' THEN 3
                   WHEN 'blue' THEN 4 WHEN 'purple' THEN 5 ELSE 0 END,
        name_key, id, size) WHERE state = 'active';
    "#,
    // 18: what Shoebox is about to write into a sidecar (SPEC §5, write XMP), recorded
    // before it writes: the hidden file it writes first, and the sidecar with the hash of
    // what goes there. After a crash the library finishes from these (see
    // `Library::settle_sidecar_writes`).
    r#"
    CREATE TABLE pending_writes (
        path     TEXT PRIMARY KEY,
        in_place INTEGER NOT NULL,
        asset_id INTEGER NOT NULL,
        file_id  INTEGER,
        hash     TEXT NOT NULL,
        temp     INTEGER NOT NULL
    ) STRICT;
    "#,
    // 19: an asset going to the Trash or coming back changes the keyword counts only when
    // it carries a keyword: the trigger looks before it starts its work (for an asset
    // without keywords it cost more than the state change itself). And the Gallery's
    // version moves on only for a change to an asset the Gallery shows or showed (one
    // moving between Trash states, or changed while in the Trash, leaves it alone). The
    // listing of active assets by collection and name reads the index of live names (the
    // same key; a listing reads each asset's row anyway): one index fewer to keep on every
    // import, move to the Trash and restore.
    r#"
    DROP INDEX assets_active_listing;
    DROP TRIGGER assets_version_update;
    CREATE TRIGGER assets_version_update
        AFTER UPDATE OF collection_id, name_key, kind, size, imported_at, captured_at, state,
            rating, flag, label
        ON assets WHEN old.state = 'active' OR new.state = 'active' BEGIN
        UPDATE assets_version SET version = version + 1 WHERE id = 0;
    END;
    DROP TRIGGER keyword_tallies_state;
    CREATE TRIGGER keyword_tallies_state AFTER UPDATE OF state ON assets
        WHEN (old.state = 'active') <> (new.state = 'active')
          AND EXISTS (SELECT 1 FROM asset_keywords WHERE asset_id = new.id) BEGIN
        UPDATE keywords SET active = active + CASE new.state WHEN 'active' THEN 1 ELSE -1 END
        WHERE id IN (SELECT keyword_id FROM asset_keywords WHERE asset_id = new.id);
    END;
    "#,
    // 20: an import's names go into the index of names once per transaction, all together
    // (`records::insert_assets_tx`), not by a trigger at each statement: the full-text index
    // writes what it holds at every statement's end, many small pieces to merge later. And
    // the index of contents holds the first 16 characters of each hash (64 bits), not all
    // 64: a third of the size, so more of it stays in memory and each import writes fewer
    // pages; a lookup compares the whole hash on the rows it finds.
    r#"
    DROP TRIGGER assets_names_insert;
    DROP INDEX assets_hash;
    CREATE INDEX assets_hash ON assets(substr(hash, 1, 16));
    "#,
    // 21: the contents in the Trash have an index of their own, so the look for the same
    // content in the Trash (at each import chunk) reads the Trash's entries alone, not
    // every asset with that content: in a library of many identical files (empty ones,
    // the same sidecar under many names) each look cost their number, an import their
    // square. It changes only as assets go in and out of the Trash.
    r#"
    CREATE INDEX assets_trashed_hash ON assets(substr(hash, 1, 16)) WHERE state = 'trashed';
    "#,
    // 22: new assets are counted into the tallies, and move the version on, once per
    // insert of many (`records::insert_assets_tx`, the one place assets are made), not by
    // two triggers at each row: at a million rows those were two more statements a row.
    r#"
    DROP TRIGGER asset_tallies_insert;
    DROP TRIGGER assets_version_insert;
    "#,
    // 23: a change of state is counted (the tallies, the keywords' counts of active items,
    // the version) once per statement of many records, by `lifecycle`, the one place states
    // change, not by three triggers at each row: moving 100,000 items to the Trash spent a
    // fifth of its time in them. The triggers left count what changes with the state as it
    // is (a move between collections, a file found missing, a size read again).
    r#"
    DROP TRIGGER asset_tallies_update;
    CREATE TRIGGER asset_tallies_update AFTER UPDATE OF collection_id, missing, size ON assets
        WHEN old.state IS new.state AND (old.collection_id IS NOT new.collection_id
          OR old.missing IS NOT new.missing OR old.size IS NOT new.size) BEGIN
        UPDATE asset_tallies SET items = items - 1, bytes = bytes - old.size
        WHERE collection_key = ifnull(old.collection_id, 0) AND state = old.state
          AND missing = old.missing;
        INSERT INTO asset_tallies VALUES
            (ifnull(new.collection_id, 0), new.state, new.missing, 1, new.size)
        ON CONFLICT DO UPDATE SET items = items + 1, bytes = bytes + excluded.bytes;
    END;
    DROP TRIGGER assets_version_update;
    CREATE TRIGGER assets_version_update
        AFTER UPDATE OF collection_id, name_key, kind, size, imported_at, captured_at,
            rating, flag, label
        ON assets WHEN old.state IS new.state AND old.state = 'active' BEGIN
        UPDATE assets_version SET version = version + 1 WHERE id = 0;
    END;
    DROP TRIGGER keyword_tallies_state;
    "#,
    // 24: the indexes the Gallery sorts by rating, flag, label and kind by hold the items
    // off the usual value only (stars, a flag, a label; a kind other than image): a new
    // item carries the usual value and takes no entry in them (an import of a million kept
    // four more entries an item, each in name order, so all over the index). The items
    // with the usual value are read through the name index, which holds the four values,
    // so a view sorted by one reads that index alone (see `store::gallery::Segment`).
    r#"
    DROP INDEX assets_by_name;
    CREATE INDEX assets_by_name ON assets(name_key, id, size, rating, flag, label, kind)
        WHERE state = 'active';
    DROP INDEX assets_by_rating;
    CREATE INDEX assets_by_rating ON assets(rating, name_key, id, size)
        WHERE state = 'active' AND rating <> 0;
    DROP INDEX assets_by_flag;
    CREATE INDEX assets_by_flag ON assets(flag, name_key, id, size)
        WHERE state = 'active' AND flag <> 0;
    DROP INDEX assets_by_label;
    CREATE INDEX assets_by_label ON assets(
        CASE label WHEN 'red' THEN 1 WHEN 'yellow' THEN 2 WHEN 'green' THEN 3
                   WHEN 'blue' THEN 4 WHEN 'purple' THEN 5 ELSE 0 END,
        name_key, id, size) WHERE state = 'active' AND label IS NOT NULL;
    DROP INDEX assets_by_kind;
    CREATE INDEX assets_by_kind ON assets(
        CASE kind WHEN 'image' THEN 0 WHEN 'video' THEN 1 WHEN 'audio' THEN 2 ELSE 3 END,
        name_key, id, size) WHERE state = 'active' AND kind <> 'image';
    "#,
    // 25: no index of every item's content. It was there for a purge to keep the pictures
    // (thumbnails, previews) another item with the same content shows; they now go with
    // the purged item and are made again when that other item is next shown. The index
    // cost each import an entry at a random place among a million (importing a million
    // files in place: 23.7-24.3 s without it, 23.9-25.8 s with it). The Trash's contents
    // keep their index (migration 21).
    r#"
    DROP INDEX assets_hash;
    "#,
    // 26: `file_type` worked out from the last four characters of the name's key (each
    // extension it names has three letters), not by matching the whole name against eleven
    // patterns: an import computes it for the index of types at every item (0.25 s
    // instead of 0.55 s for a million, in `sqlite3`). The column is not stored; its
    // definition is rewritten in place (as migration 4 does), and its index made again
    // (2.3 s in all for a million items).
    r#"
    DROP INDEX assets_by_type;
    PRAGMA writable_schema=ON;
    UPDATE sqlite_schema SET sql = replace(sql,
        'CASE WHEN name_key LIKE ''%.dng'' OR
                      name_key LIKE ''%.cr2'' OR
                      name_key LIKE ''%.cr3'' OR
                      name_key LIKE ''%.nef'' OR
                      name_key LIKE ''%.arw'' OR
                      name_key LIKE ''%.raf'' OR
                      name_key LIKE ''%.orf'' OR
                      name_key LIKE ''%.rw2'' OR
                      name_key LIKE ''%.pef'' OR
                      name_key LIKE ''%.srw'' THEN ''raw''
                 WHEN name_key LIKE ''%.pdf'' THEN ''document''
                 ELSE ''photo'' END',
        'CASE substr(name_key, -4)
                WHEN ''.dng'' THEN ''raw'' WHEN ''.cr2'' THEN ''raw'' WHEN ''.cr3'' THEN ''raw''
                WHEN ''.nef'' THEN ''raw'' WHEN ''.arw'' THEN ''raw'' WHEN ''.raf'' THEN ''raw''
                WHEN ''.orf'' THEN ''raw'' WHEN ''.rw2'' THEN ''raw'' WHEN ''.pef'' THEN ''raw''
                WHEN ''.srw'' THEN ''raw''
                WHEN ''.pdf'' THEN ''document''
                ELSE ''photo'' END')
        WHERE type = 'table' AND name = 'assets';
    PRAGMA writable_schema=RESET;
    CREATE INDEX assets_by_type ON assets(file_type) WHERE state = 'active';
    "#,
];

/// Applies every migration the database has not seen, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        if sql.contains("writable_schema") {
            // The schema's text changed without DDL: tell every reader to load it again,
            // and make sure what was written parses and every row meets its constraints.
            // (`quick_check` reads every row against them; what it leaves out, each index
            // against its table, is not what a rewrite touches, and the indexes of what
            // changed are made again by the migration. A full `integrity_check` took 9.6 s
            // of a million-item library, `quick_check` 1.5 s.)
            let version: i64 = tx.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
            tx.pragma_update(None, "schema_version", version + 1)?;
            let check: String = tx.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
            if check != "ok" {
                return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                    Some(format!("schema rewrite {}: {check}", i + 1)),
                )));
            }
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
