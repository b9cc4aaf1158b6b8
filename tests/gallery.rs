//! The Gallery's views read from the store's indexes (its order, its search, its counts)
//! against a reference: every asset listed, then filtered and sorted in memory.

use std::collections::HashMap;

use shoebox::library::{
    AssetId, CollectionId, GalleryQuery, ItemId, Sort, SortKey, asset_sort_key,
};

use crate::common::Fixture;

/// What the view shows, worked out the long way: every asset, filtered, sorted.
fn reference(f: &Fixture, q: &GalleryQuery) -> Vec<(AssetId, u64)> {
    let needle = q.search.to_lowercase();
    let mut all: Vec<_> = f
        .lib
        .assets(Sort::default())
        .unwrap()
        .into_iter()
        .filter(|a| q.collection.is_none() || a.collection_id == q.collection)
        .filter(|a| a.name.to_lowercase().contains(&needle))
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
    ];
    let mut views = 0;
    for collection in [None, Some(trips), Some(porto)] {
        for key in [SortKey::Date, SortKey::Name, SortKey::Size, SortKey::Kind] {
            for descending in [false, true] {
                for search in searches {
                    let q = GalleryQuery {
                        collection,
                        search: search.to_string(),
                        sort: Sort { key, descending },
                    };
                    assert_eq!(from_store(&f, &q), reference(&f, &q), "{q:?}");
                    views += 1;
                }
            }
        }
    }
    assert_eq!(views, 3 * 4 * 2 * searches.len());
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
