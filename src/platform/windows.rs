//! Windows: `MoveFileExW` that never replaces and writes the rename through, flushes on
//! handles opened for writing, reparse points (symbolic links, junctions) never followed,
//! files held open by another program retried briefly, helpers in Job Objects.

use std::ffi::OsString;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::windows::ffi::{OsStrExt, OsStringExt};
use std::os::windows::fs::{MetadataExt, OpenOptionsExt};
use std::os::windows::io::AsRawHandle;
use std::os::windows::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use windows_sys::Win32::Foundation::{
    ERROR_LOCK_VIOLATION, ERROR_MORE_DATA, ERROR_NOT_SAME_DEVICE, ERROR_SHARING_VIOLATION, HANDLE,
};
use windows_sys::Win32::Storage::FileSystem as wfs;
use windows_sys::Win32::System::JobObjects as job;

use super::Connected;

pub const SYSTEM: &str = "Windows";

pub const OPENER: &str = "explorer.exe";

/// How often and how long a file held open by another program is tried again.
const HELD_TRIES: u32 = 10;
const HELD_PAUSE: Duration = Duration::from_millis(100);

/// The UTF-16 form of `path`, NUL-terminated; a long absolute path is given the `\\?\`
/// form that lifts the 260-character limit.
fn wide(path: &Path) -> Vec<u16> {
    let s = path.as_os_str();
    let mut out: Vec<u16> = Vec::with_capacity(s.len() + 8);
    let text: Vec<u16> = s.encode_wide().collect();
    let verbatim = text.starts_with(&[92, 92, 63, 92]); // \\?\
    if text.len() >= 248 && path.is_absolute() && !verbatim {
        let slash = |c: u16| if c == 47 { 92 } else { c };
        if text.starts_with(&[92, 92]) {
            // \\server\share → \\?\UNC\server\share
            out.extend(r"\\?\UNC\".encode_utf16());
            out.extend(text[2..].iter().map(|&c| slash(c)));
        } else {
            out.extend(r"\\?\".encode_utf16());
            out.extend(text.iter().map(|&c| slash(c)));
        }
    } else {
        out.extend(text);
    }
    out.push(0);
    out
}

/// Runs `op` again while another program holds the file open, up to about a second.
fn retry_held<T>(mut op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let mut tries = 0;
    loop {
        match op() {
            Err(e) if is_held_open(&e) && tries < HELD_TRIES => {
                tries += 1;
                std::thread::sleep(HELD_PAUSE);
            }
            other => return other,
        }
    }
}

pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    let (w_from, w_to) = (wide(from), wide(to));
    retry_held(|| {
        // SAFETY: both are valid NUL-terminated UTF-16 strings for the duration of the call.
        let ok = unsafe {
            wfs::MoveFileExW(w_from.as_ptr(), w_to.as_ptr(), wfs::MOVEFILE_WRITE_THROUGH)
        };
        if ok != 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    })
}

pub fn is_cross_device(err: &io::Error) -> bool {
    err.raw_os_error() == Some(ERROR_NOT_SAME_DEVICE as i32)
        || err.kind() == io::ErrorKind::CrossesDevices
}

pub fn is_held_open(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(c) if c == ERROR_SHARING_VIOLATION as i32 || c == ERROR_LOCK_VIOLATION as i32
    )
}

pub fn sync_file(file: &File) -> io::Result<()> {
    file.sync_all()
}

pub fn open_for_flush(path: &Path) -> io::Result<File> {
    // FlushFileBuffers needs a handle with write access.
    retry_held(|| OpenOptions::new().write(true).open(path))
}

pub fn fsync_dir(_dir: &Path) -> io::Result<()> {
    // Renames are written through (MOVEFILE_WRITE_THROUGH) and a new file's entry is made
    // durable with the file's own flush (NTFS journals it); a folder cannot be flushed.
    Ok(())
}

