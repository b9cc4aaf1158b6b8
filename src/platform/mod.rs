//! Everything that differs between Linux, macOS and Windows, behind small functions, so the
//! rest of Shoebox is written once. Each function keeps the promise RELIABILITY.md asks of it
//! with the system's own means:
//!
//! | promise | Linux | macOS | Windows |
//! |---|---|---|---|
//! | a rename never replaces | `renameat2(RENAME_NOREPLACE)` | `renamex_np(RENAME_EXCL)` | `MoveFileExW` without `MOVEFILE_REPLACE_EXISTING`, with `MOVEFILE_WRITE_THROUGH` |
//! | a write is durable | `fsync` | `fcntl(F_FULLFSYNC)` | `FlushFileBuffers` on a handle opened for writing |
//! | a rename is durable | `fsync` of the folder | `F_FULLFSYNC` of the folder | the rename is written through |
//! | links are never followed | `openat(O_NOFOLLOW)` per component | the same | reparse points (symbolic links, junctions) refused on every component, which stay open (and so in place) while used |
//! | a helper is bounded | `RLIMIT_AS`, `PR_SET_PDEATHSIG` | a watchdog in the helper (memory, parent gone), its own process group | a Job Object (memory cap, killed with Shoebox) |
//!
//! Only this module and its children use `cfg` for the operating system.

use std::ffi::OsStr;
use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command};

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(target_os = "linux")]
use linux as os;
#[cfg(target_os = "macos")]
use macos as os;
#[cfg(windows)]
use windows as os;

#[cfg(unix)]
use unix as family;
#[cfg(windows)]
use windows as family;

pub use family::SafeDir;

/// The system's name, as shown to the user ("Linux", "macOS", "Windows").
pub const SYSTEM: &str = os::SYSTEM;

/// Renames `from` to `to`, failing with `AlreadyExists` instead of replacing `to`. A file
/// held open by another program (Windows) is retried briefly, then reported.
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    os::rename_noreplace(from, to)
}

/// Whether an error means "the two paths are on different drives or file systems".
pub fn is_cross_device(err: &io::Error) -> bool {
    family::is_cross_device(err)
}

/// Whether an error means another program holds the file open in a way that forbids what
/// was asked (Windows' sharing violation); never on Linux and macOS.
pub fn is_held_open(err: &io::Error) -> bool {
    family::is_held_open(err)
}

/// Makes what was written to `file` durable, down to the disk's own cache where the system
/// can ask for it. On Windows `file` must have been opened for writing.
pub fn sync_file(file: &File) -> io::Result<()> {
    os::sync_file(file)
}

/// Makes the file at `path` durable (opening it as the system's flush needs).
pub fn fsync_file(path: &Path) -> io::Result<()> {
    sync_file(&family::open_for_flush(path)?)
}

/// Makes the entries of folder `dir` (a rename, a new file) durable. On Windows renames are
/// written through and a folder cannot be flushed: nothing to do.
pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    os::fsync_dir(dir)
}

/// Flushes everything written to the file system holding `dir` with one call (Linux
/// `syncfs`); `Unsupported` where the system has no such call for an ordinary user.
pub fn sync_filesystem(dir: &Path) -> io::Result<()> {
    os::sync_filesystem(dir)
}

/// Options that open a file without following a link at its place (the link itself is
/// opened, and then refused by whoever checks it is a regular file).
pub fn no_follow(opts: &mut OpenOptions) -> &mut OpenOptions {
    family::no_follow(opts)
}

/// The drive (device) and file number of the entry at `path` whose metadata (not
/// following a link) is `meta`: to tell whether two paths share a drive and whether a file
/// is the one recorded. Windows' `Metadata` does not carry them, so the entry is opened.
pub fn identity(path: &Path, meta: &Metadata) -> (Option<i64>, Option<i64>) {
    family::identity(path, meta)
}

/// The drive and file number of the entry at `path`, never following a link there.
pub fn identity_of(path: &Path) -> (Option<i64>, Option<i64>) {
    family::identity_of(path)
}

/// The drive and file number of an open file, whose metadata (read from it) is `meta`:
/// on Windows, where `Metadata` does not carry them, they are asked of the handle.
pub fn identity_of_open(file: &File, meta: &Metadata) -> (Option<i64>, Option<i64>) {
    family::identity_of_open(file, meta)
}

/// The absolute path of `path` with every link in it resolved, in the form people know:
/// on Windows `C:\Users\…`, not the `\\?\C:\…` form the system returns (which treats `/`
/// as part of a name and so breaks every path later joined to it).
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    family::resolve(path)
}

/// Hides a folder Shoebox made beside the user's files (a trash area). Its name starts
/// with a dot, which hides it on Linux and macOS; Windows needs the hidden attribute.
pub fn hide(path: &Path) -> io::Result<()> {
    family::hide(path)
}

