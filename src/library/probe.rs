//! What a file is: its kind from the extension, and the metadata cheap to read at import
//! (dimensions from the header, capture date and camera from EXIF). Never decodes pixels.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use image::ImageDecoder;

pub use super::model::Kind;
use crate::clock::UnixSecs;

const IMAGE: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "heic", "heif", "avif",
];
/// Camera RAW formats: images, and the RAW half of a RAW+JPEG pair.
pub const RAW: &[&str] = &[
    "dng", "cr2", "cr3", "nef", "arw", "raf", "orf", "rw2", "pef", "srw",
];
const VIDEO: &[&str] = &["mp4", "mov", "m4v", "avi", "mkv", "webm", "mts", "3gp"];
const AUDIO: &[&str] = &["mp3", "wav", "flac", "aac", "m4a", "ogg", "opus", "aiff"];

/// The kind of a file, by its extension.
pub fn kind_of(name: &str) -> Kind {
    let ext = ext_lower(name);
    let ext = ext.as_str();
    if IMAGE.contains(&ext) || RAW.contains(&ext) {
        Kind::Image
    } else if VIDEO.contains(&ext) {
        Kind::Video
    } else if AUDIO.contains(&ext) {
        Kind::Audio
    } else {
        Kind::Other
    }
}

/// The lowercase extension of a file name ("" when none).
pub fn ext_lower(name: &str) -> String {
    super::fsops::split_ext(name)
        .1
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Metadata read at import.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Meta {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub captured_at: Option<UnixSecs>,
    pub camera: Option<String>,
    /// Playing time of a video or audio file, from ffprobe when it is installed.
    pub duration_ms: Option<i64>,
}

/// Reads dimensions and EXIF of an image. `Err` carries a message for the user when the
/// image header cannot be read (the file is still imported).
pub fn read_meta(path: &Path, kind: Kind) -> Result<Meta, String> {
    let mut meta = Meta::default();
    if matches!(kind, Kind::Video | Kind::Audio) {
        meta.duration_ms = duration_ms(path);
        return Ok(meta);
    }
    if kind != Kind::Image {
        return Ok(meta);
    }
    let ext = ext_lower(&path.to_string_lossy());
    if let Some((t, camera)) = read_exif(path) {
        meta.captured_at = t;
        meta.camera = camera;
    }
    if RAW.contains(&ext.as_str()) || ["heic", "heif", "avif"].contains(&ext.as_str()) {
        // No header reader for these here; EXIF is all we know.
        return Ok(meta);
    }
    let (w, h) = oriented_dimensions(path)?;
    meta.width = Some(w);
    meta.height = Some(h);
    Ok(meta)
}

/// An image's width and height as it is meant to be seen, from its header: a photo stored
/// sideways with an EXIF orientation that turns it is as tall as it is stored wide.
pub fn oriented_dimensions(path: &Path) -> Result<(u32, u32), String> {
    let reader = image::ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| format!("could not read the image: {e}"))?;
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("not a readable image ({e})"))?;
    let (w, h) = decoder.dimensions();
    Ok(match decoder.orientation() {
        Ok(o) if turns_sideways(o) => (h, w),
        _ => (w, h),
    })
}

/// Whether an EXIF orientation turns the picture by a quarter (so width and height swap).
pub fn turns_sideways(o: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
}

fn read_exif(path: &Path) -> Option<(Option<UnixSecs>, Option<String>)> {
    let file = File::open(path).ok()?;
    let exif = exif::Reader::new()
        .read_from_container(&mut BufReader::new(file))
        .ok()?;
    let captured = [exif::Tag::DateTimeOriginal, exif::Tag::DateTime]
        .iter()
        .find_map(|tag| exif.get_field(*tag, exif::In::PRIMARY))
        .and_then(|f| match &f.value {
            exif::Value::Ascii(v) => v.first().and_then(|b| parse_exif_time(b)),
            _ => None,
        });
    let text = |tag| {
        exif.get_field(tag, exif::In::PRIMARY).map(|f| {
            f.display_value()
                .to_string()
                .trim_matches('"')
                .trim()
                .to_string()
        })
    };
    let camera = match (text(exif::Tag::Make), text(exif::Tag::Model)) {
        (Some(make), Some(model)) if model.starts_with(&make) => Some(model),
        (Some(make), Some(model)) => Some(format!("{make} {model}")),
        (None, Some(model)) => Some(model),
        (Some(make), None) => Some(make),
        (None, None) => None,
    }
    .filter(|c| !c.is_empty());
    Some((captured, camera))
}

/// `2024:07:14 18:03:22` as seconds, read as UTC (EXIF carries no zone).
fn parse_exif_time(bytes: &[u8]) -> Option<UnixSecs> {
    let dt = exif::DateTime::from_ascii(bytes).ok()?;
    let month = time::Month::try_from(dt.month).ok()?;
    let date = time::Date::from_calendar_date(dt.year as i32, month, dt.day).ok()?;
    let t = time::Time::from_hms(dt.hour, dt.minute, dt.second).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// Whether `ffprobe` can be run (checked once).
fn has_ffprobe() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        std::process::Command::new("ffprobe")
            .arg("-version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// A video's or audio file's playing time via ffprobe; `None` without ffprobe or when it
/// cannot tell.
pub fn duration_ms(path: &Path) -> Option<i64> {
    if !has_ffprobe() {
        return None;
    }
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .ok()?;
    let secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| (secs * 1000.0).round() as i64)
}
