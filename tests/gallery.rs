//! The Gallery's views read from the store's indexes (its order, its search, its counts)
//! against a reference: every asset listed, then filtered and sorted in memory.

use std::collections::HashMap;

use shoebox::library::{
    AssetId, CollectionId, Cull, Facts, GalleryQuery, ItemId, Search, Sort, SortKey, asset_sort_key,
};
use shoebox::store::culling::{Flag, Keyword, Label, Rating};

use crate::common::Fixture;

/// What the view shows, worked out the long way: every asset, tested one by one by the
/// search (`Search::matches`), sorted.
fn reference(f: &Fixture, q: &GalleryQuery) -> Vec<(AssetId, u64)> {
    let search = Search::parse(&q.search).unwrap();
    let mut all: Vec<_> = f
        .lib
        .assets(Sort::default())
        .unwrap()
        .into_iter()
        .filter(|a| q.collection.is_none() || a.collection_id == q.collection)
        .filter(|a| {
            search.matches(&Facts {
                name: &a.name,
                location: &a.location,
                camera: a.camera.as_deref(),
                kind: a.asset_kind,
                captured_at: a.captured_at,
                culling: &a.culling,
            })
        })
        .collect();
    all.sort_by_cached_key(|a| asset_sort_key(a, q.sort.key));
    if q.sort.descending {
        all.reverse();
    }
    all.iter()
        .map(|a| (a.id.asset().unwrap(), a.size))
        .collect()
}

fn from_store(f: &Fixture, q: &GalleryQuery) -> Vec<(AssetId, u64)> {
    let mut out = Vec::new();
    f.lib
        .each_gallery_id(q, &mut |id, size| {
            out.push((id, size));
            true
        })
        .unwrap();
    out
}

/// Names that test the search: cases, accents, quotes, the needle at either end, and
/// names that share a prefix (ties of the sort keys go by name, then id). Windows refuses
/// a double quote in a file name: there the name holds single quotes (the search for a
/// double quote is still made, and finds nothing).
const QUOTED: &str = if cfg!(windows) {
    "say 'cheese'.jpg"
} else {
    "say \"cheese\".jpg"
};

const NAMES: &[&str] = &[
    "Porto beach.jpg",
    "porto-night.JPG",
    "LISBON.png",
    "Lisbon (2).png",
    "Émile à Évora.jpg",
    "émile-small.jpg",
    QUOTED,
    "notes.txt",
    "clip.mp4",
    "song.mp3",
    "a.txt",
    "ab.txt",
    "abc.txt",
    "sporto.tif",
    "100%.png",
    "under_score.png",
];

