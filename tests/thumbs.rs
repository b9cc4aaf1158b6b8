//! The thumbnail service with decoding isolated in helper processes (the real binary).

use std::sync::Arc;
use std::time::{Duration, Instant};

use shoebox::library::Kind;
use shoebox::media::NoPicture;

use crate::common;
use shoebox::thumbs::{Helpers, Isolation, Output, Request, THUMB_PX, ThumbService};

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
    let mut service = ThumbService::start(cache.clone(), 2, helpers(), Arc::new(|| {}));
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
            Output::Failed { key, why, .. } => {
                assert_eq!(key, "bad");
                assert!(matches!(why, NoPicture::Unreadable(_)), "{why:?}");
                assert!(why.reason().contains("can't read this image"), "{why}");
            }
            other => panic!("asked for the screen, made ahead: {other:?}"),
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
    let mut again = ThumbService::start(cache, 1, helpers(), Arc::new(|| {}));
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
    let cache = dir.path().join("thumbs");
    std::fs::create_dir_all(&cache).unwrap();
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
    let mut service = ThumbService::start(cache.clone(), 1, helpers(), Arc::new(|| {}));
    service.request(request("bomb", &bomb));
    let got = wait_for(&mut service, 1);
    assert!(
        matches!(&got[..], [Output::Failed { why: NoPicture::NoPreview(reason), .. }] if reason == "too large to preview safely"),
        "{got:?}"
    );
    assert!(!cache.join("bomb-256-v2.png").exists());
}

/// Helpers running the real binary, with a short timeout and the given environment.
fn helpers_with(timeout: Duration, env: &[(&str, &str)]) -> Isolation {
    let mut h = Helpers::new(env!("CARGO_BIN_EXE_shoebox").into());
    h.timeout = timeout;
    h.env = env
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    Isolation::Helper(h)
}

fn helpers() -> Isolation {
    helpers_with(Duration::from_secs(20), &[])
}

fn request(key: &str, path: &std::path::Path) -> Request {
    Request {
        key: key.into(),
        path: path.to_path_buf(),
        kind: Kind::Image,
        size: THUMB_PX,
    }
}

/// A named pipe nobody writes to: opening it to read waits forever, as a decoder stuck on
/// a network drive would.
#[cfg(unix)] // a named pipe
fn stuck_file(dir: &std::path::Path) -> std::path::PathBuf {
    let stuck = dir.join("stuck.jpg");
    let c = std::ffi::CString::new(stuck.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo only reads the path it is given.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    stuck
}

fn small_photos(dir: &std::path::Path, n: usize) -> Vec<std::path::PathBuf> {
    (0..n)
        .map(|i| {
            let p = dir.join(format!("p{i}.jpg"));
            image::RgbImage::from_pixel(320, 240, image::Rgb([i as u8 * 20, 90, 200]))
                .save(&p)
                .unwrap();
            p
        })
        .collect()
}

#[test]
fn one_helper_serves_many_pictures_and_a_crashed_one_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("thumbs");
    std::fs::create_dir_all(&cache).unwrap();
    let photos = small_photos(dir.path(), 6);
    // Every helper process aborts at its fourth picture. With a process per picture none
    // would; with one long-lived helper the fourth crashes, and a fresh helper makes the
    // fifth and sixth.
    let isolation = helpers_with(
        Duration::from_secs(20),
        &[("SHOEBOX_FAILPOINT", "thumbs.render:3")],
    );
    let mut service = ThumbService::start(cache.clone(), 1, isolation, Arc::new(|| {}));
    let mut results = Vec::new();
    for (i, p) in photos.iter().enumerate() {
        service.request(request(&format!("k{i}"), p));
        let got = wait_for(&mut service, 1);
        assert_eq!(got.len(), 1, "picture {i} answered");
        results.push(got.into_iter().next().unwrap());
    }
    for (i, out) in results.iter().enumerate() {
        match (i, out) {
            (3, Output::Failed { why, .. }) => {
                assert_eq!(why.reason(), "the decoder crashed on this file");
            }
            (3, other) => panic!("the fourth picture should crash its helper: {other:?}"),
            (_, Output::Ready { width, .. }) => assert_eq!(*width, 256),
            (_, other) => panic!("picture {i}: {other:?}"),
        }
    }
    assert!(
        cache.join("k3-256.failed").exists(),
        "the crash is remembered"
    );
}

