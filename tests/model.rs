//! Model-based test: random sequences of import (by copy and in place), trash, restore
//! (with a new name or a new location when asked), delete permanently (of Trash entries and
//! of items inside a trashed collection's entry, restore too), Empty Trash, sweep,
//! retention changes, clock moves (forward, back, confirmed) and reopening, run against the
//! real library and a small reference model. After every step the two must agree and the
//! invariants of RELIABILITY.md must hold.
//!
//! `cargo test` runs a few hundred sequences; `SHOEBOX_MODEL_CASES=20000` runs a long
//! campaign (`SHOEBOX_MODEL_FIRST_SEED` splits one across processes; a release build,
//! `cargo test --release`, runs it several times faster), `SHOEBOX_MODEL_SEED=N` replays
//! one sequence.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use shoebox::clock::SECS_PER_DAY;
use shoebox::library::{
    AssetId, CLOCK_TOLERANCE_SECS, CollectionId, Cull, Flag, ImportOptions, ItemId, Keyword, Label,
    Library, LibraryError, Rating, RestoreOptions,
};

use crate::common::{Fixture, check_invariants, shoebox_hash};

#[derive(Debug, Clone, PartialEq)]
enum State {
    Active,
    /// In the Trash: when, and the collection it went with (None: deleted directly).
    Trashed {
        deleted_at: i64,
        via: Option<CollectionId>,
    },
}

#[derive(Debug, Clone)]
struct MAsset {
    name: String,
    collection: Option<CollectionId>,
    hash: String,
    state: State,
    /// What the user gave it: rating, flag, label, keywords (lowercase: one keyword
    /// whatever its case).
    culling: MCulling,
    /// With writing XMP on, a change was made to it: its sidecar says what it carries.
    in_sidecar: bool,
}

type MCulling = (u8, Flag, Option<Label>, BTreeSet<String>);

#[derive(Debug, Clone)]
struct MCollection {
    name: String,
    /// `Some(deleted_at)` while in the Trash.
    trashed: Option<i64>,
}

/// The reference model: what the library must say.
#[derive(Debug, Default)]
struct Model {
    assets: BTreeMap<AssetId, MAsset>,
    collections: BTreeMap<CollectionId, MCollection>,
    retention_days: i64,
    high_water: i64,
    jump_pending: bool,
}

impl Model {
    fn guarded_now(&mut self, now: i64) -> i64 {
        if now > self.high_water {
            self.high_water = now;
            now
        } else {
            self.high_water
        }
    }

    fn on_open(&mut self, now: i64) {
        if now >= self.high_water - CLOCK_TOLERANCE_SECS
            && now - self.high_water > self.retention_days * SECS_PER_DAY
        {
            self.jump_pending = true;
        }
        if now > self.high_water {
            self.high_water = now;
        }
    }

    fn held(&mut self, now: i64) -> bool {
        if now < self.high_water - CLOCK_TOLERANCE_SECS || self.jump_pending {
            return true;
        }
        self.guarded_now(now);
        false
    }

