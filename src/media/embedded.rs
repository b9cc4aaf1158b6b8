//! The XMP packet a picture carries inside it: a JPEG's APP1 segment, a TIFF's tag 700
//! (TIFF, DNG and the RAW formats built on TIFF), a HEIF/AVIF file's item of type `mime`
//! holding `application/rdf+xml`.
//!
//! The file is untrusted input: only the structures on the way to the packet are read —
//! the segment headers of a JPEG's first [`MAX_XMP_BYTES`], at most [`MAX_IFD_ENTRIES`]
//! entries of the first TIFF directory, [`MAX_TOP_BOXES`] top-level boxes, a `meta` box of
//! at most [`MAX_META_BYTES`], [`MAX_ITEMS`] items — each length checked against the file
//! before anything is allocated, and a packet of at most [`MAX_XMP_BYTES`]. Whatever does
//! not fit is no packet (`None`), never a long read.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::xmp::MAX_XMP_BYTES;

/// The most entries of a TIFF directory looked at.
pub const MAX_IFD_ENTRIES: u16 = 1024;
/// The most top-level boxes of a HEIF file passed on the way to its `meta` box.
pub const MAX_TOP_BOXES: u32 = 64;
/// The largest `meta` box read.
pub const MAX_META_BYTES: u64 = 4 << 20;
/// The most items (and extents of one item) of a `meta` box looked at.
pub const MAX_ITEMS: u32 = 4096;

/// The XMP packet inside the picture at `path`, if it has one.
pub fn packet(path: &Path) -> Option<Vec<u8>> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    packet_in(&mut file, len)
}

/// The XMP packet of a JPEG, TIFF or HEIF file read from `file`, `len` bytes long (read
/// from its start, wherever `file` stands).
pub fn packet_in<R: Read + Seek>(file: &mut R, len: u64) -> Option<Vec<u8>> {
    let mut magic = [0u8; 12];
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_exact(&mut magic).ok()?;
    match &magic[..4] {
        [0xFF, 0xD8, ..] => jpeg_packet(file, len),
        b"II*\0" | b"MM\0*" => tiff_packet(file, len, magic[0] == b'I'),
        _ if &magic[4..8] == b"ftyp" => heif_packet(file, len),
        _ => None,
    }
}

/// A JPEG's APP1 segment named `http://ns.adobe.com/xap/1.0/`, looked for among the
/// segments before the picture data in its first [`MAX_XMP_BYTES`]. Only the segments'
/// headers are read on the way (a photo's picture data and its EXIF thumbnail are passed
/// over, not read).
fn jpeg_packet<R: Read + Seek>(file: &mut R, len: u64) -> Option<Vec<u8>> {
    const NAME: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    let end = len.min(MAX_XMP_BYTES);
    // Buffered: fill bytes and small segments cost no call to the system each.
    let mut file = BufReader::with_capacity(16 * 1024, file);
    file.seek(SeekFrom::Start(2)).ok()?;
    let mut at = 2u64;
    // Each segment: FF, its marker, a 16-bit length that counts itself.
    while at + 4 <= end {
        let mut head = [0u8; 4];
        file.read_exact(&mut head).ok()?;
        if head[0] != 0xFF {
            return None;
        }
        let marker = head[1];
        if marker == 0xFF {
            // A fill byte.
            at += 1;
            file.seek_relative(-3).ok()?;
            continue;
        }
        // The picture data begins (SOS) or the file ends (EOI): no packet before it.
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let size = u64::from(u16::from_be_bytes([head[2], head[3]]));
        if size < 2 || at + 2 + size > end {
            return None;
        }
        let body_len = size - 2;
        if marker == 0xE1 && body_len >= NAME.len() as u64 {
            let mut body = vec![0u8; usize::try_from(body_len).ok()?];
            file.read_exact(&mut body).ok()?;
            if let Some(packet) = body.strip_prefix(NAME) {
                return Some(packet.to_vec());
            }
        } else {
            file.seek_relative(i64::try_from(body_len).ok()?).ok()?;
        }
        at += 2 + size;
    }
    None
}

/// Reads `n` bytes at `at`, when they lie inside the file (checked before allocating).
fn read_at<R: Read + Seek>(file: &mut R, len: u64, at: u64, n: u64) -> Option<Vec<u8>> {
    if at.checked_add(n)? > len {
        return None;
    }
    let mut buf = vec![0u8; usize::try_from(n).ok()?];
    file.seek(SeekFrom::Start(at)).ok()?;
    file.read_exact(&mut buf).ok()?;
    Some(buf)
}

