//! The Trash: days-left badges, deleted at / by, original location; restore, delete
//! permanently, Empty Trash; grid, list, or grouped by batch.

use std::collections::HashMap;

use egui::{RichText, Ui};

use super::view_controls_ui;
use crate::clock;
use crate::gui::command::Command;
use crate::gui::state::Tab;
use crate::gui::tabs::gallery::kind_label;
use crate::gui::textures::Picture;
use crate::gui::theme;
use crate::gui::view::{Acts, Pictures, View};
use crate::gui::views::items::{self, Items, Layout};
use crate::gui::views::{grid, list};
use crate::gui::worker::Snapshot;
use crate::library::{
    CollectionId, ItemId, Kind, Search, TrashEntry, TrashSort, human_size, items,
};
use crate::media::NoPicture;
use crate::thumbs::Request;

pub fn toolbar_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        let hint = match v.trash_open {
            Some(_) => "Search in here",
            None => "Search the Trash",
        };
        super::search_ui(ui, acts, Tab::Trash, v.trash, hint);
        let (mut key, mut reversed) = (v.prefs.trash_sort, v.prefs.trash_reversed);
        egui::ComboBox::new("trash-sort", "Sort")
            .selected_text(sort_name(key))
            .show_ui(ui, |ui| {
                for k in [
                    TrashSort::DeletedAt,
                    TrashSort::DaysLeft,
                    TrashSort::Name,
                    TrashSort::Size,
                ] {
                    ui.selectable_value(&mut key, k, sort_name(k));
                }
            });
        ui.toggle_value(&mut reversed, "Reversed")
            .on_hover_text("Reverse the order");
        if (key, reversed) != (v.prefs.trash_sort, v.prefs.trash_reversed) {
            acts.ask(Command::SetTrashSort(key, reversed));
        }
        let mut grouped = v.prefs.group_by_batch;
        if ui.checkbox(&mut grouped, "Group by deletion").changed() {
            acts.ask(Command::GroupByBatch(grouped));
        }
        ui.separator();
        if !v.prefs.group_by_batch {
            view_controls_ui(ui, acts, v.prefs);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let enabled = !v.snap.trash.is_empty();
            if ui
                .add_enabled(
                    enabled,
                    egui::Button::new(RichText::new("Empty Trash…").color(theme::DANGER)),
                )
                .clicked()
            {
                acts.ask(Command::AskEmptyTrash);
            }
        });
    });
    if let Some(open) = v.trash_open {
        path_ui(v, acts, ui, open);
    }
    // Always its row, so the content never moves under the pointer (see the Gallery's).
    ui.horizontal(|ui| {
        let sel = v.trash.sel.selected();
        let any = !sel.is_empty();
        super::selection_label(ui, sel.len());
        if ui.add_enabled(any, egui::Button::new("Restore")).clicked() {
            acts.ask(Command::Restore(sel.clone()));
        }
        let delete = egui::Button::new(RichText::new("Delete permanently…").color(theme::DANGER));
        if ui.add_enabled(any, delete).clicked() {
            acts.ask(Command::AskDeletePermanently(sel.clone()));
        }
        if ui
            .add_enabled(any, egui::Button::new("Clear selection"))
            .clicked()
        {
            acts.ask(Command::ClearSelection);
        }
    });
    ui.small(format!(
        "Items are deleted permanently {} after they were moved here. The Trash holds {}.",
        crate::library::days(v.snap.retention_days),
        human_size(v.snap.trash_size)
    ));
    if let Some(why) = &v.snap.clock_hold {
        // Wrapped: in a narrow window the button goes below the words, never off screen.
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                theme::BADGE_SOON,
                format!("Automatic purging is paused: {why}."),
            );
            // Either way the user can say the clock is right now; the library then trusts it.
            if ui.button("The time is right: resume").clicked() {
                acts.ask(Command::ConfirmClock);
            }
        });
    }
}

/// Where the Trash is showing: "Trash › Trips › 2024", each part a way back up, and what
/// can be done in here.
fn path_ui(v: &View, acts: &mut Acts, ui: &mut Ui, open: CollectionId) {
    let mut parts = Vec::new();
    let mut cur = Some(open);
    while let Some(c) = cur {
        let Some(e) = v.snap.trashed_collection(c) else {
            break;
        };
        parts.push((c, e.name.clone()));
        cur = e.within.as_ref().map(|w| w.collection);
    }
    parts.reverse();
    ui.horizontal(|ui| {
        if ui
            .button("Trash")
            .on_hover_text("Back to the Trash (Backspace goes up)")
            .clicked()
        {
            acts.ask(Command::OpenTrashed(None));
        }
        for (i, (c, name)) in parts.iter().enumerate() {
            ui.label("›");
            if i + 1 == parts.len() {
                ui.strong(name.as_str());
            } else if ui.button(name.as_str()).clicked() {
                acts.ask(Command::OpenTrashed(Some(*c)));
            }
        }
        ui.weak(
            "In the Trash, read-only: restore or delete what is in here on its own, \
             or the whole collection from the Trash.",
        );
    });
}

