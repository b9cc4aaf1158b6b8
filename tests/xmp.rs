//! XMP written by other tools (real sidecars and JPEGs from darktable, Lightroom, Bridge,
//! Camera Raw, digiKam and Bibble; `tests/data/NOTICE.md` says where each came from), read
//! by Shoebox and checked against ExifTool, the reference reader of XMP (installed by CI;
//! where it is missing the comparison says it skipped, unless `SHOEBOX_REQUIRE_TOOLS` is
//! set), and against what each file is known to hold.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use shoebox::library::{Cull, Flag, ImportOptions, ItemId, Keyword, Label, Rating};
use shoebox::media::xmp::{self, XmpFacts};

use crate::common::Fixture;

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/xmp")
        .join(name)
}

const SIDECARS: [&str; 8] = [
    "darktable-highlight-segmentation.xmp",
    "darktable-sigmoid.xmp",
    "darktable-aurora.jpg.xmp",
    "bibble-darktable-27A1417.CR2.xmp",
    "bridge-2.xmp",
    "lightroom-ladybug.xmp",
    "camera-raw-eos-6d.xmp",
    "digikam-aurora.jpg.xmp",
];
const JPEGS: [&str; 2] = ["ladybug-embedded.jpg", "mongolels-rating3.jpg"];

/// What a file holds, read by Shoebox (a sidecar, or the packet inside a JPEG).
fn shoebox_reads(name: &str) -> XmpFacts {
    let path = sample(name);
    if name.ends_with(".jpg") {
        let packet = xmp::embedded_packet(&path).expect("a packet");
        xmp::parse(&packet).expect(name)
    } else {
        xmp::read_file(&path).expect(name)
    }
}

fn paths(facts: &XmpFacts) -> Vec<&str> {
    facts.keywords.iter().map(Keyword::path).collect()
}

/// A list property of ExifTool's JSON (a lone value, or none, as a list).
fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        Value::Null => Vec::new(),
        one => text(one).into_iter().collect(),
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What ExifTool reads in the file, turned into what Shoebox keeps by the rules of
/// SPEC §5; `None` when ExifTool is not installed.
fn exiftool_reads(name: &str) -> Option<XmpFacts> {
    exiftool_reads_path(&sample(name))
}

/// Runs ExifTool with `args` on `path`; `None` when it is not installed (where it must be,
/// a panic).
fn exiftool(args: &[&str], path: &std::path::Path) -> Option<Value> {
    let out = run_exiftool(args, path)?;
    let all: Value = serde_json::from_slice(&out).expect("exiftool JSON");
    Some(all[0].clone())
}

/// What ExifTool prints, run with `args` on `path`; `None` when it is not installed (where
/// it must be, a panic).
fn run_exiftool(args: &[&str], path: &std::path::Path) -> Option<Vec<u8>> {
    let out = Command::new("exiftool").args(args).arg(path).output();
    let out = match out {
        Ok(out) if out.status.success() => out,
        Ok(out) => panic!("exiftool: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) if std::env::var_os("SHOEBOX_REQUIRE_TOOLS").is_some() => {
            panic!("exiftool is required here (SHOEBOX_REQUIRE_TOOLS is set)")
        }
        Err(_) => {
            eprintln!("skipped: exiftool is not installed");
            return None;
        }
    };
    Some(out.stdout)
}

