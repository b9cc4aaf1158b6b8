//! The one integration-test binary: the library's rules, the command line, and the app.

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
