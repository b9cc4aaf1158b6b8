//! The Gallery: collection tree, toolbar, selection bar, and the grid or list of assets.

use egui::{RichText, Ui};

use super::{click_command, view_controls_ui};
use crate::clock;
use crate::gui::app::{Command, ShoeboxApp, ViewMode};
use crate::gui::textures::Picture;
use crate::gui::views::{grid, list};
use crate::library::{AssetInfo, CollectionId, CollectionInfo, ItemId, Kind, SortKey, human_size};
use crate::thumbs::{Request, THUMB_PX};

pub fn toolbar_ui(app: &mut ShoeboxApp, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        if ui.button("Import files…").clicked() {
            app.commands.push(Command::ImportFiles);
        }
        if ui.button("Import folder…").clicked() {
            app.commands.push(Command::ImportFolder);
        }
        ui.separator();
        let search = ui.add(
            egui::TextEdit::singleline(&mut app.gallery.search)
                .hint_text("Search")
                .desired_width(160.0),
        );
        if search.changed() {
            app.gallery.dirty = true;
        }
        let before = app.prefs.sort;
        egui::ComboBox::new("gallery-sort", "Sort")
            .selected_text(sort_name(app.prefs.sort.key))
            .show_ui(ui, |ui| {
                for key in [SortKey::Date, SortKey::Name, SortKey::Size, SortKey::Kind] {
                    ui.selectable_value(&mut app.prefs.sort.key, key, sort_name(key));
                }
            });
        let arrow = if app.prefs.sort.descending {
            "Descending"
        } else {
            "Ascending"
        };
        ui.toggle_value(&mut app.prefs.sort.descending, arrow)
            .on_hover_text("Reverse the order");
        if app.prefs.sort != before {
            app.gallery.dirty = true;
        }
        ui.separator();
        view_controls_ui(ui, &mut app.prefs.view, &mut app.prefs.thumb_size);
    });
    if app.loaded && app.snap.assets.is_empty() && app.snap.collections.is_empty() {
        return; // The welcome: nothing to select yet.
    }
    // The selection bar always has its row: appearing with the first click, it would move
    // the grid under the pointer before the second click of a double-click.
    ui.horizontal(|ui| {
        let sel = app.gallery.sel.selected();
        let any = !sel.is_empty();
        super::selection_label(ui, sel.len());
        if ui.add_enabled(any, egui::Button::new("Delete…")).clicked() {
            app.commands.push(Command::AskDelete(sel.clone()));
        }
        let collections = app.snap.collections.clone();
        ui.add_enabled_ui(any, |ui| {
            ui.menu_button("Move to", |ui| {
                if ui.button("Top of the library").clicked() {
                    app.commands.push(Command::MoveAssets {
                        ids: sel.clone(),
                        to: None,
                    });
                }
                for c in collections.iter() {
                    if let ItemId::Collection(cid) = c.id
                        && ui.button(c.path.as_str()).clicked()
                    {
                        app.commands.push(Command::MoveAssets {
                            ids: sel.clone(),
                            to: Some(cid),
                        });
                    }
                }
            });
        });
        if ui.add_enabled(any, egui::Button::new("Preview")).clicked()
            && let Some(f) = app.gallery.sel.focus
        {
            app.commands.push(Command::OpenPreview(f));
        }
        if ui
            .add_enabled(any, egui::Button::new("Clear selection"))
            .clicked()
        {
            app.commands.push(Command::ClearSelection);
        }
    });
}

fn sort_name(k: SortKey) -> &'static str {
    match k {
        SortKey::Date => "Date",
        SortKey::Name => "Name",
        SortKey::Size => "Size",
        SortKey::Kind => "Kind",
    }
}

/// The collection tree.
pub fn tree_ui(app: &mut ShoeboxApp, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.strong("Collections");
        if ui
            .small_button("+")
            .on_hover_text("New collection")
            .clicked()
        {
            app.commands.push(Command::AskNewCollection(app.collection));
        }
    });
    ui.separator();
    let collections = app.snap.collections.clone();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            if ui
                .selectable_label(app.collection.is_none(), "All items")
                .clicked()
            {
                app.commands.push(Command::ShowCollection(None));
            }
            children_ui(app, ui, &collections, None);
        });
}

