//! The app: state, the `logic` phase (replies, thumbnails, timers, keys), and the one
//! `match` that applies the commands the UI recorded while drawing.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::dialogs::Dialog;
use super::selection::Selection;
use super::textures::TextureCache;
use super::worker::{Job, LibraryHandle, Reply, RestoreError, Snapshot};
use crate::library::{
    BatchId, BulkReport, CollectionId, ImportOptions, ImportProgress, ItemId, Kind, Library,
    RestoreOptions, Sort, TrashSort, human_size, items,
};
use crate::thumbs::{Output, Request, THUMB_PX, ThumbService};

/// The two tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Tab {
    #[default]
    Gallery,
    Trash,
}

/// Grid of tiles or a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ViewMode {
    #[default]
    Grid,
    List,
}

/// What is remembered between launches (eframe remembers the window size).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub tab: Tab,
    pub view: ViewMode,
    pub thumb_size: f32,
    pub sort: Sort,
    pub trash_sort: TrashSort,
    /// The Trash's order turned around (each sort has its natural direction).
    pub trash_reversed: bool,
    pub group_by_batch: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            tab: Tab::Gallery,
            view: ViewMode::Grid,
            thumb_size: 140.0,
            sort: Sort::default(),
            trash_sort: TrashSort::default(),
            trash_reversed: false,
            group_by_batch: false,
        }
    }
}

/// What one tab shows: a filtered, sorted list of indices into the snapshot.
#[derive(Debug, Default)]
pub struct Shown {
    pub search: String,
    /// Indices into the snapshot's list, in display order.
    pub rows: Vec<usize>,
    /// The ids of `rows`, for selection.
    pub ids: Vec<ItemId>,
    pub dirty: bool,
    pub sel: Selection,
    /// The focus moved by a key this frame: the view scrolls to it.
    pub focus_moved: bool,
    /// Bytes of what is shown.
    pub bytes: u64,
}

/// The lightbox.
#[derive(Debug, Clone)]
pub struct Preview {
    pub tab: Tab,
    /// Position in the tab's shown list.
    pub pos: usize,
    pub fit: bool,
}

/// A short message at the bottom, maybe with Undo.
#[derive(Debug, Clone)]
pub struct Toast {
    pub text: String,
    pub undo_batch: Option<BatchId>,
    pub until: f64,
}

/// Everything the user can ask for; recorded while drawing, applied after.
#[derive(Debug, Clone)]
pub enum Command {
    SwitchTab(Tab),
    /// `None`: all items.
    ShowCollection(Option<CollectionId>),
    /// The Gallery's order (a click on a list header).
    SetSort(Sort),
    /// The Trash's order, and whether it is turned around.
    SetTrashSort(TrashSort, bool),
    Click {
        index: usize,
        toggle: bool,
        range: bool,
    },
    SelectAll,
    ClearSelection,
    OpenPreview(usize),
    /// Double-click, Enter: a trashed collection opens, anything else is previewed.
    Activate(usize),
    /// Show what a trashed collection holds (`None`: the Trash's entries).
    OpenTrashed(Option<CollectionId>),
    ClosePreview,
    PreviewStep(isize),
    /// Open the delete dialog (Delete key, Delete buttons).
    AskDelete(Vec<ItemId>),
    /// Open the irreversible warning (Shift+Delete, Trash's Delete permanently).
    AskDeletePermanently(Vec<ItemId>),
    MoveToTrash(Vec<ItemId>),
    /// Skip the Trash, confirmed.
    DeleteNow(Vec<ItemId>),
    Undo,
    Restore(Vec<ItemId>),
    /// Restore told how: a new name (one item) or a place for items whose place is lost.
    RestoreWith {
        ids: Vec<ItemId>,
        opts: RestoreOptions,
    },
    RestoreBatch(BatchId),
    /// From the Trash, confirmed.
    DeletePermanently(Vec<ItemId>),
    AskEmptyTrash,
    EmptyTrash,
    ImportFiles,
    ImportFolder,
    Import {
        paths: Vec<PathBuf>,
        allow_trash_duplicates: bool,
    },
    OpenSettings,
    CountExpired(i64),
    SaveSettings {
        retention_days: i64,
        sweep_interval_minutes: i64,
    },
    ConfirmClock,
    AskNewCollection(Option<CollectionId>),
    AskRenameCollection(CollectionId),
    CreateCollection {
        parent: Option<CollectionId>,
        name: String,
    },
    RenameCollection {
        id: CollectionId,
        name: String,
    },
    MoveCollection {
        id: CollectionId,
        parent: Option<CollectionId>,
    },
    MoveAssets {
        ids: Vec<ItemId>,
        to: Option<CollectionId>,
    },
    ExportCopy(PathBuf, String),
    /// Choose a folder for a restore whose place is lost.
    PickRestoreFolder,
    OpenExternally(PathBuf),
    CloseDialog,
    DismissToast,
}

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

