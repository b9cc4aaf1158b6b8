//! Read-only listings: the Gallery's assets and collections, the Trash, sizes and counts.
//! Trashed items never appear in a standard listing.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;

use super::{
    AssetId, AssetInfo, BatchInfo, CollectionId, CollectionInfo, ItemId, Kind, Library,
    LibraryError, Result, TrashEntry, Within,
};
use crate::clock::UnixSecs;
use crate::store::trash_listing::{self, Entries};
use crate::store::{self, AssetState, CollectionStatus};

/// What the Gallery sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SortKey {
    /// The capture date, else the import date.
    #[default]
    Date,
    /// The import date.
    Imported,
    /// The stars.
    Rating,
    /// Rejects, then neither, then picks.
    Flag,
    /// No label, then red, yellow, green, blue, purple.
    Label,
    Name,
    Size,
    Kind,
}

/// One view of the Gallery: the assets directly in a collection (or all of them) that
/// `search` selects (the search syntax of `library::search`), in `sort`'s order; by date,
/// grouped by `group`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GalleryQuery {
    pub collection: Option<CollectionId>,
    pub search: String,
    pub sort: Sort,
    pub group: Grouping,
}

/// How a view by date is grouped, each group under a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Grouping {
    #[default]
    None,
    Day,
    Month,
    Year,
}

impl Grouping {
    /// The group a date is in (in the computer's time zone): its header, and the times it
    /// spans, `[from, until)`; `None`: not grouped. A view's dates come in order, so the
    /// next group is looked for only when a date leaves the span.
    pub fn group_of(self, at: UnixSecs) -> Option<(String, UnixSecs, UnixSecs)> {
        use chrono::{Datelike, Months, NaiveDate, TimeZone};
        let local = chrono::Local.timestamp_opt(at, 0).earliest()?;
        let day = local.date_naive();
        let (first, next, format) = match self {
            Grouping::None => return None,
            Grouping::Day => (day, day.succ_opt()?, "%A %-d %B %Y"),
            Grouping::Month => {
                let first = day.with_day(1)?;
                (first, first.checked_add_months(Months::new(1))?, "%B %Y")
            }
            Grouping::Year => {
                let first = NaiveDate::from_ymd_opt(day.year(), 1, 1)?;
                (first, first.with_year(day.year() + 1)?, "%Y")
            }
        };
        let start = |d: NaiveDate| -> Option<UnixSecs> {
            let midnight = d.and_hms_opt(0, 0, 0)?;
            Some(
                chrono::Local
                    .from_local_datetime(&midnight)
                    .earliest()?
                    .timestamp(),
            )
        };
        Some((
            local.format(format).to_string(),
            start(first)?,
            start(next)?,
        ))
    }
}

/// A sort key and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// What the Trash sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum TrashSort {
    #[default]
    DeletedAt,
    DaysLeft,
    Name,
    Size,
}

impl Library {
    /// Every active collection with its full path, sorted by path.
    pub fn collections(&self) -> Result<Vec<CollectionInfo>> {
        let rows = trash_listing::all_collections(&self.conn)?;
        let all: CollectionMap = rows
            .iter()
            .map(|c| (c.id, (c.parent, c.name.clone())))
            .collect();
        let mut out: Vec<CollectionInfo> = rows
            .into_iter()
            .filter(|c| c.status == CollectionStatus::Active)
            .map(|c| CollectionInfo {
                id: ItemId::Collection(c.id),
                parent_id: c.parent,
                path: path_in(&all, Some(c.id)),
                name: c.name,
            })
            .collect();
        out.sort_by_key(|c| c.path.to_lowercase());
        Ok(out)
    }

    fn collection_map(&self) -> Result<CollectionMap> {
        Ok(trash_listing::all_collections(&self.conn)?
            .into_iter()
            .map(|c| (c.id, (c.parent, c.name)))
            .collect())
    }

