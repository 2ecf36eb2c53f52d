//! Time comes from a `Clock` so tests can drive deadlines; timestamps are kept to the
//! microsecond so they survive every backend and the journal hash unchanged.

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::Mutex;

pub type Timestamp = DateTime<Utc>;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that only moves when told to, for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(Mutex::new(start.trunc_subsecs(6)))
    }
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The one text form of a timestamp used in hashes and exports: RFC 3339, UTC, microseconds.
pub fn canonical(t: &Timestamp) -> String {
    use chrono::{Datelike, Timelike};
    // The common case written out directly: chrono's `format` parses its pattern at every
    // call (a tenth of a page of cases). Years outside 0..=9999 and leap seconds take the
    // pattern, which the test below holds the fast path to.
    let (year, nanos) = (t.year(), t.nanosecond());
    if (0..=9999).contains(&year) && nanos < 1_000_000_000 {
        return format!(
            "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            nanos / 1000
        );
    }
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn canonical_is_the_pattern() {
        for text in [
            "2026-12-04T17:55:26.161458Z",
            "2026-01-01T00:00:00Z",
            "1999-12-31T23:59:59.999999Z",
            "0001-02-03T04:05:06.000007Z",
            "2026-06-30T12:00:00.123456789Z",
        ] {
            let t: super::Timestamp = text.parse().unwrap();
            assert_eq!(
                super::canonical(&t),
                t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
                "{text}"
            );
        }
    }
}
