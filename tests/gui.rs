//! The desktop app driven through egui_kittest, without a window or GPU: widgets are
//! found by their labels, clicked, and what is shown is asserted.

use std::sync::Arc;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use shoebox::clock::ManualClock;
use shoebox::gui::worker::Job;
use shoebox::gui::{Prefs, ShoeboxApp, app_ui};
use shoebox::library::{ImportOptions, Library};

use crate::common::{self, T0};

struct Gui {
    dir: tempfile::TempDir,
    clock: ManualClock,
    harness: Harness<'static, ShoeboxApp>,
}

/// A fresh library in a temporary folder, on a test clock.
fn library() -> (tempfile::TempDir, ManualClock, Library) {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let mut lib =
        Library::open_with_clock(&dir.path().join("lib"), Arc::new(clock.clone())).unwrap();
    lib.set_user("tester");
    (dir, clock, lib)
}

/// The app on a fresh library holding the given files (imported by copy).
fn gui_with(files: &[(&str, &[u8])]) -> Gui {
    gui_with_step(files, 0.25)
}

/// The same, each event handled in a frame `step` seconds after the last.
fn gui_with_step(files: &[(&str, &[u8])], step: f32) -> Gui {
    let (dir, clock, mut lib) = library();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let mut paths = Vec::new();
    for (name, bytes) in files {
        let p = src.join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    if !paths.is_empty() {
        lib.import(&paths, &ImportOptions::default(), &mut |_| {})
            .unwrap();
    }
    gui_stepping(dir, clock, lib, step)
}

/// Writes each named file (its name as its content) under `src/` and imports it into its
/// collection.
fn import_into(
    dir: &tempfile::TempDir,
    lib: &mut Library,
    files: &[(&str, shoebox::library::CollectionId)],
) {
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for (name, into) in files {
        let p = src.join(name);
        std::fs::write(&p, name).unwrap();
        let opts = ImportOptions {
            into: Some(*into),
            ..Default::default()
        };
        lib.import(&[p], &opts, &mut |_| {}).unwrap();
    }
}

/// The app on `lib`.
fn gui_on(dir: tempfile::TempDir, clock: ManualClock, lib: Library) -> Gui {
    gui_stepping(dir, clock, lib, 0.25)
}

/// The app on `lib`, each event handled in a frame `step` seconds after the last (a
/// double-click needs its two clicks within 0.3 s).
fn gui_stepping(dir: tempfile::TempDir, clock: ManualClock, lib: Library, step: f32) -> Gui {
    let ctx = egui::Context::default();
    let app = ShoeboxApp::new(lib, &ctx, Prefs::default(), false).unwrap();
    window(dir, clock, app, [1100.0, 760.0], Some(step))
}

/// `app` in a window of `size` points, each event handled in a frame `step` seconds after
/// the last. `None` is for an app on its own threads: egui_kittest's own step.
fn window(
    dir: tempfile::TempDir,
    clock: ManualClock,
    app: ShoeboxApp,
    size: [f32; 2],
    step: Option<f32>,
) -> Gui {
    // Frames enough to settle: after a change the Gallery's view and then the records
    // of its rows arrive, each in a frame of its own (and a file watched may report too).
    let mut builder = Harness::builder().with_size(size).with_max_steps(200);
    if let Some(step) = step {
        builder = builder.with_step_dt(step);
    }
    let harness = builder.build_ui_state(
        |ui, app: &mut ShoeboxApp| {
            // The app's look (its spacing), from the first frame, as the app sets it.
            shoebox::gui::theme::apply(ui.ctx());
            app.logic(ui.ctx());
            app_ui(app, ui);
        },
        app,
    );
    Gui {
        dir,
        clock,
        harness,
    }
}

impl Gui {
    fn click(&mut self, label: &str) {
        self.harness.get_by_label(label).click();
        self.harness.run();
    }

    /// Clicks the last widget with this label: the one on top (a dialog or the preview
    /// over the window's own).
    fn click_top(&mut self, label: &str) {
        let node = self.harness.query_all_by_label(label).last();
        node.unwrap_or_else(|| panic!("no {label}")).click();
        self.harness.run();
    }

    fn shows(&self, label: &str) -> bool {
        self.harness.query_by_label(label).is_some()
    }

    fn shows_text(&self, text: &str) -> bool {
        self.harness
            .query_all_by_label_contains(text)
            .next()
            .is_some()
    }

    fn key(&mut self, key: egui::Key) {
        self.harness.key_press(key);
        self.harness.run();
    }

    /// A key that scrolls the view: frames enough for the scroll's animation.
    fn scroll_key(&mut self, key: egui::Key) {
        self.harness.key_press(key);
        self.harness.run_steps(12);
    }

    /// Selects a tile and presses Enter: it opens (the preview, or a trashed collection).
    fn activate(&mut self, label: &str) {
        self.click(label);
        self.key(egui::Key::Enter);
    }

    /// Writes `rel` under `src/` and imports it, as a later import would.
    fn import_later(&mut self, rel: &str, bytes: &[u8]) {
        let path = self.dir.path().join("src").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        self.harness.state_mut().send(Job::Import {
            paths: vec![path],
            opts: ImportOptions::default(),
        });
        self.harness.run();
    }

    /// Selects a tile and moves it to the Trash through the delete dialog.
    fn trash(&mut self, name: &str) {
        self.click(name);
        self.key(egui::Key::Delete);
        assert!(
            self.shows("Delete permanently instead (skip Trash)"),
            "the delete dialog offers the checkbox"
        );
        self.click("Move to Trash");
    }

    /// Goes to the Trash tab (which reads the library again, as the app does).
    fn open_trash(&mut self) {
        self.click("Gallery");
        let label = self
            .harness
            .get_by_label_contains("Trash (")
            .accesskit_node()
            .label()
            .unwrap_or_default();
        self.click(&label);
    }
}

#[test]
fn gui_delete_moves_the_item_to_trash_and_the_count_rises() {
    let mut g = gui_with(&[("a.txt", b"alpha"), ("b.txt", b"bravo")]);
    assert!(g.shows("Trash (0)"));
    g.trash("a.txt");
    assert!(g.shows("Trash (1)"));
    assert!(!g.shows("a.txt"), "the item left the Gallery");
    assert!(g.shows("b.txt"));
    assert!(g.shows("Moved 1 item to Trash"));
}

#[test]
fn gui_cancel_in_the_delete_dialog_deletes_nothing() {
    let mut g = gui_with(&[("a.txt", b"alpha")]);
    g.click("a.txt");
    g.key(egui::Key::Delete);
    g.click("Cancel");
    assert!(g.shows("Trash (0)"));
    assert!(g.shows("a.txt"));
}

#[test]
fn gui_undo_brings_the_item_back() {
    let mut g = gui_with(&[("a.txt", b"alpha")]);
    g.trash("a.txt");
    g.click("Undo");
    assert!(g.shows("Trash (0)"));
    assert!(g.shows("a.txt"));
}

#[test]
fn gui_ctrl_z_undoes_the_last_move_to_trash() {
    let mut g = gui_with(&[("a.txt", b"alpha")]);
    g.trash("a.txt");
    g.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    g.harness.run();
    assert!(g.shows("Trash (0)"));
    assert!(g.shows("a.txt"));
}

#[test]
fn gui_trash_shows_30d_on_a_fresh_item_and_1d_29_days_later() {
    let mut g = gui_with(&[("a.txt", b"alpha")]);
    g.trash("a.txt");
    g.open_trash();
    assert!(g.shows("a.txt"));
    assert!(g.shows("30d"));
    g.clock.advance_days(29);
    g.open_trash();
    assert!(g.shows("1d"), "the badge follows the clock");
    assert!(!g.shows("30d"));
}

#[test]
fn gui_restore_returns_the_item_to_the_gallery() {
    let mut g = gui_with(&[("a.txt", b"alpha")]);
    g.trash("a.txt");
    g.open_trash();
    g.click("a.txt");
    assert!(g.shows("1 selected"));
    g.click("Restore");
    assert!(g.shows("Trash (0)"));
    assert!(g.shows("The Trash is empty"));
    g.click("Gallery");
    assert!(g.shows("a.txt"));
}

#[test]
fn gui_delete_permanently_warns_first_and_then_removes_the_file() {
    let mut g = gui_with(&[("a.txt", b"alpha")]);
    g.trash("a.txt");
    g.open_trash();
    g.click("a.txt");
    g.click("Delete permanently…");
    assert!(g.shows("Delete 1 item permanently?"));
    assert!(g.shows("This cannot be undone."));
    g.click("Delete permanently");
    assert!(g.shows("Trash (0)"));
    let trash_files = crate::common::files_under(&g.dir.path().join("lib/trash"));
    assert!(trash_files.is_empty(), "the file is gone: {trash_files:?}");
}

#[test]
fn gui_shift_delete_in_the_gallery_asks_before_destroying() {
    let mut g = gui_with(&[("a.txt", b"alpha")]);
    g.click("a.txt");
    g.harness
        .key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Delete);
    g.harness.run();
    assert!(g.shows("This cannot be undone."));
    g.click("Cancel");
    assert!(g.shows("a.txt"), "cancel never deletes");
    g.click("a.txt");
    g.harness
        .key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Delete);
    g.harness.run();
    g.click("Delete permanently");
    assert!(!g.shows("a.txt"));
    assert!(
        g.shows("Trash (0)"),
        "skipping the Trash leaves nothing in it"
    );
}

#[test]
fn gui_empty_trash_asks_delete_all_count_items() {
    let mut g = gui_with(&[("a.txt", b"alpha"), ("b.txt", b"bravo")]);
    g.trash("a.txt");
    g.trash("b.txt");
    g.open_trash();
    g.click("Empty Trash…");
    assert!(g.shows("Delete all 2 items?"));
    g.click("Cancel");
    assert!(g.shows("Trash (2)"), "cancel never deletes");
    g.click("Empty Trash…");
    g.click("Empty Trash");
    assert!(g.shows("Trash (0)"));
    assert!(g.shows("The Trash is empty"));
}

#[test]
fn gui_restore_with_a_name_conflict_asks_for_a_new_name() {
    let mut g = gui_with(&[("a.txt", b"alpha")]);
    g.trash("a.txt");
    g.import_later("other/a.txt", b"a different a.txt");
    g.open_trash();
    g.click("a.txt");
    g.click("Restore");
    assert!(g.shows("That name is taken"), "the rename dialog opens");
    // Said for people: no "name conflict:" prefix, no advice about flags.
    assert!(g.shows_text("is already at its original place"));
    assert!(!g.shows_text("name conflict"));
    assert!(
        g.harness.query_all_by_value("a (2).txt").count() > 0,
        "the first free name is suggested"
    );
    g.click("Rename and restore");
    assert!(g.shows("Trash (0)"));
    g.click("Gallery");
    assert!(g.shows("a (2).txt"));
    assert!(g.shows("a.txt"));
}

#[test]
fn gui_restore_into_a_trashed_collection_asks_for_a_location() {
    let mut g = gui_with(&[]);
    g.harness.state_mut().send(Job::CreateCollection {
        parent: None,
        name: "Album".into(),
    });
    g.harness.run();
    g.click("Album");
    let file = g.dir.path().join("src/in-album.txt");
    std::fs::write(&file, b"x").unwrap();
    g.harness.state_mut().send(Job::Import {
        paths: vec![file],
        opts: ImportOptions {
            into: Some(shoebox::library::CollectionId(1)),
            ..Default::default()
        },
    });
    g.harness.run();
    g.trash("in-album.txt");
    g.harness
        .state_mut()
        .send(Job::Trash(vec![shoebox::library::ItemId::Collection(
            shoebox::library::CollectionId(1),
        )]));
    g.harness.run();
    g.open_trash();
    g.click("in-album.txt");
    g.click("Restore");
    assert!(g.shows("Choose where to restore"));
    g.click("Top of the library");
    g.click("Restore here");
    assert!(
        g.shows("Trash (1)"),
        "only the collection is left in the Trash"
    );
}

#[test]
fn gui_empty_library_shows_a_welcome_with_import_buttons() {
    let g = gui_with(&[]);
    assert!(g.shows("Welcome to Shoebox"));
    assert_eq!(
        g.harness.query_all_by_label("Import files…").count(),
        2,
        "toolbar and welcome"
    );
}

