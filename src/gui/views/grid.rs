//! A grid that lays out only the rows on screen, so 100,000 tiles scroll smoothly, and the
//! tile itself: picture, name, badge and selection, announced to accessibility by name.

use egui::{
    Align2, Color32, CornerRadius, FontId, Rect, Response, RichText, Role, Sense, Stroke,
    StrokeKind, Ui, Vec2, WidgetInfo, pos2, vec2,
};

use crate::gui::textures::Picture;
use crate::gui::theme;
use crate::media::NoPicture;
use crate::store::culling::{Culling, Flag};

/// Height of one line of text under a tile.
const LINE_H: f32 = 18.0;
const GAP: f32 = 8.0;

/// What one tile shows.
pub struct Tile<'a> {
    pub name: &'a str,
    pub picture: Picture,
    /// Shown when there is no picture (e.g. "AUDIO", "COLLECTION").
    pub kind_label: &'a str,
    /// Top-right badge, e.g. ("27d", colour).
    pub badge: Option<(String, Color32)>,
    pub selected: bool,
    pub focused: bool,
    /// A small mark at the bottom-left and its colour (e.g. "missing" in red).
    pub flag: Option<(&'a str, Color32)>,
    /// A second, dimmer line under the name (the Trash: where from, when).
    pub subtitle: Option<String>,
    /// What the user gave the item: stars, a pick or reject mark, a colour label.
    pub marks: Option<&'a Culling>,
}

/// How many tiles fit in a row of `width`.
pub fn per_row(width: f32, tile: f32) -> usize {
    ((width + GAP) / (tile + GAP)).floor().max(1.0) as usize
}

/// Where the grid `id_salt` keeps the number of tiles in its rows as last drawn (for the
/// keys that move a row up or down).
pub fn columns_id(id_salt: &str) -> egui::Id {
    egui::Id::unique((id_salt, "columns"))
}

/// The tile `rows` rows below `at` (above, when negative) in a grid of `count` tiles in
/// rows of `cols`, each group (`groups`: where each starts) starting a row of its own: the
/// same column, or the last tile of a shorter row; past the first or last row, that row.
pub fn row_step(
    groups: &[(usize, String)],
    count: usize,
    cols: usize,
    at: usize,
    rows: isize,
) -> usize {
    if count == 0 {
        return 0;
    }
    let cols = cols.max(1);
    let at = at.min(count - 1);
    // The grid's rows, as (first tile, end).
    let starts: Vec<usize> = if groups.is_empty() {
        vec![0]
    } else {
        groups.iter().map(|(s, _)| *s).collect()
    };
    let group = starts.partition_point(|s| *s <= at).saturating_sub(1);
    let row_of = |i: usize, g: usize| (i - starts[g]) / cols;
    let (mut g, mut row, col) = (group, row_of(at, group), (at - starts[group]) % cols);
    let end = |g: usize| starts.get(g + 1).copied().unwrap_or(count).min(count);
    let rows_in = |g: usize| (end(g).saturating_sub(starts[g])).div_ceil(cols);
    for _ in 0..rows.unsigned_abs() {
        if rows > 0 {
            if row + 1 < rows_in(g) {
                row += 1;
            } else if let Some(next) = (g + 1..starts.len()).find(|&n| rows_in(n) > 0) {
                (g, row) = (next, 0);
            } else {
                break;
            }
        } else if row > 0 {
            row -= 1;
        } else if let Some(prev) = (0..g).rev().find(|&p| rows_in(p) > 0) {
            (g, row) = (prev, rows_in(prev) - 1);
        } else {
            break;
        }
    }
    (starts[g] + row * cols + col).min(end(g) - 1)
}

