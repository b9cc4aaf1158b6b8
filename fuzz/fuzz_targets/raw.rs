//! RAW files: TIFF directories, CR3 boxes, the RAF header and the search for JPEGs, as
//! import reads them (`raw::meta`) and as a preview does (`raw::preview`).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::as_file("input.raw", data);
    let _ = shoebox::media::raw::meta(&path);
    let _ = shoebox::media::raw::preview(&path);
});
