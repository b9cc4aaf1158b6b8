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
        self.open(|| Picked::ImportFiles(choose("Import files", Choose::Files)));
    }

    pub fn import_folders(&mut self) {
        self.open(|| Picked::ImportFolders(choose("Import folder", Choose::Folders)));
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
            Picked::RestoreFolder(choose("Restore into", Choose::Folder).and_then(|mut p| p.pop()))
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

/// What a chooser picks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Choose {
    Files,
    Folders,
    Folder,
}

/// The system's chooser titled `title`, opening in the Pictures folder: the desktop's own
/// (through its portal, or natively on Windows and macOS), else zenity run here, which
/// passes the title and folder on and any name as its bytes. `None`: nothing was chosen,
/// or no chooser could be shown.
fn choose(title: &str, what: Choose) -> Option<Vec<PathBuf>> {
    let start = start_folder();
    #[cfg(target_os = "linux")]
    if !portal_available() && crate::media::formats::has_program("zenity") {
        return zenity(
            std::path::Path::new("zenity"),
            title,
            what,
            start.as_deref(),
        )
        .unwrap_or_else(|e| {
            log::warn!("could not run zenity: {e}");
            None
        });
    }
    let mut dialog = rfd::FileDialog::new().set_title(title);
    if let Some(dir) = &start {
        dialog = dialog.set_directory(dir);
    }
    match what {
        Choose::Files => dialog.pick_files(),
        Choose::Folders => dialog.pick_folders(),
        Choose::Folder => dialog.pick_folder().map(|p| vec![p]),
    }
}

/// Where a chooser opens: the Pictures folder, else the home folder.
fn start_folder() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    Some(
        dirs.picture_dir()
            .filter(|d| d.is_dir())
            .unwrap_or(dirs.home_dir())
            .to_path_buf(),
    )
}

/// Whether the desktop's file chooser can be asked for through its portal: a session bus
/// and the portal's service on it.
#[cfg(target_os = "linux")]
fn portal_available() -> bool {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|d| std::path::Path::new(&d).join("bus").exists());
    let data_dirs = std::env::var("XDG_DATA_DIRS")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/usr/local/share:/usr/share".into());
    bus && data_dirs.split(':').any(|d| {
        std::path::Path::new(d)
            .join("dbus-1/services/org.freedesktop.portal.Desktop.service")
            .exists()
    })
}

/// What zenity (the program at `program`) chose, one name a line, each as its bytes;
/// `Ok(None)` when the user cancelled.
#[cfg(target_os = "linux")]
fn zenity(
    program: &std::path::Path,
    title: &str,
    what: Choose,
    start: Option<&std::path::Path>,
) -> std::io::Result<Option<Vec<PathBuf>>> {
    use std::os::unix::ffi::OsStrExt;
    let mut cmd = std::process::Command::new(program);
    cmd.args(["--file-selection", "--title", title]);
    if what != Choose::Files {
        cmd.arg("--directory");
    }
    if what != Choose::Folder {
        cmd.args(["--multiple", "--separator", "\n"]);
    }
    if let Some(dir) = start {
        // A trailing separator opens the folder itself.
        let mut name = dir.as_os_str().to_owned();
        name.push("/");
        cmd.arg("--filename").arg(name);
    }
    let out = cmd.stderr(std::process::Stdio::null()).output()?;
    if !out.status.success() {
        return Ok(None);
    }
    let chosen: Vec<PathBuf> = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| PathBuf::from(std::ffi::OsStr::from_bytes(line)))
        .collect();
    Ok((!chosen.is_empty()).then_some(chosen))
}

/// Picked paths a chooser could not pass on (zenity writes "(null)" for a name that is not
/// valid UTF-8), apart from the rest: (the rest, how many were lost).
pub fn unpassed(paths: Vec<PathBuf>) -> (Vec<PathBuf>, usize) {
    let (lost, kept): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .into_iter()
        .partition(|p| p.as_os_str() == "(null)" && !p.exists());
    (kept, lost.len())
}

/// Said when a chooser could not pass `n` names on.
pub fn unpassed_message(n: usize) -> String {
    if n == 1 {
        "A chosen file's name is not valid UTF-8, so the file chooser could not pass it on: \
         rename the file, or import the folder that holds it."
            .into()
    } else {
        format!(
            "{n} chosen files' names are not valid UTF-8, so the file chooser could not pass \
             them on: rename the files, or import the folder that holds them."
        )
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

    /// A stand-in for zenity: records its arguments and answers with two names, one of
    /// them not UTF-8 (zenity passes names on as their bytes).
    #[cfg(target_os = "linux")]
    #[test]
    fn newuser21_zenity_gets_the_title_and_the_start_folder_and_names_come_back_as_bytes() {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp");
        let args = dir.path().join("args");
        let fake = dir.path().join("zenity");
        std::fs::write(
            &fake,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nprintf '/p/a b.jpg\\n/p/caf\\351.jpg\\n'\n",
                args.display()
            ),
        )
        .expect("write");
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let start = dir.path().join("Pictures");
        let got = zenity(&fake, "Import files", Choose::Files, Some(&start))
            .expect("ran")
            .expect("chosen");
        assert_eq!(
            got,
            vec![
                PathBuf::from("/p/a b.jpg"),
                PathBuf::from(std::ffi::OsStr::from_bytes(b"/p/caf\xe9.jpg")),
            ]
        );
        let said = std::fs::read_to_string(&args).expect("args");
        let said: Vec<&str> = said.lines().collect();
        assert_eq!(
            said,
            [
                "--file-selection",
                "--title",
                "Import files",
                "--multiple",
                "--separator",
                "",
                "",
                "--filename",
                &format!("{}/", start.display()),
            ]
        );
        // Cancelled: zenity ends with 1 and nothing is chosen.
        std::fs::write(&fake, "#!/bin/sh\nexit 1\n").expect("write");
        assert_eq!(
            zenity(&fake, "Restore into", Choose::Folder, None).expect("ran"),
            None
        );
    }

    /// New-user finding 15: a name zenity could not pass on came back as "(null)" and was
    /// reported as a file that does not exist.
    #[test]
    fn newuser15_a_name_the_chooser_could_not_pass_on_is_told_apart() {
        let (kept, lost) = unpassed(vec![PathBuf::from("(null)"), PathBuf::from("/p/a.jpg")]);
        assert_eq!((kept, lost), (vec![PathBuf::from("/p/a.jpg")], 1));
        assert!(unpassed_message(1).starts_with("A chosen file's name is not valid UTF-8"));
        assert!(unpassed_message(2).starts_with("2 chosen files' names are not valid UTF-8"));
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