/// Lays out `count` tiles of `tile` points, calling `draw` only for the visible ones; with
/// `groups` (where each starts, and its header), each group under its header.
pub fn grid_ui(
    ui: &mut Ui,
    id_salt: &str,
    count: usize,
    (tile, lines): (f32, usize),
    groups: &[(usize, String)],
    scroll_to: Option<usize>,
    mut draw: impl FnMut(&mut Ui, usize, Rect),
) {
    let cols = per_row(ui.available_width(), tile);
    ui.data_mut(|d| d.insert_temp(columns_id(id_salt), cols));
    if !groups.is_empty() {
        return grouped_ui(ui, id_salt, count, (tile, lines), groups, scroll_to, draw);
    }
    let rows = count.div_ceil(cols);
    let row_h = tile + 4.0 + LINE_H * lines as f32;
    let spacing = ui.spacing().item_spacing.y;
    let top = scroll_to.map(|i| (i / cols) as f32 * (row_h + spacing));
    scroll_area(ui, id_salt, top, row_h).show_rows(ui, row_h, rows, |ui, range| {
        for row in range {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = GAP;
                for col in 0..cols {
                    let i = row * cols + col;
                    if i >= count {
                        break;
                    }
                    let (rect, _) = ui.allocate_exact_size(vec2(tile, row_h), Sense::hover());
                    draw(ui, i, rect);
                }
            });
        }
    });
}

/// The grid's scroll area; with `top`, the place of a row of `row_h` to bring into view
/// (centred, when it is not in view already).
fn scroll_area(ui: &Ui, id_salt: &str, top: Option<f32>, row_h: f32) -> egui::ScrollArea {
    let area = egui::ScrollArea::vertical()
        .id_salt(id_salt)
        .auto_shrink(false);
    let Some(y) = top else {
        return area;
    };
    let view_h = ui.available_height();
    let state = egui::scroll_area::State::load(
        ui.ctx(),
        // The id the scroll area keeps its state under (its salt, made persistent).
        ui.make_persistent_id(egui::IdSalt::new(id_salt)),
    );
    let cur = state.map_or(0.0, |s| s.clamped_offset().y);
    if y < cur || y + row_h > cur + view_h {
        area.vertical_scroll_offset((y - view_h / 2.0).max(0.0))
    } else {
        area
    }
}

/// Height of a group's header.
const HEADER_H: f32 = 30.0;

/// One row of a grouped grid: a header, or tiles `start..end`.
enum Band {
    Header(usize),
    Tiles(usize, usize),
}

/// The grid in groups, each under its header: the rows' places are worked out (headers and
/// rows of tiles differ in height) and only those on screen are drawn.
fn grouped_ui(
    ui: &mut Ui,
    id_salt: &str,
    count: usize,
    (tile, lines): (f32, usize),
    groups: &[(usize, String)],
    scroll_to: Option<usize>,
    mut draw: impl FnMut(&mut Ui, usize, Rect),
) {
    let cols = per_row(ui.available_width(), tile);
    let row_h = tile + 4.0 + LINE_H * lines as f32;
    let spacing = ui.spacing().item_spacing.y;
    let mut bands: Vec<(f32, Band)> = Vec::new();
    let mut y = 0.0;
    for (g, (start, _)) in groups.iter().enumerate() {
        let end = groups.get(g + 1).map_or(count, |next| next.0).min(count);
        bands.push((y, Band::Header(g)));
        y += HEADER_H + spacing;
        let mut i = *start;
        while i < end {
            bands.push((y, Band::Tiles(i, (i + cols).min(end))));
            y += row_h + spacing;
            i += cols;
        }
    }
    let total = y;
    let top = scroll_to.and_then(|i| {
        bands
            .iter()
            .find(|(_, b)| matches!(b, Band::Tiles(s, e) if (*s..*e).contains(&i)))
            .map(|(top, _)| *top)
    });
    scroll_area(ui, id_salt, top, row_h).show_viewport(ui, |ui, viewport| {
        ui.set_height(total);
        let origin = ui.max_rect().min;
        let first = bands.partition_point(|(top, _)| *top + row_h < viewport.min.y);
        for (top, band) in &bands[first..] {
            if *top > viewport.max.y {
                break;
            }
            let y = origin.y + top;
            match band {
                Band::Header(g) => {
                    let rect = Rect::from_min_size(
                        pos2(origin.x, y),
                        vec2(ui.max_rect().width(), HEADER_H),
                    );
                    // At the left, as the tiles below it start.
                    let layout = egui::Layout::left_to_right(egui::Align::Center);
                    ui.scope_builder(egui::UiBuilder::new().max_rect(rect).layout(layout), |ui| {
                        ui.add(
                            egui::Label::new(
                                RichText::new(groups[*g].1.as_str()).strong().size(15.0),
                            )
                            .selectable(false),
                        );
                    });
                }
                Band::Tiles(start, end) => {
                    for i in *start..*end {
                        let x = origin.x + (i - start) as f32 * (tile + GAP);
                        draw(ui, i, Rect::from_min_size(pos2(x, y), vec2(tile, row_h)));
                    }
                }
            }
        }
    });
}