fn exiftool_reads_path(path: &std::path::Path) -> Option<XmpFacts> {
    let v = &exiftool(
        &[
            "-j",
            "-XMP:Rating",
            "-XMP:Label",
            "-XMP:Subject",
            "-XMP:HierarchicalSubject",
            "-XMP:TagsList",
            "-XMP-darktable:ColorLabels",
        ],
        path,
    )?;
    let mut facts = XmpFacts::default();
    match v["Rating"].as_i64() {
        Some(-1) => facts.flag = Some(Flag::Reject),
        Some(n) => facts.rating = u8::try_from(n).ok().and_then(shoebox::library::Rating::new),
        None => {}
    }
    facts.label = v["Label"].as_str().and_then(Label::parse).or_else(|| {
        list(&v["ColorLabels"])
            .iter()
            .find_map(|i| i.parse::<usize>().ok())
            .and_then(|i| Label::ALL.get(i).copied())
    });
    let mut keywords: Vec<Keyword> = Vec::new();
    let hierarchical = list(&v["HierarchicalSubject"]).into_iter().chain(
        list(&v["TagsList"])
            .into_iter()
            .map(|t| t.replace('/', "|")),
    );
    for k in hierarchical.filter_map(|k| Keyword::parse(&k).ok()) {
        if !keywords
            .iter()
            .any(|h| h.path().eq_ignore_ascii_case(k.path()))
        {
            keywords.push(k);
        }
    }
    for word in list(&v["Subject"]) {
        let held = keywords
            .iter()
            .any(|k| k.path().split('|').any(|l| l.eq_ignore_ascii_case(&word)));
        if !held && let Ok(k) = Keyword::parse(&word) {
            keywords.push(k);
        }
    }
    facts.keywords = keywords;
    Some(facts)
}

/// Every sample read by Shoebox as ExifTool reads it.
#[test]
fn xmp_of_other_tools_is_read_as_exiftool_reads_it() {
    for name in SIDECARS.iter().chain(&JPEGS) {
        let ours = shoebox_reads(name);
        let Some(reference) = exiftool_reads(name) else {
            return;
        };
        let sorted = |f: &XmpFacts| {
            let mut k: Vec<String> = f.keywords.iter().map(|k| k.path().to_lowercase()).collect();
            k.sort();
            (f.rating, f.flag, f.label, k)
        };
        assert_eq!(sorted(&ours), sorted(&reference), "{name}");
    }
}

/// What each sample is known to hold (whether or not ExifTool is here).
#[test]
fn xmp_of_other_tools_holds_what_each_tool_wrote() {
    let r = |n| shoebox::library::Rating::new(n);
    let bridge = shoebox_reads("bridge-2.xmp");
    assert_eq!(bridge.rating, r(4));
    // Bridge's "Review" is a label Shoebox has no colour for.
    assert_eq!(bridge.label, None);
    assert_eq!(paths(&bridge), ["keyworda", "keywordb", "keywordc"]);
    let digikam = shoebox_reads("digikam-aurora.jpg.xmp");
    assert_eq!((digikam.rating, digikam.label), (None, None));
    assert_eq!(
        paths(&digikam),
        ["Nature", "Places", "Reykjavik", "Iceland", "Aurora"]
    );
    let darktable = shoebox_reads("darktable-aurora.jpg.xmp");
    assert_eq!(darktable.rating, r(1));
    assert!(paths(&darktable).contains(&"darktable|format|jpg"));
    // Its flat `format` and `jpg` are levels of that keyword, not keywords of their own.
    assert!(!paths(&darktable).contains(&"jpg"));
    assert_eq!(shoebox_reads("darktable-sigmoid.xmp").rating, r(4));
    assert_eq!(
        paths(&shoebox_reads("darktable-highlight-segmentation.xmp")),
        ["Folk", "toto"]
    );
    let bibble = shoebox_reads("bibble-darktable-27A1417.CR2.xmp");
    assert_eq!((bibble.rating, bibble.label), (r(1), None));
    assert!(bibble.keywords.is_empty());
    assert_eq!(paths(&shoebox_reads("lightroom-ladybug.xmp")), ["Ladybug"]);
    assert!(shoebox_reads("camera-raw-eos-6d.xmp").is_empty());
    assert_eq!(shoebox_reads("ladybug-embedded.jpg").rating, r(1));
    assert_eq!(shoebox_reads("mongolels-rating3.jpg").rating, r(3));
}

