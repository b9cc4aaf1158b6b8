//! Logs to a file in the platform's data folder, so a double-click launch needs no
//! terminal. `SHOEBOX_LOG=debug` shows more.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::Mutex;

struct FileLogger {
    file: Mutex<File>,
    level: log::LevelFilter,
}

impl log::Log for FileLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= self.level && metadata.target().starts_with("shoebox")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let now = crate::clock::rfc3339(crate::clock::Clock::now(&crate::clock::SystemClock));
        if let Ok(mut f) = self.file.lock() {
            let _ = writeln!(f, "{now} {} {}", record.level(), record.args());
        }
    }

    fn flush(&self) {
        if let Ok(mut f) = self.file.lock() {
            let _ = f.flush();
        }
    }
}

/// Starts logging to `shoebox.log` (best effort: no log is better than no app).
pub fn init() {
    let Some(dirs) = directories::ProjectDirs::from("", "", "Shoebox") else {
        return;
    };
    let dir = dirs.data_local_dir();
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(file) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("shoebox.log"))
    else {
        return;
    };
    let level = match std::env::var("SHOEBOX_LOG").as_deref() {
        Ok("debug") => log::LevelFilter::Debug,
        _ => log::LevelFilter::Info,
    };
    if log::set_boxed_logger(Box::new(FileLogger {
        file: Mutex::new(file),
        level,
    }))
    .is_ok()
    {
        log::set_max_level(level);
    }
}
