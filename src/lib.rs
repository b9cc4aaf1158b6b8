//! Shoebox: a local-first media library with a forgiving Trash.
//!
//! - [`library`]: the domain — import, the Trash rules, the sweep, crash-safe file moves.
//! - [`store`]: SQLite — opening, pragmas, migrations.
//! - [`media`]: what a file says about itself (XMP).
//! - [`cli`]: the `shoebox` commands for scripts.
//! - [`gui`]: the desktop app.
//! - [`platform`]: what differs between Linux, macOS and Windows.

pub mod cli;
pub mod clock;
pub mod failpoint;
pub mod gui;
pub mod library;
pub mod media;
pub mod platform;
pub mod store;
pub mod thumbs;
