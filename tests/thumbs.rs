//! The thumbnail service with decoding isolated in helper processes (the real binary).

use std::sync::Arc;
use std::time::{Duration, Instant};

use shoebox::library::Kind;

use crate::common;
use shoebox::thumbs::{Isolation, Output, Request, THUMB_PX, ThumbService};

fn wait_for(service: &mut ThumbService, n: usize) -> Vec<Output> {
    let mut got = Vec::new();
    let start = Instant::now();
    while got.len() < n && start.elapsed() < Duration::from_secs(30) {
        got.extend(service.poll());
        std::thread::sleep(Duration::from_millis(10));
    }
    got
}

#[test]
fn thumbnails_are_made_in_a_helper_and_failures_are_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("thumbs");
    std::fs::create_dir_all(&cache).unwrap();
    let good = dir.path().join("good.png");
    image::RgbImage::from_pixel(600, 300, image::Rgb([10, 200, 90]))
        .save(&good)
        .unwrap();
    let bad = dir.path().join("bad.jpg");
    std::fs::write(&bad, b"not a jpeg at all").unwrap();
    let helper = Isolation::Helper(env!("CARGO_BIN_EXE_shoebox").into());
    let mut service = ThumbService::start(cache.clone(), 2, helper, Arc::new(|| {}));
    service.request(Request {
        key: "good".into(),
        path: good,
        kind: Kind::Image,
        size: THUMB_PX,
    });
    service.request(Request {
        key: "bad".into(),
        path: bad.clone(),
        kind: Kind::Image,
        size: THUMB_PX,
    });
    let outputs = wait_for(&mut service, 2);
    assert_eq!(outputs.len(), 2, "both answered");
    for out in outputs {
        match out {
            Output::Ready {
                key,
                width,
                height,
                rgba,
                ..
            } => {
                assert_eq!(key, "good");
                assert_eq!((width, height), (256, 128));
                assert_eq!(rgba.len(), 256 * 128 * 4);
            }
            Output::Failed { key, reason, .. } => {
                assert_eq!(key, "bad");
                assert!(reason.contains("can't read this image"), "{reason}");
            }
        }
    }
    assert!(
        cache.join("good-256-v2.png").exists(),
        "the thumbnail is cached"
    );
    assert!(
        cache.join("bad-256.failed").exists(),
        "the failure is remembered"
    );
    // Asked again (as after a restart), the failure comes from memory, not a new decode:
    // even after the file is replaced by a good image under the same key.
    image::RgbImage::from_pixel(4, 4, image::Rgb([0, 0, 0]))
        .save_with_format(&bad, image::ImageFormat::Png)
        .unwrap();
    let mut again = ThumbService::start(
        cache,
        1,
        Isolation::Helper(env!("CARGO_BIN_EXE_shoebox").into()),
        Arc::new(|| {}),
    );
    again.request(Request {
        key: "bad".into(),
        path: bad,
        kind: Kind::Image,
        size: THUMB_PX,
    });
    let outputs = wait_for(&mut again, 1);
    assert!(matches!(&outputs[..], [Output::Failed { .. }]));
}

#[test]
fn a_decompression_bomb_is_refused_by_the_helper() {
    let dir = tempfile::tempdir().unwrap();
    // A PNG whose header claims 30000 × 30000 pixels.
    let bomb = dir.path().join("bomb.png");
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    let ihdr: Vec<u8> = [
        &30_000u32.to_be_bytes()[..],
        &30_000u32.to_be_bytes()[..],
        &[8, 6, 0, 0, 0],
    ]
    .concat();
    png.extend_from_slice(&ihdr);
    let mut crc_input = b"IHDR".to_vec();
    crc_input.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    std::fs::write(&bomb, png).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shoebox"))
        .args(["__render", "--kind", "image", "--size", "256"])
        .arg(&bomb)
        .arg(dir.path().join("out.png"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("too large to preview safely"));
    assert!(!dir.path().join("out.png").exists());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn every_exif_orientation_is_shown_upright_in_thumbnails_and_the_preview() {
    let dir = tempfile::tempdir().unwrap();
    for o in 1..=8u16 {
        let path = dir.path().join(format!("o{o}.jpg"));
        std::fs::write(&path, common::oriented_jpeg(o)).unwrap();
        // The preview's full picture.
        let full = shoebox::thumbs::decode(&path).unwrap().into_rgba8();
        let want = if o >= 5 { (32, 64) } else { (64, 32) };
        assert_eq!(full.dimensions(), want, "orientation {o}");
        common::assert_upright(&full, o);
        // A grid thumbnail, made the way the helper makes it.
        let thumb = shoebox::thumbs::render(&path, Kind::Image, 16, false).unwrap();
        let want = if o >= 5 { (8, 16) } else { (16, 8) };
        assert_eq!(thumb.dimensions(), want, "orientation {o}");
        common::assert_upright(&thumb, o);
    }
}

#[test]
fn a_thumbnail_cached_before_orientation_was_applied_is_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("thumbs");
    std::fs::create_dir_all(&cache).unwrap();
    let photo = dir.path().join("portrait.jpg");
    std::fs::write(&photo, common::oriented_jpeg(6)).unwrap();
    // What an earlier Shoebox cached for it: the picture as stored, on its side.
    let sideways = shoebox::thumbs::decode(&photo)
        .unwrap()
        .rotate270()
        .into_rgba8();
    sideways.save(cache.join("p-256.png")).unwrap();
    let mut service = ThumbService::start(cache.clone(), 1, Isolation::InProcess, Arc::new(|| {}));
    service.request(Request {
        key: "p".into(),
        path: photo,
        kind: Kind::Image,
        size: THUMB_PX,
    });
    let got = wait_for(&mut service, 1);
    let Some(Output::Ready {
        width,
        height,
        rgba,
        ..
    }) = got.into_iter().next()
    else {
        panic!("no thumbnail");
    };
    assert_eq!(
        (width, height),
        (32, 64),
        "upright, not the old sideways one"
    );
    let img = image::RgbaImage::from_raw(width, height, rgba).unwrap();
    common::assert_upright(&img, 6);
}
