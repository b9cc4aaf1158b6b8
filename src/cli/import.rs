//! `shoebox import`: add files and folders.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;

use super::{print_json, resolve_collection};
use crate::library::{ImportOptions, ImportReport, Library};

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
    if json {
        let report = lib.import(paths, &opts, &mut |_| {})?;
        print_json(&report)?;
        if !report.failed.is_empty() {
            bail!("{} files could not be imported", report.failed.len());
        }
        return Ok(());
    }
    // Each transaction's lines are printed once it is committed, and not kept: an import
    // of a million files shows them as it goes and does not hold a million lines.
    let mut printed = Printed::default();
    let mut report = lib.import_reporting(paths, &opts, &mut |_| {}, &mut |report| {
        printed.take(report);
    })?;
    printed.take(&mut report);
    if let Some(e) = printed.error {
        return Err(e.into());
    }
    let counted =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    eprintln!(
        "imported {}, {}, {} failed",
        counted(printed.imported, "file", "files"),
        counted(
            report.collections_created.len(),
            "new collection",
            "new collections"
        ),
        printed.failed
    );
    if printed.failed > 0 {
        bail!("{} files could not be imported", printed.failed);
    }
    Ok(())
}

/// What an import's lines have said so far.
#[derive(Default)]
struct Printed {
    imported: usize,
    failed: usize,
    /// The first error writing them (the import goes on; it is said at the end).
    error: Option<std::io::Error>,
}

impl Printed {
    /// Prints the files `report` holds (imported ones on standard output, the others
    /// with why on standard error) and takes them out of it.
    fn take(&mut self, report: &mut ImportReport) {
        self.imported += report.imported.len();
        self.failed += report.failed.len();
        if let Err(e) = print_lines(report)
            && self.error.is_none()
        {
            self.error = Some(e);
        }
        report.imported.clear();
        report.in_trash.clear();
        report.already_imported.clear();
        report.warnings.clear();
        report.failed.clear();
    }
}

fn print_lines(report: &ImportReport) -> std::io::Result<()> {
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
    err.flush()
}