pub fn sync_filesystem(_dir: &Path) -> io::Result<()> {
    // Flushing a whole volume needs an administrator.
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

pub fn no_follow(opts: &mut OpenOptions) -> &mut OpenOptions {
    opts.custom_flags(wfs::FILE_FLAG_OPEN_REPARSE_POINT)
}

pub fn identity(path: &Path, _meta: &Metadata) -> (Option<i64>, Option<i64>) {
    identity_of(path)
}

pub fn identity_of(path: &Path) -> (Option<i64>, Option<i64>) {
    OpenOptions::new()
        .access_mode(0)
        .share_mode(wfs::FILE_SHARE_READ | wfs::FILE_SHARE_WRITE | wfs::FILE_SHARE_DELETE)
        .custom_flags(wfs::FILE_FLAG_BACKUP_SEMANTICS | wfs::FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)
        .map_or((None, None), |f| identity_of_file(&f))
}

pub fn raw_stdout() -> io::Result<File> {
    use std::os::windows::io::AsHandle;
    Ok(File::from(io::stdout().as_handle().try_clone_to_owned()?))
}

pub fn identity_of_open(file: &File, _meta: &Metadata) -> (Option<i64>, Option<i64>) {
    identity_of_file(file)
}

fn identity_of_file(file: &File) -> (Option<i64>, Option<i64>) {
    // SAFETY: an all-zero BY_HANDLE_FILE_INFORMATION is a valid value to be filled in.
    let mut info: wfs::BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: the handle is open for the duration of the call; the pointer is valid.
    let ok = unsafe { wfs::GetFileInformationByHandle(file.as_raw_handle() as HANDLE, &mut info) };
    if ok == 0 {
        return (None, None);
    }
    let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
    (
        Some(i64::from(info.dwVolumeSerialNumber)),
        Some(index as i64),
    )
}

pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let full = match fs::canonicalize(path) {
        Ok(full) => full,
        // Wine answers a long path's final name with "more data" instead of its length.
        Err(e) if e.raw_os_error() == Some(ERROR_MORE_DATA as i32) => {
            return absolute_without_links(path).ok_or(e);
        }
        Err(e) => return Err(e),
    };
    let text = full.as_os_str().to_string_lossy();
    let plain = if let Some(unc) = text.strip_prefix(r"\\?\UNC\") {
        PathBuf::from(format!(r"\\{unc}"))
    } else if let Some(local) = text.strip_prefix(r"\\?\") {
        PathBuf::from(local)
    } else {
        return Ok(full);
    };
    // Kept verbatim when the plain form would not name the same place: a name Windows
    // refuses in a component, or a path that is too long for the plain form.
    let same = plain.as_os_str().len() < 248
        && full.to_str().is_some()
        && plain.components().all(|c| match c {
            std::path::Component::Normal(n) => {
                n.to_str().is_some_and(|n| refused_name(n).is_none())
            }
            _ => true,
        });
    Ok(if same { plain } else { full })
}

/// `path` made absolute, when no folder on it is a link (so there is nothing to resolve).
fn absolute_without_links(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let no_links = abs
        .ancestors()
        .all(|a| fs::symlink_metadata(a).is_ok_and(|m| !is_reparse(&m)));
    no_links.then_some(abs)
}

