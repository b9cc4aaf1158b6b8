//! The grid and the list the Gallery and the Trash show their items in. Selection, focus,
//! clicks, double-clicks, the context menu and bringing the focus into view work the same in
//! both tabs; each tab only says what a tile, a row and a context menu hold.

use egui::Ui;

use super::{grid, list};
use crate::gui::command::Command;
use crate::gui::state::{Shown, ViewMode};
use crate::gui::view::{Acts, Pictures};
use crate::library::ItemId;

/// What a tab shows, item by item (`i` is the position in the tab's shown list).
pub trait Items {
    /// The item at `i`.
    fn id(&self, i: usize) -> Option<ItemId>;
    /// Its tile in the grid (`selected` and `focused` are filled in by the view).
    fn tile(&self, i: usize, pictures: &mut Pictures<'_>) -> Option<grid::Tile<'_>>;
    /// Its row in the list: one cell per header.
    fn cells(&self, i: usize, pictures: &mut Pictures<'_>, row: &mut egui_extras::TableRow<'_, '_>);
    /// Its context menu.
    fn menu(&self, i: usize, ui: &mut Ui, acts: &mut Acts<'_>);
}

/// How a tab lays its items out.
pub struct Layout<'a> {
    pub id_salt: &'static str,
    pub mode: ViewMode,
    pub tile_size: f32,
    /// Lines of text under a tile.
    pub lines: usize,
    pub headers: &'a [&'a str],
    /// Columns a click on the header sorts by, and the one sorted by now (turned around?).
    pub sortable: &'a [usize],
    pub sorted: Option<(usize, bool)>,
}

/// Items being dragged (from the grid), for what they are dropped on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dragged(pub Vec<crate::library::ItemId>);

/// Draws what `shown` lists as tiles or rows. Returns the sortable header clicked.
pub fn items_ui(
    ui: &mut Ui,
    items: &impl Items,
    layout: Layout<'_>,
    shown: &Shown,
    acts: &mut Acts<'_>,
) -> Option<usize> {
    let count = shown.ids.len();
    // A key moved the focus this frame: bring it into view.
    let scroll_to = shown.sel.focus.filter(|_| shown.focus_moved);
    match layout.mode {
        ViewMode::Grid => {
            grid::grid_ui(
                ui,
                layout.id_salt,
                count,
                (layout.tile_size, layout.lines),
                &shown.groups,
                scroll_to,
                |ui, i, rect| {
                    let (Some(id), Some(mut tile)) =
                        (items.id(i), items.tile(i, &mut acts.pictures))
                    else {
                        return;
                    };
                    tile.selected = shown.sel.contains(id);
                    tile.focused = shown.sel.focus == Some(i);
                    let resp =
                        grid::tile_ui(ui, rect, egui::Id::unique((layout.id_salt, id)), &tile);
                    respond(ui, &resp, i, tile.selected, items, acts);
                    if resp.drag_started() {
                        // The selection, when the tile is part of it; else the tile alone.
                        let ids = if tile.selected {
                            shown.sel.selected()
                        } else {
                            vec![id]
                        };
                        resp.dnd_set_drag_payload(Dragged(ids));
                    }
                },
            );
            None
        }
        ViewMode::List => {
            let mut responses = Vec::new();
            let clicked = list::table_ui(
                ui,
                list::TableSpec {
                    id_salt: layout.id_salt,
                    headers: layout.headers,
                    count,
                    scroll_to,
                    sortable: layout.sortable,
                    sorted: layout.sorted,
                },
                |i| items.id(i).is_some_and(|id| shown.sel.contains(id)),
                |i, row| {
                    if items.id(i).is_some() {
                        items.cells(i, &mut acts.pictures, row);
                    } else {
                        // Its record is still being read: a blank row holds its place (a row
                        // must have its cells).
                        for _ in layout.headers {
                            row.col(|_| {});
                        }
                    }
                },
                |i, resp| responses.push((i, resp.clone())),
            );
            for (i, resp) in responses {
                let selected = items.id(i).is_some_and(|id| shown.sel.contains(id));
                respond(ui, &resp, i, selected, items, acts);
            }
            clicked
        }
    }
}

/// What a click on item `i` asks for: a double-click opens it, a click selects (with
/// Ctrl/Cmd and Shift as everywhere), a right-click selects it (unless it is part of the
/// selection already, which its menu then acts on) and shows its menu.
pub fn respond(
    ui: &Ui,
    resp: &egui::Response,
    i: usize,
    selected: bool,
    items: &impl Items,
    acts: &mut Acts<'_>,
) {
    if resp.double_clicked() {
        acts.ask(Command::Activate(i));
    } else if resp.clicked() {
        acts.ask(click_command(ui, i));
    } else if resp.secondary_clicked() && !selected {
        acts.ask(Command::Click {
            index: i,
            toggle: false,
            range: false,
        });
    }
    resp.context_menu(|ui| items.menu(i, ui, acts));
}

/// Modifier state of a click, as a selection command.
pub fn click_command(ui: &Ui, index: usize) -> Command {
    let m = ui.input(|i| i.modifiers);
    Command::Click {
        index,
        toggle: m.command,
        range: m.shift,
    }
}
