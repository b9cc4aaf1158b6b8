//! Helpers shared by the tests: a library in a temporary folder with a clock the test moves.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use shoebox::clock::ManualClock;
use shoebox::library::{CollectionId, ImportOptions, ItemId, Library};

/// 2026-11-01T12:00:00Z, a fixed start for every test clock.
pub const T0: i64 = 1_793_534_400;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub lib: Library,
    pub clock: ManualClock,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = ManualClock::new(T0);
        let lib = Library::open_with_clock(&dir.path().join("lib"), Arc::new(clock.clone()))
            .expect("open");
        let mut f = Fixture { dir, lib, clock };
        f.lib.set_user("tester");
        std::fs::create_dir_all(f.src()).expect("src dir");
        f
    }

    /// What the test clock reads now.
    pub fn clock_now(&self) -> i64 {
        use shoebox::clock::Clock;
        self.clock.now()
    }

    /// Where test files are made before import.
    pub fn src(&self) -> PathBuf {
        self.dir.path().join("src")
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("lib")
    }

    /// Writes a file under `src/` and returns its path.
    pub fn file(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.src().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
        p
    }

    /// Writes a real PNG of the given size.
    pub fn png(&self, rel: &str, w: u32, h: u32) -> PathBuf {
        let p = self.src().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        let img =
            image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 3) as u8, 90]));
        img.save(&p).expect("save png");
        p
    }

    /// Imports paths by copy into `into`; returns the new asset ids.
    pub fn import(&mut self, paths: &[PathBuf], into: Option<CollectionId>) -> Vec<ItemId> {
        let opts = ImportOptions {
            into,
            ..Default::default()
        };
        let report = self.lib.import(paths, &opts, &mut |_| {}).expect("import");
        assert!(
            report.failed.is_empty(),
            "import failed: {:?}",
            report.failed
        );
        report.imported.iter().map(|i| i.id).collect()
    }

    /// Indexes one file in place, returns its id.
    pub fn import_in_place(&mut self, path: &Path) -> ItemId {
        let opts = ImportOptions {
            in_place: true,
            ..Default::default()
        };
        let report = self
            .lib
            .import(
                std::slice::from_ref(&path.to_path_buf()),
                &opts,
                &mut |_| {},
            )
            .expect("import");
        assert!(
            report.failed.is_empty(),
            "import failed: {:?}",
            report.failed
        );
        report.imported[0].id
    }

    /// Imports one file by copy, returns its id.
    pub fn import_one(&mut self, rel: &str, bytes: &[u8]) -> ItemId {
        let p = self.file(rel, bytes);
        self.import(&[p], None)[0]
    }

    /// Reopens the library (as after a restart), with the same clock.
    pub fn reopen(&mut self) {
        let root = self.root();
        let placeholder = tempfile::tempdir().expect("temp");
        let other = Library::open_with_clock(placeholder.path(), Arc::new(self.clock.clone()))
            .expect("open");
        drop(std::mem::replace(&mut self.lib, other));
        self.lib = Library::open_with_clock(&root, Arc::new(self.clock.clone())).expect("reopen");
        self.lib.set_user("tester");
    }

    /// Closes the library (as when Shoebox quits), leaving a scratch library in its place
    /// so the fixture stays usable; the real one can then be changed from outside.
    pub fn close(&mut self) {
        let scratch = self
            .dir
            .path()
            .join(format!("scratch-{}", fastrand::u64(..)));
        let other = Library::open_with_clock(&scratch, Arc::new(self.clock.clone())).expect("open");
        drop(std::mem::replace(&mut self.lib, other));
    }

    /// Opens the real library again after [`Fixture::close`].
    pub fn open_again(&mut self) {
        self.lib =
            Library::open_with_clock(&self.root(), Arc::new(self.clock.clone())).expect("open");
        self.lib.set_user("tester");
    }

    /// Names of the active assets.
    pub fn active_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .lib
            .assets(Default::default())
            .expect("assets")
            .into_iter()
            .map(|a| a.name)
            .collect();
        v.sort();
        v
    }

    /// The active asset named `name`.
    pub fn asset_named(&self, name: &str) -> shoebox::library::AssetInfo {
        self.lib
            .assets(Default::default())
            .expect("assets")
            .into_iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no asset named {name}"))
    }

    /// A collection "Album" holding `early.txt` and `late.txt`: (early, the album).
    pub fn album_with_early_and_late(&mut self) -> (ItemId, ItemId) {
        self.file("Album/early.txt", b"e");
        self.file("Album/late.txt", b"l");
        self.import(&[self.src().join("Album")], None);
        let early = self.asset_named("early.txt").id;
        let album = self.lib.collections().expect("collections")[0].id;
        (early, album)
    }

    pub fn asset_path(&self, id: ItemId) -> PathBuf {
        self.lib
            .assets(Default::default())
            .expect("assets")
            .into_iter()
            .find(|a| a.id == id)
            .map(|a| a.path)
            .expect("asset is active")
    }

    pub fn trash_path(&self, id: ItemId) -> PathBuf {
        self.entry(id).trash_path.expect("trash path")
    }

    pub fn entry(&self, id: ItemId) -> shoebox::library::TrashEntry {
        self.lib
            .trash_entries(Default::default())
            .expect("trash")
            .into_iter()
            .find(|e| e.id == id)
            .expect("entry in the Trash")
    }

    pub fn assert_integrity(&self) {
        self.lib
            .check_integrity()
            .expect("check")
            .expect("integrity");
    }
}

