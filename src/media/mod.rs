//! What a file says about itself, read from its bytes: no database, no window. Its readers
//! take untrusted input and are bounded in what they read and keep.
//!
//! - [`xmp`]: XMP packets (sidecars and embedded), for what other tools gave a picture —
//!   its rating, flag, colour label and keywords.
//! - [`embedded`]: where a picture keeps its XMP packet (JPEG, TIFF and DNG, HEIF).

pub mod embedded;
pub mod xmp;