    fn active_ids(&self) -> Vec<AssetId> {
        self.assets
            .iter()
            .filter(|(_, a)| a.state == State::Active)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Direct Trash entries.
    fn entries(&self) -> Vec<ItemId> {
        let mut out: Vec<ItemId> = self
            .assets
            .iter()
            .filter(|(_, a)| matches!(a.state, State::Trashed { via: None, .. }))
            .map(|(id, _)| ItemId::Asset(*id))
            .collect();
        out.extend(
            self.collections
                .iter()
                .filter(|(_, c)| c.trashed.is_some())
                .map(|(id, _)| ItemId::Collection(*id)),
        );
        out.sort();
        out
    }

    /// Items inside trashed collections' entries (they went with the collection).
    fn inside(&self) -> Vec<ItemId> {
        self.assets
            .iter()
            .filter(|(_, a)| matches!(a.state, State::Trashed { via: Some(_), .. }))
            .map(|(id, _)| ItemId::Asset(*id))
            .collect()
    }

    fn deleted_at(&self, id: ItemId) -> Option<i64> {
        match id {
            ItemId::Asset(a) => match self.assets.get(&a)?.state {
                State::Trashed { deleted_at, .. } => Some(deleted_at),
                State::Active => None,
            },
            ItemId::Collection(c) => self.collections.get(&c)?.trashed,
        }
    }

    /// Removes an entry for good, with what goes with it (SPEC rule 9).
    fn purge(&mut self, id: ItemId) {
        match id {
            ItemId::Asset(a) => {
                self.assets.remove(&a);
            }
            ItemId::Collection(c) => {
                self.collections.remove(&c);
                self.assets.retain(|_, a| {
                    let with_it = matches!(a.state, State::Trashed { via: Some(v), .. } if v == c);
                    let trashed_before_from_it =
                        matches!(a.state, State::Trashed { via: None, .. })
                            && a.collection == Some(c);
                    !(with_it || trashed_before_from_it)
                });
            }
        }
    }

    fn name_taken(&self, collection: Option<CollectionId>, name: &str, except: AssetId) -> bool {
        self.assets.iter().any(|(id, a)| {
            *id != except
                && a.state == State::Active
                && a.collection == collection
                && a.name.to_lowercase() == name.to_lowercase()
        })
    }

    fn keep(&self) -> Vec<String> {
        self.assets.values().map(|a| a.hash.clone()).collect()
    }
}

struct Run {
    f: Fixture,
    /// Changes also go into the items' XMP sidecars (every other sequence).
    write_xmp: bool,
    model: Model,
    rng: fastrand::Rng,
    counter: u64,
    log: Vec<String>,
}

const NAMES: [&str; 4] = ["IMG_1.jpg", "img_1.JPG", "beach.png", "notes.txt"];

impl Run {
    fn new(seed: u64) -> Run {
        let f = Fixture::new();
        let mut model = Model {
            retention_days: 30,
            ..Default::default()
        };
        model.high_water = f.clock_now();
        let mut f = f;
        let write_xmp = seed.is_multiple_of(2);
        f.lib.set_write_xmp(write_xmp).expect("the setting");
        Run {
            f,
            write_xmp,
            model,
            rng: fastrand::Rng::with_seed(seed),
            counter: 0,
            log: Vec::new(),
        }
    }

    fn now(&self) -> i64 {
        self.f.clock_now()
    }

