//! Camera RAW files, read for the JPEG preview the camera stores in them (as digiKam and
//! Lightroom show in their grids), the picture's size and the camera's orientation.
//!
//! Most RAWs are a TIFF inside (CR2, NEF, ARW, DNG, PEF, SRW; ORF and RW2 with their own
//! magic numbers): their directories say where each preview is and how large the picture is,
//! so only those bytes are read, not the tens of megabytes of sensor data. A RAF's header
//! says where its preview is; a CR3 keeps its in a `PRVW` box near its start. When none of
//! those is large enough (an ORF or a PEF keeps its large preview where only its maker note
//! says), the file is searched whole for JPEGs, the largest whole one winning.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use image::metadata::Orientation;

use super::formats::Format;

/// A preview whose longer side is at least this is good enough for the grid and the
/// preview; a smaller one sends the search through the whole file for a larger one.
const ENOUGH: u32 = 1000;
/// The first bytes of a RAW, read at once: its directories and metadata are there.
const HEAD: u64 = 256 * 1024;
/// The largest preview read (a camera's full-size JPEG is a few megabytes).
const MAX_PREVIEW: u64 = 64 * 1024 * 1024;
/// The largest file searched whole (the largest cameras' RAWs are a few hundred megabytes).
const MAX_WHOLE: u64 = 512 * 1024 * 1024;
/// The most directories followed in one file (a loop of them ends here).
const MAX_DIRS: usize = 32;
/// The most entries read from one directory.
const MAX_ENTRIES: usize = 1024;
/// The most segments walked in one JPEG (a camera's has a few dozen; a progressive one a
/// few hundred).
const MAX_SEGMENTS: usize = 1 << 16;
/// The most markers whose walk a JPEG search remembers (some 64 bytes each). The first
/// bytes read at import have fewer; past this a search may walk again what it walked, and
/// its budget of steps ends it sooner.
const MAX_REMEMBERED: usize = 1 << 20;

/// A camera RAW file's largest embedded JPEG preview (its bytes) and the RAW's own
/// orientation (`None`: the preview's own EXIF says).
pub fn preview(path: &Path) -> Result<(Vec<u8>, Option<Orientation>), super::NoPicture> {
    let mut raw = RawFile::open(path, true)?;
    let layout = raw.layout();
    let (jpeg, _, _) = raw
        .largest_preview(&layout)
        .ok_or_else(|| super::NoPicture::NoPreview(Format::Raw.missing().into()))?;
    let orientation = layout.orientation.or_else(|| exif_orientation(&raw.exif()));
    Ok((jpeg, orientation))
}

/// What import learns of a RAW file: the picture's size as meant to be seen (as the camera
/// recorded it, else its largest preview's; turned by its orientation), and its metadata.
/// Only what its structure points to and its first bytes are read: never the whole file.
pub fn meta(path: &Path) -> (Option<(u32, u32)>, Vec<exif::Exif>) {
    let Ok(mut raw) = RawFile::open(path, false) else {
        return (None, Vec::new());
    };
    let layout = raw.layout();
    let exif = raw.exif();
    let recorded = layout.size.or_else(|| exif_size(&exif));
    let orientation = layout.orientation.or_else(|| exif_orientation(&exif));
    let (size, orientation) = match recorded {
        Some(size) => (Some(size), orientation),
        None => match raw.largest_preview(&layout) {
            Some((jpeg, w, h)) => (
                Some((w, h)),
                orientation.or_else(|| Some(jpeg_orientation(&jpeg))),
            ),
            None => (None, orientation),
        },
    };
    let size = size.map(|(w, h)| match orientation {
        Some(o) if crate::media::probe::turns_sideways(o) => (h, w),
        _ => (w, h),
    });
    (size, exif)
}

/// An open RAW file and its first bytes.
struct RawFile {
    file: File,
    len: u64,
    head: Vec<u8>,
    /// The whole file, once read.
    whole: Option<Vec<u8>>,
    /// Reading for the picture (in a helper), not for import's metadata.
    for_picture: bool,
    /// Bytes that may still be read past the first ones: twice the file's length, however
    /// often its directories name the same bytes.
    unread: u64,
}

