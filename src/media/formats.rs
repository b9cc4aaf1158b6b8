//! Formats beyond what the `image` crate reads. HEIC/HEIF and AVIF go through libheif's
//! `heif-convert`, PDF (its first page) through poppler's `pdftoppm`: like videos through
//! ffmpeg, each uses a program Debian ships when it is installed, and says which to install
//! when it is not. The programs drawing pictures run inside the picture helper, so they
//! inherit its memory limit, and die with it when a timeout kills it; those describing a file
//! at import (`pdfinfo`, `ffprobe`) are killed after [`DESCRIBE_LIMIT`]. Read here: SVG drawings (drawn by resvg at
//! the size asked) and Photoshop files (the composite image they store); camera RAW files in
//! [`super::raw`].

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::NoPicture;

/// The formats read here rather than by the `image` crate (HEIF and PDF through a program of
/// the system).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// HEIC/HEIF (iPhone photos) and AVIF.
    Heif,
    /// A PDF's first page.
    Pdf,
    /// A Photoshop document's composite image.
    Psd,
    /// A camera RAW file's embedded JPEG preview.
    Raw,
    /// An SVG drawing (or a gzipped one, `.svgz`).
    Svg,
}

impl Format {
    /// The format of a file, from its first bytes (the extension decides nothing).
    pub fn of(magic: &[u8]) -> Option<Format> {
        if magic.starts_with(b"%PDF-") {
            return Some(Format::Pdf);
        }
        if magic.starts_with(b"8BPS") {
            return Some(Format::Psd);
        }
        // An ISO media file whose brand is an image one: `....ftypheic`, `ftypavif`, ...
        if magic.len() >= 12 && &magic[4..8] == b"ftyp" {
            let brand = &magic[8..12];
            const IMAGE_BRANDS: [&[u8; 4]; 8] = [
                b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis",
            ];
            if IMAGE_BRANDS.iter().any(|b| b.as_slice() == brand) {
                return Some(Format::Heif);
            }
        }
        None
    }

    /// The format of the file at `path`, from its first bytes; a RAW file (often a TIFF
    /// inside) also by its name.
    pub fn of_file(path: &Path) -> Option<Format> {
        use std::io::Read;
        let mut magic = [0u8; 16];
        let mut file = std::fs::File::open(path).ok()?;
        let n = file.read(&mut magic).ok()?;
        let magic = &magic[..n];
        Format::of(magic).or_else(|| {
            let raw_magic = magic.starts_with(b"FUJIFILMCCD-RAW")
                || (magic.len() >= 12 && &magic[4..12] == b"ftypcrx ")
                || magic.starts_with(b"II")
                || magic.starts_with(b"MM");
            match Format::of_name(path) {
                Some(Format::Raw) if raw_magic => Some(Format::Raw),
                // Text (or gzip): the name says it.
                Some(Format::Svg) => Some(Format::Svg),
                _ => None,
            }
        })
    }

    /// The format a file's name says it has (for decisions that must not open the file).
    pub fn of_name(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "heic" | "heif" | "avif" => Some(Format::Heif),
            "pdf" => Some(Format::Pdf),
            "psd" => Some(Format::Psd),
            "svg" | "svgz" => Some(Format::Svg),
            raw if crate::media::probe::RAW.contains(&raw) => Some(Format::Raw),
            _ => None,
        }
    }

    /// What a tile says when there is no picture: for HEIF and PDF, which program to install.
    pub fn missing(self) -> &'static str {
        match self {
            Format::Heif => {
                "no preview: install libheif's heif-convert (libheif-examples) to see HEIC and AVIF photos"
            }
            Format::Pdf => "no preview: install poppler's pdftoppm (poppler-utils) to see PDFs",
            Format::Psd => "no preview for this Photoshop file",
            Format::Raw => "no preview inside this RAW file",
            Format::Svg => "no preview for this drawing",
        }
    }
}

/// The programs found on this computer (each looked for once per process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tools {
    pub ffmpeg: bool,
    pub heif: bool,
    /// libheif's `heif-thumbnailer`: a grid thumbnail from the small picture an iPhone
    /// stores beside the photo, without decoding the photo.
    pub heif_thumbs: bool,
    pub pdf: bool,
}