    /// Every active asset, sorted.
    pub fn assets(&self, sort: Sort) -> Result<Vec<AssetInfo>> {
        let mut out = Vec::new();
        self.each_asset(&mut |a| {
            out.push(a);
            true
        })?;
        sort_assets(&mut out, sort);
        Ok(out)
    }

    /// Every active asset, by collection and then name, handed to `each` one by one as it is
    /// read (the first at once, whatever the library's size); `each` returns false to stop.
    pub fn each_asset(&self, each: &mut dyn FnMut(AssetInfo) -> bool) -> Result<()> {
        let cols = self.collection_map()?;
        let mut paths_cache: HashMap<Option<CollectionId>, String> = HashMap::new();
        store::each_active_asset(&self.conn, &mut |row| {
            each(self.asset_info(row, &cols, &mut paths_cache))
        })?;
        Ok(())
    }

    /// The ids and sizes of what a view of the Gallery shows, in its order, handed to
    /// `each` as they are read from an index (the first at once, whatever the library's
    /// size); `each` returns false to stop.
    pub fn each_gallery_id(
        &self,
        view: &GalleryQuery,
        each: &mut dyn FnMut(AssetId, u64) -> bool,
    ) -> Result<()> {
        self.each_gallery_id_dated(view, &mut |id, size, _| each(id, size))
    }

    /// [`Library::each_gallery_id`], with the date each is ordered by in a view by date
    /// (capture or import date; `None` in another order).
    pub fn each_gallery_id_dated(
        &self,
        view: &GalleryQuery,
        each: &mut dyn FnMut(AssetId, u64, Option<UnixSecs>) -> bool,
    ) -> Result<()> {
        let filter = self.filter_of(&view.search)?;
        let mut gallery = self.gallery_view(view, &filter);
        gallery.dated = view.group != Grouping::None;
        store::each_gallery_id(&self.conn, &gallery, each)?;
        Ok(())
    }

    /// The rejects a view of the Gallery shows, by id.
    pub fn rejected_in_view(&self, view: &GalleryQuery) -> Result<Vec<ItemId>> {
        let filter = self.filter_of(&view.search)?;
        Ok(
            store::rejected_in_view(&self.conn, &self.gallery_view(view, &filter))?
                .into_iter()
                .map(ItemId::Asset)
                .collect(),
        )
    }

    /// The cameras the items of the Gallery were taken with, each once, by name.
    pub fn cameras(&self) -> Result<Vec<String>> {
        Ok(store::cameras(&self.conn)?)
    }

    /// The store's filter for what the user typed (the search syntax of `library::search`).
    fn filter_of(&self, text: &str) -> Result<Vec<store::Filter>> {
        let search = super::search::Search::parse(text).map_err(LibraryError::Invalid)?;
        if !search.needs_names() {
            return Ok(search.filter(&super::search::Names {
                cameras: &[],
                collections: &[],
                keywords: &[],
            }));
        }
        let cameras = store::cameras(&self.conn)?;
        let collections: Vec<(CollectionId, String)> = self
            .collections()?
            .into_iter()
            .filter_map(|c| Some((c.id.collection()?, c.path)))
            .collect();
        let keywords = store::keywords(&self.conn)?;
        Ok(search.filter(&super::search::Names {
            cameras: &cameras,
            collections: &collections,
            keywords: &keywords,
        }))
    }