#[test]
fn gallery_views_read_from_indexes_match_sorting_every_asset() {
    let mut f = Fixture::new();
    let trips = f.lib.create_collection(None, "Trips").unwrap();
    let porto = f.lib.create_collection(Some(trips), "Porto").unwrap();
    let mut ids = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        // Sizes repeat (ties), import times step (the date without EXIF is the import's).
        let bytes = vec![b'x'; 1 + (i * 7) % 5];
        let into = match i % 3 {
            0 => None,
            1 => Some(trips),
            _ => Some(porto),
        };
        let p = f.file(&format!("{i}/{name}"), &bytes);
        ids.extend(f.import(&[p], into));
        f.clock.advance(if i % 4 == 0 { 0 } else { 60 });
    }
    // Pictures with a camera and a capture date: the words and terms that name them.
    for (i, raw) in ["canon-30d.cr2", "nikon-d70.nef", "canon-350d.dng"]
        .iter()
        .enumerate()
    {
        let bytes = std::fs::read(std::path::Path::new("tests/data").join(raw)).unwrap();
        let p = f.file(&format!("raw{i}/{raw}"), &bytes);
        ids.extend(f.import(&[p], if i == 0 { Some(porto) } else { None }));
    }
    // What the user gave them: ratings, flags, labels and keywords.
    let cull = |f: &mut Fixture, at: &[usize], change: Cull| {
        let these: Vec<ItemId> = at.iter().map(|&i| ids[i]).collect();
        f.lib.cull(&these, &change).unwrap();
    };
    let rating = |n| Cull::Rate(Rating::new(n).unwrap());
    let keyword = |k| Keyword::parse(k).unwrap();
    cull(&mut f, &[0, 1, 16], rating(5));
    cull(&mut f, &[2, 3, 4], rating(3));
    cull(&mut f, &[5, 17], rating(1));
    cull(&mut f, &[0, 2, 16], Cull::Flag(Flag::Pick));
    cull(&mut f, &[1, 6, 8, 18], Cull::Flag(Flag::Reject));
    cull(&mut f, &[0, 3, 17], Cull::Label(Some(Label::Red)));
    cull(&mut f, &[4, 18], Cull::Label(Some(Label::Purple)));
    cull(
        &mut f,
        &[0, 1, 16],
        Cull::Tag(keyword("Places|Portugal|Porto")),
    );
    cull(
        &mut f,
        &[2, 3],
        Cull::Tag(keyword("Places|Portugal|Lisbon")),
    );
    cull(&mut f, &[5, 17, 18], Cull::Tag(keyword("Film")));
    cull(&mut f, &[3], Cull::Tag(keyword("beach")));
    // Gone from the Gallery: one trashed; one renamed (the name index follows).
    f.lib.trash(&[ids[7]]).unwrap();
    let ItemId::Asset(renamed) = ids[9] else {
        panic!()
    };
    f.lib.rename_asset(renamed, "Porto song.mp3").unwrap();

    let searches = [
        "",
        "p",
        "po",
        "PORTO",
        "émile",
        "À É",
        "\"cheese\"",
        "%",
        "_",
        "xyz",
        "abc",
        " ",
        // Words name keywords, cameras and collection paths too.
        "portugal",
        "lisbon",
        "canon",
        "nikon d70",
        "trips",
        "trips/porto",
        "film",
        // Terms, alone, together and negated.
        "rating>=3",
        "rating=0",
        "rating<2",
        "rating>4",
        "rating<=1",
        "flag:pick",
        "flag:reject",
        "-flag:reject",
        "flag:none",
        "label:red",
        "label:none",
        "-label:purple",
        "keyword:Portugal",
        "keyword:\"Places|Portugal\"",
        "keyword:places|portugal|lisbon",
        "-keyword:film",
        "keyword:nothing",
        "type:photo",
        "type:raw",
        "-type:raw",
        "type:video",
        "type:audio",
        "type:other",
        "type:document",
        "camera:canon",
        "camera:EOS",
        "-camera:nikon",
        "camera:leica",
        "taken:2004..2030",
        "-taken:1990..2005",
        "porto rating>=3 -flag:reject",
        "-porto label:red",
        "canon rating>=1",
        "flag:pick type:photo -beach",
    ];
    let all = from_store(&f, &GalleryQuery::default()).len();
    // The searches that select some items and not others: nearly all of them.
    let mut selective = std::collections::HashSet::new();
    let mut views = 0;
    for collection in [None, Some(trips), Some(porto)] {
        for key in [
            SortKey::Date,
            SortKey::Imported,
            SortKey::Rating,
            SortKey::Flag,
            SortKey::Label,
            SortKey::Name,
            SortKey::Size,
            SortKey::Kind,
        ] {
            for descending in [false, true] {
                for search in searches {
                    let q = GalleryQuery {
                        collection,
                        search: search.to_string(),
                        sort: Sort { key, descending },
                        ..Default::default()
                    };
                    let shown = from_store(&f, &q);
                    assert_eq!(shown, reference(&f, &q), "{q:?}");
                    if collection.is_none() && !shown.is_empty() && shown.len() < all {
                        selective.insert(search);
                    }
                    views += 1;
                }
            }
        }
    }
    assert_eq!(views, 3 * 8 * 2 * searches.len());
    let nothing = [
        "xyz",
        "\"cheese\"",
        " ",
        "",
        "keyword:nothing",
        "camera:leica",
        "type:document",
    ];
    for search in searches {
        assert!(
            selective.contains(search)
                || nothing.contains(&search)
                || search == "-taken:1990..2005",
            "{search:?} selects all or nothing"
        );
    }
    // What does not parse is refused with its reason, and shows nothing.
    let bad = GalleryQuery {
        search: "rating>=6".into(),
        ..Default::default()
    };
    let err = f.lib.each_gallery_id(&bad, &mut |_, _| true).unwrap_err();
    assert!(err.to_string().contains("0 to 5"), "{err}");
    // The search finds the renamed name, not the old one, and not the trashed file.
    let q = |search: &str| GalleryQuery {
        search: search.to_string(),
        ..Default::default()
    };
    assert_eq!(from_store(&f, &q("porto song")).len(), 1);
    assert!(from_store(&f, &q("song.mp3")).len() == 1);
    assert!(from_store(&f, &q("notes")).is_empty(), "trashed");
    f.lib.restore_many(&[ids[7]]).unwrap();
    assert_eq!(from_store(&f, &q("notes")).len(), 1, "restored");
    f.reopen();
    assert_eq!(from_store(&f, &q("porto song")).len(), 1, "kept on disk");
}

#[test]
fn gallery_rows_are_read_by_id_and_counts_by_collection() {
    let mut f = Fixture::new();
    let c = f.lib.create_collection(None, "Album").unwrap();
    let a = f.import_one("a.txt", b"a");
    let p = f.file("b.txt", b"bb");
    let b = f.import(&[p], Some(c))[0];
    let p = f.file("c.txt", b"ccc");
    let gone = f.import(&[p], Some(c))[0];
    f.lib.trash(&[gone]).unwrap();
    let asset = |id: ItemId| id.asset().unwrap();
    let rows = f
        .lib
        .assets_by_id(&[asset(b), asset(gone), asset(a)])
        .unwrap();
    let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["b.txt", "a.txt"], "in the order asked, active only");
    assert_eq!(rows[0].location, "Album");
    assert_eq!(rows[0].size, 2);
    let counts = f.lib.asset_counts().unwrap();
    let expected: HashMap<Option<CollectionId>, u64> = [(None, 1), (Some(c), 1)].into();
    assert_eq!(counts, expected);
}

