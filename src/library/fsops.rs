//! The only code that moves or destroys files, with the guarantees of RELIABILITY.md:
//! renames never replace, cross-device moves copy → fsync → verify → remove, unlinks are
//! relative to a directory handle and never follow a symbolic link.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// How a file reached its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveHow {
    Renamed,
    Copied,
}

/// Renames `from` to `to`, failing with `AlreadyExists` instead of replacing `to`.
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let c_from = CString::new(from.as_os_str().as_bytes())?;
        let c_to = CString::new(to.as_os_str().as_bytes())?;
        // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                c_from.as_ptr(),
                libc::AT_FDCWD,
                c_to.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            // The file system cannot do RENAME_NOREPLACE: fall back to link + unlink.
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => {}
            _ => return Err(err),
        }
    }
    link_then_unlink(from, to)
}

/// A no-replace rename made of a hard link (which never replaces) and an unlink.
fn link_then_unlink(from: &Path, to: &Path) -> io::Result<()> {
    fs::hard_link(from, to)?;
    fs::remove_file(from)
}

/// Whether an error means "the two paths are on different file systems".
pub fn is_cross_device(err: &io::Error) -> bool {
    #[cfg(unix)]
    {
        err.raw_os_error() == Some(libc::EXDEV)
    }
    #[cfg(not(unix))]
    {
        err.kind() == io::ErrorKind::CrossesDevices
    }
}

/// Moves a regular file without ever replacing the destination. Across file systems the
/// file is copied, flushed, verified against `expected_hash` and only then removed.
pub fn move_file(from: &Path, to: &Path, expected_hash: &str) -> io::Result<MoveHow> {
    match rename_noreplace(from, to) {
        Ok(()) => Ok(MoveHow::Renamed),
        Err(e) if is_cross_device(&e) => {
            copy_durable(from, to)?;
            let (_, hash) = hash_file(to)?;
            if hash != expected_hash {
                // Our own partial copy: remove it, leave the source alone.
                let _ = fs::remove_file(to);
                return Err(io::Error::other(format!(
                    "the copy did not match the original: {}",
                    to.display()
                )));
            }
            if let Err(e) = fs::remove_file(from) {
                // The source cannot be removed (read-only volume): undo our copy, keep it.
                let _ = fs::remove_file(to);
                return Err(e);
            }
            Ok(MoveHow::Copied)
        }
        Err(e) => Err(e),
    }
}

/// Copies `from` to a new file `to` (never replacing one) and flushes it to disk.
pub fn copy_durable(from: &Path, to: &Path) -> io::Result<u64> {
    copy_new(from, to, true)
}

/// Copies `from` to a new file `to` (never replacing one); flushes it when `sync` is set,
/// otherwise the caller must flush before relying on it (see [`sync_filesystem`]).
pub fn copy_new(from: &Path, to: &Path, sync: bool) -> io::Result<u64> {
    let mut src = File::open(from)?;
    let mut dst = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)?;
    let result = io::copy(&mut src, &mut dst).and_then(|n| {
        if sync {
            dst.sync_all()?;
        }
        Ok(n)
    });
    match result {
        Ok(n) => Ok(n),
        Err(e) => {
            drop(dst);
            let _ = fs::remove_file(to);
            Err(e)
        }
    }
}

/// Flushes everything written to the file system holding `dir` (Linux `syncfs`), so many
/// new files become durable with one call. Elsewhere it reports `Unsupported`.
pub fn sync_filesystem(dir: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let d = File::open(dir)?;
        // SAFETY: `d` is an open file descriptor for the duration of the call.
        let rc = unsafe { libc::syncfs(d.as_raw_fd()) };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

/// Flushes one file's content to disk.
pub fn fsync_file(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// Flushes a directory so renames in it are durable.
pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Size and BLAKE3 hash (hex) of a file's content.
pub fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    hash_reader(File::open(path)?)
}

/// What hashing a file found: its size and BLAKE3 hash, and the identity (device, inode)
/// of the very file that was read.
#[derive(Debug, Clone)]
pub struct Hashed {
    pub size: u64,
    pub hash: String,
    pub dev: Option<i64>,
    pub ino: Option<i64>,
}

/// Hashes the regular file at `path`, refusing a symbolic link in its last component; the
/// identity comes from the open handle, so it is the file that was hashed.
pub fn hash_regular_file(path: &Path) -> io::Result<Hashed> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    let file = opts.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("is not a regular file"));
    }
    let (dev, ino) = dev_ino(&meta);
    let (size, hash) = hash_reader(file)?;
    Ok(Hashed {
        size,
        hash,
        dev,
        ino,
    })
}