/// Tag 700 (XMLPacket) of the first directory.
fn tiff_packet<R: Read + Seek>(file: &mut R, len: u64, little: bool) -> Option<Vec<u8>> {
    let u16_of = |b: &[u8]| {
        let b = [b[0], b[1]];
        if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let u32_of = |b: &[u8]| {
        let b = [b[0], b[1], b[2], b[3]];
        if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let head = read_at(file, len, 0, 8)?;
    let ifd = u64::from(u32_of(&head[4..8]));
    let count = u16_of(&read_at(file, len, ifd, 2)?).min(MAX_IFD_ENTRIES);
    let entries = read_at(file, len, ifd + 2, u64::from(count) * 12)?;
    for entry in entries.chunks_exact(12) {
        let (tag, kind) = (u16_of(&entry[0..2]), u16_of(&entry[2..4]));
        // BYTE or UNDEFINED: the count is the packet's length in bytes.
        if tag != 700 || !matches!(kind, 1 | 7) {
            continue;
        }
        let n = u64::from(u32_of(&entry[4..8]));
        if n > MAX_XMP_BYTES {
            return None;
        }
        if n <= 4 {
            return Some(entry[8..8 + n as usize].to_vec());
        }
        return read_at(file, len, u64::from(u32_of(&entry[8..12])), n);
    }
    None
}

/// A box's body, read from a byte slice: its type, and what it holds.
struct Boxes<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Boxes<'a> {
    type Item = ([u8; 4], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let head = self.rest.get(..8)?;
        let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = [head[4], head[5], head[6], head[7]];
        let (size, header) = match size {
            // The last box: to the end.
            0 => (self.rest.len(), 8),
            1 => {
                let big = u64::from_be_bytes(self.rest.get(8..16)?.try_into().ok()?);
                (usize::try_from(big).ok()?, 16)
            }
            n => (n, 8),
        };
        if size < header || size > self.rest.len() {
            self.rest = &[];
            return None;
        }
        let body = &self.rest[header..size];
        self.rest = &self.rest[size..];
        Some((kind, body))
    }
}

/// A cursor over a box's fields.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    /// A big-endian number of `n` bytes (0, 2, 4 or 8).
    fn uint(&mut self, n: usize) -> Option<u64> {
        let bytes = self.take(n)?;
        Some(bytes.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)))
    }

    /// A NUL-terminated string.
    fn text(&mut self) -> Option<&'a [u8]> {
        let end = self.rest.iter().position(|b| *b == 0)?;
        let text = &self.rest[..end];
        self.rest = &self.rest[end + 1..];
        Some(text)
    }
}

/// The `meta` box's item of type `mime` holding `application/rdf+xml`, where its extents
/// say it is in the file.
fn heif_packet<R: Read + Seek>(file: &mut R, len: u64) -> Option<Vec<u8>> {
    let meta = heif_meta(file, len)?;
    // meta is a full box: version and flags, then its boxes.
    let boxes = Boxes {
        rest: meta.get(4..)?,
    };
    let (mut iinf, mut iloc) = (None, None);
    for (kind, body) in boxes {
        match &kind {
            b"iinf" => iinf = Some(body),
            b"iloc" => iloc = Some(body),
            _ => {}
        }
    }
    let item = xmp_item(iinf?)?;
    let mut packet = Vec::new();
    for (offset, length) in item_extents(iloc?, item)? {
        if packet.len() as u64 + length > MAX_XMP_BYTES {
            return None;
        }
        packet.extend(read_at(file, len, offset, length)?);
    }
    (!packet.is_empty()).then_some(packet)
}

/// The body of the file's top-level `meta` box.
fn heif_meta<R: Read + Seek>(file: &mut R, len: u64) -> Option<Vec<u8>> {
    let mut at = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        let head = read_at(file, len, at, 8)?;
        let (size, header) = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            0 => (len - at, 8),
            1 => (
                u64::from_be_bytes(read_at(file, len, at + 8, 8)?.try_into().ok()?),
                16,
            ),
            n => (u64::from(n), 8),
        };
        if size < header || at.checked_add(size)? > len {
            return None;
        }
        if &head[4..8] == b"meta" {
            if size - header > MAX_META_BYTES {
                return None;
            }
            return read_at(file, len, at + header, size - header);
        }
        at += size;
    }
    None
}

/// The id of the item holding XMP, from the `iinf` box.
fn xmp_item(iinf: &[u8]) -> Option<u32> {
    let mut f = Fields { rest: iinf };
    let version = f.uint(4)? >> 24;
    f.uint(if version == 0 { 2 } else { 4 })?;
    let boxes = Boxes { rest: f.rest };
    for (kind, body) in boxes.take(MAX_ITEMS as usize) {
        if &kind != b"infe" {
            continue;
        }
        let mut e = Fields { rest: body };
        let version = e.uint(4)? >> 24;
        if version < 2 {
            continue;
        }
        let id = e.uint(if version == 2 { 2 } else { 4 })?;
        e.uint(2)?; // protection index
        let item_type = e.take(4)?;
        e.text()?; // name
        if item_type == b"mime" && e.text()? == b"application/rdf+xml" {
            return u32::try_from(id).ok();
        }
    }
    None
}

