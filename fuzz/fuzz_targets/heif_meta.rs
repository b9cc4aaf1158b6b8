//! HEIF/AVIF files as import reads them: their EXIF, then the top-level boxes to the
//! `meta` box and the image sizes and rotations in it.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::as_file("input.heic", data);
    let _ = shoebox::media::probe::read_meta(&path, shoebox::media::Kind::Image);
});