#[test]
fn gui_list_view_shows_the_table_columns() {
    let mut g = gui_with(&[("a.txt", b"alpha")]);
    g.click("List");
    for column in [
        "Name",
        "Rating",
        "Flag",
        "Label",
        "Kind",
        "Size",
        "Dimensions",
        "Capture date",
        "Location",
    ] {
        assert!(g.shows(column), "column {column}");
    }
    g.trash("a.txt");
    g.open_trash();
    for column in ["Days left", "Deleted", "Deleted by", "Original location"] {
        assert!(g.shows(column), "column {column}");
    }
    assert!(g.shows("30d"));
    assert!(g.shows("tester"));
}

#[test]
fn gui_selection_with_ctrl_shift_and_select_all() {
    let mut g = gui_with(&[
        ("a.txt", b"1"),
        ("b.txt", b"2"),
        ("c.txt", b"3"),
        ("d.txt", b"4"),
    ]);
    g.harness.get_by_value("Capture date").click();
    g.harness.run();
    g.click("Name");
    g.click("a.txt");
    g.harness
        .get_by_label("c.txt")
        .click_modifiers(egui::Modifiers::SHIFT);
    g.harness.run();
    assert!(g.shows("3 selected"));
    g.harness
        .get_by_label("b.txt")
        .click_modifiers(egui::Modifiers::COMMAND);
    g.harness.run();
    assert!(g.shows("2 selected"));
    g.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    g.harness.run();
    assert!(g.shows("4 selected"));
    g.click("Delete…");
    g.click("Move to Trash");
    assert!(g.shows("Trash (4)"));
    assert!(g.shows("Moved 4 items to Trash"));
}

#[test]
fn gui_search_filters_the_gallery_and_the_trash() {
    let mut g = gui_with(&[("beach.txt", b"1"), ("city.txt", b"2")]);
    let search = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap();
    search.focus();
    search.type_text("bea");
    g.harness.run();
    assert!(g.shows("beach.txt"));
    assert!(!g.shows("city.txt"));
}

#[test]
fn gui_settings_say_how_many_items_a_shorter_retention_purges() {
    let mut g = gui_with(&[("a.txt", b"1")]);
    g.trash("a.txt");
    g.clock.advance_days(10);
    g.click("Settings");
    assert!(g.shows("Keep items in the Trash for"));

    g.harness.get_by_value("30 days").set_value_accesskit(5.0);
    g.harness.run();
    assert!(
        g.harness.query_by_value("5 days").is_some(),
        "retention field now reads 5 days"
    );

    assert!(g.shows("Saving will purge 1 item at the next sweep."));
    g.click("Save");
    g.open_trash();
    assert!(
        g.shows_text("deleted permanently 5 days after"),
        "the new retention is saved"
    );
}

#[test]
fn gui_preview_opens_with_space_steps_with_arrows_and_closes_with_escape() {
    let mut g = gui_with(&[("a.txt", b"1"), ("b.txt", b"2")]);
    g.harness.get_by_value("Capture date").click();
    g.harness.run();
    g.click("Name");
    g.click("a.txt");
    g.key(egui::Key::Space);
    assert!(g.shows("Properties"), "the preview opens");
    assert!(g.shows("Next ›"));
    g.key(egui::Key::ArrowRight);
    assert_eq!(
        g.harness.query_all_by_label("b.txt").count(),
        2,
        "the tile and the preview's title"
    );
    g.key(egui::Key::Escape);
    assert!(!g.shows("Properties"), "Esc closes the preview");
}

#[test]
fn gui_collections_can_be_made_and_an_import_goes_into_the_one_shown() {
    let mut g = gui_with(&[]);
    g.click("+");
    assert!(g.shows("New collection"));
    let field = g
        .harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "New collection");
    field.focus();
    field.type_text("Trips");
    g.harness.run();
    g.click("OK");
    assert!(g.shows("Trips"), "the tree shows the new collection");
    g.click("Trips");
    assert!(g.shows("This collection is empty"));
    let file = g.dir.path().join("src/beach.txt");
    std::fs::write(&file, b"sand").unwrap();
    g.harness.state_mut().send(Job::Import {
        paths: vec![file],
        opts: ImportOptions {
            into: Some(shoebox::library::CollectionId(1)),
            ..Default::default()
        },
    });
    g.harness.run();
    assert!(g.shows("beach.txt"));
    g.click("All items");
    assert!(g.shows("beach.txt"));
}

#[test]
fn gui_importing_a_file_that_is_in_the_trash_offers_to_restore_it() {
    let mut g = gui_with(&[("a.txt", b"same bytes")]);
    g.trash("a.txt");
    let again = g.dir.path().join("src/copy.txt");
    std::fs::write(&again, b"same bytes").unwrap();
    g.harness.state_mut().send(Job::Import {
        paths: vec![again],
        opts: ImportOptions::default(),
    });
    g.harness.run();
    assert!(g.shows_text("already in the Trash"));
    g.click("Restore from Trash");
    assert!(g.shows("Trash (0)"));
    assert!(
        g.shows("a.txt"),
        "the trashed item came back instead of a duplicate"
    );
    assert!(!g.shows("copy.txt"));
}

#[test]
fn gui_the_trash_groups_by_deletion_and_restores_a_whole_batch() {
    let mut g = gui_with(&[("a.txt", b"1"), ("b.txt", b"2"), ("c.txt", b"3")]);
    g.click("a.txt");
    g.harness
        .get_by_label("b.txt")
        .click_modifiers(egui::Modifiers::COMMAND);
    g.harness.run();
    g.key(egui::Key::Delete);
    g.click("Move to Trash");
    g.trash("c.txt");
    g.open_trash();
    g.click("Group by deletion");
    assert!(g.shows_text("2 items from the top of the library"));
    assert!(g.shows_text("1 item from the top of the library"));
    let restore_buttons: Vec<_> = g.harness.query_all_by_label("Restore all").collect();
    assert_eq!(restore_buttons.len(), 2);
    // The newest deletion (c.txt) is listed first; restore the older, two-item one.
    restore_buttons[1].click();
    g.harness.run();
    assert!(g.shows("Trash (1)"));
    g.click("Gallery");
    assert!(g.shows("a.txt") && g.shows("b.txt"));
    assert!(!g.shows("c.txt"));
}

#[test]
fn gui_selected_assets_move_to_a_collection() {
    let mut g = gui_with(&[("a.txt", b"1")]);
    g.harness.state_mut().send(Job::CreateCollection {
        parent: None,
        name: "Album".into(),
    });
    g.harness.run();
    g.click("a.txt");
    g.click("Move to");
    let album_buttons: Vec<_> = g.harness.query_all_by_label("Album").collect();
    assert_eq!(album_buttons.len(), 2, "the tree and the menu");
    album_buttons[0].click();
    g.harness.run();
    assert!(g.shows("Moved 1 item"));
    g.click("Album");
    assert!(g.shows("a.txt"), "it is in the collection now");
}

#[test]
fn finding04_the_window_offers_repair_when_the_library_db_is_gone_and_then_opens_it() {
    use shoebox::gui::repair::StartProblem;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    let clock = ManualClock::new(T0);
    {
        let mut lib = Library::open_with_clock(&root, Arc::new(clock.clone())).unwrap();
        let src = dir.path().join("beach.jpg");
        std::fs::write(&src, b"the beach").unwrap();
        lib.import(&[src], &ImportOptions::default(), &mut |_| {})
            .unwrap();
    }
    std::fs::write(root.join("library.db"), b"").unwrap();
    let err = Library::open_with_clock(&root, Arc::new(clock.clone())).unwrap_err();
    let problem = StartProblem::new(root.clone(), Arc::new(clock.clone()), &err);
    let mut harness = Harness::builder()
        .with_size([620.0, 300.0])
        .build_ui_state(|ui, p: &mut StartProblem| p.ui(ui), problem);
    harness.run();
    assert!(harness.query_by_label_contains("is empty").is_some());
    harness.get_by_label("Repair the library").click();
    // The repair runs on its own thread; frames go on until it reports.
    for _ in 0..200 {
        harness.step(); // a spinner repaints without end: one frame at a time
        if harness.query_by_label("Open the library").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(
        harness
            .query_by_label_contains("rebuilt from the files")
            .is_some()
    );
    harness.get_by_label("Open the library").click();
    harness.run();
    let lib = harness
        .state_mut()
        .opened
        .take()
        .expect("the repaired library");
    let names: Vec<String> = lib
        .assets(Default::default())
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, vec!["beach.jpg"]);
}

#[test]
fn finding01_the_window_says_the_trash_drive_is_unplugged_and_keeps_the_item() {
    let Some(mut drive) = common::Drive::new("8m") else {
        return;
    };
    let (dir, clock, mut lib) = library();
    lib.set_user("tester");
    let photo = drive.mount_point.join("portrait.jpg");
    std::fs::write(&photo, b"a photo on a removable drive").unwrap();
    let id = lib
        .import(
            std::slice::from_ref(&photo),
            &ImportOptions {
                in_place: true,
                ..Default::default()
            },
            &mut |_| {},
        )
        .unwrap()
        .imported[0]
        .id;
    lib.trash(&[id]).unwrap();
    let mut g = gui_on(dir, clock, lib);
    drive.unplug();
    g.open_trash();
    g.click("portrait.jpg");
    g.click("Restore");
    assert!(
        g.shows_text("stays in the Trash"),
        "the window says why nothing was restored"
    );
    assert!(
        g.shows_text(&drive.mount_point.display().to_string()),
        "the message names the drive"
    );
    assert!(g.shows("Trash (1)"), "the item is still in the Trash");
    drive.plug();
    let kept = common::files_under(&drive.mount_point)
        .iter()
        .any(|f| std::fs::read(f).is_ok_and(|b| b == b"a photo on a removable drive"));
    assert!(kept, "the photo is still in the drive's trash area");
}

