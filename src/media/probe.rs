//! What a file is: its kind from the extension, and the metadata cheap to read at import
//! (dimensions from the header, capture date and camera from EXIF). Never decodes pixels.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use image::ImageDecoder;

pub use super::Kind;
use crate::clock::UnixSecs;

const IMAGE: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "heic", "heif", "avif", "psd",
    "svg", "svgz",
];
/// Camera RAW formats: images, and the RAW half of a RAW+JPEG pair.
pub const RAW: &[&str] = &[
    "dng", "cr2", "cr3", "nef", "arw", "raf", "orf", "rw2", "pef", "srw",
];
/// Documents shown by a picture of them (a PDF's first page).
const DOCUMENT: &[&str] = &["pdf"];
const VIDEO: &[&str] = &["mp4", "mov", "m4v", "avi", "mkv", "webm", "mts", "3gp"];
const AUDIO: &[&str] = &["mp3", "wav", "flac", "aac", "m4a", "ogg", "opus", "aiff"];

/// The kind of a file, by its extension.
pub fn kind_of(name: &str) -> Kind {
    let ext = ext_lower(name);
    let ext = ext.as_str();
    if IMAGE.contains(&ext) || RAW.contains(&ext) || DOCUMENT.contains(&ext) {
        Kind::Image
    } else if VIDEO.contains(&ext) {
        Kind::Video
    } else if AUDIO.contains(&ext) {
        Kind::Audio
    } else {
        Kind::Other
    }
}

/// What a file is, for people: its kind, and for an image the format when it is not a plain
/// picture ("PDF document", "RAW image (CR2)", "Photoshop image", "SVG drawing").
pub fn kind_name(kind: Kind, name: &str) -> String {
    if kind != Kind::Image {
        return kind.as_str().to_string();
    }
    let ext = ext_lower(name);
    match ext.as_str() {
        "pdf" => "PDF document".to_string(),
        "psd" => "Photoshop image".to_string(),
        "svg" | "svgz" => "SVG drawing".to_string(),
        "heic" | "heif" => "HEIC image".to_string(),
        "avif" => "AVIF image".to_string(),
        raw if RAW.contains(&raw) => format!("RAW image ({})", raw.to_ascii_uppercase()),
        _ => "image".to_string(),
    }
}

