//! `shoebox import`: add files and folders.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;

use super::{print_json, resolve_collection};
use crate::library::{ImportOptions, Library};

pub fn run(
    lib: &mut Library,
    json: bool,
    in_place: bool,
    into: Option<String>,
    allow_trash_duplicates: bool,
    paths: &[PathBuf],
) -> anyhow::Result<()> {
    let into = match into {
        Some(text) => resolve_collection(lib, &text, true)?,
        None => None,
    };
    let opts = ImportOptions {
        in_place,
        into,
        allow_trash_duplicates,
        stop: None,
    };
    let report = lib.import(paths, &opts, &mut |_| {})?;
    if json {
        print_json(&report)?;
    } else {
        // One write for many lines (a million imported is a million lines).
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for item in &report.imported {
            writeln!(out, "{}\t{}", item.id, super::shown(&item.name))?;
        }
        out.flush()?;
        drop(out);
        // The same for what was not imported, and why (a million warnings were a million
        // writes).
        let mut err = std::io::BufWriter::new(std::io::stderr().lock());
        for m in &report.in_trash {
            writeln!(
                err,
                "not imported {}: the same file is in the Trash as {} \"{}\"; restore it with `shoebox restore {}` or import with --allow-trash-duplicates",
                m.path, m.id, m.name, m.id
            )?;
        }
        for m in &report.already_imported {
            writeln!(err, "not imported {}: {}", m.path, m.message)?;
        }
        for m in &report.warnings {
            writeln!(err, "warning {}: {}", m.path, m.message)?;
        }
        for m in &report.failed {
            writeln!(err, "failed {}: {}", m.path, m.message)?;
        }
        err.flush()?;
        drop(err);
        let counted =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        eprintln!(
            "imported {}, {}, {} failed",
            counted(report.imported.len(), "file", "files"),
            counted(
                report.collections_created.len(),
                "new collection",
                "new collections"
            ),
            report.failed.len()
        );
    }
    if !report.failed.is_empty() {
        bail!("{} files could not be imported", report.failed.len());
    }
    Ok(())
}