/// What a RAW's directories say.
#[derive(Debug, Default)]
struct Layout {
    /// Where JPEG pictures are said to be: offset and length.
    jpegs: Vec<(u64, u64)>,
    /// The picture's size as the camera recorded it (not turned).
    size: Option<(u32, u32)>,
    orientation: Option<Orientation>,
}

impl RawFile {
    fn open(path: &Path, for_picture: bool) -> Result<RawFile, String> {
        let mut file = File::open(path).map_err(|e| format!("can't read the file: {e}"))?;
        let len = file
            .metadata()
            .map_err(|e| format!("can't read the file: {e}"))?
            .len();
        let mut head = Vec::new();
        (&mut file)
            .take(HEAD)
            .read_to_end(&mut head)
            .map_err(|e| format!("can't read the file: {e}"))?;
        Ok(RawFile {
            file,
            len,
            head,
            whole: None,
            for_picture,
            unread: len.saturating_mul(2),
        })
    }

    /// `len` bytes at `at`, if the file has them.
    fn bytes(&mut self, at: u64, len: u64) -> Option<Vec<u8>> {
        let end = at.checked_add(len)?;
        if end > self.len {
            return None;
        }
        if end <= self.head.len() as u64 {
            return Some(self.head[at as usize..end as usize].to_vec());
        }
        self.unread = self.unread.checked_sub(len)?;
        let mut buf = vec![0; usize::try_from(len).ok()?];
        self.file.seek(SeekFrom::Start(at)).ok()?;
        self.file.read_exact(&mut buf).ok()?;
        Some(buf)
    }

    /// The bytes searched where the file's structure says nothing: the whole file (read
    /// once) when its picture is wanted, unless it is larger than any RAW ([`MAX_WHOLE`]);
    /// only its first bytes at import, which must stay quick and small.
    fn whole(&mut self) -> Option<&[u8]> {
        if !self.for_picture {
            return Some(&self.head);
        }
        if self.len > MAX_WHOLE {
            return None;
        }
        if self.whole.is_none() {
            self.whole = if self.len <= self.head.len() as u64 {
                Some(self.head.clone())
            } else {
                Some(self.bytes(0, self.len)?)
            };
        }
        self.whole.as_deref()
    }

    /// Whether [`RawFile::whole`] holds more than the first bytes (already searched).
    fn beyond_head(&self) -> bool {
        self.for_picture && self.len > self.head.len() as u64
    }

    /// Whether this is a TIFF inside (with ORF's and RW2's own numbers), and its byte order.
    fn tiff_order(&self) -> Option<bool> {
        match self.head.get(..2)? {
            b"II" => Some(false),
            b"MM" => Some(true),
            _ => None,
        }
    }

    fn layout(&mut self) -> Layout {
        if let Some(big) = self.tiff_order() {
            return self.tiff_layout(big);
        }
        let mut layout = Layout::default();
        // A RAF's header: the preview's offset and length at 84, big-endian.
        if self.head.starts_with(b"FUJIFILMCCD-RAW")
            && let Some(b) = self.head.get(84..92)
        {
            let offset = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            let len = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
            layout.jpegs.push((u64::from(offset), u64::from(len)));
        }
        // A CR3's `PRVW` box (in a box of its own before the sensor data): the JPEG starts
        // within its first bytes and ends with it.
        if let Some(at) = find(&self.head, b"PRVW").and_then(|at| at.checked_sub(4))
            && let Some(b) = self.head.get(at..at + 64)
        {
            let size = u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            if let Some(start) = find(b, &[0xFF, 0xD8, 0xFF]) {
                let start = start as u64;
                if size > start {
                    layout.jpegs.push((at as u64 + start, size - start));
                }
            }
        }
        layout
    }