/// What the Trash lists, with each row's index in [`Snapshot::trash_item`]: its entries;
/// inside an opened trashed collection, what that holds directly; with a search, every match
/// among the entries and what they hold (below the opened collection, when one is open).
pub fn listed<'a>(
    snap: &'a Snapshot,
    open: Option<CollectionId>,
    search: &Search,
) -> Vec<(usize, &'a TrashEntry)> {
    let parents = parents(snap);
    let below = |e: &TrashEntry, c: CollectionId| {
        let mut cur = e.within.as_ref().map(|w| w.collection);
        while let Some(x) = cur {
            if x == c {
                return true;
            }
            cur = parents.get(&x).copied();
        }
        false
    };
    let matches = |e: &TrashEntry| search.matches_trashed(e);
    snap.trash_items()
        .filter(|(_, e)| match (open, search.is_empty()) {
            (None, true) => e.within.is_none(),
            (None, false) => matches(e),
            (Some(c), true) => e.within.as_ref().is_some_and(|w| w.collection == c),
            (Some(c), false) => matches(e) && below(e, c),
        })
        .collect()
}

/// Each sub-collection inside a trashed collection, with the collection holding it.
fn parents(snap: &Snapshot) -> HashMap<CollectionId, CollectionId> {
    snap.trash_inside
        .iter()
        .filter_map(|e| Some((e.id.collection()?, e.within.as_ref()?.collection)))
        .collect()
}

/// A picture for each trashed collection's tile: the first by name of the pictures it holds
/// (at any depth), as an index into the snapshot's `trash_inside`.
pub fn covers(snap: &Snapshot) -> HashMap<CollectionId, usize> {
    let parents = parents(snap);
    let mut pictures: Vec<(usize, &TrashEntry)> = snap
        .trash_inside
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            matches!(e.asset_kind, Some(Kind::Image | Kind::Video))
                && e.hash.is_some()
                && e.trash_path.is_some()
        })
        .collect();
    pictures.sort_by_cached_key(|(_, e)| e.name.to_lowercase());
    let mut out = HashMap::new();
    for (i, e) in pictures {
        let mut cur = e.within.as_ref().map(|w| w.collection);
        // A collection with a cover already has one for each collection above it too.
        while let Some(c) = cur
            && !out.contains_key(&c)
        {
            out.insert(c, i);
            cur = parents.get(&c).copied();
        }
    }
    out
}

fn sort_name(k: TrashSort) -> &'static str {
    match k {
        TrashSort::DeletedAt => "Deleted date",
        TrashSort::DaysLeft => "Days left",
        TrashSort::Name => "Name",
        TrashSort::Size => "Size",
    }
}

/// The days-left badge: "27d".
pub fn badge(e: &TrashEntry) -> (String, egui::Color32) {
    let color = if e.days_left <= 3 {
        theme::BADGE_SOON
    } else {
        theme::BADGE
    };
    (format!("{}d", e.days_left.max(0)), color)
}

/// Where an entry was; for an item inside a trashed collection, also which entry it went with.
pub fn location_text(e: &TrashEntry) -> String {
    let place = if e.original_location.is_empty() {
        "Top of the library".to_string()
    } else {
        e.original_location.clone()
    };
    match &e.within {
        // Its collection is the entry itself: "Trips (in the Trash)".
        Some(w) if w.collection == w.entry => format!("{place} (in the Trash)"),
        Some(w) => {
            let entry = w.path.split('/').next().unwrap_or_default();
            format!("{place} (in the Trash with \"{entry}\")")
        }
        None => place,
    }
}