/// The lowercase extension of a file name ("" when none).
pub fn ext_lower(name: &str) -> String {
    super::split_ext(name)
        .1
        .map(str::to_ascii_lowercase)
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

/// Whether a file is of a format whose size, date and camera Shoebox reads from its own
/// structure since library version 8 (RAW, HEIC/AVIF, PDF, PSD, SVG): a library made before
/// reads them again once.
pub(crate) fn read_from_own_structure(name: &str) -> bool {
    let ext = ext_lower(name);
    let ext = ext.as_str();
    RAW.contains(&ext)
        || DOCUMENT.contains(&ext)
        || ["heic", "heif", "avif", "psd", "svg", "svgz"].contains(&ext)
}

/// Width and height as shown: a document's page in points (1/72 inch), a picture's in pixels.
pub fn dimensions_text(name: &str, width: u32, height: u32) -> String {
    if DOCUMENT.contains(&ext_lower(name).as_str()) {
        format!("{width} × {height} pt")
    } else {
        format!("{width} × {height}")
    }
}

/// Reads dimensions and EXIF of an image. `Err` carries a message for the user when the
/// image header cannot be read (the file is still imported). A reader that panics on a
/// strange file is caught here, quietly: import and the file check go on with the rest.
pub fn read_meta(path: &Path, kind: Kind) -> Result<Meta, String> {
    crate::media::panics::quietly(|| read_meta_unguarded(path, kind))
        .unwrap_or_else(|why| Err(format!("could not read its size: {why}")))
}

fn read_meta_unguarded(path: &Path, kind: Kind) -> Result<Meta, String> {
    let mut meta = Meta::default();
    if matches!(kind, Kind::Video | Kind::Audio) {
        let av = av_meta(path);
        meta.duration_ms = av.duration_ms;
        if let Some((w, h)) = av.size {
            meta.width = Some(w);
            meta.height = Some(h);
        }
        return Ok(meta);
    }
    if kind != Kind::Image {
        return Ok(meta);
    }
    let ext = ext_lower(&path.to_string_lossy());
    // (A file named as a RAW that is something else, such as a JPEG, is read as what it is.)
    if RAW.contains(&ext.as_str())
        && crate::media::formats::Format::of_file(path) == Some(crate::media::formats::Format::Raw)
    {
        // Read from the RAW's own structure: not the whole file, as a generic reader would.
        let (size, exif) = crate::media::raw::meta(path);
        if let Some((w, h)) = size {
            meta.width = Some(w);
            meta.height = Some(h);
        }
        for exif in exif {
            let (t, camera) = exif_fields(&exif);
            meta.captured_at = meta.captured_at.or(t);
            meta.camera = meta.camera.or(camera);
        }
        return Ok(meta);
    }
    // One open of the file for its EXIF and, below, its header.
    let mut opened = Opened::open(path);
    if let Some((t, camera)) = opened.as_mut().and_then(read_exif) {
        meta.captured_at = t;
        meta.camera = camera;
    }
    if ["heic", "heif", "avif"].contains(&ext.as_str()) {
        if let Some((w, h)) = heif_dimensions(path) {
            meta.width = Some(w);
            meta.height = Some(h);
        }
        return Ok(meta);
    }
    if ext == "svg" || ext == "svgz" {
        if let Some((w, h)) = crate::media::formats::svg_dimensions(path) {
            meta.width = Some(w);
            meta.height = Some(h);
        }
        return Ok(meta);
    }
    if ext == "psd" {
        if let Some((w, h)) = crate::media::formats::psd_dimensions(path) {
            meta.width = Some(w);
            meta.height = Some(h);
        }
        return Ok(meta);
    }
    if DOCUMENT.contains(&ext.as_str()) {
        // The first page's size, in points; the page itself is drawn when it is shown.
        if let Some((w, h)) = crate::media::formats::pdf_page_size(path) {
            meta.width = Some(w);
            meta.height = Some(h);
        }
        return Ok(meta);
    }
    let (w, h) = match opened {
        Some(file) => oriented_dimensions_in(path, file)?,
        None => oriented_dimensions(path)?,
    };
    meta.width = Some(w);
    meta.height = Some(h);
    Ok(meta)
}

/// An image's width and height as it is meant to be seen, from its header: a photo stored
/// sideways with an EXIF orientation that turns it is as tall as it is stored wide.
pub fn oriented_dimensions(path: &Path) -> Result<(u32, u32), String> {
    let file = File::open(path).map_err(|e| format!("could not read the image: {e}"))?;
    oriented_dimensions_in(path, BufReader::new(file))
}

/// [`oriented_dimensions`] of the image at `path`, read from `file` (open on it) from its
/// start. Its format is told by its content, else by its name (as a TGA, which has no
/// mark of its own).
fn oriented_dimensions_in<R: BufRead + Seek>(
    path: &Path,
    mut file: R,
) -> Result<(u32, u32), String> {
    file.seek(SeekFrom::Start(0))
        .map_err(|e| format!("could not read the image: {e}"))?;
    let mut reader = image::ImageReader::new(file);
    if let Ok(format) = image::ImageFormat::from_path(path) {
        reader.set_format(format);
    }
    let reader = reader
        .with_guessed_format()
        .map_err(|e| format!("could not read the image: {e}"))?;
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("not a readable image ({})", e.to_string().trim_end()))?;
    let (w, h) = decoder.dimensions();
    Ok(match decoder.orientation() {
        Ok(o) if turns_sideways(o) => (h, w),
        _ => (w, h),
    })
}

