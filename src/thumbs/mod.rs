//! Thumbnails and previews, made off the UI thread: a few named worker threads take
//! requests from a bounded queue (newest first, so the tiles on screen come first), decode
//! with size limits under `catch_unwind`, and keep small thumbnails in the library's
//! disposable `thumbs/` cache. Videos get a poster frame from `ffmpeg` when it is installed.
//! Nothing here knows about egui: results carry plain RGBA pixels.

use std::collections::{HashSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};

use crate::library::Kind;

/// Largest edge of a grid thumbnail, in pixels.
pub const THUMB_PX: u32 = 256;
/// Largest edge of a preview image, in pixels.
pub const PREVIEW_PX: u32 = 2048;
/// Requests waiting at most; older ones are dropped (they scrolled off screen).
const QUEUE_CAP: usize = 512;
/// Images larger than this (either edge) are refused.
const MAX_EDGE: u32 = 20_000;
/// Most memory one decode may allocate.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// One picture to make.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Request {
    /// Cache key: the content hash, so a renamed or moved file keeps its thumbnail.
    pub key: String,
    pub path: PathBuf,
    pub kind: Kind,
    /// Largest edge wanted: [`THUMB_PX`] or [`PREVIEW_PX`].
    pub size: u32,
}

/// A finished picture, or why there is none.
#[derive(Debug, Clone)]
pub enum Output {
    Ready {
        key: String,
        size: u32,
        width: u32,
        height: u32,
        rgba: Vec<u8>,
    },
    Failed {
        key: String,
        size: u32,
        reason: String,
    },
}

struct Shared {
    queue: Mutex<(VecDeque<Request>, bool)>,
    ready: Condvar,
}

/// Where decoding happens.
#[derive(Debug, Clone)]
pub enum Isolation {
    /// In the worker thread, under `catch_unwind` (tests).
    InProcess,
    /// In a helper process (this executable, re-launched with a hidden command) with a
    /// memory limit and a kill timeout, so no decoder crash, hang or OOM can end the app.
    Helper(PathBuf),
}

/// How long a helper may take before it is killed.
const HELPER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// Address space a helper may use.
const HELPER_MEMORY_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The worker pool. Dropping it stops the workers.
pub struct ThumbService {
    shared: Arc<Shared>,
    results: Receiver<Output>,
    queued: HashSet<(String, u32)>,
}

impl ThumbService {
    /// Starts `workers` threads caching into `cache_dir`; `wake` is called after each
    /// result (the app asks for a repaint there).
    pub fn start(
        cache_dir: PathBuf,
        workers: usize,
        isolation: Isolation,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> ThumbService {
        let shared = Arc::new(Shared {
            queue: Mutex::new((VecDeque::new(), false)),
            ready: Condvar::new(),
        });
        let (tx, rx) = channel();
        let ffmpeg = has_ffmpeg();
        for n in 0..workers.max(1) {
            let shared = shared.clone();
            let tx: Sender<Output> = tx.clone();
            let wake = wake.clone();
            let cache_dir = cache_dir.clone();
            let isolation = isolation.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("shoebox-thumbs-{n}"))
                .spawn(move || worker(&shared, &tx, &*wake, &cache_dir, ffmpeg, &isolation));
            if let Err(e) = spawned {
                log::error!("could not start a thumbnail worker: {e}");
            }
        }
        ThumbService {
            shared,
            results: rx,
            queued: HashSet::new(),
        }
    }

    /// Asks for a picture; the newest requests are served first.
    pub fn request(&mut self, req: Request) {
        if !self.queued.insert((req.key.clone(), req.size)) {
            return;
        }
        let Ok(mut q) = self.shared.queue.lock() else {
            return;
        };
        q.0.push_front(req);
        while q.0.len() > QUEUE_CAP {
            if let Some(old) = q.0.pop_back() {
                self.queued.remove(&(old.key, old.size));
            }
        }
        self.shared.ready.notify_one();
    }

    /// Whether a picture was asked for and has not arrived yet.
    pub fn is_pending(&self, key: &str, size: u32) -> bool {
        self.queued.contains(&(key.to_string(), size))
    }

