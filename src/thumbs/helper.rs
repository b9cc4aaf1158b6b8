//! Decoding in helper processes, so no decoder crash, hang or runaway allocation can end
//! the app. A helper is this executable started with the hidden command `__render-server`
//! under an address-space limit; it takes many requests over a socket pair (or pipes) and
//! answers each with the picture's pixels or the reason there is none. A helper that dies
//! or takes too long is killed and a new one is started for the next request.
//!
//! Helpers also read what import records of a file (its size, capture date, camera and
//! playing time, [`probe::read_meta`]), so a file that makes a reader loop, crash or ask for
//! endless memory costs that file only, never the app or the import.
//!
//! The wire format is small and binary. A request: size (u32; 0 asks for the file's
//! metadata instead of a picture), the programs found (u8, see `Tools::bits`), kind (u8
//! length, bytes), path (u32 length, bytes). An answer: 0, width (u32), height (u32),
//! RGBA pixels; or 1, reason (u32 length, UTF-8); or 2, metadata: which fields are there
//! (u8), width and height (u32 each), capture time (i64), playing time in ms (i64), camera
//! (u32 length, UTF-8). Integers are little-endian.

use std::ffi::OsString;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use crate::media::Kind;
use crate::media::NoPicture;
use crate::media::formats::Tools;
use crate::media::probe::{self, Meta};

/// How helpers are started.
#[derive(Debug, Clone)]
pub struct Helpers {
    /// The Shoebox executable.
    pub exe: PathBuf,
    /// How long one picture may take before its helper is killed.
    pub timeout: Duration,
    /// Address space a helper may use.
    pub memory_bytes: u64,
    /// Extra environment for helpers (tests arm failpoints in them this way).
    pub env: Vec<(OsString, OsString)>,
}

impl Helpers {
    /// Helpers running `exe` with the app's limits: 20 s per picture, 2 GiB of memory.
    pub fn new(exe: PathBuf) -> Helpers {
        Helpers {
            exe,
            timeout: Duration::from_secs(20),
            memory_bytes: 2 * 1024 * 1024 * 1024,
            env: Vec::new(),
        }
    }
}

/// What a helper answered.
pub(crate) enum Answer {
    Picture(image::RgbaImage),
    /// A file's metadata, for import.
    Described(Meta),
    /// The file cannot be pictured, or read: why.
    Failed(NoPicture),
}

/// Why a helper gave no answer.
#[derive(Debug)]
pub(crate) enum Lost {
    /// It could not be started or spoken to: a problem of this moment, not of the file.
    Unavailable(String),
    /// It died on the request: the decoder crashed or ran out of memory.
    Crashed,
    /// It took longer than the timeout and was killed.
    TimedOut,
}

/// Largest picture a helper may send back (either edge); anything larger is a broken
/// helper, not a picture.
const MAX_ANSWER_EDGE: u32 = 16_384;

/// One running helper, spoken to by one worker thread.
pub(crate) struct Helper {
    child: Child,
    to: BufWriter<Box<dyn Write + Send>>,
    answers: Receiver<Answer>,
}

impl Helper {
    /// Starts a helper.
    pub(crate) fn start(cfg: &Helpers) -> io::Result<Helper> {
        let mut cmd = Command::new(&cfg.exe);
        cmd.arg("__render-server").stderr(Stdio::null());
        for (k, v) in &cfg.env {
            cmd.env(k, v);
        }
        // Where the system cannot limit the helper from outside, it limits itself.
        cmd.env(MEMORY_ENV, cfg.memory_bytes.to_string());
        let (mut child, to, from) = crate::platform::spawn_helper(&mut cmd, cfg.memory_bytes)?;
        // Answers are read on their own thread so a silent helper can be timed out. The
        // thread never waits to hand one over, so the helper never waits to write one and
        // always takes the next request: many can be asked at once (`describe_many`).
        let (tx, answers) = channel();
        let reader = std::thread::Builder::new()
            .name("shoebox-helper-reader".into())
            .spawn(move || {
                let mut from = BufReader::with_capacity(256 * 1024, from);
                while let Ok(answer) = read_answer(&mut from) {
                    if tx.send(answer).is_err() {
                        break;
                    }
                }
            });
        if let Err(e) = reader {
            crate::platform::kill_helper(&mut child);
            return Err(e);
        }
        Ok(Helper {
            child,
            to: BufWriter::new(to),
            answers,
        })
    }

    /// Asks for one picture and waits at most `timeout` for it.
    pub(crate) fn render(
        &mut self,
        path: &Path,
        kind: Kind,
        size: u32,
        tools: Tools,
        timeout: Duration,
    ) -> Result<Answer, Lost> {
        self.ask(path, kind, size.max(1), tools, timeout)
    }

