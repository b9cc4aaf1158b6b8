//! What a file says about itself, read from its bytes: no database, no window. Its readers
//! take untrusted input and are bounded in what they read and keep.
//!
//! - [`xmp`]: XMP packets (sidecars and embedded), for what other tools gave a picture —
//!   its rating, flag, colour label and keywords.
//! - [`embedded`]: where a picture keeps its XMP packet (JPEG, TIFF and DNG, HEIF).
//! - [`marks`]: a rating, a flag, a colour label and keywords, as values.
//! - [`probe`]: a file's kind, size, date and camera, as import reads them; [`raw`] the
//!   RAW formats' own structures; [`formats`] the other formats Shoebox reads itself
//!   (PSD, SVG) or through installed programs (HEIF, PDF); [`panics`] keeps a decoder's
//!   panic quiet.

pub mod embedded;
pub mod formats;
pub mod marks;
pub mod panics;
pub mod probe;
pub mod raw;
pub mod xmp;

use serde::Serialize;

/// Images larger than this (either edge) are refused.
pub const MAX_EDGE: u32 = 20_000;
/// Most memory one decode may allocate.
pub const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// Splits `IMG_1.jpg` into (`IMG_1`, Some(`jpg`)); a leading dot is not an extension.
pub fn split_ext(name: &str) -> (&str, Option<&str>) {
    match name.rfind('.') {
        Some(i) if i > 0 && i + 1 < name.len() => (&name[..i], Some(&name[i + 1..])),
        _ => (name, None),
    }
}

/// What kind of media an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Image,
    Video,
    Audio,
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Video => "video",
            Kind::Audio => "audio",
            Kind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Kind {
        match s {
            "image" => Kind::Image,
            "video" => Kind::Video,
            "audio" => Kind::Audio,
            _ => Kind::Other,
        }
    }
}