    /// Finished pictures since the last call.
    pub fn poll(&mut self) -> Vec<Output> {
        let out: Vec<Output> = self.results.try_iter().collect();
        for o in &out {
            let (key, size) = match o {
                Output::Ready { key, size, .. } | Output::Failed { key, size, .. } => (key, size),
            };
            self.queued.remove(&(key.clone(), *size));
        }
        out
    }

    /// Forgets requests that are still waiting (e.g. after scrolling far away).
    pub fn clear_queue(&mut self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            for r in q.0.drain(..) {
                self.queued.remove(&(r.key, r.size));
            }
        }
    }
}

impl Drop for ThumbService {
    fn drop(&mut self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            q.1 = true;
        }
        self.shared.ready.notify_all();
    }
}

fn worker(
    shared: &Shared,
    tx: &Sender<Output>,
    wake: &(dyn Fn() + Send + Sync),
    cache_dir: &Path,
    ffmpeg: bool,
    isolation: &Isolation,
) {
    loop {
        let req = {
            let Ok(mut q) = shared.queue.lock() else {
                return;
            };
            loop {
                if q.1 {
                    return;
                }
                if let Some(r) = q.0.pop_front() {
                    break r;
                }
                q = match shared.ready.wait(q) {
                    Ok(q) => q,
                    Err(_) => return,
                };
            }
        };
        let result = match isolation {
            Isolation::InProcess => {
                std::panic::catch_unwind(AssertUnwindSafe(|| make(&req, cache_dir, ffmpeg)))
            }
            Isolation::Helper(exe) => Ok(make_in_helper(exe, &req, cache_dir, ffmpeg)),
        };
        let out = match result {
            Ok(Ok(img)) => Output::Ready {
                key: req.key.clone(),
                size: req.size,
                width: img.width(),
                height: img.height(),
                rgba: img.into_raw(),
            },
            Ok(Err(reason)) => Output::Failed {
                key: req.key.clone(),
                size: req.size,
                reason,
            },
            Err(_) => Output::Failed {
                key: req.key.clone(),
                size: req.size,
                reason: "the decoder crashed on this file".into(),
            },
        };
        if tx.send(out).is_err() {
            return;
        }
        wake();
    }
}

/// The version of how thumbnails are made, part of every cached file's name: a change
/// that makes them look different (2: EXIF orientation applied) leaves the old ones unused.
const CACHE_VERSION: u32 = 2;

fn cache_path(cache_dir: &Path, req: &Request) -> PathBuf {
    cache_dir.join(format!("{}-{}-v{CACHE_VERSION}.png", req.key, req.size))
}

impl Request {
    /// A request that only names a cache entry (for the cache's own bookkeeping).
    fn named(key: &str, size: u32) -> Request {
        Request {
            key: key.to_string(),
            path: PathBuf::new(),
            kind: Kind::Other,
            size,
        }
    }
}

/// Whether the picture of `key` at `size` is in the cache.
pub fn is_cached(cache_dir: &Path, key: &str, size: u32) -> bool {
    cache_path(cache_dir, &Request::named(key, size)).is_file()
}

/// Forgets the cached picture of `key` at `size` and any failure remembered for it, so the
/// next request makes it again.
pub fn forget(cache_dir: &Path, key: &str, size: u32) {
    let req = Request::named(key, size);
    for path in [cache_path(cache_dir, &req), failed_marker(cache_dir, &req)] {
        let _ = std::fs::remove_file(path);
    }
}

/// Where the reason a file could not be pictured is remembered, so it is not retried.
fn failed_marker(cache_dir: &Path, req: &Request) -> PathBuf {
    cache_dir.join(format!("{}-{}.failed", req.key, req.size))
}

/// Makes one picture: from the cache, else decoded (or a video poster) and cached.
fn make(req: &Request, cache_dir: &Path, ffmpeg: bool) -> Result<image::RgbaImage, String> {
    let cached = cache_path(cache_dir, req);
    let cacheable = req.size <= THUMB_PX;
    if cacheable && let Ok(img) = image::open(&cached) {
        return Ok(img.into_rgba8());
    }
    let rgba = render(&req.path, req.kind, req.size, ffmpeg)?;
    if cacheable {
        // Best effort: a cache that cannot be written only costs time.
        let tmp = cache_dir.join(format!(".{}-{}.tmp.png", req.key, req.size));
        if rgba.save_with_format(&tmp, image::ImageFormat::Png).is_ok() {
            let _ = std::fs::rename(&tmp, &cached);
        }
    }
    Ok(rgba)
}