/// Paints a tile and returns its click response.
pub fn tile_ui(ui: &mut Ui, rect: Rect, id: egui::Id, tile: &Tile<'_>) -> Response {
    // Dragged, a tile carries its items (onto a keyword, to tag them).
    let resp = ui.interact(rect, id, Sense::click_and_drag());
    let name = tile.name.to_string();
    let selected = tile.selected;
    // Said to assistive technology too: "missing", "offline", "3 stars, picked".
    let value: Vec<String> = tile
        .flag
        .map(|(text, _)| text.to_string())
        .into_iter()
        .chain(tile.marks.and_then(crate::gui::tabs::marks_text))
        .collect();
    resp.widget_info(|| {
        let mut info = WidgetInfo::selected(Role::Button, true, selected, &name);
        info.current_text_value = (!value.is_empty()).then(|| value.join(", "));
        info
    });
    if !ui.is_rect_visible(rect) {
        return resp;
    }
    let painter = ui.painter_at(rect.expand(2.0));
    let visuals = ui.visuals().clone();
    let pic_rect = Rect::from_min_size(rect.min, Vec2::splat(rect.width()));
    let bg = if resp.hovered() {
        Color32::from_gray(55)
    } else {
        theme::TILE_BG
    };
    painter.rect_filled(pic_rect, CornerRadius::same(6), bg);
    let inner = pic_rect.shrink(4.0);
    match &tile.picture {
        Picture::Ready(tex) => {
            let size = tex.size_vec2();
            let scale = (inner.width() / size.x).min(inner.height() / size.y);
            let fitted = Rect::from_center_size(inner.center(), size * scale);
            painter.image(
                tex.id(),
                fitted,
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                Color32::WHITE,
            );
        }
        Picture::Pending => {
            painter.text(
                inner.center(),
                Align2::CENTER_CENTER,
                tile.kind_label,
                FontId::proportional(12.0),
                Color32::from_gray(130),
            );
        }
        Picture::Failed(reason) => {
            painter.text(
                inner.center(),
                Align2::CENTER_CENTER,
                failure_label(tile.kind_label, reason),
                FontId::proportional(12.0),
                Color32::from_rgb(0xC0, 0x80, 0x80),
            );
        }
    }
    if let Some((text, color)) = &tile.badge {
        // A real label, so the badge is read out and can be found by tests.
        let galley =
            painter.layout_no_wrap(text.clone(), FontId::proportional(12.0), Color32::WHITE);
        let br = Rect::from_min_size(
            pos2(
                pic_rect.right() - galley.size().x - 14.0,
                pic_rect.top() + 6.0,
            ),
            galley.size() + vec2(8.0, 2.0),
        );
        painter.rect_filled(br, CornerRadius::same(7), *color);
        ui.put(
            br,
            egui::Label::new(RichText::new(text).color(Color32::WHITE).size(12.0))
                .selectable(false),
        );
    }
    if let Some(c) = tile.marks {
        marks_ui(&painter, pic_rect, c);
    }
    if let Some((flag, color)) = tile.flag {
        // On a dark plate, so it reads over any picture.
        let galley = painter.layout_no_wrap(flag.to_string(), FontId::proportional(11.0), color);
        let at = pic_rect.left_bottom() + vec2(6.0, -6.0 - galley.size().y);
        painter.rect_filled(
            Rect::from_min_size(at, galley.size()).expand(3.0),
            CornerRadius::same(3),
            Color32::from_black_alpha(170),
        );
        painter.galley(at, galley, color);
    }
    if tile.selected {
        painter.rect_stroke(
            pic_rect,
            CornerRadius::same(6),
            Stroke::new(3.0, theme::SELECTED),
            StrokeKind::Inside,
        );
    } else if tile.focused {
        painter.rect_stroke(
            pic_rect,
            CornerRadius::same(6),
            Stroke::new(1.0, visuals.strong_text_color()),
            StrokeKind::Inside,
        );
    }
    let label_rect = Rect::from_min_max(pos2(rect.left(), pic_rect.bottom()), rect.max);
    let text_painter = ui.painter_at(label_rect);
    let color = if tile.selected {
        theme::SELECTED
    } else {
        visuals.text_color()
    };
    let name_pos = pos2(label_rect.center().x, label_rect.top() + 4.0 + LINE_H / 2.0);
    let line = |text: &str, size: f32, color: Color32, center: egui::Pos2| {
        let galley = one_line(ui, text, size, color, rect.width());
        text_painter.galley(center - galley.size() / 2.0, galley, color);
    };
    line(tile.name, 12.5, color, name_pos);
    if let Some(sub) = &tile.subtitle {
        line(
            sub,
            11.0,
            visuals.weak_text_color(),
            name_pos + vec2(0.0, LINE_H),
        );
    }
    if let Picture::Failed(reason) = &tile.picture {
        return resp.on_hover_text(format!("{}\n{reason}", tile.name));
    }
    resp.on_hover_text(tile.name)
}