fn children_ui(
    app: &mut ShoeboxApp,
    ui: &mut Ui,
    all: &[CollectionInfo],
    parent: Option<CollectionId>,
) {
    for c in all.iter().filter(|c| c.parent_id == parent) {
        let ItemId::Collection(id) = c.id else {
            continue;
        };
        let has_children = all.iter().any(|k| k.parent_id == Some(id));
        let selected = app.collection == Some(id);
        let count = app.collection_counts.get(&id).copied().unwrap_or(0);
        let label = |ui: &mut Ui, app: &mut ShoeboxApp| {
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
                app.commands.push(Command::ShowCollection(Some(id)));
            }
            r.context_menu(|ui| {
                if ui.button("New collection inside…").clicked() {
                    app.commands.push(Command::AskNewCollection(Some(id)));
                }
                if ui.button("Rename…").clicked() {
                    app.commands.push(Command::AskRenameCollection(id));
                }
                ui.menu_button("Move to", |ui| {
                    if ui.button("Top of the library").clicked() {
                        app.commands
                            .push(Command::MoveCollection { id, parent: None });
                    }
                    for other in all
                        .iter()
                        .filter(|o| o.id != c.id && !o.path.starts_with(&format!("{}/", c.path)))
                    {
                        if let ItemId::Collection(oid) = other.id
                            && ui.button(other.path.as_str()).clicked()
                        {
                            app.commands.push(Command::MoveCollection {
                                id,
                                parent: Some(oid),
                            });
                        }
                    }
                });
                if ui.button("Delete collection…").clicked() {
                    app.commands.push(Command::AskDelete(vec![c.id]));
                }
            });
        };
        label(ui, app);
        if has_children {
            ui.indent(("tree", id), |ui| children_ui(app, ui, all, Some(id)));
        }
    }
}