    fn gallery_view<'a>(
        &self,
        view: &GalleryQuery,
        filter: &'a [store::Filter],
    ) -> store::GalleryView<'a> {
        let order = match view.sort.key {
            SortKey::Date => store::Order::Date,
            SortKey::Imported => store::Order::Imported,
            SortKey::Rating => store::Order::Rating,
            SortKey::Flag => store::Order::Flag,
            SortKey::Label => store::Order::Label,
            SortKey::Name => store::Order::Name,
            SortKey::Size => store::Order::Size,
            SortKey::Kind => store::Order::Kind,
        };
        store::GalleryView {
            collection: view.collection,
            filter,
            order,
            descending: view.sort.descending,
            dated: false,
        }
    }

    /// The active assets among `ids`, in that order (one no longer active is left out):
    /// the rows a window of the Gallery shows.
    pub fn assets_by_id(&self, ids: &[AssetId]) -> Result<Vec<AssetInfo>> {
        let cols = self.collection_map()?;
        let mut paths_cache = HashMap::new();
        Ok(store::active_assets_by_id(&self.conn, ids)?
            .into_iter()
            .map(|row| self.asset_info(row, &cols, &mut paths_cache))
            .collect())
    }

    /// Up to `limit` active pictures and videos with an id above `after`, by id: pages
    /// of the whole library that end where they stop, whatever it holds.
    pub fn pictures_after(&self, after: AssetId, limit: usize) -> Result<Vec<AssetInfo>> {
        let cols = self.collection_map()?;
        let mut paths_cache = HashMap::new();
        Ok(store::active_pictures_after(&self.conn, after, limit)?
            .into_iter()
            .map(|row| self.asset_info(row, &cols, &mut paths_cache))
            .collect())
    }

    /// The folders holding the files of active assets imported in place, each once, read
    /// a page of `page` files at a time: adds those of the files after the file id `after`
    /// to `dirs`, and returns where the next page starts (`None`: all are read).
    pub fn in_place_folders_page(
        &self,
        after: i64,
        page: usize,
        dirs: &mut std::collections::BTreeSet<PathBuf>,
    ) -> Result<Option<i64>> {
        let mut n = 0;
        let last = store::in_place_files_after(&self.conn, after, page, &mut |stored| {
            n += 1;
            if let Ok(path) = self.home_path(stored, true)
                && let Some(dir) = path.parent()
                && !dirs.contains(dir)
            {
                dirs.insert(dir.to_path_buf());
            }
        })?;
        Ok(last.filter(|_| n == page))
    }

    /// How many active assets each collection holds directly (`None`: the top of the
    /// library).
    pub fn asset_counts(&self) -> Result<HashMap<Option<CollectionId>, u64>> {
        Ok(store::active_counts_by_collection(&self.conn)?
            .into_iter()
            .collect())
    }

    /// An asset as the window and the command line show it.
    fn asset_info(
        &self,
        row: store::AssetListing,
        cols: &CollectionMap,
        paths_cache: &mut HashMap<Option<CollectionId>, String>,
    ) -> AssetInfo {
        let location = paths_cache
            .entry(row.collection_id)
            .or_insert_with(|| path_in(cols, row.collection_id))
            .clone();
        let home = |stored: &str| {
            self.home_path(stored, row.in_place)
                .unwrap_or_else(|_| PathBuf::from(stored))
        };
        AssetInfo {
            id: ItemId::Asset(row.id),
            path: home(&row.main_path),
            main_size: row.main_size.max(0) as u64,
            companions: row.companions.iter().map(|(p, _)| home(p)).collect(),
            companion_sizes: row
                .companions
                .iter()
                .map(|(_, s)| (*s).max(0) as u64)
                .collect(),
            name: row.name,
            asset_kind: Kind::parse(&row.kind),
            collection_id: row.collection_id,
            location,
            size: row.size.max(0) as u64,
            in_place: row.in_place,
            imported_at: row.imported_at,
            captured_at: row.captured_at,
            width: row.width,
            height: row.height,
            camera: row.camera,
            missing: row.missing == super::check::MISSING,
            offline: row.missing == super::check::OFFLINE,
            hash: row.hash,
            duration_ms: row.duration_ms,
            culling: row.culling,
        }
    }

    /// The Trash: one entry per directly deleted item, sorted.
    pub fn trash_entries(&self, sort: TrashSort) -> Result<Vec<TrashEntry>> {
        let listing = self.trash_listing()?;
        let mut out = self.trashed_assets(&listing, Entries::Own)?;
        out.extend(self.trashed_collections(&listing, Entries::Own)?);
        sort_trash(&mut out, sort);
        Ok(out)
    }

    /// What the trashed collections of the Trash hold: their items and sub-collections, each
    /// with `within` saying where it is in there. Unsorted.
    pub fn trash_inside(&self) -> Result<Vec<TrashEntry>> {
        let listing = self.trash_listing()?;
        let mut assets = self.trashed_assets(&listing, Entries::Inside)?;
        let mut collections = self.trashed_collections(&listing, Entries::Inside)?;
        // A sub-collection carries what is below it.
        let mut carried: HashMap<CollectionId, (u64, u64)> = HashMap::new();
        for a in &assets {
            let Some(within) = &a.within else { continue };
            let mut cur = Some(within.collection);
            while let Some(c) = cur
                && c != within.entry
            {
                let slot = carried.entry(c).or_default();
                slot.0 += 1;
                if !a.missing {
                    slot.1 += a.size;
                }
                cur = listing.cols.get(&c).and_then(|(parent, _)| *parent);
            }
        }
        for c in &mut collections {
            if let Some(&(count, size)) = c.id.collection().and_then(|id| carried.get(&id)) {
                c.item_count = count;
                c.size = size;
            }
        }
        assets.append(&mut collections);
        Ok(assets)
    }

    fn trash_listing(&self) -> Result<TrashListing> {
        Ok(TrashListing {
            retention: self.retention_days()?,
            now: self.clock.now(),
            cols: self.collection_map()?,
        })
    }

    /// The trashed assets that are `entries`, as Trash entries.
    fn trashed_assets(&self, listing: &TrashListing, entries: Entries) -> Result<Vec<TrashEntry>> {
        let mut roots: HashMap<i64, Option<PathBuf>> = HashMap::new();
        let rows = trash_listing::trashed_assets(&self.conn, entries)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let trash_path = match (r.trash_root, r.trash_name) {
                (Some(rid), Some(n)) => roots
                    .entry(rid)
                    .or_insert_with(|| self.trash_root(rid).ok())
                    .as_ref()
                    .map(|root| root.join(n)),
                _ => None,
            };
            let original_path = r
                .main_path
                .and_then(|s| self.home_path(&s, r.in_place).ok());
            out.push(TrashEntry {
                id: ItemId::Asset(r.id),
                name: r.name,
                asset_kind: Some(Kind::parse(&r.kind)),
                size: r.size.max(0) as u64,
                item_count: 1,
                deleted_at: r.deleted_at,
                deleted_by: r.deleted_by,
                days_left: Library::days_left(listing.retention, r.deleted_at, listing.now),
                original_location: r.orig_location.unwrap_or_default(),
                original_path,
                trash_path,
                batch_id: r.batch,
                width: r.width,
                height: r.height,
                captured_at: r.captured_at,
                camera: r.camera,
                hash: Some(r.hash),
                quarantine: r.quarantine,
                within: listing.within(r.collection, r.via),
                missing: r.missing == super::check::MISSING,
                culling: Some(r.culling),
            });
        }
        Ok(out)
    }

    /// The trashed collections that are `entries`, as Trash entries.
    fn trashed_collections(
        &self,
        listing: &TrashListing,
        entries: Entries,
    ) -> Result<Vec<TrashEntry>> {
        let rows = trash_listing::trashed_collections(&self.conn, entries, super::check::MISSING)?;
        Ok(rows
            .into_iter()
            .map(|r| TrashEntry {
                id: ItemId::Collection(r.id),
                name: r.name,
                asset_kind: None,
                size: r.size.max(0) as u64,
                item_count: r.items.max(0) as u64,
                deleted_at: r.deleted_at,
                deleted_by: r.deleted_by,
                days_left: Library::days_left(listing.retention, r.deleted_at, listing.now),
                original_location: r
                    .orig_location
                    .unwrap_or_else(|| path_in(&listing.cols, r.parent)),
                original_path: None,
                trash_path: None,
                batch_id: r.batch,
                width: None,
                height: None,
                captured_at: None,
                camera: None,
                hash: None,
                quarantine: None,
                within: listing.within(r.parent, r.via),
                missing: false,
                culling: None,
            })
            .collect())
    }

    /// How many entries the Trash holds.
    pub fn trash_count(&self) -> Result<u64> {
        Ok(trash_listing::entry_count(&self.conn)?)
    }

    /// A number that moves on whenever an asset comes, goes or changes its order or place
    /// (the Gallery's views are read again when it has).
    pub fn assets_version(&self) -> Result<u64> {
        Ok(store::assets_version(&self.conn)?)
    }

    /// Bytes held by active assets (the Trash does not count).
    pub fn library_size(&self) -> Result<u64> {
        Ok(store::active_bytes(&self.conn)?)
    }

    /// Bytes held in the Trash.
    pub fn trash_size(&self) -> Result<u64> {
        // A file missing from disk holds no bytes in the Trash.
        Ok(store::trashed_bytes_except(
            &self.conn,
            super::check::MISSING,
        )?)
    }

    /// The batches that still have items in the Trash, newest first.
    pub fn batches(&self) -> Result<Vec<BatchInfo>> {
        Ok(trash_listing::batches_in_trash(&self.conn)?
            .into_iter()
            .map(|b| BatchInfo {
                id: b.id,
                created_at: b.created_at,
                deleted_by: b.deleted_by,
                label: b.label,
            })
            .collect())
    }
}

