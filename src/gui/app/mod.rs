//! The app: its state ([`ShoeboxApp`]), the `logic` phase before drawing ([`logic`]: replies,
//! thumbnails, timers, keys), and the phase after it ([`command_handling`]: the one `match`
//! that applies what the user asked for while the window was drawn).

mod command_handling;
mod logic;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use super::command::Command;
use super::state::{Prefs, Preview, Shown, Toast, Undo};
use super::worker::{Job, LibraryHandle, Reply, Snapshot};
use crate::gui::dialogs::Dialog;
use crate::gui::textures::TextureCache;
use crate::gui::view::{Acts, Pictures, View};
use crate::library::{CollectionId, ImportProgress, Library};
use crate::thumbs::ThumbService;

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
    /// How the last import was asked for ("Import anyway" imports the same way), and the
    /// switch that stops it.
    last_import: crate::library::ImportOptions,
    /// A message on the status line, and the time (egui's clock) it goes away.
    pub(crate) status: Option<(String, f64)>,
    /// Physical pixels per point of the window's screen (2 on a HiDPI screen).
    pub(crate) pixels_per_point: f32,
    pub(crate) commands: Vec<Command>,
    /// What Ctrl/Cmd+Z takes back: the last change the user made.
    pub(crate) last_undo: Option<Undo>,
    /// The preferences as last saved; a difference wakes a frame so they are saved soon.
    pub(crate) saved_prefs: Prefs,
    /// When background work last ran, and what is due.
    timers: Timers,
    /// When the process started, until the first frame with the library is logged.
    pub(crate) started: Option<std::time::Instant>,
    now: f64,
    /// Items directly in each collection, for the tree.
    pub(crate) collection_counts: std::collections::HashMap<CollectionId, usize>,
    /// The pictures handed to the thumbnail service to be made ahead.
    ahead: MakeAhead,
    /// The records of the Gallery's rows drawn.
    pub(crate) rows: crate::gui::rows::Rows,
    /// The Gallery view asked for, and what of it has been answered.
    view: ViewRequest,
    /// File dialogs and exports, off the UI thread.
    pickers: crate::gui::pickers::Pickers,
    /// Changes made to the files outside Shoebox.
    watch: crate::gui::watch::FileWatch,
    /// The library's folder.
    root: PathBuf,
}

/// When background work last ran (seconds of the UI clock), and what is due.
#[derive(Debug, Default)]
struct Timers {
    /// The missing/offline check waits until the Gallery's first view is in.
    check_files_next_frame: bool,
    check_files_due: bool,
    /// The folders to watch are to be read again.
    folders_due: bool,
    last_sweep: Option<f64>,
    last_refresh: f64,
    last_check: f64,
    /// When a change outside was noticed, until the check it asks for is sent.
    changed_outside_at: Option<f64>,
    /// When the last thumbnail or preview arrived, until the textures have settled after it.
    pictures_arrived_at: Option<f64>,
    /// When to hand the memory of released textures back to the system.
    return_memory_at: Option<f64>,
}

/// The pictures handed to the thumbnail service to be made ahead.
#[derive(Debug)]
struct MakeAhead {
    /// Content hashes of the Trash's pictures already handed over.
    trash: HashSet<String>,
    /// Where the next page of the Gallery's pictures starts (by id), and whether it has
    /// been asked for; `None`: every page was handed over.
    next: Option<crate::library::AssetId>,
    asked: bool,
    /// The last picture handed over.
    last: Option<crate::library::AssetId>,
}

impl Default for MakeAhead {
    fn default() -> MakeAhead {
        MakeAhead {
            trash: HashSet::new(),
            next: Some(crate::library::AssetId(0)),
            asked: false,
            last: None,
        }
    }
}