/// Decodes (or takes a video poster) and scales to at most `size` pixels.
pub fn render(
    path: &Path,
    kind: Kind,
    size: u32,
    ffmpeg: bool,
) -> Result<image::RgbaImage, String> {
    let img = match kind {
        Kind::Video => {
            if !ffmpeg {
                return Err("no poster frame: install ffmpeg to see video previews".into());
            }
            video_poster(path, size)?
        }
        // A JPEG is decoded straight at the smallest scale (1/8, 1/4, 1/2) that still
        // covers `size`: most of a photo's pixels are never computed.
        _ => match scaled_jpeg(path, size) {
            Some(img) => img,
            None => decode(path)?,
        },
    };
    let img = if img.width() > size || img.height() > size {
        img.thumbnail(size, size)
    } else {
        img
    };
    Ok(img.into_rgba8())
}

/// The helper's side: renders one picture into `out` as PNG (the hidden command
/// `shoebox __render`). Errors are printed for the parent.
pub fn render_to_file(
    path: &Path,
    kind: Kind,
    size: u32,
    ffmpeg: bool,
    out: &Path,
) -> Result<(), String> {
    let rgba = render(path, kind, size, ffmpeg)?;
    rgba.save_with_format(out, image::ImageFormat::Png)
        .map_err(|e| format!("could not write the picture: {e}"))
}

/// Makes one picture in a helper process; remembers deterministic failures on disk.
fn make_in_helper(
    exe: &Path,
    req: &Request,
    cache_dir: &Path,
    ffmpeg: bool,
) -> Result<image::RgbaImage, String> {
    let marker = failed_marker(cache_dir, req);
    if let Ok(reason) = std::fs::read_to_string(&marker) {
        return Err(reason);
    }
    let cached = cache_path(cache_dir, req);
    let cacheable = req.size <= THUMB_PX;
    if cacheable && let Ok(img) = image::open(&cached) {
        return Ok(img.into_rgba8());
    }
    let tmp = cache_dir.join(format!(
        ".{}-{}-{}.tmp.png",
        req.key,
        req.size,
        std::process::id()
    ));
    let result = run_helper(exe, req, ffmpeg, &tmp);
    match result {
        Ok(()) => {
            let img = image::open(&tmp).map_err(|e| format!("the helper gave no picture: {e}"));
            if cacheable && img.is_ok() {
                let _ = std::fs::rename(&tmp, &cached);
            } else {
                let _ = std::fs::remove_file(&tmp);
            }
            img.map(|i| i.into_rgba8())
        }
        Err((reason, remember)) => {
            let _ = std::fs::remove_file(&tmp);
            // "Install ffmpeg" belongs to this computer, not to the file: ask again later.
            let about_the_file = req.kind != Kind::Video || ffmpeg;
            if remember && about_the_file {
                let _ = std::fs::write(&marker, &reason);
            }
            Err(reason)
        }
    }
}

/// Runs the helper with a memory limit and a timeout. The error says whether the failure
/// belongs to the file (remember it) or to the moment (retry later).
fn run_helper(exe: &Path, req: &Request, ffmpeg: bool, out: &Path) -> Result<(), (String, bool)> {
    let mut cmd = Command::new(exe);
    cmd.arg("__render")
        .arg("--kind")
        .arg(req.kind.as_str())
        .arg("--size")
        .arg(req.size.to_string())
        .arg(&req.path)
        .arg(out)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    if ffmpeg {
        cmd.arg("--ffmpeg");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: only async-signal-safe setrlimit runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: HELPER_MEMORY_BYTES as _,
                    rlim_max: HELPER_MEMORY_BYTES as _,
                };
                libc::setrlimit(libc::RLIMIT_AS, &limit);
                Ok(())
            });
        }
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| (format!("could not start the picture helper: {e}"), false))?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                let message = err
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches("shoebox: ")
                    .to_string();
                return if status.success() {
                    Ok(())
                } else if status.code() == Some(1) && !message.is_empty() {
                    Err((message, true))
                } else {
                    Err(("the decoder crashed on this file".into(), true))
                };
            }
            Ok(None) if started.elapsed() > HELPER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(("took too long to read; skipped".into(), true));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(5)),
            Err(e) => return Err((format!("the picture helper failed: {e}"), false)),
        }
    }
}

