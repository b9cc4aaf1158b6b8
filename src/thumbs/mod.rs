//! Thumbnails and previews, made off the UI thread: a few named worker threads take
//! requests from two queues — the tiles on screen (newest first; requests for tiles that
//! left the screen are dropped) and, behind them, everything not made yet (made ahead, so a
//! scroll finds them ready) — decode in long-lived helper processes (see [`helper`]) and
//! keep small thumbnails in the library's disposable `thumbs/` cache. Videos get a poster
//! frame from `ffmpeg` when it is installed. Nothing here knows about egui: results carry
//! plain RGBA pixels.

mod helper;
mod render;

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub use helper::{Helpers, serve as serve_helper};
pub use render::{dc_scans_only, decode, render, scaled_jpeg};

use crate::media::Kind;
use crate::media::{NoPicture, formats, panics};
use helper::{Answer, Helper, Lost};

/// Largest edge of a grid thumbnail, in pixels.
pub const THUMB_PX: u32 = 256;
/// Largest edge of a preview image, in pixels.
pub const PREVIEW_PX: u32 = 2048;
/// Largest edge of a grid thumbnail for tiles drawn larger than [`THUMB_PX`] pixels (a
/// HiDPI screen, large tiles): twice as sharp, cached like the others.
pub const THUMB_HI_PX: u32 = 512;

/// The grid thumbnail for a tile `tile_points` wide on a screen of `pixels_per_point`:
/// the size it is drawn at, so a picture is never stretched much past its pixels.
pub fn grid_px(tile_points: f32, pixels_per_point: f32) -> u32 {
    if tile_points * pixels_per_point > THUMB_PX as f32 * 1.25 {
        THUMB_HI_PX
    } else {
        THUMB_PX
    }
}
/// On-screen requests waiting at most; older ones are dropped (they scrolled off screen).
const QUEUE_CAP: usize = 512;
/// A helper with nothing to do for this long is stopped (its memory goes back).
const HELPER_IDLE: Duration = Duration::from_secs(30);

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
    /// A picture for the screen.
    Ready {
        key: String,
        size: u32,
        width: u32,
        height: u32,
        rgba: Vec<u8>,
    },
    /// A thumbnail made ahead: it is in the cache (its pixels stay there).
    Made { key: String, size: u32 },
    Failed {
        key: String,
        size: u32,
        why: NoPicture,
    },
}

impl Output {
    /// The picture this is about: its cache key and size.
    pub fn key(&self) -> (&str, u32) {
        match self {
            Output::Ready { key, size, .. }
            | Output::Made { key, size }
            | Output::Failed { key, size, .. } => (key, *size),
        }
    }
}

/// Where decoding happens.
#[derive(Debug, Clone)]
pub enum Isolation {
    /// In the worker thread, under [`panics::quietly`] (tests, benchmarks).
    InProcess,
    /// In long-lived helper processes with a memory limit and a timeout, so no decoder
    /// crash, hang or out-of-memory can end the app.
    Helper(Helpers),
}

/// Thumbnails being made ahead: how many, and since when.
#[derive(Default)]
struct Ahead {
    queue: VecDeque<Request>,
    total: usize,
    done: usize,
    started: Option<Instant>,
}

#[derive(Default)]
struct Queues {
    /// Asked for by what is on screen; newest first.
    urgent: VecDeque<Request>,
    ahead: Ahead,
    stop: bool,
}

struct Shared {
    queue: Mutex<Queues>,
    ready: Condvar,
}