    /// Asks for many files' metadata at once: the requests go out together, so the helper
    /// goes from one file to the next without waiting for this side. It answers in the
    /// order asked, each answer within `timeout` of the one before. The answers received,
    /// and why the next one never came (the helper is then of no more use): a crash or a
    /// timeout belongs to the first file not answered.
    pub(crate) fn describe_many(
        &mut self,
        files: &[(&Path, Kind)],
        timeout: Duration,
    ) -> (Vec<Answer>, Option<Lost>) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            let why = "the picture helper had ended".to_string();
            return (Vec::new(), Some(Lost::Unavailable(why)));
        }
        let sent = files
            .iter()
            .try_for_each(|(path, kind)| {
                write_request(&mut self.to, path, *kind, DESCRIBE, Tools::default())
            })
            .and_then(|()| self.to.flush());
        let mut answers = Vec::with_capacity(files.len());
        for _ in files {
            match self.answers.recv_timeout(timeout) {
                Ok(answer) => answers.push(answer),
                Err(RecvTimeoutError::Timeout) => return (answers, Some(Lost::TimedOut)),
                // It could not be written to, and answered nothing: it had ended before.
                Err(RecvTimeoutError::Disconnected) if answers.is_empty() && sent.is_err() => {
                    let why = format!("could not reach the picture helper: {}", {
                        sent.as_ref()
                            .err()
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    });
                    return (answers, Some(Lost::Unavailable(why)));
                }
                Err(RecvTimeoutError::Disconnected) => return (answers, Some(Lost::Crashed)),
            }
        }
        (answers, None)
    }

    fn ask(
        &mut self,
        path: &Path,
        kind: Kind,
        size: u32,
        tools: Tools,
        timeout: Duration,
    ) -> Result<Answer, Lost> {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return Err(Lost::Unavailable("the picture helper had ended".into()));
        }
        write_request(&mut self.to, path, kind, size, tools)
            .and_then(|()| self.to.flush())
            .map_err(|e| Lost::Unavailable(format!("could not reach the picture helper: {e}")))?;
        match self.answers.recv_timeout(timeout) {
            Ok(answer) => Ok(answer),
            Err(RecvTimeoutError::Timeout) => Err(Lost::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Err(Lost::Crashed),
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        // A helper holds nothing worth keeping: it is stopped at once (with the programs it
        // started) and reaped.
        crate::platform::kill_helper(&mut self.child);
    }
}

/// The size a request asks for when it asks for the file's metadata, not a picture.
const DESCRIBE: u32 = 0;

/// The environment variable that tells a helper its memory limit.
const MEMORY_ENV: &str = "SHOEBOX_HELPER_MEMORY";

/// The helper's side (`shoebox __render-server`): answers requests from `input` on
/// `output` until `input` ends.
///
/// Answers to requests that came together go out together: one is written out at once
/// when no other request is waiting, else it waits for the next ones, at most
/// [`ANSWER_DELAY`] (a thread sends it then, whatever the decoder is doing). So a block
/// of files asked at once costs the other side one wake-up, not one per file, and a file
/// the helper hangs on still finds every answer before it sent. A crash takes the answers
/// not yet sent with it: the other side asks again (see `Describer::describe_many`).
pub fn serve(input: impl Read, output: impl Write + Send) -> io::Result<()> {
    if let Some(bytes) = std::env::var(MEMORY_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        crate::platform::enter_helper(bytes);
    }
    // Decoding for an import or for thumbnails comes after the app's own work.
    crate::platform::run_behind();
    let mut input = BufReader::new(input);
    let outbox = Outbox::new(BufWriter::with_capacity(256 * 1024, output));
    std::thread::scope(|scope| {
        let sender = std::thread::Builder::new()
            .name("shoebox-helper-sender".into())
            .spawn_scoped(scope, || outbox.send_late());
        if sender.is_err() {
            // No thread to send late answers: each goes out as it is written.
            outbox.lock().each = true;
        }
        let served = answer_requests(&mut input, &outbox);
        outbox.close();
        served
    })
}

/// How long a written answer may wait for the next ones before it is sent.
const ANSWER_DELAY: Duration = Duration::from_millis(20);

