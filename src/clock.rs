//! Where Shoebox gets the time from.
//!
//! Every rule that depends on time (days left, expiry, the sweep) reads an injected
//! [`Clock`], so tests can move time and the app can be guarded against a clock that jumps.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Seconds since the Unix epoch, UTC.
pub type UnixSecs = i64;

/// Seconds in one day, the unit of retention.
pub const SECS_PER_DAY: i64 = 24 * 60 * 60;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time in seconds since the Unix epoch (UTC).
    fn now(&self) -> UnixSecs;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixSecs {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        }
    }
}

/// A clock that only moves when told to; shared between clones.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock reading `start`.
    pub fn new(start: UnixSecs) -> Self {
        Self(Arc::new(AtomicI64::new(start)))
    }

    /// Moves the clock by `secs` (negative goes back).
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }

    /// Moves the clock by whole days.
    pub fn advance_days(&self, days: i64) {
        self.advance(days * SECS_PER_DAY);
    }

    /// Sets the clock to `t`.
    pub fn set(&self, t: UnixSecs) {
        self.0.store(t, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixSecs {
        self.0.load(Ordering::SeqCst)
    }
}

/// The clock the binary uses: the system clock, unless `SHOEBOX_NOW` holds a time
/// (RFC 3339 or Unix seconds) — a hook for scripted tests of the command line.
pub fn from_env() -> Arc<dyn Clock> {
    match std::env::var("SHOEBOX_NOW") {
        Ok(text) => match parse_time(&text) {
            Some(t) => Arc::new(ManualClock::new(t)),
            None => Arc::new(SystemClock),
        },
        Err(_) => Arc::new(SystemClock),
    }
}

/// Parses RFC 3339 or plain Unix seconds.
pub fn parse_time(text: &str) -> Option<UnixSecs> {
    if let Ok(secs) = text.trim().parse::<i64>() {
        return Some(secs);
    }
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Formats a time as RFC 3339 in UTC, e.g. `2026-11-22T14:02:00Z`.
pub fn rfc3339(t: UnixSecs) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

static LOCAL_OFFSET: std::sync::OnceLock<time::UtcOffset> = std::sync::OnceLock::new();

/// Reads the computer's time zone offset. Call once at startup, before any thread starts
/// (reading it later is refused on some systems); until then times show in UTC.
pub fn init_local_offset() {
    if let Ok(offset) = time::UtcOffset::current_local_offset() {
        let _ = LOCAL_OFFSET.set(offset);
    }
}

/// Formats a time for people, in local time when known: `2026-11-22 14:02`.
pub fn display(t: UnixSecs) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let offset = LOCAL_OFFSET.get().copied().unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .map(|t| t.to_offset(offset))
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| t.to_string())
}

/// A playing time for people: `0:03`, `12:07`, `1:02:03`.
pub fn duration(ms: i64) -> String {
    let secs = (ms.max(0) + 500) / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}