/// Where `item`'s bytes are in the file, from the `iloc` box: (offset, length) of each
/// extent. Only items stored in the file itself (construction method 0).
fn item_extents(iloc: &[u8], item: u32) -> Option<Vec<(u64, u64)>> {
    let mut f = Fields { rest: iloc };
    let version = f.uint(4)? >> 24;
    let sizes = f.uint(2)?;
    let offset_size = ((sizes >> 12) & 0xF) as usize;
    let length_size = ((sizes >> 8) & 0xF) as usize;
    let base_size = ((sizes >> 4) & 0xF) as usize;
    let index_size = if version == 1 || version == 2 {
        (sizes & 0xF) as usize
    } else {
        0
    };
    if [offset_size, length_size, base_size, index_size]
        .iter()
        .any(|n| !matches!(n, 0 | 4 | 8))
    {
        return None;
    }
    let count = f.uint(if version < 2 { 2 } else { 4 })?;
    for _ in 0..count.min(u64::from(MAX_ITEMS)) {
        let id = f.uint(if version < 2 { 2 } else { 4 })?;
        let method = if version == 1 || version == 2 {
            f.uint(2)? & 0xF
        } else {
            0
        };
        f.uint(2)?; // data reference index
        let base = f.uint(base_size)?;
        let extents = f.uint(2)?;
        let mut found = Vec::new();
        for _ in 0..extents.min(u64::from(MAX_ITEMS)) {
            f.uint(index_size)?;
            let offset = f.uint(offset_size)?;
            let length = f.uint(length_size)?;
            found.push((base.checked_add(offset)?, length));
        }
        if id == u64::from(item) {
            return (method == 0).then_some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACKET: &[u8] = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>";

    fn tiff(little: bool, packet: &[u8]) -> Vec<u8> {
        let u16b = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let u32b = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let mut t = Vec::new();
        t.extend(if little { b"II*\0" } else { b"MM\0*" });
        t.extend(u32b(8));
        t.extend(u16b(2));
        // An entry before it (ImageWidth), then XMLPacket.
        t.extend(u16b(256));
        t.extend(u16b(3));
        t.extend(u32b(1));
        t.extend(u32b(640));
        t.extend(u16b(700));
        t.extend(u16b(1));
        t.extend(u32b(packet.len() as u32));
        t.extend(u32b(8 + 2 + 24 + 4));
        t.extend(u32b(0));
        t.extend(packet);
        t
    }

    /// A JPEG of `segments` (marker, body), then the picture data.
    fn jpeg(segments: &[(u8, &[u8])]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        for (marker, body) in segments {
            j.extend([0xFF, *marker]);
            j.extend(((body.len() + 2) as u16).to_be_bytes());
            j.extend(*body);
        }
        j.extend([0xFF, 0xDA, 0, 2, 1, 2, 3]);
        j
    }

    fn xmp_body(packet: &[u8]) -> Vec<u8> {
        [&b"http://ns.adobe.com/xap/1.0/\0"[..], packet].concat()
    }

    #[test]
    fn a_jpegs_packet_is_found_past_other_segments_and_fill_bytes() {
        let exif = [&b"Exif\0\0"[..], &[7u8; 40_000]].concat();
        let mut j = jpeg(&[(0xE0, b"JFIF\0"), (0xE1, &exif), (0xE1, &xmp_body(PACKET))]);
        // Fill bytes before the last segment.
        let last = j.len() - 7 - (4 + 29 + PACKET.len());
        j.splice(last..last, [0xFF, 0xFF, 0xFF]);
        let len = j.len() as u64;
        assert_eq!(
            packet_in(&mut std::io::Cursor::new(j), len).as_deref(),
            Some(PACKET)
        );
    }

    #[test]
    fn a_jpegs_packet_after_its_picture_data_or_past_its_end_is_none() {
        let mut after = jpeg(&[(0xE0, b"JFIF\0")]);
        after.extend([0xFF, 0xE1, 0, (2 + 29 + PACKET.len()) as u8]);
        after.extend(xmp_body(PACKET));
        let len = after.len() as u64;
        assert_eq!(packet_in(&mut std::io::Cursor::new(after), len), None);
        let mut cut = jpeg(&[(0xE1, &xmp_body(PACKET))]);
        cut.truncate(cut.len() - 7 - 5);
        let len = cut.len() as u64;
        assert_eq!(packet_in(&mut std::io::Cursor::new(cut), len), None);
    }

    #[test]
    fn a_tiffs_packet_is_read_in_either_byte_order() {
        for little in [true, false] {
            let t = tiff(little, PACKET);
            let len = t.len() as u64;
            let got = packet_in(&mut std::io::Cursor::new(t), len);
            assert_eq!(got.as_deref(), Some(PACKET), "little: {little}");
        }
    }

    #[test]
    fn a_packet_said_to_be_past_the_end_or_too_large_is_none() {
        let mut t = tiff(true, PACKET);
        t.truncate(t.len() - 5);
        let len = t.len() as u64;
        assert_eq!(packet_in(&mut std::io::Cursor::new(t), len), None);
        // A count of 4 GB is refused before any allocation.
        let mut t = tiff(true, PACKET);
        t[8 + 2 + 12 + 4..8 + 2 + 12 + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        let len = t.len() as u64;
        assert_eq!(packet_in(&mut std::io::Cursor::new(t), len), None);
    }
}