pub fn hide(path: &Path) -> io::Result<()> {
    let w = wide(path);
    // SAFETY: a valid NUL-terminated UTF-16 path.
    let ok = unsafe { wfs::SetFileAttributesW(w.as_ptr(), wfs::FILE_ATTRIBUTE_HIDDEN) };
    if ok != 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub fn free_space(path: &Path) -> io::Result<u64> {
    let w = wide(path);
    let mut free = 0u64;
    // SAFETY: a valid path and a valid out pointer; the others may be null.
    let ok = unsafe {
        wfs::GetDiskFreeSpaceExW(
            w.as_ptr(),
            &mut free,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if ok != 0 {
        Ok(free)
    } else {
        Err(io::Error::last_os_error())
    }
}

pub fn account_name() -> Option<String> {
    let mut buf = vec![0u16; 257];
    let mut len = buf.len() as u32;
    // SAFETY: `buf` holds `len` UTF-16 units; `len` is updated with what was written.
    let ok = unsafe {
        windows_sys::Win32::System::WindowsProgramming::GetUserNameW(buf.as_mut_ptr(), &mut len)
    };
    if ok == 0 || len == 0 {
        return None;
    }
    // `len` counts the terminating NUL.
    buf.truncate(len.saturating_sub(1) as usize);
    String::from_utf16(&buf).ok().filter(|n| !n.is_empty())
}

pub fn random_bytes(buf: &mut [u8]) -> io::Result<()> {
    use std::hash::{BuildHasher, Hasher};
    // The standard library seeds its hash keys from the system's random source.
    for chunk in buf.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(chunk.as_ptr() as usize);
        chunk.copy_from_slice(&h.finish().to_le_bytes()[..chunk.len()]);
    }
    Ok(())
}

pub fn program_in(dir: &Path, name: &str) -> bool {
    let with_ext = if Path::new(name).extension().is_some() {
        name.to_string()
    } else {
        format!("{name}.exe")
    };
    fs::metadata(dir.join(with_ext)).is_ok_and(|m| m.is_file())
}

pub fn path_to_bytes(path: &Path) -> Vec<u8> {
    path.as_os_str()
        .encode_wide()
        .flat_map(u16::to_le_bytes)
        .collect()
}

pub fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    PathBuf::from(OsString::from_wide(&units))
}

pub fn spawn_connected(cmd: &mut Command) -> io::Result<Connected> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .creation_flags(windows_sys::Win32::System::Threading::CREATE_NO_WINDOW);
    let mut child = cmd.spawn()?;
    let to = child
        .stdin
        .take()
        .ok_or_else(|| io::Error::other("no helper input"))?;
    let from = child
        .stdout
        .take()
        .ok_or_else(|| io::Error::other("no helper output"))?;
    Ok((child, Box::new(to), Box::new(from)))
}