impl Tools {
    /// Looks for each program.
    pub fn find() -> Tools {
        Tools {
            ffmpeg: runs("ffmpeg", "-version"),
            heif: runs(heif_decoder(), "--help"),
            heif_thumbs: has_program("heif-thumbnailer"),
            pdf: runs("pdftoppm", "-v"),
        }
    }

    /// Whether the program a format needs is here.
    pub fn has(self, format: Format) -> bool {
        match format {
            Format::Heif => self.heif,
            Format::Pdf => self.pdf,
            Format::Psd | Format::Raw | Format::Svg => true,
        }
    }

    /// As one byte, for the helper's wire.
    pub fn bits(self) -> u8 {
        u8::from(self.ffmpeg)
            | (u8::from(self.heif) << 1)
            | (u8::from(self.pdf) << 2)
            | (u8::from(self.heif_thumbs) << 3)
    }

    pub fn from_bits(b: u8) -> Tools {
        Tools {
            ffmpeg: b & 1 != 0,
            heif: b & 2 != 0,
            pdf: b & 4 != 0,
            heif_thumbs: b & 8 != 0,
        }
    }
}

/// libheif's decoding program: `heif-dec` since libheif 1.17, `heif-convert` before.
fn heif_decoder() -> &'static str {
    static NAME: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        if has_program("heif-dec") {
            "heif-dec"
        } else {
            "heif-convert"
        }
    })
}

/// Whether a program is on the `PATH` (for one that has no harmless way to be run).
pub(crate) fn has_program(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| crate::platform::program_in(&dir, program))
    })
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A command that dies with the process that started it (a helper killed for taking too
/// long takes its program along).
pub fn tool(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.stdin(Stdio::null()).stderr(Stdio::null());
    crate::platform::tie_to_parent(&mut cmd);
    cmd
}

/// A HEIC/HEIF or AVIF photo as a JPEG file's bytes, through `heif-convert` (which applies
/// the file's rotation and mirroring, and assembles the tiles iPhones write).
pub fn heif_as_jpeg(path: &Path) -> Result<Vec<u8>, String> {
    let dir = Scratch::new()?;
    let out = dir.0.join("picture.jpg");
    let status = tool(heif_decoder())
        .args(["-q", "92"])
        .arg(path)
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("heif-convert failed: {e}"))?;
    // A file holding several images is written as picture-1.jpg, picture-2.jpg, …: the
    // first is the main one.
    let written = [out.clone(), dir.0.join("picture-1.jpg")]
        .into_iter()
        .find(|p| p.is_file());
    match written {
        Some(p) if status.success() => {
            std::fs::read(&p).map_err(|e| format!("heif-convert's picture is unreadable: {e}"))
        }
        _ => Err("can't read this HEIC/AVIF file (heif-convert could not decode it)".into()),
    }
}

/// A grid thumbnail of a HEIC/HEIF or AVIF photo through `heif-thumbnailer`: from the small
/// picture stored beside the photo when it is large enough (iPhones store one), else from
/// the photo itself.
pub fn heif_thumbnail(path: &Path, size: u32) -> Result<image::DynamicImage, String> {
    let dir = Scratch::new()?;
    let out = dir.0.join("thumbnail.png");
    let status = tool("heif-thumbnailer")
        .arg("-s")
        .arg(size.to_string())
        .arg(path)
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("heif-thumbnailer failed: {e}"))?;
    if !status.success() {
        return Err("can't read this HEIC/AVIF file (heif-thumbnailer could not decode it)".into());
    }
    image::open(&out).map_err(|e| format!("heif-thumbnailer's picture is unreadable: {e}"))
}

/// A PDF's first page, fitted into `size`×`size`, through `pdftoppm`.
pub fn pdf_first_page(path: &Path, size: u32) -> Result<image::DynamicImage, String> {
    let out = tool("pdftoppm")
        .args(["-f", "1", "-l", "1", "-singlefile", "-png", "-scale-to"])
        .arg(size.to_string())
        .arg(path)
        .output()
        .map_err(|e| format!("pdftoppm failed: {e}"))?;
    if !out.status.success() || out.stdout.is_empty() {
        return Err("can't read this PDF (pdftoppm could not draw its first page)".into());
    }
    image::load_from_memory(&out.stdout).map_err(|e| format!("pdftoppm gave no picture: {e}"))
}

