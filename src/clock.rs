//! The server clock: the single source of "now" for everything time-dependent.
//!
//! Token expiry, scenario transitions and (later) job steps and webhook retries all read
//! [`Clock::now`], never the system clock, so a test can make an hour pass instantly with
//! [`Clock::advance`]. The clock either follows real time from a start instant or is frozen at
//! one; advancing adds a fixed offset in both modes.

use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

/// The first instant the clock can show: 0000-01-01T00:00:00Z.
pub fn earliest() -> DateTime<Utc> {
    DateTime::from_timestamp(-62_167_219_200, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The last instant the clock can show: 9999-12-31T23:59:59.999999999Z, the end of what
/// RFC 3339's four-digit years can write.
pub fn latest() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 999_999_999).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `days` business days (Monday to Friday) after `from`, at the same time of day.
pub fn business_days_after(from: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    let mut at = from;
    let mut left = days;
    while left > 0 {
        at = at.checked_add_signed(Duration::days(1))?;
        if !matches!(at.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Some(at)
}

/// An instant the clock was asked to show outside years 0000–9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server clock stays within 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z")]
pub struct OutOfRange;

/// How the clock moves between explicit advances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Real time, starting at `start` (the real "now" when `None`).
    Running { start: Option<DateTime<Utc>> },
    /// Stands still at the given instant until advanced or set.
    Frozen { at: DateTime<Utc> },
}

impl Default for ClockMode {
    fn default() -> Self {
        ClockMode::Running { start: None }
    }
}

/// Shared server clock. Cheap to read; a std mutex guards a few words and is never held
/// across an await.
#[derive(Debug)]
pub struct Clock {
    state: Mutex<ClockState>,
}

#[derive(Debug)]
struct ClockState {
    /// Virtual instant that corresponds to `anchor`.
    base: DateTime<Utc>,
    /// Real instant at which `base` was current; `None` when frozen.
    anchor: Option<Instant>,
}

impl Clock {
    /// A clock in the given mode.
    pub fn new(mode: ClockMode) -> Self {
        let state = match mode {
            ClockMode::Running { start } => ClockState {
                base: start.unwrap_or_else(Utc::now).clamp(earliest(), latest()),
                anchor: Some(Instant::now()),
            },
            ClockMode::Frozen { at } => ClockState {
                base: at.clamp(earliest(), latest()),
                anchor: None,
            },
        };
        Clock {
            state: Mutex::new(state),
        }
    }

    /// The current server time.
    pub fn now(&self) -> DateTime<Utc> {
        let state = self.lock();
        match state.anchor {
            Some(anchor) => {
                let elapsed = Duration::from_std(anchor.elapsed()).unwrap_or(Duration::zero());
                state.base + elapsed
            }
            None => state.base,
        }
    }

    /// Moves the clock forward (or backward, for a negative duration), stopping at the ends of
    /// its range.
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        state.base = state
            .base
            .checked_add_signed(by)
            .unwrap_or(if by < Duration::zero() {
                earliest()
            } else {
                latest()
            })
            .clamp(earliest(), latest());
    }

    /// Moves the clock by `by` if the instant it reaches is within years 0000–9999.
    pub fn try_advance(&self, by: Duration) -> Result<(), OutOfRange> {
        let mut state = self.lock();
        let at = state
            .base
            .checked_add_signed(by)
            .filter(|at| (earliest()..=latest()).contains(at))
            .ok_or(OutOfRange)?;
        state.base = at;
        Ok(())
    }

    /// Jumps to an instant, kept within the clock's range; a running clock keeps running from
    /// there.
    pub fn set(&self, at: DateTime<Utc>) {
        let mut state = self.lock();
        state.base = at.clamp(earliest(), latest());
        if state.anchor.is_some() {
            state.anchor = Some(Instant::now());
        }
    }

    /// Jumps to `at` if it is within years 0000–9999.
    pub fn try_set(&self, at: DateTime<Utc>) -> Result<(), OutOfRange> {
        if !(earliest()..=latest()).contains(&at) {
            return Err(OutOfRange);
        }
        self.set(at);
        Ok(())
    }

    /// Puts the clock back into `mode`, as if the server had just started.
    pub fn reset(&self, mode: ClockMode) {
        let fresh = Clock::new(mode)
            .state
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        *self.lock() = fresh;
    }

    /// Whether the clock stands still between advances.
    pub fn is_frozen(&self) -> bool {
        self.lock().anchor.is_none()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        // A poisoned clock still holds a valid instant: recover it rather than fail requests.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_days_skip_weekends() {
        // Friday 2026-01-02 + 1 business day = Monday 2026-01-05; + 5 = Friday 2026-01-09.
        let friday = DateTime::parse_from_rfc3339("2026-01-02T10:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .expect("instant");
        let day = |d: u32| business_days_after(friday, d).map(|t| t.date_naive().to_string());
        assert_eq!(day(0).as_deref(), Some("2026-01-02"));
        assert_eq!(day(1).as_deref(), Some("2026-01-05"));
        assert_eq!(day(5).as_deref(), Some("2026-01-09"));
        assert_eq!(
            business_days_after(chrono::DateTime::<Utc>::MAX_UTC, 1),
            None
        );
    }
}