    fn fresh_file(&mut self, dir: &str) -> PathBuf {
        self.counter += 1;
        let name = NAMES[self.rng.usize(..NAMES.len())];
        let content = format!("content {} {}", self.counter, self.rng.u64(..));
        self.f.file(
            &format!("{dir}/{}/{name}", self.counter),
            content.as_bytes(),
        )
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.rng.usize(..items.len())].clone())
        }
    }

    fn step(&mut self) -> Result<(), String> {
        if self.rng.u32(..8) == 0 {
            return self.cull();
        }
        let roll = self.rng.u32(..100);
        match roll {
            0..=17 => self.import(false),
            18..=24 => self.import(true),
            25..=29 => self.create_collection(),
            30..=47 => self.trash(),
            48..=61 => self.restore(),
            62..=66 => self.delete_permanently(),
            67..=68 => self.empty_trash(),
            69..=77 => self.sweep(),
            78..=85 => {
                let days = self.rng.i64(1..20);
                self.log.push(format!("advance {days} days"));
                self.f.clock.advance_days(days);
                Ok(())
            }
            86..=87 => {
                let days = self.rng.i64(1..5);
                self.log.push(format!("clock back {days} days"));
                self.f.clock.advance_days(-days);
                Ok(())
            }
            88..=89 => {
                self.log.push("confirm clock".into());
                self.f.lib.confirm_clock().map_err(|e| e.to_string())?;
                let now = self.now();
                self.model.high_water = now;
                self.model.jump_pending = false;
                for a in self.model.assets.values_mut() {
                    if let State::Trashed { deleted_at, .. } = &mut a.state
                        && *deleted_at > now
                    {
                        *deleted_at = now;
                    }
                }
                for c in self.model.collections.values_mut() {
                    if let Some(t) = &mut c.trashed
                        && *t > now
                    {
                        *t = now;
                    }
                }
                Ok(())
            }
            90..=93 => {
                let days = self.rng.i64(1..45);
                self.log.push(format!("retention {days}"));
                self.f
                    .lib
                    .set_retention_days(days)
                    .map_err(|e| e.to_string())?;
                self.model.retention_days = days;
                Ok(())
            }
            _ => {
                self.log.push("reopen".into());
                self.f.reopen();
                let now = self.now();
                self.model.on_open(now);
                Ok(())
            }
        }
    }

    fn import(&mut self, in_place: bool) -> Result<(), String> {
        let active: Vec<CollectionId> = self
            .model
            .collections
            .iter()
            .filter(|(_, c)| c.trashed.is_none())
            .map(|(id, _)| *id)
            .collect();
        let into = if in_place || self.rng.bool() {
            None
        } else {
            self.pick(&active)
        };
        let n = if in_place { 1 } else { self.rng.usize(1..4) };
        let paths: Vec<PathBuf> = (0..n)
            .map(|_| self.fresh_file(if in_place { "inplace" } else { "src" }))
            .collect();
        self.log.push(format!(
            "import {n} (in place: {in_place}) into {into:?}: {paths:?}"
        ));
        let opts = ImportOptions {
            in_place,
            into,
            ..Default::default()
        };
        let report = self
            .f
            .lib
            .import(&paths, &opts, &mut |_| {})
            .map_err(|e| e.to_string())?;
        if !report.failed.is_empty() || report.imported.len() != n {
            return Err(format!("import did not take every file: {report:?}"));
        }
        for (imported, path) in report.imported.iter().zip(&paths) {
            let ItemId::Asset(id) = imported.id else {
                return Err("import returned a collection".into());
            };
            if self.model.assets.contains_key(&id) {
                return Err(format!("id {id} given twice"));
            }
            if self.model.name_taken(into, &imported.name, id) {
                return Err(format!("import gave a taken name {}", imported.name));
            }
            self.model.assets.insert(
                id,
                MAsset {
                    name: imported.name.clone(),
                    collection: into,
                    hash: shoebox_hash(path).ok_or("unreadable source")?,
                    state: State::Active,
                    culling: Default::default(),
                    in_sidecar: false,
                },
            );
        }
        Ok(())
    }

    fn create_collection(&mut self) -> Result<(), String> {
        self.counter += 1;
        let name = format!("C{}", self.counter);
        self.log.push(format!("create collection {name}"));
        let id = self
            .f
            .lib
            .create_collection(None, &name)
            .map_err(|e| e.to_string())?;
        if self.model.collections.contains_key(&id) {
            return Err(format!("collection id {id} given twice"));
        }
        self.model.collections.insert(
            id,
            MCollection {
                name,
                trashed: None,
            },
        );
        Ok(())
    }

    fn trash(&mut self) -> Result<(), String> {
        let mut ids = Vec::new();
        let active = self.model.active_ids();
        for _ in 0..self.rng.usize(1..3) {
            if let Some(a) = self.pick(&active) {
                ids.push(ItemId::Asset(a));
            }
        }
        let cols: Vec<CollectionId> = self
            .model
            .collections
            .iter()
            .filter(|(_, c)| c.trashed.is_none())
            .map(|(id, _)| *id)
            .collect();
        if self.rng.u8(..4) == 0
            && let Some(c) = self.pick(&cols)
        {
            ids.push(ItemId::Collection(c));
        }
        if ids.is_empty() {
            return Ok(());
        }
        self.log.push(format!("trash {ids:?}"));
        let report = self.f.lib.trash(&ids).map_err(|e| e.to_string())?;
        if !report.failed.is_empty() || !report.skipped.is_empty() {
            return Err(format!("trash failed: {report:?}"));
        }
        let now = self.now();
        let at = self.model.guarded_now(now);
        let trashed_cols: Vec<CollectionId> = ids
            .iter()
            .filter_map(|id| match id {
                ItemId::Collection(c) => Some(*c),
                _ => None,
            })
            .collect();
        for &c in &trashed_cols {
            if let Some(col) = self.model.collections.get_mut(&c) {
                col.trashed = Some(at);
            }
            for a in self.model.assets.values_mut() {
                if a.state == State::Active && a.collection == Some(c) {
                    a.state = State::Trashed {
                        deleted_at: at,
                        via: Some(c),
                    };
                }
            }
        }
        for id in &ids {
            if let ItemId::Asset(a) = id
                && let Some(asset) = self.model.assets.get_mut(a)
                && asset.state == State::Active
            {
                asset.state = State::Trashed {
                    deleted_at: at,
                    via: None,
                };
            }
        }
        Ok(())
    }

    /// A Trash entry, or now and then an item inside a trashed collection's entry.
    fn pick_trashed(&mut self) -> Option<ItemId> {
        let inside = self.model.inside();
        if !inside.is_empty() && self.rng.u8(..4) == 0 {
            return self.pick(&inside);
        }
        let entries = self.model.entries();
        self.pick(&entries)
    }

    fn restore(&mut self) -> Result<(), String> {
        let Some(id) = self.pick_trashed() else {
            return Ok(());
        };
        self.log.push(format!("restore {id}"));
        // What the model expects: a lost location, a name conflict, or a clean restore.
        let (lost, conflict) = match id {
            ItemId::Asset(a) => {
                let asset = &self.model.assets[&a];
                let lost = asset.collection.is_some_and(|c| {
                    self.model
                        .collections
                        .get(&c)
                        .is_none_or(|c| c.trashed.is_some())
                });
                let target = if lost { None } else { asset.collection };
                (lost, self.model.name_taken(target, &asset.name, a))
            }
            ItemId::Collection(_) => (false, false),
        };
        let mut opts = RestoreOptions::default();
        match self.f.lib.restore(id, &opts) {
            Ok(()) if !lost && !conflict => {}
            Ok(()) => {
                return Err(format!(
                    "restored despite lost {lost} / conflict {conflict}"
                ));
            }
            Err(LibraryError::LostLocation { .. }) if lost => {
                opts.to = Some(None);
                let ItemId::Asset(a) = id else {
                    return Err("lost location for a collection".into());
                };
                let asset = &self.model.assets[&a];
                if self.model.name_taken(None, &asset.name, a) {
                    match self.f.lib.restore(id, &opts) {
                        Err(LibraryError::NameConflict { suggestion, .. }) => {
                            opts.rename = Some(suggestion);
                        }
                        other => return Err(format!("expected a conflict at the top: {other:?}")),
                    }
                }
                self.f.lib.restore(id, &opts).map_err(|e| e.to_string())?;
            }
            Err(LibraryError::NameConflict { suggestion, .. }) if conflict => {
                opts.rename = Some(suggestion);
                self.f.lib.restore(id, &opts).map_err(|e| e.to_string())?;
            }
            Err(e) => {
                return Err(format!(
                    "restore failed: {e} (lost {lost}, conflict {conflict})"
                ));
            }
        }
        self.log.push(format!("  with {opts:?}"));
        match id {
            ItemId::Asset(a) => {
                let asset = self.model.assets.get_mut(&a).ok_or("no such asset")?;
                asset.state = State::Active;
                if opts.to == Some(None) {
                    asset.collection = None;
                }
                if let Some(name) = opts.rename {
                    asset.name = name;
                }
            }
            ItemId::Collection(c) => {
                if let Some(col) = self.model.collections.get_mut(&c) {
                    col.trashed = None;
                }
                for a in self.model.assets.values_mut() {
                    if matches!(a.state, State::Trashed { via: Some(v), .. } if v == c) {
                        a.state = State::Active;
                    }
                }
            }
        }
        Ok(())
    }

    fn delete_permanently(&mut self) -> Result<(), String> {
        let Some(id) = self.pick_trashed() else {
            return Ok(());
        };
        self.log.push(format!("delete permanently {id}"));
        let report = self
            .f
            .lib
            .delete_permanently(&[id])
            .map_err(|e| e.to_string())?;
        self.model.guarded_now(self.now());
        let before = self.model.entries();
        self.model.purge(id);
        // Reported: every entry that left the Trash (those trashed before from inside a
        // collection go with it).
        let after = self.model.entries();
        let mut gone: Vec<ItemId> = before.into_iter().filter(|e| !after.contains(e)).collect();
        if !gone.contains(&id) {
            // An item from inside a trashed collection: it goes alone.
            gone.push(id);
        }
        let mut got = report.succeeded.clone();
        gone.sort();
        got.sort();
        if got != gone || !report.failed.is_empty() {
            return Err(format!("delete permanently: {report:?}, model: {gone:?}"));
        }
        Ok(())
    }

    /// A rating, flag, label or keyword given to a few items: all of them in the Gallery,
    /// or (one trashed, purged or a collection among them) refused with nothing changed.
    fn cull(&mut self) -> Result<(), String> {
        let mut ids: Vec<ItemId> = Vec::new();
        for _ in 0..self.rng.usize(1..4) {
            let roll = self.rng.u32(..10);
            let pick = if roll == 0 {
                let cols: Vec<CollectionId> = self.model.collections.keys().copied().collect();
                self.pick(&cols).map(ItemId::Collection)
            } else if roll == 1 {
                Some(ItemId::Asset(AssetId(9_999)))
            } else {
                let all: Vec<AssetId> = self.model.assets.keys().copied().collect();
                self.pick(&all).map(ItemId::Asset)
            };
            ids.extend(pick);
        }
        if ids.is_empty() {
            return Ok(());
        }
        const WORDS: [&str; 4] = ["Places|Porto", "places|porto", "film", "Places"];
        let change = match self.rng.u32(..5) {
            0 => Cull::Rate(Rating::new(self.rng.u8(..=5)).ok_or("rating")?),
            1 => Cull::Flag([Flag::None, Flag::Pick, Flag::Reject][self.rng.usize(..3)]),
            2 => Cull::Label(self.rng.bool().then(|| Label::ALL[self.rng.usize(..5)])),
            3 => Cull::Tag(Keyword::parse(WORDS[self.rng.usize(..4)])?),
            _ => Cull::Untag(Keyword::parse(WORDS[self.rng.usize(..4)])?),
        };
        self.log.push(format!("cull {ids:?}: {change:?}"));
        let result = self.f.lib.cull(&ids, &change);
        let all_active = ids.iter().all(|id| match id {
            ItemId::Asset(a) => self
                .model
                .assets
                .get(a)
                .is_some_and(|m| m.state == State::Active),
            ItemId::Collection(_) => false,
        });
        match (result, all_active) {
            (Err(e), true) => Err(format!("cull refused: {e}")),
            (Ok(n), false) => Err(format!("cull of {ids:?} took {n:?}, but one is not active")),
            (Err(_), false) => Ok(()),
            (Ok(culled), true) => {
                if !culled.unwritten.is_empty() {
                    return Err(format!("sidecars not written: {:?}", culled.unwritten));
                }
                let before: Vec<(AssetId, _)> = ids
                    .iter()
                    .filter_map(|id| match id {
                        ItemId::Asset(a) => Some((*a, self.model.assets.get(a)?.culling.clone())),
                        ItemId::Collection(_) => None,
                    })
                    .collect();
                for id in &ids {
                    let ItemId::Asset(a) = id else { continue };
                    let Some(m) = self.model.assets.get_mut(a) else {
                        continue;
                    };
                    m.in_sidecar |= self.write_xmp;
                    let c = &mut m.culling;
                    match &change {
                        Cull::Rate(r) => c.0 = r.stars(),
                        Cull::Flag(f) => c.1 = *f,
                        Cull::Label(l) => c.2 = *l,
                        Cull::Tag(k) => {
                            c.3.insert(k.path().to_lowercase());
                        }
                        Cull::Untag(k) => {
                            c.3.remove(&k.path().to_lowercase());
                        }
                    }
                }
                // Now and then the change is undone at once, as Ctrl+Z does: each item
                // carries again what it carried before.
                if self.rng.u32(..3) == 0 {
                    self.log.push(format!("undo: {:?}", culled.undo));
                    self.f
                        .lib
                        .cull_all(&culled.undo)
                        .map_err(|e| format!("undo of a cull refused: {e}"))?;
                    for (a, c) in before {
                        if let Some(m) = self.model.assets.get_mut(&a) {
                            m.culling = c;
                        }
                    }
                }
                Ok(())
            }
        }
    }

    fn empty_trash(&mut self) -> Result<(), String> {
        self.log.push("empty trash".into());
        let report = self.f.lib.empty_trash().map_err(|e| e.to_string())?;
        if !report.failed.is_empty() {
            return Err(format!("empty trash: {report:?}"));
        }
        let entries = self.model.entries();
        if !entries.is_empty() {
            // Purging dates the purge log by the guarded clock.
            self.model.guarded_now(self.now());
        }
        for id in entries {
            self.model.purge(id);
        }
        Ok(())
    }

    fn sweep(&mut self) -> Result<(), String> {
        self.log.push("sweep".into());
        let report = self.f.lib.sweep().map_err(|e| e.to_string())?;
        let now = self.now();
        let held = self.model.held(now);
        if held != report.held.is_some() {
            return Err(format!(
                "sweep held: model {held}, library {:?}",
                report.held
            ));
        }
        if held {
            return Ok(());
        }
        if !report.failed.is_empty() {
            return Err(format!("sweep failed: {report:?}"));
        }
        let cutoff = now - self.model.retention_days * SECS_PER_DAY;
        let before = self.model.entries();
        for id in self.model.entries() {
            if self.model.deleted_at(id).is_some_and(|t| t <= cutoff) {
                self.model.purge(id);
            }
        }
        let gone = before.len() - self.model.entries().len();
        if report.purged != gone {
            return Err(format!("sweep purged {}, model: {gone}", report.purged));
        }
        Ok(())
    }

    /// The library and the model agree, and the invariants hold.
    fn check(&self) -> Result<(), String> {
        let lib: &Library = &self.f.lib;
        let src = self.f.src();
        check_invariants(lib, &self.f.root(), &self.model.keep(), &[&src])?;
        let assets = lib.assets(Default::default()).map_err(|e| e.to_string())?;
        let mut got: Vec<(AssetId, String, Option<CollectionId>)> = assets
            .iter()
            .map(|a| match a.id {
                ItemId::Asset(n) => (n, a.name.clone(), a.collection_id),
                ItemId::Collection(n) => (AssetId(-n.0), a.name.clone(), None),
            })
            .collect();
        got.sort();
        let want: Vec<(AssetId, String, Option<CollectionId>)> = self
            .model
            .assets
            .iter()
            .filter(|(_, a)| a.state == State::Active)
            .map(|(id, a)| (*id, a.name.clone(), a.collection))
            .collect();
        if got != want {
            return Err(format!(
                "active items differ:\n library {got:?}\n model   {want:?}"
            ));
        }
        // What the user gave each item: in the Gallery, and (rule 23) in the Trash.
        let culled = |c: &shoebox::library::Culling| -> MCulling {
            (
                c.rating.stars(),
                c.flag,
                c.label,
                c.keywords.iter().map(|k| k.to_lowercase()).collect(),
            )
        };
        for a in &assets {
            let ItemId::Asset(id) = a.id else { continue };
            let want = self.model.assets.get(&id).map(|m| &m.culling);
            if want != Some(&culled(&a.culling)) {
                return Err(format!("{id}: culling {:?}, model {want:?}", a.culling));
            }
        }
        let trashed = lib
            .trash_entries(Default::default())
            .map_err(|e| e.to_string())?
            .into_iter()
            .chain(lib.trash_inside().map_err(|e| e.to_string())?);
        for e in trashed {
            let (ItemId::Asset(id), Some(c)) = (e.id, e.culling.as_ref()) else {
                continue;
            };
            let want = self.model.assets.get(&id).map(|m| &m.culling);
            if want != Some(&culled(c)) {
                return Err(format!("{id} in the Trash: culling {c:?}, model {want:?}"));
            }
        }
        if self.write_xmp {
            self.check_sidecars()?;
        }
        let mut names: HashMap<(Option<CollectionId>, String), AssetId> = HashMap::new();
        for (id, name, c) in &got {
            if let Some(other) = names.insert((*c, name.to_lowercase()), *id) {
                return Err(format!("{id} and {other} share the name {name}"));
            }
        }
        let now = self.now();
        let entries = lib
            .trash_entries(Default::default())
            .map_err(|e| e.to_string())?;
        let mut got_entries: Vec<ItemId> = entries.iter().map(|e| e.id).collect();
        got_entries.sort();
        if got_entries != self.model.entries() {
            return Err(format!(
                "Trash entries differ:\n library {got_entries:?}\n model   {:?}",
                self.model.entries()
            ));
        }
        // What the trashed collections hold: the model's items that went with them.
        let mut inside: Vec<(ItemId, Option<CollectionId>)> = lib
            .trash_inside()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|e| (e.id, e.within.as_ref().map(|w| w.entry)))
            .collect();
        inside.sort();
        let want_inside: Vec<(ItemId, Option<CollectionId>)> = self
            .model
            .assets
            .iter()
            .filter_map(|(id, a)| match a.state {
                State::Trashed { via: Some(c), .. } => Some((ItemId::Asset(*id), Some(c))),
                _ => None,
            })
            .collect();
        if inside != want_inside {
            return Err(format!(
                "inside trashed collections differ:\n library {inside:?}\n model   {want_inside:?}"
            ));
        }
        for e in &entries {
            let want = self.model.deleted_at(e.id);
            if want != Some(e.deleted_at) {
                return Err(format!(
                    "{}: deleted_at {} but model {want:?}",
                    e.id, e.deleted_at
                ));
            }
            let days_left =
                self.model.retention_days - (now - e.deleted_at).max(0).div_euclid(SECS_PER_DAY);
            if e.days_left != days_left {
                return Err(format!(
                    "{}: days left {} but model {days_left}",
                    e.id, e.days_left
                ));
            }
        }
        let mut cols: Vec<(CollectionId, String)> = lib
            .collections()
            .map_err(|e| e.to_string())?
            .iter()
            .filter_map(|c| match c.id {
                ItemId::Collection(n) => Some((n, c.name.clone())),
                _ => None,
            })
            .collect();
        cols.sort();
        let want_cols: Vec<(CollectionId, String)> = self
            .model
            .collections
            .iter()
            .filter(|(_, c)| c.trashed.is_none())
            .map(|(id, c)| (*id, c.name.clone()))
            .collect();
        if cols != want_cols {
            return Err(format!(
                "collections differ: library {cols:?}, model {want_cols:?}"
            ));
        }
        Ok(())
    }
}

