//! XMP written by other tools (real sidecars and JPEGs from darktable, Lightroom, Bridge,
//! Camera Raw, digiKam and Bibble; `tests/data/NOTICE.md` says where each came from), read
//! by Shoebox and checked against ExifTool, the reference reader of XMP (installed by CI;
//! where it is missing the comparison says it skipped, unless `SHOEBOX_REQUIRE_TOOLS` is
//! set), and against what each file is known to hold.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use shoebox::library::{Flag, ImportOptions, Keyword, Label};
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
        let packet = xmp::jpeg_packet(&path).expect("a packet");
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
    let all: Value = serde_json::from_slice(&out.stdout).expect("exiftool JSON");
    Some(all[0].clone())
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
