//! `shoebox`: the desktop app without a command, the command line with one.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let mut args = shoebox::cli::Args::parse();
    let result = match args.command.take() {
        Some(command) => {
            restore_sigpipe();
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

/// Commands end quietly when their output pipe closes (`shoebox ls | head`), as Unix tools do.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to the default has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
