//! The progressive-JPEG scan cutter on its own (`dc_scans_only`): Shoebox's reading of a
//! JPEG's markers, segments and entropy-coded scans, without libjpeg's decode after it,
//! so it runs as many inputs a second as the reading allows (`jpeg_scans` drives it with
//! the decode).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(cut) = shoebox::thumbs::dc_scans_only(data) {
        // Only the input's own bytes, never more of them; a whole JPEG, which cut again
        // stays as it is (every scan left is one a 1/8 decode uses).
        assert!(cut.len() <= data.len());
        assert!(cut.starts_with(&[0xFF, 0xD8]) && cut.ends_with(&[0xFF, 0xD9]));
        assert_eq!(shoebox::thumbs::dc_scans_only(&cut).as_deref(), Some(&cut[..]));
    }
});
