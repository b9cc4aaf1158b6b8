//! SVG drawings: their size, as import reads it (usvg's panics are caught inside, quietly;
//! one that escapes is a crash here).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::as_file("input.svg", data);
    let _ = shoebox::thumbs::formats::svg_dimensions(&path);
});
