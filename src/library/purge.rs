//! Permanent deletion: delete permanently, Empty Trash and the expiry sweep. A file is
//! destroyed only inside a trash area Shoebox made, only for a record moved
//! `trashed → purging` by a compare-and-set, and each deletion is written to the purge log.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::trash::display_location;
use super::{
    AssetId, BulkReport, CollectionId, ItemId, ItemOutcome, Library, Problem, Result, fsops,
};
use crate::clock::SECS_PER_DAY;
pub use crate::store::purging::PurgeLogEntry;
use crate::store::{self, AssetState, CollectionStatus, lifecycle, purging};

/// Why something was destroyed, as written in the purge log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeReason {
    /// Outlived the retention period.
    Expired,
    /// The user deleted it permanently.
    User,
    /// The user emptied the Trash.
    EmptyTrash,
}

impl PurgeReason {
    fn as_str(self) -> &'static str {
        match self {
            PurgeReason::Expired => "expired",
            PurgeReason::User => "deleted permanently",
            PurgeReason::EmptyTrash => "empty trash",
        }
    }
}

/// What a sweep did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepReport {
    /// Trash entries purged.
    pub purged: usize,
    pub freed_bytes: u64,
    /// Why nothing was purged, when the guarded clock held the sweep.
    pub held: Option<super::ClockHold>,
    /// Entries left alone (their trash area is offline) or that failed, with reasons.
    pub skipped: Vec<ItemOutcome>,
    pub failed: Vec<ItemOutcome>,
}

const PAGE: usize = 256;

/// Where an item stands, for the checks before a permanent deletion.
enum Standing {
    Active,
    InTrash,
    /// Mid-move (only seen if a crash left it so and recovery has not run yet).
    Moving,
    /// Left alone by recovery, with the reason.
    Quarantined(String),
}

/// Everything one Trash entry takes with it when purged.
#[derive(Default)]
struct PurgeSet {
    /// The Trash entries it removes: the one asked for, and those trashed separately
    /// before from inside it (each was an entry of its own in the Trash).
    entries: Vec<ItemId>,
    assets: Vec<AssetId>,
    collections: Vec<CollectionId>,
}

impl Library {
    /// Deletes Trash entries for good (they must be in the Trash).
    pub fn delete_permanently(&mut self, ids: &[ItemId]) -> Result<BulkReport> {
        let mut report = BulkReport::default();
        let mut entries = Vec::new();
        for &id in ids {
            match self.entry_state(id)? {
                None => report.failed.push(outcome(id, Problem::NotFound)),
                Some((Standing::Quarantined(reason), _)) => {
                    report
                        .failed
                        .push(outcome(id, Problem::Quarantined(reason)));
                }
                Some((Standing::Active | Standing::Moving, _)) => {
                    report.failed.push(outcome(id, Problem::NotInTrash));
                }
                // An item inside a trashed collection can go on its own; a sub-collection
                // goes with the collection it was trashed with.
                Some((_, Some(c))) if matches!(id, ItemId::Collection(_)) => {
                    report.failed.push(outcome(id, Problem::TrashedWith(c)));
                }
                Some(_) => entries.push(id),
            }
        }
        self.purge_entries(&entries, PurgeReason::User, &mut report)?;
        Ok(report)
    }

    /// Whether `id` is an active (not trashed) item.
    pub fn is_active(&self, id: ItemId) -> Result<bool> {
        Ok(matches!(self.entry_state(id)?, Some((Standing::Active, _))))
    }

    /// Moves items to the Trash and at once deletes them for good ("skip Trash").
    pub fn delete_now(&mut self, ids: &[ItemId]) -> Result<BulkReport> {
        let mut report = self.trash(ids)?;
        let moved = std::mem::take(&mut report.succeeded);
        report.batch_id = None;
        self.purge_entries(&moved, PurgeReason::User, &mut report)?;
        Ok(report)
    }

