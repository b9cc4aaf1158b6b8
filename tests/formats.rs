//! Formats beyond JPEG, PNG, WebP, GIF, TIFF and BMP, each with real files: HEIC and AVIF
//! made by libheif's and libavif's encoders, an iPhone's tiled HEIC, and a PDF written by
//! librsvg. The programs that read them (heif-convert, pdftoppm) are installed by CI; where
//! one is missing a test says it skipped, unless `SHOEBOX_REQUIRE_TOOLS` is set (as CI does).

use std::path::{Path, PathBuf};
use std::process::Command;

use shoebox::library::Kind;
use shoebox::media::NoPicture;
use shoebox::media::formats::{Format, Tools};
use shoebox::thumbs::render;

/// Runs a program that makes a test file; false (after saying so) when it is not installed.
fn made_with(program: &str, args: &[&str]) -> bool {
    match Command::new(program).args(args).output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => panic!("{program} failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) if std::env::var_os("SHOEBOX_REQUIRE_TOOLS").is_some() => {
            panic!("{program} is required here (SHOEBOX_REQUIRE_TOOLS is set)")
        }
        Err(_) => {
            eprintln!("skipped: {program} is not installed");
            false
        }
    }
}

/// The programs found, which must include those named when CI requires them.
fn tools() -> Tools {
    let tools = Tools::find();
    if std::env::var_os("SHOEBOX_REQUIRE_TOOLS").is_some() {
        assert!(
            tools.heif && tools.heif_thumbs && tools.pdf,
            "heif-convert, heif-thumbnailer and pdftoppm are required here"
        );
    }
    tools
}

/// A 640×480 picture, dark on the left and light on the right.
fn halves() -> image::RgbImage {
    image::RgbImage::from_fn(640, 480, |x, _| {
        if x < 320 {
            image::Rgb([30, 60, 120])
        } else {
            image::Rgb([230, 220, 200])
        }
    })
}

/// [`halves`] as a PNG.
fn halves_png(dir: &Path) -> PathBuf {
    let path = dir.join("halves.png");
    halves().save(&path).unwrap();
    path
}

/// A HEIC made from a picture by libheif's encoder; false when it is not installed.
fn heif_enc(from: &Path, to: &Path) -> bool {
    made_with(
        "heif-enc",
        &[
            "-q",
            "90",
            "-o",
            to.to_str().unwrap(),
            from.to_str().unwrap(),
        ],
    )
}

/// Dark on the left, light on the right, as the test pictures are.
fn assert_halves(img: &image::RgbaImage) {
    let (w, h) = img.dimensions();
    let left = img.get_pixel(w / 6, h / 2).0;
    let right = img.get_pixel(w - w / 6, h / 2).0;
    assert!(
        left[..3].iter().all(|&c| c < 140) && right[..3].iter().all(|&c| c > 180),
        "left {left:?}, right {right:?}"
    );
}

#[test]
fn heic_and_avif_photos_are_shown_with_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let png = halves_png(dir.path());
    let heic = dir.path().join("photo.heic");
    let avif = dir.path().join("photo.avif");
    if !heif_enc(&png, &heic)
        || !made_with("avifenc", &[png.to_str().unwrap(), avif.to_str().unwrap()])
    {
        return;
    }
    let tools = tools();
    if !tools.heif {
        return;
    }
    for path in [&heic, &avif] {
        assert_eq!(Format::of_file(path), Some(Format::Heif), "{path:?}");
        let thumb = render(path, Kind::Image, 256, tools).expect("a thumbnail");
        assert_eq!(thumb.dimensions(), (256, 192), "{path:?}");
        assert_halves(&thumb);
        let meta = shoebox::library::read_meta(path, Kind::Image).unwrap();
        assert_eq!(
            (meta.width, meta.height),
            (Some(640), Some(480)),
            "{path:?}"
        );
    }
}

#[test]
fn an_iphone_heic_made_of_tiles_is_shown_whole_with_its_camera_and_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iphone-grid.heic");
    let meta = shoebox::library::read_meta(&path, Kind::Image).unwrap();
    assert_eq!((meta.width, meta.height), (Some(4032), Some(3024)));
    assert!(
        meta.camera.as_deref().is_some_and(|c| c.contains("iPhone")),
        "{:?}",
        meta.camera
    );
    assert!(meta.captured_at.is_some());
    let tools = tools();
    if !tools.heif {
        eprintln!("skipped: heif-convert is not installed");
        return;
    }
    // The grid's thumbnail (from the small picture the iPhone stored, when heif-thumbnailer
    // is here), and the preview, decoded from the tiles.
    let thumb = render(&path, Kind::Image, 256, tools).expect("a thumbnail");
    assert_eq!(thumb.dimensions(), (256, 192));
    let preview = render(&path, Kind::Image, 1600, tools).expect("a preview");
    assert_eq!(preview.dimensions(), (1600, 1200));
    // The stored picture is the same scene, framed a little wider than the photo by the
    // iPhone: the same colours overall.
    let mean = |img: &image::RgbaImage| {
        let n = f64::from(img.width() * img.height());
        let mut sum = [0f64; 3];
        for p in img.pixels() {
            for (s, v) in sum.iter_mut().zip(p.0) {
                *s += f64::from(v);
            }
        }
        sum.map(|s| s / n)
    };
    let (a, b) = (mean(&thumb), mean(&preview));
    assert!(
        (0..3).all(|c| (a[c] - b[c]).abs() < 12.0),
        "thumbnail {a:?} vs preview {b:?}"
    );
    // The tiles are all there: no quarter of the picture is left blank or out of place.
    let (w, h) = preview.dimensions();
    for (x, y) in [
        (w / 4, h / 4),
        (3 * w / 4, h / 4),
        (w / 4, 3 * h / 4),
        (3 * w / 4, 3 * h / 4),
    ] {
        let p = preview.get_pixel(x, y).0;
        assert_eq!(p[3], 255, "opaque at {x},{y}");
    }
}

