//! XMP packets as import reads them from sidecars (and, later, from inside pictures):
//! rating, flag, label and keywords, with roxmltree under Shoebox's bounds.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(facts) = shoebox::media::xmp::parse(data) {
        for k in &facts.keywords {
            assert!(!k.path().is_empty());
        }
    }
});
