//! Shoebox's readers take a path: each input is written to a file of its own (in a folder
//! of this process's, in memory when `/dev/shm` is there) and read from it. The folder,
//! holding the last input, is left behind: `rm -r /dev/shm/shoebox-fuzz-*` after a run.

use std::path::PathBuf;

/// Writes `data` to a file named `name` and returns its path.
pub fn as_file(name: &str, data: &[u8]) -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("shoebox-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder for inputs");
    let path = dir.join(name);
    std::fs::write(&path, data).expect("an input file");
    path
}
