//! Making one picture from one file: the decoders, their limits and their fast paths.
//!
//! A JPEG is decoded by libjpeg-turbo (built from source by the `mozjpeg` crate) straight
//! at the smallest DCT scale that still covers the wanted size, so most of a photo's pixels
//! are never computed; a lossy WebP is decoded by libwebp, which scales while it decodes.
//! Everything else, and anything unusual for those two, goes to the `image` crate's full
//! decoders under explicit limits, which also explain what they cannot read.

use std::path::Path;

use image::metadata::Orientation;

use crate::media::formats::{self, Format, Tools};
use crate::media::{Kind, MAX_ALLOC, MAX_EDGE, NoPicture};

/// The most components libjpeg decodes in one picture (`MAX_COMPONENTS` in jmorecfg.h).
const MAX_COMPONENTS: usize = 10;

/// Decodes (or takes a video poster, or has a program of the system draw it) and scales to
/// at most `size` pixels along the longer edge, upright as the camera meant it.
pub fn render(
    path: &Path,
    kind: Kind,
    size: u32,
    tools: Tools,
) -> Result<image::RgbaImage, NoPicture> {
    let img = match kind {
        Kind::Video => {
            if !tools.ffmpeg {
                return Err(NoPicture::NoPreview(
                    "no poster frame: install ffmpeg to see video previews".into(),
                ));
            }
            video_poster(path, size)?
        }
        _ => match Format::of_file(path) {
            Some(format) if !tools.has(format) => {
                return Err(NoPicture::NoPreview(format.missing().into()));
            }
            Some(Format::Heif) => {
                // A grid thumbnail: from the small picture the file may hold (heif-thumbnailer
                // refuses some colour profiles: then as a preview is made).
                let small = (tools.heif_thumbs && size <= super::THUMB_PX)
                    .then(|| formats::heif_thumbnail(path, size).ok())
                    .flatten();
                match small {
                    Some(img) => img,
                    None => heif_picture(path, size)?,
                }
            }
            Some(Format::Pdf) => formats::pdf_first_page(path, size)?,
            Some(Format::Psd) => formats::psd_composite(path)?,
            Some(Format::Svg) => formats::svg_picture(path, size)?,
            Some(Format::Raw) => {
                let (jpeg, orientation) = crate::media::raw::preview(path)?;
                let scaled =
                    crate::media::panics::quietly(|| scaled_jpeg_turned(&jpeg, size, orientation));
                match scaled {
                    Ok(Some(img)) => img,
                    _ => {
                        let mut img = image::load_from_memory(&jpeg)
                            .map_err(|e| format!("can't read this RAW file's preview: {e}"))?;
                        if let Some(o) = orientation {
                            img.apply_orientation(o);
                        }
                        img
                    }
                }
            }
            None => match fast_path(path, size) {
                Some(img) => img,
                None => decode(path)?,
            },
        },
    };
    let img = if img.width() > size || img.height() > size {
        img.thumbnail(size, size)
    } else {
        img
    };
    Ok(img.into_rgba8())
}

/// A HEIC/HEIF or AVIF photo decoded whole by heif-convert, then scaled.
fn heif_picture(path: &Path, size: u32) -> Result<image::DynamicImage, String> {
    let jpeg = formats::heif_as_jpeg(path)?;
    match crate::media::panics::quietly(|| scaled_jpeg(&jpeg, size)) {
        Ok(Some(img)) => Ok(img),
        _ => image::load_from_memory(&jpeg)
            .map_err(|e| format!("heif-convert's picture is unreadable: {e}")),
    }
}