/// The desktop app.
pub struct ShoeboxApp {
    pub(crate) handle: LibraryHandle,
    pub(crate) thumbs: Option<ThumbService>,
    pub(crate) textures: TextureCache,
    pub(crate) snap: Snapshot,
    pub(crate) loaded: bool,
    pub(crate) prefs: Prefs,
    pub(crate) collection: Option<CollectionId>,
    pub(crate) gallery: Shown,
    pub(crate) trash: Shown,
    /// The trashed collection whose contents the Trash shows (read-only); `None`: its entries.
    pub(crate) trash_open: Option<CollectionId>,
    /// Each trashed collection's cover picture (see `tabs::trash::covers`).
    pub(crate) trash_covers: std::collections::HashMap<CollectionId, usize>,
    pub(crate) dialog: Option<Dialog>,
    pub(crate) preview: Option<Preview>,
    pub(crate) toast: Option<Toast>,
    pub(crate) progress: Option<ImportProgress>,
    pub(crate) status: Option<String>,
    pub(crate) commands: Vec<Command>,
    pub(crate) last_batch: Option<BatchId>,
    /// The preferences as last saved; a difference wakes a frame so they are saved soon.
    pub(crate) saved_prefs: Prefs,
    /// The missing/offline check waits until the first frame with the library is drawn.
    check_files_next_frame: bool,
    check_files_due: bool,
    /// When the process started, until the first frame with the library is logged.
    pub(crate) started: Option<std::time::Instant>,
    last_sweep: Option<f64>,
    last_refresh: f64,
    now: f64,
    /// Items directly in each collection, for the tree.
    pub(crate) collection_counts: std::collections::HashMap<CollectionId, usize>,
    /// Content hashes already handed to the thumbnail service to be made ahead.
    made_ahead: HashSet<String>,
    /// File dialogs and exports, off the UI thread.
    pickers: super::pickers::Pickers,
    /// Changes made to the files outside Shoebox.
    watch: super::watch::FileWatch,
    /// The library's folder.
    root: PathBuf,
    /// When a change outside was noticed, until the check it asks for is sent.
    changed_outside_at: Option<f64>,
    last_check: f64,
    /// When the last thumbnail or preview arrived (seconds of the UI clock), until the
    /// textures have settled after it.
    pictures_arrived_at: Option<f64>,
    /// When to hand the memory of released textures back to the system.
    return_memory_at: Option<f64>,
}

