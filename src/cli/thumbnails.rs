//! `shoebox thumbnails` (make every missing grid thumbnail) and `shoebox thumbnail ID OUT`
//! (write one as a PNG). Pictures are made the way the app makes them: in helper processes
//! with a memory limit and a timeout, cached in the library's `thumbs/`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use crate::library::{ItemId, Kind, Library, PictureSource, THUMBS_DIR};
use crate::thumbs::{Helpers, Isolation, Output, Request, THUMB_PX, ThumbService};

/// How long to wait for a picture with no word from any helper before giving up (each
/// helper is itself killed after its own timeout).
const STALL: Duration = Duration::from_secs(120);

#[derive(Debug, Default, Serialize)]
struct Summary {
    made: usize,
    already: usize,
    failed: Vec<Failure>,
    /// Items of a kind that has no picture (audio, documents).
    no_picture: usize,
    seconds: f64,
}

#[derive(Debug, Serialize)]
struct Failure {
    id: String,
    name: String,
    reason: String,
}

/// Makes every missing grid thumbnail (every one with `rebuild`), Gallery and Trash alike.
pub fn all(lib: &mut Library, json: bool, rebuild: bool) -> anyhow::Result<()> {
    let start = Instant::now();
    let cache = lib.root().join(THUMBS_DIR);
    std::fs::create_dir_all(&cache).with_context(|| format!("{}", cache.display()))?;
    let mut summary = Summary::default();
    // One picture per content: items with the same content share it.
    let mut wanted: HashMap<String, Vec<PictureSource>> = HashMap::new();
    for source in lib.picture_sources()? {
        if !has_picture(source.kind) {
            summary.no_picture += 1;
            continue;
        }
        wanted.entry(source.hash.clone()).or_default().push(source);
    }
    let mut to_make = Vec::new();
    for (key, sources) in &wanted {
        if rebuild {
            crate::thumbs::forget(&cache, key, THUMB_PX);
        } else if crate::thumbs::is_cached(&cache, key, THUMB_PX) {
            summary.already += sources.len();
            continue;
        }
        to_make.push(key.clone());
    }
    let total = to_make.len();
    let progress = !json && std::io::stderr().is_terminal();
    if total > 0 {
        let mut service = start_service(&cache);
        service.make_listed(
            to_make
                .iter()
                .map(|key| {
                    let first = &wanted[key][0];
                    Request {
                        key: key.clone(),
                        path: first.path.clone(),
                        kind: first.kind,
                        size: THUMB_PX,
                    }
                })
                .collect(),
        );
        let mut done = 0;
        for output in wait_all(&mut service, total, |n| {
            done = n;
            if progress {
                eprint!("\rMaking thumbnails {done} of {total}");
                let _ = std::io::stderr().flush();
            }
        })? {
            match output {
                Output::Made { key, .. } | Output::Ready { key, .. } => {
                    summary.made += wanted[&key].len();
                }
                Output::Failed { key, why, .. } => {
                    summary.failed.extend(wanted[&key].iter().map(|s| Failure {
                        id: s.id.to_string(),
                        name: s.name.clone(),
                        reason: why.to_string(),
                    }));
                }
            }
        }
        if progress {
            eprintln!();
        }
    }
    summary.seconds = start.elapsed().as_secs_f64();
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        for f in &summary.failed {
            eprintln!("failed {} {}: {}", f.id, f.name, f.reason);
        }
        println!(
            "made {} thumbnails, {} failed, {} already there ({:.1} s)",
            summary.made,
            summary.failed.len(),
            summary.already,
            summary.seconds
        );
    }
    Ok(())
}

/// Writes item `id`'s grid thumbnail as a PNG at `out`, making it first if needed.
pub fn one(lib: &mut Library, json: bool, id: ItemId, out: &Path) -> anyhow::Result<()> {
    let ItemId::Asset(_) = id else {
        bail!("{id} is a collection; thumbnails are of photos and videos");
    };
    let Some(source) = lib.picture_sources()?.into_iter().find(|s| s.id == id) else {
        bail!("no such item: {id}");
    };
    if !has_picture(source.kind) {
        bail!(
            "{id} ({}) is {} file; only photos and videos have thumbnails",
            source.name,
            match source.kind {
                Kind::Audio => "an audio",
                _ => "not a picture or video",
            }
        );
    }
    let cache = lib.root().join(THUMBS_DIR);
    std::fs::create_dir_all(&cache).with_context(|| format!("{}", cache.display()))?;
    let mut service = start_service(&cache);
    service.request(Request {
        key: source.hash.clone(),
        path: source.path.clone(),
        kind: source.kind,
        size: THUMB_PX,
    });
    let output = wait_all(&mut service, 1, |_| {})?.pop();
    let (width, height) = match output {
        Some(Output::Ready {
            width,
            height,
            rgba,
            ..
        }) => {
            let img = image::RgbaImage::from_raw(width, height, rgba)
                .context("the picture came back malformed")?;
            img.save_with_format(out, image::ImageFormat::Png)
                .with_context(|| format!("could not write {}", out.display()))?;
            (width, height)
        }
        Some(Output::Failed { why, .. }) => bail!("no thumbnail for {id}: {why}"),
        Some(Output::Made { .. }) | None => bail!("no thumbnail for {id}"),
    };
    if json {
        println!(
            "{}",
            serde_json::json!({"id": id, "out": out, "width": width, "height": height})
        );
    } else {
        println!("{} ({width}×{height})", out.display());
    }
    Ok(())
}

fn has_picture(kind: Kind) -> bool {
    matches!(kind, Kind::Image | Kind::Video)
}

/// The app's thumbnail service: decoding in helper processes, one worker per core.
fn start_service(cache: &Path) -> ThumbService {
    let isolation = match std::env::current_exe() {
        Ok(exe) => Isolation::Helper(Helpers::new(exe)),
        Err(_) => Isolation::InProcess,
    };
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    ThumbService::start(cache.to_path_buf(), workers, isolation, Arc::new(|| {}))
}

/// Collects `n` outputs, telling `on_progress` how many are in.
fn wait_all(
    service: &mut ThumbService,
    n: usize,
    mut on_progress: impl FnMut(usize),
) -> anyhow::Result<Vec<Output>> {
    let mut got = Vec::with_capacity(n);
    let mut last = Instant::now();
    while got.len() < n {
        let batch = service.poll();
        if batch.is_empty() {
            if last.elapsed() > STALL {
                bail!(
                    "thumbnails stopped coming ({} of {n} made); try again",
                    got.len()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        last = Instant::now();
        got.extend(batch);
        on_progress(got.len());
    }
    Ok(got)
}
