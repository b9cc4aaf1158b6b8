//! Grid thumbnails (256 px, saved as PNG as the app caches them) of a folder of photos,
//! next to `vipsthumbnail` (libvips) making the same thumbnails of the same files in the
//! same run, at equal threads: wall time and CPU time (this process plus its children).
//!
//! - `SHOEBOX_BENCH_PHOTOS=DIR`: the photos (JPEG, PNG, WebP; e.g. Debian's wallpaper
//!   packages); without it the bench makes a small set of camera-sized JPEGs itself.
//! - Shoebox is measured twice: decoding in this process, and the way the app makes them:
//!   the thumbnail service, decoding in long-lived helper processes and writing its cache.
//!
//! Run with `cargo bench --bench thumbs`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use shoebox::library::Kind;
use shoebox::media::formats::Tools;
use shoebox::thumbs::{Helpers, Isolation, Output, Request, THUMB_PX, ThumbService, render};

/// Wall time and CPU time (user + system, of this process and its children).
#[derive(Clone, Copy)]
struct Cost {
    wall: Duration,
    cpu: Duration,
}

/// The benchmarks are run on Linux; elsewhere they build (so the code stays checked) and
/// report no CPU time.
#[cfg(not(unix))]
fn cpu_now() -> Duration {
    Duration::ZERO
}

#[cfg(unix)]
fn cpu_now() -> Duration {
    let usage = |who| {
        // SAFETY: getrusage fills the struct it is given.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(who, &mut u) };
        let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        tv(u.ru_utime) + tv(u.ru_stime)
    };
    usage(libc::RUSAGE_SELF) + usage(libc::RUSAGE_CHILDREN)
}

fn measure(f: impl FnOnce()) -> Cost {
    let (c0, t0) = (cpu_now(), Instant::now());
    f();
    Cost {
        wall: t0.elapsed(),
        cpu: cpu_now() - c0,
    }
}

fn photos() -> (Vec<PathBuf>, Option<tempfile::TempDir>) {
    if let Some(dir) = std::env::var_os("SHOEBOX_BENCH_PHOTOS") {
        let mut files: Vec<PathBuf> = walk(Path::new(&dir))
            .into_iter()
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    ["jpg", "jpeg", "png", "webp"].contains(&e.to_lowercase().as_str())
                })
            })
            .collect();
        files.sort();
        return (files, None);
    }
    // Camera-sized JPEGs with detail everywhere (a plain gradient would compress to
    // nothing and decode unrealistically fast).
    let dir = tempfile::tempdir().expect("temp");
    let mut rng = fastrand::Rng::with_seed(7);
    let files = (0..12)
        .map(|i| {
            let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
                let n = rng.u8(..) / 4;
                image::Rgb([
                    ((x / 7 + i * 20) % 200) as u8 + n,
                    ((y / 5) % 200) as u8 + n,
                    (((x + y) / 11) % 200) as u8 + n,
                ])
            });
            let path = dir.path().join(format!("photo{i:02}.jpg"));
            img.save(&path).expect("save");
            path
        })
        .collect();
    (files, Some(dir))
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Runs `work(file)` over the files on `threads` threads.
fn on_threads(files: &[PathBuf], threads: usize, work: impl Fn(usize, &Path) + Sync) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(f) = files.get(i) else { break };
                    work(i, f);
                }
            });
        }
    });
}

fn shoebox_in_process(files: &[PathBuf], threads: usize, out: &Path) -> Cost {
    measure(|| {
        on_threads(files, threads, |i, f| {
            let thumb = render(f, Kind::Image, THUMB_PX, Tools::default()).expect("thumbnail");
            thumb
                .save_with_format(out.join(format!("{i}.png")), image::ImageFormat::Png)
                .expect("save");
        });
    })
}

/// The app's way: the thumbnail service with `threads` workers, each with its long-lived
/// helper process, writing the PNG cache and handing back the pixels.
fn shoebox_service(files: &[PathBuf], threads: usize) -> Cost {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_shoebox"));
    let cache = tempfile::tempdir().expect("temp");
    measure(|| {
        let mut service = ThumbService::start(
            cache.path().to_path_buf(),
            threads,
            Isolation::Helper(Helpers::new(exe)),
            Arc::new(|| {}),
        );
        for (i, f) in files.iter().enumerate() {
            service.request(Request {
                key: format!("b{i}"),
                path: f.clone(),
                kind: Kind::Image,
                size: THUMB_PX,
            });
        }
        let mut n = 0;
        while n < files.len() {
            for out in service.poll() {
                assert!(matches!(out, Output::Ready { .. }), "{out:?}");
                n += 1;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        // The helpers' CPU time counts once they are reaped.
        service.shutdown();
    })
}

/// `vipsthumbnail` on the same files: `threads` processes, each on its share, each with
/// one vips worker thread. `None` when it is not installed.
fn vips(files: &[PathBuf], threads: usize, out: &Path) -> Option<Cost> {
    Command::new("vipsthumbnail")
        .arg("--version")
        .output()
        .ok()?;
    let mut ok = true;
    let cost = measure(|| {
        let children: Vec<_> = (0..threads)
            .map(|t| {
                let share: Vec<&PathBuf> = files.iter().skip(t).step_by(threads).collect();
                Command::new("vipsthumbnail")
                    .env("VIPS_CONCURRENCY", "1")
                    .args(["-s", "256", "-o"])
                    .arg(format!("{}/v%s.png", out.display()))
                    .args(share)
                    .spawn()
            })
            .collect();
        for child in children {
            ok &= child.and_then(|mut c| c.wait()).is_ok_and(|s| s.success());
        }
    });
    ok.then_some(cost)
}

fn median(mut v: Vec<Cost>) -> Cost {
    v.sort_by_key(|c| c.wall);
    v[v.len() / 2]
}

fn main() {
    let (files, _keep) = photos();
    assert!(!files.is_empty(), "no photos found");
    let out = tempfile::tempdir().expect("temp");
    println!(
        "grid thumbnails ({THUMB_PX} px, PNG) of {} photos, median of 3 runs",
        files.len()
    );
    println!(
        "{:<34} {:>8} {:>9} {:>8} {:>9} {:>12}",
        "", "threads", "wall", "cpu", "wall/vips", "cpu/vips"
    );
    for threads in [1, 2] {
        let mut runs: [Vec<Cost>; 3] = Default::default();
        for _ in 0..3 {
            if let Some(c) = vips(&files, threads, out.path()) {
                runs[0].push(c);
            }
            runs[1].push(shoebox_in_process(&files, threads, out.path()));
            runs[2].push(shoebox_service(&files, threads));
        }
        let base = (!runs[0].is_empty()).then(|| median(runs[0].clone()));
        let names = [
            "vipsthumbnail",
            "Shoebox (in process)",
            "Shoebox (the app: helper pool)",
        ];
        for (name, costs) in names.iter().zip(runs) {
            if costs.is_empty() {
                println!("{name:<34} (not installed)");
                continue;
            }
            let c = median(costs);
            let ratio = |a: Duration, b: Option<Duration>| {
                b.map_or("-".to_string(), |b| {
                    format!("{:.2}x", a.as_secs_f64() / b.as_secs_f64())
                })
            };
            println!(
                "{name:<34} {threads:>8} {:>8.3}s {:>7.3}s {:>9} {:>12}",
                c.wall.as_secs_f64(),
                c.cpu.as_secs_f64(),
                ratio(c.wall, base.map(|b| b.wall)),
                ratio(c.cpu, base.map(|b| b.cpu)),
            );
        }
    }
}
