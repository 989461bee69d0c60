//! How many units of an equipment pool are free over a time window.
//!
//! Availability is computed, never stored (SPEC §3.5): what holds units is
//! a list of [`Hold`]s (bookings' allocations and maintenance blocks), and
//! the units free over a window are the total minus the *peak* of what is
//! held at any one instant of it. Summing every hold that touches the
//! window would be wrong the other way: two bookings at 9:00 and 11:00 both
//! overlap a 9:00–12:00 session but never hold units at the same time.

use chrono::{DateTime, Utc};

/// Units held over a time range: an allocation or a maintenance block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    /// From (inclusive).
    pub from: DateTime<Utc>,
    /// Until (exclusive); `None` holds for good (consumables are used up).
    pub to: Option<DateTime<Utc>>,
    /// Units held.
    pub quantity: u32,
}

/// A half-open time window `[from, to)`; `to: None` reaches forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive), or forever.
    pub to: Option<DateTime<Utc>>,
}

impl Window {
    /// The window `[from, to)`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self { from, to: Some(to) }
    }

    /// Whether a hold holds units at some instant of this window.
    pub fn touches(&self, h: &Hold) -> bool {
        let starts_before_end = self.to.is_none_or(|to| h.from < to);
        let ends_after_start = h.to.is_none_or(|to| to > self.from);
        starts_before_end && ends_after_start && h.to.is_none_or(|to| to > h.from)
    }
}

/// The most units held at any one instant of `window`.
pub fn peak(holds: &[Hold], window: Window) -> u32 {
    let mut events: Vec<(DateTime<Utc>, i64)> = Vec::new();
    for h in holds.iter().filter(|h| h.quantity > 0 && window.touches(h)) {
        let q = i64::from(h.quantity);
        events.push((h.from.max(window.from), q));
        if let Some(end) = h.to
            && window.to.is_none_or(|to| end < to)
        {
            events.push((end, -q));
        }
    }
    // Ends before starts at the same instant: a booking ending at 10:00
    // and one starting at 10:00 never hold units together.
    events.sort();
    let (mut level, mut top) = (0i64, 0i64);
    for (_, delta) in events {
        level += delta;
        top = top.max(level);
    }
    top.clamp(0, i64::from(u32::MAX)) as u32
}

/// Units free over the whole of `window`: `total` minus the peak held.
pub fn available(total: u32, holds: &[Hold], window: Window) -> u32 {
    total.saturating_sub(peak(holds, window))
}

/// A stretch of time over which the free units do not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Start.
    pub from: DateTime<Utc>,
    /// End.
    pub to: DateTime<Utc>,
    /// Units free throughout.
    pub available: u32,
}

/// The free units over `[from, to)` as consecutive spans, each as long as
/// the level stays the same (what a studio's timeline view draws).
pub fn timeline(total: u32, holds: &[Hold], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Span> {
    if to <= from {
        return Vec::new();
    }
    let mut cuts: Vec<DateTime<Utc>> = vec![from, to];
    for h in holds {
        cuts.push(h.from);
        cuts.extend(h.to);
    }
    cuts.retain(|t| *t >= from && *t <= to);
    cuts.sort();
    cuts.dedup();
    let mut spans: Vec<Span> = Vec::new();
    for pair in cuts.windows(2) {
        let available = available(total, holds, Window::new(pair[0], pair[1]));
        match spans.last_mut() {
            Some(last) if last.available == available => last.to = pair[1],
            _ => spans.push(Span {
                from: pair[0],
                to: pair[1],
                available,
            }),
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone as _};

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 7, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    fn hold(from: i64, to: i64, quantity: u32) -> Hold {
        Hold {
            from: at(from),
            to: Some(at(to)),
            quantity,
        }
    }

    #[test]
    fn holds_that_never_meet_do_not_add_up() {
        let holds = [hold(9, 10, 3), hold(11, 12, 3)];
        assert_eq!(peak(&holds, Window::new(at(9), at(12))), 3);
        assert_eq!(available(8, &holds, Window::new(at(9), at(12))), 5);
    }

    #[test]
    fn overlapping_holds_add_up_and_back_to_back_ones_do_not() {
        let holds = [hold(9, 11, 3), hold(10, 12, 2), hold(11, 13, 4)];
        assert_eq!(peak(&holds, Window::new(at(9), at(13))), 6);
        assert_eq!(peak(&holds, Window::new(at(9), at(10))), 3);
        assert_eq!(peak(&holds, Window::new(at(13), at(14))), 0);
    }

    #[test]
    fn a_consumable_hold_lasts_for_good() {
        let used = Hold {
            from: at(9),
            to: None,
            quantity: 2,
        };
        assert_eq!(available(10, &[used], Window::new(at(100), at(101))), 8);
        assert_eq!(available(10, &[used], Window::new(at(1), at(2))), 10);
        let later = Window {
            from: at(1),
            to: None,
        };
        assert_eq!(available(10, &[used], later), 8);
    }

    #[test]
    fn timeline_merges_equal_levels() {
        let holds = [hold(9, 11, 3), hold(11, 12, 3), hold(14, 15, 8)];
        assert_eq!(
            timeline(8, &holds, at(8), at(16)),
            vec![
                Span {
                    from: at(8),
                    to: at(9),
                    available: 8
                },
                Span {
                    from: at(9),
                    to: at(12),
                    available: 5
                },
                Span {
                    from: at(12),
                    to: at(14),
                    available: 8
                },
                Span {
                    from: at(14),
                    to: at(15),
                    available: 0
                },
                Span {
                    from: at(15),
                    to: at(16),
                    available: 8
                },
            ]
        );
    }
}