/// Answers each request of `input` into `outbox`.
fn answer_requests<W: Write>(
    input: &mut BufReader<impl Read>,
    outbox: &Outbox<W>,
) -> io::Result<()> {
    while let Some((path, kind, size, tools)) = read_request(input)? {
        let answer = if size == DESCRIBE {
            crate::failpoint::hit("probe.describe");
            match probe::read_meta(&path, kind) {
                Ok(meta) => Answer::Described(meta),
                Err(reason) => Answer::Failed(NoPicture::Unreadable(reason)),
            }
        } else {
            crate::failpoint::hit("thumbs.render");
            match super::render::render(&path, kind, size, tools) {
                Ok(img) => Answer::Picture(img),
                Err(reason) => Answer::Failed(reason),
            }
        };
        // Another request already here: this answer waits to go with its own.
        outbox.put(&answer, !input.buffer().is_empty())?;
    }
    Ok(())
}

/// A helper's answers on their way out, and whether some are written and not yet sent.
struct Outbox<W: Write> {
    state: std::sync::Mutex<OutboxState<W>>,
    changed: std::sync::Condvar,
}

struct OutboxState<W: Write> {
    out: BufWriter<W>,
    /// When the oldest answer not yet sent was written.
    unsent_since: Option<std::time::Instant>,
    /// No more answers will come.
    closed: bool,
    /// Each answer is sent as it is written.
    each: bool,
}

