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

/// Why a file gives no picture; each carries the words for the user (what to install,
/// what is wrong). The window's tile says which kind in a word or two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoPicture {
    /// The file is not on disk.
    Missing(String),
    /// The file's folder or drive is not there (a drive taken away).
    Offline(String),
    /// Nothing is wrong with the file: this computer lacks the program its format needs,
    /// the format holds no picture of its own (a RAW without a preview), or the picture
    /// is of a kind, depth or size Shoebox does not draw.
    NoPreview(String),
    /// The file could not be read as the picture it says it is (damaged, cut short), or
    /// the program that reads it failed on it.
    Unreadable(String),
}

impl NoPicture {
    /// The words for the user.
    pub fn reason(&self) -> &str {
        match self {
            NoPicture::Missing(r)
            | NoPicture::Offline(r)
            | NoPicture::NoPreview(r)
            | NoPicture::Unreadable(r) => r,
        }
    }
}

impl NoPicture {
    /// One word for the kind, as a failure remembered on disk names it.
    pub fn tag(&self) -> &'static str {
        match self {
            NoPicture::Missing(_) => "missing",
            NoPicture::Offline(_) => "offline",
            NoPicture::NoPreview(_) => "no-preview",
            NoPicture::Unreadable(_) => "unreadable",
        }
    }

    /// The kind [`NoPicture::tag`] names, with its words; `None` for another word.
    pub fn from_tag(tag: &str, reason: String) -> Option<NoPicture> {
        Some(match tag {
            "missing" => NoPicture::Missing(reason),
            "offline" => NoPicture::Offline(reason),
            "no-preview" => NoPicture::NoPreview(reason),
            "unreadable" => NoPicture::Unreadable(reason),
            _ => return None,
        })
    }
}

impl std::fmt::Display for NoPicture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason())
    }
}

/// A reader's error text, where nothing says otherwise, is a file it could not read.
impl From<String> for NoPicture {
    fn from(reason: String) -> Self {
        NoPicture::Unreadable(reason)
    }
}

impl From<&str> for NoPicture {
    fn from(reason: &str) -> Self {
        NoPicture::Unreadable(reason.to_string())
    }
}

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