/// Decodes an image whole with explicit limits, turned upright.
pub fn decode(path: &Path) -> Result<image::DynamicImage, NoPicture> {
    // Opening by path keeps the extension as a hint when the content is not recognised.
    let mut reader = image::ImageReader::open(path)
        .and_then(image::ImageReader::with_guessed_format)
        .map_err(|e| format!("can't read the file: {e}"))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    if reader.format().is_none() {
        return Err(NoPicture::NoPreview(
            "no preview for this kind of file".into(),
        ));
    }
    let explain = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => NoPicture::NoPreview("too large to preview safely".into()),
        image::ImageError::Unsupported(_) => {
            NoPicture::NoPreview("no preview for this kind of file".into())
        }
        other => NoPicture::Unreadable(format!("can't read this image: {other}")),
    };
    let mut decoder = reader.into_decoder().map_err(explain)?;
    // Shown as the camera meant it: a portrait photo stored sideways (EXIF orientation) is
    // turned upright, a mirrored one flipped back. An unreadable tag leaves it as stored.
    let orientation =
        image::ImageDecoder::orientation(&mut decoder).unwrap_or(Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(explain)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// A JPEG or lossy WebP decoded at (about) the wanted size by its native decoder. `None`
/// for any other file, and for anything unusual (CMYK, animation, damage, too large): the
/// full decoder then decides, and explains.
fn fast_path(path: &Path, size: u32) -> Option<image::DynamicImage> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut magic = [0u8; 12];
    file.read_exact(&mut magic).ok()?;
    let jpeg = magic.starts_with(&[0xFF, 0xD8, 0xFF]);
    let webp = &magic[..4] == b"RIFF" && &magic[8..12] == b"WEBP";
    if !(jpeg || webp) || file.metadata().ok()?.len() > MAX_ALLOC / 2 {
        return None;
    }
    let mut bytes = magic.to_vec();
    file.read_to_end(&mut bytes).ok()?;
    // The native decoders report fatal errors by unwinding; that only costs the fast path.
    crate::media::panics::quietly(|| {
        if jpeg {
            scaled_jpeg(&bytes, size)
        } else {
            scaled_webp(&bytes, size)
        }
    })
    .ok()
    .flatten()
}

/// How much of each axis `size` along the longer edge of a `w`×`h` picture asks for.
fn wanted(w: u32, h: u32, size: u32) -> (u32, u32) {
    let long = u64::from(w.max(h).max(1));
    let axis = |a: u32| {
        (u64::from(a) * u64::from(size))
            .div_ceil(long)
            .clamp(1, u64::from(a.max(1))) as u32
    };
    (axis(w), axis(h))
}

/// A JPEG at the smallest scale M/8 (M = 1..8) whose picture is at least `size` along its
/// longer edge, turned by its EXIF orientation; `None` when libjpeg cannot read it (the
/// full decoders then try). Public for the fuzz target of this path (libjpeg and the
/// progressive-scan cutter), which skips the `image` crate's fallback.
pub fn scaled_jpeg(bytes: &[u8], size: u32) -> Option<image::DynamicImage> {
    scaled_jpeg_turned(bytes, size, None)
}

/// [`scaled_jpeg`], turned by `orientation` when given (a RAW's preview is turned as the RAW
/// says), else by the JPEG's own.
fn scaled_jpeg_turned(
    bytes: &[u8],
    size: u32,
    orientation: Option<Orientation>,
) -> Option<image::DynamicImage> {
    let header = mozjpeg::Decompress::with_markers(&[mozjpeg::Marker::APP(1)])
        .from_mem(bytes)
        .ok()?;
    let (w, h) = header.size();
    let orientation = orientation.unwrap_or_else(|| {
        header
            .markers()
            .find_map(|m| m.data.strip_prefix(b"Exif\0\0"))
            .and_then(Orientation::from_exif_chunk)
            .unwrap_or(Orientation::NoTransforms)
    });
    drop(header);
    let (w, h) = (u32::try_from(w).ok()?, u32::try_from(h).ok()?);
    if w == 0 || h == 0 || w > MAX_EDGE || h > MAX_EDGE {
        return None;
    }
    let long = w.max(h);
    let eighths = (1..=8u8)
        .find(|m| (long * u32::from(*m)).div_ceil(8) >= size.min(long))
        .unwrap_or(8);
    // At 1/8 a block becomes one pixel, its average: a progressive file's scans of
    // finer detail need not be decoded at all (most of its decoding time).
    let lean = if eighths == 1 {
        dc_scans_only(bytes)
    } else {
        None
    };
    let mut img = jpeg_at_scale(lean.as_deref().unwrap_or(bytes), eighths)?;
    img.apply_orientation(orientation);
    Some(img)
}