/// The worker pool. Dropping it stops the workers and their helpers.
pub struct ThumbService {
    shared: Arc<Shared>,
    workers: Vec<std::thread::JoinHandle<()>>,
    results: Receiver<Output>,
    cache_dir: PathBuf,
    wake: Arc<dyn Fn() + Send + Sync>,
    /// On-screen requests asked for and not answered yet.
    queued: HashSet<(String, u32)>,
    /// What was asked for since the last [`ThumbService::end_frame`].
    asked: HashSet<(String, u32)>,
    /// Lists handed to [`ThumbService::make_ahead`] still being looked through.
    scanning: Arc<std::sync::atomic::AtomicUsize>,
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
            queue: Mutex::new(Queues::default()),
            ready: Condvar::new(),
        });
        let (tx, rx) = channel();
        // Which programs are here is asked by the first worker that needs it, off the
        // window's thread (each question starts a program: at launch they cost the first
        // frame a few hundred milliseconds).
        let tools = Arc::new(std::sync::OnceLock::new());
        let mut handles = Vec::new();
        for n in 0..workers.max(1) {
            let shared = shared.clone();
            let tx: Sender<Output> = tx.clone();
            let wake = wake.clone();
            let cache_dir = cache_dir.clone();
            let isolation = isolation.clone();
            let tools = tools.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("shoebox-thumbs-{n}"))
                .spawn(move || {
                    let env = Env {
                        shared: &shared,
                        tx: &tx,
                        wake: &*wake,
                        cache_dir: &cache_dir,
                        tools: &tools,
                        isolation: &isolation,
                    };
                    worker(&env);
                });
            match spawned {
                Ok(h) => handles.push(h),
                Err(e) => log::error!("could not start a thumbnail worker: {e}"),
            }
        }
        ThumbService {
            scanning: Arc::default(),
            shared,
            workers: handles,
            results: rx,
            cache_dir,
            wake,
            queued: HashSet::new(),
            asked: HashSet::new(),
        }
    }

    /// Asks for a picture for the screen; the newest requests are served first.
    pub fn request(&mut self, req: Request) {
        let k = (req.key.clone(), req.size);
        self.asked.insert(k.clone());
        if !self.queued.insert(k) {
            return;
        }
        let Ok(mut q) = self.shared.queue.lock() else {
            return;
        };
        q.urgent.push_front(req);
        while q.urgent.len() > QUEUE_CAP {
            if let Some(old) = q.urgent.pop_back() {
                self.queued.remove(&(old.key, old.size));
            }
        }
        self.shared.ready.notify_one();
    }

    /// Ends a frame of the app: requests still waiting that were not asked for again
    /// since the last call are for tiles that left the screen, and are dropped.
    pub fn end_frame(&mut self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            let asked = &self.asked;
            let queued = &mut self.queued;
            q.urgent.retain(|r| {
                let k = (r.key.clone(), r.size);
                let keep = asked.contains(&k);
                if !keep {
                    queued.remove(&k);
                }
                keep
            });
        }
        self.asked.clear();
    }

    /// Makes the grid thumbnails of `reqs` in the background, behind what is on screen.
    /// Those already made (or known to fail) are left out, on a thread of their own so
    /// the caller never waits for the disk.
    pub fn make_ahead(&self, reqs: Vec<Request>) {
        if reqs.is_empty() {
            return;
        }
        let shared = self.shared.clone();
        let cache_dir = self.cache_dir.clone();
        let wake = self.wake.clone();
        let scanning = self.scanning.clone();
        scanning.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let spawned = std::thread::Builder::new()
            .name("shoebox-thumbs-scan".into())
            .spawn(move || {
                let missing: Vec<Request> = reqs
                    .into_iter()
                    .map(|r| Request {
                        size: THUMB_PX,
                        ..r
                    })
                    .filter(|r| {
                        !cache_path(&cache_dir, r).exists()
                            && !failed_marker(&cache_dir, r).exists()
                    })
                    .collect();
                queue_ahead(&shared, missing);
                scanning.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                wake();
            });
        if let Err(e) = spawned {
            self.scanning
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            log::error!("could not start making thumbnails ahead: {e}");
        }
    }

    /// Whether thumbnails handed over to be made ahead are still being looked through or
    /// made (the next list waits for this one).
    pub fn is_making_ahead(&self) -> bool {
        self.scanning.load(std::sync::atomic::Ordering::SeqCst) > 0
            || self.ahead_progress().is_some()
    }

    /// Makes the grid thumbnail of every one of `reqs` in the background, behind what is
    /// on screen, each answered by one [`Output::Made`] or [`Output::Failed`] (the
    /// command line's way: nothing is left out, however many there are).
    pub fn make_listed(&self, reqs: Vec<Request>) {
        let reqs = reqs
            .into_iter()
            .map(|r| Request {
                size: THUMB_PX,
                ..r
            })
            .collect();
        queue_ahead(&self.shared, reqs);
    }

    /// Thumbnails being made ahead: (made, of how many), until all are made.
    pub fn ahead_progress(&self) -> Option<(usize, usize)> {
        let q = self.shared.queue.lock().ok()?;
        (q.ahead.done < q.ahead.total).then_some((q.ahead.done, q.ahead.total))
    }

    /// Whether a picture was asked for and has not arrived yet.
    pub fn is_pending(&self, key: &str, size: u32) -> bool {
        self.queued.contains(&(key.to_string(), size))
    }

    /// Finished pictures since the last call.
    pub fn poll(&mut self) -> Vec<Output> {
        let out: Vec<Output> = self.results.try_iter().collect();
        for o in &out {
            let (key, size) = o.key();
            self.queued.remove(&(key.to_string(), size));
        }
        out
    }

    /// Forgets on-screen requests that are still waiting.
    pub fn clear_queue(&mut self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            for r in q.urgent.drain(..) {
                self.queued.remove(&(r.key, r.size));
            }
        }
    }
}

