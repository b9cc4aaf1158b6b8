//! `shoebox trash`, `restore`, `delete --permanent` and `empty-trash`.

use std::path::PathBuf;

use anyhow::bail;

use super::{confirm, finish_bulk, print_json, resolve_collection};
use crate::library::{
    BatchId, BulkReport, FolderChoice, ItemId, Library, LibraryError, RestoreOptions, items,
};

pub fn trash(lib: &mut Library, json: bool, ids: &[ItemId]) -> anyhow::Result<()> {
    let report = lib.trash(ids)?;
    finish_bulk(&report, json, "moved to the Trash:")
}

/// `trash --rejected`: every rejected item of the Gallery, as one batch (one Undo).
pub fn rejected(lib: &mut Library, json: bool) -> anyhow::Result<()> {
    let ids = lib.rejected()?;
    if ids.is_empty() {
        if json {
            return print_json(&BulkReport::default());
        }
        eprintln!("no rejected items in the Gallery");
        return Ok(());
    }
    trash(lib, json, &ids)
}

pub fn restore_options(
    lib: &mut Library,
    rename: Option<String>,
    to: Option<String>,
    recreate_folder: bool,
    folder: Option<PathBuf>,
) -> anyhow::Result<RestoreOptions> {
    let to = match to {
        Some(text) => Some(resolve_collection(lib, &text, false)?),
        None => None,
    };
    let folder = match (recreate_folder, folder) {
        (true, _) => Some(FolderChoice::Recreate),
        (false, Some(dir)) => Some(FolderChoice::Use(dir)),
        (false, None) => None,
    };
    Ok(RestoreOptions { rename, to, folder })
}

pub fn restore(
    lib: &mut Library,
    json: bool,
    ids: &[ItemId],
    batch: Option<BatchId>,
    opts: RestoreOptions,
) -> anyhow::Result<()> {
    if let Some(b) = batch {
        let report = lib.restore_batch(b)?;
        if report.succeeded.is_empty() && report.failed.is_empty() && report.skipped.is_empty() {
            bail!("batch {} has nothing in the Trash", b.0);
        }
        return finish_bulk(&report, json, "restored");
    }
    if ids.len() > 1 && opts.rename.is_some() {
        bail!("--rename needs exactly one id");
    }
    if ids.len() > 1 {
        // Many at once, as the window restores them: planned together, moved with one
        // recorded intent and one flush per folder.
        let report = lib.restore_many_with(ids, &opts)?;
        return finish_bulk(&report, json, "restored");
    }
    let mut report = BulkReport::default();
    for &id in ids {
        match lib.restore(id, &opts) {
            Ok(()) => report.succeeded.push(id),
            Err(e @ (LibraryError::NameConflict { .. } | LibraryError::LostLocation { .. })) => {
                let hint = match &e {
                    LibraryError::NameConflict { suggestion, .. } => {
                        format!(" (use --rename \"{suggestion}\")")
                    }
                    LibraryError::LostLocation { folder: true, .. } => {
                        " (use --recreate-folder, --folder DIR or --to COLLECTION)".to_string()
                    }
                    _ => " (use --to COLLECTION, or --to \"\" for the top)".to_string(),
                };
                bail!("could not restore {id}: {e}{hint}");
            }
            Err(e @ LibraryError::Store(_)) => return Err(e.into()),
            Err(e) => report.failed.push(crate::library::ItemOutcome {
                id,
                problem: crate::library::Problem::Refused(e.to_string()),
            }),
        }
    }
    finish_bulk(&report, json, "restored")
}

/// Deletes for good: items in the Trash are purged; active items go through the Trash and
/// are purged at once (what Shift+Delete does in the app).
pub fn delete(lib: &mut Library, json: bool, ids: &[ItemId]) -> anyhow::Result<()> {
    let mut active = Vec::new();
    let mut trashed = Vec::new();
    for &id in ids {
        if lib.is_active(id)? {
            active.push(id);
        } else {
            trashed.push(id);
        }
    }
    let mut report = lib.delete_permanently(&trashed)?;
    if !active.is_empty() {
        let now = lib.delete_now(&active)?;
        report.succeeded.extend(now.succeeded);
        report.skipped.extend(now.skipped);
        report.failed.extend(now.failed);
        report.freed_bytes += now.freed_bytes;
        report.purged_files += now.purged_files;
    }
    finish_bulk(&report, json, "deleted permanently")
}

pub fn empty(lib: &mut Library, json: bool, yes: bool) -> anyhow::Result<()> {
    let count = lib.trash_count()?;
    if count == 0 {
        if json {
            return print_json(&BulkReport::default());
        }
        eprintln!("the Trash is already empty");
        return Ok(());
    }
    if !yes && !confirm(&format!("Delete all {count} items? This cannot be undone.")) {
        bail!(
            "not emptied: confirm with --yes to delete all {} for good",
            items(count as usize)
        );
    }
    let report = lib.empty_trash()?;
    finish_bulk(&report, json, "deleted permanently")
}