/// Decodes an image with explicit limits.
pub fn decode(path: &Path) -> Result<image::DynamicImage, String> {
    // Opening by path keeps the extension as a hint when the content is not recognised.
    let mut reader = image::ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| format!("can't read the file: {e}"))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    if reader.format().is_none() {
        return Err("no preview for this kind of file".into());
    }
    let explain = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => "too large to preview safely".to_string(),
        image::ImageError::Unsupported(_) => "no preview for this kind of file".to_string(),
        other => format!("can't read this image: {other}"),
    };
    let mut decoder = reader.into_decoder().map_err(explain)?;
    // Shown as the camera meant it: a portrait photo stored sideways (EXIF orientation) is
    // turned upright, a mirrored one flipped back. An unreadable tag leaves it as stored.
    let orientation = image::ImageDecoder::orientation(&mut decoder)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(explain)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// A JPEG decoded at the smallest DCT scale whose picture still has `size` pixels along
/// its longer edge, turned by its EXIF orientation. `None` for anything else, or anything
/// unusual (CMYK, 16-bit, too large, damaged): the full decoder then decides, and explains.
fn scaled_jpeg(path: &Path, size: u32) -> Option<image::DynamicImage> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut magic = [0u8; 3];
    file.read_exact(&mut magic).ok()?;
    if magic != [0xFF, 0xD8, 0xFF] || file.metadata().ok()?.len() > MAX_ALLOC / 2 {
        return None;
    }
    // Read whole: the decoder reads a byte at a time, which a slice serves for free.
    let bytes = std::fs::read(path).ok()?;
    // The decoder panics on some malformed frames; that only costs the fast path.
    std::panic::catch_unwind(AssertUnwindSafe(move || {
        let mut decoder = jpeg_decoder::Decoder::new(&bytes[..]);
        decoder.set_max_decoding_buffer_size(MAX_ALLOC as usize);
        decoder.read_info().ok()?;
        let info = decoder.info()?;
        let (w, h) = (u32::from(info.width), u32::from(info.height));
        if w == 0 || h == 0 || w > MAX_EDGE || h > MAX_EDGE {
            return None;
        }
        // What `size` along the longer edge asks of each axis.
        let long = w.max(h);
        let want_w = (u64::from(w) * u64::from(size))
            .div_ceil(u64::from(long))
            .max(1);
        let want_h = (u64::from(h) * u64::from(size))
            .div_ceil(u64::from(long))
            .max(1);
        let (sw, sh) = decoder
            .scale(
                want_w.min(u64::from(u16::MAX)) as u16,
                want_h.min(u64::from(u16::MAX)) as u16,
            )
            .ok()?;
        let pixels = decoder.decode().ok()?;
        let (sw, sh) = (u32::from(sw), u32::from(sh));
        let mut img = match decoder.info()?.pixel_format {
            jpeg_decoder::PixelFormat::RGB24 => {
                image::DynamicImage::ImageRgb8(image::RgbImage::from_raw(sw, sh, pixels)?)
            }
            jpeg_decoder::PixelFormat::L8 => {
                image::DynamicImage::ImageLuma8(image::GrayImage::from_raw(sw, sh, pixels)?)
            }
            _ => return None,
        };
        let orientation = decoder
            .exif_data()
            .and_then(image::metadata::Orientation::from_exif_chunk)
            .unwrap_or(image::metadata::Orientation::NoTransforms);
        img.apply_orientation(orientation);
        Some(img)
    }))
    .ok()
    .flatten()
}

