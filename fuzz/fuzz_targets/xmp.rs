//! XMP packets as import reads them from sidecars and from inside pictures (a TIFF's tag
//! 700, a HEIF file's `mime` item): rating, flag, label and keywords, with roxmltree under
//! Shoebox's bounds. And the same packets written back into: what is written must read
//! back as written.
#![no_main]

use shoebox::media::marks::{Flag, Label, Rating};
use shoebox::media::embedded;
use shoebox::media::xmp::{self, XmpWrite};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The input as a picture carrying a packet, then as a packet.
    let len = data.len() as u64;
    if let Some(packet) = embedded::packet_in(&mut std::io::Cursor::new(data), len) {
        assert!(packet.len() as u64 <= xmp::MAX_XMP_BYTES);
        let _ = xmp::parse(&packet);
    }
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