/// The Gallery view asked for, and what of it has been answered.
#[derive(Debug, Default)]
struct ViewRequest {
    /// The view last asked for: only its answer is taken.
    generation: u64,
    /// The same, shared with the library thread: a long read no longer wanted stops.
    wanted: Arc<std::sync::atomic::AtomicU64>,
    /// What the view last asked for shows (a new one is answered by its head first).
    query: Option<crate::library::GalleryQuery>,
    /// The view last answered in full (its head shows until then).
    complete: u64,
    /// The head of the view last asked for is in: the rest is asked for once its first
    /// rows' records are (they come first).
    rest_due: bool,
    /// The version of the assets the view last answered in full was read at.
    version: Option<u64>,
    /// The Gallery's first view has arrived.
    loaded: bool,
    /// The last view answered.
    answered: u64,
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
        Self::with_helper(lib, ctx, prefs, threaded, std::env::current_exe().ok())
    }

    /// [`ShoeboxApp::new`] with the program its picture helpers run (this very program in the
    /// app; the `shoebox` binary for tests, which run inside a test program).
    pub fn with_helper(
        lib: Library,
        ctx: &egui::Context,
        prefs: Prefs,
        threaded: bool,
        helper: Option<PathBuf>,
    ) -> anyhow::Result<Self> {
        let mut lib = lib;
        if let Some(exe) = helper.as_ref().filter(|_| threaded) {
            lib.read_files_with(crate::thumbs::Helpers::new(exe.clone()));
        }
        let root = lib.root().to_path_buf();
        let wake_ctx = ctx.clone();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || wake_ctx.request_repaint());
        let wake_watch = wake.clone();
        let (handle, thumbs) = if threaded {
            let isolation = match helper {
                Some(exe) => crate::thumbs::Isolation::Helper(crate::thumbs::Helpers::new(exe)),
                None => crate::thumbs::Isolation::InProcess,
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
            textures: TextureCache::new(crate::gui::textures::TEXTURE_BUDGET_BYTES),
            snap: Snapshot::default(),
            loaded: false,
            prefs: prefs.clone(),
            collection: None,
            // The Gallery's first rows are asked for in the first frame.
            gallery: Shown {
                dirty: true,
                ..Shown::default()
            },
            trash: Shown::default(),
            trash_open: None,
            trash_covers: std::collections::HashMap::new(),
            dialog: None,
            preview: None,
            toast: None,
            progress: None,
            last_import: crate::library::ImportOptions::default(),
            status: None,
            pixels_per_point: 1.0,
            commands: Vec::new(),
            last_undo: None,
            saved_prefs: prefs.clone(),
            started: None,
            timers: Timers::default(),
            now: 0.0,
            collection_counts: std::collections::HashMap::new(),
            ahead: MakeAhead::default(),
            rows: Default::default(),
            view: ViewRequest::default(),
            watch: crate::gui::watch::FileWatch::new(wake_watch.clone()),
            pickers: crate::gui::pickers::Pickers::new(wake_watch),
            root: root.clone(),
        };
        app.handle.send(Job::Refresh);
        Ok(app)
    }

    /// The state a frame draws from, what it may do, and the open dialog's own fields
    /// (its text and choices), borrowed apart.
    pub fn for_drawing(&mut self) -> (View<'_>, Acts<'_>, &mut Option<Dialog>) {
        let view = View {
            snap: &self.snap,
            prefs: &self.prefs,
            loaded: self.loaded,
            gallery: &self.gallery,
            rows: &self.rows,
            trash: &self.trash,
            collection: self.collection,
            collection_counts: &self.collection_counts,
            trash_open: self.trash_open,
            trash_covers: &self.trash_covers,
            preview: self.preview.as_ref(),
            toast: self.toast.as_ref(),
            progress: self.progress.as_ref(),
            status: self.status.as_ref().map(|(text, _)| text.as_str()),
            busy: self.handle.is_busy(),
            making_thumbnails: self
                .thumbs
                .as_ref()
                .and_then(crate::thumbs::ThumbService::ahead_progress),
        };
        let acts = Acts {
            pictures: Pictures {
                textures: &mut self.textures,
                thumbs: self.thumbs.as_mut(),
                grid_px: crate::thumbs::grid_px(self.prefs.thumb_size, self.pixels_per_point),
            },
            commands: Vec::new(),
        };
        (view, acts, &mut self.dialog)
    }

    /// Handles a reply as if the library thread had sent it (benchmarks feed snapshots).
    pub fn receive(&mut self, reply: Reply) {
        self.on_reply(reply);
    }

    /// Sends a job to the library (as the UI does).
    pub fn send(&mut self, job: Job) {
        self.handle.send(job);
    }

    /// The window shows the library: its first view has arrived, with the records of
    /// its first rows.
    pub fn shows_library(&self) -> bool {
        self.loaded
            && self.view.loaded
            && self
                .gallery
                .ids
                .first()
                .is_none_or(|&id| self.rows.peek(id).is_some())
    }

    /// How many items the Gallery's view shows (read so far).
    pub fn shown_count(&self) -> usize {
        self.gallery.ids.len()
    }

    /// The Gallery answers the view last asked for (a search typed, a sort chosen): its
    /// first rows show, with their records read since the last change (the rest of its
    /// ids may still be read).
    pub fn shows_answer(&self) -> bool {
        self.view.answered == self.view.generation && self.focus_rows_fresh()
    }

    /// The Gallery shows the view last asked for (a search typed, a sort chosen), all of
    /// its ids read, with the records of the rows around its focus (or its top) read since
    /// the last change.
    pub fn shows_view(&self) -> bool {
        self.view.complete == self.view.generation && self.focus_rows_fresh()
    }

    /// The library is in and the records of the Gallery's rows around its focus (or its
    /// top) have been read since the last change, none still wanted.
    fn focus_rows_fresh(&self) -> bool {
        let at = self.gallery.sel.focus.unwrap_or(0);
        self.loaded
            && !self.rows.has_wanted()
            && self
                .gallery
                .ids
                .get(at)
                .is_none_or(|&id| self.rows.is_fresh(id))
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
