//! `shoebox sweep`: purge expired items now (for cron or systemd timers).

use super::print_json;
use crate::library::{Library, human_size, items};

pub fn run(lib: &mut Library, json: bool, confirm_clock: bool) -> anyhow::Result<()> {
    if confirm_clock {
        lib.confirm_clock()?;
    }
    let report = lib.sweep()?;
    if json {
        return print_json(&report);
    }
    if let Some(why) = &report.held {
        println!(
            "purged nothing: {why} (run `shoebox sweep --confirm-clock` if the time is right)"
        );
        return Ok(());
    }
    println!(
        "purged {}, freed {}",
        items(report.purged),
        human_size(report.freed_bytes)
    );
    for s in &report.skipped {
        eprintln!("kept {}: {}", s.id, s.problem);
    }
    for f in &report.failed {
        eprintln!("failed {}: {}", f.id, f.problem);
    }
    Ok(())
}
