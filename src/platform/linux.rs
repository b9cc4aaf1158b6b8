//! Linux: `renameat2(RENAME_NOREPLACE)`, `syncfs`, helpers limited by `RLIMIT_AS` and ended
//! by `PR_SET_PDEATHSIG`, glibc's `malloc_trim`.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

pub const SYSTEM: &str = "Linux";

pub const OPENER: &str = "xdg-open";

pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
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
        // The file system cannot do RENAME_NOREPLACE: a hard link never replaces either.
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => {
            std::fs::hard_link(from, to)?;
            std::fs::remove_file(from)
        }
        _ => Err(err),
    }
}

pub fn sync_file(file: &File) -> io::Result<()> {
    file.sync_all()
}

pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

pub fn sync_filesystem(dir: &Path) -> io::Result<()> {
    let d = File::open(dir)?;
    // SAFETY: `d` is an open file descriptor for the duration of the call.
    let rc = unsafe { libc::syncfs(d.as_raw_fd()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub fn open_command(path: &Path) -> Command {
    let mut cmd = Command::new(OPENER);
    cmd.arg(path);
    cmd
}

pub fn prepare_helper(cmd: &mut Command, memory_bytes: u64) {
    // SAFETY: only async-signal-safe setrlimit runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: memory_bytes as _,
                rlim_max: memory_bytes as _,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    tie_to_parent(cmd);
}

pub fn enter_helper(_memory_bytes: u64) {}

pub fn run_behind() {
    // A nice value is per thread on Linux (threads it starts inherit it).
    // SAFETY: gettid has no preconditions; setpriority only changes this thread's priority.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
    }
}

pub fn tie_to_parent(cmd: &mut Command) {
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

pub fn return_freed_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only returns free memory of the allocator to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    /// A thread that runs behind has a nice value of 10; the thread that started it keeps
    /// its own.
    #[test]
    fn a_thread_run_behind_is_niced_and_its_starter_is_not() {
        // SAFETY: getpriority reads a thread's nice value; errno is cleared first, as -1 is
        // also a valid answer.
        let nice_of = |tid: libc::pid_t| unsafe {
            *libc::__errno_location() = 0;
            libc::getpriority(libc::PRIO_PROCESS, tid as libc::id_t)
        };
        // SAFETY: gettid has no preconditions.
        let own = nice_of(unsafe { libc::gettid() });
        let behind = std::thread::spawn(move || {
            super::run_behind();
            // SAFETY: as above.
            nice_of(unsafe { libc::gettid() })
        })
        .join()
        .expect("thread");
        assert_eq!(behind, (own + 10).min(19));
        // SAFETY: as above.
        assert_eq!(nice_of(unsafe { libc::gettid() }), own);
    }
}