/// Walk-through finding 1: the first click of a double-click made the "1 selected" bar
/// appear, which pushed the grid down by its height, so the second click landed on the
/// tile above and the wrong photo opened.
#[test]
fn walk01_a_double_click_opens_the_tile_under_the_pointer() {
    let names: Vec<String> = (0..12).map(|i| format!("f{i:02}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), n.as_bytes())).collect();
    // Sixty frames a second: the two clicks of a double-click are 0.3 s apart at most.
    let mut g = gui_with_step(&files, 1.0 / 60.0);
    g.harness.get_by_value("Capture date").click();
    g.harness.run();
    g.click("Name");
    // A tile on the second row, clicked just inside its top edge.
    let target = "f07.txt";
    let before = g.harness.get_by_label(target).rect();
    let at = egui::pos2(before.center().x, before.top() + 3.0);
    let click = |g: &mut Gui| {
        g.harness.event(egui::Event::PointerMoved(at));
        for pressed in [true, false] {
            g.harness.event(egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::default(),
            });
        }
        g.harness.run();
    };
    // Half a second later than the click that sorted, so this is a double-click, not a
    // triple one.
    for _ in 0..30 {
        g.harness.step();
    }
    click(&mut g);
    assert!(g.shows("1 selected"));
    assert_eq!(
        g.harness.get_by_label(target).rect(),
        before,
        "the grid stayed where it was"
    );
    click(&mut g);
    assert!(g.shows("Properties"), "the preview opened");
    assert_eq!(
        g.harness.query_all_by_label(target).count(),
        2,
        "the tile and the preview's title: the photo under the pointer"
    );
}

/// Walk-through finding 3: culling is delete → next → delete, but a delete (or a restore in
/// the Trash) closed the preview.
#[test]
fn walk03_after_a_delete_or_restore_the_preview_shows_the_next_item() {
    let mut g = gui_with(&[("a.txt", b"1"), ("b.txt", b"2"), ("c.txt", b"3")]);
    g.harness.get_by_value("Capture date").click();
    g.harness.run();
    g.click("Name");
    g.click("a.txt");
    g.key(egui::Key::Space);
    let previewed = |g: &Gui, name: &str| g.harness.query_all_by_label(name).count() == 2;
    assert!(previewed(&g, "a.txt"));
    for (gone, next) in [("a.txt", "b.txt"), ("b.txt", "c.txt")] {
        g.click_top("Delete…");
        g.click("Move to Trash");
        assert!(g.shows("Properties"), "the preview stays open");
        assert!(!g.shows(gone));
        assert!(previewed(&g, next), "{next} is shown after {gone} went");
    }
    // The last one: the preview closes.
    g.click_top("Delete…");
    g.click("Move to Trash");
    assert!(!g.shows("Properties"), "nothing left to show");
    assert!(g.shows("Trash (3)"));
    // In the Trash, a restore moves on the same way.
    g.open_trash();
    g.click("a.txt");
    g.key(egui::Key::Space);
    assert!(g.shows("Properties"));
    let first = ["a.txt", "b.txt", "c.txt"]
        .into_iter()
        .find(|n| previewed(&g, n))
        .expect("an item is previewed");
    g.click_top("Restore");
    assert!(
        g.shows("Properties"),
        "the preview stays open after a restore"
    );
    assert!(g.shows("Trash (2)"));
    assert!(!previewed(&g, first));
}

/// Walk-through finding 4: Enter did not confirm dialogs (new collection, delete, the
/// rename on restore); Esc cancels; a permanent delete is never confirmed by Enter.
#[test]
fn walk04_enter_confirms_a_dialog_and_esc_cancels_it() {
    let mut g = gui_with(&[("a.txt", b"alpha"), ("b.txt", b"bravo")]);
    // New collection: typed, then Enter.
    g.click("+");
    let field = g
        .harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "New collection");
    field.focus();
    field.type_text("Trips");
    g.harness.run();
    g.key(egui::Key::Enter);
    assert!(!g.shows("New collection"), "the dialog closed");
    assert!(g.shows("Trips"), "and the collection was made");
    // Esc cancels: nothing is made.
    g.click("+");
    g.key(egui::Key::Escape);
    assert!(!g.shows("New collection"));
    // Delete: Enter moves to the Trash.
    g.click("a.txt");
    g.key(egui::Key::Delete);
    g.key(egui::Key::Enter);
    assert!(g.shows("Trash (1)"), "Enter moved it to the Trash");
    // With "skip Trash" ticked, Enter does not destroy anything.
    g.click("b.txt");
    g.key(egui::Key::Delete);
    g.activate("Delete permanently instead (skip Trash)");
    assert!(
        g.shows("b.txt") && g.shows("Trash (1)"),
        "b.txt is untouched"
    );
    g.key(egui::Key::Escape);
    assert!(!g.shows("Delete permanently instead (skip Trash)"));
    // The rename on restore: Enter takes the suggested name.
    g.import_later("other/a.txt", b"a different a.txt");
    g.open_trash();
    g.click("a.txt");
    g.click_top("Restore");
    assert!(g.shows("That name is taken"));
    g.key(egui::Key::Enter);
    assert!(g.shows("Trash (0)"), "restored under the new name");
}

/// Walk-through finding 6: trashing the collection being viewed left the view on it
/// ("This collection is empty", nothing chosen in the tree); a collection holding only
/// collections said it was empty.
#[test]
fn walk06_trashing_the_collection_shown_goes_to_its_parent() {
    let (dir, clock, mut lib) = library();
    let trips = lib.create_collection(None, "Trips").unwrap();
    let year = lib.create_collection(Some(trips), "2024").unwrap();
    let archive = lib.create_collection(None, "Archive").unwrap();
    let old = lib.create_collection(Some(archive), "Old").unwrap();
    import_into(
        &dir,
        &mut lib,
        &[("a.txt", trips), ("b.txt", year), ("c.txt", old)],
    );
    let mut g = gui_on(dir, clock, lib);
    // Only collections inside: they are shown, and open from there.
    g.click("Archive");
    assert!(g.shows("This collection holds 1 collection:"));
    g.click_top("Old");
    assert!(g.shows("c.txt"));
    // The collection shown goes to the Trash: its parent is shown.
    g.click("2024");
    assert!(g.shows("b.txt"));
    g.harness
        .state_mut()
        .send(Job::Trash(vec![shoebox::library::ItemId::Collection(year)]));
    g.harness.run();
    assert!(g.shows("Trash (1)"));
    assert!(g.shows("a.txt"), "Trips, the parent, is shown");
    assert!(!g.shows("This collection is empty"));
}

/// Walk-through finding 8: Page Up/Down, Home and End did nothing; a long grid could only
/// be crossed with the mouse wheel. They move the focus (and the selection), and the view
/// follows it.
#[test]
fn walk08_page_keys_home_and_end_move_the_focus_and_the_view_follows() {
    let names: Vec<String> = (0..90).map(|i| format!("f{i:02}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), n.as_bytes())).collect();
    let mut g = gui_with(&files);
    g.harness.get_by_value("Capture date").click();
    g.harness.run();
    g.click("Name");
    g.click("f00.txt");
    g.scroll_key(egui::Key::End);
    assert!(g.shows("f89.txt"), "the last tile is in view");
    assert!(!g.shows("f00.txt"), "the first has scrolled away");
    assert!(g.shows("1 selected"));
    g.scroll_key(egui::Key::Home);
    assert!(g.shows("f00.txt"));
    assert!(!g.shows("f89.txt"));
    g.scroll_key(egui::Key::PageDown);
    g.scroll_key(egui::Key::PageDown);
    g.scroll_key(egui::Key::PageDown);
    assert!(
        !g.shows("f00.txt"),
        "three pages down, the top is out of view"
    );
    g.scroll_key(egui::Key::PageUp);
    g.scroll_key(egui::Key::PageUp);
    g.scroll_key(egui::Key::PageUp);
    assert!(g.shows("f00.txt"), "and back");
    // The list view too.
    g.click("List");
    g.scroll_key(egui::Key::End);
    assert!(g.shows("f89.txt"));
    assert!(!g.shows("f00.txt"));
}

/// Walk-through finding 9, the smaller things seen: the delete dialog's title when "skip
/// Trash" is ticked, "Delete all 1 items?", "1 days", and a status line that counted the
/// whole library while a search showed part of it.
#[test]
fn walk09_the_words_say_what_happens() {
    let mut g = gui_with(&[
        ("a.txt", b"alpha"),
        ("b.txt", b"bravo"),
        ("c.txt", b"charlie"),
    ]);
    g.click("a.txt");
    g.key(egui::Key::Delete);
    assert!(g.shows("Move \"a.txt\" to the Trash?"));
    g.click("Delete permanently instead (skip Trash)");
    assert!(g.shows("Delete \"a.txt\" permanently?"));
    assert!(!g.shows("Move \"a.txt\" to the Trash?"));
    g.key(egui::Key::Escape);
    // A search shows part of the library: the status line says which part.
    let search = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap();
    search.focus();
    search.type_text("b.txt");
    g.harness.run();
    assert!(
        g.shows_text("1 of 3 items"),
        "the status line counts what is shown"
    );
    let search = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap();
    search.focus();
    for _ in 0..5 {
        g.harness.key_press(egui::Key::Backspace);
    }
    g.harness.run();
    assert!(g.shows_text("3 items ·"));
    // One item in the Trash: "Delete 1 item?", and a retention of one day is "1 day".
    g.trash("c.txt");
    g.harness.state_mut().send(Job::SaveSettings {
        retention_days: 1,
        sweep_interval_minutes: 60,
        join_new_files: true,
        write_xmp: false,
    });
    g.harness.run();
    g.open_trash();
    assert!(g.shows_text("deleted permanently 1 day after"));
    g.click("Empty Trash…");
    assert!(g.shows("Delete 1 item?"));
}

/// Walk-through finding 9: the Trash's sort had no direction toggle.
#[test]
fn walk09_the_trash_order_can_be_reversed() {
    let mut g = gui_with(&[("a.txt", b"alpha"), ("b.txt", b"bravo")]);
    g.trash("a.txt");
    g.trash("b.txt");
    g.open_trash();
    g.harness.get_by_value("Deleted date").click();
    g.harness.run();
    g.click("Name");
    let x = |g: &Gui, name: &str| g.harness.get_by_label(name).rect().left();
    assert!(x(&g, "a.txt") < x(&g, "b.txt"), "A to Z");
    g.click("Reversed");
    assert!(x(&g, "b.txt") < x(&g, "a.txt"), "Z to A");
}

/// Walk-through finding 7: a file deleted outside Shoebox was noticed only at the next
/// launch. The library's folders are watched: its tile says "missing" within seconds, the
/// preview says so plainly (not an OS error), and the tile comes back with the file.
#[test]
fn walk07_a_file_deleted_outside_shoebox_shows_missing_within_seconds_and_back_again() {
    let mut g = gui_with(&[("a.txt", b"alpha"), ("b.txt", b"bravo")]);
    let media = g.dir.path().join("lib").join("media");
    let file = crate::common::files_under(&media)
        .into_iter()
        .find(|p| std::fs::read(p).is_ok_and(|b| b == b"alpha"))
        .expect("a.txt is in media/");
    let missing = |g: &Gui| g.harness.query_by_value("missing").is_some();
    assert!(!missing(&g));
    // A second of real time for the watch to see it, frames for the window's check.
    let settle = |g: &mut Gui| {
        for _ in 0..40 {
            std::thread::sleep(std::time::Duration::from_millis(25));
            g.harness.step();
        }
        g.harness.run_steps(8);
    };
    std::fs::remove_file(&file).unwrap();
    settle(&mut g);
    assert!(missing(&g), "the tile says missing");
    g.click("a.txt");
    g.key(egui::Key::Space);
    assert!(g.shows_text("moved or deleted outside Shoebox"));
    assert!(!g.shows_text("os error"));
    g.key(egui::Key::Escape);
    // Put back, it is no longer missing.
    std::fs::write(&file, b"alpha").unwrap();
    settle(&mut g);
    assert!(!missing(&g), "back again");
}

/// Walk-through finding 9: a video tile could carry its playing time, the tree its counts.
#[test]
fn walk09_video_tiles_show_their_duration_and_the_tree_its_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let clip = tmp.path().join("clip.mp4");
    if crate::common::make_video(&clip, 2).is_none() {
        return;
    }
    let bytes = std::fs::read(&clip).unwrap();
    let mut g = gui_with(&[("clip.mp4", &bytes)]);
    assert!(g.shows("0:02"), "the tile shows the video's length");
    // A collection with two items shows "2" beside its name.
    let dir = g.dir.path().join("src/Trips");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), b"a").unwrap();
    std::fs::write(dir.join("b.txt"), b"b").unwrap();
    g.harness.state_mut().send(Job::Import {
        paths: vec![dir],
        opts: ImportOptions::default(),
    });
    g.harness.run();
    assert!(g.shows("Trips"));
    assert!(g.shows("2"), "the tree counts the collection's items");
}

/// The sort menu's eighth key, Kind, lay below the menu's edge (the menu held seven and
/// showed no sign of more): a click there closed the menu and sorted nothing. Every key is
/// in view, and a click on Kind sorts by it.
#[test]
fn gui_the_sort_menu_shows_every_key_and_kind_sorts() {
    // At the app's own look (`window`): its spacing made the menu's entries taller than
    // egui's.
    let mut g = gui_with(&[("b.mp3", b"2"), ("a.txt", b"1"), ("c.jpg", b"3")]);
    g.harness.get_by_value("Capture date").click();
    g.harness.run();
    g.click("Kind");
    assert!(
        g.harness.query_by_value("Kind").is_some(),
        "the menu says Kind"
    );
    g.click("List");
    let y = |g: &Gui, name: &str| g.harness.get_by_label(name).rect().top();
    // Images, then audio, then other files.
    assert!(y(&g, "c.jpg") < y(&g, "b.mp3") && y(&g, "b.mp3") < y(&g, "a.txt"));
}