/// Size and BLAKE3 hash (hex) of everything `file` reads.
pub fn hash_reader(mut file: impl Read) -> io::Result<(u64, String)> {
    thread_local! {
        // One read buffer per thread: importing thousands of small files should not pay
        // for allocating and zeroing a fresh one per file.
        static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 64 * 1024]);
    }
    BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        let mut hasher = blake3::Hasher::new();
        let mut size = 0u64;
        loop {
            let n = match file.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
        }
        Ok((size, hasher.finalize().to_hex().to_string()))
    })
}

/// Opens a folder only to walk through it.
#[cfg(target_os = "linux")]
const O_SEARCH: libc::c_int = libc::O_PATH;
#[cfg(all(unix, not(target_os = "linux")))]
const O_SEARCH: libc::c_int = libc::O_RDONLY;

/// A directory opened by walking every component of its absolute path without following
/// a symbolic link anywhere (not only in the last component): a folder swapped for a link
/// on the way (say, a drive's mount point) is refused, never followed. Everything done
/// through it (unlink, list, read) stays inside that very directory.
#[cfg(unix)]
#[derive(Debug)]
pub struct SafeDir {
    fd: std::os::fd::OwnedFd,
    path: PathBuf,
}

#[cfg(unix)]
impl SafeDir {
    /// Opens `path` (absolute, no `..`) component by component with `O_NOFOLLOW`.
    pub fn open(path: &Path) -> io::Result<SafeDir> {
        use std::ffi::CString;
        use std::os::fd::{FromRawFd, OwnedFd};
        use std::os::unix::ffi::OsStrExt;
        if !path.is_absolute() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not an absolute path: {}", path.display()),
            ));
        }
        let root = CString::new("/")?;
        // SAFETY: a valid NUL-terminated path; the fd is owned below.
        let fd = unsafe {
            libc::open(
                root.as_ptr(),
                O_SEARCH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd was just opened and is owned by nobody else.
        let mut cur = unsafe { OwnedFd::from_raw_fd(fd) };
        let parts: Vec<_> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(Ok(n)),
                Component::RootDir => None,
                _ => Some(Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("unsafe path: {}", path.display()),
                ))),
            })
            .collect::<io::Result<_>>()?;
        for (i, part) in parts.iter().enumerate() {
            let c_part = CString::new(part.as_bytes())?;
            let last = i + 1 == parts.len();
            let flags = if last { libc::O_RDONLY } else { O_SEARCH }
                | libc::O_DIRECTORY
                | libc::O_NOFOLLOW
                | libc::O_CLOEXEC;
            use std::os::fd::AsRawFd;
            // SAFETY: `cur` is an open directory and c_part one NUL-terminated component.
            let next = unsafe { libc::openat(cur.as_raw_fd(), c_part.as_ptr(), flags) };
            if next < 0 {
                let err = io::Error::last_os_error();
                if matches!(err.raw_os_error(), Some(libc::ELOOP) | Some(libc::ENOTDIR)) {
                    let so_far: PathBuf = std::iter::once(Component::RootDir.as_os_str())
                        .chain(parts[..=i].iter().copied())
                        .collect();
                    return Err(io::Error::other(format!(
                        "refusing to follow a symbolic link (or a non-folder): {}",
                        so_far.display()
                    )));
                }
                return Err(err);
            }
            // SAFETY: `next` was just opened and is owned by nobody else.
            cur = unsafe { OwnedFd::from_raw_fd(next) };
        }
        if parts.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "refusing the root folder",
            ));
        }
        Ok(SafeDir {
            fd: cur,
            path: path.to_path_buf(),
        })
    }

    /// The path this directory was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the entry `name` (a file, never a folder) from this directory. Returns
    /// `false` when it was already gone (which counts as done).
    pub fn unlink(&self, name: &str) -> io::Result<bool> {
        use std::os::fd::AsRawFd;
        validate_component(name)?;
        let c_name = std::ffi::CString::new(name)?;
        // SAFETY: fd is an open directory; c_name is a single path component.
        let rc = unsafe { libc::unlinkat(self.fd.as_raw_fd(), c_name.as_ptr(), 0) };
        if rc == 0 {
            return Ok(true);
        }
        let err = io::Error::last_os_error();
        if err.kind() == io::ErrorKind::NotFound {
            Ok(false)
        } else {
            Err(err)
        }
    }

    /// Opens the regular file `name` in this directory for reading, never through a link.
    pub fn open_file(&self, name: &str) -> io::Result<File> {
        use std::os::fd::{AsRawFd, FromRawFd};
        validate_component(name)?;
        let c_name = std::ffi::CString::new(name)?;
        // SAFETY: fd is an open directory; c_name is a single path component.
        let fd = unsafe {
            libc::openat(
                self.fd.as_raw_fd(),
                c_name.as_ptr(),
                libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd was just opened and is owned by nobody else.
        let file = unsafe { File::from_raw_fd(fd) };
        if !file.metadata()?.is_file() {
            return Err(io::Error::other(format!(
                "not a regular file: {}",
                self.path.join(name).display()
            )));
        }
        Ok(file)
    }

    /// The names of the regular files in this directory (links and folders are left out).
    pub fn file_names(&self) -> io::Result<Vec<String>> {
        use std::os::fd::AsRawFd;
        use std::os::unix::ffi::OsStrExt;
        // A second descriptor of the same directory, for readdir to own and close.
        // SAFETY: fd is open; F_DUPFD_CLOEXEC returns a new descriptor or -1.
        let dup = unsafe { libc::fcntl(self.fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 0) };
        if dup < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `dup` is an open directory descriptor; fdopendir takes ownership of it.
        let dir = unsafe { libc::fdopendir(dup) };
        if dir.is_null() {
            let err = io::Error::last_os_error();
            // SAFETY: fdopendir failed, so `dup` is still ours to close.
            unsafe { libc::close(dup) };
            return Err(err);
        }
        let mut names = Vec::new();
        loop {
            // SAFETY: `dir` is a valid DIR stream until closedir below.
            let entry = unsafe { libc::readdir(dir) };
            if entry.is_null() {
                break;
            }
            // SAFETY: readdir returned a valid dirent whose d_name is NUL-terminated.
            let (name, d_type) = unsafe {
                (
                    std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()),
                    (*entry).d_type,
                )
            };
            let bytes = name.to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            let is_file = match d_type {
                libc::DT_REG => true,
                libc::DT_UNKNOWN => {
                    let os = std::ffi::OsStr::from_bytes(bytes);
                    fs::symlink_metadata(self.path.join(os)).is_ok_and(|m| m.is_file())
                }
                _ => false,
            };
            if is_file && let Ok(s) = std::str::from_utf8(bytes) {
                names.push(s.to_string());
            }
        }
        // SAFETY: `dir` is valid and closed exactly once (this closes `dup` too).
        unsafe { libc::closedir(dir) };
        Ok(names)
    }
}

