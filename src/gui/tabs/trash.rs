//! The Trash: days-left badges, deleted at / by, original location; restore, delete
//! permanently, Empty Trash; grid, list, or grouped by batch.

use std::collections::HashMap;

use egui::{RichText, Ui};

use super::{click_command, view_controls_ui};
use crate::clock;
use crate::gui::app::{Command, ShoeboxApp, ViewMode};
use crate::gui::tabs::gallery::kind_label;
use crate::gui::textures::Picture;
use crate::gui::theme;
use crate::gui::views::{grid, list};
use crate::gui::worker::Snapshot;
use crate::library::{CollectionId, Kind, TrashEntry, TrashSort, human_size, items};
use crate::thumbs::{Request, THUMB_PX};

pub fn toolbar_ui(app: &mut ShoeboxApp, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        let search = ui.add(
            egui::TextEdit::singleline(&mut app.trash.search)
                .hint_text(match app.trash_open {
                    Some(_) => "Search in here",
                    None => "Search the Trash",
                })
                .desired_width(160.0),
        );
        if search.changed() {
            app.trash.dirty = true;
        }
        let before = (
            app.prefs.trash_sort,
            app.prefs.trash_reversed,
            app.prefs.group_by_batch,
        );
        egui::ComboBox::new("trash-sort", "Sort")
            .selected_text(sort_name(app.prefs.trash_sort))
            .show_ui(ui, |ui| {
                for key in [
                    TrashSort::DeletedAt,
                    TrashSort::DaysLeft,
                    TrashSort::Name,
                    TrashSort::Size,
                ] {
                    ui.selectable_value(&mut app.prefs.trash_sort, key, sort_name(key));
                }
            });
        ui.toggle_value(&mut app.prefs.trash_reversed, "Reversed")
            .on_hover_text("Reverse the order");
        ui.checkbox(&mut app.prefs.group_by_batch, "Group by deletion");
        let now = (
            app.prefs.trash_sort,
            app.prefs.trash_reversed,
            app.prefs.group_by_batch,
        );
        if now != before {
            app.trash.dirty = true;
        }
        ui.separator();
        if !app.prefs.group_by_batch {
            view_controls_ui(ui, &mut app.prefs.view, &mut app.prefs.thumb_size);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let enabled = !app.snap.trash.is_empty();
            if ui
                .add_enabled(
                    enabled,
                    egui::Button::new(RichText::new("Empty Trash…").color(theme::DANGER)),
                )
                .clicked()
            {
                app.commands.push(Command::AskEmptyTrash);
            }
        });
    });
    if let Some(open) = app.trash_open {
        path_ui(app, ui, open);
    }
    // Always its row, so the content never moves under the pointer (see the Gallery's).
    ui.horizontal(|ui| {
        let sel = app.trash.sel.selected();
        let any = !sel.is_empty();
        super::selection_label(ui, sel.len());
        if ui.add_enabled(any, egui::Button::new("Restore")).clicked() {
            app.commands.push(Command::Restore(sel.clone()));
        }
        let delete = egui::Button::new(RichText::new("Delete permanently…").color(theme::DANGER));
        if ui.add_enabled(any, delete).clicked() {
            app.commands
                .push(Command::AskDeletePermanently(sel.clone()));
        }
        if ui
            .add_enabled(any, egui::Button::new("Clear selection"))
            .clicked()
        {
            app.commands.push(Command::ClearSelection);
        }
    });
    ui.small(format!(
        "Items are deleted permanently {} after they were moved here. The Trash holds {}.",
        crate::library::days(app.snap.retention_days),
        human_size(app.snap.trash_size)
    ));
    if let Some(why) = &app.snap.clock_hold {
        ui.horizontal(|ui| {
            ui.colored_label(
                theme::BADGE_SOON,
                format!("Automatic purging is paused: {why}."),
            );
            // Either way the user can say the clock is right now; the library then trusts it.
            if ui.button("The time is right: resume").clicked() {
                app.commands.push(Command::ConfirmClock);
            }
        });
    }
}

