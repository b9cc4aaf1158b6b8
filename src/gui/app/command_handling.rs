//! The phase after drawing: the one `match` that applies the commands recorded while the
//! window was drawn.

use std::collections::HashSet;
use std::path::PathBuf;

use super::ShoeboxApp;
use crate::gui::command::Command;
use crate::gui::dialogs::Dialog;
use crate::gui::state::Undo;
use crate::gui::state::{Preview, PreviewView, Shown, Tab};
use crate::gui::worker::Job;
use crate::library::{Cull, ImportOptions, ImportProgress, ItemId, RestoreOptions, items};

impl ShoeboxApp {
    /// Applies the commands recorded this frame.
    pub fn apply_commands(&mut self) {
        for cmd in std::mem::take(&mut self.commands) {
            self.apply(cmd);
        }
        // The frame drawn has brought a focus moved by a key into view.
        self.gallery.focus_moved = false;
        self.trash.focus_moved = false;
    }

    fn shown_mut(&mut self) -> &mut Shown {
        match self.prefs.tab {
            Tab::Gallery => &mut self.gallery,
            Tab::Trash => &mut self.trash,
        }
    }

    /// Gives the Gallery's selection a rating, flag, label or keyword (the item shown, in the
    /// preview). A colour label the items all carry already is taken off again, as its key
    /// toggles it. In the preview a rating or a flag can move on to the next item.
    fn cull(&mut self, change: Cull) {
        if self.prefs.tab == Tab::Trash {
            self.say(
                "Items in the Trash keep what they were given: restore them to change it".into(),
            );
            return;
        }
        let ids: Vec<ItemId> = match &self.preview {
            Some(p) => self.gallery.ids.get(p.pos).copied().into_iter().collect(),
            None => self.gallery.sel.selected(),
        };
        let change = match change {
            Cull::Label(Some(l))
                if ids.iter().all(|&id| {
                    self.rows
                        .peek(id)
                        .is_some_and(|a| a.culling.label == Some(l))
                }) =>
            {
                Cull::Label(None)
            }
            other => other,
        };
        let moves_on = matches!(change, Cull::Rate(_) | Cull::Flag(_));
        if self.send_cull(ids, change)
            && moves_on
            && self.prefs.advance_after_cull
            && self.preview.is_some()
        {
            self.apply(Command::PreviewStep(1));
        }
    }