#[test]
fn a_pdf_is_shown_by_its_first_page() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("page.svg");
    std::fs::write(
        &svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">
  <rect width="200" height="300" fill="#1e3c78"/>
  <rect x="200" width="200" height="300" fill="#e6dcc8"/>
</svg>"##,
    )
    .unwrap();
    let pdf = dir.path().join("doc.pdf");
    if !made_with(
        "rsvg-convert",
        &[
            "-f",
            "pdf",
            "-o",
            pdf.to_str().unwrap(),
            svg.to_str().unwrap(),
        ],
    ) {
        return;
    }
    assert_eq!(Format::of_file(&pdf), Some(Format::Pdf));
    assert_eq!(shoebox::library::kind_of("Report.PDF"), Kind::Image);
    let tools = tools();
    if !tools.pdf {
        eprintln!("skipped: pdftoppm is not installed");
        return;
    }
    let thumb = render(&pdf, Kind::Image, 256, tools).expect("a thumbnail");
    assert_eq!(thumb.dimensions(), (256, 192));
    assert_halves(&thumb);
    // Its page size, in points: 400×300 CSS pixels are 300×225 points.
    let meta = shoebox::library::read_meta(&pdf, Kind::Image).unwrap();
    assert_eq!((meta.width, meta.height), (Some(300), Some(225)));
    assert_eq!(
        shoebox::library::dimensions_text("doc.pdf", 300, 225),
        "300 × 225 pt"
    );
    // A page turned a quarter (`/Rotate 90`) is as wide as it is stored tall.
    let bytes = std::fs::read(&pdf).unwrap();
    let at = bytes
        .windows(9)
        .position(|w| w == b"/Type /Pa")
        .expect("a page object");
    let mut turned = bytes[..at].to_vec();
    turned.extend_from_slice(b"/Rotate 90 ");
    turned.extend_from_slice(&bytes[at..]);
    let turned_pdf = dir.path().join("turned.pdf");
    std::fs::write(&turned_pdf, &turned).unwrap();
    let meta = shoebox::library::read_meta(&turned_pdf, Kind::Image).unwrap();
    assert_eq!((meta.width, meta.height), (Some(225), Some(300)));
}

#[test]
fn without_its_program_a_format_says_which_to_install() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iphone-grid.heic");
    let none = Tools::default();
    let err = render(&path, Kind::Image, 256, none).unwrap_err();
    assert!(
        matches!(err, NoPicture::NoPreview(_))
            && err.reason().contains("heif-convert")
            && err.reason().contains("libheif-examples"),
        "{err:?}"
    );
}

#[test]
fn a_photoshop_file_is_shown_by_its_composite_image() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/photoshop.psd");
    assert_eq!(Format::of_file(&path), Some(Format::Psd));
    assert_eq!(shoebox::library::kind_of("poster.PSD"), Kind::Image);
    let meta = shoebox::library::read_meta(&path, Kind::Image).unwrap();
    assert_eq!((meta.width, meta.height), (Some(150), Some(91)));
    // Needs no program.
    let thumb = render(&path, Kind::Image, 256, Tools::default()).expect("a picture");
    assert_eq!(thumb.dimensions(), (150, 91), "not enlarged");
    // Photoshop stored its own small JPEG of the same picture: the two agree.
    let bytes = std::fs::read(&path).unwrap();
    let start = bytes
        .windows(3)
        .position(|w| w == [0xFF, 0xD8, 0xFF])
        .unwrap();
    let own = image::load_from_memory(&bytes[start..])
        .unwrap()
        .into_rgba8();
    let ours = image::imageops::resize(
        &thumb,
        own.width(),
        own.height(),
        image::imageops::FilterType::Triangle,
    );
    let (w, h) = own.dimensions();
    let mut far = 0;
    for y in (0..h).step_by(7) {
        for x in (0..w).step_by(7) {
            let (a, b) = (own.get_pixel(x, y).0, ours.get_pixel(x, y).0);
            if (0..3).any(|c| a[c].abs_diff(b[c]) > 40) {
                far += 1;
            }
        }
    }
    assert!(
        far <= 3,
        "{far} sampled points differ from Photoshop's own thumbnail"
    );
}

#[test]
fn photoshop_files_compressed_indexed_grey_cmyk_and_16_bit_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    let png = halves_png(dir.path());
    let png = png.to_str().unwrap();
    let variants: [(&str, &[&str]); 5] = [
        ("rgb.psd", &["-type", "TrueColor"]),
        ("rgb16.psd", &["-type", "TrueColor", "-depth", "16"]),
        ("indexed.psd", &["-type", "Palette"]),
        ("grey.psd", &["-colorspace", "Gray"]),
        ("cmyk.psd", &["-colorspace", "CMYK"]),
    ];
    for (name, how) in variants {
        let out = dir.path().join(name);
        let mut args = vec![png];
        args.extend(how);
        args.push(out.to_str().unwrap());
        if !made_with("convert", &args) {
            return;
        }
        // ImageMagick writes the composite PackBits-compressed.
        let thumb = render(&out, Kind::Image, 256, Tools::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(thumb.dimensions(), (256, 192), "{name}");
        assert_halves(&thumb);
        let meta = shoebox::library::read_meta(&out, Kind::Image).unwrap();
        assert_eq!((meta.width, meta.height), (Some(640), Some(480)), "{name}");
    }
}

