//! JPEGs on the in-process thumbnail path's fast path: libjpeg at a reduced scale, and for
//! a progressive one the scan cutter that keeps only what a 1/8-scale decode uses (a
//! picture of 64 pixels or more asked at 8 pixels is decoded at 1/8). What libjpeg refuses
//! goes on to the `image` crate's decoders in the app; they are not Shoebox's, and a tiny
//! file stating 4000×3000 pixels costs them a whole decode, a few inputs a second here.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(Some(picture)) =
        shoebox::media::panics::quietly(|| shoebox::thumbs::scaled_jpeg(data, 8))
    {
        assert!(picture.width() <= 20_000 && picture.height() <= 20_000);
    }
});
