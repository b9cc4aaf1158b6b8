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
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.timestamp())
}

/// Formats a time as RFC 3339 in UTC, e.g. `2026-11-22T14:02:00Z`.
pub fn rfc3339(t: UnixSecs) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// Formats a time for people, in the computer's time zone: `2026-11-22 14:02`. Times are
/// stored in UTC; only what is shown is local.
pub fn display(t: UnixSecs) -> String {
    display_in(t, &chrono::Local)
}

/// [`display`] in a given time zone.
pub fn display_in<Tz: chrono::TimeZone>(t: UnixSecs, zone: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(utc) => utc.with_timezone(zone).format("%Y-%m-%d %H:%M").to_string(),
        None => t.to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-01T12:00:00Z.
    const T0: UnixSecs = 1_793_534_400;

    #[test]
    fn stored_times_are_utc_and_written_as_rfc3339() {
        assert_eq!(rfc3339(T0), "2026-11-01T12:00:00Z");
        assert_eq!(parse_time("2026-11-01T12:00:00Z"), Some(T0));
        // Another zone's writing of the same instant reads as the same time.
        assert_eq!(parse_time("2026-11-01T21:00:00+09:00"), Some(T0));
        assert_eq!(parse_time(&T0.to_string()), Some(T0));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn times_are_shown_in_the_zone_asked_for() {
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).expect("offset");
        let new_york = chrono::FixedOffset::west_opt(5 * 3600).expect("offset");
        assert_eq!(display_in(T0, &chrono::Utc), "2026-11-01 12:00");
        assert_eq!(display_in(T0, &tokyo), "2026-11-01 21:00");
        assert_eq!(display_in(T0, &new_york), "2026-11-01 07:00");
    }
}
