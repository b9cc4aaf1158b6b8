//! `shoebox`: the desktop app without a command, the command line with one.

// A double-click on Windows opens no console window; commands attach to the terminal they
// were started from.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    shoebox::failpoint::arm_from_env();
    // Before the arguments are read, so `--help` and usage errors show in the console too.
    shoebox::platform::attach_console();
    let mut args = shoebox::cli::Args::parse();
    let result = match args.command.take() {
        Some(command) => {
            shoebox::platform::quiet_broken_pipe();
            shoebox::cli::run(args, command)
        }
        None => shoebox::gui::run(args.library),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shoebox: {e:#}");
            ExitCode::FAILURE
        }
    }
}
