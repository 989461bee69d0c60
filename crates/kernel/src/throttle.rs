//! Sliding-window failure counting, for throttling login guesses.
//!
//! Pure: the caller keeps one [`Failures`] per key (an account, a client
//! address) and passes `now`. After `max_failures` failures within
//! `window`, the key is blocked until the oldest of them leaves the window.
//! A success does not erase failures: otherwise a guesser who knows one
//! password could reset the counter of another account from the same
//! address.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};

/// How many failures a key may have in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Failures allowed within `window`; the next attempt is refused.
    pub max_failures: usize,
    /// The sliding window.
    pub window: Duration,
}

/// Recent failures of one key, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failures {
    times: VecDeque<DateTime<Utc>>,
}

impl Failures {
    fn prune(&mut self, limit: Limit, now: DateTime<Utc>) {
        while self.times.front().is_some_and(|t| *t <= now - limit.window) {
            self.times.pop_front();
        }
    }

    /// When the key may try again, if it is blocked now.
    pub fn blocked_until(&self, limit: Limit, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let recent: Vec<_> = self
            .times
            .iter()
            .filter(|t| **t > now - limit.window)
            .collect();
        if recent.len() >= limit.max_failures {
            // Unblocked once enough old failures leave the window.
            recent
                .get(recent.len() - limit.max_failures)
                .map(|t| **t + limit.window)
        } else {
            None
        }
    }

    /// Records a failure at `now`.
    pub fn record(&mut self, limit: Limit, now: DateTime<Utc>) {
        self.prune(limit, now);
        self.times.push_back(now);
        while self.times.len() > limit.max_failures {
            self.times.pop_front();
        }
    }

    /// Whether nothing recent is left, so the key can be forgotten.
    pub fn is_stale(&self, limit: Limit, now: DateTime<Utc>) -> bool {
        self.times.back().is_none_or(|t| *t <= now - limit.window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap() + Duration::minutes(min)
    }

    const LIMIT: Limit = Limit {
        max_failures: 3,
        window: Duration::minutes(15),
    };

    #[test]
    fn blocks_after_max_failures_until_the_oldest_leaves_the_window() {
        let mut f = Failures::default();
        f.record(LIMIT, at(0));
        f.record(LIMIT, at(1));
        assert_eq!(f.blocked_until(LIMIT, at(2)), None);
        f.record(LIMIT, at(2));
        assert_eq!(f.blocked_until(LIMIT, at(2)), Some(at(15)));
        assert_eq!(f.blocked_until(LIMIT, at(14)), Some(at(15)));
        assert_eq!(f.blocked_until(LIMIT, at(15)), None);
    }

    #[test]
    fn failures_spread_wider_than_the_window_never_block() {
        let mut f = Failures::default();
        for i in 0..20 {
            f.record(LIMIT, at(i * 8));
            assert_eq!(f.blocked_until(LIMIT, at(i * 8)), None, "at {i}");
        }
    }

    #[test]
    fn memory_is_bounded_and_stale_keys_are_detected() {
        let mut f = Failures::default();
        for i in 0..100 {
            f.record(LIMIT, at(0) + Duration::seconds(i));
        }
        assert_eq!(f.times.len(), LIMIT.max_failures);
        assert!(!f.is_stale(LIMIT, at(10)));
        assert!(f.is_stale(LIMIT, at(20)));
    }
}