/// The longest a program may take to describe a file at import (`pdfinfo`, `ffprobe`)
/// before it is killed and the file imported without what it would have said.
pub const DESCRIBE_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

/// What `cmd` printed on its standard output, if it ended within `limit` (however it ended:
/// a program may say something of a damaged file); killed when it takes longer (a hostile
/// file must not stall an import).
pub fn output_within(mut cmd: Command, limit: std::time::Duration) -> Option<String> {
    let mut child = cmd.stdout(Stdio::piped()).spawn().ok()?;
    let mut stdout = child.stdout.take()?;
    // Read as it comes, so a long report never blocks the program on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut text);
        text
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < limit => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let text = reader.join().ok()?;
    status.map(|_| String::from_utf8_lossy(&text).into_owned())
}

/// A PDF's first page size in points (1/72 inch), turned by its rotation, through poppler's
/// `pdfinfo` (installed with `pdftoppm`). `None` when it is not installed, can't read the
/// file, or takes longer than [`DESCRIBE_LIMIT`].
pub fn pdf_page_size(path: &Path) -> Option<(u32, u32)> {
    if !Tools::find().pdf {
        return None;
    }
    let mut cmd = tool("pdfinfo");
    cmd.args(["-f", "1", "-l", "1"]).arg(path);
    parse_pdf_page_size(&output_within(cmd, DESCRIBE_LIMIT)?)
}

/// `Page    1 size: 595.276 x 841.89 pts (A4)` and `Page    1 rot:  90` of `pdfinfo`.
fn parse_pdf_page_size(text: &str) -> Option<(u32, u32)> {
    let (mut size, mut turned) = (None, false);
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("Page") else {
            continue;
        };
        let rest = rest
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_digit());
        if let Some(dims) = rest.trim_start().strip_prefix("size:") {
            let mut numbers = dims
                .split_whitespace()
                .filter_map(|w| w.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.5 && *v < 1e7);
            if let (Some(w), Some(h)) = (numbers.next(), numbers.next()) {
                size = Some((w.round() as u32, h.round() as u32));
            }
        } else if let Some(rot) = rest.trim_start().strip_prefix("rot:") {
            turned = rot
                .trim()
                .parse::<i64>()
                .is_ok_and(|r| r.rem_euclid(180) == 90);
        }
    }
    size.map(|(w, h)| if turned { (h, w) } else { (w, h) })
}

/// A Photoshop document's composite image: the flattened picture Photoshop stores after the
/// layers (for "maximize compatibility", its default), raw or PackBits-compressed, 8 or 16
/// bits a channel, in RGB, grayscale, indexed colour or CMYK. Within the same size limits as every other
/// decoder; anything else is said plainly.
pub fn psd_composite(path: &Path) -> Result<image::DynamicImage, NoPicture> {
    let bytes =
        psd_without_layers(path).map_err(|why| format!("can't read this Photoshop file: {why}"))?;
    psd_decode(&bytes).map_err(|why| match why {
        NoPicture::Unreadable(why) => format!("can't read this Photoshop file: {why}").into(),
        other => other,
    })
}