/// A JPEG decoded by libjpeg at `eighths`/8 of its size, as stored. A file libjpeg would
/// decode through a buffer of the whole image's coefficients (full size, whatever the
/// scale) larger than [`MAX_ALLOC`] is refused before it starts: a 64 KB file may state
/// 20,000 × 20,000 pixels, and libjpeg sets aside and fills 128 bytes for every block.
fn jpeg_at_scale(bytes: &[u8], eighths: u8) -> Option<image::DynamicImage> {
    let mut d = mozjpeg::Decompress::new_mem(bytes).ok()?;
    if buffers_whole_image(bytes) {
        let blocks: u64 = d
            .components()
            .iter()
            .map(|c| {
                // Rounded up to whole MCUs, as libjpeg allocates them (jdcoefct.c).
                let w = u64::from(c.width_in_blocks) + u64::try_from(c.h_samp_factor).unwrap_or(0);
                let h = u64::from(c.height_in_blocks) + u64::try_from(c.v_samp_factor).unwrap_or(0);
                w * h
            })
            .sum();
        if blocks.saturating_mul(128) > MAX_ALLOC {
            return None;
        }
    }
    d.scale(eighths);
    // Smoothing guesses missing coefficients of a partial progressive file; a thumbnail
    // wants what the file says.
    d.do_block_smoothing(false);
    let gray = d.color_space() == mozjpeg::ColorSpace::JCS_GRAYSCALE;
    let mut started = if gray { d.grayscale() } else { d.rgb() }.ok()?;
    let (sw, sh) = (
        u32::try_from(started.width()).ok()?,
        u32::try_from(started.height()).ok()?,
    );
    let pixels: Vec<u8> = started.read_scanlines().ok()?;
    started.finish().ok()?;
    Some(if gray {
        image::DynamicImage::ImageLuma8(image::GrayImage::from_raw(sw, sh, pixels)?)
    } else {
        image::DynamicImage::ImageRgb8(image::RgbImage::from_raw(sw, sh, pixels)?)
    })
}

/// Whether libjpeg decodes this JPEG through a buffer of the whole image's coefficients
/// (jdcoefct.c's full buffer): a progressive file, or one whose first scan holds fewer
/// components than its frame. A file this walk does not follow to its first scan counts
/// as one that does. Linear: each segment's header is looked at once.
pub(crate) fn buffers_whole_image(bytes: &[u8]) -> bool {
    let be16 = |at: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes([
            *bytes.get(at)?,
            *bytes.get(at + 1)?,
        ])))
    };
    if bytes.get(..2) != Some(&[0xFF, 0xD8][..]) {
        return true;
    }
    let mut frame_components = None;
    let mut at = 2;
    loop {
        if bytes.get(at) != Some(&0xFF) {
            return true;
        }
        while bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let Some(&marker) = bytes.get(at + 1) else {
            return true;
        };
        if matches!(marker, 0x01 | 0xD0..=0xD7) {
            at += 2;
            continue;
        }
        match marker {
            // Progressive frames: SOF2, SOF6, SOF10, SOF14.
            0xC2 | 0xC6 | 0xCA | 0xCE => return true,
            0xC0 | 0xC1 | 0xC3 | 0xC5 | 0xC7 | 0xC9 | 0xCB | 0xCD | 0xCF => {
                frame_components = bytes.get(at + 9).copied();
            }
            0xDA => {
                return match (frame_components, bytes.get(at + 4)) {
                    (Some(frame), Some(&scan)) => scan < frame,
                    _ => true,
                };
            }
            0xD9 => return true,
            _ => {}
        }
        let Some(len) = be16(at + 2) else {
            return true;
        };
        at += 2 + len;
    }
}