/// Where the Trash is showing: "Trash › Trips › 2024", each part a way back up, and what
/// can be done in here.
fn path_ui(app: &mut ShoeboxApp, ui: &mut Ui, open: CollectionId) {
    let mut parts = Vec::new();
    let mut cur = Some(open);
    while let Some(c) = cur {
        let Some(e) = app.snap.trashed_collection(c) else {
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
            app.commands.push(Command::OpenTrashed(None));
        }
        for (i, (c, name)) in parts.iter().enumerate() {
            ui.label("›");
            if i + 1 == parts.len() {
                ui.strong(name.as_str());
            } else if ui.button(name.as_str()).clicked() {
                app.commands.push(Command::OpenTrashed(Some(*c)));
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
    needle: &str,
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
    let matches = |e: &TrashEntry| e.name.to_lowercase().contains(needle);
    snap.trash_items()
        .filter(|(_, e)| match (open, needle.is_empty()) {
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

pub fn content_ui(app: &mut ShoeboxApp, ui: &mut Ui) {
    if app.snap.trash.is_empty() {
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
    if app.trash.rows.is_empty() {
        ui.centered_and_justified(|ui| {
            super::cell(
                ui,
                match (app.trash.search.is_empty(), app.trash_open) {
                    (true, Some(_)) => "Nothing is left in here",
                    (false, Some(_)) => "Nothing in here matches the search",
                    _ => "Nothing in the Trash matches the search",
                },
            );
        });
        return;
    }
    let snap = app.snap.clone();
    let rows = std::mem::take(&mut app.trash.rows);
    let scroll_to = app
        .trash
        .sel
        .focus
        .filter(|_| std::mem::take(&mut app.trash.focus_moved));
    if app.prefs.group_by_batch && app.trash_open.is_none() {
        grouped_ui(app, ui, &snap, &rows);
    } else {
        match app.prefs.view {
            ViewMode::Grid => {
                let tile_size = app.prefs.thumb_size;
                let opened = app.trash_open.is_some();
                grid::grid_ui(
                    ui,
                    "trash-grid",
                    rows.len(),
                    (tile_size, 2),
                    scroll_to,
                    |ui, i, rect| {
                        let Some(e) = snap.trash_item(rows[i]) else {
                            return;
                        };
                        let label = entry_kind_label(e);
                        let tile = grid::Tile {
                            name: &e.name,
                            picture: picture(app, e),
                            kind_label: &label,
                            badge: Some(badge(e)),
                            selected: app.trash.sel.contains(e.id),
                            focused: app.trash.sel.focus == Some(i),
                            flag: e
                                .asset_kind
                                .is_none()
                                .then_some(("Collection", egui::Color32::from_gray(230))),
                            subtitle: Some(tile_subtitle(e, opened)),
                        };
                        let resp =
                            grid::tile_ui(ui, rect, egui::Id::unique(("trash", e.id)), &tile);
                        let resp = resp.on_hover_text(format!(
                            "Deleted {} by {}\nFrom {}",
                            clock::display(e.deleted_at),
                            e.deleted_by,
                            location_text(e)
                        ));
                        entry_actions(app, ui, &resp, i, e);
                    },
                );
            }
            ViewMode::List => {
                let headers = [
                    "",
                    "Name",
                    "Days left",
                    "Deleted",
                    "Deleted by",
                    "Size",
                    // Last: the widest text takes what the window has left.
                    "Original location",
                ];
                let columns = [
                    (1, TrashSort::Name),
                    (2, TrashSort::DaysLeft),
                    (3, TrashSort::DeletedAt),
                    (5, TrashSort::Size),
                ];
                let (key, reversed) = (app.prefs.trash_sort, app.prefs.trash_reversed);
                let sorted = columns
                    .iter()
                    .find(|(_, k)| *k == key)
                    .map(|(c, _)| (*c, reversed));
                let sel = app.trash.sel.clone();
                let mut responses = Vec::new();
                let header = list::table_ui(
                    ui,
                    list::TableSpec {
                        id_salt: "trash-list",
                        headers: &headers,
                        count: rows.len(),
                        scroll_to,
                        sortable: &[1, 2, 3, 5],
                        sorted,
                    },
                    |i| snap.trash_item(rows[i]).is_some_and(|e| sel.contains(e.id)),
                    |i, r| {
                        let Some(e) = snap.trash_item(rows[i]) else {
                            return;
                        };
                        let pic = picture(app, e);
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
                            super::cell(ui, location_text(e));
                        });
                    },
                    |i, resp| responses.push((i, resp.clone())),
                );
                if let Some(c) = header
                    && let Some((_, k)) = columns.iter().find(|(col, _)| *col == c)
                {
                    let reversed = key == *k && !reversed;
                    app.commands.push(Command::SetTrashSort(*k, reversed));
                }
                for (i, resp) in responses {
                    if let Some(e) = snap.trash_item(rows[i]) {
                        entry_actions(app, ui, &resp, i, e);
                    }
                }
            }
        }
    }
    app.trash.rows = rows;
}

fn grouped_ui(app: &mut ShoeboxApp, ui: &mut Ui, snap: &Snapshot, rows: &[usize]) {
    let batch_of = |i: usize| snap.trash_item(rows[i]).map(|e| e.batch_id);
    let batches = app.snap.batches.clone();
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
                let info = batches.iter().find(|b| Some(b.id) == batch);
                let title = match info {
                    Some(b) => format!("{}, {}", b.label, clock::display(b.created_at)),
                    None => items(i - start),
                };
                ui.horizontal(|ui| {
                    ui.strong(title);
                    if let Some(batch) = batch
                        && ui.small_button("Restore all").clicked()
                    {
                        app.commands.push(Command::RestoreBatch(batch));
                    }
                });
                for (pos, &row) in rows.iter().enumerate().take(i).skip(start) {
                    let Some(e) = snap.trash_item(row) else {
                        continue;
                    };
                    let selected = app.trash.sel.contains(e.id);
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
                        entry_actions(app, ui, &resp, pos, e);
                    });
                }
                ui.separator();
            }
        });
}

