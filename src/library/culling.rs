//! Culling and organising (SPEC §5): ratings, flags, colour labels and keywords given to
//! many items at once. Only items in the Gallery change; the Trash shows what they had.

use super::sidecars::Unwritten;
use super::{AssetId, ItemId, Library, LibraryError, Result};
use crate::store::culling::{self, Flag, Keyword, Label, Rating};
use crate::store::{self, AssetState};

/// One change the user makes to what items carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cull {
    Rate(Rating),
    Flag(Flag),
    Label(Option<Label>),
    Tag(Keyword),
    Untag(Keyword),
}

/// The changes that give items back what they carried: an undo, applied in order.
pub type Steps = Vec<(Vec<ItemId>, Cull)>;

/// What a change did: how many items it changed, what undoes it, and (with writing XMP
/// on) the sidecars that could not be written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Culled {
    pub changed: usize,
    pub undo: Steps,
    pub unwritten: Vec<Unwritten>,
}

impl Library {
    /// Makes `change` to every one of `ids`, all or none: each must be an item of the
    /// Gallery (an asset, not in the Trash). Says how many items it changed (those that
    /// already carried it are not counted) and what undoes it.
    pub fn cull(&mut self, ids: &[ItemId], change: &Cull) -> Result<Culled> {
        self.cull_all(&[(ids.to_vec(), change.clone())])
    }

    /// Makes each change in turn, all of them or none (an undo is such a list).
    pub fn cull_all(&mut self, steps: &[(Vec<ItemId>, Cull)]) -> Result<Culled> {
        let tx = store::write_tx(&mut self.conn)?;
        let mut done = Culled::default();
        let mut undos = Vec::new();
        let mut touched: Vec<AssetId> = Vec::new();
        for (ids, change) in steps {
            let assets = gallery_assets(&tx, ids)?;
            undos.push(undoing(&tx, &assets, change)?);
            // Every one asked of, changed or not: a sidecar a crash left behind the
            // library catches up when the change is made again.
            touched.extend(&assets);
            done.changed += match change {
                Cull::Rate(r) => culling::set_rating(&tx, &assets, *r)?,
                Cull::Flag(f) => culling::set_flag(&tx, &assets, *f)?,
                Cull::Label(l) => culling::set_label(&tx, &assets, *l)?,
                Cull::Tag(k) => culling::tag(&tx, &assets, k)?,
                Cull::Untag(k) => culling::untag(&tx, &assets, k)?,
            };
        }
        tx.commit()?;
        // The last change is undone first.
        done.undo = undos.into_iter().rev().flatten().collect();
        touched.sort_unstable();
        touched.dedup();
        done.unwritten = self.write_sidecars(&touched)?;
        Ok(done)
    }

    /// Every keyword, by path, with how many items of the Gallery carry it.
    pub fn keyword_counts(&self) -> Result<Vec<(String, u64)>> {
        Ok(culling::keyword_counts(&self.conn)?)
    }

    /// Renames a keyword (moves it, with a path elsewhere in the tree); those below it
    /// follow, and every item carrying one carries the renamed one. With writing XMP on,
    /// the sidecars that could not be written.
    pub fn rename_keyword(&mut self, from: &Keyword, to: &Keyword) -> Result<Vec<Unwritten>> {
        let below = format!("{}|", from.path().to_lowercase());
        if to.path().to_lowercase().starts_with(&below) {
            return Err(LibraryError::Invalid(format!(
                "\"{}\" can't go below itself",
                from.path()
            )));
        }
        let tx = store::write_tx(&mut self.conn)?;
        let carrying = culling::carrying_below(&tx, from.path())?;
        if culling::rename_keyword(&tx, from, to)? == 0 {
            return Err(LibraryError::Invalid(format!(
                "there is no keyword \"{}\"",
                from.path()
            )));
        }
        tx.commit()?;
        self.write_sidecars(&carrying)
    }

    /// Deletes a keyword and those below it from every item: how many items carried one,
    /// and (with writing XMP on) the sidecars that could not be written.
    pub fn delete_keyword(&mut self, keyword: &Keyword) -> Result<(usize, Vec<Unwritten>)> {
        let tx = store::write_tx(&mut self.conn)?;
        let carrying = culling::carrying_below(&tx, keyword.path())?;
        let carried = culling::delete_keyword(&tx, keyword.path())?;
        tx.commit()?;
        Ok((carried, self.write_sidecars(&carrying)?))
    }

