//! A library at scale: 100,000 and 1,000,000 items side by side, so a cost that grows with
//! the number of items shows as a ratio. Each library (items in place in 1,000 folders, their
//! files on disk, one byte each) is made once under `target/scale/` and reused.
//!
//! For each size: the window (its library on its own thread, as it runs) from opening the
//! library to its first frame showing rows, and the memory once its launch work is done;
//! End in the Gallery, to its last rows drawn, and the memory after; one search keystroke
//! in the Gallery (processor time of the frames that answer it with its first rows, and
//! on to all of its ids read); `shoebox ls` to its first line and to its end, and its peak
//! memory; the file check.
//!
//! Run with `cargo bench --bench scale` (`SHOEBOX_SCALE_MAX=100000` stops at the smaller).

#[cfg(target_os = "linux")]
mod scale {
    use std::io::Read;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use egui::{Event, PointerButton, RawInput, Rect, pos2, vec2};
    use shoebox::clock::SystemClock;
    use shoebox::gui::{Prefs, ShoeboxApp, app_ui};
    use shoebox::library::{GalleryQuery, Library, Sort, SortKey};

    const SIZES: [usize; 2] = [100_000, 1_000_000];
    const FOLDERS: usize = 1_000;

    /// The library of `n` items, made once.
    fn library(n: usize) -> PathBuf {
        let dir = PathBuf::from("target/scale").join(n.to_string());
        let root = dir.join("lib");
        if dir.join("ready").exists() {
            return root;
        }
        let _ = std::fs::remove_dir_all(&dir);
        let files = dir.join("files");
        let t = Instant::now();
        drop(Library::open_with_clock(&root, Arc::new(SystemClock)).expect("create"));
        let files = std::fs::canonicalize({
            std::fs::create_dir_all(&files).expect("files");
            &files
        })
        .expect("resolve");
        let mut db = rusqlite::Connection::open(root.join("library.db")).expect("db");
        let tx = db.transaction().expect("tx");
        for f in 0..FOLDERS {
            let name = format!("Shoot {f:04}");
            std::fs::create_dir_all(files.join(&name)).expect("folder");
            tx.execute(
                "INSERT INTO collections(id, name, name_key, created_at) VALUES (?1, ?2, ?3, 0)",
                rusqlite::params![f as i64 + 1, name, name.to_lowercase()],
            )
            .expect("collection");
        }
        {
            let mut asset = tx
                .prepare(
                    "INSERT INTO assets(id, collection_id, name, name_key, kind, storage, size, hash,
                        imported_at, width, height)
                     VALUES (?1, ?2, ?3, ?4, 'image', 'in_place', 1, ?5, ?6, 6000, 4000)",
                )
                .expect("prepare");
            let mut file = tx
                .prepare("INSERT INTO files(asset_id, role, path, size, hash) VALUES (?1, 'main', ?2, 1, ?3)")
                .expect("prepare");
            for i in 0..n {
                let folder = i % FOLDERS;
                let name = format!("IMG_{i:07}.jpg");
                let path = files.join(format!("Shoot {folder:04}")).join(&name);
                std::fs::write(&path, [i as u8]).expect("file");
                let hash = format!("{i:064x}");
                asset
                    .execute(rusqlite::params![
                        i as i64 + 1,
                        folder as i64 + 1,
                        name,
                        name.to_lowercase(),
                        hash,
                        1_700_000_000 + i as i64
                    ])
                    .expect("asset");
                file.execute(rusqlite::params![
                    i as i64 + 1,
                    path.to_str().expect("utf-8"),
                    hash
                ])
                .expect("file row");
            }
        }
        // Counted, as an import counts them (see migration 22).
        shoebox::store::recount(&tx).expect("tallies");
        // Their names, searchable, as an import writes them (see migration 20).
        tx.execute(
            "INSERT INTO assets_names(rowid, name_key) SELECT id, name_key FROM assets",
            [],
        )
        .expect("names");
        // The ids handed out, as an import records them: a later import into this
        // library takes the next ones.
        tx.execute_batch(
            "UPDATE id_high_water SET last = (SELECT max(id) FROM assets) WHERE tbl = 'assets';
             UPDATE id_high_water SET last = (SELECT max(id) FROM collections)
                 WHERE tbl = 'collections';",
        )
        .expect("ids");
        tx.commit().expect("commit");
        std::fs::write(dir.join("ready"), b"").expect("mark");
        println!(
            "made a library of {n} items in {:.0} s (once; kept in {})",
            t.elapsed().as_secs_f64(),
            dir.display()
        );
        root
    }

    /// This process's resident memory, in bytes (Linux).
    fn rss() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
            .map_or(0, |kb| kb * 1024)
    }

    /// Processor time this thread has used.
    fn cpu() -> Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid timespec for clock_gettime to write.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }

    fn frame(ctx: &egui::Context, app: &mut ShoeboxApp, events: Vec<Event>) {
        let raw = RawInput {
            screen_rect: Some(Rect::from_min_size(pos2(0.0, 0.0), vec2(1280.0, 800.0))),
            events,
            ..Default::default()
        };
        let out = ctx.run_ui(raw, |ui| {
            app.logic(ui.ctx());
            app_ui(app, ui);
        });
        let _ = ctx.tessellate(out.shapes, out.pixels_per_point);
    }

    /// Frames (a few milliseconds apart, as a window draws while it waits) until `done`.
    fn until(ctx: &egui::Context, app: &mut ShoeboxApp, done: impl Fn(&ShoeboxApp) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(600);
        while !done(app) {
            assert!(Instant::now() < deadline, "the window never got there");
            frame(ctx, app, Vec::new());
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// A click at `at`.
    fn click(at: egui::Pos2) -> Vec<Event> {
        vec![
            Event::PointerMoved(at),
            Event::PointerButton {
                pos: at,
                button: PointerButton::Primary,
                pressed: true,
                modifiers: Default::default(),
            },
            Event::PointerButton {
                pos: at,
                button: PointerButton::Primary,
                pressed: false,
                modifiers: Default::default(),
            },
        ]
    }

    struct Figures {
        first_frame: Duration,
        memory: u64,
        jump: Duration,
        memory_at_end: u64,
        keystroke_cpu: Duration,
        keystroke_all_cpu: Duration,
        sort_first_cpu: Duration,
        sort_all_cpu: Duration,
        ls_first_line: Duration,
        ls_all: Duration,
        ls_peak: u64,
        check: Duration,
    }

    fn measure(root: &Path) -> Figures {
        // Opened once first: a library made by an earlier Shoebox is brought up to date
        // (its migrations are not what is measured).
        drop(Library::open(root).expect("open"));
        // The window as it runs: the library on its own thread, pictures made by helper
        // processes. From opening the library to the first frame that shows its first rows.
        let before = rss();
        let start = Instant::now();
        let lib = Library::open(root).expect("open");
        let ctx = egui::Context::default();
        let helper = PathBuf::from(env!("CARGO_BIN_EXE_shoebox"));
        let mut app =
            ShoeboxApp::with_helper(lib, &ctx, Prefs::default(), true, Some(helper)).expect("app");
        until(&ctx, &mut app, ShoeboxApp::shows_library);
        frame(&ctx, &mut app, Vec::new());
        let first_frame = start.elapsed();
        // Then the work a launch starts (the sweep, the file check) done, and the memory.
        until(&ctx, &mut app, |a| !a.is_busy());
        let memory = rss().saturating_sub(before);
        // To the end of the Gallery at once (End): the time until its last rows are drawn,
        // and the memory after.
        let key = |key| {
            vec![
                Event::PointerMoved(pos2(700.0, 400.0)),
                Event::Key {
                    key,
                    physical_key: None,
                    pressed: true,
                    repeat: false,
                    modifiers: Default::default(),
                },
            ]
        };
        frame(&ctx, &mut app, click(pos2(700.0, 400.0)));
        until(&ctx, &mut app, ShoeboxApp::shows_view);
        let t = Instant::now();
        frame(&ctx, &mut app, key(egui::Key::End));
        until(&ctx, &mut app, ShoeboxApp::shows_view);
        frame(&ctx, &mut app, Vec::new());
        let jump = t.elapsed();
        let memory_at_end = rss().saturating_sub(before);
        drop(app);

        // The keystroke's processor time, with the library inline (so the figure is the
        // keystroke's work and nothing a background thread does meanwhile); the jobs a
        // launch starts run inline in the first frames, before it.
        let lib = Library::open(root).expect("open");
        let ctx = egui::Context::default();
        let mut app = ShoeboxApp::new(lib, &ctx, Prefs::default(), false).expect("app");
        until(&ctx, &mut app, ShoeboxApp::shows_view);
        for _ in 0..5 {
            frame(&ctx, &mut app, Vec::new());
        }
        // A keystroke in the search box (clicked first).
        frame(&ctx, &mut app, click(pos2(320.0, 41.0)));
        let t = cpu();
        frame(&ctx, &mut app, vec![Event::Text("7".into())]);
        until(&ctx, &mut app, ShoeboxApp::shows_answer);
        frame(&ctx, &mut app, Vec::new());
        let keystroke_cpu = cpu() - t;
        // And on to all of its ids read (in the app, on the library thread behind the
        // answer, stopped by the next keystroke).
        until(&ctx, &mut app, ShoeboxApp::shows_view);
        let keystroke_all_cpu = cpu() - t;
        drop(app);

        // A change of sort, read as the window reads a view: by rating (its index holds the
        // rated items alone; the rest come through the name index, migration 24), to its
        // first id and on to all of them, processor time.
        let lib = Library::open(root).expect("open");
        let view = GalleryQuery {
            sort: Sort {
                key: SortKey::Rating,
                descending: false,
            },
            ..Default::default()
        };
        let t = cpu();
        let mut sort_first_cpu = None;
        lib.each_gallery_id(&view, &mut |_, _| {
            sort_first_cpu.get_or_insert_with(|| cpu() - t);
            true
        })
        .expect("sort by rating");
        let sort_all_cpu = cpu() - t;
        drop(lib);

        // `shoebox ls`: to its first line, to its end, and its peak memory.
        let start = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_shoebox"))
            .arg("--library")
            .arg(root)
            .arg("ls")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("ls");
        let mut out = child.stdout.take().expect("stdout");
        let mut ls_first_line = None;
        let mut buf = vec![0u8; 1 << 16];
        // Its peak memory as it runs (a count taken at its exit would include the pages
        // it shared with this process before it started the program).
        let status_file = format!("/proc/{}/status", child.id());
        let mut peak = 0;
        loop {
            match out.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if ls_first_line.is_none() && buf[..n].contains(&b'\n') {
                        ls_first_line = Some(start.elapsed());
                    }
                    peak = peak.max(high_water(&status_file));
                }
            }
        }
        let status = child.wait().expect("wait for ls");
        assert!(status.success(), "ls failed");
        let ls_all = start.elapsed();

        let mut lib = Library::open(root).expect("open");
        let t = Instant::now();
        lib.check_files().expect("check");
        let check = t.elapsed();
        Figures {
            first_frame,
            memory,
            jump,
            memory_at_end,
            keystroke_cpu,
            keystroke_all_cpu,
            sort_first_cpu: sort_first_cpu.unwrap_or(sort_all_cpu),
            sort_all_cpu,
            ls_first_line: ls_first_line.unwrap_or(ls_all),
            ls_all,
            ls_peak: peak,
            check,
        }
    }

    fn ms(d: Duration) -> String {
        let ms = d.as_secs_f64() * 1e3;
        if ms < 10.0 {
            format!("{ms:.1} ms")
        } else {
            format!("{ms:.0} ms")
        }
    }

    fn mb(b: u64) -> String {
        format!("{:.0} MB", b as f64 / 1e6)
    }

    /// A process's peak resident memory so far, in bytes, from its status file.
    fn high_water(status_file: &str) -> u64 {
        std::fs::read_to_string(status_file)
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
            .map_or(0, |kb| kb * 1024)
    }

    pub fn main() {
        let max: usize = std::env::var("SHOEBOX_SCALE_MAX")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(usize::MAX);
        let sizes: Vec<usize> = SIZES.into_iter().filter(|n| *n <= max).collect();
        let roots: Vec<PathBuf> = sizes.iter().map(|n| library(*n)).collect();
        let figures: Vec<Figures> = roots.iter().map(|r| measure(r)).collect();
        println!(
            "{:<34} {}",
            "",
            sizes
                .iter()
                .map(|n| format!("{:>14}", format!("{n} items")))
                .collect::<String>()
                + if sizes.len() == 2 {
                    "         ratio"
                } else {
                    ""
                }
        );
        type Pick = fn(&Figures) -> f64;
        type Show = fn(&Figures) -> String;
        let rows: [(&str, Pick, Show); 12] = [
            (
                "window: open to first frame",
                |f| f.first_frame.as_secs_f64(),
                |f| ms(f.first_frame),
            ),
            (
                "window: memory for the library",
                |f| f.memory as f64,
                |f| mb(f.memory),
            ),
            (
                "window: End, to the last rows drawn",
                |f| f.jump.as_secs_f64(),
                |f| ms(f.jump),
            ),
            (
                "window: memory after End",
                |f| f.memory_at_end as f64,
                |f| mb(f.memory_at_end),
            ),
            (
                "search keystroke: answer (CPU)",
                |f| f.keystroke_cpu.as_secs_f64(),
                |f| ms(f.keystroke_cpu),
            ),
            (
                "search keystroke: all ids (CPU)",
                |f| f.keystroke_all_cpu.as_secs_f64(),
                |f| ms(f.keystroke_all_cpu),
            ),
            (
                "sort by rating: first id (CPU)",
                |f| f.sort_first_cpu.as_secs_f64(),
                |f| ms(f.sort_first_cpu),
            ),
            (
                "sort by rating: all ids (CPU)",
                |f| f.sort_all_cpu.as_secs_f64(),
                |f| ms(f.sort_all_cpu),
            ),
            (
                "`shoebox ls`: first line",
                |f| f.ls_first_line.as_secs_f64(),
                |f| ms(f.ls_first_line),
            ),
            (
                "`shoebox ls`: all",
                |f| f.ls_all.as_secs_f64(),
                |f| ms(f.ls_all),
            ),
            (
                "`shoebox ls`: peak memory",
                |f| f.ls_peak as f64,
                |f| mb(f.ls_peak),
            ),
            ("file check", |f| f.check.as_secs_f64(), |f| ms(f.check)),
        ];
        for (what, value, text) in rows {
            let cells: String = figures.iter().map(|f| format!("{:>14}", text(f))).collect();
            let ratio = match figures.as_slice() {
                [a, b] => format!("{:>13.1}x", value(b) / value(a).max(f64::MIN_POSITIVE)),
                _ => String::new(),
            };
            println!("{what:<34} {cells}{ratio}");
        }
    }
}

fn main() {
    #[cfg(target_os = "linux")]
    scale::main();
    #[cfg(not(target_os = "linux"))]
    println!("the scale benchmark reads /proc: it runs on Linux");
}