/// A HEIF/AVIF photo's size as it is meant to be seen: the largest image size property
/// (`ispe`) in its `meta` box — the main picture's; tiles and thumbnails are smaller —
/// turned by a quarter when a rotation property (`irot`) says so. Only the boxes describing
/// the images are read, not the pictures.
pub fn heif_dimensions(path: &Path) -> Option<(u32, u32)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = File::open(path).ok()?;
    let file_len = file.metadata().ok()?.len();
    // The top-level boxes, to the `meta` box (a photo has a handful: `ftyp`, `meta`, `mdat`).
    let mut at = 0u64;
    let mut boxes_left = MAX_TOP_BOXES;
    let meta = loop {
        boxes_left = boxes_left.checked_sub(1)?;
        let mut head = [0u8; 16];
        file.seek(SeekFrom::Start(at)).ok()?;
        file.read_exact(&mut head).ok()?;
        let size = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
        let (size, header) = match size {
            1 => (u64::from_be_bytes(head[8..16].try_into().ok()?), 16),
            0 => return None,
            n => (n, 8),
        };
        if size < header || at.checked_add(size)? > file_len {
            return None;
        }
        if &head[4..8] == b"meta" {
            // Descriptions are small; a huge one is not read whole.
            let len = usize::try_from((size - header).min(MAX_META_BYTES)).ok()?;
            let mut body = vec![0u8; len];
            file.seek(SeekFrom::Start(at + header)).ok()?;
            file.read_exact(&mut body).ok()?;
            break body;
        }
        at = at.checked_add(size)?;
    };
    // Where each property of a type starts its content (just after its four-letter type).
    let boxes = |tag: [u8; 4]| -> Vec<usize> {
        meta.windows(4)
            .enumerate()
            .filter(|(_, w)| *w == tag)
            .map(|(at, _)| at + 4)
            .collect()
    };
    let u32_at = |at: usize| {
        meta.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    // ispe: version and flags (4 bytes), width, height.
    let (w, h) = boxes(*b"ispe")
        .into_iter()
        .filter_map(|at| Some((u32_at(at + 4)?, u32_at(at + 8)?)))
        .filter(|(w, h)| *w > 0 && *h > 0)
        .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h))?;
    // irot: one byte, the angle in quarter turns (anticlockwise).
    let quarter = boxes(*b"irot")
        .into_iter()
        .any(|at| meta.get(at).is_some_and(|a| a & 1 == 1));
    Some(if quarter { (h, w) } else { (w, h) })
}

/// The most top-level boxes of a HEIF/AVIF file passed on the way to its `meta` box.
const MAX_TOP_BOXES: u32 = 64;
/// The most of a `meta` box read (descriptions are a few kilobytes).
const MAX_META_BYTES: u64 = 4 << 20;

/// Whether an EXIF orientation turns the picture by a quarter (so width and height swap).
pub fn turns_sideways(o: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
}

/// A picture open for its readers: a small one read whole at once (one read, where each
/// reader's look at it would be a read and a seek of its own), a larger one through a buffer.
enum Opened {
    Whole(Cursor<Vec<u8>>),
    Buffered(BufReader<File>),
}

impl Opened {
    /// Files up to this size are read whole.
    const WHOLE: u64 = 64 * 1024;

    fn open(path: &Path) -> Option<Opened> {
        let mut file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        if len <= Self::WHOLE {
            // One byte more than it holds: a file that grew meanwhile is read the other way.
            let mut bytes = vec![0u8; len as usize + 1];
            let mut n = 0;
            while n < bytes.len() {
                match file.read(&mut bytes[n..]) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => return None,
                }
            }
            if n <= len as usize {
                bytes.truncate(n);
                return Some(Opened::Whole(Cursor::new(bytes)));
            }
        }
        Some(Opened::Buffered(BufReader::new(file)))
    }
}

impl Read for Opened {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Opened::Whole(c) => c.read(buf),
            Opened::Buffered(b) => b.read(buf),
        }
    }
}

impl BufRead for Opened {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Opened::Whole(c) => c.fill_buf(),
            Opened::Buffered(b) => b.fill_buf(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self {
            Opened::Whole(c) => c.consume(n),
            Opened::Buffered(b) => b.consume(n),
        }
    }
}

impl Seek for Opened {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match self {
            Opened::Whole(c) => c.seek(to),
            Opened::Buffered(b) => b.seek(to),
        }
    }
}

fn read_exif<R: BufRead + Seek>(file: &mut R) -> Option<(Option<UnixSecs>, Option<String>)> {
    let exif = exif::Reader::new().read_from_container(file).ok()?;
    Some(exif_fields(&exif))
}

/// Capture time and camera from one EXIF structure.
fn exif_fields(exif: &exif::Exif) -> (Option<UnixSecs>, Option<String>) {
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
    (captured, camera)
}

