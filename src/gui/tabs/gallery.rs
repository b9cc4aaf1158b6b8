//! The Gallery: collection tree, toolbar, selection bar, and the grid or list of assets.

use std::collections::HashMap;

use egui::{RichText, Ui};

use super::view_controls_ui;
use crate::clock;
use crate::gui::command::Command;
use crate::gui::state::Tab;
use crate::gui::textures::Picture;
use crate::gui::view::{Acts, Pictures, View};
use crate::gui::views::items::{self, Dragged, Items, Layout};
use crate::gui::views::{grid, list};
use crate::gui::worker::Job;
use crate::library::search::{Compare, FileType, Term, Test};
use crate::library::{
    AssetInfo, CollectionId, CollectionInfo, ItemId, Kind, Search, SortKey, human_size,
};
use crate::store::culling::{Flag, Keyword};
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
    filter_bar_ui(v, acts, ui);
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

/// One choice of a filter bar's menu: its words, and the term it sets (`None`: any).
type Choice = (&'static str, Option<&'static str>);

/// The filter bar: the search's terms set by clicking (stars, flag, label, type), each term
/// in force shown as a chip that a click takes away. It writes into the search box, so
/// what it sets can be read there, changed by hand, and saved.
fn filter_bar_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
    // What does not parse is said by the search box; the bar waits for it to be fixed.
    let Ok(search) = Search::parse(&v.gallery.search) else {
        return;
    };
    let mut asked: Option<Search> = None;
    ui.horizontal_wrapped(|ui| {
        ui.weak("Filter");
        let menus: [(&str, Test, &[Choice]); 4] = [
            (
                "Stars",
                Test::Rating(Compare::Equal, 0),
                &[
                    ("Any stars", None),
                    ("★ or more", Some("rating>=1")),
                    ("★★ or more", Some("rating>=2")),
                    ("★★★ or more", Some("rating>=3")),
                    ("★★★★ or more", Some("rating>=4")),
                    ("★★★★★", Some("rating=5")),
                    ("Unrated", Some("rating=0")),
                ],
            ),
            (
                "Flag",
                Test::Flag(Flag::None),
                &[
                    ("Any flag", None),
                    ("Picked", Some("flag:pick")),
                    ("Rejected", Some("flag:reject")),
                    ("Not rejected", Some("-flag:reject")),
                    ("Unflagged", Some("flag:none")),
                ],
            ),
            (
                "Label",
                Test::Label(None),
                &[
                    ("Any label", None),
                    ("Red", Some("label:red")),
                    ("Yellow", Some("label:yellow")),
                    ("Green", Some("label:green")),
                    ("Blue", Some("label:blue")),
                    ("Purple", Some("label:purple")),
                    ("No label", Some("label:none")),
                ],
            ),
            (
                "Type",
                Test::Type(FileType::Photo),
                &[
                    ("Any type", None),
                    ("Photos", Some("type:photo")),
                    ("RAW", Some("type:raw")),
                    ("Videos", Some("type:video")),
                    ("Audio", Some("type:audio")),
                    ("Documents", Some("type:document")),
                    ("Other files", Some("type:other")),
                ],
            ),
        ];
        for (name, kind, options) in menus {
            let same = |t: &&Term| {
                !matches!(t.test, Test::Word(_))
                    && std::mem::discriminant(&t.test) == std::mem::discriminant(&kind)
            };
            let current = search.terms.iter().find(same);
            let shown = match current {
                None => options[0].0.to_string(),
                Some(t) => options
                    .iter()
                    .find(|(_, token)| *token == Some(t.text.as_str()))
                    .map_or_else(|| t.text.clone(), |(words, _)| (*words).to_string()),
            };
            let menu = egui::ComboBox::new(("filter", name), "")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for (words, token) in options {
                        let on = current.map(|t| Some(t.text.as_str())) == Some(*token)
                            || (current.is_none() && token.is_none());
                        if ui.selectable_label(on, *words).clicked() {
                            asked = search.with(&kind, *token).ok();
                        }
                    }
                });
            // Named for assistive technology (it shows its value only).
            menu.response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::ComboBox, true, format!("{name} filter"))
            });
        }
        // The cameras the library holds; a capture date, typed (a year, a month, a day or
        // a range of them).
        if !v.snap.cameras.is_empty() {
            let kind = Test::Camera(String::new());
            let current = search
                .terms
                .iter()
                .find(|t| !t.not && matches!(t.test, Test::Camera(_)));
            let menu = egui::ComboBox::new("filter-camera", "")
                .selected_text(current.map_or("Any camera".to_string(), |t| t.text.clone()))
                .show_ui(ui, |ui| {
                    if ui
                        .selectable_label(current.is_none(), "Any camera")
                        .clicked()
                    {
                        asked = search.with(&kind, None).ok();
                    }
                    for camera in v.snap.cameras.iter() {
                        let token = format!("camera:\"{camera}\"");
                        let on = current.is_some_and(|t| t.text == token);
                        if ui.selectable_label(on, camera.as_str()).clicked() {
                            asked = search.with(&kind, Some(&token)).ok();
                        }
                    }
                });
            menu.response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Camera filter")
            });
        }
        let taken_id = ui.make_persistent_id("filter-taken");
        let mut taken: String = ui.data_mut(|d| d.get_temp(taken_id).unwrap_or_default());
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut taken)
                    .hint_text("Taken: 2024-06")
                    .desired_width(110.0),
            )
            .on_hover_text(
                "Capture date: a year, a month, a day, or a range (2024-01..2024-03); Enter",
            );
        if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            let kind = Test::Taken { from: 0, until: 0 };
            let token = format!("taken:{}", taken.trim());
            let with = if taken.trim().is_empty() {
                search.with(&kind, None)
            } else {
                search.with(&kind, Some(&token))
            };
            match with {
                Ok(s) => {
                    asked = Some(s);
                    taken.clear();
                }
                // Put in the search box as typed: the box says what is wrong with it.
                Err(_) => {
                    acts.ask(Command::Search {
                        tab: Tab::Gallery,
                        text: format!("{} {token}", search.text()).trim().to_string(),
                    });
                }
            }
        }
        ui.data_mut(|d| d.insert_temp(taken_id, taken));
        // The terms in force, each taken away by a click.
        for (i, t) in search.terms.iter().enumerate() {
            if ui
                .small_button(format!("{} ×", t.text))
                .on_hover_text("Take this away")
                .clicked()
            {
                let mut rest = search.clone();
                rest.terms.remove(i);
                asked = Some(rest);
            }
        }
        if !search.is_empty() && ui.small_button("Clear").clicked() {
            asked = Some(Search::default());
        }
    });
    if let Some(s) = asked {
        acts.ask(Command::Search {
            tab: Tab::Gallery,
            text: s.text(),
        });
    }
}