/// Bytes free for this user on the drive holding `path`.
pub fn free_space(path: &Path) -> io::Result<u64> {
    family::free_space(path)
}

/// The name of the account running Shoebox, from the system (not the environment, which
/// anyone can set); `None` when the system cannot say.
pub fn account_name() -> Option<String> {
    family::account_name()
}

/// Fills `buf` with random bytes from the system.
pub fn random_bytes(buf: &mut [u8]) -> io::Result<()> {
    family::random_bytes(buf)
}

/// Why this system would refuse `name` as a file name, if it would (Windows: `CON`, `NUL`,
/// a trailing dot or space, `:`…); `None` on Linux and macOS, which take any name.
pub fn refused_name(name: &str) -> Option<&'static str> {
    family::refused_name(name)
}

/// Whether `dir` holds the program `name` (`name.exe` on Windows) that can be run.
pub fn program_in(dir: &Path, name: &str) -> bool {
    family::program_in(dir, name)
}

/// Opens `path` in the system's default program for it.
pub fn open_externally(path: &Path) -> io::Result<()> {
    os::open_command(path).spawn().map(|_| ())
}

/// The program [`open_externally`] runs, so a missing one can be named.
pub fn opener_name() -> &'static str {
    os::OPENER
}

/// A path as bytes for the helper's wire, and back: exact on Linux and macOS (any bytes),
/// UTF-16 code units on Windows (any name, unpaired surrogates too).
pub fn path_to_bytes(path: &Path) -> Vec<u8> {
    family::path_to_bytes(path)
}

/// The inverse of [`path_to_bytes`].
pub fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    family::path_from_bytes(bytes)
}

/// A started helper, what goes to it and what comes from it.
pub type Connected = (Child, Box<dyn io::Write + Send>, Box<dyn io::Read + Send>);

/// This process's standard output as a file, written to as it is (the standard library's
/// own writer flushes at each line: a helper's binary answers went out in pieces, one
/// write for each newline byte in them).
pub fn raw_stdout() -> io::Result<File> {
    family::raw_stdout()
}

/// Starts `cmd` as a helper: its standard input and output connected to this process,
/// limited to `memory_bytes`, and ended when Shoebox ends. Writing to a helper that died
/// fails with an error (never a signal).
pub fn spawn_helper(cmd: &mut Command, memory_bytes: u64) -> io::Result<Connected> {
    os::prepare_helper(cmd, memory_bytes);
    let (child, to, from) = family::spawn_connected(cmd)?;
    if let Err(e) = family::contain_helper(&child, memory_bytes) {
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    Ok((child, to, from))
}

/// Ends a helper at once, with the programs it started.
pub fn kill_helper(child: &mut Child) {
    family::kill_helper(child);
    let _ = child.wait();
}

/// Runs first in a helper process: whatever the system needs the helper itself to do so that
/// it stays within `memory_bytes` and ends when Shoebox is gone (macOS: a watchdog thread;
/// Windows: the programs it starts end with it).
pub fn enter_helper(memory_bytes: u64) {
    os::enter_helper(memory_bytes);
}

/// Lowers the calling thread's priority below the app's own: an import's reading threads
/// and the helpers' decoding run when the thread writing records, or the window, leaves a
/// core free, and on every core when nothing else wants it. (With two cores, the reading
/// threads took turns with the writing thread and a million files took 7% longer.)
pub fn run_behind() {
    os::run_behind();
}

/// Makes a program a helper starts (a decoder such as `heif-convert`) end with that helper.
pub fn tie_to_parent(cmd: &mut Command) {
    os::tie_to_parent(cmd);
}

/// Ends this process at once, as a crash or `kill -9` would: nothing is flushed, no
/// destructor runs. Failpoints use it. (Windows' `abort` ends through a fast-fail exception
/// whose exit code Wine reports as 0, which would read as a clean exit.)
pub fn crash_now() -> ! {
    family::crash_now()
}

/// Hands memory the allocator keeps for reuse back to the system (glibc keeps it).
pub fn return_freed_memory() {
    os::return_freed_memory();
}

/// Before the arguments are read: print to the console Shoebox was started from (Windows,
/// whose window build has none of its own), so `--help`, usage errors and every command's
/// output show there.
pub fn attach_console() {
    family::attach_console();
}

/// At the start of a command: end quietly when the output pipe closes (`shoebox ls | head`),
/// as Unix tools do.
pub fn quiet_broken_pipe() {
    family::quiet_broken_pipe();
}

/// Checks that `name` is one plain path component (no separators, `..`, or NUL).
pub fn validate_component(name: &str) -> io::Result<()> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains('/')
        || name.contains('\\')
        || name.contains('\0');
    if bad {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unsafe file name in the library: {name:?}"),
        ));
    }
    Ok(())
}

