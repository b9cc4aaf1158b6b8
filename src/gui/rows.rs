//! The Gallery's rows. What a view shows comes from the library thread as ids in order (a
//! few bytes each); the records of the rows drawn are fetched by id, a little around them
//! too, and kept while they are recently drawn. So the window's memory does not grow with
//! the library: a million items cost their ids, not their records.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};

use crate::library::{AssetId, AssetInfo, ItemId};

/// How many records are kept at most; the least recently drawn go first.
const KEEP: usize = 4_000;
/// Around a row drawn without its record, how many before and after it are fetched too.
const AROUND: (usize, usize) = (60, 180);

#[derive(Debug)]
struct Cached {
    info: AssetInfo,
    /// The data generation it was read in: older ones are shown but read again.
    generation: u64,
    /// The frame it was last drawn in.
    used: Cell<u64>,
}

/// Records of the Gallery's rows, by id.
#[derive(Debug, Default)]
pub struct Rows {
    cache: HashMap<AssetId, Cached>,
    /// Bumped whenever the library changes: records read before are stale.
    generation: u64,
    /// Ids drawn (or near those drawn) whose record is missing or stale.
    wanted: RefCell<BTreeSet<AssetId>>,
    /// A fetch is on its way (one at a time).
    asked: bool,
    frame: u64,
}

impl Rows {
    /// The record of the row at `i` of `ids`, if read; a row without its record (or with a
    /// stale one) is asked for, with those around it.
    pub fn at(&self, ids: &[ItemId], i: usize) -> Option<&AssetInfo> {
        let id = ids.get(i)?.asset()?;
        let found = self.cache.get(&id);
        if found.is_none_or(|c| c.generation < self.generation) {
            let mut wanted = self.wanted.borrow_mut();
            let from = i.saturating_sub(AROUND.0);
            let to = (i + AROUND.1).min(ids.len());
            for id in ids[from..to].iter().filter_map(|id| id.asset()) {
                if self
                    .cache
                    .get(&id)
                    .is_none_or(|c| c.generation < self.generation)
                {
                    wanted.insert(id);
                }
            }
        }
        let found = found?;
        found.used.set(self.frame);
        Some(&found.info)
    }

    /// The record of `id` if it has been read (nothing is asked for).
    pub fn peek(&self, id: ItemId) -> Option<&AssetInfo> {
        Some(&self.cache.get(&id.asset()?)?.info)
    }

    /// The record of `id` has been read since the library last changed.
    pub fn is_fresh(&self, id: ItemId) -> bool {
        id.asset()
            .and_then(|id| self.cache.get(&id))
            .is_some_and(|c| c.generation >= self.generation)
    }

    /// The library changed: every record is read again when next drawn.
    pub fn changed(&mut self) {
        self.generation += 1;
    }

    /// The generation records read now belong to.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// A new frame begins.
    pub fn begin_frame(&mut self) {
        self.frame += 1;
    }

    /// Rows were drawn without their records.
    pub fn has_wanted(&self) -> bool {
        !self.wanted.borrow().is_empty()
    }

    /// The ids to fetch, when no fetch is on its way.
    pub fn take_wanted(&mut self) -> Option<Vec<AssetId>> {
        if self.asked {
            return None;
        }
        let wanted: Vec<AssetId> = std::mem::take(&mut *self.wanted.borrow_mut())
            .into_iter()
            .collect();
        if wanted.is_empty() {
            return None;
        }
        self.asked = true;
        Some(wanted)
    }

    /// Records read in `generation` (those no longer in the library are simply absent).
    pub fn receive(&mut self, rows: Vec<AssetInfo>, generation: u64) {
        self.asked = false;
        for info in rows {
            let Some(id) = info.id.asset() else {
                continue;
            };
            self.cache.insert(
                id,
                Cached {
                    info,
                    generation,
                    used: Cell::new(self.frame),
                },
            );
        }
        if self.cache.len() > KEEP {
            let mut used: Vec<u64> = self.cache.values().map(|c| c.used.get()).collect();
            used.sort_unstable();
            let cut = used[used.len() - KEEP / 2];
            self.cache.retain(|_, c| c.used.get() >= cut);
        }
    }
}