/// Walk-through finding 9: the list's headers did not sort.
#[test]
fn walk09_a_click_on_a_list_header_sorts_by_it_and_again_turns_the_order_around() {
    let mut g = gui_with(&[("b.txt", b"22"), ("a.txt", b"1"), ("c.txt", b"333")]);
    g.click("List");
    g.click("Name");
    let y = |g: &Gui, name: &str| g.harness.get_by_label(name).rect().top();
    assert!(y(&g, "a.txt") < y(&g, "b.txt") && y(&g, "b.txt") < y(&g, "c.txt"));
    g.click("Name");
    assert!(y(&g, "c.txt") < y(&g, "b.txt") && y(&g, "b.txt") < y(&g, "a.txt"));
    g.click("Size");
    assert!(y(&g, "a.txt") < y(&g, "b.txt") && y(&g, "b.txt") < y(&g, "c.txt"));
    // The Trash's list too.
    g.trash("a.txt");
    g.trash("b.txt");
    g.open_trash();
    g.click("Name");
    assert!(y(&g, "a.txt") < y(&g, "b.txt"));
    g.click("Name");
    assert!(y(&g, "b.txt") < y(&g, "a.txt"));
}

/// The window on the real threaded path: the library works on its own thread, the status
/// line says so while a job is in flight, and the replies arrive in later frames.
#[test]
fn gui_on_the_library_thread_shows_work_in_flight_and_its_results() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let lib = Library::open_with_clock(&dir.path().join("lib"), Arc::new(clock.clone())).unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let ctx = egui::Context::default();
    let helper = env!("CARGO_BIN_EXE_shoebox").into();
    let app = ShoeboxApp::with_helper(lib, &ctx, Prefs::default(), true, Some(helper)).unwrap();
    let mut g = window(dir, clock, app, [1100.0, 760.0], None);
    // Frames go on while the library thread works; true once `done` holds. A minute at
    // most: a busy machine (or Wine) may take a while.
    let wait = |g: &mut Gui, done: &dyn Fn(&Gui) -> bool, seen: &mut bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            g.harness.step();
            *seen |= g.shows_text("Working…") || g.shows_text("Importing");
            if done(g) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        false
    };
    let mut busy = false;
    assert!(wait(
        &mut g,
        &|g| g.shows_text("Welcome to Shoebox"),
        &mut busy
    ));
    let paths: Vec<_> = (0..400)
        .map(|i| {
            let p = src.join(format!("f{i:03}.txt"));
            std::fs::write(&p, format!("file {i}")).unwrap();
            p
        })
        .collect();
    let mut busy = false;
    g.harness.state_mut().send(Job::Import {
        paths,
        opts: ImportOptions::default(),
    });
    assert!(
        wait(&mut g, &|g| g.shows_text("Imported 400 items"), &mut busy),
        "the import's reply arrived"
    );
    assert!(busy, "the status line said work was in flight");
    // The Gallery's rows follow (its view and their records are read after the change).
    assert!(wait(&mut g, &|g| g.shows("f000.txt"), &mut busy));
    g.trash("f000.txt");
    assert!(wait(&mut g, &|g| g.shows("Trash (1)"), &mut busy));
    assert!(wait(&mut g, &|g| !g.shows("f000.txt"), &mut busy));
}

/// Walk-through finding 9: a RAW+JPEG pair could say so on its tile.
#[test]
fn walk09_a_raw_and_jpeg_pair_says_so_on_its_tile() {
    let png = {
        let mut bytes = Vec::new();
        image::RgbImage::from_pixel(4, 4, image::Rgb([9, 9, 9]))
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    };
    let g = gui_with(&[
        ("IMG_1.jpg", &png),
        ("IMG_1.CR2", b"raw bytes"),
        ("b.txt", b"b"),
    ]);
    assert!(g.shows("IMG_1.jpg"));
    assert!(!g.shows("IMG_1.CR2"), "the pair is one item");
    assert_eq!(g.harness.query_all_by_label("RAW+JPEG").count(), 1);
}

/// New-user finding 21: a RAW+JPEG pair showed both files' size together beside the JPEG's
/// dimensions. Its properties say each file's part and whose dimensions they are.
#[test]
fn newuser21_a_raw_and_jpeg_pair_says_each_files_size_and_whose_dimensions() {
    let png = {
        let mut bytes = Vec::new();
        image::RgbImage::from_pixel(4, 3, image::Rgb([9, 9, 9]))
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    };
    let raw = vec![7u8; 3000];
    let mut g = gui_with(&[("IMG_1.jpg", &png), ("IMG_1.CR2", &raw)]);
    g.activate("IMG_1.jpg");
    assert!(g.shows("Properties"));
    let total = shoebox::library::human_size((png.len() + raw.len()) as u64);
    let jpg = shoebox::library::human_size(png.len() as u64);
    let cr2 = shoebox::library::human_size(raw.len() as u64);
    assert!(
        g.shows_text(&format!("{total} (JPG {jpg} + CR2 {cr2})")),
        "each file's part"
    );
    assert!(g.shows_text("4 × 3 (the JPG)"));
}

/// "Trips" (a.txt, and 2024 holding b.txt and d.txt) moved to the Trash as one entry, the
/// Trash shown.
fn trips_in_the_trash() -> Gui {
    let (dir, clock, mut lib) = library();
    let trips = lib.create_collection(None, "Trips").unwrap();
    let year = lib.create_collection(Some(trips), "2024").unwrap();
    import_into(
        &dir,
        &mut lib,
        &[("a.txt", trips), ("b.txt", year), ("d.txt", year)],
    );
    lib.trash(&[shoebox::library::ItemId::Collection(trips)])
        .unwrap();
    let mut g = gui_on(dir, clock, lib);
    g.open_trash();
    g
}

/// Walk-through finding 2: a trashed collection was one closed entry; what it held could not
/// be seen. It opens (Enter, double-click, or "Open") read-only, sub-collections too, with a
/// path back up (Backspace goes up one).
#[test]
fn walk02_a_trashed_collection_opens_read_only_to_show_what_it_holds() {
    let mut g = trips_in_the_trash();
    assert!(g.shows("Trips"));
    assert!(!g.shows("a.txt"), "the entry is closed");
    g.activate("Trips");
    assert!(g.shows("a.txt"));
    assert!(g.shows("2024"), "its sub-collection is shown");
    assert!(!g.shows("b.txt"), "what 2024 holds is inside 2024");
    assert!(g.shows_text("In the Trash, read-only"));
    assert!(g.shows_text("2 items in \"Trips\""));
    assert!(g.shows("Trash (1)"), "the Trash still counts one entry");
    // Down into the sub-collection, and back up.
    g.activate("2024");
    assert!(g.shows("b.txt"));
    assert!(!g.shows("a.txt"));
    g.key(egui::Key::Backspace);
    assert!(g.shows("a.txt"));
    g.click("Trash");
    assert!(g.shows("Trips"));
    assert!(!g.shows("a.txt"));
    // Restored (an Undo, say) while its sub-collection is open: the Trash shows what is left.
    g.activate("Trips");
    g.activate("2024");
    assert!(g.shows("b.txt"));
    let trips = shoebox::library::ItemId::Collection(shoebox::library::CollectionId(1));
    g.harness.state_mut().send(Job::Restore {
        id: trips,
        opts: Default::default(),
    });
    g.harness.run();
    assert!(g.shows("The Trash is empty"));
    assert!(
        !g.shows_text("In the Trash, read-only"),
        "nothing is left open"
    );
}

/// Walk-through finding 2: searching the Trash for a photo inside a trashed collection said
/// nothing matched. It is found, and says which collection it went with; it can be previewed.
#[test]
fn walk02_the_trash_search_finds_what_trashed_collections_hold() {
    let mut g = trips_in_the_trash();
    let search = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap();
    search.focus();
    search.type_text("b.t");
    g.harness.run();
    assert!(g.shows("b.txt"));
    assert!(g.shows_text("1 item found"));
    g.click("List");
    assert!(
        g.shows("Trips/2024 (in the Trash with \"Trips\")"),
        "it says which entry it went with"
    );
    g.activate("b.txt");
    assert!(g.shows("Trips/2024"), "the preview's properties");
    assert!(g.shows("Export a copy…"));
}

/// Walk-through finding 2: one item from inside a trashed collection is restored on its own:
/// its collection is in the Trash, so SPEC rule 8 asks where; several are asked once.
#[test]
fn walk02_items_from_inside_a_trashed_collection_are_restored_on_their_own() {
    let mut g = trips_in_the_trash();
    g.activate("Trips");
    g.click("a.txt");
    g.click("Restore");
    assert!(g.shows("Choose where to restore"));
    assert!(g.shows_text("its collection \"Trips\" is in the Trash"));
    g.click("Top of the library");
    g.click("Restore here");
    assert!(g.shows("Restored 1 item"));
    assert!(!g.shows("a.txt"), "it left the Trash");
    assert!(g.shows("2024"), "the rest is still inside");
    // Two at once: one question for both.
    g.activate("2024");
    g.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    g.harness.run();
    assert!(g.shows("2 selected"));
    g.click("Restore");
    assert!(g.shows_text("These 2 items went to the Trash with their collection"));
    g.click("Top of the library");
    g.click("Restore here");
    assert!(g.shows("Restored 2 items"));
    assert!(g.shows("Nothing is left in here"));
    assert!(
        g.shows("Trash (1)"),
        "the emptied collections are still in the Trash"
    );
    g.click("Gallery");
    for name in ["a.txt", "b.txt", "d.txt"] {
        assert!(g.shows(name), "{name} is back, at the top");
    }
}

/// Walk-through finding 9: a trashed collection's tile had no picture. It shows the first (by
/// name) of the pictures it holds at any depth, and each sub-collection its own.
#[test]
fn walk09_a_trashed_collection_tile_shows_a_picture_it_holds() {
    let mut f = common::Fixture::new();
    f.png("Trips/m.png", 8, 8);
    f.png("Trips/2024/b.png", 8, 8);
    f.file("Trips/2024/a-notes.txt", b"not a picture");
    f.png("Trips/2025/c.png", 8, 8);
    f.import(&[f.src().join("Trips")], None);
    let id = |f: &common::Fixture, path: &str| {
        f.lib
            .collections()
            .unwrap()
            .into_iter()
            .find(|c| c.path == path)
            .and_then(|c| c.id.collection())
            .unwrap()
    };
    let (trips, y2024, y2025) = (id(&f, "Trips"), id(&f, "Trips/2024"), id(&f, "Trips/2025"));
    f.lib
        .trash(&[shoebox::library::ItemId::Collection(trips)])
        .unwrap();
    let snap = shoebox::gui::worker::snapshot(&mut f.lib).unwrap();
    let covers = shoebox::gui::tabs::trash::covers(&snap);
    let cover = |c| covers.get(&c).map(|&i| snap.trash_inside[i].name.as_str());
    assert_eq!(
        cover(trips),
        Some("b.png"),
        "the first picture by name, at any depth"
    );
    assert_eq!(cover(y2024), Some("b.png"), "not the text file");
    assert_eq!(cover(y2025), Some("c.png"));
}

/// New-user finding 5: a sub-collection inside a trashed collection is restored on its
/// own with what it holds: its place is in the Trash, so the window asks where (in words,
/// no ids), and the Trash keeps the rest of its collection.
#[test]
fn newuser05_a_sub_collection_in_the_trash_is_restored_on_its_own_where_asked() {
    let mut g = trips_in_the_trash();
    g.activate("Trips");
    g.click("2024");
    g.click("Restore");
    assert!(g.shows("Choose where to restore"));
    assert!(g.shows_text("its collection \"Trips\" is in the Trash"));
    assert!(!g.shows_text("c2"), "no ids in the window");
    g.click("Top of the library");
    g.click("Restore here");
    assert!(!g.shows("2024"), "gone from the Trash");
    assert!(g.shows("a.txt"), "Trips keeps the rest");
    g.click("Gallery");
    assert!(g.shows_text("2024"), "a collection again, at the top");
    g.click_top("2024");
    assert!(g.shows("b.txt"));
}

