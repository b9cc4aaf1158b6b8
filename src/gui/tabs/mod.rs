//! The Gallery and the Trash.

pub mod gallery;
pub mod organise;
pub mod trash;

use crate::gui::command::Command;
use egui::RichText;

use crate::gui::state::{Prefs, Shown, Tab, ViewMode};
use crate::gui::theme;
use crate::gui::view::Acts;
use crate::store::culling::{Culling, Flag, Rating};

/// Grid/list toggle and thumbnail size, shared by both tabs' toolbars.
pub fn view_controls_ui(ui: &mut egui::Ui, acts: &mut Acts, prefs: &Prefs) {
    let mut view = prefs.view;
    ui.selectable_value(&mut view, ViewMode::Grid, "Grid");
    ui.selectable_value(&mut view, ViewMode::List, "List");
    if view != prefs.view {
        acts.ask(Command::SetView(view));
    }
    if view == ViewMode::Grid {
        let mut size = prefs.thumb_size;
        // A slider never wraps by itself (egui draws it in a row of its own): when the label
        // and the slider no longer fit, they start the toolbar's next row together.
        let needed = ui.spacing().slider_width + 3.0 * ui.spacing().item_spacing.x + 40.0;
        // (In a wrapped row `available_width` is the whole row's; what is left is this.)
        if ui.max_rect().right() - ui.cursor().left() < needed {
            ui.end_row();
        }
        let label = ui.label("Size");
        let slider = egui::Slider::new(&mut size, 80.0..=280.0).show_value(false);
        if ui.add(slider).labelled_by(label.id).changed() {
            acts.ask(Command::SetThumbSize(size));
        }
    }
}

/// A tab's search field: each change is a command. Words and terms of the search syntax
/// (`rating>=3 flag:pick porto`); what does not parse is said beside it.
pub fn search_ui(ui: &mut egui::Ui, acts: &mut Acts, tab: Tab, shown: &Shown, hint: &str) {
    let mut text = shown.search.clone();
    let field = egui::TextEdit::singleline(&mut text)
        .hint_text(hint)
        .desired_width(200.0);
    let resp = ui.add(field).on_hover_text(
        "Words find names, keywords, cameras and collections. Terms: rating>=3, \
         flag:pick, label:red, keyword:WORD, type:raw, camera:TEXT, taken:2024-06; \
         -term leaves out what matches.",
    );
    if resp.changed() {
        acts.ask(Command::Search { tab, text });
    }
    if let Some(why) = &shown.search_error {
        ui.colored_label(crate::gui::theme::DANGER, why.as_str());
    }
}

/// Stars as shown: "★★★" (none: empty).
pub fn stars(rating: Rating) -> String {
    "★".repeat(usize::from(rating.stars()))
}

/// What an item carries, said in words ("3 stars, picked, red label"); `None`: nothing.
pub fn marks_text(c: &Culling) -> Option<String> {
    let mut parts = Vec::new();
    match c.rating.stars() {
        0 => {}
        1 => parts.push("1 star".to_string()),
        n => parts.push(format!("{n} stars")),
    }
    match c.flag {
        Flag::Pick => parts.push("picked".into()),
        Flag::Reject => parts.push("rejected".into()),
        Flag::None => {}
    }
    if let Some(l) = c.label {
        parts.push(format!("{} label", l.name()));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The list's rating, flag and label cells.
pub fn culling_cells(r: &mut egui_extras::TableRow<'_, '_>, c: &Culling) {
    r.col(|ui| {
        cell(ui, RichText::new(stars(c.rating)).color(theme::STAR));
    });
    r.col(|ui| {
        match c.flag {
            Flag::Pick => cell(ui, RichText::new("Pick").color(theme::PICK)),
            Flag::Reject => cell(ui, RichText::new("Reject").color(theme::DANGER)),
            Flag::None => {}
        };
    });
    r.col(|ui| {
        if let Some(l) = c.label {
            cell(
                ui,
                RichText::new(capitalized(l.name()))
                    .color(theme::label_color(l))
                    .strong(),
            );
        }
    });
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A table cell's text: not selectable, so clicking it selects the row.
pub fn cell(ui: &mut egui::Ui, text: impl Into<egui::WidgetText>) {
    ui.add(egui::Label::new(text).selectable(false));
}

/// "3 selected", or a quiet "Nothing selected" holding the selection bar's place. The label
/// has one width for every count, so the buttons after it never move under the pointer (a
/// click meant for "Restore" must not land on "Delete permanently…").
pub fn selection_label(ui: &mut egui::Ui, selected: usize) {
    let text = if selected == 0 {
        egui::RichText::new("Nothing selected").weak()
    } else {
        egui::RichText::new(format!("{} selected", crate::library::thousands(selected))).strong()
    };
    let font = egui::TextStyle::Body.resolve(ui.style());
    let width = ["Nothing selected", "8,888,888 selected"]
        .into_iter()
        .map(|t| {
            ui.painter()
                .layout_no_wrap(t.to_string(), font.clone(), egui::Color32::PLACEHOLDER)
                .size()
                .x
        })
        .fold(0.0, f32::max);
    let size = egui::vec2(width, ui.spacing().interact_size.y);
    ui.allocate_ui_with_layout(
        size,
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_width(width);
            ui.label(text);
        },
    );
}

/// What the status line says of a tab: all of it ("20 items · 5.1 MB"), or what a search or
/// a collection shows of it ("3 of 20 items · 1.2 MB of 5.1 MB").
pub fn shown_text(
    shown: &crate::gui::state::Shown,
    all: usize,
    all_bytes: u64,
    place: &str,
) -> String {
    use crate::library::{human_size, items, thousands};
    let n = shown.ids.len();
    if shown.reading_rest {
        format!("{}+ of {}{place} · counting…", thousands(n), items(all),)
    } else if n == all {
        format!("{}{place} · {}", items(n), human_size(all_bytes))
    } else {
        format!(
            "{} of {}{place} · {} of {}",
            thousands(n),
            items(all),
            human_size(shown.bytes),
            human_size(all_bytes)
        )
    }
}