/// At import: a real darktable sidecar named as darktable names it (`IMG.ARW.xmp`), a
/// Bridge one named as Bridge does (`IMG.xmp`), and a JPEG carrying its own packet.
#[test]
fn xmp_of_other_tools_comes_with_the_pictures_imported() {
    let mut f = Fixture::new();
    let shoot = f.src().join("shoot");
    std::fs::create_dir_all(&shoot).unwrap();
    std::fs::write(shoot.join("hl.arw"), b"not really a raw").unwrap();
    std::fs::copy(
        sample("darktable-highlight-segmentation.xmp"),
        shoot.join("hl.arw.xmp"),
    )
    .unwrap();
    std::fs::write(shoot.join("kw.tif"), b"not really a tiff").unwrap();
    std::fs::copy(sample("bridge-2.xmp"), shoot.join("kw.xmp")).unwrap();
    std::fs::copy(sample("mongolels-rating3.jpg"), shoot.join("mongolels.jpg")).unwrap();
    let report = f
        .lib
        .import(
            &[shoot],
            &ImportOptions {
                in_place: true,
                ..Default::default()
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(report.imported.len(), 3, "{report:?}");
    assert!(
        !report
            .warnings
            .iter()
            .any(|w| w.message.contains("XMP") || w.message.contains("sidecar")),
        "{report:?}"
    );
    let hl = f.asset_named("hl.arw").culling;
    assert_eq!(
        (hl.rating.stars(), hl.keywords.clone()),
        (1, vec!["Folk".to_string(), "toto".to_string()])
    );
    let kw = f.asset_named("kw.tif").culling;
    assert_eq!(kw.rating.stars(), 4);
    assert_eq!(kw.keywords, ["keyworda", "keywordb", "keywordc"]);
    assert_eq!(f.asset_named("mongolels.jpg").culling.rating.stars(), 3);
}

/// What Shoebox writes into a sidecar, ExifTool reads back: the rating (a reject as -1),
/// the label and the keywords; and every other tag ExifTool finds in the sidecar is as it
/// was (a darktable history, Camera Raw's settings, digiKam's own properties).
#[test]
fn xmp_written_into_other_tools_sidecars_is_read_back_by_exiftool_and_the_rest_kept() {
    use shoebox::media::xmp::XmpWrite;
    let owned = [
        "XMP-xmp:Rating",
        "XMP-xmp:Label",
        "XMP-dc:Subject",
        "XMP-lr:HierarchicalSubject",
        "XMP-digiKam:TagsList",
        "XMP-darktable:Colorlabels",
    ];
    let file_tags = ["SourceFile", "System:", "ExifTool:", "File:"];
    let tmp = tempfile::tempdir().unwrap();
    let keywords = vec!["Places|Portugal|Porto".to_string(), "film".to_string()];
    let cases = [
        XmpWrite {
            rating: shoebox::library::Rating::new(5).unwrap(),
            flag: Flag::Pick,
            label: Some(Label::Purple),
            keywords: &keywords,
        },
        XmpWrite {
            flag: Flag::Reject,
            ..Default::default()
        },
    ];
    for name in SIDECARS {
        for (i, facts) in cases.iter().enumerate() {
            let before = std::fs::read(sample(name)).unwrap();
            let written = xmp::write_packet(Some(&before), facts).unwrap();
            let path = tmp.path().join(format!("{i}-{name}"));
            std::fs::write(&path, &written).unwrap();
            let Some(read) = exiftool_reads_path(&path) else {
                return;
            };
            let want = XmpFacts {
                rating: (facts.rating.stars() > 0 && facts.flag != Flag::Reject)
                    .then_some(facts.rating),
                flag: (facts.flag == Flag::Reject).then_some(Flag::Reject),
                label: facts.label,
                keywords: facts
                    .keywords
                    .iter()
                    .map(|k| Keyword::parse(k).unwrap())
                    .collect(),
            };
            assert_eq!(read.rating, want.rating, "{name} {i}");
            assert_eq!(read.flag, want.flag, "{name} {i}");
            assert_eq!(read.label, want.label, "{name} {i}");
            assert_eq!(read.keywords, want.keywords, "{name} {i}");
            assert_eq!(xmp::parse(written.as_bytes()).unwrap().rating, want.rating);
            // Everything else, tag by tag, as ExifTool reads it before and after.
            let others = |path: &std::path::Path| -> Vec<(String, String)> {
                let Some(Value::Object(all)) = exiftool(&["-j", "-a", "-G1", "-struct"], path)
                else {
                    return Vec::new();
                };
                all.into_iter()
                    .filter(|(k, _)| !owned.contains(&k.as_str()))
                    .filter(|(k, _)| !file_tags.iter().any(|f| k.starts_with(f)))
                    .map(|(k, v)| (k, v.to_string()))
                    .collect()
            };
            let kept = others(&sample(name));
            assert!(!kept.is_empty(), "{name}: ExifTool finds other tags");
            assert_eq!(others(&path), kept, "{name} {i}: the rest is as it was");
        }
    }
}

/// Imports `files` (name, bytes) of one folder in place, with writing XMP on: the folder.
fn shoot_in_place(f: &mut Fixture, files: &[(&str, &[u8])]) -> PathBuf {
    let shoot = f.src().join("shoot");
    std::fs::create_dir_all(&shoot).unwrap();
    for (name, bytes) in files {
        std::fs::write(shoot.join(name), bytes).unwrap();
    }
    let options = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    let report = f
        .lib
        .import(std::slice::from_ref(&shoot), &options, &mut |_| {})
        .unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    f.lib.set_write_xmp(true).unwrap();
    shoot
}

fn culls(f: &mut Fixture, id: ItemId, changes: &[Cull]) -> Vec<shoebox::library::Unwritten> {
    changes
        .iter()
        .flat_map(|c| f.lib.cull(&[id], c).unwrap().unwritten)
        .collect()
}

fn kw(path: &str) -> Keyword {
    Keyword::parse(path).unwrap()
}

/// Off by default: a change goes into the library only.
#[test]
fn xmp_is_not_written_unless_the_setting_is_on() {
    let mut f = Fixture::new();
    let shoot = shoot_in_place(&mut f, &[("a.jpg", b"a picture")]);
    f.lib.set_write_xmp(false).unwrap();
    let a = f.asset_named("a.jpg").id;
    assert!(culls(&mut f, a, &[Cull::Rate(Rating::new(3).unwrap())]).is_empty());
    assert_eq!(f.asset_named("a.jpg").culling.rating.stars(), 3);
    assert!(!shoot.join("a.xmp").exists());
    assert_eq!(std::fs::read_dir(&shoot).unwrap().count(), 1);
}

/// With writing XMP on, an item without a sidecar gets `NAME.xmp` beside its file, which
/// ExifTool reads as the library has it after each change (a reject as -1); the new sidecar
/// is the item's: the file check sees no change made outside, and it goes to the Trash and
/// comes back with its item.
#[test]
fn xmp_written_into_a_new_sidecar_is_read_by_exiftool_and_travels_with_its_item() {
    let mut f = Fixture::new();
    let shoot = shoot_in_place(&mut f, &[("IMG_1.jpg", b"a picture")]);
    let id = f.asset_named("IMG_1.jpg").id;
    let sidecar = shoot.join("IMG_1.xmp");
    let unwritten = culls(
        &mut f,
        id,
        &[
            Cull::Rate(Rating::new(4).unwrap()),
            Cull::Label(Some(Label::Red)),
            Cull::Tag(kw("Places|Portugal|Lisbon")),
            Cull::Tag(kw("film")),
        ],
    );
    assert!(unwritten.is_empty(), "{unwritten:?}");
    let want = XmpFacts {
        rating: Rating::new(4),
        flag: None,
        label: Some(Label::Red),
        keywords: vec![kw("film"), kw("Places|Portugal|Lisbon")],
    };
    assert_eq!(xmp::read_file(&sidecar).unwrap(), want);
    if let Some(read) = exiftool_reads_path(&sidecar) {
        let mut read_sorted = read.clone();
        read_sorted
            .keywords
            .sort_by_key(|k| k.path().to_lowercase());
        assert_eq!(read_sorted, want);
    }
    // A reject is written as -1; untagging takes the keyword out.
    culls(
        &mut f,
        id,
        &[Cull::Flag(Flag::Reject), Cull::Untag(kw("film"))],
    );
    let read = exiftool_reads_path(&sidecar).unwrap_or_else(|| xmp::read_file(&sidecar).unwrap());
    assert_eq!(read.flag, Some(Flag::Reject));
    assert_eq!(read.rating, None);
    assert_eq!(paths(&read), ["Places|Portugal|Lisbon"]);
    // Shoebox's own writing is no change made outside.
    let check = f.lib.check_files().unwrap();
    assert_eq!(check.changed, Vec::<String>::new());
    f.assert_integrity();
    // The sidecar is the item's: to the Trash and back with it.
    f.lib.trash(&[id]).unwrap();
    assert!(
        !sidecar.exists(),
        "the sidecar went to the Trash with its item"
    );
    f.lib.restore(id, &Default::default()).unwrap();
    assert_eq!(xmp::read_file(&sidecar).unwrap().flag, Some(Flag::Reject));
    f.assert_integrity();
}

/// A sidecar the item already has (darktable's, with its develop history) is written in
/// place; everything else in it stays, and no second sidecar is made.
#[test]
fn xmp_written_into_an_items_own_sidecar_keeps_its_history() {
    let mut f = Fixture::new();
    let history = std::fs::read(sample("darktable-sigmoid.xmp")).unwrap();
    let shoot = shoot_in_place(
        &mut f,
        &[("dt.arw", b"not really a raw"), ("dt.arw.xmp", &history)],
    );
    let id = f.asset_named("dt.arw").id;
    let before = f.asset_named("dt.arw").culling;
    let unwritten = culls(
        &mut f,
        id,
        &[Cull::Rate(Rating::new(5).unwrap()), Cull::Tag(kw("Best"))],
    );
    assert!(unwritten.is_empty(), "{unwritten:?}");
    let sidecar = shoot.join("dt.arw.xmp");
    let written = std::fs::read_to_string(&sidecar).unwrap();
    assert!(written.contains("darktable:history"), "the history is kept");
    let read = xmp::read_file(&sidecar).unwrap();
    assert_eq!(read.rating, Rating::new(5));
    let mut want: Vec<String> = before.keywords.clone();
    want.push("Best".into());
    let mut got: Vec<String> = read.keywords.iter().map(|k| k.path().to_string()).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert!(!shoot.join("dt.xmp").exists(), "no second sidecar");
    assert_eq!(f.lib.check_files().unwrap().changed, Vec::<String>::new());
    f.assert_integrity();
}

/// A sidecar that cannot be written — a read-only one, one that is not XML — is named,
/// left byte for byte as it was, and the change stays in the library.
#[test]
fn xmp_sidecar_that_cannot_be_written_is_named_and_the_value_kept() {
    let mut f = Fixture::new();
    let shoot = shoot_in_place(
        &mut f,
        &[
            ("ro.jpg", b"one"),
            ("ro.xmp", b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"),
            ("bad.jpg", b"two"),
        ],
    );
    std::fs::write(shoot.join("bad.xmp"), b"<not xml").unwrap();
    // bad.xmp came after the import: it is no item's, and Shoebox writes into it as the
    // sidecar other tools made for bad.jpg — which it cannot, being broken.
    let ro = shoot.join("ro.xmp");
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).unwrap();
    for (name, sidecar, why) in [
        ("ro.jpg", "ro.xmp", "read-only"),
        ("bad.jpg", "bad.xmp", "not well-formed"),
    ] {
        let id = f.asset_named(name).id;
        let before = std::fs::read(shoot.join(sidecar)).unwrap();
        let unwritten = culls(&mut f, id, &[Cull::Rate(Rating::new(2).unwrap())]);
        assert_eq!(unwritten.len(), 1, "{name}: {unwritten:?}");
        assert_eq!(unwritten[0].path, shoot.join(sidecar));
        assert!(unwritten[0].reason.contains(why), "{unwritten:?}");
        assert!(
            unwritten[0].to_string().contains("the library keeps"),
            "{}",
            unwritten[0]
        );
        assert_eq!(
            std::fs::read(shoot.join(sidecar)).unwrap(),
            before,
            "{sidecar} untouched"
        );
        assert_eq!(
            f.asset_named(name).culling.rating.stars(),
            2,
            "{name} keeps its rating"
        );
    }
    // Nothing else was left in the folder (no temporary file).
    let mut names: Vec<String> = std::fs::read_dir(&shoot)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bad.jpg", "bad.xmp", "ro.jpg", "ro.xmp"]);
}

/// Two items of one name but their extension: the second's sidecar is `NAME.EXT.xmp`, as
/// darktable names it, never the first's.
#[test]
fn xmp_of_two_items_of_one_stem_goes_into_two_sidecars() {
    let mut f = Fixture::new();
    let shoot = shoot_in_place(&mut f, &[("p.png", b"png"), ("p.gif", b"gif")]);
    let (png, gif) = (f.asset_named("p.png").id, f.asset_named("p.gif").id);
    culls(&mut f, png, &[Cull::Rate(Rating::new(1).unwrap())]);
    culls(&mut f, gif, &[Cull::Rate(Rating::new(5).unwrap())]);
    // The first written takes `p.xmp`; the other, its own name.
    assert_eq!(
        xmp::read_file(&shoot.join("p.xmp")).unwrap().rating,
        Rating::new(1)
    );
    assert_eq!(
        xmp::read_file(&shoot.join("p.gif.xmp")).unwrap().rating,
        Rating::new(5)
    );
    f.assert_integrity();
}

/// Two items whose names differ only in case: where the file system ignores case (Windows,
/// macOS; Wine too) `img_1.xmp` is `IMG_1.xmp`, the first item's, so the second takes
/// `img_1.JPG.xmp`; where it does not, each has its own `NAME.xmp`. Never one sidecar for
/// both.
#[test]
fn xmp_of_two_items_whose_names_differ_in_case_goes_into_two_sidecars() {
    let mut f = Fixture::new();
    let shoot = shoot_in_place(&mut f, &[("IMG_1.jpg", b"upper"), ("img_1.JPG", b"lower")]);
    // The second item's name is made its own in the collection ("img_1 (2).JPG"); its
    // file keeps its name.
    let names = f.active_names();
    let [first, second] = names.as_slice() else {
        return; // one file on this file system: nothing to tell apart
    };
    let (upper, lower) = (f.asset_named(first).id, f.asset_named(second).id);
    assert!(culls(&mut f, upper, &[Cull::Rate(Rating::new(1).unwrap())]).is_empty());
    assert!(culls(&mut f, lower, &[Cull::Rate(Rating::new(5).unwrap())]).is_empty());
    let mut ratings: Vec<Option<u8>> = std::fs::read_dir(&shoot)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xmp"))
        .map(|p| xmp::read_file(&p).unwrap().rating.map(Rating::stars))
        .collect();
    ratings.sort();
    assert_eq!(ratings, [Some(1), Some(5)]);
    f.assert_integrity();
}

/// Renaming or deleting a keyword rewrites the sidecars of the items that carried it.
#[test]
fn xmp_follows_a_keyword_renamed_or_deleted() {
    let mut f = Fixture::new();
    let shoot = shoot_in_place(&mut f, &[("k.jpg", b"k")]);
    let id = f.asset_named("k.jpg").id;
    culls(&mut f, id, &[Cull::Tag(kw("Places|Porto"))]);
    assert!(
        f.lib
            .rename_keyword(&kw("Places"), &kw("Portugal"))
            .unwrap()
            .is_empty()
    );
    let read = xmp::read_file(&shoot.join("k.xmp")).unwrap();
    assert_eq!(paths(&read), ["Portugal|Porto"]);
    let (carried, unwritten) = f.lib.delete_keyword(&kw("Portugal")).unwrap();
    assert_eq!((carried, unwritten.len()), (1, 0));
    assert!(
        xmp::read_file(&shoot.join("k.xmp"))
            .unwrap()
            .keywords
            .is_empty()
    );
}

/// XMP inside a DNG, a TIFF and a HEIC (written by ExifTool into copies of real files; the
/// TIFF made here) is read as ExifTool reads it, and given to the items imported.
#[test]
fn xmp_inside_dng_tiff_and_heic_is_read_as_exiftool_reads_it() {
    let mut f = Fixture::new();
    let shoot = f.src().join("inside");
    std::fs::create_dir_all(&shoot).unwrap();
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    std::fs::copy(data.join("canon-350d.dng"), shoot.join("raw.dng")).unwrap();
    std::fs::copy(data.join("iphone-grid.heic"), shoot.join("phone.heic")).unwrap();
    image::RgbImage::from_pixel(32, 24, image::Rgb([200, 120, 40]))
        .save(shoot.join("scan.tif"))
        .unwrap();
    let writes: [(&str, &[&str]); 3] = [
        (
            "raw.dng",
            &[
                "-XMP-xmp:Rating=-1",
                "-XMP-xmp:Label=Blue",
                "-XMP-dc:Subject=raw",
            ],
        ),
        (
            "phone.heic",
            &[
                "-XMP-xmp:Rating=4",
                "-XMP-xmp:Label=Red",
                "-XMP-lr:HierarchicalSubject=Places|Portugal|Lisbon",
                "-XMP-dc:Subject=Lisbon",
            ],
        ),
        ("scan.tif", &["-XMP-xmp:Rating=2", "-XMP-dc:Subject=scans"]),
    ];
    for (name, tags) in writes {
        let path = shoot.join(name);
        let mut args = vec!["-q", "-overwrite_original"];
        args.extend_from_slice(tags);
        if run_exiftool(&args, &path).is_none() {
            return;
        }
    }
    let mut told = Vec::new();
    for (name, _) in writes {
        let path = shoot.join(name);
        let packet = xmp::embedded_packet(&path).unwrap_or_else(|| panic!("{name}: a packet"));
        let facts = xmp::parse(&packet).unwrap();
        if let Some(reference) = exiftool_reads_path(&path) {
            assert_eq!(facts, reference, "{name}");
        }
        told.push((name, facts));
    }
    assert_eq!(told[0].1.flag, Some(Flag::Reject));
    assert_eq!(paths(&told[1].1), ["Places|Portugal|Lisbon"]);
    assert_eq!(told[2].1.rating, Rating::new(2));
    let options = ImportOptions {
        in_place: true,
        ..Default::default()
    };
    let report = f.lib.import(&[shoot], &options, &mut |_| {}).unwrap();
    assert_eq!(report.imported.len(), 3, "{report:?}");
    for (name, facts) in told {
        let given = f.asset_named(name).culling;
        assert_eq!(given.rating.stars(), facts.rating.map_or(0, Rating::stars));
        assert_eq!(Some(given.flag).filter(|f| *f != Flag::None), facts.flag);
        assert_eq!(given.label, facts.label, "{name}");
        assert_eq!(given.keywords, paths(&facts), "{name}");
    }
}

/// A sidecar changed by another tool after the import is read again by the file check:
/// the item takes what it says; one that no longer parses is named, and the item keeps
/// what it had.
#[test]
fn xmp_changed_outside_is_read_again_by_the_file_check() {
    let mut f = Fixture::new();
    let first = xmp::write_packet(
        None,
        &xmp::XmpWrite {
            rating: Rating::new(1).unwrap(),
            ..Default::default()
        },
    )
    .unwrap();
    let shoot = shoot_in_place(&mut f, &[("e.jpg", b"e"), ("e.xmp", first.as_bytes())]);
    f.lib.set_write_xmp(false).unwrap();
    assert_eq!(f.asset_named("e.jpg").culling.rating.stars(), 1);
    let keywords = vec!["Places|Porto".to_string()];
    let later = xmp::write_packet(
        Some(first.as_bytes()),
        &xmp::XmpWrite {
            rating: Rating::new(4).unwrap(),
            label: Some(Label::Green),
            keywords: &keywords,
            ..Default::default()
        },
    )
    .unwrap();
    std::fs::write(shoot.join("e.xmp"), later).unwrap();
    let check = f.lib.check_files().unwrap();
    assert_eq!(check.changed, ["e.jpg"]);
    let given = f.asset_named("e.jpg").culling;
    assert_eq!(
        (given.rating.stars(), given.label, given.keywords),
        (4, Some(Label::Green), keywords.clone())
    );
    std::fs::write(shoot.join("e.xmp"), b"<x:xmpmeta").unwrap();
    let check = f.lib.check_files().unwrap();
    assert_eq!(check.unreadable_xmp.len(), 1, "{check:?}");
    assert_eq!(check.unreadable_xmp[0].0, "e.jpg");
    assert!(check.unreadable_xmp[0].1.contains("not well-formed"));
    assert_eq!(f.asset_named("e.jpg").culling.rating.stars(), 4, "kept");
    f.assert_integrity();
}
