//! The lightbox: a large picture with previous/next, fit or 100 %, zoom (the mouse wheel
//! around the pointer, `+`, `-`, `Z` to fit) and panning (dragging), filling the window
//! (F11 or a double-click), the item's properties (which can be hidden), and the actions of
//! its tab (Delete in the Gallery; Restore and Delete permanently in the Trash). Videos show
//! a poster frame and open in the system player on request. In the Gallery the item's
//! stars, flag, label and keywords are given here (buttons, or the culling keys); in the
//! Trash they are shown, not changed.

use std::path::PathBuf;

use egui::{Id, Modal, RichText};

use crate::clock;
use crate::gui::command::Command;
use crate::gui::state::{PreviewView, Tab};
use crate::gui::textures::Picture;
use crate::gui::theme;
use crate::gui::view::{Acts, View};
use crate::library::{Cull, ItemId, Kind, dimensions_text, human_size};
use crate::media::NoPicture;
use crate::store::culling::{Culling, Flag, Keyword, Label, Rating};
use crate::thumbs::{PREVIEW_PX, Request};

/// The picture, fitted or zoomed and panned; the wheel zooms around the pointer, a drag
/// pans, `+`/`-` zoom around the middle, a double-click fills the window (or gives it back).
fn picture_ui(ui: &mut egui::Ui, tex: &egui::TextureHandle, view: &mut PreviewView) {
    let area = ui.available_rect_before_wrap();
    let resp = ui.allocate_rect(area, egui::Sense::click_and_drag());
    let size = tex.size_vec2();
    let fit_scale = (area.width() / size.x).min(area.height() / size.y).min(1.0);
    let scale = if view.fit { fit_scale } else { view.zoom };
    let pan = if view.fit { egui::Vec2::ZERO } else { view.pan };
    let shown = egui::Rect::from_center_size(area.center() + pan, size * scale);
    ui.painter().with_clip_rect(area).image(
        tex.id(),
        shown,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
        egui::Color32::WHITE,
    );
    let (wheel, plus, minus) = ui.input_mut(|i| {
        use egui::{Key, Modifiers};
        let plus = i.consume_key(Modifiers::NONE, Key::Plus)
            || i.consume_key(Modifiers::NONE, Key::Equals);
        let minus = i.consume_key(Modifiers::NONE, Key::Minus);
        (i.smooth_scroll_delta.y, plus, minus)
    });
    if resp.hovered()
        && wheel != 0.0
        && let Some(at) = resp.hover_pos()
    {
        *view = view.zoomed(scale, (wheel / 200.0).exp(), at - area.center());
    } else if plus || minus {
        let factor = if plus { 1.25 } else { 0.8 };
        *view = view.zoomed(scale, factor, egui::Vec2::ZERO);
    }
    if resp.dragged() {
        *view = PreviewView {
            fit: false,
            zoom: scale,
            pan: pan + resp.drag_delta(),
            ..*view
        };
    }
    if resp.double_clicked() {
        view.fill = !view.fill;
    }
    // How large it is shown, said in a corner.
    let text = if view.fit {
        format!("Fit ({:.0} %)", fit_scale * 100.0)
    } else {
        format!("Zoom {:.0} %", view.zoom * 100.0)
    };
    ui.put(
        egui::Rect::from_min_size(
            area.left_top() + egui::vec2(6.0, 6.0),
            egui::vec2(140.0, 18.0),
        ),
        egui::Label::new(
            RichText::new(text)
                .small()
                .background_color(ui.visuals().extreme_bg_color),
        ),
    );
}