    fn tiff_layout(&mut self, big: bool) -> Layout {
        let mut layout = Layout::default();
        let rw2 = self.head.get(2..4) == Some(b"U\0");
        let Some(first) = self.head.get(4..8).map(|b| u32_of(big, b)) else {
            return layout;
        };
        let mut queue = vec![(u64::from(first), true)];
        let mut seen = Vec::new();
        let mut raw_sizes = Vec::new();
        let mut exif_size = None;
        let mut crop = None;
        while let Some((at, chained)) = queue.pop() {
            if at == 0 || seen.contains(&at) || seen.len() >= MAX_DIRS {
                continue;
            }
            seen.push(at);
            let Some(dir) = self.dir(big, at) else {
                continue;
            };
            let first_dir = seen.len() == 1;
            let mut d = Dir::default();
            for e in &dir.entries {
                let v = |raw: &mut RawFile| raw.values(big, e);
                match e.tag {
                    0x00FE => d.subfile = e.first(big),
                    0x0100 => d.width = e.first(big),
                    0x0101 => d.height = e.first(big),
                    0x0103 => d.compression = e.first(big),
                    0x0106 => d.photometric = e.first(big),
                    0x0111 => d.strips = v(self),
                    0x0117 => d.strip_lens = v(self),
                    0x0112 if first_dir => {
                        layout.orientation = e
                            .first(big)
                            .and_then(|o| Orientation::from_exif(u8::try_from(o).ok()?));
                    }
                    0x0201 => d.jpeg = e.first(big),
                    0x0202 => d.jpeg_len = e.first(big),
                    0x014A => {
                        // Only as many queued as could still be read.
                        for sub in v(self) {
                            if queue.len() + seen.len() < MAX_DIRS {
                                queue.push((u64::from(sub), false));
                            }
                        }
                    }
                    0x8769 if first_dir => {
                        if let Some(exif) = e.first(big) {
                            exif_size = self.exif_dir_size(big, u64::from(exif));
                        }
                    }
                    0xC620 => {
                        if let [w, h] = v(self)[..] {
                            d.crop = Some((w, h));
                        }
                    }
                    // RW2: the sensor's borders, and the full-size JPEG it carries whole.
                    0x0004..=0x0007 if rw2 && first_dir => {
                        d.borders[usize::from(e.tag - 4)] = e.first(big);
                    }
                    0x002E if rw2 && first_dir => {
                        d.jpeg = Some(e.offset(big));
                        d.jpeg_len = Some(e.count);
                    }
                    _ => {}
                }
            }
            if let (Some(at), Some(len)) = (d.jpeg, d.jpeg_len) {
                layout.jpegs.push((u64::from(at), u64::from(len)));
            }
            // A picture stored as one JPEG strip (a CR2's preview; the sensor data of some
            // RAWs is a lossless JPEG, which the reading passes over).
            let sensor = matches!(d.photometric, Some(32803 | 34892));
            if matches!(d.compression, Some(6 | 7))
                && !sensor
                && let ([at], [len]) = (&d.strips[..], &d.strip_lens[..])
            {
                layout.jpegs.push((u64::from(*at), u64::from(*len)));
            }
            let main = d.subfile.is_none_or(|s| s == 0);
            if main {
                crop = crop.or(d.crop);
                if let (Some(w), Some(h)) = (d.width, d.height)
                    && w > 0
                    && h > 0
                {
                    raw_sizes.push((w, h));
                }
            }
            if let [Some(top), Some(left), Some(bottom), Some(right)] = d.borders
                && right > left
                && bottom > top
            {
                crop = crop.or(Some((right - left, bottom - top)));
            }
            if chained && queue.len() + seen.len() < MAX_DIRS {
                queue.push((u64::from(dir.next), true));
            }
        }
        // The DNG's (or RW2's) crop is the picture; else the size EXIF records; else the
        // largest main image the directories describe.
        layout.size = crop.or(exif_size).or_else(|| {
            raw_sizes
                .into_iter()
                .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h))
        });
        layout
    }

    /// The entries of the directory at `at`, and where the next one is.
    fn dir(&mut self, big: bool, at: u64) -> Option<Directory> {
        let count = usize::from(u16_of(big, &self.bytes(at, 2)?));
        if count == 0 || count > MAX_ENTRIES {
            return None;
        }
        let body = self.bytes(at + 2, count as u64 * 12)?;
        let entries = body
            .chunks_exact(12)
            .map(|e| Entry {
                tag: u16_of(big, &e[0..2]),
                typ: u16_of(big, &e[2..4]),
                count: u32_of(big, &e[4..8]),
                value: [e[8], e[9], e[10], e[11]],
            })
            .collect();
        // A last directory at the very end of a file may lack the next one's offset.
        let next = self
            .bytes(at + 2 + count as u64 * 12, 4)
            .map_or(0, |b| u32_of(big, &b));
        Some(Directory { entries, next })
    }

    /// An entry's numbers (short, long, or rational rounded), at most a few hundred.
    fn values(&mut self, big: bool, e: &Entry) -> Vec<u32> {
        let width = match e.typ {
            3 => 2,
            4 | 13 => 4,
            5 => 8,
            _ => return Vec::new(),
        };
        let count = e.count.min(512) as u64;
        let len = count * width;
        let bytes = if len <= 4 {
            e.value[..len as usize].to_vec()
        } else {
            match self.bytes(u64::from(e.offset(big)), len) {
                Some(b) => b,
                None => return Vec::new(),
            }
        };
        bytes
            .chunks_exact(width as usize)
            .map(|c| match width {
                2 => u32::from(u16_of(big, c)),
                4 => u32_of(big, c),
                _ => {
                    // A rational, rounded (0 when it divides by zero).
                    let (n, d) = (
                        u64::from(u32_of(big, &c[..4])),
                        u64::from(u32_of(big, &c[4..])),
                    );
                    (n + d / 2)
                        .checked_div(d)
                        .and_then(|v| u32::try_from(v).ok())
                        .unwrap_or(0)
                }
            })
            .collect()
    }

    /// The picture size an EXIF directory records (`PixelXDimension`, `PixelYDimension`).
    fn exif_dir_size(&mut self, big: bool, at: u64) -> Option<(u32, u32)> {
        let dir = self.dir(big, at)?;
        let get = |tag| dir.entries.iter().find(|e| e.tag == tag)?.first(big);
        match (get(0xA002)?, get(0xA003)?) {
            (w, h) if w > 0 && h > 0 => Some((w, h)),
            _ => None,
        }
    }

    /// The largest whole JPEG of the file: those its directories name, else (none of them
    /// large enough) the largest found anywhere in it. Its bytes, width and height.
    fn largest_preview(&mut self, layout: &Layout) -> Option<(Vec<u8>, u32, u32)> {
        let mut best: Option<(Vec<u8>, u32, u32)> = None;
        let mut spans = layout.jpegs.clone();
        spans.sort_unstable();
        spans.dedup();
        for (at, len) in spans {
            if !(4..=MAX_PREVIEW).contains(&len) {
                continue;
            }
            let Some(bytes) = self.bytes(at, len) else {
                continue;
            };
            if let Some((end, w, h)) = jpeg_extent(&bytes, 0)
                && best.as_ref().is_none_or(|b| area(w, h) > area(b.1, b.2))
            {
                let mut bytes = bytes;
                bytes.truncate(end);
                best = Some((bytes, w, h));
            }
        }
        if best.as_ref().is_some_and(|b| b.1.max(b.2) >= ENOUGH) {
            return best;
        }
        let Some(whole) = self.whole() else {
            return best;
        };
        match largest_jpeg(whole) {
            Some((start, end, w, h))
                if best.as_ref().is_none_or(|b| area(w, h) > area(b.1, b.2)) =>
            {
                Some((whole[start..end].to_vec(), w, h))
            }
            _ => best,
        }
    }

    /// The RAW's metadata: its TIFF's (read from its first bytes when they hold it), a
    /// CR3's (in its `CMT1` and `CMT2` boxes), else that of the first JPEG inside carrying
    /// EXIF (a RAF's preview).
    fn exif(&mut self) -> Vec<exif::Exif> {
        if self.tiff_order().is_some() {
            let tiff = |mut bytes: Vec<u8>| {
                if bytes.len() < 8 {
                    return None;
                }
                // ORF ("IIRO", "IIRS", "MMOR") and RW2 ("IIU\0") are TIFF but for the number.
                if bytes.starts_with(b"II") {
                    bytes[2..4].copy_from_slice(&[0x2A, 0x00]);
                } else {
                    bytes[2..4].copy_from_slice(&[0x00, 0x2A]);
                }
                exif::Reader::new()
                    .continue_on_error(true)
                    .read_raw(bytes)
                    .or_else(|e| e.distill_partial_result(|_| {}))
                    .ok()
                    .filter(|e| e.fields().next().is_some())
            };
            let head = self.head.clone();
            let found = tiff(head).or_else(|| {
                self.beyond_head()
                    .then(|| self.whole().map(<[u8]>::to_vec))
                    .flatten()
                    .and_then(tiff)
            });
            return found.into_iter().collect();
        }
        // In the first bytes, where a CR3 and a RAF keep it; else anywhere.
        let found = exif_in(&self.head);
        if !found.is_empty() || !self.beyond_head() {
            return found;
        }
        self.whole().map(exif_in).unwrap_or_default()
    }
}