/// What listing the Trash reads once: the retention, the time, and every collection.
struct TrashListing {
    retention: i64,
    now: i64,
    cols: CollectionMap,
}

impl TrashListing {
    /// Where an item held by `collection` is inside the trashed collection `entry`.
    fn within(
        &self,
        collection: Option<CollectionId>,
        entry: Option<CollectionId>,
    ) -> Option<Within> {
        let (collection, entry) = (collection?, entry?);
        let mut names = Vec::new();
        let mut cur = Some(collection);
        while let Some(c) = cur {
            let (parent, name) = self.cols.get(&c)?;
            names.push(name.as_str());
            if c == entry {
                break;
            }
            cur = *parent;
        }
        names.reverse();
        Some(Within {
            collection,
            entry,
            path: names.join("/"),
        })
    }
}

type CollectionMap = HashMap<CollectionId, (Option<CollectionId>, String)>;

fn path_in(map: &CollectionMap, id: Option<CollectionId>) -> String {
    super::rows::path_of(id, |c| {
        Ok::<_, std::convert::Infallible>(map.get(&c).cloned())
    })
    .unwrap_or_default()
}

/// The key assets sort by: the chosen field, then the name ignoring case.
pub fn asset_sort_key(a: &AssetInfo, key: SortKey) -> (i64, String, i64) {
    let primary = match key {
        SortKey::Date => a.captured_at.unwrap_or(a.imported_at),
        SortKey::Imported => a.imported_at,
        SortKey::Rating => i64::from(a.culling.rating.stars()),
        SortKey::Flag => a.culling.flag.code(),
        SortKey::Label => a.culling.label.map_or(0, |l| {
            1 + crate::store::culling::Label::ALL
                .iter()
                .position(|x| *x == l)
                .unwrap_or(0) as i64
        }),
        SortKey::Name => 0,
        SortKey::Size => a.size as i64,
        SortKey::Kind => a.asset_kind as i64,
    };
    let id = a.id.asset().map_or(0, |id| id.0);
    (primary, a.name.to_lowercase(), id)
}