    /// The searches saved as smart collections, by name.
    pub fn smart_collections(&self) -> Result<Vec<culling::SmartCollection>> {
        Ok(culling::smart_collections(&self.conn)?)
    }

    /// Saves a search as a smart collection: it shows what the search finds, each time it
    /// is opened (a name already used takes the new search).
    pub fn save_search(&mut self, name: &str, search: &str) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(LibraryError::Invalid(
                "a smart collection needs a name of one line".into(),
            ));
        }
        super::search::Search::parse(search).map_err(LibraryError::Invalid)?;
        let now = self.clock.now();
        Ok(culling::save_search(&self.conn, name, search.trim(), now)?)
    }

    /// Forgets a smart collection; the items it showed stay where they are.
    pub fn forget_search(&mut self, id: i64) -> Result<()> {
        if !culling::forget_search(&self.conn, id)? {
            return Err(LibraryError::Invalid(
                "there is no such smart collection".into(),
            ));
        }
        Ok(())
    }

    /// Every rejected item of the Gallery, by id.
    pub fn rejected(&self) -> Result<Vec<ItemId>> {
        Ok(culling::rejected(&self.conn)?
            .into_iter()
            .map(ItemId::Asset)
            .collect())
    }

    /// What the user gave an item (in the Gallery or in the Trash).
    pub fn culling_of(&self, id: ItemId) -> Result<culling::Culling> {
        let ItemId::Asset(a) = id else {
            return Err(LibraryError::Invalid(format!("{id} is a collection")));
        };
        culling::culling_of(&self.conn, a)?.ok_or(LibraryError::NotFound(id))
    }
}

/// The assets `ids` name, each of them in the Gallery; else why not.
fn gallery_assets(conn: &rusqlite::Connection, ids: &[ItemId]) -> Result<Vec<AssetId>> {
    let assets = ids
        .iter()
        .map(|&id| match id {
            ItemId::Asset(a) => Ok(a),
            ItemId::Collection(_) => Err(LibraryError::Invalid(format!(
                "{id} is a collection: give its items by their ids (`shoebox ls` lists them)"
            ))),
        })
        .collect::<Result<Vec<AssetId>>>()?;
    let states = culling::states_of(conn, &assets)?;
    for &a in &assets {
        match states.get(&a) {
            None => return Err(LibraryError::NotFound(ItemId::Asset(a))),
            Some(AssetState::Active) => {}
            Some(_) => return Err(LibraryError::InTrash(ItemId::Asset(a))),
        }
    }
    Ok(assets)
}

/// The changes that put back what `assets` carry now, once `change` is made.
fn undoing(conn: &rusqlite::Connection, assets: &[AssetId], change: &Cull) -> Result<Steps> {
    let mut steps: Steps = Vec::new();
    let mut give = |id: AssetId, back: Cull| match steps.iter_mut().find(|(_, c)| *c == back) {
        Some((ids, _)) => ids.push(ItemId::Asset(id)),
        None => steps.push((vec![ItemId::Asset(id)], back)),
    };
    match change {
        Cull::Rate(_) | Cull::Flag(_) | Cull::Label(_) => {
            for (id, rating, flag, label) in culling::marks_of(conn, assets)? {
                let back = match change {
                    Cull::Rate(_) => Cull::Rate(rating),
                    Cull::Flag(_) => Cull::Flag(flag),
                    _ => Cull::Label(label),
                };
                if back != *change {
                    give(id, back);
                }
            }
        }
        Cull::Tag(k) => {
            let had: std::collections::HashSet<AssetId> =
                culling::carrying(conn, assets, k)?.into_iter().collect();
            for &id in assets.iter().filter(|id| !had.contains(id)) {
                give(id, Cull::Untag(k.clone()));
            }
        }
        Cull::Untag(k) => {
            for id in culling::carrying(conn, assets, k)? {
                give(id, Cull::Tag(k.clone()));
            }
        }
    }
    Ok(steps)
}