pub fn content_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
    if v.snap.trash.is_empty() {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.3);
            ui.heading("The Trash is empty");
            super::cell(
                ui,
                "Things you delete wait here, so nothing is lost by accident.",
            );
        });
        return;
    }
    if v.trash.rows.is_empty() {
        ui.centered_and_justified(|ui| {
            super::cell(
                ui,
                match (v.trash.search.is_empty(), v.trash_open) {
                    (true, Some(_)) => "Nothing is left in here",
                    (false, Some(_)) => "Nothing in here matches the search",
                    _ => "Nothing in the Trash matches the search",
                },
            );
        });
        return;
    }
    if v.prefs.group_by_batch && v.trash_open.is_none() {
        grouped_ui(v, acts, ui);
        return;
    }
    let columns = [
        (1, TrashSort::Name),
        (2, TrashSort::DaysLeft),
        (3, TrashSort::DeletedAt),
        (5, TrashSort::Size),
    ];
    let (key, reversed) = (v.prefs.trash_sort, v.prefs.trash_reversed);
    let layout = Layout {
        id_salt: "trash",
        mode: v.prefs.view,
        tile_size: v.prefs.thumb_size,
        lines: 2,
        headers: &[
            "",
            "Name",
            "Days left",
            "Deleted",
            "Deleted by",
            "Size",
            "Marks",
            // Last: the widest text takes what the window has left.
            "Original location",
        ],
        sortable: &[1, 2, 3, 5],
        sorted: columns
            .iter()
            .find(|(_, k)| *k == key)
            .map(|(c, _)| (*c, reversed)),
    };
    let clicked = items::items_ui(ui, &Entries(v), layout, v.trash, acts);
    if let Some(c) = clicked
        && let Some((_, k)) = columns.iter().find(|(col, _)| *col == c)
    {
        acts.ask(Command::SetTrashSort(*k, key == *k && !reversed));
    }
}

/// The Trash's items: its entries, or what an opened trashed collection holds, or what a
/// search found.
struct Entries<'v, 'a>(&'v View<'a>);

impl Entries<'_, '_> {
    fn get(&self, i: usize) -> Option<&TrashEntry> {
        self.0.snap.trash_item(*self.0.trash.rows.get(i)?)
    }
}

impl Items for Entries<'_, '_> {
    fn id(&self, i: usize) -> Option<ItemId> {
        self.get(i).map(|e| e.id)
    }

    fn tile(&self, i: usize, pictures: &mut Pictures<'_>) -> Option<grid::Tile<'_>> {
        let e = self.get(i)?;
        Some(grid::Tile {
            name: &e.name,
            picture: picture(self.0, pictures, e),
            kind_label: match e.asset_kind {
                Some(k) => kind_label(k),
                None => "COLLECTION",
            },
            badge: Some(badge(e)),
            selected: false,
            focused: false,
            flag: if e.missing {
                Some(("missing", theme::DANGER))
            } else {
                e.asset_kind
                    .is_none()
                    .then_some(("Collection", egui::Color32::from_gray(230)))
            },
            subtitle: Some(tile_subtitle(e, self.0.trash_open.is_some())),
            // What it was given comes back with it: shown, not changed, here.
            marks: e.culling.as_ref(),
        })
    }

    fn cells(&self, i: usize, pictures: &mut Pictures<'_>, r: &mut egui_extras::TableRow<'_, '_>) {
        let Some(e) = self.get(i) else {
            return;
        };
        let pic = picture(self.0, pictures, e);
        r.col(|ui| match e.asset_kind {
            Some(kind) => list::thumb_cell(ui, &pic, kind_label(kind)),
            // The word does not fit the column: a folder mark.
            None => list::collection_cell(ui),
        });
        r.col(|ui| {
            super::cell(ui, e.name.as_str());
        });
        r.col(|ui| {
            let (text, color) = badge(e);
            super::cell(ui, RichText::new(text).color(color).strong());
        });
        r.col(|ui| {
            super::cell(ui, clock::display(e.deleted_at));
        });
        r.col(|ui| {
            super::cell(ui, e.deleted_by.as_str());
        });
        r.col(|ui| {
            super::cell(ui, human_size(e.size));
        });
        r.col(|ui| {
            if let Some(text) = e.culling.as_ref().and_then(super::marks_text) {
                super::cell(ui, text);
            }
        });
        r.col(|ui| {
            super::cell(ui, location_text(e));
        });
    }

    fn menu(&self, i: usize, ui: &mut Ui, acts: &mut Acts<'_>) {
        if let Some(e) = self.get(i) {
            entry_menu(ui, acts, i, e);
        }
    }
}

fn grouped_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
    let entries = Entries(v);
    let rows = &v.trash.rows;
    let batch_of = |i: usize| entries.get(i).map(|e| e.batch_id);
    egui::ScrollArea::vertical()
        .id_salt("trash-batches")
        .auto_shrink(false)
        .show(ui, |ui| {
            let mut i = 0;
            while i < rows.len() {
                let batch = batch_of(i);
                let start = i;
                while i < rows.len() && batch_of(i) == batch {
                    i += 1;
                }
                let info = v.snap.batches.iter().find(|b| Some(b.id) == batch);
                let title = match info {
                    Some(b) => format!("{}, {}", b.label, clock::display(b.created_at)),
                    None => items(i - start),
                };
                ui.horizontal(|ui| {
                    ui.strong(title);
                    if let Some(batch) = batch
                        && ui.small_button("Restore all").clicked()
                    {
                        acts.ask(Command::RestoreBatch(batch));
                    }
                });
                for pos in start..i {
                    let Some(e) = entries.get(pos) else {
                        continue;
                    };
                    let selected = v.trash.sel.contains(e.id);
                    let (text, color) = badge(e);
                    ui.horizontal(|ui| {
                        ui.add_space(16.0);
                        ui.label(RichText::new(text).color(color).strong());
                        let resp = ui.selectable_label(selected, e.name.as_str());
                        ui.weak(format!(
                            "{} · from {}",
                            human_size(e.size),
                            location_text(e)
                        ));
                        items::respond(ui, &resp, pos, selected, &entries, acts);
                    });
                }
                ui.separator();
            }
        });
}

