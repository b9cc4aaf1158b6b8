//! macOS: `renamex_np(RENAME_EXCL)`, `F_FULLFSYNC` (an `fsync` there leaves the data in the
//! drive's cache), and helpers that watch over themselves: macOS does not enforce
//! `RLIMIT_AS` and has no parent-death signal, so a helper's own thread ends it (and its
//! process group, the programs it started) when its memory grows past the limit or Shoebox
//! is gone.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub const SYSTEM: &str = "macOS";

pub const OPENER: &str = "open";

pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    let c_from = CString::new(from.as_os_str().as_bytes())?;
    let c_to = CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
    let rc = unsafe { libc::renamex_np(c_from.as_ptr(), c_to.as_ptr(), libc::RENAME_EXCL) };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        // A file system without exclusive renames (some network shares): a hard link
        // never replaces either.
        Some(libc::ENOTSUP | libc::EINVAL) => {
            std::fs::hard_link(from, to)?;
            std::fs::remove_file(from)
        }
        _ => Err(err),
    }
}

pub fn sync_file(file: &File) -> io::Result<()> {
    // SAFETY: `file` is an open descriptor for the duration of the call.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_FULLFSYNC) };
    if rc == 0 {
        return Ok(());
    }
    // Some file systems (network shares, FAT drives) cannot: a plain fsync is what they have.
    file.sync_all()
}

pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    sync_file(&File::open(dir)?)
}

pub fn sync_filesystem(_dir: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

pub fn open_command(path: &Path) -> Command {
    let mut cmd = Command::new(OPENER);
    cmd.arg(path);
    cmd
}

pub fn prepare_helper(_cmd: &mut Command, _memory_bytes: u64) {}

pub fn run_behind() {
    // SAFETY: sets this thread's own quality of service; no other state is touched.
    unsafe {
        libc::pthread_set_qos_class_self_np(libc::qos_class_t::QOS_CLASS_UTILITY, 0);
    }
}

pub fn enter_helper(memory_bytes: u64) {
    // SAFETY: getppid has no preconditions.
    let parent = unsafe { libc::getppid() };
    let watch = move || {
        loop {
            std::thread::sleep(Duration::from_millis(200));
            // SAFETY: getppid has no preconditions.
            let gone = unsafe { libc::getppid() } != parent;
            if gone || resident_bytes().is_some_and(|b| b > memory_bytes) {
                // SAFETY: ends this helper's own process group (it leads it): itself and
                // the programs it started.
                unsafe {
                    libc::kill(0, libc::SIGKILL);
                }
            }
        }
    };
    let _ = std::thread::Builder::new()
        .name("shoebox-helper-watchdog".into())
        .spawn(watch);
}

/// The helper's resident memory now.
fn resident_bytes() -> Option<u64> {
    // SAFETY: an all-zero rusage is a valid value to be filled in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is valid for the call.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return None;
    }
    // On macOS `ru_maxrss` is in bytes: the peak, which is what must stay under the limit.
    u64::try_from(usage.ru_maxrss).ok()
}

pub fn tie_to_parent(_cmd: &mut Command) {
    // A program started by a helper stays in the helper's process group, which is ended
    // with the helper.
}

pub fn return_freed_memory() {}