/// What the lightbox needs to know about an item.
struct Item {
    id: ItemId,
    name: String,
    kind: Option<Kind>,
    key: Option<String>,
    path: Option<PathBuf>,
    properties: Vec<(&'static str, String)>,
    /// Why the file cannot be shown now (gone from disk, drive unplugged), said plainly.
    unavailable: Option<NoPicture>,
    /// What the user gave it (an asset's).
    culling: Option<Culling>,
}

fn item_at(v: &View, tab: Tab, pos: usize) -> Option<Item> {
    match tab {
        Tab::Gallery => {
            let a = v.rows.at(&v.gallery.ids, pos)?;
            let mut properties = vec![
                ("File", a.path.display().to_string()),
                ("Size", a.size_text()),
                ("Kind", crate::library::kind_name(a.asset_kind, &a.name)),
                (
                    "Location",
                    if a.location.is_empty() {
                        "Top of the library".into()
                    } else {
                        a.location.clone()
                    },
                ),
                ("Imported", clock::display(a.imported_at)),
            ];
            if let (Some(w), Some(h)) = (a.width, a.height) {
                let mut text = dimensions_text(&a.name, w, h);
                if a.has_raw_companion() {
                    // The picture shown is the JPEG's; the RAW beside it is not measured.
                    let ext = crate::media::probe::ext_lower(&a.name).to_uppercase();
                    text.push_str(&format!(" (the {ext})"));
                }
                properties.push(("Dimensions", text));
            }
            if let Some(t) = a.captured_at {
                properties.push(("Captured", clock::display(t)));
            }
            if let Some(c) = &a.camera {
                properties.push(("Camera", c.clone()));
            }
            if let Some(ms) = a.duration_ms {
                properties.push(("Duration", clock::duration(ms)));
            }
            if !a.companions.is_empty() {
                properties.push(("Companions", a.companion_names().join(", ")));
            }
            let unavailable = if a.offline {
                Some(NoPicture::Offline(
                    "The file's folder or drive cannot be reached (unplugged?). Plug it back in to see it.".into(),
                ))
            } else if a.missing {
                Some(NoPicture::Missing(
                    "The file is missing from disk: it was moved or deleted outside Shoebox. Put it back to see it again.".into(),
                ))
            } else {
                None
            };
            if a.missing {
                properties.push(("Status", "missing on disk".into()));
            } else if a.offline {
                properties.push(("Status", "offline".into()));
            }
            Some(Item {
                id: a.id,
                name: a.name.clone(),
                kind: Some(a.asset_kind),
                key: Some(a.hash.clone()),
                path: Some(a.path.clone()),
                properties,
                unavailable,
                culling: Some(a.culling.clone()),
            })
        }
        Tab::Trash => {
            let e = v.snap.trash_item(*v.trash.rows.get(pos)?)?;
            let mut properties = vec![
                ("Days left", format!("{}d", e.days_left)),
                ("Deleted", clock::display(e.deleted_at)),
                ("Deleted by", e.deleted_by.clone()),
                (
                    "Original location",
                    if e.original_location.is_empty() {
                        "Top of the library".into()
                    } else {
                        e.original_location.clone()
                    },
                ),
                ("Size", human_size(e.size)),
            ];
            if let Some(p) = &e.original_path {
                properties.push(("Original file", p.display().to_string()));
            }
            if e.asset_kind.is_none() {
                properties.push(("Contains", crate::library::items(e.item_count as usize)));
            }
            if let (Some(w), Some(h)) = (e.width, e.height) {
                properties.push(("Dimensions", dimensions_text(&e.name, w, h)));
            }
            if let Some(t) = e.captured_at {
                properties.push(("Captured", clock::display(t)));
            }
            if let Some(c) = &e.camera {
                properties.push(("Camera", c.clone()));
            }
            Some(Item {
                id: e.id,
                name: e.name.clone(),
                kind: e.asset_kind,
                key: e.hash.clone(),
                path: e.trash_path.clone(),
                properties,
                unavailable: None,
                culling: e.culling.clone(),
            })
        }
    }
}

/// The item's stars, flag and label: buttons in the Gallery (as the keys 0-5, P, X, U,
/// 6-9), words in the Trash.
fn culling_bar_ui(ui: &mut egui::Ui, c: &Culling, editable: bool, cmds: &mut Vec<Command>) {
    if !editable {
        let text = crate::gui::tabs::marks_text(c).unwrap_or_else(|| "No rating".into());
        ui.label(text)
            .on_hover_text("Restore the item to change its rating, flag, label or keywords");
        ui.separator();
        return;
    }
    let stars = c.rating.stars();
    for n in 1..=Rating::MAX {
        let (glyph, color) = if n <= stars {
            ("★", theme::STAR)
        } else {
            ("☆", ui.visuals().weak_text_color())
        };
        let button = egui::Button::new(RichText::new(glyph).color(color)).frame(false);
        let words = if n == 1 {
            "1 star".to_string()
        } else {
            format!("{n} stars")
        };
        if ui
            .add(button)
            .on_hover_text(format!("{words} (key {n})"))
            .clicked()
        {
            // A click on the stars it has takes them off.
            let to = if n == stars { 0 } else { n };
            cmds.extend(Rating::new(to).map(|r| Command::Cull(Cull::Rate(r))));
        }
    }
    ui.separator();
    for (flag, words, key) in [(Flag::Pick, "Pick", "P"), (Flag::Reject, "Reject", "X")] {
        if ui
            .selectable_label(c.flag == flag, words)
            .on_hover_text(format!("Key {key}; U takes the flag off"))
            .clicked()
        {
            let to = if c.flag == flag { Flag::None } else { flag };
            cmds.push(Command::Cull(Cull::Flag(to)));
        }
    }
    ui.separator();
    for label in Label::ALL {
        if label_dot_ui(ui, label, c.label == Some(label)).clicked() {
            let to = (c.label != Some(label)).then_some(label);
            cmds.push(Command::Cull(Cull::Label(to)));
        }
    }
    ui.separator();
}

/// A colour label's button: a dot of its colour, filled when the item carries it.
fn label_dot_ui(ui: &mut egui::Ui, label: Label, on: bool) -> egui::Response {
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(18.0, 18.0), egui::Sense::click());
    let color = theme::label_color(label);
    let radius = if resp.hovered() { 7.0 } else { 6.0 };
    if on {
        ui.painter().circle_filled(rect.center(), radius, color);
    } else {
        ui.painter()
            .circle_stroke(rect.center(), radius - 1.0, egui::Stroke::new(1.5, color));
    }
    let name = format!("{} label", label.name());
    resp.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, on, &name));
    resp.on_hover_text(format!("Label {} (again: none)", label.name()))
}