impl ThumbService {
    /// Stops the workers and waits for them and their helpers to end (dropping the
    /// service stops them without waiting).
    pub fn shutdown(mut self) {
        self.stop();
        for h in std::mem::take(&mut self.workers) {
            let _ = h.join();
        }
    }

    fn stop(&self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            q.stop = true;
        }
        self.shared.ready.notify_all();
    }
}

impl Drop for ThumbService {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Queues thumbnails to make ahead, counted for the progress shown.
fn queue_ahead(shared: &Shared, reqs: Vec<Request>) {
    if reqs.is_empty() {
        return;
    }
    let Ok(mut q) = shared.queue.lock() else {
        return;
    };
    let ahead = &mut q.ahead;
    if ahead.done >= ahead.total {
        *ahead = Ahead::default();
    }
    ahead.started.get_or_insert_with(Instant::now);
    ahead.total += reqs.len();
    ahead.queue.extend(reqs);
    shared.ready.notify_all();
}

/// What a worker works with.
struct Env<'a> {
    shared: &'a Shared,
    tx: &'a Sender<Output>,
    wake: &'a (dyn Fn() + Send + Sync),
    cache_dir: &'a Path,
    tools: &'a std::sync::OnceLock<formats::Tools>,
    isolation: &'a Isolation,
}

impl Env<'_> {
    /// The programs this computer has to make pictures with (found once, by the first
    /// worker to ask).
    fn tools(&self) -> formats::Tools {
        *self.tools.get_or_init(formats::Tools::find)
    }
}

enum Job {
    OnScreen(Request),
    Ahead(Request),
}

