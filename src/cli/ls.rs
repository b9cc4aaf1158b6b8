//! `shoebox ls`: list active items, or the Trash with days left.

use serde_json::{Value, json};

use super::print_json;
use crate::clock;
use crate::library::{Library, Sort, SortKey, TrashSort, human_size};

pub fn run(lib: &mut Library, as_json: bool, trash: bool, inside: bool) -> anyhow::Result<()> {
    // What is listed is checked now (one lstat per file), not only by the app's background
    // check: a file gone or on an unplugged drive says so.
    if !trash {
        lib.check_files()?;
    }
    let items = if trash {
        trash_items(lib, inside)?
    } else {
        active_items(lib)?
    };
    if as_json {
        return print_json(&items);
    }
    for item in &items {
        let id = item["id"].as_str().unwrap_or_default();
        let name = super::shown(item["name"].as_str().unwrap_or_default());
        let size = human_size(item["size"].as_u64().unwrap_or(0));
        if trash {
            println!(
                "{id}\t{}d\t{name}\t{size}\tfrom {}\tdeleted {} by {}",
                item["days_left"],
                super::shown(display_location(
                    item["original_location"].as_str().unwrap_or_default()
                )),
                item["deleted_at"].as_str().unwrap_or_default(),
                super::shown(item["deleted_by"].as_str().unwrap_or_default()),
            );
            if let Some(q) = item["quarantine"].as_str() {
                println!("\t(left alone: {q})");
            }
            if let Some(w) = item["within"].as_str() {
                println!("\t(inside the trashed collection {})", super::shown(w));
            }
        } else {
            let location = super::shown(item["location"].as_str().unwrap_or_default());
            let full = if location.is_empty() {
                name.to_string()
            } else {
                format!("{location}/{name}")
            };
            let flag = if item["missing"].as_bool() == Some(true) {
                "\t(missing)"
            } else if item["offline"].as_bool() == Some(true) {
                "\t(offline)"
            } else {
                ""
            };
            println!(
                "{id}\t{}\t{full}\t{size}{flag}",
                item["kind"].as_str().unwrap_or_default()
            );
        }
    }
    if trash {
        eprintln!(
            "{} in the Trash, {}",
            crate::library::items(lib.trash_count()? as usize),
            human_size(lib.trash_size()?)
        );
    }
    Ok(())
}

fn display_location(l: &str) -> &str {
    if l.is_empty() { "/" } else { l }
}

fn active_items(lib: &Library) -> anyhow::Result<Vec<Value>> {
    let mut out = Vec::new();
    for c in lib.collections()? {
        let location = c
            .path
            .rsplit_once('/')
            .map(|(p, _)| p)
            .unwrap_or("")
            .to_string();
        out.push(json!({
            "id": c.id, "kind": "collection", "name": c.name, "location": location, "size": 0,
        }));
    }
    for a in lib.assets(Sort {
        key: SortKey::Name,
        descending: false,
    })? {
        out.push(json!({
            "id": a.id, "kind": "asset", "asset_kind": a.asset_kind, "name": a.name,
            "location": a.location, "size": a.size, "path": a.path, "in_place": a.in_place,
            "missing": a.missing, "offline": a.offline, "width": a.width, "height": a.height,
            "captured_at": a.captured_at.map(clock::rfc3339),
            "imported_at": clock::rfc3339(a.imported_at), "camera": a.camera,
            "duration_ms": a.duration_ms,
            "companions": a.companions,
        }));
    }
    Ok(out)
}

/// The Trash's entries; with `inside`, then what its trashed collections hold (each with
/// `within`: the path of the trashed collection it is in).
fn trash_items(lib: &Library, inside: bool) -> anyhow::Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut listed = lib.trash_entries(TrashSort::DeletedAt)?;
    if inside {
        let mut held = lib.trash_inside()?;
        held.sort_by(|a, b| {
            let path = |e: &crate::library::TrashEntry| {
                e.within
                    .as_ref()
                    .map(|w| w.path.clone())
                    .unwrap_or_default()
            };
            (path(a), a.name.to_lowercase()).cmp(&(path(b), b.name.to_lowercase()))
        });
        listed.extend(held);
    }
    for e in listed {
        let kind = if e.asset_kind.is_some() {
            "asset"
        } else {
            "collection"
        };
        let mut v = json!({
            "id": e.id, "kind": kind, "name": e.name, "location": e.original_location,
            "size": e.size, "deleted_at": clock::rfc3339(e.deleted_at), "deleted_by": e.deleted_by,
            "days_left": e.days_left, "original_location": e.original_location,
            "batch": e.batch_id, "item_count": e.item_count,
        });
        if let Some(k) = e.asset_kind {
            v["asset_kind"] = json!(k);
            v["path"] = json!(e.trash_path);
            v["original_path"] = json!(e.original_path);
            let (missing, offline) = match &e.trash_path {
                Some(p) => match std::fs::symlink_metadata(p) {
                    Ok(m) => (!m.is_file(), false),
                    Err(_) if p.parent().is_some_and(|d| d.is_dir()) => (true, false),
                    Err(_) => (false, true),
                },
                None => (true, false),
            };
            v["missing"] = json!(missing);
            v["offline"] = json!(offline);
        }
        if let Some(q) = &e.quarantine {
            v["quarantine"] = json!(q);
        }
        if let Some(w) = &e.within {
            v["within"] = json!(w.path);
        }
        out.push(v);
    }
    Ok(out)
}
