//! The Gallery with 100,000 assets, headless: CPU time per frame (egui layout and
//! tessellation) while scrolling the grid and the list, the time from opening a
//! 100,000-asset library to its first frame, and the processor time of a search or a
//! filter typed into the search box (to its first rows shown, and to all of its ids read).
//! Run with `cargo bench --bench gui`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Event, MouseWheelSource, MouseWheelUnit, RawInput, Rect, TouchPhase, pos2, vec2};
use shoebox::clock::SystemClock;
use shoebox::gui::worker;
use shoebox::gui::{Prefs, ShoeboxApp, ViewMode, app_ui};
use shoebox::library::Library;

const N: usize = 100_000;
const FRAMES: usize = 300;

fn input(wheel: f32) -> RawInput {
    let mut raw = RawInput {
        screen_rect: Some(Rect::from_min_size(pos2(0.0, 0.0), vec2(1280.0, 800.0))),
        ..Default::default()
    };
    raw.events.push(Event::PointerMoved(pos2(700.0, 400.0)));
    if wheel != 0.0 {
        raw.events.push(Event::MouseWheel {
            unit: MouseWheelUnit::Point,
            delta: vec2(0.0, wheel),
            phase: TouchPhase::Move,
            source: MouseWheelSource::Wheel,
            modifiers: Default::default(),
        });
    }
    raw
}

/// One frame: logic, drawing, and tessellation (what the CPU does before the GPU).
fn frame(ctx: &egui::Context, app: &mut ShoeboxApp, wheel: f32) -> Duration {
    let start = Instant::now();
    let out = ctx.run_ui(input(wheel), |ui| {
        app.logic(ui.ctx());
        app_ui(app, ui);
    });
    let _ = ctx.tessellate(out.shapes, out.pixels_per_point);
    start.elapsed()
}

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64;
    (mean, ms(v[v.len() / 2]), ms(v[v.len() * 95 / 100]))
}

/// A library of `N` in-place assets whose files exist, written straight into the database
/// (importing 100,000 files is measured by the library benchmark, not here).
fn big_library(dir: &std::path::Path) -> std::path::PathBuf {
    let root = dir.join("lib");
    let files = dir.join("files");
    std::fs::create_dir_all(&files).expect("files dir");
    drop(Library::open_with_clock(&root, Arc::new(SystemClock)).expect("create"));
    let mut db = rusqlite::Connection::open(root.join("library.db")).expect("db");
    let tx = db.transaction().expect("tx");
    tx.execute(
        "INSERT INTO collections(id, name, name_key, created_at) VALUES (1, 'Shoots', 'shoots', 0)",
        [],
    )
    .expect("collection");
    for i in 0..N {
        let name = format!("IMG_{i:06}.jpg");
        let path = files.join(&name);
        std::fs::write(&path, b"x").expect("file");
        let hash = format!("{:064x}", i);
        tx.execute(
            "INSERT INTO assets(id, collection_id, name, name_key, kind, storage, size, hash, imported_at, width, height)
             VALUES (?1, ?2, ?3, ?4, 'image', 'in_place', 1, ?5, ?6, 6000, 4000)",
            rusqlite::params![i as i64 + 1, if i % 2 == 0 { Some(1) } else { None }, name, name.to_lowercase(), hash, 1_700_000_000 + i as i64],
        )
        .expect("asset");
        tx.execute(
            "INSERT INTO files(asset_id, role, path, size, hash) VALUES (?1, 'main', ?2, 1, ?3)",
            rusqlite::params![i as i64 + 1, path.to_str().expect("utf-8"), hash],
        )
        .expect("file row");
    }
    // What a culled shoot carries: stars spread 0-5, one in ten rejected, some picked,
    // a few labelled.
    tx.execute_batch(
        "UPDATE assets SET rating = id % 6,
             flag = CASE WHEN id % 10 = 0 THEN -1 WHEN id % 7 = 0 THEN 1 ELSE 0 END,
             label = CASE WHEN id % 50 = 0 THEN 'red' END",
    )
    .expect("culling");
    // Counted, as an import counts them (see migration 22).
    shoebox::store::recount(&tx).expect("tallies");
    // Their names, searchable, as an import writes them (see migration 20).
    tx.execute(
        "INSERT INTO assets_names(rowid, name_key) SELECT id, name_key FROM assets",
        [],
    )
    .expect("names");
    tx.commit().expect("commit");
    root
}

/// Processor time of this thread so far.
#[cfg(unix)]
fn cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for clock_gettime to write.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Elsewhere, the time passed (the library runs inline, on this thread).
#[cfg(not(unix))]
fn cpu() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// A frame with these events.
fn frame_with(ctx: &egui::Context, app: &mut ShoeboxApp, events: Vec<Event>) {
    let mut raw = input(0.0);
    raw.events.extend(events);
    let out = ctx.run_ui(raw, |ui| {
        app.logic(ui.ctx());
        app_ui(app, ui);
    });
    let _ = ctx.tessellate(out.shapes, out.pixels_per_point);
}