/// The metadata in a CR3's `CMT1` and `CMT2` boxes, else that of the first JPEG carrying
/// EXIF.
fn exif_in(bytes: &[u8]) -> Vec<exif::Exif> {
    let found: Vec<exif::Exif> = [b"CMT1", b"CMT2"]
        .iter()
        .filter_map(|tag| iso_box(bytes, tag))
        .filter_map(|tiff| exif::Reader::new().read_raw(tiff.to_vec()).ok())
        .collect();
    if !found.is_empty() {
        return found;
    }
    let mut jpegs = Jpegs::new(bytes);
    // An EXIF segment is read once, however many JPEG starts lead to it, and all of them
    // together no more than the bytes searched.
    let mut tried = std::collections::HashSet::new();
    let mut to_read = bytes.len();
    for start in jpeg_starts(bytes) {
        if jpegs.spent() {
            break;
        }
        let Some((from, to)) = jpegs.walk(start).exif else {
            continue;
        };
        if !tried.insert(from) {
            continue;
        }
        let Some(rest) = to_read.checked_sub(to - from) else {
            break;
        };
        to_read = rest;
        if let Ok(e) = exif::Reader::new().read_raw(bytes[from..to].to_vec()) {
            return vec![e];
        }
    }
    Vec::new()
}

#[derive(Default)]
struct Dir {
    subfile: Option<u32>,
    width: Option<u32>,
    height: Option<u32>,
    compression: Option<u32>,
    photometric: Option<u32>,
    strips: Vec<u32>,
    strip_lens: Vec<u32>,
    jpeg: Option<u32>,
    jpeg_len: Option<u32>,
    crop: Option<(u32, u32)>,
    /// RW2: top, left, bottom, right.
    borders: [Option<u32>; 4],
}

