//! The Gallery: collection tree, toolbar, selection bar, and the grid or list of assets (the
//! filter bar, smart collections and keyword tree are in `organise`).

use std::collections::HashMap;

use egui::{RichText, Ui};

use super::view_controls_ui;
use crate::clock;
use crate::gui::command::Command;
use crate::gui::state::Tab;
use crate::gui::textures::Picture;
use crate::gui::view::{Acts, Pictures, View};
use crate::gui::views::items::{self, Items, Layout};
use crate::gui::views::{grid, list};
use crate::gui::worker::Job;
use crate::library::{
    AssetInfo, CollectionId, CollectionInfo, Grouping, ItemId, Kind, SortKey, human_size,
};
use crate::media::NoPicture;
use crate::thumbs::Request;

pub fn toolbar_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        if ui.button("Import files…").clicked() {
            acts.ask(Command::ImportFiles);
        }
        if ui.button("Import folder…").clicked() {
            acts.ask(Command::ImportFolder);
        }
        ui.separator();
        super::search_ui(ui, acts, Tab::Gallery, v.gallery, "Search");
        if !v.gallery.search.trim().is_empty()
            && v.gallery.search_error.is_none()
            && ui
                .button("Save…")
                .on_hover_text("Save this search as a smart collection")
                .clicked()
        {
            acts.ask(Command::AskSaveSearch);
        }
        let mut sort = v.prefs.sort;
        egui::ComboBox::new("gallery-sort", "Sort")
            .selected_text(sort_name(sort.key))
            .show_ui(ui, |ui| {
                for key in [
                    SortKey::Date,
                    SortKey::Imported,
                    SortKey::Rating,
                    SortKey::Flag,
                    SortKey::Label,
                    SortKey::Name,
                    SortKey::Size,
                    SortKey::Kind,
                ] {
                    ui.selectable_value(&mut sort.key, key, sort_name(key));
                }
            });
        let arrow = if sort.descending {
            "Descending"
        } else {
            "Ascending"
        };
        ui.toggle_value(&mut sort.descending, arrow)
            .on_hover_text("Reverse the order");
        if sort != v.prefs.sort {
            acts.ask(Command::SetSort(sort));
        }
        // By date, the grid can be grouped under headers.
        if matches!(sort.key, SortKey::Date | SortKey::Imported)
            && v.prefs.view == crate::gui::state::ViewMode::Grid
        {
            let mut group = v.prefs.group;
            let name = |g: Grouping| match g {
                Grouping::None => "Not grouped",
                Grouping::Day => "By day",
                Grouping::Month => "By month",
                Grouping::Year => "By year",
            };
            egui::ComboBox::new("gallery-group", "")
                .selected_text(name(group))
                .show_ui(ui, |ui| {
                    for g in [Grouping::None, Grouping::Day, Grouping::Month, Grouping::Year] {
                        ui.selectable_value(&mut group, g, name(g));
                    }
                })
                .response
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Group by date")
                });
            if group != v.prefs.group {
                acts.ask(Command::SetGrouping(group));
            }
        }
        ui.separator();
        view_controls_ui(ui, acts, v.prefs);
        if v.gallery.rejected > 0 {
            ui.separator();
            let n = v.gallery.rejected as usize;
            if ui
                .button("Move rejected to the Trash")
                .on_hover_text(format!(
                    "The {} flagged as rejects in this view, as one deletion (Undo brings them back)",
                    crate::library::items(n)
                ))
                .clicked()
            {
                acts.ask(Command::TrashRejected);
            }
        }
    });
    if v.loaded && v.snap.asset_count == 0 && v.snap.collections.is_empty() {
        return; // The welcome: nothing to select yet.
    }
    super::organise::filter_bar_ui(v, acts, ui);
    // The selection bar always has its row: appearing with the first click, it would move
    // the grid under the pointer before the second click of a double-click.
    ui.horizontal(|ui| {
        let sel = v.gallery.sel.selected();
        let any = !sel.is_empty();
        super::selection_label(ui, sel.len());
        if ui.add_enabled(any, egui::Button::new("Delete…")).clicked() {
            acts.ask(Command::AskDelete(sel.clone()));
        }
        let collections = &v.snap.collections;
        ui.add_enabled_ui(any, |ui| {
            ui.menu_button("Move to", |ui| {
                if ui.button("Top of the library").clicked() {
                    acts.ask(Command::Library(Job::MoveAssets {
                        ids: sel.clone(),
                        to: None,
                    }));
                }
                for c in collections.iter() {
                    if let ItemId::Collection(cid) = c.id
                        && ui.button(c.path.as_str()).clicked()
                    {
                        acts.ask(Command::Library(Job::MoveAssets {
                            ids: sel.clone(),
                            to: Some(cid),
                        }));
                    }
                }
            });
        });
        if ui.add_enabled(any, egui::Button::new("Preview")).clicked()
            && let Some(f) = v.gallery.sel.focus
        {
            acts.ask(Command::OpenPreview(f));
        }
        if ui
            .add_enabled(any, egui::Button::new("Clear selection"))
            .clicked()
        {
            acts.ask(Command::ClearSelection);
        }
    });
}