/// Whether a rating or a flag given in the preview moves on to the next item.
fn advance_ui(ui: &mut egui::Ui, prefs: &crate::gui::state::Prefs, cmds: &mut Vec<Command>) {
    let mut on = prefs.advance_after_cull;
    if ui
        .checkbox(&mut on, "Show the next item after a rating or a flag")
        .changed()
    {
        cmds.push(Command::AdvanceAfterCull(on));
    }
}

/// The item's keywords: each with a button taking it off, and a field adding one (the
/// Gallery); a list (the Trash).
fn keywords_ui(ui: &mut egui::Ui, c: &Culling, editable: bool, cmds: &mut Vec<Command>) {
    ui.strong("Keywords");
    if c.keywords.is_empty() {
        ui.weak("None");
    }
    for k in &c.keywords {
        ui.horizontal(|ui| {
            ui.label(k.as_str());
            if editable
                && ui
                    .small_button("×")
                    .on_hover_text(format!("Take \"{k}\" off"))
                    .clicked()
                && let Ok(k) = Keyword::parse(k)
            {
                cmds.push(Command::Cull(Cull::Untag(k)));
            }
        });
    }
    if !editable {
        return;
    }
    let id = ui.make_persistent_id("new-keyword");
    let mut text: String = ui.data_mut(|d| d.get_temp(id).unwrap_or_default());
    let resp = ui.add(
        egui::TextEdit::singleline(&mut text)
            .hint_text("Add a keyword (Places|Portugal)")
            .desired_width(f32::INFINITY),
    );
    let entered = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if entered && !text.trim().is_empty() {
        match Keyword::parse(&text) {
            Ok(k) => {
                cmds.push(Command::Cull(Cull::Tag(k)));
                text.clear();
            }
            Err(why) => {
                ui.colored_label(theme::DANGER, why);
            }
        }
    }
    ui.data_mut(|d| d.insert_temp(id, text));
}

