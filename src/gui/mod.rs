//! The desktop app on eframe/egui: Gallery and Trash tabs over the library layer. The UI
//! records commands while drawing and applies them after; the library runs on its own
//! thread, thumbnails on theirs.

pub mod app;
pub mod command;
pub mod dialogs;
mod logging;
pub mod pickers;
pub mod repair;
pub mod rows;
pub mod selection;
pub mod state;
pub mod tabs;
pub mod textures;
pub mod theme;
pub mod view;
pub mod views;
pub mod watch;
pub mod worker;

use std::path::PathBuf;

use egui::{Align2, RichText};

pub use app::ShoeboxApp;
pub use command::Command;
pub use state::{Prefs, Tab, ViewMode};
use view::{Acts, View};

/// The app's icon (also installed with the `.desktop` entry).
pub const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");
const PREFS_KEY: &str = "shoebox-prefs";

/// Opens the desktop app on the library.
pub fn run(library: Option<PathBuf>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    logging::init();
    let root = crate::library::root_or_default(library)?;
    log::info!("opening the library at {}", root.display());
    let clock = crate::clock::from_env();
    let lib = match crate::library::Library::open_with_clock(&root, clock.clone()) {
        Ok(lib) => lib,
        Err(e) => {
            log::error!("{e}");
            eprintln!("shoebox: {e}");
            return show_problem(repair::StartProblem::new(root, clock, &e));
        }
    };
    let options = native_options();
    eframe::run_native(
        "Shoebox",
        options,
        Box::new(move |cc| {
            theme::apply(&cc.egui_ctx);
            let prefs = saved_prefs(cc);
            let mut app =
                ShoeboxApp::new(lib, &cc.egui_ctx, prefs, true).map_err(|e| e.to_string())?;
            app.started = Some(started);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open a window: {e}"))
}

/// The window's remembered preferences, or the defaults.
fn saved_prefs(cc: &eframe::CreationContext<'_>) -> Prefs {
    cc.storage
        .and_then(|s| eframe::get_value(s, PREFS_KEY))
        .unwrap_or_default()
}

fn native_options() -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Shoebox")
        .with_app_id("shoebox")
        .with_inner_size([1200.0, 780.0])
        .with_min_inner_size([640.0, 420.0])
        .with_drag_and_drop(true);
    if let Ok(img) = image::load_from_memory(ICON_PNG) {
        let rgba = img.into_rgba8();
        viewport = viewport.with_icon(egui::IconData {
            width: rgba.width(),
            height: rgba.height(),
            rgba: rgba.into_raw(),
        });
    }
    eframe::NativeOptions {
        viewport,
        ..Default::default()
    }
}

/// A small window for when the library cannot be opened (for example, another Shoebox has
/// it, or its index is gone and can be repaired), so a double-click launch is never
/// silent. After a repair it becomes the app itself.
fn show_problem(problem: repair::StartProblem) -> anyhow::Result<()> {
    let mut options = native_options();
    options.viewport = options.viewport.with_inner_size([620.0, 280.0]);
    eframe::run_native(
        "Shoebox",
        options,
        Box::new(move |cc| {
            theme::apply(&cc.egui_ctx);
            let prefs = saved_prefs(cc);
            Ok(Box::new(Launcher {
                problem: Some(problem),
                app: None,
                prefs,
            }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open a window: {e}"))
}

/// The problem window, until a repaired library opens in the app.
struct Launcher {
    problem: Option<repair::StartProblem>,
    app: Option<Box<ShoeboxApp>>,
    prefs: Prefs,
}

impl eframe::App for Launcher {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        if let Some(app) = &mut self.app {
            eframe::App::logic(app.as_mut(), ctx, frame);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Some(app) = &mut self.app {
            eframe::App::ui(app.as_mut(), ui, frame);
            return;
        }
        let Some(problem) = &mut self.problem else {
            return;
        };
        egui::CentralPanel::default().show(ui, |ui| problem.ui(ui));
        if let Some(lib) = problem.opened.take() {
            let ctx = ui.ctx().clone();
            match ShoeboxApp::new(lib, &ctx, self.prefs.clone(), true) {
                Ok(app) => {
                    ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(egui::vec2(
                        1200.0, 780.0,
                    )));
                    self.app = Some(Box::new(app));
                    self.problem = None;
                }
                Err(e) => log::error!("could not start the app: {e}"),
            }
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Some(app) = &mut self.app {
            eframe::App::save(app.as_mut(), storage);
        }
    }
}

impl eframe::App for ShoeboxApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        ShoeboxApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        app_ui(self, ui);
        if self.started.is_some()
            && self.shows_library()
            && let Some(t) = self.started.take()
        {
            log::info!(
                "first frame with the library ({} assets) {} ms after launch",
                self.snap.asset_count,
                t.elapsed().as_millis()
            );
        }
        if self.rows.has_wanted() {
            // Rows drawn without their records: fetched for the next frame.
            ui.ctx().request_repaint();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.prefs);
        self.saved_prefs = self.prefs.clone();
    }

    fn auto_save_interval(&self) -> std::time::Duration {
        app::PREFS_SAVE_DELAY
    }
}

/// Draws the whole window from what the app holds, then applies what the user asked for.
pub fn app_ui(app: &mut ShoeboxApp, ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    let (v, mut acts, dialog) = app.for_drawing();
    egui::Panel::top("tabs").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.add_space(4.0);
            ui.label(RichText::new("Shoebox").strong().size(16.0));
            ui.add_space(12.0);
            let tab = v.prefs.tab;
            if ui
                .selectable_label(tab == Tab::Gallery, "Gallery")
                .clicked()
            {
                acts.ask(Command::SwitchTab(Tab::Gallery));
            }
            let trash_label = format!("Trash ({})", v.snap.trash.len());
            if ui
                .selectable_label(tab == Tab::Trash, trash_label)
                .clicked()
            {
                acts.ask(Command::SwitchTab(Tab::Trash));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Settings").clicked() {
                    acts.ask(Command::OpenSettings);
                }
            });
        });
    });
    egui::Panel::top("toolbar").show(ui, |ui| match v.prefs.tab {
        Tab::Gallery => tabs::gallery::toolbar_ui(&v, &mut acts, ui),
        Tab::Trash => tabs::trash::toolbar_ui(&v, &mut acts, ui),
    });
    egui::Panel::bottom("status").show(ui, |ui| status_ui(&v, &mut acts, ui));
    if v.prefs.tab == Tab::Gallery {
        egui::Panel::left("collections")
            .resizable(true)
            .default_size(200.0)
            .show(ui, |ui| {
                tabs::gallery::tree_ui(&v, &mut acts, ui);
            });
    }
    egui::CentralPanel::default().show(ui, |ui| match v.prefs.tab {
        Tab::Gallery => tabs::gallery::content_ui(&v, &mut acts, ui),
        Tab::Trash => tabs::trash::content_ui(&v, &mut acts, ui),
    });
    views::preview::preview_ui(&v, &mut acts, &ctx);
    dialogs::dialog_ui(&v, &mut acts, dialog, &ctx);
    toast_ui(&v, &mut acts, &ctx);
    let asked = acts.commands;
    app.commands.extend(asked);
    app.apply_commands();
}