/// The folders to watch are read a page of files at a time (so the window's reads go
/// between the pages): any page size finds each folder of the files imported in place once,
/// and none of the files imported by copy or in the Trash.
#[test]
fn the_folders_to_watch_read_a_page_at_a_time_are_each_folder_once() {
    let mut f = Fixture::new();
    for (i, dir) in ["a", "a", "b", "c/d", "c/d", "c"].iter().enumerate() {
        let p = f.file(&format!("{dir}/{i}.txt"), i.to_string().as_bytes());
        f.import_in_place(&p);
    }
    let gone = f.file("e/gone.txt", b"gone");
    let gone = f.import_in_place(&gone);
    f.lib.trash(&[gone]).unwrap();
    let copied = f.file("f/copied.txt", b"copied");
    f.import(&[copied], None);
    // (Compared by their ends: the library holds the files' full, resolved paths.)
    let want = ["a", "b", "c", "c/d"];
    let ends = |dirs: &[std::path::PathBuf]| {
        dirs.len() == want.len()
            && dirs
                .iter()
                .zip(want)
                .all(|(d, w)| d.ends_with(std::path::Path::new(w)))
    };
    let mut all = std::collections::BTreeSet::new();
    let last = f.lib.in_place_folders_page(0, 1_000, &mut all).unwrap();
    assert_eq!(last, None, "one page holds them all");
    let all: Vec<_> = all.into_iter().collect();
    assert!(ends(&all), "{all:?}");
    for page in 1..=7 {
        let mut dirs = std::collections::BTreeSet::new();
        let mut after = 0;
        let mut pages = 0;
        while let Some(next) = f.lib.in_place_folders_page(after, page, &mut dirs).unwrap() {
            assert!(next > after);
            after = next;
            pages += 1;
        }
        let dirs: Vec<_> = dirs.into_iter().collect();
        assert_eq!(dirs, all, "page of {page}");
        assert!(pages >= 6 / page, "page of {page}: {pages} pages");
    }
}

/// `type:` is read from the store's `file_type` (migration 15), worked out in SQL from the
/// kind and the extension: it must name every file as the search does (`FileType::of`),
/// each RAW extension Shoebox knows included.
#[test]
fn the_stores_file_type_names_every_raw_extension_as_the_search_does() {
    let mut f = Fixture::new();
    let mut names: Vec<String> = shoebox::library::RAW
        .iter()
        .map(|e| format!("x.{}", e.to_uppercase()))
        .collect();
    names.extend(["a.pdf", "b.jpg", "c.mp4", "d.mp3", "e.txt"].map(String::from));
    for (i, name) in names.iter().enumerate() {
        let p = f.file(&format!("{i}/{name}"), name.as_bytes());
        f.import(&[p], None);
    }
    for (search, want) in [
        ("type:raw", shoebox::library::RAW.len()),
        ("type:document", 1),
        ("type:photo", 1),
        ("type:video", 1),
        ("type:audio", 1),
        ("type:other", 1),
        ("-type:raw", 5),
    ] {
        let q = GalleryQuery {
            search: search.into(),
            ..Default::default()
        };
        assert_eq!(from_store(&f, &q).len(), want, "{search}");
        assert_eq!(reference(&f, &q).len(), want, "{search}");
    }
}

/// A group of a view by date spans its day, month or year in the computer's time zone: the
/// dates inside it have its header, the first after it another.
#[test]
fn a_group_by_date_spans_its_day_month_or_year() {
    use shoebox::library::Grouping;
    let at = 1_718_452_800; // 2024-06-15, noon UTC
    assert!(Grouping::None.group_of(at).is_none());
    for g in [Grouping::Day, Grouping::Month, Grouping::Year] {
        let (header, from, until) = g.group_of(at).unwrap();
        assert!(from <= at && at < until, "{g:?}");
        assert_eq!(g.group_of(from).unwrap().0, header, "{g:?}");
        assert_eq!(g.group_of(until - 1).unwrap().0, header, "{g:?}");
        assert_ne!(g.group_of(until).unwrap().0, header, "{g:?}");
        assert!(header.contains("2024"), "{header}");
    }
    let days = |g: Grouping| {
        let (_, from, until) = g.group_of(at).unwrap();
        (until - from) as f64 / 86_400.0
    };
    assert!((days(Grouping::Day) - 1.0).abs() < 0.1);
    assert!((days(Grouping::Month) - 30.0).abs() < 0.1, "June");
    assert!(
        (days(Grouping::Year) - 366.0).abs() < 0.1,
        "2024 is a leap year"
    );
}