impl<W: Write> Outbox<W> {
    fn new(out: BufWriter<W>) -> Outbox<W> {
        Outbox {
            state: std::sync::Mutex::new(OutboxState {
                out,
                unsent_since: None,
                closed: false,
                each: false,
            }),
            changed: std::sync::Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OutboxState<W>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes `answer`; sends it (and any before it) now unless `more` requests are waiting.
    fn put(&self, answer: &Answer, more: bool) -> io::Result<()> {
        let mut state = self.lock();
        write_answer(&mut state.out, answer)?;
        if !more || state.each {
            state.unsent_since = None;
            return state.out.flush();
        }
        if state.unsent_since.is_none() {
            state.unsent_since = Some(std::time::Instant::now());
            self.changed.notify_all();
        }
        Ok(())
    }

    /// Says no more answers will come (the sender thread ends).
    fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// The sender thread: sends each answer at most [`ANSWER_DELAY`] after it was written,
    /// until the outbox is closed. (A failure to send is met by the next answer's write.)
    fn send_late(&self) {
        let mut state = self.lock();
        loop {
            if state.closed {
                let _ = state.out.flush();
                return;
            }
            state = match state.unsent_since {
                None => self
                    .changed
                    .wait(state)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
                Some(since) => match ANSWER_DELAY.checked_sub(since.elapsed()) {
                    Some(left) if !left.is_zero() => {
                        self.changed
                            .wait_timeout(state, left)
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .0
                    }
                    _ => {
                        state.unsent_since = None;
                        let _ = state.out.flush();
                        state
                    }
                },
            };
        }
    }
}

fn write_request(
    w: &mut impl Write,
    path: &Path,
    kind: Kind,
    size: u32,
    tools: Tools,
) -> io::Result<()> {
    let kind = kind.as_str().as_bytes();
    let path = crate::platform::path_to_bytes(path);
    w.write_all(&size.to_le_bytes())?;
    w.write_all(&[tools.bits(), kind.len() as u8])?;
    w.write_all(kind)?;
    w.write_all(&(path.len() as u32).to_le_bytes())?;
    w.write_all(&path)
}

/// The next request, or `None` when the input has ended between requests.
fn read_request(r: &mut impl Read) -> io::Result<Option<(PathBuf, Kind, u32, Tools)>> {
    let mut size = [0u8; 4];
    match r.read_exact(&mut size) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    let mut flags = [0u8; 2];
    r.read_exact(&mut flags)?;
    let mut kind = vec![0u8; usize::from(flags[1])];
    r.read_exact(&mut kind)?;
    let len = read_u32(r)? as usize;
    if len > 64 * 1024 {
        return Err(io::Error::other(
            "a path longer than any file system allows",
        ));
    }
    let mut path = vec![0u8; len];
    r.read_exact(&mut path)?;
    Ok(Some((
        crate::platform::path_from_bytes(path),
        Kind::parse(&String::from_utf8_lossy(&kind)),
        u32::from_le_bytes(size),
        Tools::from_bits(flags[0]),
    )))
}

fn write_answer(w: &mut impl Write, answer: &Answer) -> io::Result<()> {
    match answer {
        Answer::Picture(img) => {
            w.write_all(&[0])?;
            w.write_all(&img.width().to_le_bytes())?;
            w.write_all(&img.height().to_le_bytes())?;
            w.write_all(img.as_raw())
        }
        Answer::Failed(why) => {
            // The kind's word, then the words for the user.
            let (tag, reason) = (why.tag(), why.reason());
            w.write_all(&[1, tag.len() as u8])?;
            w.write_all(tag.as_bytes())?;
            w.write_all(&(reason.len() as u32).to_le_bytes())?;
            w.write_all(reason.as_bytes())
        }
        Answer::Described(meta) => {
            let size = meta.width.zip(meta.height);
            let camera = meta.camera.as_deref().unwrap_or("");
            let there = u8::from(size.is_some())
                | u8::from(meta.captured_at.is_some()) << 1
                | u8::from(meta.duration_ms.is_some()) << 2
                | u8::from(meta.camera.is_some()) << 3;
            let (width, height) = size.unwrap_or((0, 0));
            w.write_all(&[2, there])?;
            w.write_all(&width.to_le_bytes())?;
            w.write_all(&height.to_le_bytes())?;
            w.write_all(&meta.captured_at.unwrap_or(0).to_le_bytes())?;
            w.write_all(&meta.duration_ms.unwrap_or(0).to_le_bytes())?;
            w.write_all(&(camera.len() as u32).to_le_bytes())?;
            w.write_all(camera.as_bytes())
        }
    }
}

fn read_answer(r: &mut impl Read) -> io::Result<Answer> {
    let mut tag = [0u8; 1];
    r.read_exact(&mut tag)?;
    match tag[0] {
        0 => {
            let (w, h) = (read_u32(r)?, read_u32(r)?);
            if w == 0 || h == 0 || w > MAX_ANSWER_EDGE || h > MAX_ANSWER_EDGE {
                return Err(io::Error::other(
                    "the helper sent a picture of no sensible size",
                ));
            }
            let mut rgba = vec![0u8; w as usize * h as usize * 4];
            r.read_exact(&mut rgba)?;
            image::RgbaImage::from_raw(w, h, rgba)
                .map(Answer::Picture)
                .ok_or_else(|| io::Error::other("the helper sent a short picture"))
        }
        1 => {
            let mut tag_len = [0u8; 1];
            r.read_exact(&mut tag_len)?;
            let mut tag = vec![0u8; usize::from(tag_len[0])];
            r.read_exact(&mut tag)?;
            let len = read_u32(r)? as usize;
            if len > 64 * 1024 {
                return Err(io::Error::other("the helper sent an endless reason"));
            }
            let mut text = vec![0u8; len];
            r.read_exact(&mut text)?;
            let reason = String::from_utf8_lossy(&text).into_owned();
            NoPicture::from_tag(&String::from_utf8_lossy(&tag), reason)
                .map(Answer::Failed)
                .ok_or_else(|| io::Error::other("the helper sent a failure of no known kind"))
        }
        2 => {
            let mut there = [0u8; 1];
            r.read_exact(&mut there)?;
            let there = there[0];
            let (width, height) = (read_u32(r)?, read_u32(r)?);
            let (captured, duration) = (read_i64(r)?, read_i64(r)?);
            let len = read_u32(r)? as usize;
            if len > 64 * 1024 {
                return Err(io::Error::other("the helper sent an endless camera name"));
            }
            let mut camera = vec![0u8; len];
            r.read_exact(&mut camera)?;
            let size = (there & 1 != 0).then_some((width, height));
            Ok(Answer::Described(Meta {
                width: size.map(|s| s.0),
                height: size.map(|s| s.1),
                captured_at: (there & 2 != 0).then_some(captured),
                duration_ms: (there & 4 != 0).then_some(duration),
                camera: (there & 8 != 0).then(|| String::from_utf8_lossy(&camera).into_owned()),
            }))
        }
        _ => Err(io::Error::other("the helper sent something unknown")),
    }
}

fn read_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_i64(r: &mut impl Read) -> io::Result<i64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(i64::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a helper wrote: the bytes, and how many times they were sent on.
    #[derive(Clone, Default)]
    struct Wire(std::sync::Arc<std::sync::Mutex<(Vec<u8>, usize)>>);

    impl Write for Wire {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("wire").0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            self.0.lock().expect("wire").1 += 1;
            Ok(())
        }
    }

    impl Wire {
        /// The answers written so far.
        fn answers(&self) -> usize {
            let bytes = self.0.lock().expect("wire").0.clone();
            let mut r = &bytes[..];
            std::iter::from_fn(|| read_answer(&mut r).ok()).count()
        }
    }

    /// Requests for `n` files' metadata, as the other side writes them at once.
    fn describe_requests(paths: &[PathBuf]) -> Vec<u8> {
        let mut wire = Vec::new();
        for p in paths {
            write_request(&mut wire, p, Kind::Image, DESCRIBE, Tools::default()).expect("write");
        }
        wire
    }

    fn pictures(dir: &Path, n: u32) -> Vec<PathBuf> {
        (0..n)
            .map(|i| {
                let p = dir.join(format!("p{i}.png"));
                image::RgbImage::new(4 + i, 3).save(&p).expect("save");
                p
            })
            .collect()
    }

    /// Files asked together are answered together: twenty answers, sent on once (at the
    /// end, when the input closes: twice at most).
    #[test]
    fn answers_to_requests_asked_together_are_sent_together() {
        let dir = tempfile::tempdir().expect("temp");
        let requests = describe_requests(&pictures(dir.path(), 20));
        let wire = Wire::default();
        serve(&requests[..], wire.clone()).expect("serve");
        assert_eq!(wire.answers(), 20);
        let sends = wire.0.lock().expect("wire").1;
        assert!((1..=2).contains(&sends), "sent on {sends} times");
    }

    /// An answer waiting for the next ones is sent within [`ANSWER_DELAY`] even while the
    /// helper is held up on the next request (a decoder that hangs): the other side then
    /// knows every file before that one was read, and times out on the right file.
    #[test]
    fn an_answer_waiting_for_the_next_is_sent_while_the_helper_is_held_up() {
        /// The first request whole and half of the second, then nothing until dropped.
        struct Stalls(Vec<u8>, std::sync::mpsc::Receiver<()>);
        impl Read for Stalls {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    let _ = self.1.recv();
                    return Ok(0);
                }
                let n = buf.len().min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                Ok(n)
            }
        }
        let dir = tempfile::tempdir().expect("temp");
        let mut requests = describe_requests(&pictures(dir.path(), 2));
        requests.truncate(requests.len() - 3);
        let (release, stalled) = std::sync::mpsc::channel();
        let wire = Wire::default();
        let serving = {
            let wire = wire.clone();
            std::thread::spawn(move || serve(Stalls(requests, stalled), wire))
        };
        let asked = std::time::Instant::now();
        while wire.answers() == 0 && asked.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(wire.answers(), 1, "the first answer went out");
        assert!(
            wire.0.lock().expect("wire").1 >= 1,
            "and was sent on, not only written"
        );
        drop(release);
        let ended = serving.join().expect("helper thread");
        assert!(ended.is_err(), "the second request was cut short");
    }

    #[test]
    fn requests_and_answers_cross_the_wire_unchanged() {
        let mut wire = Vec::new();
        let path = Path::new("/photos/été/IMG_0001.JPG");
        let tools = Tools {
            ffmpeg: true,
            heif: false,
            heif_thumbs: true,
            pdf: true,
        };
        write_request(&mut wire, path, Kind::Video, 256, tools).expect("write");
        let mut r = &wire[..];
        let (p, kind, size, got) = read_request(&mut r).expect("read").expect("one");
        assert_eq!(
            (p.as_path(), kind, size, got),
            (path, Kind::Video, 256, tools)
        );
        assert!(read_request(&mut r).expect("end").is_none());

        let img = image::RgbaImage::from_fn(3, 2, |x, y| image::Rgba([x as u8, y as u8, 7, 255]));
        let mut wire = Vec::new();
        write_answer(&mut wire, &Answer::Picture(img.clone())).expect("write");
        let why = NoPicture::NoPreview("no preview inside this RAW file".into());
        write_answer(&mut wire, &Answer::Failed(why.clone())).expect("write");
        let mut r = &wire[..];
        assert!(matches!(read_answer(&mut r), Ok(Answer::Picture(got)) if got == img));
        assert!(matches!(read_answer(&mut r), Ok(Answer::Failed(back)) if back == why));
        let meta = Meta {
            width: Some(3504),
            height: Some(2336),
            captured_at: Some(-86_400),
            camera: Some("Canon EOS 30D".into()),
            duration_ms: None,
        };
        let mut wire = Vec::new();
        write_answer(&mut wire, &Answer::Described(meta.clone())).expect("write");
        write_answer(&mut wire, &Answer::Described(Meta::default())).expect("write");
        let mut r = &wire[..];
        assert!(matches!(read_answer(&mut r), Ok(Answer::Described(got)) if got == meta));
        assert!(
            matches!(read_answer(&mut r), Ok(Answer::Described(got)) if got == Meta::default())
        );
        // A helper that dies mid-answer is an error, never a short picture.
        let mut cut = Vec::new();
        write_answer(&mut cut, &Answer::Picture(img)).expect("write");
        cut.truncate(cut.len() - 1);
        assert!(read_answer(&mut &cut[..]).is_err());
    }
}