fn until(ctx: &egui::Context, app: &mut ShoeboxApp, done: fn(&ShoeboxApp) -> bool) {
    for _ in 0..10_000 {
        if done(app) {
            return;
        }
        frame_with(ctx, app, Vec::new());
    }
    panic!("the window never got there");
}

/// A search typed into the search box at once (its text replacing what was there): the
/// processor time to its first rows shown and to all of its ids read, and how many.
fn search(ctx: &egui::Context, app: &mut ShoeboxApp, text: &str) -> (Duration, Duration, usize) {
    let select_all = Event::Key {
        key: egui::Key::A,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::COMMAND,
    };
    // Into the box (clicked), what was there selected.
    let click = |pressed| Event::PointerButton {
        pos: pos2(330.0, 41.0),
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: Default::default(),
    };
    frame_with(ctx, app, vec![click(true), click(false)]);
    frame_with(ctx, app, vec![select_all]);
    let t = cpu();
    frame_with(ctx, app, vec![Event::Text(text.into())]);
    until(ctx, app, ShoeboxApp::shows_answer);
    frame_with(ctx, app, Vec::new());
    let answer = cpu() - t;
    until(ctx, app, ShoeboxApp::shows_view);
    (answer, cpu() - t, app.shown_count())
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    let root = big_library(dir.path());
    println!(
        "made a library of {N} assets in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // Launch to first frame: open (with recovery), read every asset, build the app, draw.
    let mut lib = Library::open(&root).expect("open");
    let t = Instant::now();
    drop(worker::snapshot(&mut lib).expect("snapshot"));
    let read = t.elapsed();
    drop(lib);
    let start = Instant::now();
    let lib = Library::open(&root).expect("open");
    let opened = start.elapsed();
    let ctx = egui::Context::default();
    // Inline, the app reads the library as it is made, as the library thread does at launch.
    let mut app = ShoeboxApp::new(lib, &ctx, Prefs::default(), false).expect("app");
    // The library, then the Gallery's first view, then the records of its first rows.
    while !app.shows_library() {
        frame(&ctx, &mut app, 0.0);
    }
    frame(&ctx, &mut app, 0.0);
    let first = start.elapsed();
    drop(app);
    println!(
        "open to first frame: {:.0} ms (open {:.0} ms; reading {N} assets alone {:.0} ms)",
        first.as_secs_f64() * 1e3,
        opened.as_secs_f64() * 1e3,
        read.as_secs_f64() * 1e3
    );

    // Searches and filters, with the library inline (the figure is the search's own work).
    let lib = Library::open(&root).expect("open");
    let ctx = egui::Context::default();
    let mut app = ShoeboxApp::new(lib, &ctx, Prefs::default(), false).expect("app");
    until(&ctx, &mut app, ShoeboxApp::shows_view);
    for text in [
        "img_0421",
        "rating>=4",
        "flag:pick",
        "rating>=3 -flag:reject",
        "label:red",
        "type:raw",
        "img_09 rating=5",
    ] {
        let (answer, all, n) = search(&ctx, &mut app, text);
        assert!(n < N, "{text:?} was typed into the search box");
        // A name searched for is found (its index is filled).
        assert!(n > 0 || !text.starts_with("img_"), "{text:?} found nothing");
        println!(
            "search {text:?} in {N} assets: first rows {:.1} ms, all {n} ids {:.1} ms of CPU",
            answer.as_secs_f64() * 1e3,
            all.as_secs_f64() * 1e3
        );
    }
    drop(app);

    for view in [ViewMode::Grid, ViewMode::List] {
        let prefs = Prefs {
            view,
            ..Prefs::default()
        };
        let lib = Library::open(&root).expect("open");
        let ctx = egui::Context::default();
        let mut app = ShoeboxApp::new(lib, &ctx, prefs, false).expect("app");
        for _ in 0..5 {
            frame(&ctx, &mut app, 0.0);
        }
        let still: Vec<Duration> = (0..FRAMES).map(|_| frame(&ctx, &mut app, 0.0)).collect();
        let scrolling: Vec<Duration> = (0..FRAMES).map(|_| frame(&ctx, &mut app, -400.0)).collect();
        let (m, p50, p95) = stats(still);
        println!(
            "{view:?} with {N} assets, idle:      mean {m:.2} ms, median {p50:.2} ms, p95 {p95:.2} ms per frame"
        );
        let (m, p50, p95) = stats(scrolling);
        println!(
            "{view:?} with {N} assets, scrolling: mean {m:.2} ms, median {p50:.2} ms, p95 {p95:.2} ms per frame"
        );
    }
}