    /// Asks the library to make `change` to those of `ids` that are assets; whether any are.
    fn send_cull(&mut self, ids: Vec<ItemId>, change: Cull) -> bool {
        let ids: Vec<ItemId> = ids.into_iter().filter(|id| id.asset().is_some()).collect();
        if ids.is_empty() {
            return false;
        }
        self.handle.send(Job::Cull {
            steps: vec![(ids, change)],
            undoing: false,
        });
        true
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
            Command::Search { tab, text } => {
                let shown = match tab {
                    Tab::Gallery => &mut self.gallery,
                    Tab::Trash => &mut self.trash,
                };
                shown.search = text;
                shown.dirty = true;
            }
            Command::SetView(view) => {
                self.prefs.view = view;
                // Groups are the grid's: the view is read again with them, or without.
                if self.prefs.group != crate::library::Grouping::None {
                    self.gallery.dirty = true;
                }
            }
            Command::SetThumbSize(size) => self.prefs.thumb_size = size.clamp(80.0, 280.0),
            Command::GroupByBatch(on) => {
                self.prefs.group_by_batch = on;
                self.trash.dirty = true;
            }
            Command::PreviewView(view) => {
                if let Some(p) = &mut self.preview {
                    p.view = view;
                }
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
                    view: Default::default(),
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
                    // The next picture starts whole, the way of showing it kept.
                    p.view = PreviewView {
                        fill: p.view.fill,
                        props: p.view.props,
                        ..Default::default()
                    };
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
                // Without one, the next item is selected in the grid or list.
                if self.preview.is_none() {
                    self.gallery.reselect_after(&ids);
                }
                self.handle.send(Job::Trash(ids));
            }
            Command::DeleteNow(ids) => {
                self.dialog = None;
                // An open preview stays: it shows the next item once this one has gone.
                self.handle.send(Job::DeleteNow(ids));
            }
            Command::Undo => {
                let undo = self
                    .toast
                    .as_mut()
                    .and_then(|t| t.undo.take())
                    .or_else(|| self.last_undo.take());
                self.last_undo = None;
                match undo {
                    Some(Undo::Batch(b)) => {
                        self.toast = None;
                        self.handle.send(Job::RestoreBatch(b));
                    }
                    Some(Undo::Cull(steps)) => {
                        self.toast = None;
                        self.handle.send(Job::Cull {
                            steps,
                            undoing: true,
                        });
                    }
                    None => {}
                }
            }
            Command::Cull(change) => self.cull(change),
            Command::CullItems(ids, change) => {
                self.send_cull(ids, change);
            }
            Command::TrashRejected => {
                if let Some(query) = self.view.query.clone() {
                    self.handle.send(Job::TrashRejected(query));
                }
            }
            Command::AdvanceAfterCull(on) => self.prefs.advance_after_cull = on,
            Command::SetGrouping(group) => {
                self.prefs.group = group;
                self.gallery.dirty = true;
            }
            Command::OpenSmart(search) => {
                self.collection = None;
                self.gallery.search = search;
                self.gallery.sel.clear();
                self.gallery.dirty = true;
            }
            Command::AskSaveSearch => {
                self.dialog = Some(Dialog::SaveSearch {
                    name: String::new(),
                    search: self.gallery.search.trim().to_string(),
                });
            }
            Command::AskRenameKeyword(keyword) => {
                self.dialog = Some(Dialog::KeywordName {
                    name: keyword.path().to_string(),
                    from: keyword,
                    problem: None,
                });
            }
            Command::AskDeleteKeyword(keyword, items) => {
                self.dialog = Some(Dialog::DeleteKeyword { keyword, items });
            }
            Command::Restore(ids) => {
                // Several items from inside trashed collections have lost their place (their
                // collection is in the Trash): where they go is asked once, for all of them.
                let inside: HashSet<ItemId> = self
                    .snap
                    .trash_inside
                    .iter()
                    .filter(|e| e.place_is_lost())
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
                    self.dialog = Some(Dialog::EmptyTrash {
                        count,
                        files: self.snap.trash.iter().map(|e| e.item_count).sum(),
                        bytes: self.snap.trash_size,
                    });
                }
            }
            Command::EmptyTrash => {
                self.dialog = None;
                self.handle.send(Job::EmptyTrash);
            }
            Command::ImportFiles => self.pickers.import_files(),
            Command::ImportFolder => self.pickers.import_folders(),
            Command::PickRestoreFolder => self.pickers.restore_folder(),
            Command::AskImport(paths) => {
                if !paths.is_empty() {
                    let into = (self.prefs.tab == Tab::Gallery)
                        .then_some(self.collection)
                        .flatten();
                    self.dialog = Some(Dialog::Import {
                        paths,
                        in_place: self.prefs.import_in_place,
                        into,
                    });
                }
            }
            Command::StartImport {
                paths,
                in_place,
                into,
            } => {
                self.dialog = None;
                self.prefs.import_in_place = in_place;
                self.start_import(
                    paths,
                    ImportOptions {
                        in_place,
                        into,
                        ..Default::default()
                    },
                );
            }
            Command::Import {
                paths,
                allow_trash_duplicates,
            } => {
                self.dialog = None;
                let opts = ImportOptions {
                    allow_trash_duplicates,
                    ..self.last_import.clone()
                };
                self.start_import(paths, opts);
            }
            Command::StopImport => {
                if let Some(stop) = &self.last_import.stop {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    self.say("Cancelling the import after the file it is reading…".into());
                }
            }
            Command::OpenSettings => {
                self.dialog = Some(Dialog::Settings {
                    retention_days: self.snap.retention_days,
                    sweep_interval_minutes: self.snap.sweep_interval_minutes,
                    join_new_files: self.snap.join_new_files,
                    write_xmp: self.snap.write_xmp,
                    purge_preview: None,
                });
            }
            Command::Library(job) => self.handle.send(job),
            Command::ConfirmClock => {
                self.handle.send(Job::ConfirmClock);
                self.timers.last_sweep = None;
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
            Command::ExportCopy(path, name) => self.pickers.export_to(path, name),
            Command::OpenExternally(path) => {
                if let Err(e) = crate::platform::open_externally(&path) {
                    self.dialog = Some(Dialog::Message {
                        title: "Could not open".into(),
                        text: open_failed(&e, &path, crate::platform::opener_name()),
                    });
                }
            }
            Command::CloseDialog => self.dialog = None,
            Command::DismissToast => self.toast = None,
        }
    }

    /// Starts an import on the library thread, with a fresh switch to stop it.
    pub(super) fn start_import(&mut self, paths: Vec<PathBuf>, opts: ImportOptions) {
        if paths.is_empty() {
            return;
        }
        let opts = ImportOptions {
            stop: Some(std::sync::Arc::new(std::sync::atomic::AtomicBool::new(
                false,
            ))),
            ..opts
        };
        self.last_import = opts.clone();
        self.progress = Some(ImportProgress {
            done: 0,
            total: 0,
            current: String::new(),
        });
        self.handle.send(Job::Import { paths, opts });
    }
}

/// Why a file could not be opened in the system's program for it: "not found" is the
/// opener program's (`opener`), never the file's.
fn open_failed(e: &std::io::Error, path: &std::path::Path, opener: &str) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!(
            "No program to open it was found ({opener} is not installed): {}",
            path.display()
        )
    } else {
        format!("{e}: {}", path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// New-user finding 21: "Play in system player" said the video was not there ("No such
    /// file or directory") when the program that opens files was not installed.
    #[test]
    fn newuser21_a_missing_opener_is_named_not_the_video() {
        let gone = std::io::Error::from(std::io::ErrorKind::NotFound);
        let clip = std::path::Path::new("/photos/clip.mp4");
        assert_eq!(
            open_failed(&gone, clip, "xdg-open"),
            "No program to open it was found (xdg-open is not installed): /photos/clip.mp4"
        );
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(open_failed(&denied, clip, "xdg-open").ends_with(": /photos/clip.mp4"));
    }
}
