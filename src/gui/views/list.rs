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
            ui.small("can't read").on_hover_text(reason.as_str());
        }
    }
}

/// What a table shows: its id, column headers, row count, and a row to bring into view.
pub struct TableSpec<'a> {
    pub id_salt: &'a str,
    pub headers: &'a [&'a str],
    pub count: usize,
    pub scroll_to: Option<usize>,
}

/// A table; `row` draws row `i`, `on_response(i, response)` receives each row's response.
pub fn table_ui(
    ui: &mut Ui,
    spec: TableSpec<'_>,
    is_selected: impl Fn(usize) -> bool,
    mut row: impl FnMut(usize, &mut egui_extras::TableRow<'_, '_>),
    mut on_response: impl FnMut(usize, &egui::Response),
) {
    let TableSpec {
        id_salt,
        headers,
        count,
        scroll_to,
    } = spec;
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
            Column::initial(110.0).at_least(40.0).resizable(true)
        };
        table = table.column(column.clip(true));
    }
    if let Some(i) = scroll_to {
        table = table.scroll_to_row(i, None);
    }
    table
        .header(22.0, |mut header| {
            for h in headers {
                header.col(|ui| {
                    ui.strong(*h);
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
}
