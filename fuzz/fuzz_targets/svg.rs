//! SVG drawings: their size, as import reads it from the root element (roxmltree and
//! svgtypes; the drawing itself is only parsed by usvg in a thumbnail helper).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::as_file("input.svg", data);
    let _ = shoebox::media::formats::svg_dimensions(&path);
});
