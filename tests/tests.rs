//! The one integration-test binary: the library's rules, the command line, and the app.

// Test code: a failed unwrap is a failed test (its helpers are not `#[test]` functions,
// which `clippy.toml` already allows).
#![allow(clippy::unwrap_used)]

mod cli;
mod common;
mod faults;
mod findings;
mod formats;
mod gallery;
mod gui;
mod hostile;
mod kill;
mod library;
mod model;
mod reliability;
mod thumbs;
mod windows;
mod xmp;