impl ShoeboxApp {
    /// The app on a library; `threaded` runs the library on its own thread (the real app)
    /// or inline (tests).
    pub fn new(
        lib: Library,
        ctx: &egui::Context,
        prefs: Prefs,
        threaded: bool,
    ) -> anyhow::Result<Self> {
        let root = lib.root().to_path_buf();
        let wake_ctx = ctx.clone();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || wake_ctx.request_repaint());
        let wake_watch = wake.clone();
        let (handle, thumbs) = if threaded {
            let isolation = match std::env::current_exe() {
                Ok(exe) => crate::thumbs::Isolation::Helper(crate::thumbs::Helpers::new(exe)),
                Err(_) => crate::thumbs::Isolation::InProcess,
            };
            let thumbs = ThumbService::start(
                root.join(crate::library::THUMBS_DIR),
                2,
                isolation,
                wake.clone(),
            );
            (LibraryHandle::spawn(lib, wake)?, Some(thumbs))
        } else {
            (LibraryHandle::inline(lib), None)
        };
        let mut app = ShoeboxApp {
            handle,
            thumbs,
            textures: TextureCache::new(super::textures::TEXTURE_BUDGET_BYTES),
            snap: Snapshot::default(),
            loaded: false,
            prefs: prefs.clone(),
            collection: None,
            gallery: Shown::default(),
            trash: Shown::default(),
            trash_open: None,
            trash_covers: std::collections::HashMap::new(),
            dialog: None,
            preview: None,
            toast: None,
            progress: None,
            status: None,
            commands: Vec::new(),
            last_batch: None,
            saved_prefs: prefs.clone(),
            started: None,
            check_files_next_frame: false,
            check_files_due: false,
            last_sweep: None,
            last_refresh: 0.0,
            now: 0.0,
            collection_counts: std::collections::HashMap::new(),
            made_ahead: HashSet::new(),
            watch: super::watch::FileWatch::new(wake_watch.clone()),
            pickers: super::pickers::Pickers::new(wake_watch),
            root: root.clone(),
            changed_outside_at: None,
            last_check: 0.0,
            pictures_arrived_at: None,
            return_memory_at: None,
        };
        app.handle.send(Job::Refresh);
        Ok(app)
    }

    /// Hands every picture not handed over yet (new after an import, or all of them at
    /// open) to the thumbnail service, which makes those not in the cache in the
    /// background, behind the tiles on screen.
    fn make_thumbnails_ahead(&mut self) {
        let Some(thumbs) = &self.thumbs else {
            return;
        };
        let gallery =
            self.snap.assets.iter().filter_map(|a| {
                (!a.missing && !a.offline).then_some((a.asset_kind, &a.hash, &a.path))
            });
        let trash = self
            .snap
            .trash_items()
            .filter_map(|(_, e)| Some((e.asset_kind?, e.hash.as_ref()?, e.trash_path.as_ref()?)));
        let mut reqs = Vec::new();
        for (kind, hash, path) in gallery.chain(trash) {
            if matches!(kind, Kind::Image | Kind::Video) && self.made_ahead.insert(hash.clone()) {
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

    /// What a file dialog or an export came back with.
    fn on_picked(&mut self, picked: super::pickers::Picked) {
        use super::pickers::Picked;
        match picked {
            Picked::ImportFiles(Some(paths)) | Picked::ImportFolders(Some(paths)) => {
                self.start_import(paths, false)
            }
            Picked::ImportFiles(None) | Picked::ImportFolders(None) => {
                self.status = Some(NO_PICKER.into())
            }
            Picked::ExportTo {
                from,
                dest: Some(dest),
            } => {
                self.status = Some(format!("Exporting a copy to {}…", dest.display()));
                self.pickers.export_copy(from, dest);
            }
            Picked::ExportTo { dest: None, .. } => self.status = Some(NO_EXPORT_PICKER.into()),
            Picked::Exported(Ok(dest)) => {
                self.status = Some(format!("Exported a copy to {}", dest.display()))
            }
            Picked::Exported(Err(text)) => {
                self.dialog = Some(Dialog::Message {
                    title: "Export failed".into(),
                    text,
                })
            }
            Picked::RestoreFolder(dir) => match (&mut self.dialog, dir) {
                (Some(Dialog::PickLocation { choice, .. }), Some(dir)) => {
                    *choice = Some(super::dialogs::LocationChoice::Folder(dir));
                }
                (_, None) => self.status = Some(NO_PICKER.into()),
                _ => {}
            },
        }
    }

    /// Watches `media/` and every folder holding in-place items.
    fn watch_folders(&mut self) {
        let mut wanted = std::collections::BTreeSet::new();
        wanted.insert((self.root.join(crate::library::MEDIA_DIR), true));
        for a in self.snap.assets.iter().filter(|a| a.in_place) {
            if let Some(dir) = a.path.parent() {
                wanted.insert((dir.to_path_buf(), false));
            }
        }
        self.watch.watch(wanted);
    }

    /// Asks for the missing/offline check a second after files changed outside Shoebox
    /// (or every minute where they cannot be watched).
    fn check_for_changes_outside(&mut self, ctx: &egui::Context) {
        if !self.loaded {
            return;
        }
        if self.watch.take_changed() && self.changed_outside_at.is_none() {
            self.changed_outside_at = Some(self.now);
        }
        let timer_due = !self.watch.is_watching() && self.now - self.last_check >= 60.0;
        match self.changed_outside_at {
            Some(at) if self.now - at >= 1.0 => {
                self.changed_outside_at = None;
                self.last_check = self.now;
                self.handle.send(Job::CheckFiles);
            }
            Some(at) => ctx
                .request_repaint_after(std::time::Duration::from_secs_f64(1.05 - (self.now - at))),
            None if timer_due => {
                self.last_check = self.now;
                self.handle.send(Job::CheckFiles);
            }
            None => {}
        }
    }

    /// Runs every frame before drawing: replies, thumbnails, timers, dropped files, keys.
    pub fn logic(&mut self, ctx: &egui::Context) {
        self.now = ctx.input(|i| i.time);
        if std::mem::take(&mut self.check_files_due) {
            self.handle.send(Job::CheckFiles);
        }
        if std::mem::take(&mut self.check_files_next_frame) {
            self.check_files_due = true;
            ctx.request_repaint();
        }
        for reply in self.handle.poll() {
            self.on_reply(reply);
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
                self.pictures_arrived_at = Some(self.now);
            }
            if !outputs.is_empty() {
                self.textures.receive(ctx, outputs);
            }
        }
        // Two seconds after the last picture arrived the screen has settled: what it does
        // not show is released, and half a second later (the renderer frees textures at
        // the end of a frame) the memory goes back to the system.
        if let Some(at) = self.pictures_arrived_at {
            let quiet = self.now - at;
            if quiet >= SETTLE_SECONDS {
                if self.textures.settle() {
                    self.return_memory_at = Some(self.now + 0.5);
                }
                self.pictures_arrived_at = None;
            }
        }
        if let Some(at) = self.return_memory_at
            && self.now >= at
        {
            super::textures::return_freed_memory();
            self.return_memory_at = None;
        }
        let next = [
            self.pictures_arrived_at.map(|t| t + SETTLE_SECONDS),
            self.return_memory_at,
        ];
        if let Some(due) = next.into_iter().flatten().reduce(f64::min) {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                (due - self.now).max(0.0) + 0.05,
            ));
        }
        self.textures.begin_frame();
        // The sweep: at startup, then on the library's timer.
        if self.loaded {
            let interval = self.snap.sweep_interval_minutes.max(1) as f64 * 60.0;
            let due = self.last_sweep.is_none_or(|t| self.now - t >= interval);
            if due {
                self.last_sweep = Some(self.now);
                self.handle.send(Job::Sweep);
            }
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(interval.min(60.0)));
            // Days left move on with the clock.
            if self.now - self.last_refresh >= 60.0 {
                self.last_refresh = self.now;
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
            self.commands.push(Command::Import {
                paths: dropped,
                allow_trash_duplicates: false,
            });
        }
        if self.prefs != self.saved_prefs {
            // An idle window draws no frames; wake one so eframe's auto-save runs.
            ctx.request_repaint_after(PREFS_SAVE_DELAY);
        }
        self.keyboard(ctx);
        self.refresh_shown();
    }

    fn keyboard(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() || self.dialog.is_some() {
            return;
        }
        use egui::{Key, Modifiers};
        let (tab_ids, sel) = match self.prefs.tab {
            Tab::Gallery => (self.gallery.ids.clone(), self.gallery.sel.selected()),
            Tab::Trash => (self.trash.ids.clone(), self.trash.sel.selected()),
        };
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
                let per_row = ((view.width() - 220.0) / (self.prefs.thumb_size + 8.0))
                    .floor()
                    .max(1.0) as isize;
                // A page: the rows that fit between the toolbars and the status line.
                let (step, row_h) = if self.prefs.view == ViewMode::Grid {
                    (per_row, self.prefs.thumb_size + 40.0)
                } else {
                    (1, 30.0)
                };
                let page = ((view.height() - 200.0) / row_h).floor().max(1.0) as isize * step;
                let all = tab_ids.len() as isize;
                for (key, delta) in [
                    (Key::ArrowRight, 1),
                    (Key::ArrowLeft, -1),
                    (Key::ArrowDown, step),
                    (Key::ArrowUp, -step),
                    (Key::PageDown, page),
                    (Key::PageUp, -page),
                    (Key::End, all),
                    (Key::Home, -all),
                ] {
                    if i.consume_key(Modifiers::NONE, key) {
                        let shown = match self.prefs.tab {
                            Tab::Gallery => &mut self.gallery,
                            Tab::Trash => &mut self.trash,
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

    fn on_reply(&mut self, reply: Reply) {
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
                if first {
                    // After the first frame is drawn: the check is background work.
                    self.check_files_next_frame = true;
                }
                self.gallery.dirty = true;
                self.trash.dirty = true;
                self.make_thumbnails_ahead();
                self.watch_folders();
                self.trash_covers = super::tabs::trash::covers(&self.snap);
                self.collection_counts.clear();
                for a in self.snap.assets.iter() {
                    if let Some(c) = a.collection_id {
                        *self.collection_counts.entry(c).or_default() += 1;
                    }
                }
                // A file that came back may have failed to show while it was gone.
                self.textures.forget_failures();
                if first && let Some(why) = &self.snap.clock_hold {
                    self.status = Some(format!("Automatic purging paused: {why}"));
                }
            }
            Reply::Progress(p) => self.progress = Some(p),
            Reply::Imported(r) => {
                self.progress = None;
                let mut text = format!("Imported {}", items(r.imported.len()));
                if !r.failed.is_empty() {
                    text.push_str(&format!(", {} failed", r.failed.len()));
                }
                if !r.already_imported.is_empty() {
                    text.push_str(&format!(
                        ", {} already in the library",
                        r.already_imported.len()
                    ));
                }
                self.status = Some(text);
                if !r.in_trash.is_empty() || !r.failed.is_empty() || !r.warnings.is_empty() {
                    self.dialog = Some(Dialog::ImportResult(r));
                }
            }
            Reply::Trashed(r) => {
                self.last_batch = r.batch_id;
                let n = r.succeeded.len();
                if n > 0 {
                    self.toast = Some(Toast {
                        text: format!("Moved {} to Trash", items(n)),
                        undo_batch: r.batch_id,
                        until: self.now + 6.0,
                    });
                }
                self.gallery.sel.clear();
                self.report_problems("Move to Trash", &r);
            }
            Reply::DeletedNow(r) | Reply::Deleted(r) | Reply::Emptied(r) => {
                self.trash.sel.clear();
                self.gallery.sel.clear();
                self.status = Some(format!(
                    "Deleted {} permanently, freed {}",
                    items(r.succeeded.len()),
                    human_size(r.freed_bytes)
                ));
                self.report_problems("Delete permanently", &r);
            }
            Reply::Moved(r) => {
                self.status = Some(format!("Moved {}", items(r.succeeded.len())));
                self.report_problems("Move", &r);
            }
            Reply::Restored { id, opts, result } => match result {
                Ok(()) => {
                    self.trash.sel.clear();
                    self.status = Some("Restored 1 item".into());
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
                self.status = Some(format!("Restored {}", items(r.succeeded.len())));
                if r.failed.len() == 1 && r.succeeded.is_empty() {
                    // One item that needs a decision: ask the way a single restore does.
                    if let Ok(id) = r.failed[0].id.parse::<ItemId>() {
                        self.handle.send(Job::Restore {
                            id,
                            opts: RestoreOptions::default(),
                        });
                    }
                } else {
                    self.report_problems("Restore", &r);
                }
            }
            Reply::Swept(s) => {
                if let Some(why) = s.held {
                    self.status = Some(format!("Automatic purging paused: {why}"));
                } else if s.purged > 0 {
                    self.status = Some(format!(
                        "Sweep purged {} expired from the Trash, freed {}",
                        items(s.purged),
                        human_size(s.freed_bytes)
                    ));
                }
            }
            Reply::Checked(c) => {
                if c.missing + c.offline > 0 {
                    let mut parts = Vec::new();
                    if c.missing > 0 {
                        parts.push(format!("{} missing from disk", items(c.missing)));
                    }
                    if c.offline > 0 {
                        parts.push(format!(
                            "{} offline (folder or drive unreachable)",
                            items(c.offline)
                        ));
                    }
                    self.status = Some(parts.join(", "));
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
            Reply::Failed { what, message } => {
                self.progress = None;
                self.dialog = Some(Dialog::Message {
                    title: format!("{what} failed"),
                    text: message,
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
            text.push_str(&format!("\nFailed {}: {}", self.describe(&f.id), f.reason));
        }
        for s in r.skipped.iter().take(20) {
            text.push_str(&format!("\nSkipped {}: {}", self.describe(&s.id), s.reason));
        }
        let title = format!("{what}: not everything went");
        self.dialog = Some(Dialog::Message { title, text });
    }

    fn describe(&self, id: &str) -> String {
        let Ok(item) = id.parse::<ItemId>() else {
            return id.to_string();
        };
        self.snap
            .assets
            .iter()
            .find(|a| a.id == item)
            .map(|a| format!("\"{}\"", a.name))
            .or_else(|| {
                self.snap
                    .trash_items()
                    .find(|(_, e)| e.id == item)
                    .map(|(_, e)| format!("\"{}\"", e.name))
            })
            .unwrap_or_else(|| id.to_string())
    }

    /// Recomputes what each tab shows after a change of data, filter or sort.
    fn refresh_shown(&mut self) {
        if self.gallery.dirty {
            self.gallery.dirty = false;
            let needle = self.gallery.search.to_lowercase();
            let mut rows: Vec<usize> = self
                .snap
                .assets
                .iter()
                .enumerate()
                .filter(|(_, a)| self.collection.is_none() || a.collection_id == self.collection)
                .filter(|(_, a)| needle.is_empty() || a.name.to_lowercase().contains(&needle))
                .map(|(i, _)| i)
                .collect();
            let assets = &self.snap.assets;
            let sort = self.prefs.sort;
            // Keys computed once per item, not once per comparison.
            rows.sort_by_cached_key(|&i| crate::library::asset_sort_key(&assets[i], sort.key));
            if sort.descending {
                rows.reverse();
            }
            self.gallery.ids = rows.iter().map(|&i| assets[i].id).collect();
            self.gallery.bytes = rows.iter().map(|&i| assets[i].size).sum();
            self.gallery.rows = rows;
            let ids = self.gallery.ids.clone();
            self.gallery.sel.retain_shown(&ids);
        }
        if self.trash.dirty {
            self.trash.dirty = false;
            let needle = self.trash.search.to_lowercase();
            let mut entries = super::tabs::trash::listed(&self.snap, self.trash_open, &needle);
            let key = self.prefs.trash_sort;
            entries.sort_by(|(_, a), (_, b)| crate::library::trash_order(a, b, key));
            if self.prefs.trash_reversed {
                entries.reverse();
            }
            if self.prefs.group_by_batch && self.trash_open.is_none() {
                entries.sort_by_key(|(_, e)| std::cmp::Reverse(e.batch_id));
            }
            self.trash.ids = entries.iter().map(|(_, e)| e.id).collect();
            self.trash.bytes = entries.iter().map(|(_, e)| e.size).sum();
            self.trash.rows = entries.into_iter().map(|(i, _)| i).collect();
            let ids = self.trash.ids.clone();
            self.trash.sel.retain_shown(&ids);
        }
    }

    /// Applies the commands recorded this frame.
    pub fn apply_commands(&mut self) {
        for cmd in std::mem::take(&mut self.commands) {
            self.apply(cmd);
        }
    }

    fn shown_mut(&mut self) -> &mut Shown {
        match self.prefs.tab {
            Tab::Gallery => &mut self.gallery,
            Tab::Trash => &mut self.trash,
        }
    }

    fn apply(&mut self, cmd: Command) {
        match cmd {
            Command::SwitchTab(tab) => {
                if self.prefs.tab != tab {
                    self.prefs.tab = tab;
                    self.preview = None;
                    self.handle.send(Job::Refresh);
                }
            }
            Command::SetSort(sort) => {
                self.prefs.sort = sort;
                self.gallery.dirty = true;
            }
            Command::SetTrashSort(key, reversed) => {
                self.prefs.trash_sort = key;
                self.prefs.trash_reversed = reversed;
                self.trash.dirty = true;
            }
            Command::ShowCollection(c) => {
                self.collection = c;
                self.gallery.dirty = true;
                self.gallery.sel.clear();
            }
            Command::Click {
                index,
                toggle,
                range,
            } => {
                let shown = self.shown_mut();
                let ids = shown.ids.clone();
                shown.sel.click(&ids, index, toggle, range);
            }
            Command::SelectAll => {
                let shown = self.shown_mut();
                let ids = shown.ids.clone();
                shown.sel.select_all(&ids);
            }
            Command::ClearSelection => self.shown_mut().sel.clear(),
            Command::OpenPreview(pos) => {
                self.preview = Some(Preview {
                    tab: self.prefs.tab,
                    pos,
                    fit: true,
                });
                let shown = self.shown_mut();
                let ids = shown.ids.clone();
                shown.sel.click(&ids, pos, false, false);
            }
            Command::Activate(pos) => {
                let collection = match self.prefs.tab {
                    Tab::Trash => self
                        .trash
                        .rows
                        .get(pos)
                        .and_then(|&row| self.snap.trash_item(row))
                        .and_then(|e| e.id.collection()),
                    Tab::Gallery => None,
                };
                match collection {
                    Some(c) => self.apply(Command::OpenTrashed(Some(c))),
                    None => self.apply(Command::OpenPreview(pos)),
                }
            }
            Command::OpenTrashed(c) => {
                self.trash_open = c;
                self.trash.sel.clear();
                self.trash.dirty = true;
                self.preview = None;
            }
            Command::ClosePreview => self.preview = None,
            Command::PreviewStep(delta) => {
                let len = self.shown_mut().ids.len();
                if let Some(p) = &mut self.preview
                    && len > 0
                {
                    p.pos = (p.pos as isize + delta).clamp(0, len as isize - 1) as usize;
                    let pos = p.pos;
                    let shown = self.shown_mut();
                    let ids = shown.ids.clone();
                    shown.sel.click(&ids, pos, false, false);
                }
            }
            Command::AskDelete(ids) => {
                if !ids.is_empty() {
                    self.dialog = Some(Dialog::Delete {
                        ids,
                        permanent: false,
                    });
                }
            }
            Command::AskDeletePermanently(ids) => {
                if !ids.is_empty() {
                    let from_trash = self.prefs.tab == Tab::Trash;
                    self.dialog = Some(Dialog::Irreversible { ids, from_trash });
                }
            }
            Command::MoveToTrash(ids) => {
                self.dialog = None;
                // An open preview stays: it shows the next item once this one has gone.
                self.handle.send(Job::Trash(ids));
            }
            Command::DeleteNow(ids) => {
                self.dialog = None;
                // An open preview stays: it shows the next item once this one has gone.
                self.handle.send(Job::DeleteNow(ids));
            }
            Command::Undo => {
                if let Some(b) = self
                    .toast
                    .as_ref()
                    .and_then(|t| t.undo_batch)
                    .or(self.last_batch)
                {
                    self.toast = None;
                    self.last_batch = None;
                    self.handle.send(Job::RestoreBatch(b));
                }
            }
            Command::Restore(ids) => {
                // Several items from inside trashed collections have lost their place (their
                // collection is in the Trash): where they go is asked once, for all of them.
                let inside: HashSet<ItemId> = self
                    .snap
                    .trash_inside
                    .iter()
                    .filter(|e| e.asset_kind.is_some())
                    .map(|e| e.id)
                    .collect();
                let (lost, mut rest): (Vec<ItemId>, Vec<ItemId>) =
                    ids.into_iter().partition(|id| inside.contains(id));
                if lost.len() > 1 {
                    self.dialog = Some(Dialog::PickLocation {
                        message: format!(
                            "These {} went to the Trash with their collection, which is still there.",
                            items(lost.len())
                        ),
                        ids: lost,
                        folder: false,
                        choice: None,
                    });
                } else {
                    rest.extend(lost);
                }
                // An open preview stays: it shows the next item once this one has gone.
                match rest.as_slice() {
                    [] => {}
                    [id] => self.handle.send(Job::Restore {
                        id: *id,
                        opts: RestoreOptions::default(),
                    }),
                    _ => self.handle.send(Job::RestoreMany(rest)),
                }
            }
            Command::RestoreWith { ids, opts } => match ids.as_slice() {
                [id] => self.handle.send(Job::Restore { id: *id, opts }),
                _ => {
                    self.dialog = None;
                    self.handle.send(Job::RestoreManyWith { ids, opts });
                }
            },
            Command::RestoreBatch(b) => self.handle.send(Job::RestoreBatch(b)),
            Command::DeletePermanently(ids) => {
                self.dialog = None;
                // An open preview stays: it shows the next item once this one has gone.
                self.handle.send(Job::DeletePermanently(ids));
            }
            Command::AskEmptyTrash => {
                let count = self.snap.trash.len();
                if count > 0 {
                    self.dialog = Some(Dialog::EmptyTrash { count });
                }
            }
            Command::EmptyTrash => {
                self.dialog = None;
                self.handle.send(Job::EmptyTrash);
            }
            Command::ImportFiles => self.pickers.import_files(),
            Command::ImportFolder => self.pickers.import_folders(),
            Command::PickRestoreFolder => self.pickers.restore_folder(),
            Command::Import {
                paths,
                allow_trash_duplicates,
            } => {
                self.dialog = None;
                self.start_import(paths, allow_trash_duplicates);
            }
            Command::OpenSettings => {
                self.dialog = Some(Dialog::Settings {
                    retention_days: self.snap.retention_days,
                    sweep_interval_minutes: self.snap.sweep_interval_minutes,
                    purge_preview: None,
                });
            }
            Command::CountExpired(days) => self.handle.send(Job::CountExpired(days)),
            Command::SaveSettings {
                retention_days,
                sweep_interval_minutes,
            } => {
                self.dialog = None;
                self.handle.send(Job::SaveSettings {
                    retention_days,
                    sweep_interval_minutes,
                });
            }
            Command::ConfirmClock => {
                self.handle.send(Job::ConfirmClock);
                self.last_sweep = None;
            }
            Command::AskNewCollection(parent) => {
                self.dialog = Some(Dialog::CollectionName {
                    id: None,
                    parent,
                    name: String::new(),
                });
            }
            Command::AskRenameCollection(id) => {
                let name = self
                    .snap
                    .collections
                    .iter()
                    .find(|c| c.id == ItemId::Collection(id))
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                self.dialog = Some(Dialog::CollectionName {
                    id: Some(id),
                    parent: None,
                    name,
                });
            }
            Command::CreateCollection { parent, name } => {
                self.dialog = None;
                self.handle.send(Job::CreateCollection { parent, name });
            }
            Command::RenameCollection { id, name } => {
                self.dialog = None;
                self.handle.send(Job::RenameCollection { id, name });
            }
            Command::MoveCollection { id, parent } => {
                self.handle.send(Job::MoveCollection { id, parent })
            }
            Command::MoveAssets { ids, to } => self.handle.send(Job::MoveAssets { ids, to }),
            Command::ExportCopy(path, name) => self.pickers.export_to(path, name),
            Command::OpenExternally(path) => {
                if let Err(e) = open_externally(&path) {
                    self.dialog = Some(Dialog::Message {
                        title: "Could not open".into(),
                        text: format!("{e}: {}", path.display()),
                    });
                }
            }
            Command::CloseDialog => self.dialog = None,
            Command::DismissToast => self.toast = None,
        }
    }

    fn start_import(&mut self, paths: Vec<PathBuf>, allow_trash_duplicates: bool) {
        if paths.is_empty() {
            return;
        }
        let into = if self.prefs.tab == Tab::Gallery {
            self.collection
        } else {
            None
        };
        self.progress = Some(ImportProgress {
            done: 0,
            total: 0,
            current: String::new(),
        });
        self.handle.send(Job::Import {
            paths,
            opts: ImportOptions {
                into,
                allow_trash_duplicates,
                ..Default::default()
            },
        });
    }

    /// Handles a reply as if the library thread had sent it (benchmarks feed snapshots).
    pub fn receive(&mut self, reply: Reply) {
        self.on_reply(reply);
    }

    /// Sends a job to the library (as the UI does).
    pub fn send(&mut self, job: Job) {
        self.handle.send(job);
    }

    /// Whether the library thread is working.
    pub fn is_busy(&self) -> bool {
        self.handle.is_busy()
    }
}

/// How soon changed preferences are saved (eframe's auto-save interval).
pub const PREFS_SAVE_DELAY: std::time::Duration = std::time::Duration::from_secs(5);

/// What the status line says when no file dialog came back.
/// When "Export a copy…" got no destination.
pub const NO_EXPORT_PICKER: &str = "No copy was made (if no dialog appeared, this system has no file picker: install zenity or a desktop portal)";
pub const NO_PICKER: &str = "No file was chosen (if no dialog appeared, this system has no file picker: drag files onto the window instead)";

/// Opens a file in the system's default program (e.g. a video player).
fn open_externally(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(target_os = "macos")]
    let mut cmd = std::process::Command::new("open");
    #[cfg(target_os = "windows")]
    let mut cmd = {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    };
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    let mut cmd = std::process::Command::new("xdg-open");
    cmd.arg(path).spawn().map(|_| ())
}