/// A designer's Photoshop file may hold layers many times the size of its composite image:
/// only the composite is read. ImageMagick's PSD, its layer section grown by 3 GiB (a hole
/// of a sparse file), is shown by a helper allowed 1 GiB of memory.
#[cfg(target_os = "linux")] // a sparse file and RLIMIT_AS (Windows: platform::windows tests)
#[test]
fn a_photoshop_file_with_layers_larger_than_memory_shows_its_composite() {
    use std::io::{Seek, SeekFrom, Write};

    use shoebox::thumbs::{Helpers, Output};
    let dir = tempfile::tempdir().unwrap();
    let png = halves_png(dir.path());
    let made = dir.path().join("made.psd");
    if !made_with("convert", &[png.to_str().unwrap(), made.to_str().unwrap()]) {
        return;
    }
    let bytes = std::fs::read(&made).unwrap();
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let colours = 26;
    let resources = colours + 4 + be(colours);
    let layers = resources + 4 + be(resources);
    let layers_end = layers + 4 + be(layers);
    const GROWN: u64 = 3 << 30;
    let grown = dir.path().join("layered.psd");
    let mut file = std::fs::File::create(&grown).unwrap();
    file.write_all(&bytes[..layers]).unwrap();
    file.write_all(&((be(layers) as u64 + GROWN) as u32).to_be_bytes())
        .unwrap();
    file.write_all(&bytes[layers + 4..layers_end]).unwrap();
    file.seek(SeekFrom::Current(GROWN as i64)).unwrap();
    file.write_all(&bytes[layers_end..]).unwrap();
    drop(file);

    let mut helpers = Helpers::new(env!("CARGO_BIN_EXE_shoebox").into());
    helpers.memory_bytes = 1 << 30;
    match &through_a_helper(helpers, grown, dir.path())[..] {
        [
            Output::Ready {
                width,
                height,
                rgba,
                ..
            },
        ] => {
            let img = image::RgbaImage::from_raw(*width, *height, rgba.clone()).unwrap();
            assert_eq!(img.dimensions(), (256, 192));
            assert_halves(&img);
        }
        other => panic!("{other:?}"),
    }
}

/// Import asks programs about some files (`pdfinfo`, `ffprobe`): one that hangs on a hostile
/// file is killed after its time, the file imported without what it would have said; what a
/// program prints before failing is still heard.
#[cfg(target_os = "linux")] // a stand-in program is a shell script
#[test]
fn a_program_describing_a_file_is_killed_after_its_time_limit() {
    use shoebox::media::formats::output_within;
    use std::time::{Duration, Instant};
    let mut hang = Command::new("sh");
    hang.args(["-c", "echo started; exec sleep 271.82"]);
    let started = Instant::now();
    assert_eq!(output_within(hang, Duration::from_millis(300)), None);
    assert!(started.elapsed() < Duration::from_secs(5));
    let alive = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .any(|cmd| String::from_utf8_lossy(&cmd).contains("271.82"));
    assert!(!alive, "the hanging program was left running");
    let mut fails = Command::new("sh");
    fails.args(["-c", "echo width=640; exit 3"]);
    assert_eq!(
        output_within(fails, Duration::from_secs(5)).as_deref(),
        Some("width=640\n")
    );
}

