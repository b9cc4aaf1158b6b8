//! Finding and organising in the Gallery (SPEC §5): the filter bar that writes the search's
//! terms, the smart collections (saved searches) and the keyword tree.

use egui::Ui;

use crate::gui::command::Command;
use crate::gui::state::Tab;
use crate::gui::view::{Acts, View};
use crate::gui::views::items::Dragged;
use crate::gui::worker::Job;
use crate::library::Search;
use crate::library::search::{Compare, FileType, Term, Test};
use crate::store::culling::{Flag, Keyword};

/// One choice of a filter bar's menu: its words, and the term it sets (`None`: any).
type Choice = (&'static str, Option<&'static str>);

/// The filter bar: the search's terms set by clicking (stars, flag, label, type), each term
/// in force shown as a chip that a click takes away. It writes into the search box, so
/// what it sets can be read there, changed by hand, and saved.
pub fn filter_bar_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
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

/// The smart collections: saved searches, each showing what it finds now.
pub fn smart_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
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
pub fn keywords_ui(v: &View, acts: &mut Acts, ui: &mut Ui) {
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