fn sort_name(k: SortKey) -> &'static str {
    match k {
        SortKey::Date => "Capture date",
        SortKey::Imported => "Import date",
        SortKey::Rating => "Rating",
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
                smart_ui(v, acts, ui);
            }
            ui.add_space(12.0);
            keywords_ui(v, acts, ui);
        });
}

/// The smart collections: saved searches, each showing what it finds now.
fn smart_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
    ui.strong("Smart collections");
    ui.separator();
    for s in v.snap.smart.iter() {
        let on = v.collection.is_none() && v.gallery.search.trim() == s.search;
        let r = ui
            .selectable_label(on, s.name.as_str())
            .on_hover_text(s.search.as_str());
        if r.clicked() {
            acts.ask(Command::OpenSmart(s.search.clone()));
        }
        r.context_menu(|ui| {
            if ui.button("Delete smart collection").clicked() {
                acts.ask(Command::Library(Job::ForgetSearch(s.id)));
            }
        });
    }
}

/// The keyword tree: each keyword under its parent, with how many items carry it. A click
/// shows the items carrying it (or anything below it); its menu gives it to the selection,
/// renames or moves it (the items follow), or deletes it.
fn keywords_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
    ui.strong("Keywords");
    ui.separator();
    if v.snap.keywords.is_empty() {
        ui.weak("None yet: give one in Properties (the preview), or with `shoebox tag`.");
        return;
    }
    let search = Search::parse(&v.gallery.search).ok();
    let shown = search.as_ref().and_then(|s| {
        s.terms.iter().find_map(|t| match &t.test {
            Test::Keyword(k) if !t.not => Some(k.path().to_lowercase()),
            _ => None,
        })
    });
    let selected = v.gallery.sel.selected();
    for (path, count) in v.snap.keywords.iter() {
        let Ok(keyword) = Keyword::parse(path) else {
            continue;
        };
        let depth = path.matches('|').count();
        let name = path.rsplit('|').next().unwrap_or(path);
        ui.horizontal(|ui| {
            ui.add_space(depth as f32 * 14.0);
            let on = shown.as_deref() == Some(path.to_lowercase().as_str());
            let r = ui.selectable_label(on, name).on_hover_text(path.as_str());
            if *count > 0 {
                ui.weak(crate::library::thousands(*count as usize));
            }
            // Tiles dropped on it are tagged with it.
            if r.dnd_hover_payload::<Dragged>().is_some() {
                ui.painter().rect_stroke(
                    r.rect.expand(2.0),
                    4.0,
                    egui::Stroke::new(2.0, crate::gui::theme::SELECTED),
                    egui::StrokeKind::Outside,
                );
            }
            if let Some(dropped) = r.dnd_release_payload::<Dragged>() {
                acts.ask(Command::CullItems(
                    dropped.0.clone(),
                    crate::library::Cull::Tag(keyword.clone()),
                ));
            }
            if r.clicked()
                && let Some(s) = &search
            {
                let token = format!("keyword:\"{path}\"");
                let asked = if on {
                    s.with(&Test::Keyword(keyword.clone()), None)
                } else {
                    s.with(&Test::Keyword(keyword.clone()), Some(&token))
                };
                if let Ok(asked) = asked {
                    acts.ask(Command::Search {
                        tab: Tab::Gallery,
                        text: asked.text(),
                    });
                }
            }
            r.context_menu(|ui| {
                if ui
                    .add_enabled(
                        !selected.is_empty(),
                        egui::Button::new("Give to the selection"),
                    )
                    .clicked()
                {
                    acts.ask(Command::Cull(crate::library::Cull::Tag(keyword.clone())));
                }
                if ui
                    .add_enabled(
                        !selected.is_empty(),
                        egui::Button::new("Take from the selection"),
                    )
                    .clicked()
                {
                    acts.ask(Command::Cull(crate::library::Cull::Untag(keyword.clone())));
                }
                if ui.button("Rename or move…").clicked() {
                    acts.ask(Command::AskRenameKeyword(keyword.clone()));
                }
                if ui.button("Delete keyword…").clicked() {
                    acts.ask(Command::AskDeleteKeyword(keyword.clone(), *count));
                }
            });
        });
    }
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
        sortable: &[1, 2, 5, 6, 8],
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
        return Picture::Failed("the file is missing on disk".into());
    }
    if a.offline {
        return Picture::Failed("the file's folder or drive is offline".into());
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
