//! What Linux and macOS share: directory handles walked with `openat(O_NOFOLLOW)`, device
//! and inode numbers, the account from the password database, helpers on a socket pair in
//! their own process group.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::Connected;

/// Opens a folder only to walk through it.
#[cfg(target_os = "linux")]
const O_SEARCH: libc::c_int = libc::O_PATH;
#[cfg(not(target_os = "linux"))]
const O_SEARCH: libc::c_int = libc::O_RDONLY;

pub fn is_cross_device(err: &io::Error) -> bool {
    err.raw_os_error() == Some(libc::EXDEV)
}

pub fn is_held_open(_err: &io::Error) -> bool {
    false
}

pub fn open_for_flush(path: &Path) -> io::Result<File> {
    File::open(path)
}

pub fn no_follow(opts: &mut OpenOptions) -> &mut OpenOptions {
    opts.custom_flags(libc::O_NOFOLLOW)
}

fn dev_ino(meta: &Metadata) -> (Option<i64>, Option<i64>) {
    (Some(meta.dev() as i64), Some(meta.ino() as i64))
}

pub fn identity(_path: &Path, meta: &Metadata) -> (Option<i64>, Option<i64>) {
    dev_ino(meta)
}

pub fn identity_of(path: &Path) -> (Option<i64>, Option<i64>) {
    fs::symlink_metadata(path).map_or((None, None), |m| dev_ino(&m))
}

pub fn raw_stdout() -> io::Result<File> {
    use std::os::fd::AsFd;
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

pub fn identity_of_open(_file: &File, meta: &Metadata) -> (Option<i64>, Option<i64>) {
    dev_ino(meta)
}

pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    fs::canonicalize(path)
}

pub fn hide(_path: &Path) -> io::Result<()> {
    // A name starting with a dot is hidden already.
    Ok(())
}

pub fn free_space(path: &Path) -> io::Result<u64> {
    let c_path = CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: an all-zero statvfs is a valid value to be filled in.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between systems
    Ok(st.f_bavail as u64 * st.f_frsize as u64)
}

pub fn account_name() -> Option<String> {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: an all-zero passwd is a valid value to be filled in.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; `buf` outlives the use of `pwd` below.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: on success pw_name points to a NUL-terminated string inside `buf`.
    let name = unsafe { CStr::from_ptr(pwd.pw_name) };
    name.to_str()
        .ok()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

pub fn refused_name(_name: &str) -> Option<&'static str> {
    None
}

pub fn random_bytes(buf: &mut [u8]) -> io::Result<()> {
    File::open("/dev/urandom")?.read_exact(buf)
}

pub fn program_in(dir: &Path, name: &str) -> bool {
    fs::metadata(dir.join(name)).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

pub fn path_to_bytes(path: &Path) -> Vec<u8> {
    path.as_os_str().as_bytes().to_vec()
}

pub fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(OsString::from_vec(bytes))
}

/// A socket pair: writing to a helper that has died fails with an error instead of raising
/// SIGPIPE (which the command line leaves at its default, ending the process). The helper
/// leads its own process group, so ending it ends the programs it started.
pub fn spawn_connected(cmd: &mut Command) -> io::Result<Connected> {
    use std::os::unix::net::UnixStream;
    use std::os::unix::process::CommandExt;
    let (ours, theirs) = UnixStream::pair()?;
    cmd.stdin(Stdio::from(OwnedFd::from(theirs.try_clone()?)))
        .stdout(Stdio::from(OwnedFd::from(theirs)))
        .process_group(0);
    let child = cmd.spawn()?;
    // The command above still holds the helper's ends; they close when it is dropped, so
    // a helper's death is seen here as the end of its output.
    let to = ours.try_clone()?;
    Ok((child, Box::new(to), Box::new(ours)))
}

pub fn contain_helper(_child: &Child, _memory_bytes: u64) -> io::Result<()> {
    Ok(())
}

pub fn kill_helper(child: &mut Child) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: signalling a process group has no memory-safety preconditions; the
        // group is the helper's own (it was started as its leader).
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
}

pub fn attach_console() {}

pub fn crash_now() -> ! {
    std::process::abort()
}

pub fn quiet_broken_pipe() {
    // SAFETY: setting a signal's disposition to the default has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// A directory opened by walking every component of its absolute path without following
/// a symbolic link anywhere (not only in the last component): a folder swapped for a link
/// on the way (say, a drive's mount point) is refused, never followed. Everything done
/// through it (unlink, list, read) stays inside that very directory.
#[derive(Debug)]
pub struct SafeDir {
    fd: OwnedFd,
    path: PathBuf,
}

impl SafeDir {
    /// Opens `path` (absolute, no `..`) component by component with `O_NOFOLLOW`.
    pub fn open(path: &Path) -> io::Result<SafeDir> {
        let parts = super::safe_components(path)?;
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
        for (i, part) in parts.iter().enumerate() {
            let c_part = CString::new(part.as_bytes())?;
            let last = i + 1 == parts.len();
            let flags = if last { libc::O_RDONLY } else { O_SEARCH }
                | libc::O_DIRECTORY
                | libc::O_NOFOLLOW
                | libc::O_CLOEXEC;
            // SAFETY: `cur` is an open directory and c_part one NUL-terminated component.
            let next = unsafe { libc::openat(cur.as_raw_fd(), c_part.as_ptr(), flags) };
            if next < 0 {
                let err = io::Error::last_os_error();
                if matches!(err.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) {
                    return Err(super::link_refused(path, i + 1));
                }
                return Err(err);
            }
            // SAFETY: `next` was just opened and is owned by nobody else.
            cur = unsafe { OwnedFd::from_raw_fd(next) };
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
        super::validate_component(name)?;
        let c_name = CString::new(name)?;
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
        super::validate_component(name)?;
        let c_name = CString::new(name)?;
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
            let (name, d_type) =
                unsafe { (CStr::from_ptr((*entry).d_name.as_ptr()), (*entry).d_type) };
            let bytes = name.to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            let is_file = match d_type {
                libc::DT_REG => true,
                libc::DT_UNKNOWN => fs::symlink_metadata(self.path.join(OsStr::from_bytes(bytes)))
                    .is_ok_and(|m| m.is_file()),
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