fn status_ui(v: &View, acts: &mut Acts, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label(match v.prefs.tab {
            Tab::Gallery => tabs::gallery::status_text(v),
            Tab::Trash => tabs::trash::status_text(v),
        });
        if let Some(p) = v.progress {
            ui.separator();
            let fraction = if p.total > 0 {
                p.done as f32 / p.total as f32
            } else {
                0.0
            };
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(180.0)
                    .text(format!(
                        "Importing {}/{}",
                        crate::library::thousands(p.done),
                        crate::library::thousands(p.total)
                    )),
            );
            if ui.small_button("Cancel import").clicked() {
                acts.ask(Command::StopImport);
            }
        } else if v.busy {
            ui.separator();
            ui.label("Working…");
        }
        if let Some((done, total)) = v.making_thumbnails {
            ui.separator();
            ui.label(format!(
                "Making thumbnails {} of {}",
                crate::library::thousands(done),
                crate::library::thousands(total)
            ));
        }
        if let Some(msg) = v.status {
            ui.separator();
            ui.label(msg);
        }
    });
}

fn toast_ui(v: &View, acts: &mut Acts, ctx: &egui::Context) {
    let Some(toast) = v.toast else {
        return;
    };
    // Above everything, the preview included: its Undo must be there to click.
    egui::Area::new(egui::Id::unique("toast"))
        .order(egui::Order::Tooltip)
        .anchor(Align2::CENTER_BOTTOM, [0.0, -40.0])
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.label(toast.text.as_str());
                    if toast.undo.is_some() && ui.button("Undo").clicked() {
                        acts.ask(Command::Undo);
                    }
                    if ui.small_button("Dismiss").clicked() {
                        acts.ask(Command::DismissToast);
                    }
                });
            });
        });
}