impl Run {
    /// Each active item changed with writing XMP on has a sidecar of its own (registered
    /// as its file) that reads back as what the model says it carries.
    fn check_sidecars(&self) -> Result<(), String> {
        let places = self.f.lib.file_places().map_err(|e| e.to_string())?;
        let mut seen = std::collections::HashSet::new();
        for (id, m) in &self.model.assets {
            if m.state != State::Active || !m.in_sidecar {
                continue;
            }
            let sidecar = places
                .iter()
                .find(|p| {
                    p.id == ItemId::Asset(*id) && p.path.extension().is_some_and(|e| e == "xmp")
                })
                .ok_or_else(|| format!("{id} has no sidecar"))?;
            if !seen.insert(sidecar.path.clone()) {
                return Err(format!(
                    "{id} shares its sidecar {}",
                    sidecar.path.display()
                ));
            }
            let facts = shoebox::media::xmp::read_file(&sidecar.path)
                .map_err(|e| format!("{id}: its sidecar: {e}"))?;
            let (stars, flag, label, keywords) = &m.culling;
            let rating = if *flag == Flag::Reject || *stars == 0 {
                None
            } else {
                Rating::new(*stars)
            };
            let said: BTreeSet<String> = facts
                .keywords
                .iter()
                .map(|k| k.path().to_lowercase())
                .collect();
            let want_flag = (*flag == Flag::Reject).then_some(Flag::Reject);
            if (facts.rating, facts.flag, facts.label, &said)
                != (rating, want_flag, *label, keywords)
            {
                return Err(format!(
                    "{id}: its sidecar says {facts:?}, model {:?}",
                    m.culling
                ));
            }
        }
        Ok(())
    }
}