/// Sorts assets in place; ties fall back to the name.
pub fn sort_assets(list: &mut [AssetInfo], sort: Sort) {
    list.sort_by_cached_key(|a| asset_sort_key(a, sort.key));
    if sort.descending {
        list.reverse();
    }
}

/// The order of two Trash entries: newest deletion, fewest days left, name, or largest first.
pub fn trash_order(a: &TrashEntry, b: &TrashEntry, sort: TrashSort) -> std::cmp::Ordering {
    match sort {
        TrashSort::DeletedAt => b
            .deleted_at
            .cmp(&a.deleted_at)
            .then_with(|| a.name.cmp(&b.name)),
        TrashSort::DaysLeft => a
            .days_left
            .cmp(&b.days_left)
            .then_with(|| a.name.cmp(&b.name)),
        TrashSort::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        TrashSort::Size => b.size.cmp(&a.size),
    }
}

/// Sorts Trash entries in place.
pub fn sort_trash(list: &mut [TrashEntry], sort: TrashSort) {
    list.sort_by(|a, b| trash_order(a, b, sort));
}

/// Where a recorded file is: for checking the library against the disk.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FilePlace {
    pub id: ItemId,
    /// Where the record says the file is now.
    pub path: PathBuf,
    /// Where the file lives when active (the same as `path` for an active asset).
    pub home: PathBuf,
    pub trashed: bool,
    /// The asset is flagged missing (its file was gone when last looked at).
    pub missing: bool,
    pub hash: String,
}

