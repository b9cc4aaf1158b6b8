//! The desktop app.

use std::path::PathBuf;

/// Opens the desktop app on the library.
pub fn run(library: Option<PathBuf>) -> anyhow::Result<()> {
    let _root = crate::cli::library_root(library)?;
    anyhow::bail!("the desktop app is not built yet")
}