fn worker(env: &Env) {
    // This worker's helper process, started at its first picture and kept for the next.
    let mut helper: Option<Helper> = None;
    loop {
        let Some(job) = next_job(env.shared, &mut helper) else {
            return;
        };
        match job {
            Job::OnScreen(req) => {
                let out = match make(&req, env.cache_dir, env.tools(), env.isolation, &mut helper) {
                    Ok(img) => Output::Ready {
                        key: req.key,
                        size: req.size,
                        width: img.width(),
                        height: img.height(),
                        rgba: img.into_raw(),
                    },
                    Err(why) => Output::Failed {
                        key: req.key,
                        size: req.size,
                        why,
                    },
                };
                if env.tx.send(out).is_err() {
                    return;
                }
                (env.wake)();
            }
            Job::Ahead(req) => {
                let out = if cache_path(env.cache_dir, &req).exists() {
                    Ok(())
                } else {
                    make(&req, env.cache_dir, env.tools(), env.isolation, &mut helper).map(drop)
                };
                let out = match out {
                    Ok(()) => Output::Made {
                        key: req.key,
                        size: req.size,
                    },
                    Err(why) => Output::Failed {
                        key: req.key,
                        size: req.size,
                        why,
                    },
                };
                if env.tx.send(out).is_err() {
                    return;
                }
                let Ok(mut q) = env.shared.queue.lock() else {
                    return;
                };
                q.ahead.done += 1;
                let (done, total) = (q.ahead.done, q.ahead.total);
                if done == total
                    && let Some(started) = q.ahead.started
                {
                    log::info!(
                        "made {total} thumbnails ahead in {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                }
                drop(q);
                // The status line counts them; it needs no repaint for every one.
                if done % 16 == 0 || done == total {
                    (env.wake)();
                }
            }
        }
    }
}

/// Waits for the next job: on-screen requests first, then those made ahead. A helper left
/// idle too long is stopped. `None` when the service is dropped.
fn next_job(shared: &Shared, helper: &mut Option<Helper>) -> Option<Job> {
    let mut q = shared.queue.lock().ok()?;
    loop {
        if q.stop {
            return None;
        }
        if let Some(r) = q.urgent.pop_front() {
            return Some(Job::OnScreen(r));
        }
        if let Some(r) = q.ahead.queue.pop_front() {
            return Some(Job::Ahead(r));
        }
        if helper.is_some() {
            let (guard, waited) = shared.ready.wait_timeout(q, HELPER_IDLE).ok()?;
            q = guard;
            if waited.timed_out() && q.urgent.is_empty() && q.ahead.queue.is_empty() {
                *helper = None;
            }
        } else {
            q = shared.ready.wait(q).ok()?;
        }
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

/// Forgets every picture of `key` (the grid thumbnail and the preview) and every failure
/// remembered for it: its content is gone for good.
pub fn forget_all(cache_dir: &Path, key: &str) {
    for size in [THUMB_PX, THUMB_HI_PX, PREVIEW_PX] {
        forget(cache_dir, key, size);
    }
}

/// A failure remembered in `marker` (its kind's word on the first line, then the words
/// for the user). One of no known kind, or written before kinds were kept, is not
/// remembered: the file is tried again.
fn remembered_failure(marker: &Path) -> Option<NoPicture> {
    let text = std::fs::read_to_string(marker).ok()?;
    let (tag, reason) = text.split_once('\n')?;
    NoPicture::from_tag(tag, reason.to_string())
}

/// Where the reason a file could not be pictured is remembered, so it is not retried.
fn failed_marker(cache_dir: &Path, req: &Request) -> PathBuf {
    cache_dir.join(format!("{}-{}.failed", req.key, req.size))
}

/// Makes one picture: from the cache, else decoded (or a video poster) and cached. A
/// failure that belongs to the file is remembered on disk and not retried.
fn make(
    req: &Request,
    cache_dir: &Path,
    tools: formats::Tools,
    isolation: &Isolation,
    helper: &mut Option<Helper>,
) -> Result<image::RgbaImage, NoPicture> {
    let marker = failed_marker(cache_dir, req);
    if let Some(why) = remembered_failure(&marker) {
        return Err(why);
    }
    let cached = cache_path(cache_dir, req);
    let cacheable = req.size <= THUMB_HI_PX;
    if cacheable && let Ok(img) = image::open(&cached) {
        return Ok(img.into_rgba8());
    }
    // A file that is not there now (moved, its drive unplugged) may be back later: that
    // is no failure of the file, and nothing is remembered.
    if let Err(e) = std::fs::metadata(&req.path) {
        return Err(if e.kind() == std::io::ErrorKind::NotFound {
            NoPicture::Missing("the file is missing on disk".into())
        } else {
            NoPicture::Unreadable(format!("can't read the file: {e}"))
        });
    }
    let made = match isolation {
        Isolation::InProcess => {
            match panics::quietly(|| render(&req.path, req.kind, req.size, tools)) {
                Ok(Ok(img)) => Ok(img),
                Ok(Err(reason)) => Err((reason, true)),
                Err(_) => Err(("the decoder crashed on this file".into(), true)),
            }
        }
        Isolation::Helper(cfg) => in_helper(cfg, helper, req, tools),
    };
    match made {
        Ok(img) => {
            if cacheable {
                save_to_cache(cache_dir, req, &img);
            }
            Ok(img)
        }
        Err((why, remember)) => {
            // "Install ffmpeg" (or another program) belongs to this computer, not to the
            // file: ask again later. (Told by the name: opening the file here could hang.)
            let about_the_file = match req.kind {
                Kind::Video => tools.ffmpeg,
                _ => formats::Format::of_name(&req.path).is_none_or(|f| tools.has(f)),
            };
            if remember && about_the_file {
                let _ = std::fs::write(&marker, format!("{}\n{}", why.tag(), why.reason()));
            }
            Err(why)
        }
    }
}

/// Best effort: a cache that cannot be written only costs time. Written whole under a
/// temporary name first, so a reader never sees half a file.
fn save_to_cache(cache_dir: &Path, req: &Request, img: &image::RgbaImage) {
    let tmp = cache_dir.join(format!(
        ".{}-{}-{:?}.tmp.png",
        req.key,
        req.size,
        std::thread::current().id()
    ));
    let written = std::fs::File::create(&tmp).and_then(|f| {
        use image::ImageEncoder;
        let mut w = std::io::BufWriter::new(f);
        image::codecs::png::PngEncoder::new_with_quality(
            &mut w,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        )
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(std::io::Error::other)?;
        std::io::Write::flush(&mut w)
    });
    if written.is_ok() {
        let _ = std::fs::rename(&tmp, cache_path(cache_dir, req));
    } else {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Makes one picture in this worker's helper, starting one when there is none (or the
/// last one ended). The error says whether the failure belongs to the file (remember it)
/// or to the moment (ask again later).
fn in_helper(
    cfg: &Helpers,
    slot: &mut Option<Helper>,
    req: &Request,
    tools: formats::Tools,
) -> Result<image::RgbaImage, (NoPicture, bool)> {
    // A helper that ended while idle is noticed when it is spoken to: one fresh start.
    for attempt in 0..2 {
        let helper = match slot {
            Some(h) => h,
            None => match Helper::start(cfg) {
                Ok(h) => slot.insert(h),
                Err(e) => {
                    let why = format!("could not start the picture helper: {e}");
                    return Err((why.into(), false));
                }
            },
        };
        let answer = helper.render(&req.path, req.kind, req.size, tools, cfg.timeout);
        match answer {
            Ok(Answer::Picture(img)) => return Ok(img),
            Ok(Answer::Failed(reason)) => return Err((reason, true)),
            Ok(Answer::Described(_)) => {
                *slot = None;
                return Err(("the picture helper answered nonsense".into(), false));
            }
            Err(lost) => {
                *slot = None;
                match lost {
                    Lost::Unavailable(_) if attempt == 0 => continue,
                    Lost::Unavailable(reason) => return Err((reason.into(), false)),
                    Lost::Crashed => {
                        log::warn!("the picture helper crashed on {}", req.path.display());
                        return Err(("the decoder crashed on this file".into(), true));
                    }
                    Lost::TimedOut => {
                        log::warn!("the picture helper timed out on {}", req.path.display());
                        return Err(("took too long to read; skipped".into(), true));
                    }
                }
            }
        }
    }
    Err(("could not reach the picture helper".into(), false))
}

/// Reads files' metadata for import ([`crate::library::read_meta`]): in a helper process
/// when there are helpers, so a file that makes a reader loop, crash or ask for endless
/// memory costs that file only; else in this process (tests, and a machine where no helper
/// can start). One reader thread owns one describer and its helper.
pub struct Describer {
    cfg: Option<Helpers>,
    helper: Option<Helper>,
}

impl Describer {
    pub fn new(cfg: Option<Helpers>) -> Describer {
        Describer { cfg, helper: None }
    }

    /// What import records of the file at `path`; `Err` says, for the user, why part of it
    /// could not be read (the file is imported all the same).
    pub fn describe(
        &mut self,
        path: &Path,
        kind: Kind,
    ) -> Result<crate::media::probe::Meta, String> {
        let mut one = self.describe_many(&[(path, kind)]);
        one.pop()
            .unwrap_or_else(|| Err("could not read its size".into()))
    }

    /// What import records of each file, in order ([`Describer::describe`]): the files
    /// are asked of the helper together, which saves a round trip per file.
    pub fn describe_many(
        &mut self,
        files: &[(&Path, Kind)],
    ) -> Vec<Result<crate::media::probe::Meta, String>> {
        use crate::media::probe::{self, Meta};
        let mut out: Vec<Option<Result<Meta, String>>> =
            std::iter::repeat_with(|| None).take(files.len()).collect();
        // Files of no kind Shoebox reads hold nothing to describe: no helper for them.
        let asked: Vec<usize> = match self.cfg {
            Some(_) => (0..files.len())
                .filter(|&i| files[i].1 != Kind::Other)
                .collect(),
            None => Vec::new(),
        };
        let mut at = 0;
        let mut fresh_starts = 0;
        // After a crash that may have taken answers with it, the files are asked one at a
        // time until the one that crashes it is found.
        let mut one_at_a_time = false;
        while at < asked.len()
            && let Some(cfg) = self.cfg.as_ref()
        {
            let helper = match &mut self.helper {
                Some(h) => h,
                None => match Helper::start(cfg) {
                    Ok(h) => self.helper.insert(h),
                    Err(e) => {
                        log::warn!("could not start a reader helper ({e}); reading in Shoebox");
                        break;
                    }
                },
            };
            let end = if one_at_a_time { at + 1 } else { asked.len() };
            let batch: Vec<(&Path, Kind)> = asked[at..end].iter().map(|&i| files[i]).collect();
            let (answers, lost) = helper.describe_many(&batch, cfg.timeout);
            let unanswered = batch.len() - answers.len();
            for answer in answers {
                out[asked[at]] = Some(match answer {
                    Answer::Described(meta) => Ok(meta),
                    Answer::Failed(why) => Err(why.reason().to_string()),
                    Answer::Picture(_) => {
                        self.helper = None;
                        Err("could not read its size: its reader answered nonsense".into())
                    }
                });
                at += 1;
            }
            let Some(lost) = lost else { continue };
            self.helper = None;
            // A helper sends the answers of files asked together together: one that
            // crashed may have read some of them, so which file it crashed on is not known.
            if matches!(lost, Lost::Crashed) && unanswered > 1 {
                one_at_a_time = true;
                continue;
            }
            one_at_a_time = false;
            let path = files[asked[at]].0;
            let why = match lost {
                // It ended while idle: one fresh start, then this process reads the rest.
                Lost::Unavailable(_) => {
                    fresh_starts += 1;
                    if fresh_starts > 1 {
                        break;
                    }
                    continue;
                }
                Lost::Crashed => {
                    log::warn!("the reader helper crashed on {}", path.display());
                    "could not read its size: its reader crashed on it".to_string()
                }
                Lost::TimedOut => {
                    log::warn!("the reader helper timed out on {}", path.display());
                    format!(
                        "could not read its size: reading it took over {} s",
                        cfg.timeout.as_secs()
                    )
                }
            };
            out[asked[at]] = Some(Err(why));
            at += 1;
        }
        files
            .iter()
            .zip(out)
            .map(|((path, kind), done)| done.unwrap_or_else(|| probe::read_meta(path, *kind)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

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
        let tools = formats::Tools {
            ffmpeg: true,
            ..Default::default()
        };
        let img = make(&req, dir.path(), tools, &Isolation::InProcess, &mut None).expect("poster");
        assert_eq!((img.width(), img.height()), (256, 192));
        assert!(
            dir.path().join("k-256-v2.png").exists(),
            "the poster is cached"
        );
    }

    /// A RAW without a preview is remembered as having none, not as damaged: the tile says
    /// "no preview" after a restart as it did the first time. A marker from before kinds
    /// were kept is not trusted: the file is tried again.
    #[test]
    fn a_remembered_failure_keeps_its_kind() {
        let dir = tempfile::tempdir().expect("temp");
        let raw = dir.path().join("bare.dng");
        // A TIFF header and no directory: a RAW with nothing to show.
        std::fs::write(&raw, b"II*\0\x08\0\0\0\0\0").expect("write");
        let req = Request {
            key: "bare".into(),
            path: raw,
            kind: Kind::Image,
            size: THUMB_PX,
        };
        let tools = formats::Tools::default();
        let first = make(&req, dir.path(), tools, &Isolation::InProcess, &mut None).unwrap_err();
        assert!(matches!(first, NoPicture::NoPreview(_)), "{first:?}");
        let marker = failed_marker(dir.path(), &req);
        assert!(marker.exists(), "a failure of the file is remembered");
        // Read back from the marker, not made again: the file is gone.
        std::fs::remove_file(&req.path).expect("remove");
        let again = make(&req, dir.path(), tools, &Isolation::InProcess, &mut None).unwrap_err();
        assert_eq!(again, first);
        std::fs::write(&marker, "can't read this image").expect("old marker");
        let retried = make(&req, dir.path(), tools, &Isolation::InProcess, &mut None).unwrap_err();
        assert!(matches!(retried, NoPicture::Missing(_)), "{retried:?}");
    }

    /// New-user finding 19: at scale 2, large tiles stretched 256 px thumbnails to ~550 px.
    /// Tiles drawn larger than the grid thumbnail get one twice as large, cached as well.
    #[test]
    fn newuser19_hidpi_tiles_get_thumbnails_at_the_size_they_are_drawn() {
        assert_eq!(grid_px(160.0, 1.0), THUMB_PX);
        assert_eq!(grid_px(256.0, 1.0), THUMB_PX);
        assert_eq!(grid_px(200.0, 2.0), THUMB_HI_PX);
        assert_eq!(grid_px(275.0, 2.0), THUMB_HI_PX);
        let dir = tempfile::tempdir().expect("temp");
        let photo = dir.path().join("wide.png");
        image::RgbImage::from_pixel(1600, 1000, image::Rgb([20, 120, 220]))
            .save(&photo)
            .expect("save");
        let req = Request {
            key: "w".into(),
            path: photo,
            kind: Kind::Image,
            size: grid_px(275.0, 2.0),
        };
        let cache = dir.path().join("cache");
        std::fs::create_dir_all(&cache).expect("mkdir");
        let tools = formats::Tools::default();
        let img = make(&req, &cache, tools, &Isolation::InProcess, &mut None).expect("thumb");
        assert_eq!((img.width(), img.height()), (512, 320));
        assert!(
            is_cached(&cache, "w", THUMB_HI_PX),
            "cached like the others"
        );
        forget_all(&cache, "w");
        assert!(
            !is_cached(&cache, "w", THUMB_HI_PX),
            "and forgotten with them"
        );
    }
}