    /// Deletes every item in the Trash.
    pub fn empty_trash(&mut self) -> Result<BulkReport> {
        let mut report = BulkReport::default();
        let mut last = (0i64, 0i64);
        loop {
            let page = self.entry_page(last, i64::MAX)?;
            if page.is_empty() {
                break;
            }
            last = page_key(&page, last);
            self.purge_entries(&page, PurgeReason::EmptyTrash, &mut report)?;
        }
        Ok(report)
    }

    /// Purges every expired entry, unless the guarded clock holds the sweep.
    pub fn sweep(&mut self) -> Result<SweepReport> {
        let mut out = SweepReport::default();
        if let Some(reason) = self.clock_hold()? {
            out.held = Some(reason);
            return Ok(out);
        }
        // The cutoff is computed once per sweep.
        let cutoff = self.clock.now() - self.retention_days()? * SECS_PER_DAY;
        let mut report = BulkReport::default();
        let mut last = (0i64, 0i64);
        loop {
            let page = self.entry_page(last, cutoff)?;
            if page.is_empty() {
                break;
            }
            last = page_key(&page, last);
            self.purge_entries(&page, PurgeReason::Expired, &mut report)?;
        }
        out.purged = report.succeeded.len();
        out.freed_bytes = report.freed_bytes;
        out.skipped = report.skipped;
        out.failed = report.failed;
        Ok(out)
    }

    /// How many Trash entries a sweep would purge with `retention_days`.
    pub fn expired_count(&self, retention_days: i64) -> Result<usize> {
        let now = self.clock.now().max(self.high_water()?.unwrap_or(i64::MIN));
        let cutoff = now - retention_days * SECS_PER_DAY;
        Ok(purging::due_count(&self.conn, cutoff)? as usize)
    }

    /// Where an item stands, and the collection it was trashed with (if any).
    fn entry_state(&self, id: ItemId) -> Result<Option<(Standing, Option<CollectionId>)>> {
        Ok(match id {
            ItemId::Asset(a) => self.load_asset(a)?.map(|row| {
                let standing = match (row.state, row.quarantine) {
                    (_, Some(reason)) => Standing::Quarantined(reason),
                    (AssetState::Active, None) => Standing::Active,
                    (AssetState::Trashed, None) => Standing::InTrash,
                    (_, None) => Standing::Moving,
                };
                (standing, row.via_id)
            }),
            ItemId::Collection(c) => self.collection_state(c)?.map(|row| {
                let standing = match row.status {
                    CollectionStatus::Active => Standing::Active,
                    CollectionStatus::Trashed => Standing::InTrash,
                };
                (standing, row.via_id)
            }),
        })
    }

    /// The next entries deleted at or before `cutoff`, by key: collections first (key
    /// `last.0`), then assets (key `last.1`).
    fn entry_page(&self, last: (i64, i64), cutoff: i64) -> Result<Vec<ItemId>> {
        let cols = purging::due_collections(&self.conn, last.0, cutoff, PAGE)?;
        if !cols.is_empty() {
            return Ok(cols.into_iter().map(ItemId::Collection).collect());
        }
        let assets = purging::due_assets(&self.conn, last.1, cutoff, PAGE)?;
        Ok(assets.into_iter().map(ItemId::Asset).collect())
    }

    /// An entry and everything that goes with it: the items trashed with a collection, and
    /// any trashed item whose parent it was.
    fn purge_set(&self, id: ItemId) -> Result<PurgeSet> {
        let mut set = PurgeSet::default();
        let mut queue = vec![id];
        let mut seen = HashSet::new();
        while let Some(item) = queue.pop() {
            if !seen.insert(item) {
                continue;
            }
            set.entries.push(item);
            match item {
                ItemId::Asset(a) => set.assets.push(a),
                ItemId::Collection(c) => {
                    let (below, assets) = purging::trashed_with(&self.conn, c)?;
                    let mut cols = vec![c];
                    cols.extend(below);
                    set.assets.extend(assets);
                    // Items trashed separately before, whose parent is one of these.
                    for &col in &cols {
                        let (assets, below) = purging::entries_inside(&self.conn, col)?;
                        queue.extend(assets.into_iter().map(ItemId::Asset));
                        queue.extend(below.into_iter().map(ItemId::Collection));
                    }
                    set.collections.extend(cols);
                }
            }
        }
        Ok(set)
    }

