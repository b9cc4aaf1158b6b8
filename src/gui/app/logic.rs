//! The phase before drawing: replies from the library, pictures, timers, changes made
//! outside, dropped files and keys; then what each tab shows is worked out again.

use std::path::PathBuf;

use super::{NO_EXPORT_PICKER, NO_PICKER, PREFS_SAVE_DELAY, ShoeboxApp};
use crate::gui::command::Command;
use crate::gui::dialogs::Dialog;
use crate::gui::state::{Tab, Toast, Undo, ViewMode};
use crate::gui::views::grid;
use crate::gui::worker::{Job, Reply, RestoreError, Snapshot};
use crate::library::{
    BulkReport, CollectionId, Cull, ItemId, Kind, RestoreOptions, human_size, items,
};
use crate::store::culling::{Flag, Label, Rating};
use crate::thumbs::{Output, Request, THUMB_PX};

/// `c`, or its nearest ancestor (as `before` knew them) that `now` still holds; `None` for
/// the top of the library.
fn nearest_present(
    c: CollectionId,
    before: &[crate::library::CollectionInfo],
    now: &[crate::library::CollectionInfo],
) -> Option<CollectionId> {
    let mut cur = Some(c);
    while let Some(id) = cur {
        if now.iter().any(|x| x.id == ItemId::Collection(id)) {
            return Some(id);
        }
        cur = before
            .iter()
            .find(|x| x.id == ItemId::Collection(id))
            .and_then(|x| x.parent_id);
    }
    None
}

/// `c`, or its nearest ancestor (as `before` knew them) still in the Trash in `now`: the
/// trashed collection to keep showing after a change. `None`: the Trash's entries.
fn nearest_trashed(c: CollectionId, before: &Snapshot, now: &Snapshot) -> Option<CollectionId> {
    let mut cur = Some(c);
    while let Some(id) = cur {
        if now.trashed_collection(id).is_some() {
            return Some(id);
        }
        cur = before
            .trashed_collection(id)
            .and_then(|e| e.within.as_ref())
            .map(|w| w.collection);
    }
    None
}

/// How long after the last picture arrived the textures off screen are released.
const SETTLE_SECONDS: f64 = 2.0;

/// How many ids of a new Gallery view come first, before the rest is read: more than a
/// screen and the rows read around it.
const VIEW_HEAD: usize = 2_000;

/// How long a status-line message stays.
const STATUS_SECS: f64 = 12.0;

impl ShoeboxApp {
    /// Hands the Trash's pictures not handed over yet to the thumbnail service, which
    /// makes those not in the cache in the background, behind the tiles on screen; the
    /// Gallery's follow page by page (see [`ShoeboxApp::ask_ahead`]).
    fn make_thumbnails_ahead(&mut self) {
        let Some(thumbs) = &self.thumbs else {
            return;
        };
        let trash = self
            .snap
            .trash_items()
            .filter_map(|(_, e)| Some((e.asset_kind?, e.hash.as_ref()?, e.trash_path.as_ref()?)));
        let mut reqs = Vec::new();
        for (kind, hash, path) in trash {
            if matches!(kind, Kind::Image | Kind::Video) && self.ahead.trash.insert(hash.clone()) {
                reqs.push(Request {
                    key: hash.clone(),
                    path: path.clone(),
                    kind,
                    size: THUMB_PX,
                });
            }
        }
        thumbs.make_ahead(reqs);
    }

    /// Asks for the next page of the Gallery's pictures to make thumbnails of ahead, once
    /// the last page is made: a million items are handed over a page at a time, never
    /// held whole.
    fn ask_ahead(&mut self) {
        let Some(thumbs) = &self.thumbs else {
            return;
        };
        if !self.loaded || self.ahead.asked || thumbs.is_making_ahead() {
            return;
        }
        if let Some(after) = self.ahead.next {
            self.ahead.asked = true;
            self.handle.send(Job::Ahead(after));
        }
    }

    /// A page of the Gallery's pictures to make thumbnails of ahead.
    fn on_ahead(&mut self, pictures: Vec<crate::library::AssetInfo>, more: bool) {
        self.ahead.asked = false;
        let last = pictures.last().and_then(|a| a.id.asset());
        // After the last page, new imports come after the last id handed over.
        self.ahead.next = if more { last } else { None };
        self.ahead.last = last.or(self.ahead.last);
        let Some(thumbs) = &self.thumbs else {
            return;
        };
        let reqs = pictures
            .into_iter()
            .filter(|a| !a.missing && !a.offline)
            .map(|a| Request {
                key: a.hash,
                path: a.path,
                kind: a.asset_kind,
                size: THUMB_PX,
            })
            .collect();
        thumbs.make_ahead(reqs);
    }

