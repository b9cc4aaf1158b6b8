//! Time per grid thumbnail (256 px) for each format, next to a JPEG's, in the same run: the
//! same photos as JPEG (as the camera wrote them), HEIC and AVIF (made by heif-enc and
//! avifenc), PSD (made by ImageMagick) and PDF (a page holding the photo, made by librsvg); an
//! iPhone's HEIC and a Canon CR3 (the samples the tests use), a whole Canon CR2 and an SVG
//! drawing with text. One thread, decoding in this process; the median of each file's time,
//! and the ratio to the JPEG's; beside it `vipsthumbnail` making the same thumbnails (one
//! process over all the files, so its start is shared), where it reads the format.
//!
//! - `SHOEBOX_BENCH_PHOTOS=DIR`: JPEG photos to convert (e.g. Debian's wallpaper packages);
//!   without it the bench makes a few camera-sized JPEGs itself.
//! - `SHOEBOX_BENCH_N`: how many photos (default 12).
//! - `SHOEBOX_BENCH_CR2=FILE`: a whole camera RAW; by default `IMG_5952.CR2` of Debian's
//!   `rawtran-doc` (`apt-get download rawtran-doc && dpkg -x rawtran-doc_*.deb /`).
//!
//! Run with `cargo bench --bench formats`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use shoebox::library::Kind;
use shoebox::media::formats::Tools;
use shoebox::thumbs::{THUMB_PX, render};

fn main() {
    let n: usize = std::env::var("SHOEBOX_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let dir = tempfile::tempdir().expect("temp dir");
    let jpegs = photos(dir.path(), n);
    let tools = Tools::find();
    println!(
        "{} photos, {}; tools: heif-convert {}, pdftoppm {}",
        jpegs.len(),
        sizes(&jpegs),
        tools.heif,
        tools.pdf
    );
    let mut sets: Vec<(&str, Vec<PathBuf>)> = vec![("JPEG", jpegs.clone())];
    for (name, ext, program, args) in [
        (
            "HEIC",
            "heic",
            "heif-enc",
            &["-q", "90", "-o", "{out}", "{in}"][..],
        ),
        ("AVIF", "avif", "avifenc", &["-s", "8", "{in}", "{out}"][..]),
        ("PSD", "psd", "convert", &["{in}", "{out}"][..]),
        (
            "PDF",
            "pdf",
            "rsvg-convert",
            &["-f", "pdf", "-o", "{out}", "{in}"][..],
        ),
    ] {
        let made: Vec<PathBuf> = jpegs
            .iter()
            .filter_map(|j| convert(j, dir.path(), ext, program, args))
            .collect();
        if made.is_empty() {
            println!("{name}: skipped ({program} is not installed)");
        } else {
            sets.push((name, made));
        }
    }
    let iphone = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iphone-grid.heic");
    sets.push(("HEIC, iPhone 12 MP (tiled)", vec![iphone; n]));
    let cr3 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/canon-r6.cr3");
    sets.push(("CR3 (1620×1080 preview)", vec![cr3; n]));
    let cr2 = std::env::var_os("SHOEBOX_BENCH_CR2").map_or_else(
        || PathBuf::from("/usr/share/doc/rawtran/IMG_5952.CR2"),
        PathBuf::from,
    );
    let whole_cr2 = cr2.is_file().then(|| cr2.clone());
    match &whole_cr2 {
        Some(cr2) => sets.push(("CR2, whole 7.5 MB file", vec![cr2.clone(); n])),
        None => println!("CR2: skipped (no {}; see the doc comment)", cr2.display()),
    }
    let svg = dir.path().join("drawing.svg");
    std::fs::write(&svg, DRAWING).expect("write svg");
    sets.push(("SVG", vec![svg; n]));

    let mut jpeg_ms = None;
    let out = dir.path().join("vips");
    std::fs::create_dir_all(&out).expect("vips output dir");
    println!(
        "{:<26} {:>12} {:>10} {:>16} {:>14}",
        "format", "ms / thumb", "× JPEG", "vipsthumbnail ms", "vips / Shoebox"
    );
    for (name, files) in &sets {
        // Once to warm the page cache and any program's start, then measured.
        let _ = render(&files[0], Kind::Image, THUMB_PX, tools);
        let mut times: Vec<Duration> = files
            .iter()
            .map(|f| {
                let t = Instant::now();
                render(f, Kind::Image, THUMB_PX, tools)
                    .unwrap_or_else(|e| panic!("{name} {}: {e}", f.display()));
                t.elapsed()
            })
            .collect();
        times.sort();
        let ms = times[times.len() / 2].as_secs_f64() * 1000.0;
        let base = *jpeg_ms.get_or_insert(ms);
        let (vips_ms, ratio) = match vips(files, &out) {
            Some(v) => (format!("{v:.1}"), format!("{:.2}", v / ms)),
            None => ("can't read".to_string(), "-".to_string()),
        };
        println!(
            "{name:<26} {ms:>12.1} {:>10.1} {vips_ms:>16} {ratio:>14}",
            ms / base
        );
    }
    // The bare cost of reading the whole CR2, which the thumbnail does not pay, and what
    // import reads of it (size, camera, date) next to what it reads of a JPEG.
    if let (Some(cr2), Some(base)) = (&whole_cr2, jpeg_ms) {
        let read = median(n, || {
            std::fs::read(cr2).expect("read the CR2");
        });
        println!(
            "{:<26} {read:>12.2} {:>10.2}",
            "(reading all of the CR2)",
            read / base
        );
        let jpeg_meta = median(n, || {
            shoebox::library::read_meta(&jpegs[0], Kind::Image).expect("JPEG metadata");
        });
        let cr2_meta = median(n, || {
            shoebox::library::read_meta(cr2, Kind::Image).expect("CR2 metadata");
        });
        println!(
            "import metadata, ms / file: JPEG {jpeg_meta:.2}, CR2 {cr2_meta:.2} ({:.1} × JPEG)",
            cr2_meta / jpeg_meta
        );
    }
}

/// `vipsthumbnail` (libvips, one worker thread) making the same thumbnails, in one run over
/// all the files: milliseconds per file. `None` when it is not installed or can't read them.
fn vips(files: &[PathBuf], out: &Path) -> Option<f64> {
    let t = Instant::now();
    let status = Command::new("vipsthumbnail")
        .env("VIPS_CONCURRENCY", "1")
        .args(["-s", "256", "-o"])
        .arg(format!("{}/%s.png", out.display()))
        .args(files)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    let ms = t.elapsed().as_secs_f64() * 1000.0 / files.len() as f64;
    status.success().then_some(ms)
}

/// The median time of `n` runs of `f`, in milliseconds (after one to warm up).
fn median(n: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<Duration> = (0..n.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

/// `n` JPEG photos: from `SHOEBOX_BENCH_PHOTOS`, or made here (4000×3000, camera-sized).
fn photos(dir: &Path, n: usize) -> Vec<PathBuf> {
    if let Some(from) = std::env::var_os("SHOEBOX_BENCH_PHOTOS") {
        let mut files: Vec<PathBuf> = std::fs::read_dir(from)
            .expect("read SHOEBOX_BENCH_PHOTOS")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg")
                })
            })
            .collect();
        files.sort();
        files.truncate(n);
        return files;
    }
    (0..n)
        .map(|i| {
            let p = dir.join(format!("photo{i}.jpg"));
            let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
                image::Rgb([
                    (x / 16 + i as u32 * 9) as u8,
                    (y / 12) as u8,
                    ((x ^ y) / 32) as u8,
                ])
            });
            img.save(&p).expect("save");
            p
        })
        .collect()
}

