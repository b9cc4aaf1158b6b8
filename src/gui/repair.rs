//! The window shown when the library cannot be opened. When `library.db` is missing, empty
//! or damaged beside the library's files, it offers what `shoebox repair` does: bring the
//! index back from the newest good backup, or rebuild it from the files (never deleting
//! anything), then opens the library.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use egui::RichText;

use crate::clock::Clock;
use crate::library::{self, DbHealth, Library, RepairReport};

/// What the window is doing.
enum Stage {
    /// Showing why the library did not open; `can_repair` when repair applies.
    Told {
        message: String,
        can_repair: bool,
    },
    /// Repair running on its own thread.
    Repairing(Receiver<Result<(RepairReport, Library), String>>),
    /// Repaired: what was done, and the library, to open when the user says so.
    Repaired {
        summary: String,
        lib: Option<Box<Library>>,
    },
    Failed(String),
}

/// The small window for a library that did not open.
pub struct StartProblem {
    root: PathBuf,
    clock: Arc<dyn Clock>,
    stage: Stage,
    /// Set when the user opens the repaired library; the caller then shows the app.
    pub opened: Option<Library>,
}

impl StartProblem {
    /// `err` is why opening the library at `root` failed.
    pub fn new(root: PathBuf, clock: Arc<dyn Clock>, err: &library::LibraryError) -> Self {
        let can_repair = matches!(err, library::LibraryError::DatabaseLost { .. });
        let message = if can_repair {
            format!(
                "Shoebox's index of this library ({}) is {}, but the library's photos and \
                 files are all still there. Nothing was changed.\n\nRepair brings the index \
                 back from the newest automatic backup, or rebuilds it from the files. It \
                 never deletes anything.",
                root.display(),
                match library::db_health(&root) {
                    DbHealth::Missing => "missing",
                    DbHealth::Empty => "empty",
                    _ => "damaged",
                }
            )
        } else {
            err.to_string()
        };
        StartProblem {
            root,
            clock,
            stage: Stage::Told {
                message,
                can_repair,
            },
            opened: None,
        }
    }

    /// Draws the window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let mut next = None;
        let mut repair = false;
        match &mut self.stage {
            Stage::Told {
                message,
                can_repair,
            } => {
                let title = if *can_repair {
                    "Shoebox's index of this library needs repair"
                } else {
                    "Shoebox could not open its library"
                };
                ui.label(RichText::new(title).strong().size(16.0));
                ui.add_space(6.0);
                ui.label(message.as_str());
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if *can_repair && ui.button("Repair the library").clicked() {
                        repair = true;
                    }
                    if ui.button("Close").clicked() {
                        ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                });
            }
            Stage::Repairing(rx) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Repairing the library…");
                });
                if let Ok(result) = rx.try_recv() {
                    next = Some(match result {
                        Ok((report, lib)) => Stage::Repaired {
                            summary: describe(&report),
                            lib: Some(Box::new(lib)),
                        },
                        Err(e) => Stage::Failed(e),
                    });
                }
            }
            Stage::Repaired { summary, lib } => {
                ui.label(RichText::new("The library is repaired.").strong());
                ui.label(summary.as_str());
                ui.add_space(8.0);
                if ui.button("Open the library").clicked() {
                    self.opened = lib.take().map(|l| *l);
                }
            }
            Stage::Failed(e) => {
                ui.label(format!(
                    "The repair did not finish, and nothing was deleted.\n\n{e}"
                ));
                if ui.button("Close").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
        }
        if repair {
            next = Some(self.start_repair(ui.ctx()));
        }
        if let Some(stage) = next {
            self.stage = stage;
        }
    }

    fn start_repair(&self, ctx: &egui::Context) -> Stage {
        let (tx, rx) = channel();
        let root = self.root.clone();
        let clock = self.clock.clone();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("shoebox-repair".into())
            .spawn(move || {
                let result = library::repair(&root, clock.clone())
                    .and_then(|report| Ok((report, Library::open_with_clock(&root, clock)?)))
                    .map_err(|e| e.to_string());
                let _ = tx.send(result);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => Stage::Repairing(rx),
            Err(e) => Stage::Failed(format!("could not start the repair: {e}")),
        }
    }
}

/// What a repair did, in a sentence or two.
pub fn describe(report: &RepairReport) -> String {
    let mut text = match report.from_backup.as_ref().and_then(|b| backup_time(b)) {
        Some(t) => format!(
            "The index was restored from the automatic backup of {}.",
            crate::clock::display(t)
        ),
        None if report.from_backup.is_some() => {
            "The index was restored from the newest automatic backup.".to_string()
        }
        None => "No good backup was found, so the index was rebuilt from the files.".into(),
    };
    if report.indexed_media > 0 {
        text.push_str(&format!(
            " {} in the library's folder that the index did not know {} back, in the \
             collection \"Recovered by Shoebox\".",
            library::items(report.indexed_media),
            if report.indexed_media == 1 {
                "is"
            } else {
                "are"
            },
        ));
    }
    if report.adopted_trash > 0 {
        text.push_str(&format!(
            " {} found in the Trash {} back in the Trash.",
            library::items(report.adopted_trash),
            if report.adopted_trash == 1 {
                "is"
            } else {
                "are"
            },
        ));
    }
    if let Some(aside) = &report.set_aside {
        text.push_str(&format!(
            "\nThe damaged index was kept (not deleted) as {}.",
            aside.display()
        ));
    }
    text
}

/// When a backup was taken, from its name (`library-{unix seconds}.db`).
fn backup_time(path: &std::path::Path) -> Option<i64> {
    path.file_name()?
        .to_str()?
        .strip_prefix("library-")?
        .strip_suffix(".db")?
        .parse()
        .ok()
}
