//! Everything the user can ask for. The UI records commands while drawing and changes
//! nothing itself; the app applies them after the frame is drawn.

use std::path::PathBuf;

use super::state::Tab;
use super::worker::Job;
use crate::library::{BatchId, CollectionId, ItemId, RestoreOptions, Sort, TrashSort};

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
    /// A tab's search text.
    Search {
        tab: Tab,
        text: String,
    },
    SetView(super::state::ViewMode),
    SetThumbSize(f32),
    /// The Trash grouped by deletion (batch).
    GroupByBatch(bool),
    /// The preview fits the picture to the window (or shows it at 100 %).
    /// How the preview shows its picture (zoom, pan, fill, properties).
    PreviewView(crate::gui::state::PreviewView),
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
    /// A rating, flag, label or keyword given to the Gallery's selection (the keys, the
    /// preview's and Properties' buttons).
    Cull(crate::library::Cull),
    /// A keyword given to these items (dropped onto it).
    CullItems(Vec<ItemId>, crate::library::Cull),
    /// Every reject the Gallery's view shows, to the Trash as one batch.
    TrashRejected,
    /// The grid by date grouped by day, month or year (or not).
    SetGrouping(crate::library::Grouping),
    /// The preview moves on after a rating or a flag (or not).
    AdvanceAfterCull(bool),
    /// Show what a smart collection's search finds (in all items).
    OpenSmart(String),
    /// Ask for the name to save the Gallery's search under.
    AskSaveSearch,
    /// Ask for a keyword's new path.
    AskRenameKeyword(crate::store::culling::Keyword),
    /// Ask before a keyword (carried by this many items) is deleted.
    AskDeleteKeyword(crate::store::culling::Keyword, u64),
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
    /// Ask how to import these files and folders (picked or dropped).
    AskImport(Vec<PathBuf>),
    /// Import, as the import dialog was answered.
    StartImport {
        paths: Vec<PathBuf>,
        in_place: bool,
        into: Option<CollectionId>,
    },
    /// Import again as the last import did ("Import anyway", for files found in the Trash).
    Import {
        paths: Vec<PathBuf>,
        allow_trash_duplicates: bool,
    },
    /// Stop the import under way at its next file.
    StopImport,
    OpenSettings,
    ConfirmClock,
    /// Work for the library thread as it is, nothing else changing on screen (counting what
    /// a retention would purge, saving settings, making, renaming and moving collections,
    /// moving assets).
    Library(Job),
    AskNewCollection(Option<CollectionId>),
    AskRenameCollection(CollectionId),
    ExportCopy(PathBuf, String),
    /// Choose a folder for a restore whose place is lost.
    PickRestoreFolder,
    OpenExternally(PathBuf),
    CloseDialog,
    DismissToast,
}