fn run_case(seed: u64, steps: usize) -> Result<(), String> {
    let mut run = Run::new(seed);
    for i in 0..steps {
        let result = run.step().and_then(|_| run.check());
        if let Err(e) = result {
            let tail: Vec<&String> = run.log.iter().rev().take(12).collect();
            return Err(format!(
                "seed {seed}, step {i}: {e}\nlast steps (newest first):\n{tail:#?}"
            ));
        }
    }
    Ok(())
}

#[test]
fn the_library_agrees_with_the_model_and_keeps_the_invariants() {
    let cases: u64 = std::env::var("SHOEBOX_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let steps: usize = std::env::var("SHOEBOX_MODEL_STEPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    // SHOEBOX_MODEL_FIRST_SEED lets a long campaign be split across processes.
    let first: u64 = std::env::var("SHOEBOX_MODEL_FIRST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let seeds: Vec<u64> = match std::env::var("SHOEBOX_MODEL_SEED") {
        Ok(s) => vec![s.parse().expect("SHOEBOX_MODEL_SEED is a number")],
        Err(_) => (first..first + cases).collect(),
    };
    let mut failures = Vec::new();
    for &seed in &seeds {
        if let Err(e) = run_case(seed, steps) {
            failures.push(e);
            if failures.len() >= 3 {
                break;
            }
        }
    }
    eprintln!(
        "model test: {} sequences of {steps} steps, {} failed",
        seeds.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