/// Stars at the picture's bottom right, a colour label and a pick or reject mark at its top
/// left, each on a dark plate so it reads over any picture; a reject is dimmed.
fn marks_ui(painter: &egui::Painter, pic: Rect, c: &Culling) {
    let plate = |at: Rect| {
        painter.rect_filled(
            at.expand(3.0),
            CornerRadius::same(3),
            Color32::from_black_alpha(170),
        );
    };
    if c.flag == Flag::Reject {
        painter.rect_filled(pic, CornerRadius::same(6), Color32::from_black_alpha(120));
    }
    if c.rating.stars() > 0 {
        let stars = crate::gui::tabs::stars(c.rating);
        let galley = painter.layout_no_wrap(stars, FontId::proportional(11.0), theme::STAR);
        let at = pic.right_bottom() - vec2(6.0 + galley.size().x, 6.0 + galley.size().y);
        plate(Rect::from_min_size(at, galley.size()));
        painter.galley(at, galley, theme::STAR);
    }
    let mut x = pic.left() + 8.0;
    let top = pic.top() + 8.0;
    if let Some(l) = c.label {
        painter.circle_filled(
            pos2(x + 5.0, top + 5.0),
            6.0,
            Color32::from_black_alpha(170),
        );
        painter.circle_filled(pos2(x + 5.0, top + 5.0), 5.0, theme::label_color(l));
        x += 16.0;
    }
    let mark = match c.flag {
        Flag::Pick => Some(("⚑", theme::PICK)),
        Flag::Reject => Some(("✖", theme::DANGER)),
        Flag::None => None,
    };
    if let Some((text, color)) = mark {
        let galley = painter.layout_no_wrap(text.to_string(), FontId::proportional(12.0), color);
        let at = pos2(x, top - 1.0);
        plate(Rect::from_min_size(at, galley.size()));
        painter.galley(at, galley, color);
    }
}

