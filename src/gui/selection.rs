//! Selection over the list the user sees: click, Ctrl/Cmd-click, Shift-click ranges,
//! select all, and a focus that the arrow keys move.

use std::collections::BTreeSet;

use crate::library::ItemId;

#[derive(Debug, Default, Clone)]
pub struct Selection {
    pub ids: BTreeSet<ItemId>,
    /// Where a Shift-click range starts (an index into the shown list).
    pub anchor: Option<usize>,
    /// The item the keyboard is on.
    pub focus: Option<usize>,
}

impl Selection {
    /// A click on the item at `index` of `shown`.
    pub fn click(&mut self, shown: &[ItemId], index: usize, toggle: bool, range: bool) {
        let Some(&id) = shown.get(index) else { return };
        if range {
            let anchor = self
                .anchor
                .unwrap_or(index)
                .min(shown.len().saturating_sub(1));
            let (a, b) = if anchor <= index {
                (anchor, index)
            } else {
                (index, anchor)
            };
            if !toggle {
                self.ids.clear();
            }
            self.ids.extend(shown[a..=b].iter().copied());
        } else if toggle {
            if !self.ids.remove(&id) {
                self.ids.insert(id);
            }
            self.anchor = Some(index);
        } else {
            self.ids.clear();
            self.ids.insert(id);
            self.anchor = Some(index);
        }
        self.focus = Some(index);
    }

    pub fn select_all(&mut self, shown: &[ItemId]) {
        self.ids = shown.iter().copied().collect();
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.anchor = None;
        self.focus = None;
    }

    /// Drops ids no longer shown (one pass over what is shown, whatever its length).
    pub fn retain_shown(&mut self, shown: &[ItemId]) {
        if !self.ids.is_empty() {
            let still: BTreeSet<ItemId> = shown
                .iter()
                .filter(|id| self.ids.contains(id))
                .copied()
                .collect();
            self.ids = still;
        }
        if self.focus.is_some_and(|f| f >= shown.len()) {
            self.focus = shown.len().checked_sub(1);
        }
    }

    /// Moves the focus by `delta` items and selects it.
    pub fn move_focus(&mut self, shown: &[ItemId], delta: isize) {
        if shown.is_empty() {
            return;
        }
        let cur = self.focus.unwrap_or(0) as isize;
        let next = (cur + delta).clamp(0, shown.len() as isize - 1) as usize;
        self.click(shown, next, false, false);
    }

    pub fn selected(&self) -> Vec<ItemId> {
        self.ids.iter().copied().collect()
    }

    pub fn contains(&self, id: ItemId) -> bool {
        self.ids.contains(&id)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}