struct Directory {
    entries: Vec<Entry>,
    next: u32,
}

struct Entry {
    tag: u16,
    typ: u16,
    count: u32,
    value: [u8; 4],
}

impl Entry {
    /// The first number of a short or long entry held in the entry itself.
    fn first(&self, big: bool) -> Option<u32> {
        match self.typ {
            3 => Some(u32::from(u16_of(big, &self.value[..2]))),
            4 | 13 => Some(u32_of(big, &self.value)),
            _ => None,
        }
    }

    /// The entry's value read as an offset.
    fn offset(&self, big: bool) -> u32 {
        u32_of(big, &self.value)
    }
}

fn u16_of(big: bool, b: &[u8]) -> u16 {
    let b = [b[0], b[1]];
    if big {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    }
}

fn u32_of(big: bool, b: &[u8]) -> u32 {
    let b = [b[0], b[1], b[2], b[3]];
    if big {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    }
}

fn area(w: u32, h: u32) -> u64 {
    u64::from(w) * u64::from(h)
}

/// The picture size a CR3's or a RAF preview's metadata records.
fn exif_size(exif: &[exif::Exif]) -> Option<(u32, u32)> {
    let pairs = [
        (exif::Tag::PixelXDimension, exif::Tag::PixelYDimension),
        (exif::Tag::ImageWidth, exif::Tag::ImageLength),
    ];
    pairs.iter().find_map(|(x, y)| {
        exif.iter().find_map(|e| {
            let get = |tag| e.get_field(tag, exif::In::PRIMARY)?.value.get_uint(0);
            match (get(*x)?, get(*y)?) {
                (w, h) if w > 0 && h > 0 => Some((w, h)),
                _ => None,
            }
        })
    })
}

/// The orientation the first metadata found records (a CR3's `CMT1` box, a RAF preview's).
fn exif_orientation(exif: &[exif::Exif]) -> Option<Orientation> {
    let value = exif
        .first()?
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)?;
    Orientation::from_exif(u8::try_from(value).ok()?)
}

/// The content of the first ISO media box of type `tag` (searched for, not walked).
fn iso_box<'a>(bytes: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let at = bytes.windows(4).position(|w| w == tag)?;
    let size = bytes.get(at.checked_sub(4)?..at)?;
    let size = u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize;
    bytes.get(at + 4..(at - 4).checked_add(size)?)
}