/// A progressive JPEG without the scans that only refine what a 1/8-scale decode never
/// uses: the AC coefficients of every component decoded at one pixel per block (libjpeg
/// decodes a subsampled component at a larger size, so its detail scans stay). `None` for
/// a baseline file or anything this reading does not follow (the file is then decoded as
/// it is). A decode at 1/8 of the result is pixel for pixel that of the whole file.
/// Linear in the file's length: each byte is looked at once.
pub fn dc_scans_only(bytes: &[u8]) -> Option<Vec<u8>> {
    let be16 = |at: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes([
            *bytes.get(at)?,
            *bytes.get(at + 1)?,
        ])))
    };
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4);
    out.extend_from_slice(&bytes[..2]);
    // Component id → whether only its DC coefficient is used at 1/8.
    let mut dc_only: Vec<(u8, bool)> = Vec::new();
    let mut progressive = false;
    let mut at = 2;
    loop {
        // A marker, after any fill bytes.
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        while *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        let marker = bytes[at + 1];
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return progressive.then_some(out);
            }
            0xDA => {
                let len = be16(at + 2)?;
                let header = bytes.get(at..at + 2 + len)?;
                let n = usize::from(*header.get(4)?);
                // A scan has at most four components (ITU T.81, B.2.3).
                if n > 4 {
                    return None;
                }
                let ss = *header.get(5 + 2 * n)?;
                let comps = header.get(5..5 + 2 * n)?.chunks(2).map(|c| c[0]);
                let needed = ss == 0
                    || comps.clone().any(|id| {
                        dc_only
                            .iter()
                            .find(|(c, _)| *c == id)
                            .is_none_or(|(_, only)| !only)
                    });
                // The entropy-coded data runs to the next marker that is not a stuffed
                // 0xFF00 or a restart marker.
                let mut end = at + 2 + len;
                loop {
                    end += bytes.get(end..)?.iter().position(|&b| b == 0xFF)?;
                    match *bytes.get(end + 1)? {
                        0x00 | 0xD0..=0xD7 | 0xFF => end += 1,
                        _ => break,
                    }
                }
                if needed {
                    out.extend_from_slice(&bytes[at..end]);
                }
                at = end;
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&bytes[at..at + 2]);
                at += 2;
            }
            _ => {
                let len = be16(at + 2)?;
                let segment = bytes.get(at..at + 2 + len)?;
                if marker == 0xC2 {
                    // One frame, of at most the components libjpeg decodes.
                    let n = usize::from(*segment.get(9)?);
                    if progressive || n > MAX_COMPONENTS {
                        return None;
                    }
                    progressive = true;
                    let comps = segment.get(10..10 + 3 * n)?;
                    let factors = |c: &[u8]| (u32::from(c[1] >> 4), u32::from(c[1] & 15));
                    let max_h = comps.chunks(3).map(|c| factors(c).0).max()?;
                    let max_v = comps.chunks(3).map(|c| factors(c).1).max()?;
                    for c in comps.chunks(3) {
                        let (h, v) = factors(c);
                        if h == 0 || v == 0 {
                            return None;
                        }
                        // libjpeg (jdmaster.c) doubles a component's IDCT size while
                        // both its factors divide the largest twice over.
                        let grows = max_h % (h * 2) == 0 && max_v % (v * 2) == 0;
                        dc_only.push((c[0], !grows));
                    }
                } else if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
                    // Baseline, lossless, arithmetic: decoded as they are.
                    return None;
                }
                out.extend_from_slice(segment);
                at += 2 + len;
            }
        }
    }
}

/// A still WebP scaled by libwebp as it decodes, turned by its EXIF orientation.
fn scaled_webp(bytes: &[u8], size: u32) -> Option<image::DynamicImage> {
    use libwebp_sys::{
        VP8StatusCode, WEBP_CSP_MODE, WEBP_DECODER_ABI_VERSION, WebPDecode, WebPDecoderConfig,
        WebPFreeDecBuffer, WebPGetFeaturesInternal,
    };
    let mut config = WebPDecoderConfig::new().ok()?;
    // SAFETY: the bytes outlive the call, which only reads them and fills `config.input`.
    let status = unsafe {
        WebPGetFeaturesInternal(
            bytes.as_ptr(),
            bytes.len(),
            &mut config.input,
            WEBP_DECODER_ABI_VERSION as _,
        )
    };
    if status != VP8StatusCode::VP8_STATUS_OK || config.input.has_animation != 0 {
        return None;
    }
    let (w, h) = (
        u32::try_from(config.input.width).ok()?,
        u32::try_from(config.input.height).ok()?,
    );
    if w == 0 || h == 0 || w > MAX_EDGE || h > MAX_EDGE {
        return None;
    }
    let (tw, th) = wanted(w, h, size);
    config.options.use_scaling = 1;
    config.options.scaled_width = i32::try_from(tw).ok()?;
    config.options.scaled_height = i32::try_from(th).ok()?;
    config.output.colorspace = WEBP_CSP_MODE::MODE_RGBA;
    // SAFETY: libwebp reads `bytes` and allocates the output buffer it describes in
    // `config.output`, which is copied out and then freed exactly once.
    let rgba = unsafe {
        let status = WebPDecode(bytes.as_ptr(), bytes.len(), &mut config);
        let rgba = (status == VP8StatusCode::VP8_STATUS_OK).then(|| {
            let buf = config.output.u.RGBA;
            let stride = usize::try_from(buf.stride).unwrap_or(0);
            let row = tw as usize * 4;
            if buf.rgba.is_null() || stride < row || buf.size < stride * (th as usize - 1) + row {
                return None;
            }
            let all = std::slice::from_raw_parts(buf.rgba, buf.size);
            Some(
                all.chunks(stride)
                    .take(th as usize)
                    .flat_map(|r| &r[..row])
                    .copied()
                    .collect::<Vec<u8>>(),
            )
        });
        WebPFreeDecBuffer(&mut config.output);
        rgba.flatten()?
    };
    let mut img = image::DynamicImage::ImageRgba8(image::RgbaImage::from_raw(tw, th, rgba)?);
    if let Some(o) = riff_exif(bytes).and_then(Orientation::from_exif_chunk) {
        img.apply_orientation(o);
    }
    Some(img)
}