/// Draws the lightbox when open. Which item it shows, and that it is the one selected, is
/// settled before drawing (after a delete the next takes its place).
pub fn preview_ui(v: &View, acts: &mut Acts, ctx: &egui::Context) {
    let Some(preview) = v.preview else {
        return;
    };
    let count = match preview.tab {
        Tab::Gallery => v.gallery.ids.len(),
        Tab::Trash => v.trash.ids.len(),
    };
    let Some(item) = item_at(v, preview.tab, preview.pos) else {
        acts.ask(Command::ClosePreview);
        return;
    };
    let picture = match (&item.key, &item.path, item.kind) {
        _ if let Some(why) = &item.unavailable => Picture::Failed(why.clone()),
        (Some(key), Some(path), Some(kind)) if matches!(kind, Kind::Image | Kind::Video) => {
            acts.pictures.get(Request {
                key: key.clone(),
                path: path.clone(),
                kind,
                size: PREVIEW_PX,
            })
        }
        _ => Picture::Failed(NoPicture::NoPreview(
            "no preview for this kind of item".into(),
        )),
    };
    let screen = ctx.content_rect();
    let mut cmds = Vec::new();
    let mut view = preview.view;
    // Keys of the preview: zoom in and out around the middle, fit, fill the window.
    ctx.input_mut(|i| {
        use egui::{Key, Modifiers};
        if i.consume_key(Modifiers::NONE, Key::F11) {
            view.fill = !view.fill;
        }
        if i.consume_key(Modifiers::NONE, Key::Z) {
            view = if view.fit {
                view.actual_size()
            } else {
                view.fitted()
            };
        }
    });
    let size = if view.fill { 1.0 } else { 0.86 };
    let modal = Modal::new(Id::unique("shoebox-preview")).show(ctx, |ui| {
        ui.set_width(screen.width() * size);
        ui.set_height(screen.height() * if view.fill { 0.94 } else { 0.82 });
        ui.horizontal(|ui| {
            if ui
                .add_enabled(preview.pos > 0, egui::Button::new("‹ Previous"))
                .clicked()
            {
                cmds.push(Command::PreviewStep(-1));
            }
            if ui
                .add_enabled(preview.pos + 1 < count, egui::Button::new("Next ›"))
                .clicked()
            {
                cmds.push(Command::PreviewStep(1));
            }
            ui.separator();
            if ui.selectable_label(view.fit, "Fit").clicked() {
                view = view.fitted();
            }
            if ui
                .selectable_label(!view.fit && view.zoom == 1.0, "100 %")
                .clicked()
            {
                view = view.actual_size();
            }
            ui.separator();
            if let Some(c) = &item.culling {
                culling_bar_ui(ui, c, preview.tab == Tab::Gallery, &mut cmds);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Close").clicked() {
                    cmds.push(Command::ClosePreview);
                }
                if !view.fill {
                    let words = if view.props {
                        "Hide properties"
                    } else {
                        "Show properties"
                    };
                    if ui.button(words).clicked() {
                        view.props = !view.props;
                    }
                }
                match preview.tab {
                    Tab::Gallery => {
                        if ui.button("Delete…").clicked() {
                            cmds.push(Command::AskDelete(vec![item.id]));
                        }
                    }
                    Tab::Trash => {
                        if ui
                            .button(RichText::new("Delete permanently…").color(theme::DANGER))
                            .clicked()
                        {
                            cmds.push(Command::AskDeletePermanently(vec![item.id]));
                        }
                        if ui.button("Restore").clicked() {
                            cmds.push(Command::Restore(vec![item.id]));
                        }
                    }
                }
                if let Some(path) = &item.path {
                    if ui.button("Export a copy…").clicked() {
                        cmds.push(Command::ExportCopy(path.clone(), item.name.clone()));
                    }
                    if matches!(item.kind, Some(Kind::Video | Kind::Audio))
                        && ui.button("Play in system player").clicked()
                    {
                        cmds.push(Command::OpenExternally(path.clone()));
                    }
                }
                // The name takes what the buttons leave: a long one is cut with an ellipsis
                // (whole on hover), never pushing the buttons off the window.
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    ui.add(egui::Label::new(RichText::new(item.name.as_str()).strong()).truncate());
                });
            });
        });
        ui.separator();
        if view.props && !view.fill {
            egui::Panel::right("preview-properties")
                .resizable(false)
                .exact_size(260.0)
                .show(ui, |ui| {
                    ui.heading("Properties");
                    egui::Grid::new("props")
                        .num_columns(2)
                        .striped(true)
                        .show(ui, |ui| {
                            for (k, v) in &item.properties {
                                ui.label(*k);
                                ui.add(egui::Label::new(v.as_str()).wrap());
                                ui.end_row();
                            }
                        });
                    if let Some(c) = &item.culling {
                        ui.add_space(8.0);
                        keywords_ui(ui, c, preview.tab == Tab::Gallery, &mut cmds);
                        if preview.tab == Tab::Gallery {
                            ui.add_space(8.0);
                            advance_ui(ui, v.prefs, &mut cmds);
                        }
                    }
                });
        }
        egui::CentralPanel::no_frame().show(ui, |ui| match &picture {
            Picture::Ready(tex) => picture_ui(ui, tex, &mut view),
            Picture::Pending => {
                ui.centered_and_justified(|ui| {
                    ui.label("Loading…");
                });
            }
            Picture::Failed(reason) => {
                ui.centered_and_justified(|ui| {
                    let text = match item.kind {
                        _ if item.unavailable.is_some() => reason.to_string(),
                        Some(Kind::Video | Kind::Audio) => {
                            format!("{reason}\nUse “Play in system player” to play it.")
                        }
                        None => format!(
                            "Collection with {}",
                            item.properties
                                .iter()
                                .find(|p| p.0 == "Contains")
                                .map(|p| p.1.clone())
                                .unwrap_or_default()
                        ),
                        _ => reason.to_string(),
                    };
                    ui.label(text);
                });
            }
        });
    });
    if view != preview.view {
        cmds.push(Command::PreviewView(view));
    }
    if modal.should_close() && cmds.is_empty() {
        cmds.push(Command::ClosePreview);
    }
    acts.commands.extend(cmds);
}