/// The orientation in a JPEG's own EXIF (upright when none).
fn jpeg_orientation(jpeg: &[u8]) -> Orientation {
    exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(jpeg))
        .ok()
        .and_then(|e| {
            e.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
                .value
                .get_uint(0)
        })
        .and_then(|v| Orientation::from_exif(u8::try_from(v).ok()?))
        .unwrap_or(Orientation::NoTransforms)
}

/// The largest baseline or progressive JPEG inside `bytes`: its start, end, width and
/// height. A lossless JPEG (the sensor data of some RAWs) is not a preview and is passed
/// over; so is anything that does not parse as a whole JPEG.
fn largest_jpeg(bytes: &[u8]) -> Option<(usize, usize, u32, u32)> {
    let mut best: Option<(usize, usize, u32, u32)> = None;
    let mut jpegs = Jpegs::new(bytes);
    // A JPEG may hold another (an EXIF thumbnail), which may be the larger: every start is
    // tried.
    for at in jpeg_starts(bytes) {
        if jpegs.spent() {
            break;
        }
        if let Some((end, Some((w, h)))) = jpegs.walk(at).end
            && best.is_none_or(|(.., bw, bh)| area(w, h) > area(bw, bh))
        {
            best = Some((at, end, w, h));
        }
    }
    best
}

/// Where JPEGs may start in `bytes` (an SOI marker and the next marker's first byte), in
/// order.
fn jpeg_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .windows(3)
        .enumerate()
        .filter(|(_, w)| *w == [0xFF, 0xD8, 0xFF])
        .map(|(at, _)| at)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where the JPEG starting at `start` ends, and its size, if it is a whole baseline (or
/// extended, or progressive) JPEG.
fn jpeg_extent(bytes: &[u8], start: usize) -> Option<(usize, u32, u32)> {
    let (end, size) = Jpegs::new(bytes).walk(start).end?;
    let (w, h) = size?;
    Some((end, w, h))
}

/// The JPEGs in some bytes, walked marker by marker. The walk from a marker on does not
/// depend on where it started, so what each marker leads to is remembered: a search from
/// every JPEG start in the bytes walks each marker once, not once for each start before it
/// (overlapping JPEG starts made that take minutes for a quarter of a megabyte). The work
/// is bounded as well: at most a few times the bytes' length in all.
struct Jpegs<'a> {
    bytes: &'a [u8],
    /// What the walk from a marker's position found.
    walked: std::collections::HashMap<usize, Walk>,
    /// Markers and bytes of scan data this search may still walk.
    steps_left: usize,
}

/// What a walk from a marker to the end of its JPEG finds.
#[derive(Clone, Copy, Debug)]
struct Walk {
    /// Where the JPEG ends (just past its EOI marker) and the size its frame header gives;
    /// `None` when it is not a whole JPEG to be shown (damaged, cut short, lossless).
    end: Option<(usize, Option<(u32, u32)>)>,
    /// Where the TIFF of the first EXIF segment on the way starts and ends.
    exif: Option<(usize, usize)>,
}

impl Walk {
    const BROKEN: Walk = Walk {
        end: None,
        exif: None,
    };
}

/// One step of a walk: the marker at a position leads on to the next, or ends it.
enum Step {
    On {
        next: usize,
        /// A frame header's picture size.
        size: Option<(u32, u32)>,
        /// An EXIF segment's TIFF.
        exif: Option<(usize, usize)>,
    },
    Ends(Walk),
}

