//! XMP packets as import reads them from sidecars (and, later, from inside pictures):
//! rating, flag, label and keywords, with roxmltree under Shoebox's bounds. And the same
//! packets written back into: what is written must read back as written.
#![no_main]

use shoebox::library::{Flag, Label, Rating};
use shoebox::media::xmp::{self, XmpWrite};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(facts) = xmp::parse(data) {
        for k in &facts.keywords {
            assert!(!k.path().is_empty());
        }
        let keywords = vec!["Places|Porto".to_string()];
        let mine = XmpWrite {
            rating: Rating::new(3).unwrap_or_default(),
            flag: Flag::Pick,
            label: Some(Label::Blue),
            keywords: &keywords,
        };
        if let Ok(written) = xmp::write_packet(Some(data), &mine) {
            let back = xmp::parse(written.as_bytes()).expect("what is written parses");
            assert_eq!(back.rating, Rating::new(3));
            assert_eq!(back.label, Some(Label::Blue));
        }
    }
});