/// A Job Object: its processes may each use at most `memory_bytes` (0: no cap) and end when
/// its last handle closes.
fn new_job(memory_bytes: u64) -> io::Result<HANDLE> {
    // SAFETY: no attributes and no name are valid arguments.
    let handle = unsafe { job::CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
    if handle.is_null() {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: an all-zero limit structure is valid; the fields set below are the ones used.
    let mut limits: job::JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
    limits.BasicLimitInformation.LimitFlags = job::JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if memory_bytes > 0 {
        limits.BasicLimitInformation.LimitFlags |= job::JOB_OBJECT_LIMIT_PROCESS_MEMORY;
        limits.ProcessMemoryLimit = usize::try_from(memory_bytes).unwrap_or(usize::MAX);
    }
    // SAFETY: `handle` is a job; the structure and its size match the class.
    let ok = unsafe {
        job::SetInformationJobObject(
            handle,
            job::JobObjectExtendedLimitInformation,
            std::ptr::from_ref(&limits).cast(),
            std::mem::size_of_val(&limits) as u32,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(handle)
}

/// The jobs helpers run in, one per memory cap, open until Shoebox ends (which ends them).
static JOBS: Mutex<Vec<(u64, usize)>> = Mutex::new(Vec::new());

pub fn contain_helper(child: &Child, memory_bytes: u64) -> io::Result<()> {
    let mut jobs = JOBS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let handle = match jobs.iter().find(|(m, _)| *m == memory_bytes) {
        Some(&(_, h)) => h as HANDLE,
        None => {
            let h = new_job(memory_bytes)?;
            jobs.push((memory_bytes, h as usize));
            h
        }
    };
    // SAFETY: both handles are open for the duration of the call.
    let ok = unsafe { job::AssignProcessToJobObject(handle, child.as_raw_handle() as HANDLE) };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

pub fn kill_helper(child: &mut Child) {
    // The programs it started are in the job the helper made for them, which ends with it.
    let _ = child.kill();
}

pub fn prepare_helper(_cmd: &mut Command, _memory_bytes: u64) {}

/// The job a helper puts itself in, so the programs it starts end when it does.
static OWN_JOB: Mutex<usize> = Mutex::new(0);

pub fn run_behind() {
    use windows_sys::Win32::System::Threading::{
        GetCurrentThread, SetThreadPriority, THREAD_PRIORITY_BELOW_NORMAL,
    };
    // SAFETY: GetCurrentThread is a pseudo-handle to this thread, always valid.
    unsafe {
        SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL);
    }
}

pub fn enter_helper(_memory_bytes: u64) {
    let Ok(handle) = new_job(0) else {
        return;
    };
    // SAFETY: `handle` is a job and GetCurrentProcess a pseudo-handle to this process.
    let ok = unsafe {
        job::AssignProcessToJobObject(
            handle,
            windows_sys::Win32::System::Threading::GetCurrentProcess(),
        )
    };
    if ok != 0 {
        // Kept open for the helper's life: closing it (the helper's end) ends its programs.
        *OWN_JOB
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = handle as usize;
    } else {
        log::warn!(
            "the picture helper could not hold its programs in a job: {}",
            io::Error::last_os_error()
        );
    }
}

pub fn tie_to_parent(cmd: &mut Command) {
    // The job does it; a program needs no console window of its own.
    cmd.creation_flags(windows_sys::Win32::System::Threading::CREATE_NO_WINDOW);
}

pub fn return_freed_memory() {}

pub fn open_command(path: &Path) -> Command {
    let mut cmd = Command::new(OPENER);
    cmd.arg(path);
    cmd
}

pub fn attach_console() {
    // SAFETY: AttachConsole has no preconditions; without a parent console it fails harmlessly.
    unsafe {
        windows_sys::Win32::System::Console::AttachConsole(
            windows_sys::Win32::System::Console::ATTACH_PARENT_PROCESS,
        );
    }
}

pub fn quiet_broken_pipe() {}

/// The exit code of a process ended by [`crash_now`].
const CRASH_EXIT_CODE: u32 = 3;

pub fn crash_now() -> ! {
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, TerminateProcess};
    // SAFETY: ending this very process has no preconditions.
    unsafe {
        TerminateProcess(GetCurrentProcess(), CRASH_EXIT_CODE);
    }
    std::process::abort()
}

/// Opens `path` itself (a link is not followed) as a folder, held open so that it cannot be
/// renamed, removed or swapped for a link while the handle lives.
fn hold_folder(path: &Path) -> io::Result<File> {
    let f = OpenOptions::new()
        .access_mode(wfs::FILE_LIST_DIRECTORY | wfs::FILE_READ_ATTRIBUTES | wfs::SYNCHRONIZE)
        .share_mode(wfs::FILE_SHARE_READ | wfs::FILE_SHARE_WRITE)
        .custom_flags(wfs::FILE_FLAG_BACKUP_SEMANTICS | wfs::FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)?;
    Ok(f)
}

/// Sets one class of information of an open file; `info` is that class's structure.
fn set_file_info<T>(
    handle: HANDLE,
    class: wfs::FILE_INFO_BY_HANDLE_CLASS,
    info: &T,
) -> io::Result<()> {
    // SAFETY: the handle is open for the duration of the call; callers pass the structure
    // that goes with `class`, and its size.
    let ok = unsafe {
        wfs::SetFileInformationByHandle(
            handle,
            class,
            std::ptr::from_ref(info).cast(),
            std::mem::size_of_val(info) as u32,
        )
    };
    if ok == 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn is_reparse(meta: &Metadata) -> bool {
    meta.file_attributes() & wfs::FILE_ATTRIBUTE_REPARSE_POINT != 0
}

/// A folder reached without following a reparse point (symbolic link, junction, mount
/// point) on any component of its path. Every folder of the path stays open, without
/// sharing deletion, while this lives: none can be renamed or replaced by a link meanwhile,
/// so what is done by path inside it stays inside it.
#[derive(Debug)]
pub struct SafeDir {
    path: PathBuf,
    _held: Vec<File>,
}

impl SafeDir {
    pub fn open(path: &Path) -> io::Result<SafeDir> {
        let parts = super::safe_components(path)?;
        let mut cur: PathBuf = path
            .components()
            .take_while(|c| {
                matches!(
                    c,
                    std::path::Component::Prefix(_) | std::path::Component::RootDir
                )
            })
            .collect();
        let mut held = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            cur.push(part);
            let f = hold_folder(&cur)?;
            let meta = f.metadata()?;
            if is_reparse(&meta) || !meta.is_dir() {
                return Err(super::link_refused(path, i + 1));
            }
            held.push(f);
        }
        Ok(SafeDir {
            path: path.to_path_buf(),
            _held: held,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the file `name` through a handle to that very file (never a link's target,
    /// never a folder). Returns `false` when it was already gone.
    pub fn unlink(&self, name: &str) -> io::Result<bool> {
        super::validate_component(name)?;
        let full = self.path.join(name);
        let open = || {
            OpenOptions::new()
                .access_mode(wfs::DELETE | wfs::FILE_READ_ATTRIBUTES | wfs::FILE_WRITE_ATTRIBUTES)
                .share_mode(wfs::FILE_SHARE_READ | wfs::FILE_SHARE_WRITE | wfs::FILE_SHARE_DELETE)
                .custom_flags(wfs::FILE_FLAG_OPEN_REPARSE_POINT)
                .open(&full)
        };
        let f = match retry_held(open) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        let meta = f.metadata()?;
        if is_reparse(&meta) || !meta.is_file() {
            return Err(io::Error::other(format!(
                "refusing to remove a non-file: {}",
                full.display()
            )));
        }
        let handle = f.as_raw_handle() as HANDLE;
        if meta.file_attributes() & wfs::FILE_ATTRIBUTE_READONLY != 0 {
            // A read-only file cannot be removed until it is not read-only.
            let attrs = meta.file_attributes() & !wfs::FILE_ATTRIBUTE_READONLY;
            // SAFETY: an all-zero FILE_BASIC_INFO leaves the times unchanged.
            let mut basic: wfs::FILE_BASIC_INFO = unsafe { std::mem::zeroed() };
            basic.FileAttributes = if attrs == 0 {
                wfs::FILE_ATTRIBUTE_NORMAL
            } else {
                attrs
            };
            // The handle is open with FILE_WRITE_ATTRIBUTES.
            set_file_info(handle, wfs::FileBasicInfo, &basic)?;
        }
        // The handle is open with DELETE access.
        set_file_info(
            handle,
            wfs::FileDispositionInfo,
            &wfs::FILE_DISPOSITION_INFO { DeleteFile: true },
        )?;
        // The file goes when the handle closes.
        drop(f);
        Ok(true)
    }

    pub fn open_file(&self, name: &str) -> io::Result<File> {
        super::validate_component(name)?;
        let full = self.path.join(name);
        let f = retry_held(|| {
            OpenOptions::new()
                .read(true)
                .custom_flags(wfs::FILE_FLAG_OPEN_REPARSE_POINT)
                .open(&full)
        })?;
        let meta = f.metadata()?;
        if is_reparse(&meta) || !meta.is_file() {
            return Err(io::Error::other(format!(
                "not a regular file: {}",
                full.display()
            )));
        }
        Ok(f)
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

/// Why Windows would refuse `name` as a file name, if it would: a reserved device name
/// (`CON`, `NUL`, `COM1`…, with any extension), a trailing dot or space, or a character
/// Windows does not allow.
pub fn refused_name(name: &str) -> Option<&'static str> {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        return Some("it is a name Windows keeps for a device");
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("Windows does not allow a name ending in a dot or a space");
    }
    if name
        .chars()
        .any(|c| matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') || c < ' ')
    {
        return Some("it holds a character Windows does not allow in a name");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether this runs under Wine (whose ntdll has `wine_get_version`).
    fn under_wine() -> bool {
        use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
        // SAFETY: NUL-terminated names; a null result is an answer, not an error.
        unsafe {
            let ntdll = GetModuleHandleA(c"ntdll.dll".as_ptr().cast());
            !ntdll.is_null() && GetProcAddress(ntdll, c"wine_get_version".as_ptr().cast()).is_some()
        }
    }

    /// A thread that runs behind is below normal priority; the thread that started it is not.
    #[test]
    fn a_thread_run_behind_is_below_normal_and_its_starter_is_not() {
        use windows_sys::Win32::System::Threading::{
            GetCurrentThread, GetThreadPriority, THREAD_PRIORITY_BELOW_NORMAL,
        };
        // SAFETY: GetCurrentThread is a pseudo-handle to the calling thread, always valid.
        let own = unsafe { GetThreadPriority(GetCurrentThread()) };
        let behind = std::thread::spawn(|| {
            super::run_behind();
            // SAFETY: as above.
            unsafe { GetThreadPriority(GetCurrentThread()) }
        })
        .join()
        .expect("thread");
        assert_eq!(behind, THREAD_PRIORITY_BELOW_NORMAL);
        // SAFETY: as above.
        assert_eq!(unsafe { GetThreadPriority(GetCurrentThread()) }, own);
    }

    /// A helper runs in a Job Object that caps each process's memory and ends it with
    /// Shoebox (the job's handle closes when Shoebox ends).
    #[test]
    fn a_helper_runs_in_a_job_that_caps_its_memory_and_ends_with_shoebox() {
        let cap = 768 << 20;
        let mut cmd = Command::new("cmd.exe");
        cmd.arg("/Q");
        let (mut child, _to, _from) = super::super::spawn_helper(&mut cmd, cap).expect("start");
        let mut in_job = 0;
        // SAFETY: a valid process handle; a null job asks about any job.
        let ok = unsafe {
            job::IsProcessInJob(
                child.as_raw_handle() as HANDLE,
                std::ptr::null_mut(),
                &mut in_job,
            )
        };
        assert!(ok != 0 && in_job != 0, "the helper is in a job");
        let handle = JOBS
            .lock()
            .expect("jobs")
            .iter()
            .find(|(m, _)| *m == cap)
            .map(|&(_, h)| h as HANDLE)
            .expect("a job for this cap");
        // SAFETY: an all-zero structure is valid to be filled in.
        let mut limits: job::JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        // SAFETY: `handle` is a job; the structure and its size match the class.
        let ok = unsafe {
            job::QueryInformationJobObject(
                handle,
                job::JobObjectExtendedLimitInformation,
                std::ptr::from_mut(&mut limits).cast(),
                std::mem::size_of_val(&limits) as u32,
                std::ptr::null_mut(),
            )
        };
        assert!(ok != 0, "{}", io::Error::last_os_error());
        if under_wine() {
            eprintln!("not verifiable under Wine: it does not report a job's limits");
            super::super::kill_helper(&mut child);
            return;
        }
        let flags = limits.BasicLimitInformation.LimitFlags;
        assert_ne!(
            flags & job::JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
            0,
            "{flags:#x}"
        );
        assert_ne!(
            flags & job::JOB_OBJECT_LIMIT_PROCESS_MEMORY,
            0,
            "{flags:#x}"
        );
        assert_eq!(limits.ProcessMemoryLimit as u64, cap);
        super::super::kill_helper(&mut child);
    }
}