/// New-user finding 1: "Nothing selected" became the shorter "1 selected", so the buttons
/// after it moved left and a click where "Restore" was landed on "Delete permanently…".
/// Nothing in the selection bar moves when the selection changes.
#[test]
fn newuser01_the_selection_bars_buttons_stay_put_when_something_is_selected() {
    let mut g = gui_with(&[("a.txt", b"a"), ("b.txt", b"b")]);
    let before = g.harness.get_by_label("Delete…").rect();
    g.click("a.txt");
    assert!(g.shows("1 selected"));
    assert_eq!(g.harness.get_by_label("Delete…").rect(), before, "Gallery");
    g.trash("a.txt");
    g.trash("b.txt");
    g.open_trash();
    let restore = g.harness.get_by_label("Restore").rect();
    let delete = g.harness.get_by_label("Delete permanently…").rect();
    g.click("a.txt");
    assert!(g.shows("1 selected"));
    assert_eq!(g.harness.get_by_label("Restore").rect(), restore, "Trash");
    assert_eq!(
        g.harness.get_by_label("Delete permanently…").rect(),
        delete,
        "Trash"
    );
    g.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    g.harness.run();
    assert!(g.shows("2 selected"));
    assert_eq!(
        g.harness.get_by_label("Restore").rect(),
        restore,
        "Trash, all"
    );
}

/// New-user finding 21: the list's Kind said "image" for a PDF, a PSD and a RAW.
#[test]
fn newuser21_the_list_names_the_format_of_a_pdf_a_psd_and_a_raw() {
    let mut g = gui_with(&[
        ("brochure.pdf", b"%PDF-1.4 not really"),
        ("poster.psd", b"8BPS not really"),
        ("IMG_0004.CR2", b"II*\0 not really"),
    ]);
    g.click("List");
    for kind in ["PDF document", "Photoshop image", "RAW image (CR2)"] {
        assert!(g.shows(kind), "{kind}");
    }
}

/// New-user finding 21: Ctrl+Q did nothing. It closes the window, as in every desktop app.
#[test]
fn newuser21_ctrl_q_quits() {
    let mut g = gui_with(&[("a.txt", b"a")]);
    let closes = |g: &Gui| {
        g.harness.output().viewport_output.values().any(|v| {
            v.commands
                .iter()
                .any(|c| matches!(c, egui::ViewportCommand::Close))
        })
    };
    g.harness.step();
    assert!(!closes(&g));
    // Only the key going down: its frame is the last one, whose output is kept.
    g.harness.event(egui::Event::Key {
        key: egui::Key::Q,
        pressed: true,
        modifiers: egui::Modifiers::COMMAND,
        repeat: false,
        physical_key: None,
    });
    g.harness.step();
    assert!(closes(&g), "Ctrl+Q asks the window to close");
}

/// New-user finding 21: status-line messages ("freed 0 B", "2 items missing") stayed after
/// later actions. A message goes by itself after a few seconds.
#[test]
fn newuser21_a_status_message_goes_by_itself() {
    let mut g = gui_with(&[("a.txt", b"a")]);
    g.trash("a.txt");
    g.open_trash();
    g.click("a.txt");
    g.click("Restore");
    assert!(g.shows_text("Restored 1 item"), "the message is shown");
    // Five seconds on (frames a quarter of a second apart) it is still there…
    g.harness.run_steps(20);
    assert!(g.shows_text("Restored 1 item"));
    // …and after fifteen it has gone.
    g.harness.run_steps(40);
    assert!(
        !g.shows_text("Restored 1 item"),
        "the message went by itself"
    );
}

/// New-user findings 16 and 21: the delete dialog names the item and says how long it
/// stays; a collection's dialog, with "Delete permanently instead" ticked, no longer asks
/// "Move … to the Trash?".
#[test]
fn newuser16_the_delete_dialog_names_the_item_and_a_collections_says_permanently() {
    let (dir, clock, mut lib) = library();
    let c = lib.create_collection(None, "Lisbon").unwrap();
    import_into(&dir, &mut lib, &[("IMG_0004.jpg", c), ("IMG_0005.jpg", c)]);
    let mut g = gui_on(dir, clock, lib);
    g.click("Lisbon");
    g.click("IMG_0004.jpg");
    g.key(egui::Key::Delete);
    assert!(g.shows("Move \"IMG_0004.jpg\" to the Trash?"));
    assert!(g.shows_text("It stays in the Trash 30 days"));
    g.key(egui::Key::Escape);
    g.harness.get_by_label("Lisbon").click_secondary();
    g.harness.run();
    g.click("Delete collection…");
    assert!(g.shows("Move the collection \"Lisbon\" to the Trash?"));
    g.click("Delete permanently instead (skip Trash)");
    assert!(g.shows("Delete the collection \"Lisbon\" permanently?"));
    assert!(!g.shows("Move the collection \"Lisbon\" to the Trash?"));
    assert!(g.shows_text("Everything in it (2 items) is deleted with it."));
}

