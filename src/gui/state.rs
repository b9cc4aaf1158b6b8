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
    /// The import dialog's last answer: leave files where they are (else copy them).
    pub import_in_place: bool,
    /// In the preview, a rating or a flag moves on to the next item (culling a shoot).
    pub advance_after_cull: bool,
    /// The grid by date, grouped by day, month or year.
    pub group: crate::library::Grouping,
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
            import_in_place: false,
            advance_after_cull: false,
            group: crate::library::Grouping::None,
        }
    }
}

/// What one tab shows: a filtered, sorted list of indices into the snapshot.
#[derive(Debug, Default)]
pub struct Shown {
    pub search: String,
    /// The Trash: indices into the snapshot's list, in display order (the Gallery reads its
    /// rows by id: see `gui::rows`).
    pub rows: Vec<usize>,
    /// The ids shown, in display order (the Gallery's come whole from the library
    /// thread; the Trash's are those of `rows`).
    pub ids: std::sync::Arc<Vec<ItemId>>,
    pub dirty: bool,
    pub sel: Selection,
    /// The focus moved by a key this frame: the view scrolls to it.
    pub focus_moved: bool,
    /// Bytes of what is shown.
    pub bytes: u64,
    /// `ids` holds the head of the view: the rest of it is being read.
    pub reading_rest: bool,
    /// After items leave (a move to the Trash): the position they were at and their ids.
    /// Once the list no longer shows them, the item now at that position is selected and
    /// focused, so culling goes on with the next Delete.
    pub reselect: Option<(usize, Vec<ItemId>)>,
    /// Why the search typed cannot be read (the view shows what it showed before).
    pub search_error: Option<String>,
    /// How many rejects the view shows (the Gallery: "Move rejected to the Trash").
    pub rejected: u64,
    /// A grouped view's groups: where each starts in `ids`, and its header.
    pub groups: std::sync::Arc<Vec<(usize, String)>>,
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
    pub view: PreviewView,
}

/// How the preview shows its picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreviewView {
    /// The whole picture in the space there is; else `zoom`.
    pub fit: bool,
    /// Screen points per picture pixel when not fitted (1 = 100 %).
    pub zoom: f32,
    /// How far the picture's centre is from the view's centre, in points.
    pub pan: egui::Vec2,
    /// The picture fills the window: no Properties.
    pub fill: bool,
    /// Properties shown beside the picture.
    pub props: bool,
}

impl Default for PreviewView {
    fn default() -> Self {
        PreviewView {
            fit: true,
            zoom: 1.0,
            pan: egui::Vec2::ZERO,
            fill: false,
            props: true,
        }
    }
}

impl PreviewView {
    /// The least and the most a picture is zoomed.
    pub const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.05..=16.0;

    /// Zoomed by `factor` from `scale` (what is shown now), keeping the picture's point under
    /// `at` (relative to the view's centre) where it is.
    pub fn zoomed(self, scale: f32, factor: f32, at: egui::Vec2) -> PreviewView {
        let zoom = (scale * factor).clamp(*Self::ZOOM_RANGE.start(), *Self::ZOOM_RANGE.end());
        let ratio = zoom / scale;
        PreviewView {
            fit: false,
            zoom,
            pan: at - (at - self.pan) * ratio,
            ..self
        }
    }

    /// At 100 %, centred.
    pub fn actual_size(self) -> PreviewView {
        PreviewView {
            fit: false,
            zoom: 1.0,
            pan: egui::Vec2::ZERO,
            ..self
        }
    }

    /// The whole picture, centred.
    pub fn fitted(self) -> PreviewView {
        PreviewView {
            fit: true,
            pan: egui::Vec2::ZERO,
            ..self
        }
    }
}

/// A short message at the bottom, maybe with Undo.
#[derive(Debug, Clone)]
pub struct Toast {
    pub text: String,
    pub undo: Option<Undo>,
    pub until: f64,
}

/// What Undo (the toast's button, Ctrl/Cmd+Z) takes back: the last change the user made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// A move to the Trash: the batch comes back.
    Batch(BatchId),
    /// Ratings, flags, labels or keywords given: what the items carried before.
    Cull(crate::library::Steps),
}

#[cfg(test)]
mod preview_tests {
    use super::PreviewView;
    use egui::vec2;

    /// The wheel zooms around the pointer: the picture's point under it stays under it.
    #[test]
    fn zooming_keeps_the_point_under_the_pointer_in_place() {
        let view = PreviewView {
            fit: false,
            zoom: 0.5,
            pan: vec2(30.0, -10.0),
            ..Default::default()
        };
        let at = vec2(120.0, 80.0);
        // The picture pixel under `at`, before and after.
        let pixel = |v: PreviewView, scale: f32| (at - v.pan) / scale;
        let zoomed = view.zoomed(0.5, 2.0, at);
        assert_eq!(zoomed.zoom, 1.0);
        assert!((pixel(view, 0.5) - pixel(zoomed, 1.0)).length() < 1e-3);
        // Clamped at both ends; 100 % is centred; fitting forgets the pan.
        assert_eq!(view.zoomed(0.5, 1e6, at).zoom, 16.0);
        assert_eq!(view.zoomed(0.5, 1e-6, at).zoom, 0.05);
        assert_eq!(view.actual_size().pan, vec2(0.0, 0.0));
        assert!(view.fitted().fit && view.fitted().pan == vec2(0.0, 0.0));
    }
}