    /// What a file dialog or an export came back with.
    fn on_picked(&mut self, picked: crate::gui::pickers::Picked) {
        use crate::gui::pickers::Picked;
        match picked {
            Picked::ImportFiles(Some(paths)) | Picked::ImportFolders(Some(paths)) => {
                let (paths, lost) = crate::gui::pickers::unpassed(paths);
                let unread = (lost > 0).then(|| crate::gui::pickers::unpassed_message(lost));
                match unread {
                    // The rest are asked about; the status line tells of the one left out.
                    Some(text) if !paths.is_empty() => self.say(text),
                    Some(text) => {
                        self.dialog = Some(Dialog::Message {
                            title: "A name could not be read".into(),
                            text,
                        });
                    }
                    None => {}
                }
                if !paths.is_empty() {
                    self.commands.push(Command::AskImport(paths));
                }
            }
            Picked::ImportFiles(None) | Picked::ImportFolders(None) => self.say(NO_PICKER.into()),
            Picked::ExportTo {
                from,
                dest: Some(dest),
            } => {
                self.say(format!("Exporting a copy to {}…", dest.display()));
                self.pickers.export_copy(from, dest);
            }
            Picked::ExportTo { dest: None, .. } => self.say(NO_EXPORT_PICKER.into()),
            Picked::Exported(Ok(dest)) => {
                self.say(format!("Exported a copy to {}", dest.display()));
            }
            Picked::Exported(Err(text)) => {
                self.dialog = Some(Dialog::Message {
                    title: "Export failed".into(),
                    text,
                });
            }
            Picked::RestoreFolder(dir) => match (&mut self.dialog, dir) {
                (Some(Dialog::PickLocation { choice, .. }), Some(dir)) => {
                    *choice = Some(crate::gui::dialogs::LocationChoice::Folder(dir));
                }
                (_, None) => self.say(NO_PICKER.into()),
                _ => {}
            },
        }
    }

    /// Watches `media/` and every folder holding in-place items.
    fn watch_folders(&mut self, folders: Vec<PathBuf>) {
        let mut wanted = std::collections::BTreeSet::new();
        wanted.insert((self.root.join(crate::library::MEDIA_DIR), true));
        for dir in folders {
            wanted.insert((dir, false));
        }
        self.watch.watch(wanted);
    }

    /// Asks for the missing/offline check a second after files changed outside Shoebox
    /// (or every minute where they cannot be watched).
    fn check_for_changes_outside(&mut self, ctx: &egui::Context) {
        if !self.loaded {
            return;
        }
        if self.watch.take_changed() && self.timers.changed_outside_at.is_none() {
            self.timers.changed_outside_at = Some(self.now);
        }
        let timer_due = !self.watch.is_watching() && self.now - self.timers.last_check >= 60.0;
        match self.timers.changed_outside_at {
            Some(at) if self.now - at >= 1.0 => {
                self.timers.changed_outside_at = None;
                self.timers.last_check = self.now;
                self.handle.send(Job::CheckFiles);
            }
            Some(at) => ctx
                .request_repaint_after(std::time::Duration::from_secs_f64(1.05 - (self.now - at))),
            None if timer_due => {
                self.timers.last_check = self.now;
                self.handle.send(Job::CheckFiles);
            }
            None => {}
        }
    }

    /// Runs every frame before drawing: replies, thumbnails, timers, dropped files, keys.
    /// How a restored item is named: a collection with what it holds (rule 22), from the
    /// snapshot taken before the restore.
    fn restored_name(&self, id: ItemId) -> String {
        let entry = self
            .snap
            .trash
            .iter()
            .chain(self.snap.trash_inside.iter())
            .find(|e| e.id == id && e.asset_kind.is_none());
        match entry {
            Some(e) => format!("\"{}\" ({})", e.name, items(e.item_count as usize)),
            None => items(1),
        }
    }

    /// What a restore of `ids` must add: those whose file was already missing came back
    /// as records only (the snapshot is still the one from before the restore).
    fn still_missing(&self, ids: &[ItemId]) -> String {
        let missing = self
            .snap
            .trash
            .iter()
            .chain(self.snap.trash_inside.iter())
            .filter(|e| e.missing && ids.contains(&e.id))
            .count();
        match missing {
            0 => String::new(),
            1 if ids.len() == 1 => "; its file is gone from disk (it shows as missing)".into(),
            n => format!(
                "; the files of {} are gone from disk (they show as missing)",
                items(n)
            ),
        }
    }