fn sort_name(k: SortKey) -> &'static str {
    match k {
        SortKey::Date => "Capture date",
        SortKey::Imported => "Import date",
        SortKey::Rating => "Rating",
        SortKey::Flag => "Flag",
        SortKey::Label => "Colour label",
        SortKey::Name => "Name",
        SortKey::Size => "Size",
        SortKey::Kind => "Kind",
    }
}

/// The collection tree.
pub fn tree_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.strong("Collections");
        if ui
            .small_button("+")
            .on_hover_text("New collection")
            .clicked()
        {
            acts.ask(Command::AskNewCollection(v.collection));
        }
    });
    ui.separator();
    let collections = &v.snap.collections;
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            if ui
                .selectable_label(v.collection.is_none(), "All items")
                .clicked()
            {
                acts.ask(Command::ShowCollection(None));
            }
            children_ui(v, acts, ui, collections, None);
            if !v.snap.smart.is_empty() {
                ui.add_space(12.0);
                super::organise::smart_ui(v, acts, ui);
            }
            ui.add_space(12.0);
            super::organise::keywords_ui(v, acts, ui);
        });
}

fn children_ui(
    v: &View,
    acts: &mut Acts,
    ui: &mut Ui,
    all: &[CollectionInfo],
    parent: Option<CollectionId>,
) {
    for c in all.iter().filter(|c| c.parent_id == parent) {
        let ItemId::Collection(id) = c.id else {
            continue;
        };
        let has_children = all.iter().any(|k| k.parent_id == Some(id));
        let selected = v.collection == Some(id);
        let count = v.collection_counts.get(&id).copied().unwrap_or(0);
        let label = |ui: &mut Ui, acts: &mut Acts| {
            let r = ui
                .horizontal(|ui| {
                    let r = ui.selectable_label(selected, c.name.as_str());
                    if count > 0 {
                        ui.weak(crate::library::thousands(count));
                    }
                    r
                })
                .inner;
            if r.clicked() {
                acts.ask(Command::ShowCollection(Some(id)));
            }
            r.context_menu(|ui| {
                if ui.button("New collection inside…").clicked() {
                    acts.ask(Command::AskNewCollection(Some(id)));
                }
                if ui.button("Rename…").clicked() {
                    acts.ask(Command::AskRenameCollection(id));
                }
                ui.menu_button("Move to", |ui| {
                    if ui.button("Top of the library").clicked() {
                        acts.ask(Command::Library(Job::MoveCollection { id, parent: None }));
                    }
                    for other in all
                        .iter()
                        .filter(|o| o.id != c.id && !o.path.starts_with(&format!("{}/", c.path)))
                    {
                        if let ItemId::Collection(oid) = other.id
                            && ui.button(other.path.as_str()).clicked()
                        {
                            acts.ask(Command::Library(Job::MoveCollection {
                                id,
                                parent: Some(oid),
                            }));
                        }
                    }
                });
                if ui.button("Delete collection…").clicked() {
                    acts.ask(Command::AskDelete(vec![c.id]));
                }
            });
        };
        label(ui, acts);
        if has_children {
            ui.indent(("tree", id), |ui| children_ui(v, acts, ui, all, Some(id)));
        }
    }
}