/// Where directory handles are not available: the same checks by path.
#[cfg(not(unix))]
#[derive(Debug)]
pub struct SafeDir {
    path: PathBuf,
}

#[cfg(not(unix))]
impl SafeDir {
    pub fn open(path: &Path) -> io::Result<SafeDir> {
        check_no_symlinks(path)?;
        if !fs::symlink_metadata(path)?.is_dir() {
            return Err(io::Error::other(format!(
                "not a folder: {}",
                path.display()
            )));
        }
        Ok(SafeDir {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn unlink(&self, name: &str) -> io::Result<bool> {
        unlink_in(&self.path, name)
    }

    pub fn open_file(&self, name: &str) -> io::Result<File> {
        validate_component(name)?;
        let p = self.path.join(name);
        if !fs::symlink_metadata(&p)?.is_file() {
            return Err(io::Error::other(format!(
                "not a regular file: {}",
                p.display()
            )));
        }
        File::open(p)
    }

    pub fn file_names(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for e in fs::read_dir(&self.path)?.flatten() {
            if e.file_type().is_ok_and(|t| t.is_file())
                && let Ok(n) = e.file_name().into_string()
            {
                names.push(n);
            }
        }
        Ok(names)
    }
}

/// Removes the entry `name` from `dir`, which is walked without following a symbolic link
/// in any component. Returns `false` when the file was already gone (which counts as done).
pub fn unlink_in(dir: &Path, name: &str) -> io::Result<bool> {
    validate_component(name)?;
    #[cfg(unix)]
    {
        SafeDir::open(dir)?.unlink(name)
    }
    #[cfg(not(unix))]
    {
        let path = dir.join(name);
        check_no_symlinks(&path)?;
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() || m.is_dir() => Err(io::Error::other(format!(
                "refusing to remove a non-file: {}",
                path.display()
            ))),
            Ok(_) => fs::remove_file(&path).map(|_| true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
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

/// Checks a stored path: absolute paths must be absolute, relative ones relative; neither
/// may contain `..`, `.` or NUL.
pub fn validate_stored(path: &str, absolute: bool) -> io::Result<PathBuf> {
    let p = PathBuf::from(path);
    let ok = !path.is_empty()
        && !path.contains('\0')
        && p.is_absolute() == absolute
        && p.components().all(|c| match c {
            Component::Normal(_) => true,
            Component::RootDir | Component::Prefix(_) => absolute,
            Component::CurDir | Component::ParentDir => false,
        });
    if ok {
        Ok(p)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unsafe path in the library: {path:?}"),
        ))
    }
}

/// Fails if any existing ancestor of `path` (or `path` itself) is a symbolic link.
pub fn check_no_symlinks(path: &Path) -> io::Result<()> {
    for ancestor in path.ancestors() {
        if ancestor.as_os_str().is_empty() {
            continue;
        }
        match fs::symlink_metadata(ancestor) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(io::Error::other(format!(
                    "refusing to follow a symbolic link: {}",
                    ancestor.display()
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Device and inode of a file (unix), used to check a file is the one recorded.
pub fn dev_ino(meta: &fs::Metadata) -> (Option<i64>, Option<i64>) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (Some(meta.dev() as i64), Some(meta.ino() as i64))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (None, None)
    }
}

/// Whether a path exists without following a final symbolic link.
pub fn exists_nofollow(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// `name (2).ext`, `name (3).ext`, …: the `n`th candidate for a free name.
pub fn numbered_name(name: &str, n: u32) -> String {
    if n <= 1 {
        return name.to_string();
    }
    let (stem, ext) = split_ext(name);
    match ext {
        Some(ext) => format!("{stem} ({n}).{ext}"),
        None => format!("{stem} ({n})"),
    }
}

/// Splits `IMG_1.jpg` into (`IMG_1`, Some(`jpg`)); a leading dot is not an extension.
pub fn split_ext(name: &str) -> (&str, Option<&str>) {
    match name.rfind('.') {
        Some(i) if i > 0 && i + 1 < name.len() => (&name[..i], Some(&name[i + 1..])),
        _ => (name, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_never_replaces_an_existing_file() {
        let dir = tempfile::tempdir().expect("temp");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&a, b"a").expect("write");
        fs::write(&b, b"b").expect("write");
        let err = rename_noreplace(&a, &b).expect_err("must refuse");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&b).expect("read"), b"b");
        assert_eq!(fs::read(&a).expect("read"), b"a");
    }

    /// `/dev/shm` is a RAM file system on Linux: moving from it to the disk crosses devices.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_cross_device_move_copies_verifies_then_removes() {
        let Ok(shm) = tempfile::tempdir_in("/dev/shm") else {
            return;
        };
        let disk = tempfile::tempdir().expect("temp");
        let dev = |p: &Path| fs::metadata(p).map(|m| dev_ino(&m).0).ok().flatten();
        if dev(shm.path()) == dev(disk.path()) {
            return; // Not two file systems on this machine.
        }
        let src = shm.path().join("photo.jpg");
        fs::write(&src, b"pixels").expect("write");
        let (_, hash) = hash_file(&src).expect("hash");
        let dst = disk.path().join("photo.jpg");
        assert_eq!(move_file(&src, &dst, &hash).expect("move"), MoveHow::Copied);
        assert!(!src.exists());
        assert_eq!(fs::read(&dst).expect("read"), b"pixels");
        // A wrong expected hash leaves the source alone and removes the bad copy.
        let src2 = shm.path().join("other.jpg");
        fs::write(&src2, b"other").expect("write");
        let dst2 = disk.path().join("other.jpg");
        assert!(move_file(&src2, &dst2, &hash).is_err());
        assert!(src2.exists());
        assert!(!dst2.exists());
    }

    #[test]
    fn stored_paths_that_climb_out_are_refused() {
        assert!(validate_stored("media/ab/x.jpg", false).is_ok());
        assert!(validate_stored("media/../../etc/passwd", false).is_err());
        assert!(validate_stored("/etc/../root", true).is_err());
        assert!(validate_stored("relative", true).is_err());
        assert!(validate_component("a/b").is_err());
        assert!(validate_component("..").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn unlink_does_not_follow_a_symlinked_directory() {
        let dir = tempfile::tempdir().expect("temp");
        let real = dir.path().join("real");
        fs::create_dir(&real).expect("mkdir");
        fs::write(real.join("keep.txt"), b"keep").expect("write");
        let link = dir.path().join("trash");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        assert!(unlink_in(&link, "keep.txt").is_err());
        assert!(real.join("keep.txt").exists());
    }
}