/// The grid or list of assets, the welcome on an empty library.
pub fn content_ui(app: &mut ShoeboxApp, ui: &mut Ui) {
    if !app.loaded {
        ui.centered_and_justified(|ui| {
            ui.label("Opening the library…");
        });
        return;
    }
    let library_empty = app.snap.assets.is_empty() && app.snap.collections.is_empty();
    if library_empty {
        welcome_ui(app, ui);
        return;
    }
    let children: Vec<(CollectionId, String)> = match app.collection {
        Some(c) => app
            .snap
            .collections
            .iter()
            .filter(|x| x.parent_id == Some(c))
            .filter_map(|x| match x.id {
                ItemId::Collection(id) => Some((id, x.name.clone())),
                ItemId::Asset(_) => None,
            })
            .collect(),
        None => Vec::new(),
    };
    if app.gallery.rows.is_empty() && app.gallery.search.is_empty() && !children.is_empty() {
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
                    app.commands.push(Command::ShowCollection(Some(id)));
                }
            }
        });
        return;
    }
    if app.gallery.rows.is_empty() {
        ui.centered_and_justified(|ui| {
            super::cell(
                ui,
                if app.gallery.search.is_empty() {
                    "This collection is empty"
                } else {
                    "Nothing matches the search"
                },
            );
        });
        return;
    }
    let assets = app.snap.assets.clone();
    let rows = std::mem::take(&mut app.gallery.rows);
    let scroll_to = app
        .gallery
        .sel
        .focus
        .filter(|_| std::mem::take(&mut app.gallery.focus_moved));
    match app.prefs.view {
        ViewMode::Grid => {
            let tile_size = app.prefs.thumb_size;
            grid::grid_ui(
                ui,
                "gallery-grid",
                rows.len(),
                (tile_size, 1),
                scroll_to,
                |ui, i, rect| {
                    let a = &assets[rows[i]];
                    let tile = grid::Tile {
                        name: &a.name,
                        picture: picture(app, a),
                        kind_label: kind_label(a.asset_kind),
                        // A video's playing time, where known; a RAW+JPEG pair says so.
                        badge: a
                            .duration_ms
                            .filter(|_| a.asset_kind == Kind::Video)
                            .map(clock::duration)
                            .or_else(|| a.has_raw_companion().then(|| "RAW+JPEG".to_string()))
                            .map(|text| (text, egui::Color32::from_gray(40))),
                        selected: app.gallery.sel.contains(a.id),
                        focused: app.gallery.sel.focus == Some(i),
                        subtitle: None,
                        flag: if a.offline {
                            Some(("offline", crate::gui::theme::DANGER))
                        } else {
                            a.missing.then_some(("missing", crate::gui::theme::DANGER))
                        },
                    };
                    let resp = grid::tile_ui(ui, rect, egui::Id::unique(("asset", a.id)), &tile);
                    tile_actions(app, ui, &resp, i, a);
                },
            );
        }
        ViewMode::List => {
            let headers = ["", "Name", "Kind", "Size", "Dimensions", "Date", "Location"];
            let columns = [
                (1, SortKey::Name),
                (2, SortKey::Kind),
                (3, SortKey::Size),
                (5, SortKey::Date),
            ];
            let sort = app.prefs.sort;
            let sorted = columns
                .iter()
                .find(|(_, k)| *k == sort.key)
                .map(|(c, _)| (*c, sort.descending));
            let sel = app.gallery.sel.clone();
            let mut responses = Vec::new();
            let header = list::table_ui(
                ui,
                list::TableSpec {
                    id_salt: "gallery-list",
                    headers: &headers,
                    count: rows.len(),
                    scroll_to,
                    sortable: &[1, 2, 3, 5],
                    sorted,
                },
                |i| sel.contains(assets[rows[i]].id),
                |i, r| {
                    let a = &assets[rows[i]];
                    let pic = picture(app, a);
                    r.col(|ui| list::thumb_cell(ui, &pic, kind_label(a.asset_kind)));
                    r.col(|ui| {
                        super::cell(ui, a.name.as_str());
                    });
                    r.col(|ui| {
                        super::cell(ui, a.asset_kind.as_str());
                    });
                    r.col(|ui| {
                        super::cell(ui, human_size(a.size));
                    });
                    r.col(|ui| {
                        super::cell(
                            ui,
                            match (a.width, a.height) {
                                (Some(w), Some(h)) => format!("{w} × {h}"),
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
                },
                |i, resp| responses.push((i, resp.clone())),
            );
            if let Some(c) = header
                && let Some((_, key)) = columns.iter().find(|(col, _)| *col == c)
            {
                let descending = sort.key == *key && !sort.descending;
                app.commands.push(Command::SetSort(crate::library::Sort {
                    key: *key,
                    descending,
                }));
            }
            for (i, resp) in responses {
                let a = &assets[rows[i]];
                tile_actions(app, ui, &resp, i, a);
            }
        }
    }
    app.gallery.rows = rows;
}

fn tile_actions(app: &mut ShoeboxApp, ui: &Ui, resp: &egui::Response, i: usize, a: &AssetInfo) {
    if resp.double_clicked() {
        app.commands.push(Command::OpenPreview(i));
    } else if resp.clicked() {
        app.commands.push(click_command(ui, i));
    }
    resp.context_menu(|ui| {
        if ui.button("Preview").clicked() {
            app.commands.push(Command::OpenPreview(i));
        }
        if ui.button("Export a copy…").clicked() {
            app.commands
                .push(Command::ExportCopy(a.path.clone(), a.name.clone()));
        }
        if ui.button("Move to Trash…").clicked() {
            let mut ids = app.gallery.sel.selected();
            if !ids.contains(&a.id) {
                ids = vec![a.id];
            }
            app.commands.push(Command::AskDelete(ids));
        }
    });
}

fn picture(app: &mut ShoeboxApp, a: &AssetInfo) -> Picture {
    if !matches!(a.asset_kind, Kind::Image | Kind::Video) {
        return Picture::Pending;
    }
    if a.missing {
        return Picture::Failed("the file is missing on disk".into());
    }
    if a.offline {
        return Picture::Failed("the file's folder or drive is offline".into());
    }
    app.textures.get(
        app.thumbs.as_mut(),
        Request {
            key: a.hash.clone(),
            path: a.path.clone(),
            kind: a.asset_kind,
            size: THUMB_PX,
        },
    )
}

pub fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Image => "IMAGE",
        Kind::Video => "VIDEO",
        Kind::Audio => "AUDIO",
        Kind::Other => "FILE",
    }
}

fn welcome_ui(app: &mut ShoeboxApp, ui: &mut Ui) {
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
                app.commands.push(Command::ImportFiles);
            }
            if ui
                .button(RichText::new("Import folder…").size(16.0))
                .clicked()
            {
                app.commands.push(Command::ImportFolder);
            }
        });
    });
}

/// The Gallery's part of the status line.
pub fn status_text(app: &ShoeboxApp) -> String {
    super::shown_text(
        &app.gallery,
        app.snap.assets.len(),
        app.snap.library_size,
        "",
    )
}