/// A Photoshop file as [`psd_decode`] reads it, without its image resources and its layers
/// (which may be many times the size of the composite; a designer's file of a gigabyte is
/// not read whole): its header, its colour mode data, those two sections empty, then the
/// composite image.
fn psd_without_layers(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let ends = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "it ends early".to_string(),
        _ => e.to_string(),
    };
    let mut out = vec![0u8; 26];
    file.read_exact(&mut out).map_err(ends)?;
    if &out[..4] != b"8BPS" {
        return Err("not a Photoshop file".into());
    }
    let big = out[4..6] == [0, 2];
    let length = |file: &mut std::fs::File, long: bool| -> Result<u64, String> {
        let mut b = [0u8; 8];
        let n = if long { 8 } else { 4 };
        file.read_exact(&mut b[8 - n..]).map_err(ends)?;
        Ok(u64::from_be_bytes(b))
    };
    // Colour mode data (an indexed image's palette): small, kept.
    let colours = length(&mut file, false)?;
    if colours > 1 << 20 {
        return Err("a damaged section length".into());
    }
    out.extend_from_slice(&(colours as u32).to_be_bytes());
    let at = out.len();
    out.resize(at + colours as usize, 0);
    file.read_exact(&mut out[at..]).map_err(ends)?;
    // Image resources, then layers and masks: skipped, written as empty.
    let resources = length(&mut file, false)?;
    file.seek(SeekFrom::Current(
        i64::try_from(resources).map_err(|_| "a damaged section length")?,
    ))
    .map_err(ends)?;
    out.extend_from_slice(&0u32.to_be_bytes());
    let layers = length(&mut file, big)?;
    file.seek(SeekFrom::Current(
        i64::try_from(layers).map_err(|_| "a damaged section length")?,
    ))
    .map_err(ends)?;
    out.extend_from_slice(if big { &[0u8; 8][..] } else { &[0u8; 4][..] });
    // The composite: at most what the largest picture decoded could take, compressed or not.
    file.take(2 * super::MAX_ALLOC + (1 << 20))
        .read_to_end(&mut out)
        .map_err(ends)?;
    Ok(out)
}

fn psd_decode(bytes: &[u8]) -> Result<image::DynamicImage, NoPicture> {
    let unshown = |why: &str| NoPicture::NoPreview(why.to_string());
    let mut r = Bytes { bytes, at: 0 };
    if r.take(4)? != b"8BPS" {
        return Err("not a Photoshop file".into());
    }
    // 1: PSD; 2: PSB ("large document"), whose lengths are longer.
    let big = match r.u16()? {
        1 => false,
        2 => true,
        _ => return Err("an unknown version".into()),
    };
    r.take(6)?;
    let channels = usize::from(r.u16()?);
    let (height, width) = (r.u32()?, r.u32()?);
    let depth = r.u16()?;
    let mode = r.u16()?;
    let edge = super::MAX_EDGE;
    if width == 0 || height == 0 || width > edge || height > edge {
        return Err(unshown("too large to preview safely"));
    }
    let bps = match depth {
        8 => 1,
        16 => 2,
        _ => return Err(unshown("no preview for this bit depth")),
    };
    // The colour planes used (alpha and extra channels are left out: the composite is
    // already matted).
    let used = match mode {
        1 | 2 => 1,
        3 => 3,
        4 => 4,
        _ => return Err(unshown("no preview for this colour mode")),
    };
    if mode == 2 && bps != 1 {
        return Err("a damaged indexed-colour image".into());
    }
    if channels < used {
        return Err("fewer channels than its colour mode needs".into());
    }
    let (w, h) = (width as usize, height as usize);
    if (w * h * used * bps) as u64 > super::MAX_ALLOC {
        return Err(unshown("too large to preview safely"));
    }
    // Colour mode data (an indexed image's palette: 256 reds, then greens, then blues),
    // then image resources, layers and masks (skipped).
    let mut palette: &[u8] = &[];
    for section in 0..3 {
        let len = if big && section == 2 {
            r.u64()?
        } else {
            u64::from(r.u32()?)
        };
        let data = r.take(usize::try_from(len).map_err(|_| "a damaged section length")?)?;
        if section == 0 {
            palette = data;
        }
    }
    if mode == 2 && palette.len() < 768 {
        return Err("an indexed-colour image without its palette".into());
    }
    let row = w * bps;
    let compression = r.u16()?;
    // PackBits: every row's compressed length first (all channels), then the rows.
    let length_bytes = if big { 4 } else { 2 };
    // The fewest bytes the picture can take (a PackBits run gives at most 128 bytes for
    // two), checked against what the file holds before anything is allocated: a header of
    // a few bytes can claim gigabytes.
    let (rows, planes_used) = (h as u64, used as u64);
    let least = match compression {
        0 => row as u64 * rows * planes_used,
        1 => {
            channels as u64 * rows * length_bytes as u64
                + planes_used * rows * 2 * (row as u64).div_ceil(128)
        }
        _ => return Err(unshown("no preview for this compression")),
    };
    if least > r.left() as u64 {
        return Err("the file ends too soon".into());
    }
    let mut planes = vec![vec![0u8; row * h]; used];
    if compression == 0 {
        for plane in &mut planes {
            plane.copy_from_slice(r.take(row * h)?);
        }
    } else {
        let lengths = r.take(channels * h * length_bytes)?;
        // A big-endian number of `length_bytes` bytes.
        let length = |i: usize| {
            lengths[i * length_bytes..(i + 1) * length_bytes]
                .iter()
                .fold(0usize, |n, &b| (n << 8) | usize::from(b))
        };
        for (c, plane) in planes.iter_mut().enumerate() {
            for y in 0..h {
                let packed = r.take(length(c * h + y))?;
                unpack_bits(packed, &mut plane[y * row..(y + 1) * row])?;
            }
        }
    }
    // The high byte of a 16-bit sample is plenty for a picture on screen.
    let at = |plane: &[u8], i: usize| plane[i * bps];
    let pixels = w * h;
    Ok(match mode {
        2 => {
            let mut rgb = Vec::with_capacity(pixels * 3);
            for &v in &planes[0] {
                let v = usize::from(v);
                rgb.extend([palette[v], palette[256 + v], palette[512 + v]]);
            }
            image::DynamicImage::ImageRgb8(
                image::RgbImage::from_raw(width, height, rgb).ok_or("a damaged image")?,
            )
        }
        1 => image::DynamicImage::ImageLuma8(
            image::GrayImage::from_raw(
                width,
                height,
                (0..pixels).map(|i| at(&planes[0], i)).collect(),
            )
            .ok_or("a damaged image")?,
        ),
        3 => {
            let mut rgb = Vec::with_capacity(pixels * 3);
            for i in 0..pixels {
                rgb.extend([at(&planes[0], i), at(&planes[1], i), at(&planes[2], i)]);
            }
            image::DynamicImage::ImageRgb8(
                image::RgbImage::from_raw(width, height, rgb).ok_or("a damaged image")?,
            )
        }
        _ => {
            // CMYK is stored inverted (255 is no ink): each colour is its value times black's.
            let mut rgb = Vec::with_capacity(pixels * 3);
            for i in 0..pixels {
                let k = u16::from(at(&planes[3], i));
                for plane in &planes[..3] {
                    rgb.push(((u16::from(at(plane, i)) * k) / 255) as u8);
                }
            }
            image::DynamicImage::ImageRgb8(
                image::RgbImage::from_raw(width, height, rgb).ok_or("a damaged image")?,
            )
        }
    })
}

