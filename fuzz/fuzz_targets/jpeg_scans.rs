//! JPEGs on the in-process thumbnail path: libjpeg at a reduced scale, and for a
//! progressive one the scan cutter that keeps only what a 1/8-scale decode uses (a picture
//! of 64 pixels or more asked at 8 pixels is decoded at 1/8).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::as_file("input.jpg", data);
    let tools = shoebox::thumbs::formats::Tools::default();
    let _ = shoebox::thumbs::render(&path, shoebox::library::Kind::Image, 8, tools);
});