impl<'a> Jpegs<'a> {
    fn new(bytes: &'a [u8]) -> Jpegs<'a> {
        Jpegs {
            bytes,
            walked: std::collections::HashMap::new(),
            steps_left: bytes.len().saturating_mul(4).saturating_add(1 << 16),
        }
    }

    /// Whether this search has done all the work it may.
    fn spent(&self) -> bool {
        self.steps_left == 0
    }

    /// What the JPEG starting at `start` (its SOI marker) holds.
    fn walk(&mut self, start: usize) -> Walk {
        if self.bytes.get(start..start.saturating_add(2)) != Some(&[0xFF, 0xD8][..]) {
            return Walk::BROKEN;
        }
        let mut path = Vec::new();
        let mut at = start + 2;
        let mut walk = loop {
            if let Some(walk) = self.walked.get(&at) {
                break *walk;
            }
            if self.steps_left == 0 || path.len() >= MAX_SEGMENTS {
                break Walk::BROKEN;
            }
            self.steps_left -= 1;
            match self.step(at) {
                Step::Ends(walk) => {
                    self.remember(at, walk);
                    break walk;
                }
                Step::On { next, size, exif } => {
                    path.push((at, size, exif));
                    at = next;
                }
            }
        };
        // Back from the end: the last frame header on the way gives the size, the first
        // EXIF segment the metadata.
        for (at, size, exif) in path.into_iter().rev() {
            walk = Walk {
                end: walk.end.map(|(end, later)| (end, later.or(size))),
                exif: exif.or(walk.exif),
            };
            self.remember(at, walk);
        }
        walk
    }

    fn remember(&mut self, at: usize, walk: Walk) {
        if self.walked.len() < MAX_REMEMBERED {
            self.walked.insert(at, walk);
        }
    }

    /// The marker at `at`, and where the next one is.
    fn step(&mut self, mut at: usize) -> Step {
        let bytes = self.bytes;
        let broken = Step::Ends(Walk::BROKEN);
        if bytes.get(at) != Some(&0xFF) {
            return broken;
        }
        // Fill bytes before the marker.
        while bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
            self.steps_left = self.steps_left.saturating_sub(1);
        }
        let Some(&marker) = bytes.get(at + 1) else {
            return broken;
        };
        let on = |next| Step::On {
            next,
            size: None,
            exif: None,
        };
        match marker {
            0xD9 => Step::Ends(Walk {
                end: Some((at + 2, None)),
                exif: None,
            }),
            // A second start, or no marker at all.
            0xD8 | 0x00 => broken,
            0xD0..=0xD7 | 0x01 => on(at + 2),
            _ => {
                let Some(len) = bytes
                    .get(at + 2..at + 4)
                    .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                else {
                    return broken;
                };
                if len < 2 {
                    return broken;
                }
                let Some(segment) = bytes.get(at + 4..at + 2 + len) else {
                    return broken;
                };
                let mut size = None;
                let mut exif = None;
                match marker {
                    // Baseline, extended, progressive.
                    0xC0..=0xC2 => {
                        let [_, h1, h2, w1, w2, ..] = *segment else {
                            return broken;
                        };
                        let h = u32::from(u16::from_be_bytes([h1, h2]));
                        let w = u32::from(u16::from_be_bytes([w1, w2]));
                        if w == 0 || h == 0 {
                            return broken;
                        }
                        size = Some((w, h));
                    }
                    // Lossless, hierarchical, arithmetic: not a preview.
                    0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return broken,
                    0xE1 if segment.starts_with(b"Exif\0\0") => {
                        exif = Some((at + 10, at + 2 + len));
                    }
                    _ => {}
                }
                let mut next = at + 2 + len;
                if marker == 0xDA {
                    // Entropy-coded data: up to the next marker that is not a stuffed byte
                    // or a restart.
                    loop {
                        let Some(i) = bytes
                            .get(next..)
                            .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
                        else {
                            return broken;
                        };
                        self.steps_left = self.steps_left.saturating_sub(i);
                        next += i;
                        match bytes.get(next + 1) {
                            Some(0x00 | 0xD0..=0xD7 | 0xFF) => next += 1,
                            Some(_) => break,
                            None => return broken,
                        }
                    }
                }
                Step::On { next, size, exif }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk from `start` taken afresh, marker by marker, as the search did before it
    /// remembered anything: where the JPEG ends with the size of its last frame header, and
    /// the first EXIF segment on the way.
    fn walked_afresh(bytes: &[u8], start: usize) -> Walk {
        let mut jpegs = Jpegs::new(bytes);
        if bytes.get(start..start + 2) != Some(&[0xFF, 0xD8][..]) {
            return Walk::BROKEN;
        }
        let (mut at, mut size, mut exif) = (start + 2, None, None);
        loop {
            match jpegs.step(at) {
                Step::Ends(walk) => {
                    return Walk {
                        end: walk.end.map(|(end, _)| (end, size)),
                        exif: exif.or(walk.exif),
                    };
                }
                Step::On {
                    next,
                    size: s,
                    exif: e,
                } => {
                    size = s.or(size);
                    exif = exif.or(e);
                    at = next;
                }
            }
        }
    }

    /// Bytes made of pieces of JPEGs in an order given by `seed`: starts, EXIF segments,
    /// frame headers, scans, ends, fill and noise, overlapping as a fuzzer makes them.
    fn jumble(seed: u32, pieces: usize) -> Vec<u8> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            state >> 16
        };
        let mut out = Vec::new();
        for _ in 0..pieces {
            match next() % 9 {
                0 => out.extend([0xFF, 0xD8]),
                1 => out.extend(b"\xFF\xE1\x00\x10Exif\0\0II*\0\x08\0\0\0"),
                2 => out.extend([0xFF, 0xE1, 0x00, 0x04]),
                3 => {
                    let (w, h) = ((next() % 3000) as u16, (next() % 2000) as u16);
                    out.extend([0xFF, 0xC0, 0x00, 0x0B, 0x08]);
                    out.extend(h.to_be_bytes());
                    out.extend(w.to_be_bytes());
                    out.extend([0x01, 0x01, 0x11, 0x00]);
                }
                4 => out.extend([0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3]),
                5 => out.extend([0xFF, 0xD9]),
                6 => out.extend([0xFF, 0xFF]),
                7 => out.extend([0xFF, 0xC3, 0x00, 0x02]),
                _ => out.push(next() as u8),
            }
        }
        out
    }

    #[test]
    fn a_remembered_walk_finds_what_walking_afresh_from_each_start_finds() {
        let (mut whole, mut with_exif) = (0, 0);
        for seed in 0..200 {
            let bytes = jumble(seed, 300);
            let mut jpegs = Jpegs::new(&bytes);
            for start in jpeg_starts(&bytes) {
                let (got, want) = (jpegs.walk(start), walked_afresh(&bytes, start));
                assert_eq!(got.end, want.end, "seed {seed}, start {start}");
                assert_eq!(got.exif, want.exif, "seed {seed}, start {start}");
                whole += usize::from(matches!(got.end, Some((_, Some(_)))));
                with_exif += usize::from(got.exif.is_some());
            }
        }
        // The jumbles hold whole JPEGs and EXIF segments, not only damage.
        assert!(
            whole > 100 && with_exif > 100,
            "{whole} whole, {with_exif} EXIF"
        );
    }

    #[test]
    fn the_largest_jpeg_may_be_inside_another() {
        // A 16×8 JPEG whose EXIF segment carries a 640×480 one (as a preview may carry a
        // thumbnail, here the other way round).
        let inner: &[u8] = &[
            0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x01, 0x01, 0x11,
            0x00, 0xFF, 0xD9,
        ];
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(inner);
        let mut outer = vec![0xFF, 0xD8, 0xFF, 0xE1];
        outer.extend(((app1.len() + 2) as u16).to_be_bytes());
        outer.extend(&app1);
        outer.extend([
            0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00,
        ]);
        outer.extend([0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]);
        let inner_at = 4 + 2 + 6;
        assert_eq!(
            largest_jpeg(&outer),
            Some((inner_at, inner_at + inner.len(), 640, 480))
        );
        assert_eq!(jpeg_extent(&outer, 0), Some((outer.len(), 16, 8)));
    }

    #[test]
    fn overlapping_jpeg_starts_are_searched_in_linear_time() {
        // A RAF's first bytes of FF D8 FF E1 00 04 over and over: every start walked to
        // the end of them made a quarter of a megabyte take minutes.
        let mut bytes = b"FUJIFILMCCD-RAW ".to_vec();
        bytes.resize(100, 0);
        while bytes.len() < 1 << 20 {
            bytes.extend([0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x04]);
        }
        let mut jpegs = Jpegs::new(&bytes);
        let starts = jpeg_starts(&bytes).count();
        for start in jpeg_starts(&bytes) {
            jpegs.walk(start);
        }
        // Each marker walked about once: a step per start, give or take the cut-off.
        let steps = bytes.len() * 4 + (1 << 16) - jpegs.steps_left;
        assert!(steps <= 2 * starts, "{steps} steps for {starts} starts");
        assert_eq!(largest_jpeg(&bytes), None);
        assert!(exif_in(&bytes).is_empty());
    }
}