impl Library {
    /// Every recorded file of every asset, active or in the Trash, and where it should be.
    pub fn file_places(&self) -> Result<Vec<FilePlace>> {
        let mut roots: HashMap<i64, Option<PathBuf>> = HashMap::new();
        let rows = trash_listing::recorded_files(&self.conn)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let home = self
                .home_path(&r.path, r.in_place)
                .unwrap_or_else(|_| PathBuf::from(&r.path));
            let trashed = r.state != AssetState::Active;
            let path = match (r.trash_root, r.trash_name) {
                (Some(rid), Some(name)) if trashed => roots
                    .entry(rid)
                    .or_insert_with(|| self.trash_root(rid).ok())
                    .as_ref()
                    .map_or_else(|| home.clone(), |root| root.join(name)),
                _ => home.clone(),
            };
            out.push(FilePlace {
                id: ItemId::Asset(r.asset),
                path,
                home,
                trashed,
                missing: r.missing == super::check::MISSING,
                hash: r.hash,
            });
        }
        Ok(out)
    }
}

/// An asset that can have a picture, and where its main file is now (in the library, where
/// it was imported from, or in a trash area).
#[derive(Debug, Clone, Serialize)]
pub struct PictureSource {
    pub id: ItemId,
    pub name: String,
    pub kind: Kind,
    /// The content hash: the key of its cached thumbnail.
    pub hash: String,
    pub path: PathBuf,
    pub trashed: bool,
}

impl Library {
    /// Every asset in the Gallery or in the Trash (trashed with a collection or alone), with
    /// where its main file is now. Records a crash left half-way are left out.
    pub fn picture_sources(&self) -> Result<Vec<PictureSource>> {
        let mut roots: HashMap<i64, PathBuf> = HashMap::new();
        let rows = trash_listing::picture_records(&self.conn)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let trashed = r.state == AssetState::Trashed;
            let path = match (trashed, r.trash_root, r.trash_name) {
                (true, Some(root), Some(name)) => {
                    super::fsops::validate_component(&name)
                        .map_err(|e| LibraryError::io("refusing a stored trash name", &name, e))?;
                    let dir = match roots.get(&root) {
                        Some(dir) => dir.clone(),
                        None => {
                            let dir = self.trash_root(root)?;
                            roots.insert(root, dir.clone());
                            dir
                        }
                    };
                    dir.join(name)
                }
                _ => self.home_path(&r.path, r.in_place)?,
            };
            out.push(PictureSource {
                id: ItemId::Asset(r.id),
                name: r.name,
                kind: Kind::parse(&r.kind),
                hash: r.hash,
                path,
                trashed,
            });
        }
        Ok(out)
    }
}