    /// Says `text` on the status line for a while: a later message replaces it, and it goes
    /// by itself after [`STATUS_SECS`] (a "freed 0 B" must not stay after later actions).
    pub(crate) fn say(&mut self, text: String) {
        self.status = Some((text, self.now + STATUS_SECS));
    }

    pub fn logic(&mut self, ctx: &egui::Context) {
        self.now = ctx.input(|i| i.time);
        self.pixels_per_point = ctx.pixels_per_point();
        self.rows.begin_frame();
        if let Some(ids) = self.rows.take_wanted() {
            let generation = self.rows.generation();
            self.handle.send(Job::Rows { ids, generation });
        }
        if std::mem::take(&mut self.timers.check_files_due) {
            self.handle.send(Job::CheckFiles);
            self.timers.folders_due = true;
        }
        if std::mem::take(&mut self.timers.folders_due) {
            self.handle.send(Job::Folders {
                after: 0,
                found: Default::default(),
            });
        }
        if self.timers.check_files_next_frame && self.view.loaded {
            // The Gallery's first view is in: its rows are asked for before the check.
            self.timers.check_files_next_frame = false;
            self.timers.check_files_due = true;
            ctx.request_repaint();
        }
        for reply in self.handle.poll() {
            self.on_reply(reply);
        }
        if let Some((_, until)) = self.status {
            if self.now >= until {
                self.status = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(until - self.now));
            }
        }
        self.check_for_changes_outside(ctx);
        for picked in self.pickers.poll() {
            self.on_picked(picked);
        }
        if let Some(t) = self.thumbs.as_mut() {
            // What the last frame did not ask for again has left the screen.
            t.end_frame();
            let outputs = t.poll();
            if outputs.iter().any(|o| matches!(o, Output::Ready { .. })) {
                self.timers.pictures_arrived_at = Some(self.now);
            }
            if !outputs.is_empty() {
                self.textures.receive(ctx, outputs);
            }
        }
        // Two seconds after the last picture arrived the screen has settled: what it does
        // not show is released, and half a second later (the renderer frees textures at
        // the end of a frame) the memory goes back to the system.
        if let Some(at) = self.timers.pictures_arrived_at {
            let quiet = self.now - at;
            if quiet >= SETTLE_SECONDS {
                if self.textures.settle() {
                    self.timers.return_memory_at = Some(self.now + 0.5);
                }
                self.timers.pictures_arrived_at = None;
            }
        }
        if let Some(at) = self.timers.return_memory_at
            && self.now >= at
        {
            crate::gui::textures::return_freed_memory();
            self.timers.return_memory_at = None;
        }
        let next = [
            self.timers.pictures_arrived_at.map(|t| t + SETTLE_SECONDS),
            self.timers.return_memory_at,
        ];
        if let Some(due) = next.into_iter().flatten().reduce(f64::min) {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                (due - self.now).max(0.0) + 0.05,
            ));
        }
        self.textures.begin_frame();
        // The sweep: at startup (once the Gallery's first view is in), then on the
        // library's timer.
        if self.loaded && self.view.loaded {
            let interval = self.snap.sweep_interval_minutes.max(1) as f64 * 60.0;
            let due = self
                .timers
                .last_sweep
                .is_none_or(|t| self.now - t >= interval);
            if due {
                self.timers.last_sweep = Some(self.now);
                self.handle.send(Job::Sweep);
            }
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(interval.min(60.0)));
            // Days left move on with the clock.
            if self.now - self.timers.last_refresh >= 60.0 {
                self.timers.last_refresh = self.now;
                self.handle.send(Job::Refresh);
            }
        }
        if let Some(t) = &self.toast {
            if self.now > t.until {
                self.toast = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                    t.until - self.now + 0.05,
                ));
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            self.commands.push(Command::AskImport(dropped));
        }
        if self.prefs != self.saved_prefs {
            // An idle window draws no frames; wake one so eframe's auto-save runs.
            ctx.request_repaint_after(PREFS_SAVE_DELAY);
        }
        self.keyboard(ctx);
        self.refresh_shown();
        if self.view.rest_due
            && self.shows_answer()
            && let Some(query) = self.view.query.clone()
        {
            self.view.rest_due = false;
            self.handle.send(Job::View {
                query,
                generation: self.view.generation,
                limit: None,
                wanted: self.view.wanted.clone(),
            });
        }
        self.settle_preview();
        self.ask_ahead();
        if self.handle.has_replies() {
            // Answered at once (the library run inline): taken in the next frame.
            ctx.request_repaint();
        }
    }

    /// After a delete or a restore the item the preview showed has gone: the one after it
    /// takes its place (the one before, at the end); with none left the preview closes. The
    /// item shown is the one selected (Delete acts on it), as when stepping.
    fn settle_preview(&mut self) {
        let Some(p) = &mut self.preview else {
            return;
        };
        let shown = match p.tab {
            Tab::Gallery => &mut self.gallery,
            Tab::Trash => &mut self.trash,
        };
        let Some(last) = shown.ids.len().checked_sub(1) else {
            self.preview = None;
            return;
        };
        p.pos = p.pos.min(last);
        if !shown.sel.contains(shown.ids[p.pos]) {
            let ids = shown.ids.clone();
            shown.sel.click(&ids, p.pos, false, false);
        }
    }

    fn keyboard(&mut self, ctx: &egui::Context) {
        // Ctrl/Cmd+Q quits from anywhere, as in every desktop app.
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Q)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if ctx.egui_wants_keyboard_input() || self.dialog.is_some() {
            return;
        }
        use egui::{Key, Modifiers};
        let (tab_ids, sel) = match self.prefs.tab {
            Tab::Gallery => (self.gallery.ids.clone(), self.gallery.sel.selected()),
            Tab::Trash => (self.trash.ids.clone(), self.trash.sel.selected()),
        };
        // The grid's rows as last drawn (read outside the input, which holds the context).
        let salt = match self.prefs.tab {
            Tab::Gallery => "gallery",
            Tab::Trash => "trash",
        };
        let drawn_cols = ctx.data(|d| d.get_temp::<usize>(grid::columns_id(salt)));
        let mut cmds = Vec::new();
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::SHIFT, Key::Delete) && !sel.is_empty() {
                cmds.push(Command::AskDeletePermanently(sel.clone()));
            }
            if i.consume_key(Modifiers::NONE, Key::Delete) && !sel.is_empty() {
                cmds.push(match self.prefs.tab {
                    Tab::Gallery => Command::AskDelete(sel.clone()),
                    Tab::Trash => Command::AskDeletePermanently(sel.clone()),
                });
            }
            if i.consume_key(Modifiers::COMMAND, Key::Z) {
                cmds.push(Command::Undo);
            }
            // Culling, as Lightroom's keys: 0-5 stars, P pick, X reject, U unflag, 6-9
            // labels, on the selection (the item shown, in the preview). In the Trash they
            // say why nothing changes.
            if !sel.is_empty() || self.preview.is_some() {
                for (key, change) in cull_keys() {
                    if i.consume_key(Modifiers::NONE, key) {
                        cmds.push(Command::Cull(change));
                    }
                }
            }
            if i.consume_key(Modifiers::COMMAND, Key::A) && self.preview.is_none() {
                cmds.push(Command::SelectAll);
            }
            if self.preview.is_some() {
                if i.consume_key(Modifiers::NONE, Key::ArrowRight) {
                    cmds.push(Command::PreviewStep(1));
                }
                if i.consume_key(Modifiers::NONE, Key::ArrowLeft) {
                    cmds.push(Command::PreviewStep(-1));
                }
                if i.consume_key(Modifiers::NONE, Key::Escape)
                    || i.consume_key(Modifiers::NONE, Key::Space)
                {
                    cmds.push(Command::ClosePreview);
                }
            } else {
                let view = i.viewport().inner_rect.unwrap_or(egui::Rect::from_min_size(
                    egui::Pos2::ZERO,
                    egui::vec2(1100.0, 760.0),
                ));
                let grid = self.prefs.view == ViewMode::Grid;
                let cols = drawn_cols
                    .unwrap_or_else(|| grid::per_row(view.width() - 220.0, self.prefs.thumb_size));
                // A page: the rows that fit between the toolbars and the status line.
                let row_h = if grid {
                    self.prefs.thumb_size + 40.0
                } else {
                    30.0
                };
                let page = ((view.height() - 200.0) / row_h).floor().max(1.0) as isize;
                let all = tab_ids.len() as isize;
                // Keys that move by rows (in the grid, rows of tiles under group headers).
                for (key, delta, by_rows) in [
                    (Key::ArrowRight, 1, false),
                    (Key::ArrowLeft, -1, false),
                    (Key::ArrowDown, 1, true),
                    (Key::ArrowUp, -1, true),
                    (Key::PageDown, page, true),
                    (Key::PageUp, -page, true),
                    (Key::End, all, false),
                    (Key::Home, -all, false),
                ] {
                    if i.consume_key(Modifiers::NONE, key) {
                        let shown = match self.prefs.tab {
                            Tab::Gallery => &mut self.gallery,
                            Tab::Trash => &mut self.trash,
                        };
                        let at = shown.sel.focus.unwrap_or(0);
                        let delta = if by_rows && grid {
                            let to = grid::row_step(&shown.groups, tab_ids.len(), cols, at, delta);
                            to as isize - at as isize
                        } else {
                            delta
                        };
                        shown.sel.move_focus(&tab_ids, delta);
                        shown.focus_moved = true;
                    }
                }
                if (i.consume_key(Modifiers::NONE, Key::Enter)
                    || i.consume_key(Modifiers::NONE, Key::Space))
                    && let Some(f) = match self.prefs.tab {
                        Tab::Gallery => self.gallery.sel.focus,
                        Tab::Trash => self.trash.sel.focus,
                    }
                {
                    cmds.push(Command::Activate(f));
                }
                // Up from a trashed collection's contents, as in a file manager.
                if self.prefs.tab == Tab::Trash
                    && let Some(c) = self.trash_open
                    && i.consume_key(Modifiers::NONE, Key::Backspace)
                {
                    let up = self
                        .snap
                        .trashed_collection(c)
                        .and_then(|e| e.within.as_ref())
                        .map(|w| w.collection);
                    cmds.push(Command::OpenTrashed(up));
                }
                if i.consume_key(Modifiers::NONE, Key::Escape) {
                    cmds.push(Command::ClearSelection);
                }
            }
        });
        self.commands.extend(cmds);
    }

    pub(super) fn on_reply(&mut self, reply: Reply) {
        if matches!(
            reply,
            Reply::Imported(_)
                | Reply::Restored { .. }
                | Reply::RestoredMany(_)
                | Reply::Checked(..)
        ) {
            // In-place files may be in new folders: those to watch are read again.
            self.timers.folders_due = true;
        }
        match reply {
            Reply::Snapshot(s) => {
                let first = !self.loaded;
                // The collection shown went to the Trash (or away): show its nearest
                // ancestor still here, else all items.
                if let Some(c) = self.collection {
                    let still = nearest_present(c, &self.snap.collections, &s.collections);
                    if still != self.collection {
                        self.collection = still;
                        self.gallery.sel.clear();
                        self.gallery.dirty = true;
                    }
                }
                // Likewise the trashed collection opened in the Trash (restored or purged).
                if let Some(c) = self.trash_open {
                    let still = nearest_trashed(c, &self.snap, &s);
                    if still != self.trash_open {
                        self.trash_open = still;
                        self.trash.sel.clear();
                    }
                }
                self.snap = s;
                self.loaded = true;
                self.rows.changed();
                if first {
                    // Once the Gallery shows: the check is background work.
                    self.timers.check_files_next_frame = true;
                }
                // The assets changed since the view was read: it is read again (once the
                // one on its way is in: see `Reply::View`).
                if self.view.complete == self.view.generation
                    && self
                        .view
                        .version
                        .is_some_and(|v| v < self.snap.assets_version)
                {
                    self.gallery.dirty = true;
                }
                self.trash.dirty = true;
                self.make_thumbnails_ahead();
                if self.ahead.next.is_none() {
                    // What came in since the last page is made ahead too.
                    self.ahead.next = Some(self.ahead.last.unwrap_or(crate::library::AssetId(0)));
                }
                self.trash_covers = crate::gui::tabs::trash::covers(&self.snap);
                self.collection_counts = crate::gui::tabs::gallery::subtree_counts(&self.snap);
                // A file that came back may have failed to show while it was gone.
                self.textures.forget_failures();
                if first && let Some(why) = &self.snap.clock_hold {
                    self.say(format!("Automatic purging paused: {why}"));
                }
            }
            Reply::View {
                generation,
                ids,
                bytes,
                complete,
                version,
                rejected,
                groups,
            } => {
                if generation == self.view.generation {
                    self.gallery.groups = std::sync::Arc::new(groups);
                    if complete {
                        self.gallery.rejected = rejected;
                    }
                    self.view.loaded = true;
                    self.view.answered = generation;
                    self.gallery.ids = std::sync::Arc::new(ids);
                    self.gallery.bytes = bytes;
                    self.gallery.reading_rest = !complete;
                    if complete {
                        self.view.complete = generation;
                        self.view.version = Some(version);
                        if version < self.snap.assets_version {
                            // Read before a change this window has heard of.
                            self.gallery.dirty = true;
                        }
                        let ids = self.gallery.ids.clone();
                        self.gallery.sel.retain_shown(&ids);
                        self.gallery.settle_reselect();
                    } else {
                        // The head shows; the rest is read once its rows are in.
                        self.view.rest_due = true;
                    }
                }
            }
            Reply::Rows { rows, generation } => self.rows.receive(rows, generation),
            Reply::Ahead { pictures, more } => self.on_ahead(pictures, more),
            Reply::Folders(folders) => self.watch_folders(folders),
            Reply::Later { .. } => {}
            Reply::Progress(p) => self.progress = Some(p),
            Reply::Imported(r) => {
                self.progress = None;
                let mut text = if r.stopped {
                    format!(
                        "Import cancelled: imported {}; the rest were left alone (import again to add them)",
                        items(r.imported.len())
                    )
                } else {
                    format!("Imported {}", items(r.imported.len()))
                };
                if !r.failed.is_empty() {
                    text.push_str(&format!(", {} failed", r.failed.len()));
                }
                if !r.already_imported.is_empty() {
                    text.push_str(&format!(
                        ", {} already in the library",
                        r.already_imported.len()
                    ));
                }
                self.say(text);
                if !r.in_trash.is_empty() || !r.failed.is_empty() || !r.warnings.is_empty() {
                    self.dialog = Some(Dialog::ImportResult(r));
                }
            }
            Reply::Trashed(r) => {
                self.last_undo = r.batch_id.map(Undo::Batch);
                let n = r.succeeded.len();
                if n > 0 {
                    // A collection is named with what it holds (rule 22); the snapshot is
                    // still the one from before the move.
                    let text = match r.succeeded.as_slice() {
                        [ItemId::Collection(c)] => match self.snap.collection_holding(*c) {
                            Some((name, _, inside)) => {
                                format!("Moved \"{name}\" ({}) to Trash", items(inside))
                            }
                            None => format!("Moved {} to Trash", items(n)),
                        },
                        _ => format!("Moved {} to Trash", items(n)),
                    };
                    self.toast = Some(Toast {
                        text,
                        undo: r.batch_id.map(Undo::Batch),
                        until: self.now + 6.0,
                    });
                }
                self.gallery.sel.clear();
                self.report_problems("Move to Trash", &r);
            }
            Reply::DeletedNow(r) | Reply::Deleted(r) | Reply::Emptied(r) => {
                self.trash.sel.clear();
                self.gallery.sel.clear();
                self.say(format!(
                    "Deleted {} permanently, freed {}",
                    items(r.succeeded.len()),
                    human_size(r.freed_bytes)
                ));
                self.report_problems("Delete permanently", &r);
            }
            Reply::Culled {
                change,
                items: asked,
                undoing,
                culled,
            } => {
                if undoing {
                    self.say(format!("Undone: {}", items(asked)));
                } else if let Some(change) = change {
                    self.last_undo = Some(Undo::Cull(culled.undo.clone()));
                    self.toast = Some(Toast {
                        text: culled_text(&change, asked),
                        undo: Some(Undo::Cull(culled.undo)),
                        until: self.now + 6.0,
                    });
                }
            }
            Reply::Moved(r) => {
                self.say(format!("Moved {}", items(r.succeeded.len())));
                self.report_problems("Move", &r);
            }
            Reply::Restored { id, opts, result } => match result {
                Ok(()) => {
                    self.trash.sel.clear();
                    let text = format!(
                        "Restored {}{}",
                        self.restored_name(id),
                        self.still_missing(&[id])
                    );
                    self.say(text);
                    if matches!(
                        self.dialog,
                        Some(Dialog::RenameRestore { .. } | Dialog::PickLocation { .. })
                    ) {
                        self.dialog = None;
                    }
                }
                Err(RestoreError::NameConflict {
                    message,
                    suggestion,
                }) => {
                    self.dialog = Some(Dialog::RenameRestore {
                        id,
                        message,
                        name: suggestion,
                        opts: RestoreOptions {
                            rename: None,
                            ..opts
                        },
                    });
                }
                Err(RestoreError::LostLocation { message, folder }) => {
                    self.dialog = Some(Dialog::PickLocation {
                        ids: vec![id],
                        message,
                        folder,
                        choice: None,
                    });
                }
                Err(RestoreError::Other(reason)) => {
                    self.dialog = Some(Dialog::Message {
                        title: "Restore failed".into(),
                        text: reason,
                    });
                }
            },
            Reply::RestoredMany(r) => {
                self.trash.sel.clear();
                let missing = self.still_missing(&r.succeeded);
                let what = match r.succeeded.as_slice() {
                    [one] => self.restored_name(*one),
                    _ => items(r.succeeded.len()),
                };
                self.say(format!("Restored {what}{missing}"));
                if r.failed.len() == 1 && r.succeeded.is_empty() {
                    // One item that needs a decision: ask the way a single restore does.
                    self.handle.send(Job::Restore {
                        id: r.failed[0].id,
                        opts: RestoreOptions::default(),
                    });
                } else {
                    self.report_problems("Restore", &r);
                }
            }
            Reply::Swept(s) => {
                if let Some(why) = s.held {
                    self.say(format!("Automatic purging paused: {why}"));
                } else if s.purged > 0 {
                    self.say(format!(
                        "Sweep purged {} expired from the Trash, freed {}",
                        items(s.purged),
                        human_size(s.freed_bytes)
                    ));
                }
            }
            Reply::Checked(c, followed) => {
                let mut parts = Vec::new();
                match followed.joined.as_slice() {
                    [] => {}
                    [one] => parts.push(format!(
                        "\"{one}\" appeared in a folder Shoebox follows and joined the library"
                    )),
                    many => parts.push(format!(
                        "{} appeared in folders Shoebox follows and joined the library",
                        items(many.len())
                    )),
                }
                match followed.renamed.as_slice() {
                    [] => {}
                    [(was, now)] if was == now => {
                        parts.push(format!("\"{was}\" was moved outside Shoebox: followed"));
                    }
                    [(was, now)] => parts.push(format!(
                        "\"{was}\" was renamed outside Shoebox to \"{now}\": followed"
                    )),
                    many => parts.push(format!(
                        "{} were renamed or moved outside Shoebox: followed",
                        items(many.len())
                    )),
                }
                {
                    match c.changed.as_slice() {
                        [] => {}
                        [one] => parts.push(format!(
                            "\"{one}\" changed outside Shoebox: showing its new version"
                        )),
                        many => parts.push(format!(
                            "{} changed outside Shoebox: showing their new versions",
                            items(many.len())
                        )),
                    }
                    match c.unreadable_xmp.as_slice() {
                        [] => {}
                        [(name, why)] => parts.push(format!(
                            "the XMP of \"{name}\" changed and can't be read ({why}): it keeps what it had"
                        )),
                        many => parts.push(format!(
                            "the XMP of {} changed and can't be read: they keep what they had",
                            items(many.len())
                        )),
                    }
                    if c.missing > 0 {
                        parts.push(format!("{} missing from disk", items(c.missing)));
                    }
                    if c.offline > 0 {
                        parts.push(format!(
                            "{} offline (folder or drive unreachable)",
                            items(c.offline)
                        ));
                    }
                }
                if !parts.is_empty() {
                    self.say(parts.join("; "));
                }
            }
            Reply::ExpiredCount {
                retention_days,
                count,
            } => {
                if let Some(Dialog::Settings {
                    retention_days: d,
                    purge_preview,
                    ..
                }) = &mut self.dialog
                    && *d == retention_days
                {
                    *purge_preview = Some(count);
                }
            }
            Reply::Unwritten(unwritten) => {
                let sidecars = match unwritten.len() {
                    1 => "this XMP sidecar".to_string(),
                    n => format!("{n} XMP sidecars"),
                };
                let mut text = format!(
                    "Shoebox couldn't write ratings, labels and keywords into {sidecars}; \
                     the library keeps what the items were given.\n"
                );
                for u in unwritten.iter().take(20) {
                    text.push_str(&format!("\n{}: {}", u.path.display(), u.reason));
                }
                if unwritten.len() > 20 {
                    text.push_str(&format!("\n… and {} more", unwritten.len() - 20));
                }
                self.dialog = Some(Dialog::Message {
                    title: "XMP sidecars not written".into(),
                    text,
                });
            }
            Reply::Failed { what, error } => {
                self.progress = None;
                self.dialog = Some(Dialog::Message {
                    title: format!("{what} failed"),
                    text: error.to_string(),
                });
            }
            Reply::Done => {}
        }
    }

    /// Shows per-item failures of a bulk action; never claims success for nothing.
    fn report_problems(&mut self, what: &str, r: &BulkReport) {
        if r.failed.is_empty() && r.skipped.is_empty() {
            return;
        }
        let mut text = format!("{}.\n", r.summary(&format!("{what}:")));
        for f in r.failed.iter().take(20) {
            text.push_str(&format!("\nFailed {}: {}", self.describe(&f.id), f.problem));
        }
        for s in r.skipped.iter().take(20) {
            text.push_str(&format!(
                "\nSkipped {}: {}",
                self.describe(&s.id),
                s.problem
            ));
        }
        let title = format!("{what}: not everything went");
        self.dialog = Some(Dialog::Message { title, text });
    }

    fn describe(&self, item: &ItemId) -> String {
        let item = *item;
        self.rows
            .peek(item)
            .map(|a| format!("\"{}\"", a.name))
            .or_else(|| {
                self.snap
                    .trash_items()
                    .find(|(_, e)| e.id == item)
                    .map(|(_, e)| format!("\"{}\"", e.name))
            })
            .unwrap_or_else(|| item.to_string())
    }

    /// Recomputes what each tab shows after a change of data, filter or sort.
    fn refresh_shown(&mut self) {
        if self.gallery.dirty {
            self.gallery.dirty = false;
            // Answered by the library thread; until then the view shows what it showed.
            // A new view (another search, sort or collection) comes head first, so its
            // first rows show at once; the same view read again after a change comes
            // whole, where the user is in it kept.
            // What does not parse is said by the search box; the view stays as it was.
            self.gallery.search_error = crate::library::Search::parse(&self.gallery.search).err();
            if self.gallery.search_error.is_some() {
                return self.refresh_trash();
            }
            let query = crate::library::GalleryQuery {
                collection: self.collection,
                search: self.gallery.search.clone(),
                sort: self.prefs.sort,
                // Groups show in the grid only.
                group: match self.prefs.view {
                    ViewMode::Grid => self.prefs.group,
                    ViewMode::List => crate::library::Grouping::None,
                },
            };
            let limit = (self.view.query.as_ref() != Some(&query)).then_some(VIEW_HEAD);
            self.view.generation += 1;
            self.view.rest_due = false;
            self.view
                .wanted
                .store(self.view.generation, std::sync::atomic::Ordering::Relaxed);
            self.view.query = Some(query.clone());
            self.handle.send(Job::View {
                query,
                generation: self.view.generation,
                limit,
                wanted: self.view.wanted.clone(),
            });
        }
        self.refresh_trash();
    }

    fn refresh_trash(&mut self) {
        if self.trash.dirty {
            self.trash.dirty = false;
            // What does not parse is said by the search box; the list shows what it showed.
            let search = match crate::library::Search::parse(&self.trash.search) {
                Ok(search) => search,
                Err(e) => {
                    self.trash.search_error = Some(e);
                    return;
                }
            };
            self.trash.search_error = None;
            let mut entries = crate::gui::tabs::trash::listed(&self.snap, self.trash_open, &search);
            let key = self.prefs.trash_sort;
            entries.sort_by(|(_, a), (_, b)| crate::library::trash_order(a, b, key));
            if self.prefs.trash_reversed {
                entries.reverse();
            }
            if self.prefs.group_by_batch && self.trash_open.is_none() {
                entries.sort_by_key(|(_, e)| std::cmp::Reverse(e.batch_id));
            }
            self.trash.ids = std::sync::Arc::new(entries.iter().map(|(_, e)| e.id).collect());
            self.trash.bytes = entries.iter().map(|(_, e)| e.size).sum();
            self.trash.rows = entries.into_iter().map(|(i, _)| i).collect();
            let ids = self.trash.ids.clone();
            self.trash.sel.retain_shown(&ids);
        }
    }
}