/// What the thumbnail service, its pictures made by `helpers`, answers for a grid thumbnail
/// of `path` (within a minute); its cache in `dir`.
#[cfg(target_os = "linux")] // used by the Linux-only tests above and below
pub(crate) fn through_a_helper(
    helpers: shoebox::thumbs::Helpers,
    path: PathBuf,
    dir: &Path,
) -> Vec<shoebox::thumbs::Output> {
    use shoebox::thumbs::{Isolation, Request, ThumbService};
    use std::time::{Duration, Instant};
    let cache = dir.join("thumbs");
    std::fs::create_dir_all(&cache).unwrap();
    let mut service = ThumbService::start(
        cache,
        1,
        Isolation::Helper(helpers),
        std::sync::Arc::new(|| {}),
    );
    service.request(Request {
        key: "one".into(),
        path,
        kind: Kind::Image,
        size: 256,
    });
    let started = Instant::now();
    let mut got = Vec::new();
    while got.is_empty() && started.elapsed() < Duration::from_secs(60) {
        got.extend(service.poll());
        std::thread::sleep(Duration::from_millis(20));
    }
    got
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The preview inside a RAW, decoded whole by the image crate, for comparison.
fn own_preview(path: &Path) -> image::RgbaImage {
    let bytes = std::fs::read(path).unwrap();
    let mut best: Option<image::DynamicImage> = None;
    for (i, w) in bytes.windows(3).enumerate() {
        if w == [0xFF, 0xD8, 0xFF]
            && let Ok(img) = image::load_from_memory(&bytes[i..])
            && best.as_ref().is_none_or(|b| img.width() > b.width())
        {
            best = Some(img);
        }
    }
    best.expect("a preview").into_rgba8()
}

/// Most sampled points of `a` and `b` (the same size) are the same colour, give or take.
fn assert_same_picture(a: &image::RgbaImage, b: &image::RgbaImage) {
    assert_eq!(a.dimensions(), b.dimensions());
    let (w, h) = a.dimensions();
    let (mut far, mut all) = (0, 0);
    for y in (0..h).step_by(5) {
        for x in (0..w).step_by(5) {
            let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
            all += 1;
            if (0..3).any(|c| p[c].abs_diff(q[c]) > 40) {
                far += 1;
            }
        }
    }
    assert!(far * 50 <= all, "{far} of {all} sampled points differ");
}

#[test]
fn a_canon_cr3_is_shown_by_its_preview_with_its_camera_and_date() {
    // The size the camera recorded (a crop mode's), not its preview's (1620×1080). Needs no
    // program; the grid's thumbnail comes from the preview at a reduced scale.
    let captured = assert_raw_shown(
        &data("canon-r6.cr3"),
        (3408, 2272),
        "Canon EOS R6",
        (256, 171),
        upright,
    );
    assert!(captured.is_some());
}

#[test]
fn a_raw_is_turned_as_the_camera_recorded() {
    // The same CR3, its orientation (in its CMT1 box, a TIFF) set to "turned a quarter
    // clockwise" (6).
    let mut bytes = std::fs::read(data("canon-r6.cr3")).unwrap();
    let at = bytes.windows(4).position(|w| w == b"CMT1").unwrap() + 4;
    let entry = at + le_entry(&bytes[at..], 0x0112);
    bytes[entry + 8] = 6;
    assert_shown_turned(
        "portrait.cr3",
        &bytes,
        (2272, 3408),
        image::DynamicImage::rotate90,
    );
}

/// Where the entry `tag` of the first directory of the little-endian TIFF `tiff` is.
fn le_entry(tiff: &[u8], tag: u16) -> usize {
    let ifd = u32::from_le_bytes(tiff[4..8].try_into().unwrap()) as usize;
    let entries = u16::from_le_bytes([tiff[ifd], tiff[ifd + 1]]) as usize;
    (0..entries)
        .map(|i| ifd + 2 + 12 * i)
        .find(|&e| tiff[e..e + 2] == tag.to_le_bytes())
        .unwrap_or_else(|| panic!("no entry {tag:#x}"))
}

/// A RAW of `bytes` (a sample whose orientation was changed) is sized `size` and its
/// thumbnail is its preview turned by `turn`.
fn assert_shown_turned(
    name: &str,
    bytes: &[u8],
    size: (u32, u32),
    turn: fn(&image::DynamicImage) -> image::DynamicImage,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let camera = shoebox::library::read_meta(&path, Kind::Image)
        .unwrap()
        .camera
        .unwrap();
    assert_raw_shown(&path, size, &camera, (171, 256), turn);
}

/// Leaves a picture as it is.
fn upright(img: &image::DynamicImage) -> image::DynamicImage {
    img.clone()
}

/// The file at `path` is a RAW whose metadata says it is `size` (as meant to be seen) and
/// made by `camera`, and whose `thumb`-sized thumbnail is its own largest preview turned by
/// `turn`. When it was taken.
fn assert_raw_shown(
    path: &Path,
    size: (u32, u32),
    camera: &str,
    thumb: (u32, u32),
    turn: fn(&image::DynamicImage) -> image::DynamicImage,
) -> Option<i64> {
    let name = path.display();
    assert_eq!(Format::of_file(path), Some(Format::Raw), "{name}");
    let meta = shoebox::library::read_meta(path, Kind::Image).unwrap();
    assert_eq!(
        (meta.width, meta.height),
        (Some(size.0), Some(size.1)),
        "{name}"
    );
    assert_eq!(meta.camera.as_deref(), Some(camera), "{name}");
    let img = render(path, Kind::Image, 256, Tools::default()).expect("a thumbnail");
    assert_eq!(img.dimensions(), thumb, "{name}");
    let own = turn(&image::DynamicImage::ImageRgba8(own_preview(path))).into_rgba8();
    assert_same_picture(&img, &image::imageops::thumbnail(&own, thumb.0, thumb.1));
    meta.captured_at
}

#[test]
fn a_canon_cr2_is_shown_by_its_preview_with_its_camera_date_and_size() {
    let path = data("canon-30d.cr2");
    assert_eq!(
        own_preview(&path).dimensions(),
        (1728, 1152),
        "the larger of its two previews"
    );
    // The picture's size as the camera recorded it, not its preview's.
    let captured = assert_raw_shown(&path, (3504, 2336), "Canon EOS 30D", (256, 171), upright);
    // 2009:07:21 13:03:20, as the camera's clock said.
    assert_eq!(captured, Some(1_248_181_400));
}

/// SPEC rule 13: a RAW and the JPEG the camera wrote beside it are one asset, shown by the
/// JPEG (its picture, size and date), the RAW travelling with it.
#[test]
fn a_raw_and_jpeg_pair_is_one_asset_shown_by_its_jpeg() {
    let mut f = crate::common::Fixture::new();
    let raw = f.file(
        "IMG_5952.CR2",
        &std::fs::read(data("canon-30d.cr2")).unwrap(),
    );
    let jpeg = f.src().join("IMG_5952.JPG");
    image::RgbImage::from_pixel(300, 200, image::Rgb([200, 30, 30]))
        .save_with_format(&jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    f.import(&[raw, jpeg], None);
    let assets = f.lib.assets(Default::default()).unwrap();
    assert_eq!(assets.len(), 1, "one asset");
    let a = &assets[0];
    assert_eq!(a.name, "IMG_5952.JPG");
    assert_eq!(
        (a.width, a.height),
        (Some(300), Some(200)),
        "the JPEG's size"
    );
    assert_eq!(a.companion_names(), vec!["IMG_5952.CR2".to_string()]);
    let sources = f.lib.picture_sources().unwrap();
    assert_eq!(sources.len(), 1);
    let tile = render(&sources[0].path, sources[0].kind, 256, Tools::default()).unwrap();
    let p = tile.get_pixel(tile.width() / 2, tile.height() / 2).0;
    assert!(
        p[0] > 150 && p[1] < 80 && p[2] < 80,
        "the JPEG's red, not the RAW: {p:?}"
    );
}

#[test]
fn a_tiff_based_raw_is_turned_as_its_first_directory_says() {
    // The CR2, its orientation (in its first TIFF directory) set to "turned a quarter
    // anticlockwise" (8): the way NEF, ARW, DNG, ORF, RW2, PEF and SRW record it too.
    let mut bytes = std::fs::read(data("canon-30d.cr2")).unwrap();
    let entry = le_entry(&bytes, 0x0112);
    bytes[entry + 8] = 8;
    assert_shown_turned(
        "portrait.cr2",
        &bytes,
        (2336, 3504),
        image::DynamicImage::rotate270,
    );
}

/// The preview, size and date of a RAW come from where its own structure says (a TIFF's
/// directories, a CR3's boxes), not from reading its tens of megabytes of sensor data: the
/// same files followed by a gigabyte of it (a sparse file, larger than any RAW that would be
/// searched whole) are shown all the same.
#[test]
fn a_raw_is_read_through_its_own_structure_not_whole() {
    let dir = tempfile::tempdir().unwrap();
    for (name, thumb, size) in [
        ("canon-30d.cr2", (256, 171), (3504, 2336)),
        ("canon-r6.cr3", (256, 171), (3408, 2272)),
    ] {
        let path = dir.path().join(name);
        std::fs::copy(data(name), &path).unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        let meta = shoebox::library::read_meta(&path, Kind::Image).unwrap();
        assert_eq!(
            (meta.width, meta.height),
            (Some(size.0), Some(size.1)),
            "{name}"
        );
        assert!(
            meta.captured_at.is_some() && meta.camera.is_some(),
            "{name}"
        );
        let img = render(&path, Kind::Image, 256, Tools::default()).expect(name);
        assert_eq!(img.dimensions(), thumb, "{name}");
    }
    // Its large preview's directory entry spoilt, the CR2 too large to search whole still
    // shows the small one its directories name (160×120).
    let mut bytes = std::fs::read(data("canon-30d.cr2")).unwrap();
    let strip = le_entry(&bytes, 0x0111);
    bytes[strip + 8..strip + 12].copy_from_slice(&16u32.to_le_bytes());
    let path = dir.path().join("spoilt.cr2");
    std::fs::write(&path, &bytes).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let img = render(&path, Kind::Image, 256, Tools::default()).expect("the small preview");
    assert_eq!(img.dimensions(), (160, 120));
}

/// A value of a TIFF directory entry, for [`Tiff`].
enum Value {
    Short(u16),
    Long(u32),
    Ascii(&'static str),
    Undefined(Vec<u8>),
}

/// A little-endian TIFF laid out as cameras lay out their RAWs: the header, the directories
/// and their small values in the first 64 KiB, the pictures after.
struct Tiff {
    front: Vec<u8>,
    back: Vec<u8>,
}

/// Where [`Tiff`]'s pictures start.
const BACK: usize = 64 * 1024;

impl Tiff {
    fn new(magic: &[u8; 4]) -> Tiff {
        let mut front = magic.to_vec();
        front.extend_from_slice(&[0; 4]);
        Tiff {
            front,
            back: Vec::new(),
        }
    }

    /// Places `data` (a picture after the directories, a small value among them); where it
    /// starts.
    fn blob(&mut self, data: &[u8]) -> u32 {
        let (area, base) = if data.len() > 4096 {
            (&mut self.back, BACK)
        } else {
            (&mut self.front, 0)
        };
        if area.len() % 2 == 1 {
            area.push(0);
        }
        let at = (base + area.len()) as u32;
        area.extend_from_slice(data);
        at
    }

    /// Adds a directory of `entries`; where it starts.
    fn dir(&mut self, mut entries: Vec<(u16, Value)>) -> u32 {
        entries.sort_by_key(|(tag, _)| *tag);
        let mut packed = Vec::new();
        for (tag, value) in entries {
            let (kind, count, field) = match value {
                Value::Short(v) => (3u16, 1u32, u32::from(v)),
                Value::Long(v) => (4, 1, v),
                Value::Ascii(text) => {
                    let mut b = text.as_bytes().to_vec();
                    b.push(0);
                    let n = b.len() as u32;
                    (2, n, self.blob(&b))
                }
                Value::Undefined(b) => {
                    let n = b.len() as u32;
                    (7, n, self.blob(&b))
                }
            };
            packed.push((tag, kind, count, field));
        }
        let at = self.blob(&(packed.len() as u16).to_le_bytes());
        for (tag, kind, count, field) in packed {
            self.front.extend_from_slice(&tag.to_le_bytes());
            self.front.extend_from_slice(&kind.to_le_bytes());
            self.front.extend_from_slice(&count.to_le_bytes());
            self.front.extend_from_slice(&field.to_le_bytes());
        }
        self.front.extend_from_slice(&0u32.to_le_bytes());
        at
    }

    /// The file, its first directory at `first`.
    fn finish(self, first: u32) -> Vec<u8> {
        let mut bytes = self.front;
        assert!(bytes.len() <= BACK);
        bytes[4..8].copy_from_slice(&first.to_le_bytes());
        bytes.resize(BACK, 0);
        bytes.extend_from_slice(&self.back);
        bytes
    }
}

/// The Canon 30D's own 1728×1152 preview, as the JPEG bytes its CR2 holds.
fn real_preview() -> Vec<u8> {
    let cr2 = std::fs::read(data("canon-30d.cr2")).unwrap();
    let field = |tag| {
        let e = le_entry(&cr2, tag);
        u32::from_le_bytes(cr2[e + 8..e + 12].try_into().unwrap()) as usize
    };
    let (at, len) = (field(0x0111), field(0x0117));
    cr2[at..at + len].to_vec()
}

/// No ARW or ORF with its preview could be found that a public project ships; these are laid
/// out as a Sony ILCE-7M3 and an Olympus E-M10 write them (after ExifTool's descriptions),
/// holding a real camera preview: an ARW's preview where its first directory points, an
/// ORF's inside its maker note (where only the maker's notes say, so the file is searched).
#[test]
fn an_arw_and_an_orf_laid_out_as_their_cameras_write_them_are_shown() {
    let preview = real_preview();
    let sensor = vec![0x5Au8; 64 * 1024];

    let mut arw = Tiff::new(b"II*\0");
    let jpeg = arw.blob(&preview);
    let raw = arw.blob(&sensor);
    let sub = arw.dir(vec![
        (0x00FE, Value::Long(0)),
        (0x0100, Value::Long(6048)),
        (0x0101, Value::Long(4024)),
        (0x0103, Value::Short(32767)),
        (0x0106, Value::Short(32803)),
        (0x0111, Value::Long(raw)),
        (0x0117, Value::Long(sensor.len() as u32)),
    ]);
    let exif = arw.dir(vec![(0x9003, Value::Ascii("2024:05:01 10:00:00"))]);
    let ifd0 = arw.dir(vec![
        (0x00FE, Value::Long(1)),
        (0x0103, Value::Short(6)),
        (0x010F, Value::Ascii("SONY")),
        (0x0110, Value::Ascii("ILCE-7M3")),
        (0x0112, Value::Short(6)),
        (0x014A, Value::Long(sub)),
        (0x0201, Value::Long(jpeg)),
        (0x0202, Value::Long(preview.len() as u32)),
        (0x8769, Value::Long(exif)),
    ]);
    let arw = arw.finish(ifd0);

    let mut orf = Tiff::new(b"IIRO");
    let raw = orf.blob(&sensor);
    let mut maker_note = b"OLYMPUS\0II\x03\0".to_vec();
    maker_note.extend_from_slice(&[0; 64]);
    maker_note.extend_from_slice(&preview);
    let exif = orf.dir(vec![
        (0x9003, Value::Ascii("2024:05:02 11:00:00")),
        (0x927C, Value::Undefined(maker_note)),
    ]);
    let ifd0 = orf.dir(vec![
        (0x0100, Value::Long(4640)),
        (0x0101, Value::Long(3472)),
        (0x0103, Value::Short(1)),
        (0x0106, Value::Short(32803)),
        (0x010F, Value::Ascii("OLYMPUS IMAGING CORP.")),
        (0x0110, Value::Ascii("E-M10")),
        (0x0111, Value::Long(raw)),
        (0x0112, Value::Short(1)),
        (0x0117, Value::Long(sensor.len() as u32)),
        (0x8769, Value::Long(exif)),
    ]);
    let orf = orf.finish(ifd0);

    let dir = tempfile::tempdir().unwrap();
    type Turn = fn(&image::DynamicImage) -> image::DynamicImage;
    let cases = [
        // Turned a quarter clockwise (6): as tall as it is stored wide.
        (
            "DSC00001.ARW",
            arw,
            (4024, 6048),
            "SONY ILCE-7M3",
            (171, 256),
            image::DynamicImage::rotate90 as Turn,
        ),
        (
            "P5020001.ORF",
            orf,
            (4640, 3472),
            "OLYMPUS IMAGING CORP. E-M10",
            (256, 171),
            upright as Turn,
        ),
    ];
    for (name, bytes, size, camera, thumb, turn) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let captured = assert_raw_shown(&path, size, camera, thumb, turn);
        assert!(captured.is_some(), "{name}");
    }
}

/// ExifTool's NEF, DNG and RW2 keep their directories and metadata but not their pictures:
/// the size, camera and date still come from them, and the tile says what is missing.
#[test]
fn nef_dng_and_rw2_give_their_size_camera_and_date_from_their_directories() {
    let cases = [
        // The sensor area its raw directory describes.
        (
            "nikon-d70.nef",
            (3040, 2014),
            "NIKON CORPORATION NIKON D70",
            1_086_796_955,
        ),
        // The DNG's default crop.
        (
            "canon-350d.dng",
            (3456, 2304),
            "Canon EOS 350D DIGITAL",
            1_123_095_558,
        ),
        // Inside the RW2's sensor borders.
        (
            "panasonic-lx3.rw2",
            (3648, 2736),
            "Panasonic DMC-LX3",
            1_218_036_116,
        ),
    ];
    for (name, (w, h), camera, at) in cases {
        let path = data(name);
        assert_eq!(Format::of_file(&path), Some(Format::Raw), "{name}");
        let meta = shoebox::library::read_meta(&path, Kind::Image).unwrap();
        assert_eq!((meta.width, meta.height), (Some(w), Some(h)), "{name}");
        assert_eq!(meta.camera.as_deref(), Some(camera), "{name}");
        assert_eq!(meta.captured_at, Some(at), "{name}");
    }
    for name in ["nikon-d70.nef", "canon-350d.dng"] {
        let err = render(&data(name), Kind::Image, 256, Tools::default()).unwrap_err();
        assert_eq!(
            err,
            NoPicture::NoPreview("no preview inside this RAW file".into()),
            "{name}"
        );
    }
}

#[test]
fn a_fujifilm_raf_is_shown_by_its_preview_with_its_camera() {
    let path = data("fujifilm.raf");
    assert_eq!(Format::of_file(&path), Some(Format::Raw));
    let meta = shoebox::library::read_meta(&path, Kind::Image).unwrap();
    // The size its metadata records (ExifTool cut its preview down to 160×120).
    assert_eq!((meta.width, meta.height), (Some(1440), Some(960)));
    assert!(
        meta.camera
            .as_deref()
            .is_some_and(|c| c.starts_with("FUJIFILM")),
        "{:?}",
        meta.camera
    );
    let thumb = render(&path, Kind::Image, 256, Tools::default()).expect("a thumbnail");
    assert_eq!(thumb.dimensions(), (160, 120), "not enlarged");
    assert_same_picture(&thumb, &own_preview(&path));
}

/// Some programs write JPEGs with a RAW's name (a `.nef` that is a JPEG): it is shown and
/// sized as the JPEG it is.
#[test]
fn a_jpeg_named_as_a_raw_is_read_as_a_jpeg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("DSC_0001.NEF");
    // Larger than the first bytes a RAW is searched in at import.
    let mut seed = 7u32;
    let noise = image::RgbImage::from_fn(1200, 900, |_, _| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let [a, b, c, _] = seed.to_le_bytes();
        image::Rgb([a, b, c])
    });
    noise
        .save_with_format(&path, image::ImageFormat::Jpeg)
        .unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 512 * 1024);
    assert_eq!(Format::of_file(&path), None);
    let meta = shoebox::library::read_meta(&path, Kind::Image).unwrap();
    assert_eq!((meta.width, meta.height), (Some(1200), Some(900)));
    let thumb = render(&path, Kind::Image, 256, Tools::default()).expect("a thumbnail");
    assert_eq!(thumb.dimensions(), (256, 192));
}

