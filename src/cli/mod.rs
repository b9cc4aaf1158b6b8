//! The `shoebox` command line: commands for scripts, cron and systemd timers. Each
//! command lives in its own file; this one parses the arguments and opens the library.

mod cull;
mod import;
mod ls;
mod repair;
mod settings;
mod sweep;
mod thumbnails;
mod trash;

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::library::{self, BatchId, CollectionId, ItemId, Library};

/// Shoebox: a local-first media library with a forgiving Trash.
#[derive(Debug, Parser)]
#[command(name = "shoebox", version, about, long_about = None)]
pub struct Args {
    /// The library folder (default: $SHOEBOX_LIBRARY, else the platform data folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub library: Option<PathBuf>,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add files and folders (folders recursively; sub-folders become collections).
    Import {
        /// Index the files where they are instead of copying them into the library.
        #[arg(long)]
        in_place: bool,
        /// Collection to import into: an id (c3) or a path (Trips/2024), made if missing.
        #[arg(long, value_name = "COLLECTION")]
        into: Option<String>,
        /// Import files even when the same content is in the Trash.
        #[arg(long)]
        allow_trash_duplicates: bool,
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// List active items, or the Trash with days left.
    Ls {
        /// List the Trash.
        #[arg(long)]
        trash: bool,
        /// With --trash: also what trashed collections hold, each with the collection it is
        /// in (such an item can be restored on its own with --to).
        #[arg(long, requires = "trash")]
        inside: bool,
        /// Only the items this search selects (words and terms such as rating>=3,
        /// flag:pick, label:red, keyword:Places, type:raw, camera:canon, taken:2024-06).
        #[arg(long, value_name = "EXPR", allow_hyphen_values = true)]
        filter: Option<String>,
    },
    /// Move items to the Trash.
    Trash {
        /// Every rejected item of the Gallery, as one batch.
        #[arg(long, conflicts_with = "ids")]
        rejected: bool,
        #[arg(required_unless_present = "rejected", value_name = "ID")]
        ids: Vec<String>,
    },
    /// Give items a rating: 0 to 5 stars (0 clears it).
    Rate {
        #[arg(value_name = "STARS", allow_negative_numbers = true)]
        stars: String,
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Flag items: pick, reject or none.
    Flag {
        #[arg(value_name = "pick|reject|none")]
        flag: String,
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Give items a colour label: red, yellow, green, blue, purple or none.
    Label {
        #[arg(value_name = "COLOUR|none")]
        colour: String,
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Give items a keyword (levels joined by |, as in Places|Portugal|Lisbon).
    Tag {
        #[arg(value_name = "KEYWORD")]
        keyword: String,
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Take a keyword from items.
    Untag {
        #[arg(value_name = "KEYWORD")]
        keyword: String,
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Restore items from the Trash to where they were.
    Restore {
        /// Restore under this name (resolves a name conflict).
        #[arg(long, value_name = "NAME")]
        rename: Option<String>,
        /// Restore into this collection (id, path, or "" for the top).
        #[arg(long, value_name = "COLLECTION")]
        to: Option<String>,
        /// For in-place files whose folder is gone: make the folder again.
        #[arg(long, conflicts_with = "folder")]
        recreate_folder: bool,
        /// For in-place files whose folder is gone: put them in this folder.
        #[arg(long, value_name = "DIR")]
        folder: Option<PathBuf>,
        /// Restore every item of this batch (see `ls --trash --json`).
        #[arg(long, value_name = "BATCH", conflicts_with = "ids")]
        batch: Option<i64>,
        #[arg(value_name = "ID", required_unless_present = "batch")]
        ids: Vec<String>,
    },
    /// Delete items permanently (cannot be undone).
    Delete {
        /// Required: says you mean it.
        #[arg(long)]
        permanent: bool,
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Delete everything in the Trash (cannot be undone).
    EmptyTrash {
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Purge expired items now.
    Sweep {
        /// Confirm the clock is right after it jumped forward; purging resumes.
        #[arg(long)]
        confirm_clock: bool,
    },
    /// Show or change retention-days, sweep-interval-minutes and write-xmp (true: ratings,
    /// labels and keywords go into the items' XMP sidecars too).
    Settings {
        key: Option<String>,
        value: Option<String>,
    },
    /// Make every missing grid thumbnail (Gallery and Trash) and say how it went.
    Thumbnails {
        /// Make every thumbnail again, not only the missing ones.
        #[arg(long)]
        rebuild: bool,
    },
    /// Write an item's grid thumbnail as a PNG (making it first if needed).
    Thumbnail {
        #[arg(value_name = "ID")]
        id: String,
        #[arg(value_name = "OUT")]
        out: PathBuf,
    },
    /// Bring the library back when library.db is missing, empty or damaged (from the newest
    /// good backup, or rebuilt from the files); never deletes anything.
    Repair,
    /// Internal: a picture helper, answering render requests on standard input and output
    /// (see `thumbs::helper`).
    #[command(name = "__render-server", hide = true)]
    RenderServer,
}

/// Runs a command on the library.
pub fn run(args: Args, command: Command) -> anyhow::Result<()> {
    if let Command::RenderServer = command {
        let out: Box<dyn std::io::Write + Send> = match crate::platform::raw_stdout() {
            Ok(file) => Box::new(file),
            Err(_) => Box::new(std::io::stdout()),
        };
        return crate::thumbs::serve_helper(std::io::stdin().lock(), out)
            .map_err(anyhow::Error::from);
    }
    let root = library::root_or_default(args.library)?;
    if let Command::Repair = command {
        return repair::run(&root, args.json);
    }
    let mut lib = Library::open(&root).map_err(|e| name_full_disk(e.into(), &root))?;
    // Files are read in helper processes, as the window reads them.
    if let Ok(exe) = std::env::current_exe() {
        lib.read_files_with(crate::thumbs::Helpers::new(exe));
    }
    let json = args.json;
    let outcome = match command {
        Command::Import {
            in_place,
            into,
            allow_trash_duplicates,
            paths,
        } => import::run(
            &mut lib,
            json,
            in_place,
            into,
            allow_trash_duplicates,
            &paths,
        ),
        Command::Ls {
            trash,
            inside,
            filter,
        } => {
            let filter = filter
                .as_deref()
                .map(library::Search::parse)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            ls::run(&mut lib, json, trash, inside, filter.as_ref())
        }
        Command::Trash { rejected: true, .. } => trash::rejected(&mut lib, json),
        Command::Trash { ids, .. } => trash::trash(&mut lib, json, &parse_ids(&ids)?),
        Command::Rate { stars, ids } => {
            cull::rating(&stars).and_then(|c| cull::run(&mut lib, json, &c, &parse_ids(&ids)?))
        }
        Command::Flag { flag, ids } => {
            cull::flag(&flag).and_then(|c| cull::run(&mut lib, json, &c, &parse_ids(&ids)?))
        }
        Command::Label { colour, ids } => {
            cull::label(&colour).and_then(|c| cull::run(&mut lib, json, &c, &parse_ids(&ids)?))
        }
        Command::Tag { keyword, ids } => cull::keyword(&keyword, true)
            .and_then(|c| cull::run(&mut lib, json, &c, &parse_ids(&ids)?)),
        Command::Untag { keyword, ids } => cull::keyword(&keyword, false)
            .and_then(|c| cull::run(&mut lib, json, &c, &parse_ids(&ids)?)),
        Command::Restore {
            rename,
            to,
            recreate_folder,
            folder,
            batch,
            ids,
        } => {
            let opts = trash::restore_options(&mut lib, rename, to, recreate_folder, folder)?;
            trash::restore(&mut lib, json, &parse_ids(&ids)?, batch.map(BatchId), opts)
        }
        Command::Delete { permanent, ids } => {
            if !permanent {
                bail!(
                    "delete needs --permanent (it cannot be undone); to move items to the Trash use `shoebox trash`"
                );
            }
            trash::delete(&mut lib, json, &parse_ids(&ids)?)
        }
        Command::EmptyTrash { yes } => trash::empty(&mut lib, json, yes),
        Command::Sweep { confirm_clock } => sweep::run(&mut lib, json, confirm_clock),
        Command::Settings { key, value } => settings::run(&mut lib, json, key, value),
        Command::Thumbnails { rebuild } => thumbnails::all(&mut lib, json, rebuild),
        Command::Thumbnail { id, out } => {
            let id = id.parse::<ItemId>().map_err(anyhow::Error::msg)?;
            thumbnails::one(&mut lib, json, id, &out)
        }
        Command::RenderServer | Command::Repair => Ok(()),
    };
    outcome.map_err(|e| name_full_disk(e, &root))?;
    // One backup a day, the last seven, taken after the command's work.
    if let Err(e) = lib.backup_if_due() {
        eprintln!("shoebox: warning: could not back up the library: {e}");
    }
    Ok(())
}

/// A full disk is named: which library's disk has no room.
fn name_full_disk(e: anyhow::Error, root: &std::path::Path) -> anyhow::Error {
    match e.downcast_ref::<library::LibraryError>() {
        Some(le) if le.is_disk_full() => anyhow::anyhow!("{le}: {}", root.display()),
        _ => e,
    }
}

/// The library folder: `--library`, else `SHOEBOX_LIBRARY`, else the platform default.
fn parse_ids(ids: &[String]) -> anyhow::Result<Vec<ItemId>> {
    ids.iter()
        .map(|s| s.parse::<ItemId>().map_err(anyhow::Error::msg))
        .collect()
}

/// A collection named by id (`c3`) or path (`Trips/2024`); "" or "/" is the top.
fn resolve_collection(
    lib: &mut Library,
    text: &str,
    create: bool,
) -> anyhow::Result<Option<CollectionId>> {
    let trimmed = text.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok(None);
    }
    if let Ok(ItemId::Collection(c)) = trimmed.parse::<ItemId>() {
        return Ok(Some(c));
    }
    let collections = lib.collections()?;
    if let Some(ItemId::Collection(id)) = collections
        .iter()
        .find(|c| c.path.eq_ignore_ascii_case(trimmed))
        .map(|c| c.id)
    {
        return Ok(Some(id));
    }
    if !create {
        bail!("no such collection: {trimmed}");
    }
    let mut parent = None;
    for part in trimmed.split('/').filter(|p| !p.is_empty()) {
        parent = Some(lib.ensure_collection(parent, part)?.0);
    }
    Ok(parent)
}

/// `text` with each line led by `by` (a JSON value printed inside a document).
fn indented(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints `value` as one JSON document.
fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).context("could not write JSON")?
    );
    Ok(())
}

/// Asks a yes/no question on the terminal; false when there is no terminal.
fn confirm(question: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok()
        && matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
}

/// Prints a bulk report and fails when anything failed.
fn finish_bulk(report: &library::BulkReport, json: bool, verb: &str) -> anyhow::Result<()> {
    if json {
        print_json(report)?;
    } else {
        for id in &report.succeeded {
            println!("{id}");
        }
        for s in &report.skipped {
            eprintln!("skipped {}: {}", s.id, s.problem);
        }
        for f in &report.failed {
            eprintln!("failed {}: {}", f.id, f.problem);
        }
        eprintln!("{}", report.summary(verb));
    }
    if !report.failed.is_empty() {
        bail!(
            "{} of {} failed",
            report.failed.len(),
            report.failed.len() + report.succeeded.len() + report.skipped.len()
        );
    }
    Ok(())
}

/// A name as text output shows it: control characters escaped (a newline prints as `\n`),
/// so one item stays on one line and its columns stay in place. `--json` gives names exactly.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_in_names_are_escaped_for_text_output() {
        assert_eq!(super::shown("IMG_1.jpg"), "IMG_1.jpg");
        assert_eq!(super::shown("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(super::shown("bell\u{7}\u{85}"), "bell\\u{7}\\u{85}");
        assert_eq!(super::shown("Été"), "Été");
    }
}
