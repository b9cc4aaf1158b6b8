//! The window's plain state: tabs, view modes, remembered preferences, what a tab shows, the
//! preview and the toast. Data only; the app changes it, views read it.

use serde::{Deserialize, Serialize};

use super::selection::Selection;
use crate::library::{BatchId, ItemId, Sort, TrashSort};

/// The two tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Tab {
    #[default]
    Gallery,
    Trash,
}

/// Grid of tiles or a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ViewMode {
    #[default]
    Grid,
    List,
}

/// What is remembered between launches (eframe remembers the window size).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub tab: Tab,
    pub view: ViewMode,
    pub thumb_size: f32,
    pub sort: Sort,
    pub trash_sort: TrashSort,
    /// The Trash's order turned around (each sort has its natural direction).
    pub trash_reversed: bool,
    pub group_by_batch: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            tab: Tab::Gallery,
            view: ViewMode::Grid,
            thumb_size: 140.0,
            sort: Sort::default(),
            trash_sort: TrashSort::default(),
            trash_reversed: false,
            group_by_batch: false,
        }
    }
}

/// What one tab shows: a filtered, sorted list of indices into the snapshot.
#[derive(Debug, Default)]
pub struct Shown {
    pub search: String,
    /// Indices into the snapshot's list, in display order.
    pub rows: Vec<usize>,
    /// The ids of `rows`, for selection.
    pub ids: Vec<ItemId>,
    pub dirty: bool,
    pub sel: Selection,
    /// The focus moved by a key this frame: the view scrolls to it.
    pub focus_moved: bool,
    /// Bytes of what is shown.
    pub bytes: u64,
    /// After items leave (a move to the Trash): the position they were at and their ids.
    /// Once the list no longer shows them, the item now at that position is selected and
    /// focused, so culling goes on with the next Delete.
    pub reselect: Option<(usize, Vec<ItemId>)>,
}

impl Shown {
    /// Remembers where `leaving` are, to select what takes their place (see `reselect`).
    pub fn reselect_after(&mut self, leaving: &[ItemId]) {
        self.reselect = self
            .ids
            .iter()
            .position(|id| leaving.contains(id))
            .map(|pos| (pos, leaving.to_vec()));
    }

    /// Selects what took the place of the items that left, once they have.
    pub fn settle_reselect(&mut self) {
        let Some((pos, leaving)) = &self.reselect else {
            return;
        };
        if self.ids.iter().any(|id| leaving.contains(id)) {
            return; // Not gone yet (or the move failed: then it stays selected).
        }
        let pos = *pos;
        self.reselect = None;
        if let Some(last) = self.ids.len().checked_sub(1) {
            let ids = self.ids.clone();
            self.sel.click(&ids, pos.min(last), false, false);
            self.focus_moved = true;
        }
    }
}

/// The lightbox.
#[derive(Debug, Clone)]
pub struct Preview {
    pub tab: Tab,
    /// Position in the tab's shown list.
    pub pos: usize,
    pub fit: bool,
}

/// A short message at the bottom, maybe with Undo.
#[derive(Debug, Clone)]
pub struct Toast {
    pub text: String,
    pub undo_batch: Option<BatchId>,
    pub until: f64,
}