/// Files (not folders) below `dir`, leaving out the token Shoebox writes into each trash
/// area (`.shoebox-area`).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if e.file_name() == ".shoebox-area" {
                continue;
            }
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

pub fn collection_id(id: ItemId) -> CollectionId {
    match id {
        ItemId::Collection(c) => c,
        ItemId::Asset(_) => panic!("not a collection"),
    }
}

/// Makes a short test video with ffmpeg; `None` (after saying so) when ffmpeg is not
/// installed, unless `SHOEBOX_REQUIRE_FFMPEG` is set (as CI does), which makes it a failure.
pub fn make_video(path: &Path, secs: u32) -> Option<()> {
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc=duration={secs}:size=160x120:rate=10"))
        .args(["-pix_fmt", "yuv420p"])
        .arg(path)
        .status();
    match status {
        Ok(s) if s.success() => Some(()),
        _ if std::env::var_os("SHOEBOX_REQUIRE_FFMPEG").is_some() => {
            panic!(
                "ffmpeg is required here (SHOEBOX_REQUIRE_FFMPEG is set) but could not make a video"
            )
        }
        _ => {
            eprintln!("skipped: ffmpeg is not installed");
            None
        }
    }
}

/// A removable drive for tests: a small tmpfs kept at a hidden place and bind-mounted at
/// `mount_point`, so `unplug` (unmount) and `plug` (mount again) keep its contents, as
/// pulling out a real drive does. Needs root; elsewhere `Drive::new` says "skipped" and
/// returns `None`, unless `SHOEBOX_REQUIRE_MOUNT` is set (as CI does).
pub struct Drive {
    _dir: tempfile::TempDir,
    backing: PathBuf,
    pub mount_point: PathBuf,
    plugged: bool,
}

impl Drive {
    pub fn new(size: &str) -> Option<Drive> {
        let dir = tempfile::tempdir().expect("temp");
        let backing = dir.path().join("backing");
        let mount_point = dir.path().join("drive");
        std::fs::create_dir_all(&backing).expect("mkdir");
        std::fs::create_dir_all(&mount_point).expect("mkdir");
        let ok = run(
            "mount",
            &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"],
            &backing,
        ) && run(
            "mount",
            &["--bind", &backing.display().to_string()],
            &mount_point,
        );
        if !ok {
            if std::env::var_os("SHOEBOX_REQUIRE_MOUNT").is_some() {
                panic!("mounting a tmpfs is required here (SHOEBOX_REQUIRE_MOUNT is set)");
            }
            eprintln!("skipped: cannot mount a tmpfs here (needs root)");
            let _ = run("umount", &[], &backing);
            return None;
        }
        Some(Drive {
            _dir: dir,
            backing,
            mount_point,
            plugged: true,
        })
    }