/// New-user finding 16: culling in the grid, after Delete → Enter nothing was selected, so
/// the next Delete did nothing. The item that takes the deleted one's place is selected.
#[test]
fn newuser16_after_delete_and_enter_the_next_item_is_selected() {
    let mut g = gui_with(&[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")]);
    g.harness.get_by_value("Capture date").click();
    g.harness.run();
    g.click("Name");
    g.click("a.txt");
    for (gone, next) in [("a.txt", "b.txt"), ("b.txt", "c.txt")] {
        g.key(egui::Key::Delete);
        assert!(g.shows(&format!("Move \"{gone}\" to the Trash?")));
        g.key(egui::Key::Enter);
        assert!(!g.shows(gone), "{gone} went to the Trash");
        assert!(g.shows("1 selected"), "after {gone}, {next} is selected");
    }
    // The last one: Delete still has something to act on.
    g.key(egui::Key::Delete);
    assert!(g.shows("Move \"c.txt\" to the Trash?"));
    g.key(egui::Key::Enter);
    assert!(g.shows("Trash (3)"));
}

/// New-user finding 16: a right-click opened a tile's menu without selecting the tile. It
/// selects it (a tile already in a larger selection keeps that selection).
#[test]
fn newuser16_a_right_click_selects_the_tile_it_opens_a_menu_on() {
    let mut g = gui_with(&[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")]);
    g.harness.get_by_label("b.txt").click_secondary();
    g.harness.run();
    assert!(g.shows("1 selected"));
    assert!(g.shows("Move to Trash…"), "its menu is open");
    g.key(egui::Key::Escape);
    g.harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    g.harness.run();
    assert!(g.shows("3 selected"));
    g.harness.get_by_label("c.txt").click_secondary();
    g.harness.run();
    assert!(g.shows("3 selected"), "the selection it is part of stays");
}

/// New-user finding 14: a 250-character name pushed the preview's buttons off screen (only
/// Esc got out). The name is cut with an ellipsis and the buttons stay in the window.
#[test]
fn newuser14_a_long_name_leaves_the_previews_buttons_in_the_window() {
    let long = format!("{}.txt", "a-very-long-name-".repeat(14));
    let mut g = gui_with(&[(long.as_str(), b"long")]);
    g.click(&long);
    g.key(egui::Key::Space);
    assert!(g.shows("Properties"), "the preview opened");
    let width = 1100.0;
    for button in ["Close", "Delete…", "Export a copy…", "Next ›"] {
        // The preview's own (the last one: it is drawn over the window).
        let node = g.harness.query_all_by_label(button).last();
        let rect = node.unwrap_or_else(|| panic!("no {button}")).rect();
        assert!(rect.right() <= width, "{button} at {rect:?}");
    }
    g.click_top("Close");
    assert!(!g.shows("Properties"), "Close works");
}

/// New-user finding 3: trashing a 58-photo collection said "Moved 1 item to Trash", and
/// Empty Trash asked "Delete all 3 items?" while one of them held 56 photos. A collection is
/// named with what it holds; Empty Trash keeps its exact question and says what it covers
/// (rule 22).
#[test]
fn newuser03_empty_trash_says_the_files_and_bytes_it_covers() {
    let (dir, clock, mut lib) = library();
    let c = lib.create_collection(None, "Lisbon").unwrap();
    import_into(
        &dir,
        &mut lib,
        &[("p1.jpg", c), ("p2.jpg", c), ("p3.jpg", c)],
    );
    let mut g = gui_on(dir, clock, lib);
    g.import_later("loose.txt", b"0123456789");
    g.trash("loose.txt");
    g.harness
        .state_mut()
        .send(Job::Trash(vec![shoebox::library::ItemId::Collection(c)]));
    g.harness.run();
    assert!(
        g.shows_text("Moved \"Lisbon\" (3 items) to Trash"),
        "a collection is named with what it holds"
    );
    g.open_trash();
    g.click("Empty Trash…");
    assert!(g.shows("Delete all 2 items?"));
    // p1.jpg, p2.jpg and p3.jpg hold their own names (6 bytes each), loose.txt 10 bytes.
    assert!(g.shows("4 files, 28 B"), "what Empty Trash covers");
    g.click("Cancel");
    g.click("Lisbon");
    g.click("Restore");
    assert!(
        g.shows_text("Restored \"Lisbon\" (3 items)"),
        "a collection restored is named with what it holds"
    );
}

/// New-user finding 2: a file already gone from disk could be moved to the Trash and looked
/// normal there (its cached thumbnail, 30d, its size in the Trash's total). It says
/// "missing", its bytes are not counted, and restoring says the file is gone.
#[test]
fn newuser02_a_missing_file_in_the_trash_says_so_and_holds_no_bytes() {
    let (dir, clock, mut lib) = library();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let (kept, gone) = (src.join("kept.txt"), src.join("gone.txt"));
    std::fs::write(&kept, b"0123456789").unwrap();
    std::fs::write(&gone, b"01234567890123456789").unwrap();
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    let report = lib
        .import(&[kept.clone(), gone.clone()], &opts, &mut |_| {})
        .unwrap();
    let ids: Vec<_> = report.imported.iter().map(|i| i.id).collect();
    std::fs::remove_file(&gone).unwrap();
    lib.trash(&ids).unwrap();
    let entries = lib.trash_entries(Default::default()).unwrap();
    let missing: Vec<_> = entries
        .iter()
        .filter(|e| e.missing)
        .map(|e| &e.name)
        .collect();
    assert_eq!(missing, ["gone.txt"]);
    assert_eq!(
        lib.trash_size().unwrap(),
        10,
        "only the file that is there counts"
    );
    let mut g = gui_on(dir, clock, lib);
    g.open_trash();
    assert!(
        g.harness.query_by_value("missing").is_some(),
        "the tile says missing"
    );
    assert!(g.shows_text("The Trash holds 10 B"));
    g.click("gone.txt");
    g.click("Restore");
    assert!(
        g.shows_text("its file is gone from disk"),
        "restoring says so"
    );
}

/// New-user finding 21: a parent collection showed no count, only the ones with items of
/// their own did. A collection shows its total, sub-collections included.
#[test]
fn newuser21_a_parent_collection_shows_its_total_count() {
    let (dir, clock, mut lib) = library();
    let trips = lib.create_collection(None, "Trips").unwrap();
    let year = lib.create_collection(Some(trips), "2024").unwrap();
    let deep = lib.create_collection(Some(year), "Porto").unwrap();
    import_into(
        &dir,
        &mut lib,
        &[
            ("a.txt", trips),
            ("b.txt", year),
            ("c.txt", deep),
            ("d.txt", deep),
        ],
    );
    let g = gui_on(dir, clock, lib);
    // A count is a label right of its collection's name, on the same row.
    let shows_count = |name: &str, count: &str| -> bool {
        let at = g.harness.get_by_label(name).rect();
        g.harness.query_all_by_label(count).any(|n| {
            let r = n.rect();
            (r.center().y - at.center().y).abs() < 3.0 && r.left() > at.right()
        })
    };
    assert!(shows_count("Trips", "4"), "Trips holds 4 in all");
    assert!(shows_count("2024", "3"), "2024 holds 3 in all");
    assert!(shows_count("Porto", "2"));
}

/// The app in a window of `size` points, on `lib`.
fn gui_sized(dir: tempfile::TempDir, clock: ManualClock, lib: Library, size: [f32; 2]) -> Gui {
    let ctx = egui::Context::default();
    let app = ShoeboxApp::new(lib, &ctx, Prefs::default(), false).unwrap();
    window(dir, clock, app, size, Some(0.25))
}

/// Whether the widgets labelled `labels` are whole inside `width` and none overlaps another.
fn laid_out_in(g: &Gui, labels: &[&str], width: f32) -> Result<(), String> {
    let rects: Vec<(&str, egui::Rect)> = labels
        .iter()
        .map(|l| (*l, g.harness.get_by_label(l).rect()))
        .collect();
    for (l, r) in &rects {
        if r.right() > width + 0.5 || r.left() < -0.5 {
            return Err(format!("{l} is off screen at {r:?}"));
        }
    }
    for (i, (a, ra)) in rects.iter().enumerate() {
        for (b, rb) in &rects[i + 1..] {
            if ra.shrink(1.0).intersects(rb.shrink(1.0)) {
                return Err(format!("{a} {ra:?} overlaps {b} {rb:?}"));
            }
        }
    }
    Ok(())
}

/// New-user finding 18: at 800×600 the Trash toolbar overlapped itself, the Gallery
/// toolbar was cut off and the clock banner's button was off screen. Every toolbar and
/// banner wraps; nothing is cut off or drawn over another.
#[test]
fn newuser18_an_800_by_600_window_shows_every_toolbar_whole() {
    let (dir, clock, mut lib) = library();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let (a, b) = (src.join("a.txt"), src.join("b.txt"));
    std::fs::write(&a, b"a").unwrap();
    std::fs::write(&b, b"b").unwrap();
    let report = lib
        .import(&[a, b], &ImportOptions::default(), &mut |_| {})
        .unwrap();
    lib.trash(&[report.imported[0].id]).unwrap();
    // The clock now reads two days before a time the library has seen: purging waits.
    clock.set(T0 - 2 * 86_400);
    let mut g = gui_sized(dir, clock, lib, [800.0, 600.0]);
    g.harness.run();
    let gallery = [
        "Import files…",
        "Import folder…",
        "Grid",
        "List",
        "Size",
        "Settings",
        "Gallery",
        "Delete…",
        "Move to",
    ];
    if let Err(e) = laid_out_in(&g, &gallery, 800.0) {
        panic!("Gallery: {e}");
    }
    g.open_trash();
    let trash = [
        "Reversed",
        "Group by deletion",
        "Grid",
        "List",
        "Empty Trash…",
        "Restore",
        "Delete permanently…",
        "The time is right: resume",
    ];
    if let Err(e) = laid_out_in(&g, &trash, 800.0) {
        panic!("Trash: {e}");
    }
    g.click("The time is right: resume");
    assert!(
        !g.shows("The time is right: resume"),
        "the button can be clicked"
    );
}

/// A PNG of `w` × `h` pixels, as bytes.
fn png_bytes(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(w, h, image::Rgb([40, 90, 160]))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// Frames until `label` (or text containing it) shows, for a picture made in the background.
fn wait_for(g: &mut Gui, text: &str) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        g.harness.step();
        if g.shows_text(text) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    false
}

/// New-user finding 17: the preview had only fit and 100 %. `+`/`-` zoom, `0` fits again,
/// 100 % opens centred, F11 fills the window (no properties) and gives it back, the
/// properties can be hidden, and the Undo toast shows above the preview.
#[test]
fn newuser17_the_preview_zooms_fits_fills_and_hides_its_properties() {
    let (dir, clock, mut lib) = library();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let photo = src.join("wide.png");
    std::fs::write(&photo, png_bytes(1200, 800)).unwrap();
    let other = src.join("b.txt");
    std::fs::write(&other, b"b").unwrap();
    lib.import(&[photo, other], &ImportOptions::default(), &mut |_| {})
        .unwrap();
    // On its own threads, with pictures made by the `shoebox` program's helpers.
    let ctx = egui::Context::default();
    let helper = std::path::PathBuf::from(env!("CARGO_BIN_EXE_shoebox"));
    let app = ShoeboxApp::with_helper(lib, &ctx, Prefs::default(), true, Some(helper)).unwrap();
    let mut g = window(dir, clock, app, [1100.0, 760.0], None);
    assert!(wait_for(&mut g, "wide.png"), "the library is shown");
    g.click("wide.png");
    g.key(egui::Key::Space);
    assert!(wait_for(&mut g, "Fit ("), "the picture is shown, fitted");
    g.key(egui::Key::Plus);
    assert!(g.shows_text("Zoom "), "+ zooms in");
    g.key(egui::Key::Z);
    assert!(g.shows_text("Fit ("), "Z fits again");
    g.click_top("100 %");
    assert!(g.shows_text("Zoom 100 %"));
    g.key(egui::Key::Minus);
    assert!(g.shows_text("Zoom 80 %"), "- zooms out");
    // Over the picture (below its zoom label), the wheel zooms and a drag pans.
    let inside = g.harness.get_by_label("Zoom 80 %").rect().min + egui::vec2(150.0, 150.0);
    g.harness.hover_at(inside);
    g.harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, 60.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    g.harness.run_steps(20);
    assert!(!g.shows_text("Zoom 80 %"), "the wheel zoomed");
    assert!(g.shows_text("Zoom "));
    g.key(egui::Key::Z);
    g.harness.drag_at(inside);
    g.harness.run();
    g.harness.hover_at(inside + egui::vec2(60.0, 40.0));
    g.harness.run();
    g.harness.drop_at(inside + egui::vec2(60.0, 40.0));
    g.harness.run();
    assert!(
        g.shows_text("Zoom "),
        "a drag moves the picture from where it was fitted"
    );
    g.key(egui::Key::Z);
    g.key(egui::Key::F11);
    assert!(
        !g.shows("Properties"),
        "filling the window leaves the properties out"
    );
    g.key(egui::Key::F11);
    assert!(g.shows("Properties"));
    g.click_top("Hide properties");
    assert!(!g.shows("Properties"), "hidden");
    g.click_top("Show properties");
    assert!(g.shows("Properties"));
    // Deleted from the preview: the toast's Undo is above it and can be clicked.
    g.click_top("Delete…");
    g.click("Move to Trash");
    assert!(wait_for(&mut g, "Trash (1)"));
    assert!(wait_for(&mut g, "Undo"), "the toast");
    g.click_top("Undo");
    assert!(
        wait_for(&mut g, "Trash (0)"),
        "Undo, clicked over the preview, worked"
    );
}

/// A file dropped onto the window.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops `paths` onto the window.
fn drop_files(g: &mut Gui, paths: &[std::path::PathBuf]) {
    for p in paths {
        g.harness
            .input_mut()
            .dropped_files
            .push(Arc::new(Dropped(p.clone())));
    }
    g.harness.run();
}

/// Closes the window and opens its library again, to see what it holds.
fn library_after(g: Gui) -> (tempfile::TempDir, Library) {
    let Gui {
        dir,
        clock,
        harness,
    } = g;
    drop(harness);
    let lib = Library::open_with_clock(&dir.path().join("lib"), Arc::new(clock)).unwrap();
    (dir, lib)
}

/// New-user finding 20: files dropped (or picked) are imported as the user says — copied
/// into the library or left where they are (each said in words), into the collection
/// chosen — and Cancel imports nothing. The last choice is asked again next time.
#[test]
fn newuser20_the_import_dialog_asks_copy_or_in_place_and_where() {
    let mut g = gui_with(&[]);
    g.harness.state_mut().send(Job::CreateCollection {
        parent: None,
        name: "Trips".into(),
    });
    g.harness.run();
    let src = g.dir.path().join("src");
    let shots: Vec<_> = ["a.txt", "b.txt"]
        .iter()
        .map(|n| {
            let p = src.join(n);
            std::fs::write(&p, n).unwrap();
            p
        })
        .collect();
    drop_files(&mut g, &shots);
    assert!(g.shows("Import 2 files"));
    assert!(g.shows_text("take twice their space on disk"));
    assert!(g.shows_text("copies nothing"));
    g.click_top("Cancel");
    assert!(!g.shows("Import 2 files"));
    assert!(!g.shows("a.txt"), "Cancel imported nothing");

    drop_files(&mut g, &shots);
    g.click("Leave them where they are");
    // The dialog's "Into:" list (the toolbar has one too, below it).
    g.harness
        .query_all_by_role(egui::accesskit::Role::ComboBox)
        .last()
        .expect("the Into: list")
        .click();
    g.harness.run();
    g.click_top("Trips");
    g.click("Import");
    assert!(g.shows_text("Imported 2 items"));
    // Asked again, the dialog starts from the last answer.
    let more = src.join("c.txt");
    std::fs::write(&more, "c").unwrap();
    drop_files(&mut g, std::slice::from_ref(&more));
    assert!(g.shows("Import \"c.txt\""));
    g.click("Import");
    let (_dir, lib) = library_after(g);
    let assets = lib.assets(Default::default()).unwrap();
    assert_eq!(assets.len(), 3);
    for a in &assets {
        assert!(a.in_place, "{} left where it is", a.name);
        assert!(a.path.starts_with(&src), "{}", a.path.display());
    }
    let trips: Vec<&str> = assets
        .iter()
        .filter(|a| a.location == "Trips")
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(trips.len(), 2, "a and b went into Trips");
}

/// New-user finding 20: a long import shows "Cancel import" beside its progress; it stops
/// at the next file, says what it imported, and leaves the library whole.
#[test]
fn newuser20_a_long_import_can_be_cancelled_from_the_status_line() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let lib = Library::open_with_clock(&dir.path().join("lib"), Arc::new(clock.clone())).unwrap();
    let src = dir.path().join("src/Shoot");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..3000 {
        std::fs::write(src.join(format!("f{i:04}.txt")), format!("file {i}")).unwrap();
    }
    let ctx = egui::Context::default();
    let helper = env!("CARGO_BIN_EXE_shoebox").into();
    let app = ShoeboxApp::with_helper(lib, &ctx, Prefs::default(), true, Some(helper)).unwrap();
    let mut g = window(dir, clock, app, [1100.0, 760.0], None);
    assert!(wait_for(&mut g, "Welcome to Shoebox"));
    drop_files(&mut g, std::slice::from_ref(&src));
    assert!(g.shows("Import the folder \"Shoot\""));
    g.click("Import");
    assert!(
        wait_for(&mut g, "Cancel import"),
        "the progress has a Cancel"
    );
    g.harness.get_by_label("Cancel import").click();
    assert!(wait_for(&mut g, "Import cancelled: imported"));
    assert!(!g.shows_text("Cancel import"));
    let (_dir, lib) = library_after(g);
    let imported = lib.assets(Default::default()).unwrap().len();
    assert!(
        imported < 3000,
        "stopped before the end: {imported} of 3000"
    );
    lib.check_integrity().unwrap().expect("whole");
}

/// New-user finding 7: a photo edited outside Shoebox kept its old picture and size in the
/// window. After the check the watcher asks for, the window says it took the new version
/// and its properties show the new size.
#[test]
fn newuser07_the_window_says_a_photo_edited_outside_now_shows_its_new_version() {
    let (dir, clock, mut lib) = library();
    let photo = dir.path().join("shoot/p.png");
    std::fs::create_dir_all(photo.parent().unwrap()).unwrap();
    image::RgbImage::from_pixel(40, 30, image::Rgb([1, 2, 3]))
        .save(&photo)
        .unwrap();
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    lib.import(std::slice::from_ref(&photo), &opts, &mut |_| {})
        .unwrap();
    let mut g = gui_on(dir, clock, lib);
    image::RgbImage::from_pixel(80, 60, image::Rgb([200, 2, 3]))
        .save(&photo)
        .unwrap();
    g.harness.state_mut().send(Job::CheckFiles);
    g.harness.run();
    assert!(g.shows_text("\"p.png\" changed outside Shoebox: showing its new version"));
    g.activate("p.png");
    assert!(g.shows_text("80 × 60"));
}

/// New-user finding 8: a file that appears in a folder imported in place joins the library,
/// and a file renamed there is followed; the window says so. In Settings it can be turned
/// off, and then new files are left alone.
#[test]
fn newuser08_the_window_follows_a_folder_imported_in_place() {
    let (dir, clock, mut lib) = library();
    let shoot = dir.path().join("Shoot");
    std::fs::create_dir_all(&shoot).unwrap();
    std::fs::write(shoot.join("IMG_1.jpg"), b"first").unwrap();
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    lib.import(std::slice::from_ref(&shoot), &opts, &mut |_| {})
        .unwrap();
    let mut g = gui_on(dir, clock, lib);
    std::fs::write(shoot.join("IMG_2.jpg"), b"second").unwrap();
    g.harness.state_mut().send(Job::CheckFiles);
    g.harness.run();
    assert!(
        g.shows_text("\"IMG_2.jpg\" appeared in a folder Shoebox follows and joined the library")
    );
    std::fs::rename(shoot.join("IMG_1.jpg"), shoot.join("IMG_1-final.jpg")).unwrap();
    g.harness.state_mut().send(Job::CheckFiles);
    g.harness.run();
    assert!(
        g.shows_text("\"IMG_1.jpg\" was renamed outside Shoebox to \"IMG_1-final.jpg\": followed")
    );
    assert!(g.shows("IMG_1-final.jpg"));
    g.click("Settings");
    g.click("New files in folders imported in place join the library");
    g.click("Save");
    std::fs::write(shoot.join("IMG_3.jpg"), b"third").unwrap();
    g.harness.state_mut().send(Job::CheckFiles);
    g.harness.run();
    assert!(!g.shows("IMG_3.jpg"), "left alone with the setting off");
}

/// A fresh library holding `n` files (`IMG_00000.txt`…) of `src/Shoot`, imported in place.
fn library_of_many(n: usize) -> (tempfile::TempDir, ManualClock, Library) {
    let (dir, clock, mut lib) = library();
    let src = dir.path().join("src").join("Shoot");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..n {
        std::fs::write(src.join(format!("IMG_{i:05}.txt")), i.to_string()).unwrap();
    }
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    let report = lib.import(&[src], &opts, &mut |_| {}).unwrap();
    assert_eq!(report.imported.len(), n, "{:?}", report.failed);
    (dir, clock, lib)
}

/// What each frame showed: the answer to the view last asked for, and all of that view.
type Frames = Arc<std::sync::Mutex<Vec<(bool, bool)>>>;

/// A library larger than the head of a view (2,000 ids) in one folder imported in place,
/// in a window that records, frame by frame, whether it shows the answer to the view last
/// asked for and whether all of that view is in.
fn gui_with_many(n: usize) -> (Gui, Frames) {
    let (dir, clock, lib) = library_of_many(n);
    let ctx = egui::Context::default();
    let app = ShoeboxApp::new(lib, &ctx, Prefs::default(), false).unwrap();
    let frames = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = frames.clone();
    // One pass a frame (egui may run a frame's code twice): each frame shows what the
    // frame before it received.
    let harness = Harness::builder()
        .with_size([1100.0, 760.0])
        .with_max_steps(200)
        .with_step_dt(0.25)
        .with_context_setup(|ctx| {
            ctx.options_mut(|o| o.max_passes = std::num::NonZeroUsize::MIN);
        })
        .build_ui_state(
            move |ui, app: &mut ShoeboxApp| {
                app.logic(ui.ctx());
                app_ui(app, ui);
                record
                    .lock()
                    .unwrap()
                    .push((app.shows_answer(), app.shows_view()));
            },
            app,
        );
    let g = Gui {
        dir,
        clock,
        harness,
    };
    (g, frames)
}

impl Gui {
    /// One more file in the folder imported in place, taken in by a check.
    fn write_one_more(&mut self) {
        let src = self.dir.path().join("src").join("Shoot");
        std::fs::write(src.join("IMG_99999.txt"), "more").unwrap();
        self.harness.state_mut().send(Job::CheckFiles);
    }
}

/// A new view (the window opening, a search typed) shows its first rows from the head of
/// its ids, read at once whatever the library's size, and says it is counting until the
/// rest is read behind them.
#[test]
fn a_new_view_shows_its_head_at_once_and_counts_the_rest_behind_it() {
    let (mut g, frames) = gui_with_many(2_100);
    g.harness.run();
    // The window opened on a frame that showed the head while the rest was read.
    let seen = std::mem::take(&mut *frames.lock().unwrap());
    let head = seen.iter().position(|&(answer, all)| answer && !all);
    let whole = seen.iter().position(|&(_, all)| all);
    assert!(head.is_some() && head < whole, "{seen:?}");
    assert!(g.shows("IMG_00000.txt"));
    assert!(g.shows_text("2,100 items ·"));
    // A search that matches more than the head: its head first, saying it is counting,
    // then all of it.
    let search = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap();
    search.focus();
    search.type_text("img_0");
    let mut counting = false;
    for _ in 0..6 {
        g.harness.step();
        counting |= g.shows_text("2,000+ of 2,100 items · counting…");
    }
    assert!(counting);
    g.harness.run();
    assert!(g.shows_text("2,100 items ·"));
    // The same view read again after a change comes whole: the count never goes back.
    frames.lock().unwrap().clear();
    g.write_one_more();
    for _ in 0..8 {
        g.harness.step();
        assert!(!g.shows_text("counting…"));
    }
    let seen = frames.lock().unwrap().clone();
    assert!(
        !seen.iter().any(|&(answer, all)| answer && !all),
        "{seen:?}"
    );
    assert!(g.shows_text("2,101 items ·"));
}

/// A read of a whole view that is no longer wanted (the user typed on) stops early and
/// answers nothing; one still wanted answers all of it.
#[test]
fn a_view_read_no_longer_wanted_stops_and_answers_nothing() {
    use shoebox::gui::worker::{Reply, execute};
    use std::sync::atomic::AtomicU64;
    let (_dir, _clock, mut lib) = library_of_many(5_000);
    let view = |generation, wanted: u64| Job::View {
        query: shoebox::library::GalleryQuery::default(),
        generation,
        limit: None,
        wanted: Arc::new(AtomicU64::new(wanted)),
    };
    let replies = execute(&mut lib, view(1, 2), &mut |_| {});
    assert!(replies.is_empty(), "{replies:?}");
    let replies = execute(&mut lib, view(2, 2), &mut |_| {});
    assert!(
        matches!(&replies[..], [Reply::View { ids, complete: true, .. }] if ids.len() == 5_000),
        "{replies:?}"
    );
}

/// The file check runs on the library's thread a page at a time, resting between pages: a
/// read the window asks for while a check is under way is answered before the check ends
/// (it waits one page at most), the check is still busy until its last page, and its
/// answer counts every item once.
#[test]
fn a_read_asked_during_a_file_check_is_answered_before_the_check_ends() {
    use shoebox::gui::worker::{LibraryHandle, Reply};
    let n = shoebox::library::CHECK_PAGE * 3 + 1;
    let (_dir, _clock, lib) = library_of_many(n);
    let first = lib.assets(Default::default()).unwrap()[0]
        .id
        .asset()
        .unwrap();
    let mut handle = LibraryHandle::spawn(lib, Arc::new(|| {})).unwrap();
    handle.send(Job::CheckFiles);
    // The check under way (its first page alone takes longer than this).
    std::thread::sleep(std::time::Duration::from_millis(30));
    handle.send(Job::Rows {
        ids: vec![first],
        generation: 7,
    });
    let mut order = Vec::new();
    let started = std::time::Instant::now();
    while !order.iter().any(|r: &String| r.starts_with("checked")) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "{order:?}"
        );
        for reply in handle.poll() {
            match reply {
                Reply::Rows { rows, generation } => {
                    assert_eq!((rows.len(), generation), (1, 7));
                    // The check has pages still to go.
                    assert!(handle.is_busy());
                    order.push("rows".to_string());
                }
                Reply::Checked(check, _) => order.push(format!("checked {}", check.checked)),
                _ => {}
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert_eq!(order, vec!["rows".to_string(), format!("checked {n}")]);
}

impl Gui {
    /// What the tile named `name` says it carries ("3 stars, picked, red label"); empty
    /// when nothing.
    fn marks(&self, name: &str) -> String {
        self.harness
            .query_all_by_label(name)
            .find_map(|n| n.accesskit_node().value())
            .unwrap_or_default()
    }

    fn press(&mut self, modifiers: egui::Modifiers, key: egui::Key) {
        self.harness.key_press_modifiers(modifiers, key);
        self.harness.run();
    }
}

/// With writing XMP on, a sidecar that cannot be written is named in a message, and the
/// rating stays in the library (and on the tile).
#[test]
fn culling_names_a_sidecar_it_cannot_write_and_keeps_the_rating() {
    let (dir, clock, mut lib) = library();
    let shoot = dir.path().join("shoot");
    std::fs::create_dir_all(&shoot).unwrap();
    std::fs::write(shoot.join("a.txt"), b"a").unwrap();
    let sidecar = shoot.join("a.xmp");
    std::fs::write(&sidecar, b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>").unwrap();
    let opts = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    lib.import(&[shoot], &opts, &mut |_| {}).unwrap();
    lib.set_write_xmp(true).unwrap();
    let mut perms = std::fs::metadata(&sidecar).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&sidecar, perms).unwrap();
    let mut g = gui_on(dir, clock, lib);
    g.click("a.txt");
    g.key(egui::Key::Num3);
    assert!(g.shows("XMP sidecars not written"));
    assert!(g.shows_text(&format!("{}: it is read-only", sidecar.display())));
    assert!(g.shows_text("the library keeps what the items were given"));
    assert_eq!(g.marks("a.txt"), "3 stars");
}

/// SPEC §5's keys: 0-5 stars, P pick, X reject, U unflag and 6-9 labels act on the whole
/// selection; the tiles show what each item carries; Ctrl/Cmd+Z takes the last change back.
#[test]
fn culling_keys_rate_flag_and_label_the_selection_and_ctrl_z_takes_it_back() {
    let mut g = gui_with(&[("a.txt", b"1"), ("b.txt", b"2"), ("c.txt", b"3")]);
    g.press(egui::Modifiers::COMMAND, egui::Key::A);
    g.key(egui::Key::Num3);
    assert!(
        g.shows("Rated 3 items 3 stars"),
        "the toast says what was done"
    );
    for name in ["a.txt", "b.txt", "c.txt"] {
        assert_eq!(g.marks(name), "3 stars", "{name}");
    }
    g.click("a.txt");
    g.key(egui::Key::P);
    g.key(egui::Key::Num6);
    assert_eq!(g.marks("a.txt"), "3 stars, picked, red label");
    assert_eq!(g.marks("b.txt"), "3 stars", "only the selection changes");
    // A label's key again takes it off; 0 clears the stars; U the flag.
    g.key(egui::Key::Num6);
    assert_eq!(g.marks("a.txt"), "3 stars, picked");
    g.key(egui::Key::Num0);
    assert_eq!(g.marks("a.txt"), "picked");
    // Undo goes back one change at a time: the stars come back.
    g.press(egui::Modifiers::COMMAND, egui::Key::Z);
    assert_eq!(g.marks("a.txt"), "3 stars, picked");
    g.key(egui::Key::X);
    assert_eq!(g.marks("a.txt"), "3 stars, rejected");
    g.click("Undo");
    assert_eq!(g.marks("a.txt"), "3 stars, picked", "the toast's Undo too");
    g.key(egui::Key::U);
    g.key(egui::Key::Num1);
    assert_eq!(g.marks("a.txt"), "1 star");
}

/// Rule 23 in the window: "Move rejected to the Trash" moves the rejects in view as one
/// batch; in the Trash they show what they carried and keys change nothing; restored, they
/// carry it again.
#[test]
fn culling_rejects_go_to_the_trash_as_one_batch_keeping_what_they_carry() {
    let mut g = gui_with(&[("a.txt", b"1"), ("b.txt", b"2"), ("c.txt", b"3")]);
    assert!(
        !g.shows("Move rejected to the Trash"),
        "no rejects, no button"
    );
    g.click("a.txt");
    g.harness
        .get_by_label("b.txt")
        .click_modifiers(egui::Modifiers::COMMAND);
    g.harness.run();
    g.key(egui::Key::Num4);
    g.key(egui::Key::X);
    g.key(egui::Key::Num9);
    g.click("Move rejected to the Trash");
    assert!(g.shows("Moved 2 items to Trash"));
    assert!(g.shows("Trash (2)"));
    assert!(g.shows("c.txt") && !g.shows("a.txt"));
    assert!(!g.shows("Move rejected to the Trash"), "none left in view");
    g.open_trash();
    assert_eq!(g.marks("a.txt"), "4 stars, rejected, blue label");
    g.click("a.txt");
    g.key(egui::Key::Num1);
    assert!(g.shows_text("Items in the Trash keep what they were given"));
    assert_eq!(g.marks("a.txt"), "4 stars, rejected, blue label");
    // One batch: the toast's Undo brings both back, with what they carried.
    g.click("Gallery");
    g.press(egui::Modifiers::COMMAND, egui::Key::Z);
    assert!(g.shows("Trash (0)"));
    assert_eq!(g.marks("b.txt"), "4 stars, rejected, blue label");
}

/// The search box takes the search syntax: terms select by what items carry; what does
/// not parse is said, and the view stays as it was.
#[test]
fn culling_the_search_box_takes_terms_and_says_what_it_cannot_read() {
    let mut g = gui_with(&[("beach.txt", b"1"), ("city.txt", b"2"), ("cafe.txt", b"3")]);
    g.click("beach.txt");
    g.key(egui::Key::Num5);
    g.key(egui::Key::P);
    g.click("city.txt");
    g.key(egui::Key::Num2);
    let search = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap();
    search.focus();
    search.type_text("rating>=2 -flag:pick");
    g.harness.run();
    assert!(g.shows("city.txt"));
    assert!(!g.shows("beach.txt") && !g.shows("cafe.txt"));
    let search = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap();
    search.focus();
    search.type_text("x");
    g.harness.run();
    assert!(
        g.shows_text("a flag is pick, reject or none"),
        "\"flag:pickx\" is refused with its reason"
    );
    assert!(g.shows("city.txt"), "the view stays as it was");
}

/// The filter bar sets the search's terms by clicking and shows each as a chip a click
/// takes away; what it sets is written in the search box.
#[test]
fn culling_the_filter_bar_sets_terms_shown_as_chips() {
    let mut g = gui_with(&[("beach.txt", b"1"), ("city.txt", b"2"), ("cafe.txt", b"3")]);
    g.click("beach.txt");
    g.key(egui::Key::Num4);
    g.key(egui::Key::Num6);
    g.click("city.txt");
    g.key(egui::Key::Num3);
    g.harness.get_by_value("Any stars").click();
    g.harness.run();
    g.click("★★★ or more");
    assert!(g.shows("rating>=3 ×"), "the term shows as a chip");
    assert!(g.shows("beach.txt") && g.shows("city.txt") && !g.shows("cafe.txt"));
    g.harness.get_by_value("Any label").click();
    g.harness.run();
    g.click("Red");
    assert!(g.shows("beach.txt") && !g.shows("city.txt"));
    assert!(
        g.harness
            .query_all_by_value("rating>=3 label:red")
            .next()
            .is_some(),
        "the search box holds the terms"
    );
    g.click("rating>=3 ×");
    assert!(g.shows("label:red ×") && !g.shows("rating>=3 ×"));
    g.click("Clear");
    assert!(g.shows("beach.txt") && g.shows("city.txt") && g.shows("cafe.txt"));
}

/// A search saved as a smart collection stays live: what is rated later shows in it.
#[test]
fn culling_a_saved_search_is_a_smart_collection_that_stays_live() {
    let mut g = gui_with(&[("beach.txt", b"1"), ("city.txt", b"2"), ("cafe.txt", b"3")]);
    g.click("beach.txt");
    g.key(egui::Key::Num4);
    let search = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .unwrap();
    search.focus();
    search.type_text("rating>=3");
    g.harness.run();
    g.click("Save…");
    let field = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .last()
        .unwrap();
    field.type_text("Keepers");
    g.harness.run();
    g.click("Save");
    assert!(g.shows("Keepers"), "the tree lists it");
    g.click("Clear");
    assert!(g.shows("cafe.txt"));
    g.click("Keepers");
    assert!(g.shows("beach.txt") && !g.shows("cafe.txt"));
    // Live: an item rated now joins it.
    g.click("Clear");
    g.click("cafe.txt");
    g.key(egui::Key::Num5);
    g.click("Keepers");
    assert!(g.shows("beach.txt") && g.shows("cafe.txt") && !g.shows("city.txt"));
}

/// The filter bar offers the cameras the library holds, and takes a capture date typed as
/// the search syntax writes it.
#[test]
fn culling_the_filter_bar_offers_the_cameras_and_a_capture_date() {
    let read = |name: &str| std::fs::read(std::path::Path::new("tests/data").join(name)).unwrap();
    let (canon, nikon) = (read("canon-30d.cr2"), read("nikon-d70.nef"));
    let mut g = gui_with(&[
        ("canon.cr2", &canon),
        ("nikon.nef", &nikon),
        ("notes.txt", b"n"),
    ]);
    g.harness.get_by_value("Any camera").click();
    g.harness.run();
    let canon_name = g
        .harness
        .query_all_by_label_contains("Canon")
        .next()
        .and_then(|n| n.accesskit_node().label())
        .expect("the menu lists the Canon");
    g.click(&canon_name);
    assert!(g.shows("canon.cr2") && !g.shows("nikon.nef") && !g.shows("notes.txt"));
    g.click("Clear");
    let field = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .last()
        .unwrap();
    field.focus();
    field.type_text("1990..2030");
    g.harness.run();
    g.key(egui::Key::Enter);
    assert!(g.shows("taken:1990..2030 ×"));
    assert!(g.shows("canon.cr2") && g.shows("nikon.nef") && !g.shows("notes.txt"));
}

/// Keywords: given in the preview's Properties, listed in the keyword tree with their
/// counts, given to tiles dropped on them, and a click shows the items carrying one.
#[test]
fn culling_keywords_are_given_in_properties_and_by_dropping_tiles_on_the_tree() {
    let mut g = gui_with(&[("a.txt", b"1"), ("b.txt", b"2"), ("c.txt", b"3")]);
    assert!(g.shows_text("None yet"), "the tree says how to make one");
    g.click("a.txt");
    g.key(egui::Key::Space);
    let field = g
        .harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .last()
        .unwrap();
    field.focus();
    field.type_text("Places|Porto");
    g.harness.run();
    g.key(egui::Key::Enter);
    assert!(g.shows("Places|Porto"), "Properties lists it");
    g.key(egui::Key::Escape);
    assert!(
        g.shows("Places") && g.shows("Porto"),
        "the tree shows both levels"
    );
    // b.txt dragged onto "Porto".
    let from = g.harness.get_by_label("b.txt").rect().center();
    let to = g.harness.get_by_label("Porto").rect().center();
    g.harness.drag_at(from);
    g.harness.run();
    g.harness.hover_at(from + egui::vec2(30.0, 0.0));
    g.harness.run();
    g.harness.hover_at(to);
    g.harness.run();
    g.harness.drop_at(to);
    g.harness.run();
    assert!(
        g.shows("Tagged 1 item \"Places|Porto\""),
        "the drop tagged it"
    );
    g.click("Porto");
    assert!(g.shows("a.txt") && g.shows("b.txt") && !g.shows("c.txt"));
    assert!(g.shows("keyword:Places|Porto ×"));
}

/// Found by `cargo bench --bench gui`: in the list, a row whose record was not read yet
/// (the first frames of a large library, or a fast scroll) had no cells, and the table
/// panicked on it. Such a row is drawn blank until its record comes.
#[test]
fn bench01_a_list_row_whose_record_is_not_read_yet_is_drawn_blank() {
    let (dir, clock, mut lib) = library();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let paths: Vec<_> = (0..40)
        .map(|i| {
            let p = src.join(format!("f{i:02}.txt"));
            std::fs::write(&p, format!("{i}")).unwrap();
            p
        })
        .collect();
    lib.import(&paths, &ImportOptions::default(), &mut |_| {})
        .unwrap();
    let ctx = egui::Context::default();
    let prefs = Prefs {
        view: shoebox::gui::ViewMode::List,
        ..Prefs::default()
    };
    let app = ShoeboxApp::new(lib, &ctx, prefs, false).unwrap();
    let mut g = window(dir, clock, app, [1100.0, 760.0], Some(0.25));
    g.harness.run();
    assert!(
        g.shows("f00.txt"),
        "the rows show once their records are in"
    );
}

/// SPEC §5: by date, the grid groups by day, month or year, each group under its header.
#[test]
fn culling_the_grid_by_date_groups_by_month_under_headers() {
    let (dir, clock, mut lib) = library();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    // Imported a month and more apart: the import date is their date.
    for (i, name) in ["early.txt", "late-1.txt", "late-2.txt"].iter().enumerate() {
        let p = src.join(name);
        std::fs::write(&p, name).unwrap();
        lib.import(&[p], &ImportOptions::default(), &mut |_| {})
            .unwrap();
        if i == 0 {
            clock.advance_days(35);
        }
    }
    let mut g = gui_on(dir, clock, lib);
    assert!(!g.shows_text("2026"), "no headers until asked");
    g.harness.get_by_value("Not grouped").click();
    g.harness.run();
    g.click("By month");
    let headers: Vec<String> = g
        .harness
        .query_all_by_label_contains(" 20")
        .filter_map(|n| n.accesskit_node().value())
        .collect();
    assert_eq!(headers.len(), 2, "two months: {headers:?}");
    assert!(g.shows("early.txt") && g.shows("late-1.txt") && g.shows("late-2.txt"));
    g.click("List");
    assert!(
        g.harness
            .query_all_by_label_contains(" 20")
            .next()
            .is_none(),
        "the list is not grouped"
    );
}

/// In a grouped grid, Down and Up go by the rows under the headers: from a month of one
/// item, Down is the first tile of the month below (not a whole row's count further on).
#[test]
fn culling_the_grouped_grid_steps_by_its_rows_under_the_headers() {
    let (dir, clock, mut lib) = library();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for name in ["early.txt", "late-1.txt", "late-2.txt", "late-3.txt"] {
        let p = src.join(name);
        std::fs::write(&p, name).unwrap();
        lib.import(&[p], &ImportOptions::default(), &mut |_| {})
            .unwrap();
        if name == "early.txt" {
            clock.advance_days(35);
        }
    }
    let mut g = gui_on(dir, clock, lib);
    g.harness.get_by_value("Not grouped").click();
    g.harness.run();
    g.click("By month");
    let selected = |g: &mut Gui| {
        g.key(egui::Key::Delete);
        let name = ["early.txt", "late-1.txt", "late-2.txt", "late-3.txt"]
            .into_iter()
            .find(|n| g.shows(&format!("Move \"{n}\" to the Trash?")));
        g.key(egui::Key::Escape);
        name
    };
    // Oldest first: early.txt alone in its month, the three late ones in the next.
    g.click("early.txt");
    g.key(egui::Key::ArrowRight);
    let second = selected(&mut g);
    assert!(second.is_some_and(|n| n.starts_with("late")), "{second:?}");
    g.key(egui::Key::Home);
    assert_eq!(selected(&mut g), Some("early.txt"));
    g.key(egui::Key::ArrowDown);
    assert_eq!(
        selected(&mut g),
        second,
        "down: the first tile of the month below"
    );
    g.key(egui::Key::ArrowRight);
    g.key(egui::Key::ArrowUp);
    assert_eq!(selected(&mut g), Some("early.txt"), "up: the month above");
}

/// An import that warns about thousands of files says how many, and lays out only the lines
/// of them in view: a line each, laid out in every frame, made an import that warned about
/// a million stall the window.
#[test]
fn gui_an_import_warning_about_thousands_lays_out_only_the_lines_in_view() {
    let (dir, clock, lib) = library();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    // One byte each: pictures by their names, with no picture to read.
    let paths: Vec<_> = (0..3000)
        .map(|i| {
            let p = src.join(format!("f{i:04}.jpg"));
            std::fs::write(&p, [i as u8]).unwrap();
            p
        })
        .collect();
    let mut g = gui_on(dir, clock, lib);
    g.harness.state_mut().send(Job::Import {
        paths,
        opts: ImportOptions::default(),
    });
    g.harness.run();
    assert!(g.shows_text("Imported 3,000 items"));
    assert!(g.shows_text("3,000 items with a warning."));
    let laid_out = g
        .harness
        .query_all_by_label_contains("not a readable image")
        .count();
    assert!(
        (1..100).contains(&laid_out),
        "{laid_out} of the 3,000 lines laid out"
    );
    assert!(g.shows_text("f0000.jpg: not a readable image"));
    g.click_top("Close");
    assert!(!g.shows_text("3,000 items with a warning."));
    assert!(!g.shows_text("not a readable image"));
}