#[test]
fn a_raw_without_a_preview_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.nef");
    // A TIFF header and nothing else.
    std::fs::write(&path, b"II*\0\x08\0\0\0\0\0\0\0\0\0").unwrap();
    assert_eq!(Format::of_file(&path), Some(Format::Raw));
    let err = render(&path, Kind::Image, 256, Tools::default()).unwrap_err();
    assert_eq!(
        err,
        NoPicture::NoPreview("no preview inside this RAW file".into())
    );
}

/// An SVG's size is read from its root element alone (no drawing is converted in the app's
/// process); for every way a root states its size it agrees with usvg's own sizing of the
/// whole drawing, the reference. A root that states no size gives none (usvg makes up
/// 100×100), and so does anything that is not an SVG.
#[test]
fn an_svg_s_size_is_read_from_its_root_as_usvg_sizes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drawing.svg");
    let roots = [
        r#"width="400" height="300""#,
        r#"width="400px" height="300.4""#,
        r#"width="210mm" height="297mm""#,
        r#"width="8.5in" height="11in""#,
        r#"width="10cm" height="2.54cm""#,
        r#"width="72pt" height="6pc""#,
        r#"width="20em" height="10ex""#,
        r#"width="20em" height="10em" font-size="20""#,
        r#"viewBox="0 0 1200 800""#,
        r#"viewBox="-50 -50 1200,800""#,
        r#"width="50%" height="25%" viewBox="0 0 1200 800""#,
        r#"width="600" viewBox="0 0 1200 800""#,
        r#"height="200" viewBox="0 0 1200 800""#,
        r#"width="600" height="100%" viewBox="0 0 1200 800""#,
        r#"width=" 640 " height="480" viewBox="0 0 10 10""#,
    ];
    for root in roots {
        let text = format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg xmlns=\"http://www.w3.org/2000/svg\" {root}><rect width=\"5\" height=\"5\"/></svg>"
        );
        std::fs::write(&path, &text).unwrap();
        let tree = resvg::usvg::Tree::from_data(text.as_bytes(), &Default::default()).unwrap();
        let usvg = (
            tree.size().width().round() as u32,
            tree.size().height().round() as u32,
        );
        let meta = shoebox::library::read_meta(&path, Kind::Image).unwrap();
        assert_eq!(
            (meta.width, meta.height),
            (Some(usvg.0), Some(usvg.1)),
            "{root}"
        );
    }
    // Gzipped, as an .svgz.
    let svgz = dir.path().join("drawing.svgz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(
        &mut gz,
        br#"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48"/>"#,
    )
    .unwrap();
    std::fs::write(&svgz, gz.finish().unwrap()).unwrap();
    let meta = shoebox::library::read_meta(&svgz, Kind::Image).unwrap();
    assert_eq!((meta.width, meta.height), (Some(64), Some(48)));
    for nothing in [
        r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="50%" height="40"/>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="0" height="40"/>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1e300" height="40"/>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="-3" height="40"/>"#,
        r#"<html width="40" height="40"/>"#,
        r#"<svg width="40" height="40""#,
    ] {
        std::fs::write(&path, nothing).unwrap();
        let meta = shoebox::library::read_meta(&path, Kind::Image).unwrap();
        assert_eq!((meta.width, meta.height), (None, None), "{nothing}");
    }
}