/// The EXIF chunk of a WebP file (RIFF), without the "Exif" prefix some writers add.
fn riff_exif(bytes: &[u8]) -> Option<&[u8]> {
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let fourcc = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let body = bytes.get(at + 8..(at + 8).checked_add(len)?)?;
        if fourcc == b"EXIF" {
            return Some(body.strip_prefix(b"Exif\0\0").unwrap_or(body));
        }
        at += 8 + len + (len & 1);
    }
    None
}

/// A frame one second in (or the first), scaled, via ffmpeg.
fn video_poster(path: &Path, size: u32) -> Result<image::DynamicImage, String> {
    let out = formats::tool("ffmpeg")
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

    /// Left half dark, right half light, so a scaled decode can be compared.
    fn halves(w: u32, h: u32) -> image::RgbImage {
        image::RgbImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                image::Rgb([30, 40, 50])
            } else {
                image::Rgb([220, 210, 200])
            }
        })
    }

    fn assert_like_full_decode(path: &Path, thumb: &image::RgbaImage) {
        let full = decode(path)
            .expect("decode")
            .thumbnail(THUMB, THUMB)
            .into_rgba8();
        assert_eq!(thumb.dimensions(), full.dimensions());
        let (w, h) = thumb.dimensions();
        for (x, y) in [(w / 6, h / 2), (w - w / 6, h / 2)] {
            let (a, b) = (thumb.get_pixel(x, y).0, full.get_pixel(x, y).0);
            assert!((0..3).all(|c| a[c].abs_diff(b[c]) < 12), "{a:?} vs {b:?}");
        }
    }

    const THUMB: u32 = 256;

    #[test]
    fn a_jpeg_is_decoded_at_the_smallest_scale_that_covers_the_thumbnail() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("photo.jpg");
        let img = halves(1600, 800);
        img.save(&path).expect("save");
        // 256 along the long edge: 2/8 gives 400×200, the smallest scale that covers it.
        let bytes = std::fs::read(&path).expect("read");
        let scaled = scaled_jpeg(&bytes, THUMB).expect("the fast path takes a JPEG");
        assert_eq!((scaled.width(), scaled.height()), (400, 200));
        let thumb = render(&path, Kind::Image, THUMB, Tools::default()).expect("thumbnail");
        assert_eq!(thumb.dimensions(), (256, 128));
        assert_like_full_decode(&path, &thumb);
        // Not a JPEG: the fast path declines and the full decoder decides.
        let png = dir.path().join("photo.png");
        img.save(&png).expect("save");
        assert!(fast_path(&png, THUMB).is_none());
        assert_eq!(
            render(&png, Kind::Image, THUMB, Tools::default())
                .expect("png")
                .dimensions(),
            (256, 128)
        );
    }

    /// A progressive JPEG with detail everywhere, chroma subsampled by `chroma` pixels.
    fn progressive_jpeg(w: u32, h: u32, chroma: (u8, u8)) -> Vec<u8> {
        let mut rng = 0x2545_f491_u32;
        let pixels: Vec<u8> = (0..w * h * 3)
            .map(|i| {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                ((i / 3 % w) as u8 / 2).wrapping_add((rng % 64) as u8)
            })
            .collect();
        let mut c = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        c.set_size(w as usize, h as usize);
        c.set_quality(90.0);
        c.set_progressive_mode();
        c.set_chroma_sampling_pixel_sizes(chroma, chroma);
        let mut started = c.start_compress(Vec::new()).expect("start");
        started.write_scanlines(&pixels).expect("write");
        started.finish().expect("finish")
    }

    #[test]
    #[cfg_attr(
        windows,
        ignore = "not applicable: the test makes its progressive files with mozjpeg's encoder, \
                  which fails on windows-gnu (\"Missing Huffman code table entry\"); Shoebox \
                  only decodes"
    )]
    fn a_progressive_jpeg_at_one_eighth_decodes_only_its_dc_scans_to_the_same_pixels() {
        for chroma in [(1, 1), (2, 2), (2, 1)] {
            let whole = progressive_jpeg(640, 480, chroma);
            let lean = dc_scans_only(&whole).expect("a progressive file");
            assert!(
                lean.len() * 3 < whole.len(),
                "{chroma:?}: {} of {}",
                lean.len(),
                whole.len()
            );
            let a = jpeg_at_scale(&whole, 1).expect("whole");
            let b = jpeg_at_scale(&lean, 1).expect("lean");
            assert_eq!((b.width(), b.height()), (80, 60));
            assert!(
                a.as_bytes() == b.as_bytes(),
                "{chroma:?}: the pixels differ"
            );
        }
        // A baseline file has nothing to leave out; it is decoded as it is.
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("baseline.jpg");
        halves(640, 480).save(&path).expect("save");
        assert!(dc_scans_only(&std::fs::read(&path).expect("read")).is_none());
    }

    #[test]
    fn a_webp_is_scaled_by_libwebp_while_it_decodes() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("photo.webp");
        // A lossless WebP is what the `image` crate writes; libwebp reads both kinds.
        image::DynamicImage::ImageRgb8(halves(1200, 600))
            .save(&path)
            .expect("save");
        let bytes = std::fs::read(&path).expect("read");
        let scaled = scaled_webp(&bytes, THUMB).expect("the fast path takes a WebP");
        assert_eq!((scaled.width(), scaled.height()), (256, 128));
        let thumb = render(&path, Kind::Image, THUMB, Tools::default()).expect("thumbnail");
        assert_like_full_decode(&path, &thumb);
    }

    #[test]
    fn only_progressive_or_non_interleaved_jpegs_buffer_the_whole_image() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("baseline.jpg");
        halves(64, 48).save(&path).expect("save");
        let baseline = std::fs::read(&path).expect("read");
        assert!(
            !buffers_whole_image(&baseline),
            "one interleaved baseline scan"
        );
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/progressive.jpg");
        let progressive = std::fs::read(data).expect("read");
        assert!(buffers_whole_image(&progressive));
        // A baseline frame of three components whose first scan holds one.
        let sos = baseline
            .windows(2)
            .position(|w| w == [0xFF, 0xDA])
            .expect("a scan");
        let mut one = baseline.clone();
        one[sos + 4] = 1;
        assert!(buffers_whole_image(&one));
        // What the walk does not follow counts as buffering.
        assert!(buffers_whole_image(b"not a jpeg"));
        assert!(buffers_whole_image(&baseline[..sos]));
    }

    #[test]
    fn a_damaged_jpeg_falls_back_to_the_full_decoder_which_explains() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("cut.jpg");
        halves(800, 600).save(&path).expect("save");
        let bytes = std::fs::read(&path).expect("read");
        // Only the headers: libjpeg gives up, the fast path declines without a panic.
        std::fs::write(&path, &bytes[..bytes.len().min(300)]).expect("write");
        assert!(fast_path(&path, THUMB).is_none());
        let err = render(&path, Kind::Image, THUMB, Tools::default()).expect_err("cut short");
        assert!(matches!(err, NoPicture::Unreadable(_)), "{err:?}");
        assert!(err.reason().starts_with("can't read this image"), "{err}");
    }

    #[test]
    fn a_corrupt_image_says_it_cannot_be_read() {
        let dir = tempfile::tempdir().expect("temp");
        let p = dir.path().join("broken.jpg");
        std::fs::write(&p, b"x").expect("write");
        let err = decode(&p).expect_err("corrupt");
        assert!(matches!(err, NoPicture::Unreadable(_)), "{err:?}");
        assert!(err.reason().starts_with("can't read this image"), "{err}");
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
        assert_eq!(
            err,
            NoPicture::NoPreview("too large to preview safely".into())
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