/// PackBits: a count n, then n+1 literal bytes (n < 128) or one byte repeated 257-n times
/// (n > 128); 128 is nothing. Fills `out` exactly or fails.
fn unpack_bits(mut packed: &[u8], out: &mut [u8]) -> Result<(), &'static str> {
    let mut at = 0;
    while at < out.len() {
        let (&n, rest) = packed.split_first().ok_or("a damaged compressed row")?;
        packed = rest;
        match n {
            0..=127 => {
                let len = usize::from(n) + 1;
                if at + len > out.len() || packed.len() < len {
                    return Err("a damaged compressed row");
                }
                out[at..at + len].copy_from_slice(&packed[..len]);
                packed = &packed[len..];
                at += len;
            }
            128 => {}
            _ => {
                let len = 257 - usize::from(n);
                let (&v, rest) = packed.split_first().ok_or("a damaged compressed row")?;
                packed = rest;
                if at + len > out.len() {
                    return Err("a damaged compressed row");
                }
                out[at..at + len].fill(v);
                at += len;
            }
        }
    }
    Ok(())
}

/// Reads big-endian numbers and slices from a file's bytes, never past their end.
struct Bytes<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        let end = self.at.checked_add(n).ok_or("a damaged length")?;
        let got = self
            .bytes
            .get(self.at..end)
            .ok_or("the file ends too soon")?;
        self.at = end;
        Ok(got)
    }

    /// How many bytes are left to read.
    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn u16(&mut self) -> Result<u16, &'static str> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, &'static str> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, &'static str> {
        Ok((u64::from(self.u32()?) << 32) | u64::from(self.u32()?))
    }
}