#[test]
fn an_svg_is_drawn_at_the_size_asked_like_librsvg_draws_it() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("logo.svg");
    std::fs::write(
        &svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 40 30">
  <rect width="20" height="30" fill="#1e3c78"/>
  <rect x="20" width="20" height="30" fill="#e6dcc8"/>
  <circle cx="30" cy="15" r="6" fill="#e6dcc8" stroke="#c0b090" stroke-width="0.5"/>
  <text x="3" y="27" font-size="4" fill="#e6dcc8">Shoebox</text>
</svg>"##,
    )
    .unwrap();
    assert_eq!(Format::of_file(&svg), Some(Format::Svg));
    assert_eq!(shoebox::library::kind_of("logo.SVG"), Kind::Image);
    let meta = shoebox::library::read_meta(&svg, Kind::Image).unwrap();
    assert_eq!((meta.width, meta.height), (Some(400), Some(300)));
    // Drawn at the size asked, larger than the drawing says too: no blur.
    let thumb = render(&svg, Kind::Image, 256, Tools::default()).expect("a thumbnail");
    assert_eq!(thumb.dimensions(), (256, 192));
    assert_halves(&thumb);
    let big = render(&svg, Kind::Image, 800, Tools::default()).expect("a preview");
    assert_eq!(big.dimensions(), (800, 600));
    // Its text is drawn, in a font of the system: light strokes on the dark half.
    let light = (470..540)
        .flat_map(|y| (60..390).map(move |x| (x, y)))
        .filter(|&(x, y)| big.get_pixel(x, y).0[0] > 150)
        .count();
    assert!(light > 500, "the text was not drawn ({light} light pixels)");
    let reference = dir.path().join("reference.png");
    if !made_with(
        "rsvg-convert",
        &[
            "-w",
            "800",
            "-h",
            "600",
            "-o",
            reference.to_str().unwrap(),
            svg.to_str().unwrap(),
        ],
    ) {
        return;
    }
    let reference = image::open(&reference).unwrap().into_rgba8();
    assert_same_picture(&big, &reference);
}