/// The context menu of the Trash item at `i`.
fn entry_menu(ui: &mut Ui, acts: &mut Acts, i: usize, e: &TrashEntry) {
    if let Some(c) = e.id.collection()
        && ui.button("Open").clicked()
    {
        acts.ask(Command::OpenTrashed(Some(c)));
    }
    let label = match e.asset_kind {
        Some(_) => "Preview and properties",
        None => "Properties",
    };
    if ui.button(label).clicked() {
        acts.ask(Command::OpenPreview(i));
    }
    if !e.goes_alone() {
        ui.weak("Restored or deleted with the collection it went with");
        return;
    }
    if ui.button("Restore").clicked() {
        acts.ask(Command::Restore(vec![e.id]));
    }
    if let (Some(path), Some(_)) = (&e.trash_path, e.asset_kind)
        && ui.button("Export a copy…").clicked()
    {
        acts.ask(Command::ExportCopy(path.clone(), e.name.clone()));
    }
    if ui.button("Delete permanently…").clicked() {
        acts.ask(Command::AskDeletePermanently(vec![e.id]));
    }
}

/// The dimmer line under a tile's name: where it was (and which entry it went with) and when
/// it was deleted; inside an opened collection, where it was goes without saying.
fn tile_subtitle(e: &TrashEntry, opened: bool) -> String {
    let date = clock::display(e.deleted_at);
    let date = date.get(..10).unwrap_or_default();
    match (e.asset_kind, opened) {
        (None, _) => format!("{} · {date}", items(e.item_count as usize)),
        (Some(_), true) => format!("{} · {date}", human_size(e.size)),
        (Some(_), false) => format!("{} · {date}", location_text(e)),
    }
}

fn picture(v: &View, pictures: &mut Pictures<'_>, e: &TrashEntry) -> Picture {
    // A collection shows its cover: a picture it holds.
    let e = match e.id.collection() {
        Some(c) => match v
            .trash_covers
            .get(&c)
            .and_then(|&i| v.snap.trash_inside.get(i))
        {
            Some(cover) => cover,
            None => return Picture::Pending,
        },
        None => e,
    };
    if e.missing {
        return Picture::Failed(NoPicture::Missing(
            "the file was already missing on disk".into(),
        ));
    }
    match (e.asset_kind, &e.hash, &e.trash_path) {
        (Some(kind @ (Kind::Image | Kind::Video)), Some(hash), Some(path)) => {
            pictures.get(Request {
                key: hash.clone(),
                path: path.clone(),
                kind,
                size: pictures.grid_px,
            })
        }
        _ => Picture::Pending,
    }
}

/// The Trash's part of the status line.
pub fn status_text(v: &View) -> String {
    if let Some(e) = v.trash_open.and_then(|c| v.snap.trashed_collection(c)) {
        return format!(
            "{} in \"{}\" · {}, in the Trash",
            items(v.trash.rows.len()),
            e.name,
            human_size(v.trash.bytes)
        );
    }
    if !v.trash.search.is_empty() {
        // A search also finds what is inside the entries: not a part of them to count.
        return format!(
            "{} found · {}; the Trash holds {} · {}",
            items(v.trash.rows.len()),
            human_size(v.trash.bytes),
            items(v.snap.trash.len()),
            human_size(v.snap.trash_size)
        );
    }
    super::shown_text(
        v.trash,
        v.snap.trash.len(),
        v.snap.trash_size,
        " in the Trash",
    )
}