    pub fn unplug(&mut self) {
        assert!(run("umount", &[], &self.mount_point), "umount");
        self.plugged = false;
    }

    pub fn plug(&mut self) {
        assert!(
            run(
                "mount",
                &["--bind", &self.backing.display().to_string()],
                &self.mount_point
            ),
            "mount"
        );
        self.plugged = true;
    }
}

impl Drop for Drive {
    fn drop(&mut self) {
        if self.plugged {
            let _ = run("umount", &["-l"], &self.mount_point);
        }
        let _ = run("umount", &["-l"], &self.backing);
    }
}

fn run(cmd: &str, args: &[&str], last: &Path) -> bool {
    std::process::Command::new(cmd)
        .args(args)
        .arg(last)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The invariants of RELIABILITY.md checked from outside, as after any fault: the database
/// is whole; every record's file is where the record says (or the record is flagged
/// missing) and never both at home and in the Trash; no file in `media/` or the library's
/// trash is unknown to the library; and every content in `must_keep` (BLAKE3 hex) is still
/// somewhere, in the library or in `elsewhere`.
pub fn check_invariants(
    lib: &Library,
    root: &Path,
    must_keep: &[String],
    elsewhere: &[&Path],
) -> Result<(), String> {
    lib.check_integrity()
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("integrity: {e}"))?;
    let places = lib.file_places().map_err(|e| e.to_string())?;
    let mut known = std::collections::HashSet::new();
    for p in &places {
        let there = std::fs::symlink_metadata(&p.path).is_ok_and(|m| m.is_file());
        if !there && !p.missing {
            return Err(format!("{} has no file at {}", p.id, p.path.display()));
        }
        if p.trashed && p.home != p.path && there && p.home.exists() {
            let at_home = shoebox_hash(&p.home);
            if at_home.as_deref() == Some(p.hash.as_str()) {
                return Err(format!(
                    "{} is both at home and in the Trash: {}",
                    p.id,
                    p.home.display()
                ));
            }
        }
        known.insert(p.path.clone());
    }
    for dir in [root.join("media"), root.join("trash")] {
        for file in files_under(&dir) {
            if !known.contains(&file) {
                return Err(format!("unknown file in the library: {}", file.display()));
            }
        }
    }
    let mut present = std::collections::HashSet::new();
    for dir in [root.join("media"), root.join("trash")]
        .iter()
        .map(PathBuf::as_path)
        .chain(elsewhere.iter().copied())
    {
        for file in files_under(dir) {
            if let Some(h) = shoebox_hash(&file) {
                present.insert(h);
            }
        }
    }
    for p in &places {
        if let Some(h) = shoebox_hash(&p.path) {
            present.insert(h);
        }
    }
    for h in must_keep {
        if !present.contains(h) {
            return Err(format!("a file was lost: content {h} is nowhere"));
        }
    }
    Ok(())
}

/// BLAKE3 hex of a file's content, as Shoebox records it.
pub fn shoebox_hash(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| blake3::hash(&b).to_hex().to_string())
}

/// The colours of the four quarters of [`oriented_jpeg`]'s stored picture: top-left,
/// top-right, bottom-left, bottom-right.
pub const QUARTERS: [[u8; 3]; 4] = [[220, 30, 30], [30, 200, 30], [30, 30, 220], [240, 240, 240]];