fn entry_actions(app: &mut ShoeboxApp, ui: &Ui, resp: &egui::Response, i: usize, e: &TrashEntry) {
    if resp.double_clicked() {
        app.commands.push(Command::Activate(i));
    } else if resp.clicked() {
        app.commands.push(click_command(ui, i));
    }
    // A sub-collection goes back (or away) only with the collection it was trashed with.
    let on_its_own = !(e.within.is_some() && e.asset_kind.is_none());
    resp.context_menu(|ui| {
        if let Some(c) = e.id.collection()
            && ui.button("Open").clicked()
        {
            app.commands.push(Command::OpenTrashed(Some(c)));
        }
        let label = match e.asset_kind {
            Some(_) => "Preview and properties",
            None => "Properties",
        };
        if ui.button(label).clicked() {
            app.commands.push(Command::OpenPreview(i));
        }
        if !on_its_own {
            ui.weak("Restored or deleted with the collection it went with");
            return;
        }
        if ui.button("Restore").clicked() {
            app.commands.push(Command::Restore(vec![e.id]));
        }
        if let (Some(path), Some(_)) = (&e.trash_path, e.asset_kind)
            && ui.button("Export a copy…").clicked()
        {
            app.commands
                .push(Command::ExportCopy(path.clone(), e.name.clone()));
        }
        if ui.button("Delete permanently…").clicked() {
            app.commands.push(Command::AskDeletePermanently(vec![e.id]));
        }
    });
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

/// What a tile without a picture says: the kind, or what a collection holds.
fn entry_kind_label(e: &TrashEntry) -> String {
    match e.asset_kind {
        Some(k) => kind_label(k).to_string(),
        None => format!("COLLECTION\n{}", items(e.item_count as usize)),
    }
}

fn picture(app: &mut ShoeboxApp, e: &TrashEntry) -> Picture {
    // A collection shows its cover: a picture it holds.
    let snap = app.snap.clone();
    let e = match e.id.collection() {
        Some(c) => match app
            .trash_covers
            .get(&c)
            .and_then(|&i| snap.trash_inside.get(i))
        {
            Some(cover) => cover,
            None => return Picture::Pending,
        },
        None => e,
    };
    match (e.asset_kind, &e.hash, &e.trash_path) {
        (Some(kind @ (Kind::Image | Kind::Video)), Some(hash), Some(path)) => app.textures.get(
            app.thumbs.as_mut(),
            Request {
                key: hash.clone(),
                path: path.clone(),
                kind,
                size: THUMB_PX,
            },
        ),
        _ => Picture::Pending,
    }
}

/// The Trash's part of the status line.
pub fn status_text(app: &ShoeboxApp) -> String {
    if let Some(e) = app.trash_open.and_then(|c| app.snap.trashed_collection(c)) {
        return format!(
            "{} in \"{}\" · {}, in the Trash",
            items(app.trash.rows.len()),
            e.name,
            human_size(app.trash.bytes)
        );
    }
    if !app.trash.search.is_empty() {
        // A search also finds what is inside the entries: not a part of them to count.
        return format!(
            "{} found · {}; the Trash holds {} · {}",
            items(app.trash.rows.len()),
            human_size(app.trash.bytes),
            items(app.snap.trash.len()),
            human_size(app.snap.trash_size)
        );
    }
    super::shown_text(
        &app.trash,
        app.snap.trash.len(),
        app.snap.trash_size,
        " in the Trash",
    )
}
