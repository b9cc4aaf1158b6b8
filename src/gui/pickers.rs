//! The system's file dialogs, and the copies "Export a copy…" writes, off the UI thread:
//! the window keeps drawing while a dialog is open or a large video is copied, and the
//! outcome comes back as a [`Picked`] on a later frame. (macOS wants its dialogs on the
//! main thread; there they are opened in place.)

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

/// What a dialog was opened for, and what was chosen (`None`: nothing, or no dialog could
/// be shown on this system).
#[derive(Debug)]
pub enum Picked {
    ImportFiles(Option<Vec<PathBuf>>),
    ImportFolders(Option<Vec<PathBuf>>),
    /// Where to write a copy of `from`.
    ExportTo {
        from: PathBuf,
        dest: Option<PathBuf>,
    },
    /// A folder to restore an item into.
    RestoreFolder(Option<PathBuf>),
    /// An export finished: where the copy is, or why there is none.
    Exported(Result<PathBuf, String>),
}

/// Opens dialogs and collects what they return.
pub struct Pickers {
    tx: Sender<Picked>,
    rx: Receiver<Picked>,
    wake: Arc<dyn Fn() + Send + Sync>,
    /// Dialogs open now.
    open: usize,
}

impl Pickers {
    pub fn new(wake: Arc<dyn Fn() + Send + Sync>) -> Pickers {
        let (tx, rx) = channel();
        Pickers {
            tx,
            rx,
            wake,
            open: 0,
        }
    }

    /// Whether a dialog is open (the window then says so instead of doing nothing).
    pub fn is_open(&self) -> bool {
        self.open > 0
    }

    pub fn import_files(&mut self) {
        self.open(|| {
            Picked::ImportFiles(
                rfd::FileDialog::new()
                    .set_title("Import files")
                    .pick_files(),
            )
        });
    }

    pub fn import_folders(&mut self) {
        self.open(|| {
            Picked::ImportFolders(
                rfd::FileDialog::new()
                    .set_title("Import folder")
                    .pick_folders(),
            )
        });
    }

    pub fn export_to(&mut self, from: PathBuf, name: String) {
        self.open(move || {
            let dest = rfd::FileDialog::new()
                .set_title("Export a copy")
                .set_file_name(&name)
                .save_file();
            Picked::ExportTo { from, dest }
        });
    }

    pub fn restore_folder(&mut self) {
        self.open(|| {
            Picked::RestoreFolder(
                rfd::FileDialog::new()
                    .set_title("Restore into")
                    .pick_folder(),
            )
        });
    }

    /// Copies `from` to `dest` on a thread of its own: written under a temporary name
    /// beside `dest`, then renamed, so a failed copy leaves no half file behind.
    pub fn export_copy(&mut self, from: PathBuf, dest: PathBuf) {
        self.open += 1;
        let tx = self.tx.clone();
        let wake = self.wake.clone();
        let spawned = std::thread::Builder::new()
            .name("shoebox-export".into())
            .spawn(move || {
                let _ = tx.send(Picked::Exported(copy_whole(&from, &dest)));
                wake();
            });
        if let Err(e) = spawned {
            self.open -= 1;
            let _ = self.tx.send(Picked::Exported(Err(e.to_string())));
        }
    }

    /// What the dialogs and exports returned since the last call.
    pub fn poll(&mut self) -> Vec<Picked> {
        let got: Vec<Picked> = self.rx.try_iter().collect();
        self.open = self.open.saturating_sub(got.len());
        got
    }

    fn open(&mut self, dialog: impl FnOnce() -> Picked + Send + 'static) {
        self.open += 1;
        if cfg!(target_os = "macos") {
            let _ = self.tx.send(dialog());
            return;
        }
        let tx = self.tx.clone();
        let wake = self.wake.clone();
        let spawned = std::thread::Builder::new()
            .name("shoebox-file-dialog".into())
            .spawn(move || {
                let _ = tx.send(dialog());
                wake();
            });
        if let Err(e) = spawned {
            log::error!("could not open a file dialog: {e}");
            self.open -= 1;
        }
    }
}

fn copy_whole(from: &std::path::Path, dest: &std::path::Path) -> Result<PathBuf, String> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = dest.with_file_name(format!(".{name}.shoebox-partial"));
    let copied = std::fs::copy(from, &partial)
        .and_then(|_| crate::platform::fsync_file(&partial))
        .and_then(|()| std::fs::rename(&partial, dest));
    match copied {
        Ok(()) => Ok(dest.to_path_buf()),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(format!("Could not export a copy: {e}: {}", dest.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_written_whole_or_not_at_all_and_reported() {
        let dir = tempfile::tempdir().expect("temp");
        let from = dir.path().join("clip.mp4");
        std::fs::write(&from, vec![7u8; 300_000]).expect("write");
        let mut pickers = Pickers::new(Arc::new(|| {}));
        let dest = dir.path().join("out").join("copy.mp4");
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("dir");
        pickers.export_copy(from.clone(), dest.clone());
        let got = wait(&mut pickers);
        assert!(
            matches!(&got, Picked::Exported(Ok(p)) if *p == dest),
            "{got:?}"
        );
        assert_eq!(std::fs::read(&dest).expect("copy").len(), 300_000);
        // Into a folder that is not there: an error that names it, and no half file.
        let nowhere = dir.path().join("gone").join("copy.mp4");
        pickers.export_copy(from, nowhere.clone());
        let got = wait(&mut pickers);
        assert!(
            matches!(&got, Picked::Exported(Err(why)) if why.contains("gone")),
            "{got:?}"
        );
        assert!(!pickers.is_open());
        let left: Vec<_> = std::fs::read_dir(dir.path().join("out"))
            .expect("out")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("copy.mp4")]);
    }

    fn wait(p: &mut Pickers) -> Picked {
        for _ in 0..500 {
            if let Some(got) = p.poll().pop() {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("no answer");
    }
}