/// A damaged file of each new format gets a clear reason, never a crash or a hang.
#[test]
fn a_damaged_file_of_each_format_says_so_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let cut = |name: &str, from: &Path, keep: usize| {
        let bytes = std::fs::read(from).unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes[..keep.min(bytes.len())]).unwrap();
        path
    };
    let tools = tools();
    let mut cases = vec![
        (
            cut("cut.psd", &data("photoshop.psd"), 12_000),
            "can't read this Photoshop file",
        ),
        (cut("cut.cr3", &data("canon-r6.cr3"), 200_000), ""),
        (cut("cut.cr2", &data("canon-30d.cr2"), 300_000), ""),
        (
            cut("early.cr2", &data("canon-30d.cr2"), 70_000),
            "no preview inside this RAW file",
        ),
    ];
    // Directories that loop, and entries claiming billions of values.
    let mut looping = b"II*\0\x08\0\0\0".to_vec();
    looping.extend_from_slice(&2u16.to_le_bytes());
    for tag in [0x014Au16, 0x0111] {
        looping.extend_from_slice(&tag.to_le_bytes());
        looping.extend_from_slice(&4u16.to_le_bytes());
        looping.extend_from_slice(&u32::MAX.to_le_bytes());
        looping.extend_from_slice(&8u32.to_le_bytes());
    }
    looping.extend_from_slice(&8u32.to_le_bytes());
    let path = dir.path().join("looping.nef");
    std::fs::write(&path, &looping).unwrap();
    cases.push((path, "no preview inside this RAW file"));
    let garbage = dir.path().join("garbage.svg");
    std::fs::write(&garbage, b"<svg xmlns='http://www.w3.org/2000/svg'><rect").unwrap();
    cases.push((garbage, "can't read this drawing"));
    if tools.heif {
        cases.push((cut("cut.heic", &data("iphone-grid.heic"), 300_000), "HEIC"));
    }
    let pdf = dir.path().join("cut.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj << /Type /Catalog").unwrap();
    if tools.pdf {
        cases.push((pdf, "can't read this PDF"));
    }
    for (path, says) in cases {
        match render(&path, Kind::Image, 256, tools) {
            Err(why) => assert!(why.reason().contains(says), "{path:?}: {why}"),
            // A RAW cut after its small preview still shows that one.
            Ok(img) => assert!(
                path.extension().is_some_and(|e| e == "cr3" || e == "cr2") && img.width() <= 256,
                "{path:?} gave a picture"
            ),
        }
    }
}

