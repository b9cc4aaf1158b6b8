//! `shoebox import`: add files and folders.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;

use super::{indented, resolve_collection};
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
        // One document; its list of files imported is written as each transaction is
        // committed, and not kept.
        let mut streamed = Streamed::default();
        let result = lib.import_reporting(paths, &opts, &mut |_| {}, &mut |report| {
            streamed.take(report);
        });
        let mut report = match result {
            Ok(report) => report,
            Err(e) => {
                // Files were recorded before it: the document says which, and the error.
                if streamed.started {
                    let _ = streamed.finish(&ImportReport::default(), Some(&e.to_string()));
                }
                return Err(e.into());
            }
        };
        streamed.take(&mut report);
        streamed.finish(&report, None)?;
        if let Some(e) = streamed.error {
            return Err(e.into());
        }
        if !report.failed.is_empty() {
            bail!(
                "{} could not be imported",
                counted(report.failed.len(), "file", "files")
            );
        }
        return Ok(());
    }
    // Each transaction's lines are printed once it is committed, and not kept: an import
    // of a million files shows them as it goes and does not hold a million lines. They
    // are written on a thread of their own, beside the import's next records.
    let (result, printed) = std::thread::scope(|scope| {
        let (lines, to_print) = std::sync::mpsc::channel::<ImportReport>();
        let printer = std::thread::Builder::new()
            .name("shoebox-print".into())
            .spawn_scoped(scope, move || {
                let mut printed = Printed::default();
                for mut report in to_print {
                    printed.take(&mut report);
                }
                printed
            });
        let mut inline = Printed::default();
        let mut hand_over = |report: &mut ImportReport| match &printer {
            Ok(_) => {
                let _ = lines.send(ImportReport {
                    imported: std::mem::take(&mut report.imported),
                    in_trash: std::mem::take(&mut report.in_trash),
                    already_imported: std::mem::take(&mut report.already_imported),
                    warnings: std::mem::take(&mut report.warnings),
                    failed: std::mem::take(&mut report.failed),
                    ..ImportReport::default()
                });
            }
            Err(_) => inline.take(report),
        };
        let mut result = lib.import_reporting(paths, &opts, &mut |_| {}, &mut hand_over);
        if let Ok(report) = &mut result {
            hand_over(report);
        }
        drop(lines);
        let printed = match printer {
            Ok(thread) => thread.join().unwrap_or_else(|_| Printed {
                error: Some(std::io::Error::other(
                    "the lines of the import could not be written",
                )),
                ..Printed::default()
            }),
            Err(_) => inline,
        };
        (result, printed)
    });
    let report = result?;
    if let Some(e) = printed.error {
        return Err(e.into());
    }
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
        bail!(
            "{} could not be imported",
            counted(printed.failed, "file", "files")
        );
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

/// `--json`: the report as one document, its `imported` list written as the import goes
/// (and taken out of the report), the rest at the end.
#[derive(Default)]
struct Streamed {
    /// The document and its `imported` list are open.
    started: bool,
    /// The first error writing it (the import goes on; it is said at the end).
    error: Option<std::io::Error>,
}

impl Streamed {
    fn take(&mut self, report: &mut ImportReport) {
        if let Err(e) = self.write_imported(report)
            && self.error.is_none()
        {
            self.error = Some(e);
        }
        report.imported.clear();
    }

    fn write_imported(&mut self, report: &ImportReport) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for item in &report.imported {
            let text = pretty(item)?;
            let sep = if std::mem::replace(&mut self.started, true) {
                ",\n"
            } else {
                "{\n  \"imported\": [\n"
            };
            write!(out, "{sep}{}", indented(&text, "    "))?;
        }
        out.flush()
    }

    /// Ends the document with the rest of `report`, and `error` when the import stopped
    /// on one.
    fn finish(&mut self, report: &ImportReport, error: Option<&str>) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        if std::mem::replace(&mut self.started, true) {
            write!(out, "\n  ]")?;
        } else {
            write!(out, "{{\n  \"imported\": []")?;
        }
        // The rest of the report, written straight out (its lists may be long) as an
        // object of its own: its fields are at the document's depth, and its opening
        // brace is left out.
        let rest = Rest {
            collections_created: &report.collections_created,
            in_trash: &report.in_trash,
            already_imported: &report.already_imported,
            warnings: &report.warnings,
            failed: &report.failed,
            stopped: report.stopped,
            error,
        };
        write!(out, ",")?;
        let mut after_brace = AfterBrace {
            out: &mut out,
            seen: false,
        };
        serde_json::to_writer_pretty(&mut after_brace, &rest).map_err(std::io::Error::other)?;
        writeln!(out)?;
        out.flush()
    }
}

/// The fields of [`ImportReport`] after `imported`, and the error an import stopped on.
#[derive(serde::Serialize)]
struct Rest<'a> {
    collections_created: &'a [crate::library::ItemId],
    in_trash: &'a [crate::library::InTrashMatch],
    already_imported: &'a [crate::library::FileMessage],
    warnings: &'a [crate::library::FileMessage],
    failed: &'a [crate::library::FileMessage],
    stopped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// Writes to `out` what is written to it after its first byte (an object's opening brace).
struct AfterBrace<'a, W: Write> {
    out: &'a mut W,
    seen: bool,
}

impl<W: Write> Write for AfterBrace<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match buf.split_first() {
            Some((_, rest)) if !self.seen => {
                self.seen = true;
                self.out.write_all(rest)?;
                Ok(buf.len())
            }
            _ => self.out.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// `1 file`, `2 files`.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pretty<T: serde::Serialize>(value: &T) -> std::io::Result<String> {
    serde_json::to_string_pretty(value).map_err(std::io::Error::other)
}