/// The folders of an absolute path, from its root down, refusing `.`, `..` and the root
/// itself.
fn safe_components(path: &Path) -> io::Result<Vec<&OsStr>> {
    if !path.is_absolute() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not an absolute path: {}", path.display()),
        ));
    }
    let parts: Vec<&OsStr> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(Ok(n)),
            Component::RootDir | Component::Prefix(_) => None,
            _ => Some(Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unsafe path: {}", path.display()),
            ))),
        })
        .collect::<io::Result<_>>()?;
    if parts.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "refusing the root folder",
        ));
    }
    Ok(parts)
}

/// The error for a link (or a non-folder) met at the `depth`th folder of `path`.
fn link_refused(path: &Path, depth: usize) -> io::Error {
    let mut so_far = PathBuf::new();
    let mut normal = 0;
    for c in path.components() {
        if normal == depth {
            break;
        }
        if matches!(c, Component::Normal(_)) {
            normal += 1;
        }
        so_far.push(c.as_os_str());
    }
    io::Error::other(format!(
        "refusing to follow a symbolic link (or a non-folder): {}",
        so_far.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Windows' FlushFileBuffers refuses a handle opened only for reading ("Access denied"):
    /// every import by copy and every backup failed there.
    #[test]
    fn a_file_written_then_closed_can_be_flushed_by_its_path() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("copy.jpg");
        std::fs::write(&path, b"pixels").expect("write");
        fsync_file(&path).expect("flush");
        fsync_dir(dir.path()).expect("flush the folder");
    }

    #[test]
    fn a_rename_never_replaces_and_a_cross_drive_error_is_known() {
        let dir = tempfile::tempdir().expect("temp");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, b"a").expect("write");
        std::fs::write(&b, b"b").expect("write");
        let err = rename_noreplace(&a, &b).expect_err("must refuse");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists, "{err}");
        assert!(!is_cross_device(&err));
        assert!(!is_held_open(&err));
        assert_eq!(std::fs::read(&b).expect("read"), b"b");
        let c = dir.path().join("c");
        rename_noreplace(&a, &c).expect("rename");
        assert!(!a.exists() && c.exists());
    }

    #[test]
    fn identities_tell_files_apart_and_drives_together() {
        let dir = tempfile::tempdir().expect("temp");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, b"a").expect("write");
        std::fs::write(&b, b"b").expect("write");
        let (ia, ib) = (identity_of(&a), identity_of(&b));
        assert!(ia.0.is_some() && ia.1.is_some(), "{ia:?}");
        assert_eq!(ia.0, ib.0, "one drive");
        assert_ne!(ia.1, ib.1, "two files");
        assert_eq!(
            identity_of(dir.path()).0,
            ia.0,
            "a folder is on its drive too"
        );
        let file = File::open(&a).expect("open");
        let meta = std::fs::symlink_metadata(&a).expect("meta");
        assert_eq!(identity_of_open(&file, &meta), ia);
        assert_eq!(identity(&a, &meta), ia);
        assert_eq!(identity_of(&dir.path().join("gone")), (None, None));
    }

    #[test]
    fn a_safe_folder_removes_files_only() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("old.jpg"), b"x").expect("write");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        let safe = SafeDir::open(dir.path()).expect("open");
        assert_eq!(
            safe.file_names().expect("list"),
            vec!["old.jpg".to_string()]
        );
        let mut text = String::new();
        io::Read::read_to_string(&mut safe.open_file("old.jpg").expect("open"), &mut text)
            .expect("read");
        assert_eq!(text, "x");
        assert!(safe.unlink("old.jpg").expect("unlink"));
        assert!(!safe.unlink("old.jpg").expect("gone is done"));
        assert!(safe.unlink("sub").is_err(), "a folder is never removed");
        assert!(dir.path().join("sub").is_dir());
        assert!(safe.unlink("../x").is_err());
        assert!(SafeDir::open(Path::new("relative")).is_err());
    }

    #[test]
    fn paths_cross_the_helper_wire_unchanged() {
        let p = std::env::temp_dir().join("Été 2024").join("IMG 1.jpg");
        assert_eq!(path_from_bytes(path_to_bytes(&p)), p);
    }

    #[test]
    fn the_account_name_comes_from_the_system() {
        let name = account_name().expect("an account name");
        assert!(!name.is_empty());
    }

    #[test]
    fn free_space_is_known() {
        let dir = tempfile::tempdir().expect("temp");
        assert!(free_space(dir.path()).expect("free space") > 0);
    }

    /// Names Windows refuses are refused there with a reason, and taken everywhere else.
    #[test]
    fn names_windows_refuses() {
        let refused = [
            "CON", "nul.txt", "Com1.jpg", "LPT9", "COM0", "photo.", "photo ", "a:b", "a?b", "a|b",
        ];
        for name in refused {
            assert_eq!(refused_name(name).is_some(), cfg!(windows), "{name}");
        }
        for name in ["CONSOLE.jpg", "COM10", "photo.jpg", "Été.png", "nully"] {
            assert_eq!(refused_name(name), None, "{name}");
        }
    }
}