/// The grid or list of assets, the welcome on an empty library.
pub fn content_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
    if !v.loaded {
        ui.centered_and_justified(|ui| {
            ui.label("Opening the library…");
        });
        return;
    }
    let library_empty = v.snap.asset_count == 0 && v.snap.collections.is_empty();
    if library_empty {
        welcome_ui(acts, ui);
        return;
    }
    let children: Vec<(CollectionId, &str)> = match v.collection {
        Some(c) => v
            .snap
            .collections
            .iter()
            .filter(|x| x.parent_id == Some(c))
            .filter_map(|x| Some((x.id.collection()?, x.name.as_str())))
            .collect(),
        None => Vec::new(),
    };
    if v.gallery.ids.is_empty() && v.gallery.search.is_empty() && !children.is_empty() {
        // Only collections inside: they are what it holds.
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.25);
            ui.label(format!(
                "This collection holds {} {}:",
                children.len(),
                if children.len() == 1 {
                    "collection"
                } else {
                    "collections"
                }
            ));
            for (id, name) in children {
                if ui.button(name).clicked() {
                    acts.ask(Command::ShowCollection(Some(id)));
                }
            }
        });
        return;
    }
    if v.gallery.ids.is_empty() {
        ui.centered_and_justified(|ui| {
            super::cell(
                ui,
                if v.gallery.search.is_empty() {
                    "This collection is empty"
                } else {
                    "Nothing matches the search"
                },
            );
        });
        return;
    }
    let columns = [
        (1, SortKey::Name),
        (2, SortKey::Rating),
        (3, SortKey::Flag),
        (4, SortKey::Label),
        (5, SortKey::Kind),
        (6, SortKey::Size),
        (8, SortKey::Date),
    ];
    let sort = v.prefs.sort;
    let layout = Layout {
        id_salt: "gallery",
        mode: v.prefs.view,
        tile_size: v.prefs.thumb_size,
        lines: 1,
        headers: &[
            "",
            "Name",
            "Rating",
            "Flag",
            "Label",
            "Kind",
            "Size",
            "Dimensions",
            "Capture date",
            "Location",
        ],
        sortable: &[1, 2, 3, 4, 5, 6, 8],
        sorted: columns
            .iter()
            .find(|(_, k)| *k == sort.key)
            .map(|(c, _)| (*c, sort.descending)),
    };
    let clicked = items::items_ui(ui, &Assets(v), layout, v.gallery, acts);
    if let Some(c) = clicked
        && let Some((_, key)) = columns.iter().find(|(col, _)| *col == c)
    {
        let descending = sort.key == *key && !sort.descending;
        acts.ask(Command::SetSort(crate::library::Sort {
            key: *key,
            descending,
        }));
    }
}

/// The Gallery's items: the assets it shows.
struct Assets<'v, 'a>(&'v View<'a>);

impl Assets<'_, '_> {
    fn get(&self, i: usize) -> Option<&AssetInfo> {
        self.0.rows.at(&self.0.gallery.ids, i)
    }
}

impl Items for Assets<'_, '_> {
    fn id(&self, i: usize) -> Option<ItemId> {
        self.get(i).map(|a| a.id)
    }

