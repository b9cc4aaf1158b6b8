//! Import's probe, as it runs in the app's own process: the input's first byte picks the
//! extension it is read as, the rest is the file.
#![no_main]

mod common;

const EXTENSIONS: [&str; 12] = [
    "jpg", "png", "tif", "heic", "avif", "psd", "svg", "cr2", "cr3", "raf", "nef", "orf",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let ext = EXTENSIONS[usize::from(pick) % EXTENSIONS.len()];
    let path = common::as_file(&format!("input.{ext}"), file);
    let _ = shoebox::media::probe::read_meta(&path, shoebox::media::Kind::Image);
});
