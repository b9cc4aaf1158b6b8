//! `shoebox ls`: list active items, or the Trash with days left.

use serde_json::{Value, json};

use super::{indented, print_json};
use crate::clock;
use std::io::Write;

use crate::library::{Facts, Library, Presence, Search, TrashSort, human_size};

/// Lists the Gallery's items (or the Trash's); with `filter`, only the items it selects.
pub fn run(
    lib: &mut Library,
    as_json: bool,
    trash: bool,
    inside: bool,
    filter: Option<&Search>,
) -> anyhow::Result<()> {
    if !trash {
        return active(lib, as_json, filter);
    }
    let items = trash_items(lib, inside, filter)?;
    if as_json {
        return print_json(&items);
    }
    for item in &items {
        let id = item["id"].as_str().unwrap_or_default();
        let name = super::shown(item["name"].as_str().unwrap_or_default());
        let size = human_size(item["size"].as_u64().unwrap_or(0));
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
    }
    eprintln!(
        "{} in the Trash, {}",
        crate::library::items(lib.trash_count()? as usize),
        human_size(lib.trash_size()?)
    );
    Ok(())
}

/// The active items, streamed as they are read: the collections, then each asset by
/// collection and name. Each file is looked at as it is listed (one lstat), so a file gone
/// or on an unplugged drive says so; nothing is written to the library.
fn active(lib: &Library, as_json: bool, filter: Option<&Search>) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut first = true;
    let mut emit = |out: &mut dyn Write, item: &Value| -> std::io::Result<()> {
        if as_json {
            let text = serde_json::to_string_pretty(item).map_err(std::io::Error::other)?;
            let sep = if std::mem::take(&mut first) {
                "[\n"
            } else {
                ",\n"
            };
            write!(out, "{sep}{}", indented(&text, "  "))
        } else {
            writeln!(out, "{}", text_line(item))
        }
    };
    // A search selects items, never collections.
    let collections = if filter.is_some() {
        Vec::new()
    } else {
        lib.collections()?
    };
    for c in collections {
        let location = c.path.rsplit_once('/').map_or("", |(p, _)| p);
        let item = json!({
            "id": c.id, "kind": "collection", "name": c.name, "location": location, "size": 0,
        });
        emit(&mut out, &item)?;
    }
    let mut failed = None;
    lib.each_asset(&mut |a| {
        if let Some(search) = filter {
            let facts = Facts {
                name: &a.name,
                location: &a.location,
                camera: a.camera.as_deref(),
                kind: a.asset_kind,
                captured_at: a.captured_at,
                culling: &a.culling,
            };
            if !search.matches(&facts) {
                return true;
            }
        }
        let presence = crate::library::presence(&a.path);
        let item = json!({
            "id": a.id, "kind": "asset", "asset_kind": a.asset_kind, "name": a.name,
            "location": a.location, "size": a.size, "path": a.path, "in_place": a.in_place,
            "missing": presence == Presence::Missing, "offline": presence == Presence::Offline,
            "width": a.width, "height": a.height,
            "captured_at": a.captured_at.map(clock::rfc3339),
            "imported_at": clock::rfc3339(a.imported_at), "camera": a.camera,
            "duration_ms": a.duration_ms,
            "companions": a.companions,
            "rating": a.culling.rating, "flag": a.culling.flag, "label": a.culling.label,
            "keywords": a.culling.keywords,
        });
        match emit(&mut out, &item) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    if as_json {
        writeln!(out, "{}", if first { "[]" } else { "\n]" })?;
    }
    out.flush()?;
    Ok(())
}

/// One active item as a line of text: id, kind, where and name, size, and a flag.
fn text_line(item: &Value) -> String {
    let id = item["id"].as_str().unwrap_or_default();
    let name = super::shown(item["name"].as_str().unwrap_or_default());
    let size = human_size(item["size"].as_u64().unwrap_or(0));
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
    format!(
        "{id}\t{}\t{full}\t{size}{flag}",
        item["kind"].as_str().unwrap_or_default()
    )
}

fn display_location(l: &str) -> &str {
    if l.is_empty() { "/" } else { l }
}

/// The Trash's entries; with `inside`, then what its trashed collections hold (each with
/// `within`: the path of the trashed collection it is in).
fn trash_items(lib: &Library, inside: bool, filter: Option<&Search>) -> anyhow::Result<Vec<Value>> {
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
        if let Some(search) = filter {
            // A search selects items, never collections.
            if e.asset_kind.is_none() || !search.matches_trashed(&e) {
                continue;
            }
        }
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
                    Err(_) if p.parent().is_some_and(std::path::Path::is_dir) => (true, false),
                    Err(_) => (false, true),
                },
                None => (true, false),
            };
            v["missing"] = json!(missing);
            v["offline"] = json!(offline);
            let c = e.culling.unwrap_or_default();
            v["rating"] = json!(c.rating);
            v["flag"] = json!(c.flag);
            v["label"] = json!(c.label);
            v["keywords"] = json!(c.keywords);
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