/// A 64×32 JPEG whose quarters have the colours of [`QUARTERS`], carrying EXIF
/// orientation `o` (1–8) as a camera writes it.
pub fn oriented_jpeg(o: u16) -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 32, |x, y| {
        let q = usize::from(x >= 32) + 2 * usize::from(y >= 16);
        image::Rgb(QUARTERS[q])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&img)
        .expect("encode");
    // APP1 "Exif": a big-endian TIFF header and one IFD holding only Orientation.
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&o.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Which of [`QUARTERS`] shows at the top-left, top-right, bottom-left and bottom-right
/// of the picture once orientation `o` is applied (the EXIF definitions).
pub fn upright_quarters(o: u16) -> [usize; 4] {
    match o {
        2 => [1, 0, 3, 2], // mirrored left to right
        3 => [3, 2, 1, 0], // turned half round
        4 => [2, 3, 0, 1], // mirrored top to bottom
        5 => [0, 2, 1, 3], // mirrored along the diagonal
        6 => [2, 0, 3, 1], // turned a quarter clockwise
        7 => [3, 1, 2, 0], // mirrored along the other diagonal
        8 => [1, 3, 0, 2], // turned a quarter anticlockwise
        _ => [0, 1, 2, 3],
    }
}

/// Asserts that `img` shows the quarters of an [`oriented_jpeg`] upright for `o`.
pub fn assert_upright(img: &image::RgbaImage, o: u16) {
    let (w, h) = img.dimensions();
    let spots = [
        (w / 4, h / 4),
        (3 * w / 4, h / 4),
        (w / 4, 3 * h / 4),
        (3 * w / 4, 3 * h / 4),
    ];
    for ((x, y), want) in spots.into_iter().zip(upright_quarters(o)) {
        let got = img.get_pixel(x, y).0;
        let close = (0..3).all(|c| got[c].abs_diff(QUARTERS[want][c]) < 40);
        assert!(
            close,
            "orientation {o}: at ({x}, {y}) {got:?}, expected {:?}",
            QUARTERS[want]
        );
    }
}

/// Makes a symbolic link at `link` to `target`. Where the system does not let a test make
/// one (Windows, without the privilege or developer mode), says so and returns `false`.
pub fn symlink(target: &Path, link: &Path) -> bool {
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(target, link).expect("symlink");
        true
    }
    #[cfg(windows)]
    {
        let made = if target.is_dir() {
            std::os::windows::fs::symlink_dir(target, link)
        } else {
            std::os::windows::fs::symlink_file(target, link)
        };
        // Wine 8 reports success and makes nothing: only a link that is there counts.
        let there = || std::fs::symlink_metadata(link).is_ok_and(|m| m.file_type().is_symlink());
        match made {
            Ok(()) if there() => true,
            Ok(()) => {
                eprintln!("not applicable: this system made no symbolic link (and said it did)");
                false
            }
            Err(e) => {
                eprintln!("not applicable: this system lets no test make a symbolic link ({e})");
                false
            }
        }
    }
}

/// Whether a process ended on its own by crashing or aborting (a signal on Unix; on
/// Windows an exit code that is neither success nor Shoebox's error exit, 1).
pub fn ended_abnormally(status: std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal().is_some()
    }
    #[cfg(windows)]
    {
        status.code().is_some_and(|c| c != 0 && c != 1)
    }
}

/// Copies a folder as a person would with the system's own tool (`cp -a` on Unix,
/// `xcopy` on Windows): new files, so new inode or file numbers, times kept.
pub fn copy_folder_as_people_do(from: &Path, to: &Path) {
    #[cfg(unix)]
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status();
    // Under Wine, starting a program now and then fails ("Internal error", 1359) and works
    // when tried again: the start is tried up to three times; xcopy's own failure is not.
    #[cfg(windows)]
    let status = {
        let mut tried = Err(std::io::Error::other("xcopy was not started"));
        for _ in 0..3 {
            tried = std::process::Command::new("xcopy")
                .args(["/E", "/I", "/H", "/K", "/Q", "/Y"])
                .arg(from)
                .arg(to)
                .stdout(std::process::Stdio::null())
                .status();
            if tried.is_ok() {
                break;
            }
        }
        tried
    };
    assert!(
        status.expect("copy the folder").success(),
        "copy the folder"
    );
}
