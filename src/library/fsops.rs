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

pub use crate::platform::{
    SafeDir, fsync_dir, fsync_file, identity, identity_of, is_cross_device, rename_noreplace,
    sync_filesystem, validate_component,
};

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
            crate::platform::sync_file(&dst)?;
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
    hash_regular_file_then(path, |_| ()).map(|(hashed, ())| hashed)
}

/// [`hash_regular_file`], then `then` given what was read (see [`Content`]) to read more of
/// it: one open of each file, and what it reads is the very file hashed.
pub fn hash_regular_file_then<T>(
    path: &Path,
    then: impl FnOnce(Content<'_>) -> T,
) -> io::Result<(Hashed, T)> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    let file = crate::platform::no_follow(&mut opts).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("is not a regular file"));
    }
    let (dev, ino) = crate::platform::identity_of_open(&file, &meta);
    let (size, hash, more) = hash_then(&file, |size, whole| {
        then(match whole {
            Some(bytes) => Content::Whole(bytes),
            None => Content::Open(&file, size),
        })
    })?;
    Ok((
        Hashed {
            size,
            hash,
            dev,
            ino,
        },
        more,
    ))
}

/// A file just hashed, to read more of: all it holds when that came in one read (a small
/// file: nothing more is asked of the disk), else the open file and its length.
pub enum Content<'a> {
    Whole(&'a [u8]),
    Open(&'a File, u64),
}

/// Size and BLAKE3 hash (hex) of everything `file` reads.
pub fn hash_reader(file: impl Read) -> io::Result<(u64, String)> {
    hash_then(file, |_, _| ()).map(|(size, hash, ())| (size, hash))
}

/// Hashes everything `file` reads, then calls `then` with its size and, when it all came
/// in one read, what it read.
fn hash_then<T>(
    mut file: impl Read,
    then: impl FnOnce(u64, Option<&[u8]>) -> T,
) -> io::Result<(u64, String, T)> {
    const BUF_LEN: usize = 64 * 1024;
    thread_local! {
        // One read buffer per thread: importing thousands of small files should not pay
        // for allocating and zeroing a fresh one per file.
        static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; BUF_LEN]);
    }
    BUF.with(|cell| {
        // (A hash taken inside `then` gets a buffer of its own.)
        let mut own = Vec::new();
        let mut kept = cell.try_borrow_mut().ok();
        let buf: &mut Vec<u8> = match kept.as_deref_mut() {
            Some(buf) => buf,
            None => {
                own.resize(BUF_LEN, 0);
                &mut own
            }
        };
        let mut hasher = blake3::Hasher::new();
        let mut size = 0u64;
        let mut reads = 0;
        loop {
            let n = match file.read(buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                break;
            }
            reads += 1;
            size += n as u64;
            hasher.update(&buf[..n]);
        }
        let whole = (reads <= 1).then(|| &buf[..size as usize]);
        let more = then(size, whole);
        Ok((size, hasher.finalize().to_hex().to_string(), more))
    })
}