/// One line of text, cut with "…" where it would be wider than `width`.
fn one_line(
    ui: &Ui,
    text: &str,
    size: f32,
    color: Color32,
    width: f32,
) -> std::sync::Arc<egui::Galley> {
    let mut job = egui::text::LayoutJob::simple_singleline(
        text.to_string(),
        FontId::proportional(size),
        color,
    );
    job.wrap = egui::text::TextWrapping::truncate_at_width(width);
    ui.fonts_mut(|f| f.layout_job(job))
}

/// What a tile without a picture says. A file this computer has no program for, or that
/// holds no picture (a RAW without a preview), is not a damaged file: it says "no preview",
/// and the reason, on hover, says what to install or what is missing.
pub fn failure_label(kind_label: &str, why: &NoPicture) -> &'static str {
    match why {
        NoPicture::Missing(_) => "file missing",
        NoPicture::Offline(_) => "offline",
        _ if kind_label == "VIDEO" => "VIDEO\nno preview",
        NoPicture::NoPreview(_) => "no preview",
        NoPicture::Unreadable(_) => "can't read",
    }
}

#[cfg(test)]
mod tests {
    use super::{failure_label, row_step};
    use crate::media::NoPicture;

    #[test]
    fn a_row_up_or_down_keeps_the_column_and_steps_over_group_headers() {
        let groups: Vec<(usize, String)> = [0, 5, 7].iter().map(|s| (*s, String::new())).collect();
        // Rows of 3: [0 1 2] [3 4] | [5 6] | [7 8 9] [10]
        let down = |at, n| row_step(&groups, 11, 3, at, n);
        assert_eq!(down(1, 1), 4);
        assert_eq!(down(2, 1), 4, "a shorter row: its last tile");
        assert_eq!(down(4, 1), 6, "into the next group, the same column");
        assert_eq!(down(3, 1), 5);
        assert_eq!(down(6, 1), 8);
        assert_eq!(down(9, 1), 10);
        assert_eq!(down(10, 1), 10, "the last row stays");
        assert_eq!(down(8, -1), 6, "up into the group before: its last row");
        assert_eq!(down(5, -1), 3);
        assert_eq!(down(4, -1), 1);
        assert_eq!(down(1, -1), 1, "the first row stays");
        assert_eq!(down(0, 3), 7, "a page: rows at a time");
        assert_eq!(down(10, -4), 0);
        // Without groups: rows of the whole grid.
        assert_eq!(row_step(&[], 10, 4, 1, 2), 9);
        assert_eq!(row_step(&[], 10, 4, 3, 2), 9, "the last row is short");
        assert_eq!(row_step(&[], 0, 4, 0, 1), 0);
    }

    #[test]
    fn a_file_without_a_preview_is_not_called_unreadable() {
        let no_preview = |s: &str| NoPicture::NoPreview(s.into());
        let raw = crate::media::formats::Format::Raw.missing();
        assert_eq!(failure_label("IMAGE", &no_preview(raw)), "no preview");
        let heif = crate::media::formats::Format::Heif.missing();
        assert_eq!(failure_label("IMAGE", &no_preview(heif)), "no preview");
        let unreadable = NoPicture::Unreadable("not a readable image".into());
        assert_eq!(failure_label("IMAGE", &unreadable), "can't read");
        let missing = NoPicture::Missing("the file was already missing on disk".into());
        assert_eq!(failure_label("IMAGE", &missing), "file missing");
        let failed = NoPicture::Unreadable("ffmpeg failed".into());
        assert_eq!(failure_label("VIDEO", &failed), "VIDEO\nno preview");
    }

    /// A file on an unplugged drive was labelled "can't read", as if it were damaged.
    #[test]
    fn an_offline_file_is_not_called_unreadable() {
        let offline = NoPicture::Offline("the file's folder or drive is offline".into());
        assert_eq!(failure_label("IMAGE", &offline), "offline");
        assert_eq!(failure_label("VIDEO", &offline), "offline");
    }
}