/// A Photoshop document's width and height, from its header.
pub fn psd_dimensions(path: &Path) -> Option<(u32, u32)> {
    use std::io::Read;
    let mut head = [0u8; 26];
    std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    if &head[..4] != b"8BPS" {
        return None;
    }
    let be = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    Some((be(18), be(14)))
}

/// An SVG drawing rendered by resvg to fit `size`×`size` (a drawing is drawn at the size
/// asked, so the preview is as sharp as the grid), text in the system's fonts.
pub fn svg_picture(path: &Path, size: u32) -> Result<image::DynamicImage, NoPicture> {
    let tree = svg_tree(path, true)?;
    let s = tree.size();
    let scale = size as f32 / s.width().max(s.height());
    let w = ((s.width() * scale).round() as u32).clamp(1, size);
    let h = ((s.height() * scale).round() as u32).clamp(1, size);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| NoPicture::NoPreview("no preview for this drawing".into()))?;
    super::panics::quietly(|| {
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
    })
    .map_err(|why| format!("can't draw this drawing: {why}"))?;
    // tiny-skia keeps colours premultiplied by their opacity.
    let pixels = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    image::RgbaImage::from_raw(w, h, pixels)
        .map(image::DynamicImage::ImageRgba8)
        .ok_or_else(|| "no preview for this drawing".into())
}

/// An SVG drawing's width and height, in pixels, as its root element says (rounded), the
/// way usvg sizes a drawing (`width`/`height` in any unit at 96 dpi, a percentage or a
/// missing one taken from the `viewBox`). Only the XML is parsed (roxmltree: linear, no
/// recursion, entity expansion bounded), never the drawing: this runs in the app's own
/// process at the file check, where a drawing that overflowed a converter's stack would
/// take the app with it. None when the file is not an SVG or states no size.
pub fn svg_dimensions(path: &Path) -> Option<(u32, u32)> {
    use svgtypes::{Length, LengthUnit, ViewBox};
    let data = svg_bytes(path).ok()?;
    let text = std::str::from_utf8(&data).ok()?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).ok()?;
    let svg = doc.root_element();
    if svg.tag_name().name() != "svg" {
        return None;
    }
    let length = |name: &str| -> Option<Length> { svg.attribute(name)?.parse().ok() };
    let view_box = svg
        .attribute("viewBox")
        .and_then(|v| v.parse::<ViewBox>().ok())
        .filter(|v| v.w > 0.0 && v.h > 0.0);
    // usvg's defaults: 12-pixel text for `em`, 96 dots an inch.
    let font = length("font-size")
        .filter(|l| matches!(l.unit, LengthUnit::None | LengthUnit::Px))
        .map_or(12.0, |l| l.number);
    // A length in pixels; a percentage of the viewBox's edge (None without one).
    let pixels = |l: Length, edge: Option<f64>| -> Option<f64> {
        let n = l.number;
        Some(match l.unit {
            LengthUnit::None | LengthUnit::Px => n,
            LengthUnit::Em => n * font,
            LengthUnit::Ex => n * font / 2.0,
            LengthUnit::In => n * 96.0,
            LengthUnit::Cm => n * 96.0 / 2.54,
            LengthUnit::Mm => n * 96.0 / 25.4,
            LengthUnit::Pt => n * 96.0 / 72.0,
            LengthUnit::Pc => n * 96.0 / 6.0,
            LengthUnit::Percent => edge? * n / 100.0,
        })
    };
    let hundred = Length::new(100.0, LengthUnit::Percent);
    let (w, h) = (length("width"), length("height"));
    let width = pixels(w.unwrap_or(hundred), view_box.map(|v| v.w))?;
    let height = pixels(h.unwrap_or(hundred), view_box.map(|v| v.h))?;
    let (width, height) = match (w, h, view_box) {
        (Some(_), None, Some(v)) => (width, v.h * width / v.w),
        (None, Some(_), Some(v)) => (v.w * height / v.h, height),
        _ => (width, height),
    };
    let edge = |e: f64| {
        (e.is_finite() && e > 0.0 && e < f64::from(u32::MAX)).then(|| e.round().max(1.0) as u32)
    };
    Some((edge(width)?, edge(height)?))
}

