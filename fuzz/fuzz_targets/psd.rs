//! Photoshop files: the composite image's reader.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::as_file("input.psd", data);
    let _ = shoebox::media::formats::psd_dimensions(&path);
    let _ = shoebox::media::formats::psd_composite(&path);
});