    /// Purges Trash entries page by page, recording each outcome in `report`.
    fn purge_entries(
        &mut self,
        entries: &[ItemId],
        reason: PurgeReason,
        report: &mut BulkReport,
    ) -> Result<()> {
        for chunk in entries.chunks(PAGE) {
            self.purge_chunk(chunk, reason, report)?;
        }
        Ok(())
    }

    fn purge_chunk(
        &mut self,
        entries: &[ItemId],
        reason: PurgeReason,
        report: &mut BulkReport,
    ) -> Result<()> {
        let now = self.guarded_now()?;
        // Gather, and leave alone whatever lives in an unreachable trash area.
        let mut sets = Vec::new();
        let mut claimed = HashSet::new();
        let mut area_checks = HashMap::new();
        let mut claimed_entries = HashSet::new();
        for &id in entries {
            let mut set = self.purge_set(id)?;
            // An entry another one of this chunk takes along (trashed from inside it) is
            // purged and counted with that one; the rest of this set still goes.
            set.entries.retain(|e| !claimed_entries.contains(e));
            set.assets.retain(|a| !claimed.contains(a));
            if set.entries.is_empty() {
                continue;
            }
            match self.offline_reason(&set, &mut area_checks)? {
                Some(why) => report
                    .skipped
                    .push(outcome(id, Problem::AreaUnavailable(why))),
                None => {
                    claimed.extend(set.assets.iter().copied());
                    claimed_entries.extend(set.entries.iter().copied());
                    sets.push((id, set));
                }
            }
        }
        if sets.is_empty() {
            return Ok(());
        }
        // Compare-and-set every record to `purging` before any byte is destroyed.
        let mut tx = store::write_tx(&mut self.conn)?;
        let mut ready = Vec::new();
        for (id, set) in sets {
            let sp = tx.savepoint()?;
            let mut ok = true;
            for &a in &set.assets {
                if !lifecycle::claim_for_purging(&sp, a)? {
                    ok = false;
                    break;
                }
            }
            if ok {
                sp.commit()?;
                ready.push((id, set));
            } else {
                drop(sp);
                report.failed.push(outcome(id, Problem::Changed));
            }
        }
        tx.commit()?;
        crate::failpoint::hit("purge.after_claim");
        // Destroy the files, relative to their trash directory.
        let mut done = Vec::new();
        let mut areas = HashMap::new();
        for (id, set) in ready {
            match self.unlink_set(&set, &mut areas) {
                Ok(files) => done.push((set, files)),
                Err(why) => {
                    let tx = store::write_tx(&mut self.conn)?;
                    for &a in &set.assets {
                        lifecycle::set_asset_state(
                            &tx,
                            a,
                            AssetState::Purging,
                            AssetState::Trashed,
                        )?;
                    }
                    tx.commit()?;
                    report.failed.push(outcome(id, Problem::Files(why)));
                }
            }
        }
        for area in areas.values() {
            let _ = fsops::fsync_dir(area.path());
        }
        crate::failpoint::hit("purge.after_unlink");
        // Log and forget.
        let tx = store::write_tx(&mut self.conn)?;
        let mut purged_hashes = Vec::new();
        for (set, files) in done {
            for &a in &set.assets {
                let item = ItemId::Asset(a).to_string();
                let (bytes, hash) = purging::log_and_forget(&tx, a, &item, reason.as_str(), now)?;
                report.freed_bytes += bytes;
                purged_hashes.push(hash);
            }
            purging::forget_collections(&tx, &set.collections)?;
            report.purged_files += files;
            report.succeeded.extend(set.entries.iter().copied());
        }
        purging::forget_empty_batches(&tx)?;
        tx.commit()?;
        self.forget_pictures(&purged_hashes);
        Ok(())
    }

    /// A purged item leaves nothing viewable behind (rule 20): its thumbnails and preview
    /// go. Another item with the same content loses them too, and they are made again
    /// when it is next shown: the library keeps no index of every item's content to tell
    /// (see migration 25).
    pub(crate) fn forget_pictures(&self, hashes: &[String]) {
        let cache = self.root.join(super::THUMBS_DIR);
        for hash in hashes {
            crate::thumbs::forget_all(&cache, hash);
        }
    }