/// The culling keys, as Lightroom's: 0-5 stars, P pick, X reject, U unflag, 6-9 labels.
fn cull_keys() -> Vec<(egui::Key, Cull)> {
    use egui::Key;
    let stars = [
        Key::Num0,
        Key::Num1,
        Key::Num2,
        Key::Num3,
        Key::Num4,
        Key::Num5,
    ];
    let mut keys: Vec<(Key, Cull)> = stars
        .into_iter()
        .zip(0..)
        .filter_map(|(key, n)| Some((key, Cull::Rate(Rating::new(n)?))))
        .collect();
    keys.extend([
        (Key::P, Cull::Flag(Flag::Pick)),
        (Key::X, Cull::Flag(Flag::Reject)),
        (Key::U, Cull::Flag(Flag::None)),
        (Key::Num6, Cull::Label(Some(Label::Red))),
        (Key::Num7, Cull::Label(Some(Label::Yellow))),
        (Key::Num8, Cull::Label(Some(Label::Green))),
        (Key::Num9, Cull::Label(Some(Label::Blue))),
    ]);
    keys
}

/// What the toast says of a change given to `n` items.
fn culled_text(change: &Cull, n: usize) -> String {
    let what = items(n);
    match change {
        Cull::Rate(r) if r.stars() == 0 => format!("Cleared the rating of {what}"),
        Cull::Rate(r) => format!(
            "Rated {what} {} {}",
            r.stars(),
            if r.stars() == 1 { "star" } else { "stars" }
        ),
        Cull::Flag(Flag::Pick) => format!("Picked {what}"),
        Cull::Flag(Flag::Reject) => format!("Rejected {what}"),
        Cull::Flag(Flag::None) => format!("Unflagged {what}"),
        Cull::Label(Some(l)) => format!("Labelled {what} {}", l.name()),
        Cull::Label(None) => format!("Took the label off {what}"),
        Cull::Tag(k) => format!("Tagged {what} \"{}\"", k.path()),
        Cull::Untag(k) => format!("Took \"{}\" off {what}", k.path()),
    }
}