#[cfg(unix)] // a named pipe stands for a file that never answers
#[test]
fn a_helper_that_hangs_is_killed_and_the_next_picture_still_comes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("thumbs");
    std::fs::create_dir_all(&cache).unwrap();
    let stuck = stuck_file(dir.path());
    let photo = small_photos(dir.path(), 1).remove(0);
    let isolation = helpers_with(Duration::from_millis(1500), &[]);
    let mut service = ThumbService::start(cache.clone(), 1, isolation, Arc::new(|| {}));
    let started = Instant::now();
    service.request(request("stuck", &stuck));
    let got = wait_for(&mut service, 1);
    assert!(
        matches!(&got[..], [Output::Failed { why: NoPicture::Unreadable(reason), .. }] if reason == "took too long to read; skipped"),
        "{got:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(1500));
    service.request(request("photo", &photo));
    let got = wait_for(&mut service, 1);
    assert!(matches!(&got[..], [Output::Ready { .. }]), "{got:?}");
}

#[cfg(unix)] // a named pipe stands for a file that never answers
#[test]
fn requests_for_tiles_that_left_the_screen_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("thumbs");
    std::fs::create_dir_all(&cache).unwrap();
    let stuck = stuck_file(dir.path());
    let photos = small_photos(dir.path(), 10);
    let isolation = helpers_with(Duration::from_millis(1500), &[]);
    let mut service = ThumbService::start(cache.clone(), 1, isolation, Arc::new(|| {}));
    // The only worker is held by a picture that will time out.
    service.request(request("stuck", &stuck));
    std::thread::sleep(Duration::from_millis(200));
    // A frame shows ten tiles; the next frame (after a scroll) only the third.
    for (i, p) in photos.iter().enumerate() {
        service.request(request(&format!("k{i}"), p));
    }
    service.end_frame();
    service.request(request("k2", &photos[2]));
    service.end_frame();
    assert!(service.is_pending("k2", THUMB_PX));
    assert!(!service.is_pending("k5", THUMB_PX), "dropped");
    let mut got = wait_for(&mut service, 2);
    // Anything else would come right after; give it the time to.
    std::thread::sleep(Duration::from_millis(500));
    got.extend(service.poll());
    let keys: Vec<&str> = got.iter().map(|o| o.key().0).collect();
    assert!(keys.contains(&"k2"), "{keys:?}");
    // At most one left-behind tile could have started before the scroll.
    let wasted = keys.iter().filter(|k| !["stuck", "k2"].contains(k)).count();
    assert!(wasted <= 1, "made for tiles no longer on screen: {keys:?}");
}

#[test]
fn thumbnails_are_made_ahead_in_the_background_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("thumbs");
    std::fs::create_dir_all(&cache).unwrap();
    let photos = small_photos(dir.path(), 5);
    let mut service = ThumbService::start(cache.clone(), 2, helpers(), Arc::new(|| {}));
    // One is on screen already and made first.
    service.request(request("k0", &photos[0]));
    assert_eq!(wait_for(&mut service, 1).len(), 1);
    assert_eq!(service.ahead_progress(), None);
    let reqs: Vec<Request> = photos
        .iter()
        .enumerate()
        .map(|(i, p)| request(&format!("k{i}"), p))
        .collect();
    service.make_ahead(reqs);
    let start = Instant::now();
    let mut seen = Vec::new();
    while start.elapsed() < Duration::from_secs(30) {
        let p = service.ahead_progress();
        if seen.last() != Some(&p) {
            seen.push(p);
        }
        if p.is_none() && seen.len() > 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    // Four to make (the fifth was cached), counted up, then done.
    assert!(
        seen.iter().any(Option::is_some),
        "progress was shown: {seen:?}"
    );
    assert!(
        seen.iter().flatten().all(|(_, total)| *total == 4),
        "{seen:?}"
    );
    assert_eq!(seen.last(), Some(&None), "{seen:?}");
    for i in 0..5 {
        assert!(cache.join(format!("k{i}-256-v2.png")).exists(), "k{i}");
    }
    // Made ahead, only their names come back (the pixels stay in the cache): one for
    // each of the four made.
    let outs = service.poll();
    assert_eq!(outs.len(), 4, "{outs:?}");
    assert!(
        outs.iter().all(|o| matches!(o, Output::Made { .. })),
        "{outs:?}"
    );
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
        let thumb = shoebox::thumbs::render(&path, Kind::Image, 16, Default::default()).unwrap();
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