/// Found by the format benchmark: heif-thumbnailer refuses a HEIC carrying the old HP/Microsoft
/// sRGB profile (libpng: "known incorrect sRGB profile"), as photos often do. The thumbnail is
/// then made from the photo itself.
#[test]
fn bench_finding_a_heic_with_the_old_srgb_profile_still_gets_a_thumbnail() {
    use image::ImageEncoder;
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("profiled.png");
    let img = halves();
    let mut encoder = image::codecs::png::PngEncoder::new(std::fs::File::create(&png).unwrap());
    encoder
        .set_icc_profile(std::fs::read(data("srgb-hp.icc")).unwrap())
        .unwrap();
    encoder
        .write_image(&img, 640, 480, image::ExtendedColorType::Rgb8)
        .unwrap();
    let heic = dir.path().join("profiled.heic");
    if !heif_enc(&png, &heic) {
        return;
    }
    let tools = tools();
    if !tools.heif {
        return;
    }
    if tools.heif_thumbs {
        // The finding itself: heif-thumbnailer cannot make this one.
        let refused = Command::new("heif-thumbnailer")
            .args(["-s", "256"])
            .arg(&heic)
            .arg(dir.path().join("t.png"))
            .output()
            .unwrap();
        assert!(
            !refused.status.success(),
            "heif-thumbnailer took it after all"
        );
    }
    let thumb = render(&heic, Kind::Image, 256, tools).expect("a thumbnail");
    assert_eq!(thumb.dimensions(), (256, 192));
    assert_halves(&thumb);
}

/// A program that hangs on a file ends with the helper a timeout kills: nothing is left
/// running. (A stand-in `pdftoppm` that only sleeps is put first on the helper's `PATH`.)
#[cfg(target_os = "linux")] // a stand-in program is a shell script
#[test]
fn a_program_that_hangs_dies_with_the_helper_killed_for_it() {
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};

    use shoebox::thumbs::{Helpers, Output};
    if !tools().pdf {
        eprintln!("skipped: pdftoppm is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("pdftoppm");
    std::fs::write(&fake, "#!/bin/sh\nexec sleep 313.37\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let pdf = dir.path().join("doc.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n").unwrap();
    let mut helpers = Helpers::new(env!("CARGO_BIN_EXE_shoebox").into());
    helpers.timeout = Duration::from_millis(1500);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    helpers.env = vec![("PATH".into(), path.into())];
    let got = through_a_helper(helpers, pdf, dir.path());
    assert!(
        matches!(&got[..], [Output::Failed { why: NoPicture::Unreadable(reason), .. }] if reason == "took too long to read; skipped"),
        "{got:?}"
    );
    // The stand-in is gone with its helper.
    let sleeping = || {
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
            .any(|cmd| String::from_utf8_lossy(&cmd).contains("313.37"))
    };
    let wait = Instant::now();
    while sleeping() && wait.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!sleeping(), "the hanging program outlived its helper");
}
