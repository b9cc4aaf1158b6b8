//! Tables for the Gallery and the Trash (egui_extras), drawing only the rows on screen.

use egui::{Sense, Ui};
use egui_extras::{Column, TableBuilder};

use crate::gui::textures::Picture;

/// A cell's picture: a small thumbnail or the kind.
pub fn thumb_cell(ui: &mut Ui, picture: &Picture, kind_label: &str) {
    match picture {
        Picture::Ready(tex) => {
            let size = tex.size_vec2();
            let scale = (28.0 / size.x).min(28.0 / size.y);
            ui.add(egui::Image::new((tex.id(), size * scale)));
        }
        Picture::Pending => {
            ui.small(kind_label);
        }
        Picture::Failed(reason) => {
            // The grid's words, on two lines to fit the column.
            let label = super::grid::failure_label(kind_label, reason)
                .replace("VIDEO\n", "")
                .replace(' ', "\n");
            ui.add(
                egui::Label::new(egui::RichText::new(label).small())
                    .wrap_mode(egui::TextWrapMode::Extend),
            )
            .on_hover_text(reason.reason());
        }
    }
}

/// A small triangle after a header: pointing up in the natural order, down turned around
/// (painted: the bundled fonts have no arrows).
fn sort_mark(ui: &Ui, header: egui::Rect, turned: bool) {
    let c = egui::pos2(header.right() + 8.0, header.center().y);
    let (tip, base) = if turned { (4.0, -3.0) } else { (-4.0, 3.0) };
    let points = vec![
        egui::pos2(c.x, c.y + tip),
        egui::pos2(c.x - 4.0, c.y + base),
        egui::pos2(c.x + 4.0, c.y + base),
    ];
    let color = ui.visuals().strong_text_color();
    ui.painter().add(egui::Shape::convex_polygon(
        points,
        color,
        egui::Stroke::NONE,
    ));
}

/// A collection's mark in a list row: a small folder, painted.
pub fn collection_cell(ui: &mut Ui) {
    let (rect, r) = ui.allocate_exact_size(egui::vec2(28.0, 22.0), Sense::hover());
    let color = ui.visuals().weak_text_color();
    let body = egui::Rect::from_min_max(
        rect.min + egui::vec2(2.0, 6.0),
        rect.max - egui::vec2(2.0, 2.0),
    );
    let tab = egui::Rect::from_min_size(rect.min + egui::vec2(2.0, 3.0), egui::vec2(10.0, 4.0));
    ui.painter().rect_filled(tab, 1.0, color);
    ui.painter().rect_filled(body, 2.0, color);
    r.on_hover_text("Collection");
}

/// What a table shows: its id, column headers, row count, and a row to bring into view.
pub struct TableSpec<'a> {
    pub id_salt: &'a str,
    pub headers: &'a [&'a str],
    pub count: usize,
    pub scroll_to: Option<usize>,
    /// Columns a click on the header sorts by, and the one sorted by now (with its
    /// direction: true when turned around).
    pub sortable: &'a [usize],
    pub sorted: Option<(usize, bool)>,
}

/// A table; `row` draws row `i`, `on_response(i, response)` receives each row's response.
/// Returns the sortable column whose header was clicked.
pub fn table_ui(
    ui: &mut Ui,
    spec: TableSpec<'_>,
    is_selected: impl Fn(usize) -> bool,
    mut row: impl FnMut(usize, &mut egui_extras::TableRow<'_, '_>),
    mut on_response: impl FnMut(usize, &egui::Response),
) -> Option<usize> {
    let TableSpec {
        id_salt,
        headers,
        count,
        scroll_to,
        sortable,
        sorted,
    } = spec;
    let mut clicked = None;
    let mut table = TableBuilder::new(ui)
        .id_salt(id_salt)
        .striped(true)
        .sense(Sense::click())
        .auto_shrink(false)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(34.0))
        .column(
            Column::initial(240.0)
                .at_least(80.0)
                .clip(true)
                .resizable(true),
        );
    for i in 2..headers.len() {
        // The last column takes what the window has left, so the table fills it.
        let column = if i + 1 == headers.len() {
            Column::remainder().at_least(60.0)
        } else {
            // Short headers (stars, a flag, a label, a kind) hold short values.
            let width = if headers[i].len() <= 6 { 76.0 } else { 110.0 };
            Column::initial(width).at_least(40.0).resizable(true)
        };
        table = table.column(column.clip(true));
    }
    if let Some(i) = scroll_to {
        table = table.scroll_to_row(i, None);
    }
    table
        .header(22.0, |mut header| {
            for (i, h) in headers.iter().enumerate() {
                header.col(|ui| {
                    if !sortable.contains(&i) {
                        ui.strong(*h);
                        return;
                    }
                    let current = sorted.filter(|(c, _)| *c == i);
                    let r = ui
                        .selectable_label(current.is_some(), *h)
                        .on_hover_text("Sort by this column; again to turn the order around");
                    if let Some((_, turned)) = current {
                        sort_mark(ui, r.rect, turned);
                    }
                    if r.clicked() {
                        clicked = Some(i);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(30.0, count, |mut r| {
                let i = r.index();
                r.set_selected(is_selected(i));
                row(i, &mut r);
                on_response(i, &r.response());
            });
        });
    clicked
}