fn sizes(files: &[PathBuf]) -> String {
    let dims: Vec<(u32, u32)> = files
        .iter()
        .filter_map(|f| image::image_dimensions(f).ok())
        .collect();
    let mp: Vec<f64> = dims
        .iter()
        .map(|(w, h)| f64::from(*w) * f64::from(*h) / 1e6)
        .collect();
    let lo = mp.iter().copied().fold(f64::MAX, f64::min);
    let hi = mp.iter().copied().fold(0.0, f64::max);
    format!("{lo:.1}–{hi:.1} MP")
}

/// `input` made into `.ext` in `dir` by `program` (`{in}`/`{out}` in `args`); `None` when
/// the program is not installed.
fn convert(input: &Path, dir: &Path, ext: &str, program: &str, args: &[&str]) -> Option<PathBuf> {
    let out = dir.join(input.with_extension(ext).file_name()?);
    // A PDF page holding the photo: drawn from an SVG beside a copy of it.
    let page;
    let input = if ext == "pdf" {
        let (w, h) = image::image_dimensions(input).ok()?;
        let copy = dir.join(input.file_name()?);
        if !copy.exists() {
            std::fs::copy(input, &copy).ok()?;
        }
        page = copy.with_extension("page.svg");
        let name = copy.file_name()?.to_str()?;
        std::fs::write(
            &page,
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}"><image href="{name}" width="{w}" height="{h}"/></svg>"#
            ),
        )
        .ok()?;
        page.as_path()
    } else {
        input
    };
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace("{in}", input.to_str().unwrap_or_default())
                .replace("{out}", out.to_str().unwrap_or_default())
        })
        .collect();
    let ok = Command::new(program)
        .args(&args)
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(out)
}

const DRAWING: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#1e3c78"/><stop offset="1" stop-color="#e6dcc8"/></linearGradient></defs>
  <rect width="1200" height="800" fill="url(#g)"/>
  <circle cx="900" cy="300" r="180" fill="#f0c040" opacity="0.8"/>
  <path d="M0 700 C 300 500, 600 900, 1200 600 L 1200 800 L 0 800 Z" fill="#304830"/>
  <text x="80" y="160" font-size="96" font-family="sans-serif" fill="white">Shoebox</text>
</svg>"##;
