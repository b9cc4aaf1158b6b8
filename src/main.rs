//! `shoebox`: the desktop app without a command, the command line with one.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let mut args = shoebox::cli::Args::parse();
    let result = match args.command.take() {
        Some(command) => shoebox::cli::run(args, command),
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