    fn tile(&self, i: usize, pictures: &mut Pictures<'_>) -> Option<grid::Tile<'_>> {
        let a = self.get(i)?;
        Some(grid::Tile {
            name: &a.name,
            picture: picture(pictures, a),
            kind_label: kind_label(a.asset_kind),
            // A video's playing time, where known; a RAW+JPEG pair says so.
            badge: a
                .duration_ms
                .filter(|_| a.asset_kind == Kind::Video)
                .map(clock::duration)
                .or_else(|| a.has_raw_companion().then(|| "RAW+JPEG".to_string()))
                .map(|text| (text, egui::Color32::from_gray(40))),
            selected: false,
            focused: false,
            subtitle: None,
            marks: Some(&a.culling),
            flag: if a.offline {
                Some(("offline", crate::gui::theme::DANGER))
            } else {
                a.missing.then_some(("missing", crate::gui::theme::DANGER))
            },
        })
    }

    fn cells(&self, i: usize, pictures: &mut Pictures<'_>, r: &mut egui_extras::TableRow<'_, '_>) {
        let Some(a) = self.get(i) else {
            return;
        };
        let pic = picture(pictures, a);
        r.col(|ui| list::thumb_cell(ui, &pic, kind_label(a.asset_kind)));
        r.col(|ui| {
            super::cell(ui, a.name.as_str());
        });
        super::culling_cells(r, &a.culling);
        r.col(|ui| {
            super::cell(ui, crate::library::kind_name(a.asset_kind, &a.name));
        });
        r.col(|ui| {
            super::cell(ui, human_size(a.size));
        });
        r.col(|ui| {
            super::cell(
                ui,
                match (a.width, a.height) {
                    (Some(w), Some(h)) => crate::library::dimensions_text(&a.name, w, h),
                    _ => String::new(),
                },
            );
        });
        r.col(|ui| {
            super::cell(ui, clock::display(a.captured_at.unwrap_or(a.imported_at)));
        });
        r.col(|ui| {
            super::cell(
                ui,
                if a.location.is_empty() {
                    "—"
                } else {
                    a.location.as_str()
                },
            );
        });
    }

    fn menu(&self, i: usize, ui: &mut Ui, acts: &mut Acts<'_>) {
        let Some(a) = self.get(i) else {
            return;
        };
        if ui.button("Preview").clicked() {
            acts.ask(Command::OpenPreview(i));
        }
        if ui.button("Export a copy…").clicked() {
            acts.ask(Command::ExportCopy(a.path.clone(), a.name.clone()));
        }
        if ui.button("Move to Trash…").clicked() {
            let mut ids = self.0.gallery.sel.selected();
            if !ids.contains(&a.id) {
                ids = vec![a.id];
            }
            acts.ask(Command::AskDelete(ids));
        }
    }
}

fn picture(pictures: &mut Pictures<'_>, a: &AssetInfo) -> Picture {
    if !matches!(a.asset_kind, Kind::Image | Kind::Video) {
        return Picture::Pending;
    }
    if a.missing {
        return Picture::Failed(NoPicture::Missing("the file is missing on disk".into()));
    }
    if a.offline {
        return Picture::Failed(NoPicture::Offline(
            "the file's folder or drive is offline".into(),
        ));
    }
    pictures.get(Request {
        key: a.hash.clone(),
        path: a.path.clone(),
        kind: a.asset_kind,
        size: pictures.grid_px,
    })
}

pub fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Image => "IMAGE",
        Kind::Video => "VIDEO",
        Kind::Audio => "AUDIO",
        Kind::Other => "FILE",
    }
}

fn welcome_ui(acts: &mut Acts, ui: &mut Ui) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.25);
        ui.heading("Welcome to Shoebox");
        ui.label("Your photos, videos and design files, on your own disk.");
        ui.label("Bring some in to get started — or drag files and folders onto this window.");
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            ui.add_space((ui.available_width() - 260.0).max(0.0) / 2.0);
            if ui
                .button(RichText::new("Import files…").size(16.0))
                .clicked()
            {
                acts.ask(Command::ImportFiles);
            }
            if ui
                .button(RichText::new("Import folder…").size(16.0))
                .clicked()
            {
                acts.ask(Command::ImportFolder);
            }
        });
    });
}

/// How many items each collection holds, those of its sub-collections included (a parent
/// shows its total).
pub fn subtree_counts(snap: &crate::gui::worker::Snapshot) -> HashMap<CollectionId, usize> {
    let parents: HashMap<CollectionId, Option<CollectionId>> = snap
        .collections
        .iter()
        .filter_map(|c| Some((c.id.collection()?, c.parent_id)))
        .collect();
    let mut counts = HashMap::new();
    for (&collection, &n) in snap.asset_counts.iter() {
        let mut cur = collection;
        // Bounded by the number of collections, should the tree ever hold a loop.
        for _ in 0..=parents.len() {
            let Some(c) = cur else { break };
            *counts.entry(c).or_default() += n as usize;
            cur = parents.get(&c).copied().flatten();
        }
    }
    counts
}

/// The Gallery's part of the status line.
pub fn status_text(v: &View) -> String {
    super::shown_text(v.gallery, v.snap.asset_count, v.snap.library_size, "")
}
