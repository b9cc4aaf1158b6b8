//! Culling and organising (SPEC §5): ratings, flags, colour labels and keywords given to
//! many items at once. Only items in the Gallery change; the Trash shows what they had.

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

impl Library {
    /// Makes `change` to every one of `ids`, all or none: each must be an item of the
    /// Gallery (an asset, not in the Trash). Returns how many items it changed (those that
    /// already carried it are not counted).
    pub fn cull(&mut self, ids: &[ItemId], change: &Cull) -> Result<usize> {
        let assets = ids
            .iter()
            .map(|&id| match id {
                ItemId::Asset(a) => Ok(a),
                ItemId::Collection(_) => Err(LibraryError::Invalid(format!(
                    "{id} is a collection: give its items by their ids (`shoebox ls` lists them)"
                ))),
            })
            .collect::<Result<Vec<AssetId>>>()?;
        let tx = store::write_tx(&mut self.conn)?;
        let states = culling::states_of(&tx, &assets)?;
        for &a in &assets {
            match states.get(&a) {
                None => return Err(LibraryError::NotFound(ItemId::Asset(a))),
                Some(AssetState::Active) => {}
                Some(_) => return Err(LibraryError::InTrash(ItemId::Asset(a))),
            }
        }
        let changed = match change {
            Cull::Rate(r) => culling::set_rating(&tx, &assets, *r)?,
            Cull::Flag(f) => culling::set_flag(&tx, &assets, *f)?,
            Cull::Label(l) => culling::set_label(&tx, &assets, *l)?,
            Cull::Tag(k) => culling::tag(&tx, &assets, k)?,
            Cull::Untag(k) => culling::untag(&tx, &assets, k)?,
        };
        tx.commit()?;
        Ok(changed)
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
