//! Every dialog is an `egui::Modal` whose state lives in [`Dialog`]. Drawing a dialog only
//! records commands; Esc or Cancel never deletes anything. Enter confirms a dialog's
//! default action, as everywhere on the desktop — except a permanent delete, which only
//! its own button confirms.

use egui::{Id, Modal, RichText};

use super::command::Command;
use super::theme;
use super::view::{Acts, View};
use super::worker::Job;
use crate::library::{
    CollectionId, FolderChoice, ImportReport, ItemId, RestoreOptions, human_size, items,
};

/// Where a restore with a lost location should go.
#[derive(Debug, Clone, PartialEq)]
pub enum LocationChoice {
    Collection(Option<CollectionId>),
    RecreateFolder,
    Folder(std::path::PathBuf),
}

/// The open dialog, if any.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// Move to the Trash, with the skip-Trash checkbox.
    Delete {
        ids: Vec<ItemId>,
        permanent: bool,
    },
    /// The irreversible warning before any permanent delete.
    Irreversible {
        ids: Vec<ItemId>,
        from_trash: bool,
    },
    EmptyTrash {
        /// Entries in the Trash (a collection is one).
        count: usize,
        /// Files they cover (a collection's count all it holds) and their bytes.
        files: u64,
        bytes: u64,
    },
    /// Rename and restore, after a name conflict.
    RenameRestore {
        id: ItemId,
        message: String,
        name: String,
        /// The place already chosen, if any (after a lost location).
        opts: RestoreOptions,
    },
    /// Pick a new location, after a lost location.
    PickLocation {
        /// One item, or several whose collection is in the Trash.
        ids: Vec<ItemId>,
        message: String,
        folder: bool,
        choice: Option<LocationChoice>,
    },
    Settings {
        retention_days: i64,
        sweep_interval_minutes: i64,
        join_new_files: bool,
        write_xmp: bool,
        purge_preview: Option<usize>,
    },
    /// New collection (`id` None) or rename.
    CollectionName {
        id: Option<CollectionId>,
        parent: Option<CollectionId>,
        name: String,
    },
    /// How to import picked or dropped files: by copy or in place, and into which collection.
    Import {
        paths: Vec<std::path::PathBuf>,
        in_place: bool,
        into: Option<CollectionId>,
    },
    ImportResult(ImportReport),
    /// A keyword's new path (a new place in the tree, with `|`).
    KeywordName {
        from: crate::store::culling::Keyword,
        name: String,
        problem: Option<String>,
    },
    /// The name to save a search under, as a smart collection.
    SaveSearch {
        name: String,
        search: String,
    },
    /// Deleting a keyword, carried by this many items.
    DeleteKeyword {
        keyword: crate::store::culling::Keyword,
        items: u64,
    },
    Message {
        title: String,
        text: String,
    },
}

