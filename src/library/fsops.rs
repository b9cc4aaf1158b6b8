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
    let mut src = File::open(from)?;
    let mut dst = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)?;
    let copied = match io::copy(&mut src, &mut dst).and_then(|n| dst.sync_all().map(|_| n)) {
        Ok(n) => n,
        Err(e) => {
            drop(dst);
            let _ = fs::remove_file(to);
            return Err(e);
        }
    };
    Ok(copied)
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
    let mut file = File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hasher.finalize().to_hex().to_string()))
}

/// Removes the entry `name` from `dir` without following symbolic links: the directory is
/// opened with `O_NOFOLLOW` and the name unlinked relative to it. Returns `false` when the
/// file was already gone (which counts as done).
pub fn unlink_in(dir: &Path, name: &str) -> io::Result<bool> {
    validate_component(name)?;
    #[cfg(unix)]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let c_dir = CString::new(dir.as_os_str().as_bytes())?;
        let c_name = CString::new(name)?;
        // SAFETY: valid NUL-terminated path; the fd is closed below on every path.
        let fd = unsafe {
            libc::open(
                c_dir.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is an open directory; c_name is a single path component.
        let rc = unsafe { libc::unlinkat(fd, c_name.as_ptr(), 0) };
        let err = io::Error::last_os_error();
        // SAFETY: fd was opened above and is closed exactly once.
        unsafe { libc::close(fd) };
        if rc == 0 {
            Ok(true)
        } else if err.kind() == io::ErrorKind::NotFound {
            Ok(false)
        } else {
            Err(err)
        }
    }
    #[cfg(not(unix))]
    {
        let path = dir.join(name);
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