/// Removes the entry `name` from `dir`, which is walked without following a symbolic link
/// in any component. Returns `false` when the file was already gone (which counts as done).
pub fn unlink_in(dir: &Path, name: &str) -> io::Result<bool> {
    validate_component(name)?;
    SafeDir::open(dir)?.unlink(name)
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

/// Whether a path exists without following a final symbolic link.
pub fn exists_nofollow(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// `name (2).ext`, `name (3).ext`, …: the `n`th candidate for a free name.
pub fn numbered_name(name: &str, n: u32) -> String {
    if n <= 1 {
        return name.to_string();
    }
    let (stem, ext) = crate::media::split_ext(name);
    match ext {
        Some(ext) => format!("{stem} ({n}).{ext}"),
        None => format!("{stem} ({n})"),
    }
}

/// The longest file name every system Shoebox runs on takes: 255 bytes of UTF-8 (Linux,
/// macOS), which is never more than Windows' 255 UTF-16 units.
pub const NAME_MAX_BYTES: usize = 255;

/// A name Shoebox stores a file under (`{prefix}-{name}`), made to fit [`NAME_MAX_BYTES`]:
/// a longer one keeps its beginning (where the unique prefix is), its end (a ` (2)`) and its
/// extension, and loses the middle, marked `~`. The item's own name is kept elsewhere,
/// whole; this is only the name on disk.
pub fn fit_name(name: &str) -> String {
    if name.len() <= NAME_MAX_BYTES {
        return name.to_string();
    }
    let (stem, ext) = match crate::media::split_ext(name) {
        (stem, Some(ext)) if ext.len() <= 16 => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    let budget = NAME_MAX_BYTES - ext.len() - 1; // 1 for the `~`
    let floor = |s: &str, mut i: usize| {
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let ceil = |s: &str, mut i: usize| {
        while !s.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let tail_start = ceil(stem, stem.len() - 24.min(stem.len()));
    let tail = &stem[tail_start..];
    let head = &stem[..floor(stem, budget - tail.len())];
    format!("{head}~{tail}{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What was read to hash a file is handed on whole when it came in one read; a larger
    /// file is handed on open, to read again from its start; a hash taken meanwhile is right.
    #[test]
    fn what_hashing_read_is_handed_on_whole_or_open() {
        use std::io::{Seek, SeekFrom};
        let dir = tempfile::tempdir().expect("temp");
        let (small, large) = (dir.path().join("small"), dir.path().join("large"));
        fs::write(&small, b"small file").expect("write");
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&large, &big).expect("write");
        let (hashed, seen) = hash_regular_file_then(&small, |content| match content {
            Content::Whole(bytes) => {
                let inner = hash_reader(&big[..]).expect("hash");
                (bytes.to_vec(), inner)
            }
            Content::Open(..) => panic!("a small file is read whole"),
        })
        .expect("hash");
        assert_eq!(seen.0, b"small file");
        assert_eq!(seen.1, hash_file(&large).expect("hash"));
        assert_eq!(hashed.size, 10);
        assert_eq!(
            hashed.hash,
            blake3::hash(b"small file").to_hex().to_string()
        );
        let (hashed, head) = hash_regular_file_then(&large, |content| match content {
            Content::Open(mut file, len) => {
                assert_eq!(len, 200_000);
                let mut head = [0u8; 4];
                file.seek(SeekFrom::Start(0)).expect("seek");
                file.read_exact(&mut head).expect("read");
                head
            }
            Content::Whole(_) => panic!("a large file is handed on open"),
        })
        .expect("hash");
        assert_eq!(head, [0, 1, 2, 3]);
        assert_eq!(hashed.hash, blake3::hash(&big).to_hex().to_string());
    }

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
        let dev = |p: &Path| identity_of(p).0;
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
    fn a_stored_name_fits_every_system_and_keeps_its_ends() {
        assert_eq!(fit_name("3f9a-IMG_1.jpg"), "3f9a-IMG_1.jpg");
        let long = format!("3f9a04c1b2d7-{}é (2).jpeg", "Lisbon at dusk ".repeat(20));
        let fitted = fit_name(&long);
        assert!(fitted.len() <= NAME_MAX_BYTES, "{}", fitted.len());
        assert!(fitted.starts_with("3f9a04c1b2d7-Lisbon"), "{fitted}");
        assert!(fitted.ends_with("é (2).jpeg"), "{fitted}");
        assert!(fitted.contains('~'));
        let no_ext = "x".repeat(400);
        assert!(fit_name(&no_ext).len() <= NAME_MAX_BYTES);
        let wide = "写真".repeat(100);
        let fitted = fit_name(&format!("1-2-{wide}.png"));
        assert!(
            fitted.len() <= NAME_MAX_BYTES && fitted.ends_with(".png"),
            "{fitted}"
        );
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

    #[cfg(unix)] // making a symbolic link on Windows needs a privilege tests do not have
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
