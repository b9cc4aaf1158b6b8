//! `shoebox`: the desktop app without a command, the command line with one.

// A double-click on Windows opens no console window; commands attach to the terminal they
// were started from.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    shoebox::failpoint::arm_from_env();
    let mut args = shoebox::cli::Args::parse();
    let result = match args.command.take() {
        Some(command) => {
            attach_console();
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

/// On Windows, commands print to the console they were started from.
fn attach_console() {
    #[cfg(windows)]
    {
        unsafe extern "system" {
            fn AttachConsole(process_id: u32) -> i32;
        }
        const ATTACH_PARENT_PROCESS: u32 = u32::MAX;
        // SAFETY: AttachConsole has no preconditions; failure (no parent console) is harmless.
        unsafe {
            AttachConsole(ATTACH_PARENT_PROCESS);
        }
    }
}