fn has_ffmpeg() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A frame one second in (or the first), scaled, via ffmpeg.
fn video_poster(path: &Path, size: u32) -> Result<image::DynamicImage, String> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", "1", "-i"])
        .arg(path)
        .args([
            "-frames:v",
            "1",
            "-vf",
            &format!("scale='min({size},iw)':-2"),
            "-f",
            "image2pipe",
            "-vcodec",
            "png",
            "-",
        ])
        .output()
        .map_err(|e| format!("ffmpeg failed: {e}"))?;
    if !out.status.success() || out.stdout.is_empty() {
        return Err("ffmpeg could not read this video".into());
    }
    image::load_from_memory(&out.stdout).map_err(|e| format!("ffmpeg gave no picture: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jpeg_is_decoded_at_the_smallest_scale_that_covers_the_thumbnail() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("photo.jpg");
        // Left half dark, right half light, so a scaled decode can be compared.
        let img = image::RgbImage::from_fn(1600, 800, |x, _| {
            if x < 800 {
                image::Rgb([30, 40, 50])
            } else {
                image::Rgb([220, 210, 200])
            }
        });
        img.save(&path).expect("save");
        // 256 along the long edge: 1/4 gives 400×200, the smallest scale that covers it.
        let scaled = scaled_jpeg(&path, THUMB_PX).expect("the fast path takes a JPEG");
        assert_eq!((scaled.width(), scaled.height()), (400, 200));
        let thumb = render(&path, Kind::Image, THUMB_PX, false).expect("thumbnail");
        assert_eq!(thumb.dimensions(), (256, 128));
        let full = decode(&path)
            .expect("decode")
            .thumbnail(256, 256)
            .into_rgba8();
        for (x, y) in [(40, 64), (216, 64)] {
            let (a, b) = (thumb.get_pixel(x, y).0, full.get_pixel(x, y).0);
            assert!((0..3).all(|c| a[c].abs_diff(b[c]) < 12), "{a:?} vs {b:?}");
        }
        // Not a JPEG: the fast path declines and the full decoder decides.
        let png = dir.path().join("photo.png");
        img.save(&png).expect("save");
        assert!(scaled_jpeg(&png, THUMB_PX).is_none());
        assert_eq!(
            render(&png, Kind::Image, THUMB_PX, false)
                .expect("png")
                .dimensions(),
            (256, 128)
        );
    }

    #[test]
    fn a_corrupt_image_says_it_cannot_be_read() {
        let dir = tempfile::tempdir().expect("temp");
        let p = dir.path().join("broken.jpg");
        std::fs::write(&p, b"x").expect("write");
        let err = decode(&p).expect_err("corrupt");
        assert!(err.starts_with("can't read this image"), "{err}");
    }

    #[test]
    fn an_image_larger_than_the_limits_is_refused_without_decoding() {
        let dir = tempfile::tempdir().expect("temp");
        let p = dir.path().join("huge.png");
        // A valid PNG header claiming 30000 × 30000 pixels: a decompression bomb.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let ihdr = [
            &30_000u32.to_be_bytes()[..],
            &30_000u32.to_be_bytes()[..],
            &[8, 6, 0, 0, 0],
        ]
        .concat();
        png.extend_from_slice(&(ihdr.len() as u32).to_be_bytes());
        let mut chunk = b"IHDR".to_vec();
        chunk.extend_from_slice(&ihdr);
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc32(&chunk).to_be_bytes());
        std::fs::write(&p, png).expect("write");
        let err = decode(&p).expect_err("too large");
        assert_eq!(err, "too large to preview safely");
    }

    #[test]
    fn a_video_gets_a_poster_frame_from_ffmpeg() {
        let dir = tempfile::tempdir().expect("temp");
        let clip = dir.path().join("clip.mp4");
        let made = Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=2:size=320x240:rate=10",
            ])
            .args(["-pix_fmt", "yuv420p"])
            .arg(&clip)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            assert!(
                std::env::var_os("SHOEBOX_REQUIRE_FFMPEG").is_none(),
                "ffmpeg is required here"
            );
            eprintln!("skipped: ffmpeg is not installed");
            return;
        }
        let req = Request {
            key: "k".into(),
            path: clip,
            kind: Kind::Video,
            size: THUMB_PX,
        };
        let img = make(&req, dir.path(), true).expect("poster");
        assert_eq!((img.width(), img.height()), (256, 192));
        assert!(
            dir.path().join("k-256-v2.png").exists(),
            "the poster is cached"
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
