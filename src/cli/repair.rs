//! `shoebox repair`: bring the library back when `library.db` is missing, empty or damaged.

use std::path::Path;

use super::print_json;
use crate::library::{self, DbHealth};

pub fn run(root: &Path, json: bool) -> anyhow::Result<()> {
    let report = library::repair(root, crate::clock::from_env())?;
    if json {
        return print_json(&report);
    }
    if matches!(report.found, DbHealth::Fine | DbHealth::New) {
        println!("library.db is fine; nothing to repair: {}", root.display());
        return Ok(());
    }
    if let Some(aside) = &report.set_aside {
        println!("kept the damaged database as {}", aside.display());
    }
    match &report.from_backup {
        Some(b) => println!("restored the index from the backup {}", b.display()),
        None => println!("no good backup was found; started a new index from the files"),
    }
    println!(
        "indexed {} files from media/ again (in \"Recovered by Shoebox\"); {} files from the trash areas are back in the Trash",
        report.indexed_media, report.adopted_trash
    );
    if report.from_backup.is_none() {
        println!(
            "files imported in place stay where you keep them; import them again to list them"
        );
    }
    Ok(())
}