/// A drawing's bytes, at most [`MAX_SVG_BYTES`], ungzipped when it is an `.svgz` (the
/// unpacked text bounded the same way).
fn svg_bytes(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut data = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SVG_BYTES + 1).read_to_end(&mut data))
        .map_err(|e| format!("can't read the file: {e}"))?;
    if data.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&data[..])
            .take(MAX_SVG_BYTES + 1)
            .read_to_end(&mut text)
            .map_err(|e| format!("can't read this drawing: {e}"))?;
        data = text;
    }
    if data.len() as u64 > MAX_SVG_BYTES {
        return Err("too large to preview safely".into());
    }
    Ok(data)
}

/// A drawing parsed by usvg (with the system's fonts when its text is to be drawn).
fn svg_tree(path: &Path, with_text: bool) -> Result<resvg::usvg::Tree, String> {
    use std::sync::{Arc, OnceLock};
    // Fonts are looked for once per process.
    static FONTS: OnceLock<(Arc<resvg::usvg::fontdb::Database>, Option<String>)> = OnceLock::new();
    let data = svg_bytes(path)?;
    let mut opt = resvg::usvg::Options::default();
    if with_text {
        let (fonts, default) = FONTS.get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_system_fonts();
            let default = use_common_families(&mut db);
            (Arc::new(db), default)
        });
        opt.fontdb = fonts.clone();
        if let Some(family) = default {
            opt.font_family = family.clone();
        }
    }
    // usvg and tiny-skia panic on some drawings (an embedded image of zero size): that
    // drawing has no size and no picture, and the app goes on.
    super::panics::quietly(|| resvg::usvg::Tree::from_data(&data, &opt))
        .map_err(|why| format!("can't read this drawing: {why}"))?
        .map_err(|e| format!("can't read this drawing: {e}"))
}

/// Points the generic families (`sans-serif`, ...) at fonts this computer has; fontdb's own
/// defaults (Arial, Times New Roman, ...) are rarely installed on Linux; Windows and macOS
/// have their own (Segoe UI, Helvetica Neue). Returns the family
/// for text that names none.
fn use_common_families(db: &mut resvg::usvg::fontdb::Database) -> Option<String> {
    let have = |name: &str| {
        db.faces()
            .any(|f| f.families.iter().any(|(family, _)| family == name))
    };
    let pick = |names: &[&str]| {
        names
            .iter()
            .find(|n| have(n))
            .map(std::string::ToString::to_string)
    };
    let sans = pick(&[
        "DejaVu Sans",
        "Liberation Sans",
        "Noto Sans",
        "Cantarell",
        "Segoe UI",
        "Helvetica Neue",
        "Arial",
    ]);
    let serif = pick(&[
        "DejaVu Serif",
        "Liberation Serif",
        "Noto Serif",
        "Times New Roman",
    ]);
    let mono = pick(&[
        "DejaVu Sans Mono",
        "Liberation Mono",
        "Noto Sans Mono",
        "Consolas",
        "Menlo",
        "Courier New",
    ]);
    if let Some(f) = &sans {
        db.set_sans_serif_family(f.as_str());
        db.set_cursive_family(f.as_str());
        db.set_fantasy_family(f.as_str());
    }
    let serif = serif.or(sans);
    if let Some(f) = &serif {
        db.set_serif_family(f.as_str());
    }
    if let Some(f) = mono {
        db.set_monospace_family(f);
    }
    serif
}

/// The largest SVG file drawn (a drawing larger than this is unusual, and slow).
const MAX_SVG_BYTES: u64 = 32 * 1024 * 1024;

/// A folder of its own for a program's output, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, String> {
        let dir = std::env::temp_dir().join(format!(
            "shoebox-{}-{:?}-{}",
            std::process::id(),
            std::thread::current().id(),
            fastrand_u64()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("no room for a preview: {e}"))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A number unlikely to repeat, without a random-number dependency.
fn fastrand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}