/// `2024:07:14 18:03:22` as seconds, read as UTC (EXIF carries no zone).
fn parse_exif_time(bytes: &[u8]) -> Option<UnixSecs> {
    let dt = exif::DateTime::from_ascii(bytes).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::from(dt.year),
        u32::from(dt.month),
        u32::from(dt.day),
    )?;
    let at = date.and_hms_opt(
        u32::from(dt.hour),
        u32::from(dt.minute),
        u32::from(dt.second),
    )?;
    Some(at.and_utc().timestamp())
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

/// What ffprobe tells of a video or audio file.
#[derive(Debug, Default, PartialEq)]
pub struct AvMeta {
    pub duration_ms: Option<i64>,
    /// A video's picture as it is played: turned when the file says to rotate it (a phone
    /// held upright records its frames sideways).
    pub size: Option<(u32, u32)>,
}

/// A video's or audio file's playing time and picture size via one ffprobe run; nothing
/// without ffprobe or when it cannot tell.
pub fn av_meta(path: &Path) -> AvMeta {
    if !has_ffprobe() {
        return AvMeta::default();
    }
    let mut cmd = crate::media::formats::tool("ffprobe");
    cmd.args([
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=width,height:stream_side_data=rotation:format=duration",
        "-of",
        "default=noprint_wrappers=1",
    ])
    .arg(path);
    match crate::media::formats::output_within(cmd, crate::media::formats::DESCRIBE_LIMIT) {
        Some(text) => parse_av_meta(&text),
        None => AvMeta::default(),
    }
}

/// Reads ffprobe's `key=value` lines.
fn parse_av_meta(text: &str) -> AvMeta {
    let mut meta = AvMeta::default();
    let (mut w, mut h, mut rotation) = (None, None, 0i64);
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        match key {
            "width" => w = value.parse::<u32>().ok().filter(|v| *v > 0),
            "height" => h = value.parse::<u32>().ok().filter(|v| *v > 0),
            "rotation" => rotation = value.parse::<f64>().map_or(0, |r| r.round() as i64),
            "duration" => {
                meta.duration_ms = value
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(|s| (s * 1000.0).round() as i64);
            }
            _ => {}
        }
    }
    meta.size = w.zip(h).map(|(w, h)| {
        if rotation.rem_euclid(180) == 90 {
            (h, w)
        } else {
            (w, h)
        }
    });
    meta
}

#[cfg(test)]
mod kind_name_tests {
    use super::*;

    /// New-user finding 21: Kind said "image" for a PDF, a PSD and a RAW.
    #[test]
    fn newuser21_the_kind_names_the_format_of_a_pdf_a_psd_and_a_raw() {
        let named = |n: &str| kind_name(kind_of(n), n);
        assert_eq!(named("IMG_1.JPG"), "image");
        assert_eq!(named("brochure.pdf"), "PDF document");
        assert_eq!(named("poster.PSD"), "Photoshop image");
        assert_eq!(named("IMG_0004.CR2"), "RAW image (CR2)");
        assert_eq!(named("logo.svg"), "SVG drawing");
        assert_eq!(named("IMG_5.heic"), "HEIC image");
        assert_eq!(named("clip.mp4"), "video");
    }
}

#[cfg(test)]
mod av_tests {
    use super::*;

    #[test]
    fn ffprobe_output_gives_duration_and_the_picture_as_played() {
        let landscape = parse_av_meta("width=1920\nheight=1080\nduration=12.5\n");
        assert_eq!(landscape.size, Some((1920, 1080)));
        assert_eq!(landscape.duration_ms, Some(12_500));
        // A phone video recorded upright: frames stored sideways, rotated when played.
        let upright = parse_av_meta("width=1920\nheight=1080\nrotation=-90\nduration=3.0\n");
        assert_eq!(upright.size, Some((1080, 1920)));
        // Audio: no picture.
        let audio = parse_av_meta("duration=61.2\n");
        assert_eq!((audio.size, audio.duration_ms), (None, Some(61_200)));
        assert_eq!(parse_av_meta("duration=N/A\n"), AvMeta::default());
    }
}