    /// Why an entry cannot be purged now: a trash area it uses is unreachable or is not
    /// the folder Shoebox made.
    fn offline_reason(
        &self,
        set: &PurgeSet,
        checked: &mut HashMap<i64, Option<String>>,
    ) -> Result<Option<String>> {
        let mut roots = HashSet::new();
        for &a in &set.assets {
            for f in self.load_files(a)? {
                if let Some(r) = f.trash_root_id {
                    roots.insert(r);
                }
            }
        }
        for r in roots {
            if let std::collections::hash_map::Entry::Vacant(slot) = checked.entry(r) {
                let problem = self.open_area(r)?.err();
                slot.insert(problem.map(|p| p.to_string()));
            }
            if let Some(Some(why)) = checked.get(&r) {
                return Ok(Some(why.clone()));
            }
        }
        Ok(None)
    }

    /// Unlinks every file of a set inside its trash area; "not found" counts as done.
    fn unlink_set(
        &self,
        set: &PurgeSet,
        areas: &mut HashMap<i64, fsops::SafeDir>,
    ) -> std::result::Result<u64, String> {
        let mut count = 0;
        for &a in &set.assets {
            let files = self.load_files(a).map_err(|e| e.to_string())?;
            for f in files {
                let (Some(root_id), Some(name)) = (f.trash_root_id, f.trash_name.as_deref()) else {
                    continue;
                };
                if let std::collections::hash_map::Entry::Vacant(slot) = areas.entry(root_id) {
                    match self.open_area(root_id).map_err(|e| e.to_string())? {
                        Ok(dir) => {
                            slot.insert(dir);
                        }
                        Err(problem) => return Err(problem.to_string()),
                    }
                }
                let Some(area) = areas.get(&root_id) else {
                    continue;
                };
                match area.unlink(name) {
                    Ok(true) => count += 1,
                    Ok(false) => {}
                    Err(e) => {
                        return Err(format!(
                            "could not delete {}: {e}",
                            area.path().join(name).display()
                        ));
                    }
                }
            }
        }
        Ok(count)
    }

    /// Finishes records left `purging` by a crash (recovery).
    pub(crate) fn finish_purging(&mut self) -> Result<()> {
        let ids = purging::left_purging(&self.conn)?;
        if ids.is_empty() {
            return Ok(());
        }
        let mut report = BulkReport::default();
        let mut areas = HashMap::new();
        let set = PurgeSet {
            entries: Vec::new(),
            assets: ids.clone(),
            collections: Vec::new(),
        };
        if let Err(why) = self.unlink_set(&set, &mut areas) {
            log::warn!("recovery could not finish a purge: {why}");
            return Ok(());
        }
        let now = self.guarded_now()?;
        let tx = store::write_tx(&mut self.conn)?;
        let mut hashes = Vec::new();
        for a in ids {
            let item = ItemId::Asset(a).to_string();
            let (bytes, hash) =
                purging::log_and_forget(&tx, a, &item, "finished after a crash", now)?;
            report.freed_bytes += bytes;
            hashes.push(hash);
        }
        tx.commit()?;
        self.forget_pictures(&hashes);
        Ok(())
    }

    /// The purge log, newest first.
    pub fn purge_log(&self, limit: usize) -> Result<Vec<PurgeLogEntry>> {
        Ok(purging::purge_log(&self.conn, limit)?)
    }

    /// A sentence for the location an entry came from.
    pub fn describe_location(location: &str) -> String {
        display_location(location)
    }
}

fn page_key(page: &[ItemId], last: (i64, i64)) -> (i64, i64) {
    match page.last() {
        Some(ItemId::Collection(c)) => (c.0, last.1),
        Some(ItemId::Asset(a)) => (i64::MAX, a.0),
        None => last,
    }
}

fn outcome(id: ItemId, problem: Problem) -> ItemOutcome {
    ItemOutcome { id, problem }
}