/// Draws the open dialog. Its own fields (text, choices) change as the user edits them;
/// anything else it asks for is a command.
pub fn dialog_ui(v: &View, acts: &mut Acts, dialog: &mut Option<Dialog>, ctx: &egui::Context) {
    let collections = &v.snap.collections;
    let current_retention = v.snap.retention_days;
    let Some(dialog) = dialog.as_mut() else {
        return;
    };
    let mut cmds = Vec::new();
    // Taken before a text field can see it (a one-line field would only lose its focus).
    let enter = ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
    let modal = Modal::new(Id::unique("shoebox-dialog")).show(ctx, |ui| {
        ui.set_max_width(460.0);
        match dialog {
            Dialog::Delete { ids, permanent } => {
                let n = ids.len();
                let stays = format!("stays in the Trash {}; you can restore it until then.", crate::library::days(current_retention));
                match ids.as_slice() {
                    [ItemId::Collection(c)] => {
                        let (_, path, inside) = v.snap.collection_holding(*c).unwrap_or(("", "", 0));
                        if *permanent {
                            ui.heading(format!("Delete the collection \"{path}\" permanently?"));
                            ui.label(format!("Everything in it ({}) is deleted with it.", items(inside)));
                        } else {
                            ui.heading(format!("Move the collection \"{path}\" to the Trash?"));
                            ui.label(format!("It goes with everything in it ({}), as one deletion, and {stays}", items(inside)));
                        }
                    }
                    [one] => {
                        let name = v.rows.peek(*one).map_or("this item", |a| a.name.as_str());
                        if *permanent {
                            ui.heading(format!("Delete \"{name}\" permanently?"));
                        } else {
                            ui.heading(format!("Move \"{name}\" to the Trash?"));
                            ui.label(format!("It {stays}"));
                        }
                    }
                    _ if *permanent => {
                        ui.heading(format!("Delete {} permanently?", items(n)));
                    }
                    _ => {
                        ui.heading(format!("Move {} to the Trash?", items(n)));
                        ui.label(format!("Each {stays}"));
                    }
                }
                ui.add_space(6.0);
                ui.checkbox(permanent, "Delete permanently instead (skip Trash)");
                if *permanent {
                    ui.colored_label(theme::DANGER, "This cannot be undone.");
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if *permanent {
                        if ui.button(RichText::new("Delete permanently").color(theme::DANGER)).clicked() {
                            cmds.push(Command::DeleteNow(ids.clone()));
                        }
                    } else if ui.button("Move to Trash").clicked() || enter {
                        cmds.push(Command::MoveToTrash(ids.clone()));
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::Irreversible { ids, from_trash } => {
                ui.heading(format!("Delete {} permanently?", items(ids.len())));
                ui.colored_label(theme::DANGER, "This cannot be undone.");
                ui.label("The files are removed from your disk for good.");
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("Delete permanently").color(theme::DANGER)).clicked() {
                        cmds.push(if *from_trash {
                            Command::DeletePermanently(ids.clone())
                        } else {
                            Command::DeleteNow(ids.clone())
                        });
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::EmptyTrash { count, files, bytes } => {
                // SPEC's words from two up; one is one item. Then what they cover: a
                // collection is one item holding many files.
                ui.heading(if *count == 1 {
                    "Delete 1 item?".to_string()
                } else {
                    format!("Delete all {count} items?")
                });
                let files = if *files == 1 {
                    "1 file".to_string()
                } else {
                    format!("{} files", crate::library::thousands(*files as usize))
                };
                ui.label(format!("{files}, {}", human_size(*bytes)));
                ui.colored_label(theme::DANGER, "This cannot be undone.");
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("Empty Trash").color(theme::DANGER)).clicked() {
                        cmds.push(Command::EmptyTrash);
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::RenameRestore { id, message, name, opts } => {
                ui.heading("That name is taken");
                ui.label(message.as_str());
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    let label = ui.label("New name:");
                    ui.text_edit_singleline(name).labelled_by(label.id);
                });
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let ok = !name.trim().is_empty();
                    if ui.add_enabled(ok, egui::Button::new("Rename and restore")).clicked() || (ok && enter) {
                        cmds.push(Command::RestoreWith {
                            ids: vec![*id],
                            opts: RestoreOptions { rename: Some(name.trim().to_string()), ..opts.clone() },
                        });
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::PickLocation { ids, message, folder, choice } => {
                ui.heading("Choose where to restore");
                ui.label(message.as_str());
                ui.add_space(6.0);
                if *folder {
                    ui.radio_value(choice, Some(LocationChoice::RecreateFolder), "Recreate the original folder");
                    ui.horizontal(|ui| {
                        if ui.button("Choose a folder…").clicked() {
                            cmds.push(Command::PickRestoreFolder);
                        }
                        if let Some(LocationChoice::Folder(dir)) = choice {
                            ui.label(dir.display().to_string());
                        }
                    });
                } else {
                    egui::ScrollArea::vertical().max_height(240.0).show(ui, |ui| {
                        ui.radio_value(choice, Some(LocationChoice::Collection(None)), "Top of the library");
                        for c in collections.iter() {
                            if let ItemId::Collection(cid) = c.id {
                                ui.radio_value(choice, Some(LocationChoice::Collection(Some(cid))), c.path.as_str());
                            }
                        }
                    });
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.add_enabled(choice.is_some(), egui::Button::new("Restore here")).clicked() || (choice.is_some() && enter) {
                        let opts = match choice.clone() {
                            Some(LocationChoice::Collection(c)) => RestoreOptions { to: Some(c), ..Default::default() },
                            Some(LocationChoice::RecreateFolder) => RestoreOptions { folder: Some(FolderChoice::Recreate), ..Default::default() },
                            Some(LocationChoice::Folder(d)) => RestoreOptions { folder: Some(FolderChoice::Use(d)), ..Default::default() },
                            None => RestoreOptions::default(),
                        };
                        cmds.push(Command::RestoreWith { ids: ids.clone(), opts });
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::Settings { retention_days, sweep_interval_minutes, join_new_files, write_xmp, purge_preview } => {
                ui.heading("Settings");
                egui::Grid::new("settings").num_columns(2).show(ui, |ui| {
                    ui.label("Keep items in the Trash for");
                    let r = ui.add(egui::DragValue::new(retention_days).range(1..=3650).suffix(" days"));
                    if r.changed() {
                        *purge_preview = None;
                    }
                    ui.end_row();
                    ui.label("Sweep expired items every");
                    ui.add(egui::DragValue::new(sweep_interval_minutes).range(1..=10080).suffix(" minutes"));
                    ui.end_row();
                });
                ui.checkbox(join_new_files, "New files in folders imported in place join the library");
                ui.checkbox(write_xmp, "Write ratings, labels and keywords into XMP sidecars")
                    .on_hover_text("For other tools: each change goes into the item's sidecar (IMG_1.xmp), a new one beside the file when it has none; everything else in it is kept.");
                if *retention_days < current_retention {
                    match purge_preview {
                        Some(n) => {
                            ui.colored_label(
                                theme::DANGER,
                                format!("Saving will purge {} at the next sweep.", items(*n)),
                            );
                        }
                        None => {
                            cmds.push(Command::Library(Job::CountExpired(*retention_days)));
                            ui.label("Counting what a shorter retention would purge…");
                        }
                    }
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() || enter {
                        cmds.push(Command::CloseDialog);
                        cmds.push(Command::Library(Job::SaveSettings {
                            retention_days: *retention_days,
                            sweep_interval_minutes: *sweep_interval_minutes,
                            join_new_files: *join_new_files,
                            write_xmp: *write_xmp,
                        }));
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::CollectionName { id, parent, name } => {
                let heading = ui.heading(if id.is_some() { "Rename collection" } else { "New collection" });
                let r = ui.text_edit_singleline(name).labelled_by(heading.id);
                r.request_focus();
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let ok = !name.trim().is_empty();
                    if ui.add_enabled(ok, egui::Button::new("OK")).clicked() || (ok && enter) {
                        let name = name.trim().to_string();
                        cmds.push(Command::CloseDialog);
                        cmds.push(Command::Library(match id {
                            Some(id) => Job::RenameCollection { id: *id, name },
                            None => Job::CreateCollection { parent: *parent, name },
                        }));
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::KeywordName {
                from,
                name,
                problem,
            } => {
                let heading = ui.heading("Rename keyword");
                ui.label("A new name, or a new place in the tree: Places|Portugal|Porto");
                let r = ui.text_edit_singleline(name).labelled_by(heading.id);
                r.request_focus();
                if let Some(why) = problem {
                    ui.colored_label(theme::DANGER, why.as_str());
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("OK").clicked() || enter {
                        match crate::store::culling::Keyword::parse(name) {
                            Ok(to) => {
                                cmds.push(Command::CloseDialog);
                                cmds.push(Command::Library(Job::RenameKeyword {
                                    from: from.clone(),
                                    to,
                                }));
                            }
                            Err(why) => *problem = Some(why),
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::SaveSearch { name, search } => {
                let heading = ui.heading("Save as smart collection");
                ui.label(format!("It shows what \"{search}\" finds, kept up to date."));
                let r = ui.text_edit_singleline(name).labelled_by(heading.id);
                r.request_focus();
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let ok = !name.trim().is_empty();
                    if ui.add_enabled(ok, egui::Button::new("Save")).clicked() || (ok && enter) {
                        cmds.push(Command::CloseDialog);
                        cmds.push(Command::Library(Job::SaveSearch {
                            name: name.trim().to_string(),
                            search: search.clone(),
                        }));
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::DeleteKeyword { keyword, items } => {
                ui.heading(format!("Delete the keyword \"{}\"?", keyword.path()));
                ui.label(format!(
                    "It is taken from {}, with the keywords below it. The items stay.",
                    crate::library::items(*items as usize)
                ));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Delete keyword").clicked() || enter {
                        cmds.push(Command::CloseDialog);
                        cmds.push(Command::Library(Job::DeleteKeyword(keyword.clone())));
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::Import { paths, in_place, into } => {
                ui.heading(import_heading(paths));
                ui.add_space(6.0);
                ui.radio_value(in_place, false, "Copy them into the library");
                ui.indent("copy", |ui| {
                    ui.label(
                        RichText::new(
                            "Shoebox keeps its own copy of each file in the library folder and \
                             leaves the originals as they are, so the files then take twice their \
                             space on disk.",
                        )
                        .weak(),
                    );
                });
                ui.radio_value(in_place, true, "Leave them where they are");
                ui.indent("in place", |ui| {
                    ui.label(
                        RichText::new(
                            "Shoebox shows the files in their own folders and copies nothing; what \
                             appears in a folder later joins too. Moving one to the Trash takes it \
                             out of its folder until it is restored or purged.",
                        )
                        .weak(),
                    );
                });
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    let label = ui.label("Into:");
                    let shown = into
                        .and_then(|c| collections.iter().find(|x| x.id == ItemId::Collection(c)))
                        .map_or("Top of the library", |c| c.path.as_str());
                    egui::ComboBox::from_id_salt("import into")
                        .selected_text(shown)
                        .width(300.0)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(into, None, "Top of the library");
                            for c in collections.iter() {
                                if let ItemId::Collection(cid) = c.id {
                                    ui.selectable_value(into, Some(cid), c.path.as_str());
                                }
                            }
                        })
                        .response
                        .labelled_by(label.id);
                });
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Import").clicked() || enter {
                        cmds.push(Command::StartImport { paths: paths.clone(), in_place: *in_place, into: *into });
                    }
                    if ui.button("Cancel").clicked() {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::ImportResult(r) => {
                ui.heading(format!("Imported {}", items(r.imported.len())));
                let text = |line: String, danger: bool| {
                    let text = egui::RichText::new(line);
                    if danger { text.color(theme::DANGER) } else { text }
                };
                for (line, danger) in import_summary(r) {
                    ui.label(text(line, danger));
                }
                // One line for each file not imported or imported with a warning: only the
                // lines in view are laid out (an import of a million may have a million).
                let lines = import_lines(r);
                if lines > 0 {
                    ui.add_space(4.0);
                    let row_h = ui.text_style_height(&egui::TextStyle::Small);
                    egui::ScrollArea::vertical().max_height(280.0).auto_shrink([false, true]).show_rows(ui, row_h, lines, |ui, range| {
                        for i in range {
                            let (line, danger) = import_line(r, i);
                            ui.add(egui::Label::new(text(line, danger).small()).truncate());
                        }
                    });
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if !r.in_trash.is_empty() {
                        if ui.button("Restore from Trash").clicked() {
                            let mut ids: Vec<ItemId> = r.in_trash.iter().map(|m| m.id).collect();
                            ids.dedup();
                            cmds.push(Command::Restore(ids));
                            cmds.push(Command::CloseDialog);
                        }
                        if ui.button("Import anyway").clicked() {
                            let paths = r.in_trash.iter().map(|m| std::path::PathBuf::from(&m.path)).collect();
                            cmds.push(Command::Import { paths, allow_trash_duplicates: true });
                        }
                    }
                    if ui.button("Close").clicked() || enter {
                        cmds.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::Message { title, text } => {
                ui.heading(title.as_str());
                egui::ScrollArea::vertical().max_height(300.0).show(ui, |ui| {
                    ui.label(text.as_str());
                });
                ui.add_space(8.0);
                if ui.button("OK").clicked() || enter {
                    cmds.push(Command::CloseDialog);
                }
            }
        }
    });
    if modal.should_close() && cmds.is_empty() {
        cmds.push(Command::CloseDialog);
    }
    acts.commands.extend(cmds);
}

/// What an import did besides importing, a line for each kind of file it left out or
/// imported with a warning (with whether it is a failure).
fn import_summary(r: &ImportReport) -> Vec<(String, bool)> {
    [
        (
            r.in_trash.len(),
            "already in the Trash. Restore them instead of importing duplicates?",
            false,
        ),
        (
            r.already_imported.len(),
            "already in the library, not imported again.",
            false,
        ),
        (r.failed.len(), "could not be imported.", true),
        (r.warnings.len(), "with a warning.", false),
    ]
    .into_iter()
    .filter(|(n, ..)| *n > 0)
    .map(|(n, what, failure)| (format!("{} {what}", items(n)), failure))
    .collect()
}

/// How many lines [`import_line`] has for `r`.
fn import_lines(r: &ImportReport) -> usize {
    r.in_trash.len() + r.failed.len() + r.warnings.len() + r.already_imported.len()
}

/// The `i`th line of the files an import left out or warned about: those in the Trash,
/// those that failed, the warnings, then those already in the library (with whether it is a
/// failure). Made only when it is in view.
fn import_line(r: &ImportReport, mut i: usize) -> (String, bool) {
    if let Some(m) = r.in_trash.get(i) {
        return (
            format!("{} — in the Trash as \"{}\"", m.path, m.name),
            false,
        );
    }
    i -= r.in_trash.len();
    if let Some(m) = r.failed.get(i) {
        return (format!("Failed {}: {}", m.path, m.message), true);
    }
    i -= r.failed.len();
    if let Some(m) = r.warnings.get(i) {
        return (format!("{}: {}", m.path, m.message), false);
    }
    i -= r.warnings.len();
    match r.already_imported.get(i) {
        Some(m) => (format!("{}: {}", m.path, m.message), false),
        None => (String::new(), false),
    }
}

/// What the import dialog asks about: one file or folder by name, else how many of each.
fn import_heading(paths: &[std::path::PathBuf]) -> String {
    let name = |p: &std::path::Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let folders = paths.iter().filter(|p| p.is_dir()).count();
    let files = paths.len() - folders;
    match (paths, folders) {
        ([one], 1) => format!("Import the folder \"{}\"", name(one)),
        ([one], _) => format!("Import \"{}\"", name(one)),
        (_, 0) => format!("Import {} files", crate::library::thousands(files)),
        (_, _) if files == 0 => format!("Import {} folders", crate::library::thousands(folders)),
        _ => format!(
            "Import {} and {}",
            plural(files, "file"),
            plural(folders, "folder")
        ),
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{} {what}s", crate::library::thousands(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_dialog_names_one_folder_or_file_and_counts_the_rest() {
        let dir = tempfile::tempdir().expect("temp");
        let shoot = dir.path().join("Shoot");
        std::fs::create_dir(&shoot).expect("folder");
        let photo = dir.path().join("IMG_1.jpg");
        std::fs::write(&photo, b"photo").expect("file");
        assert_eq!(
            import_heading(std::slice::from_ref(&shoot)),
            "Import the folder \"Shoot\""
        );
        assert_eq!(
            import_heading(std::slice::from_ref(&photo)),
            "Import \"IMG_1.jpg\""
        );
        assert_eq!(
            import_heading(&[photo.clone(), photo.clone()]),
            "Import 2 files"
        );
        assert_eq!(
            import_heading(&[photo, shoot]),
            "Import 1 file and 1 folder"
        );
    }
}
