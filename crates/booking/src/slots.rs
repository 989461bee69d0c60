//! 1-on-1 slot search: availability − busy time (± buffers) − min notice −
//! beyond horizon − days at the daily limit, on a slot grid.
//!
//! Windows are local wall-clock times in the school's zone, resolved per
//! day with `kernel::resolve_local`, so a window on a DST day is as long as
//! the clock says (a 01:00–03:00 window on London's spring-forward day is
//! one real hour).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use kernel::{Availability, Booker, TimeZone, resolve_local};

use crate::policy::{BookingPolicy, local_day};

/// Widest range one slot search may span, in days.
pub const MAX_SEARCH_DAYS: i64 = 31;
/// Distance between candidate starts, in minutes.
pub const GRID_MINUTES: i64 = 15;

/// Everything a search needs, loaded by the caller.
#[derive(Debug, Clone)]
pub struct SlotQuery {
    /// The zone windows and "per day" are read in (the school's).
    pub zone: TimeZone,
    /// Range start.
    pub from: DateTime<Utc>,
    /// Range end (slots end at or before it).
    pub to: DateTime<Utc>,
    /// Lesson length.
    pub duration: Duration,
    /// Distance between candidate starts.
    pub grid: Duration,
    /// Weekly availability: only published windows offer slots (an
    /// unrestricted teacher offers none, SPEC §3.1).
    pub availability: Availability,
    /// The teacher's sessions and bookings, `[start, end)`.
    pub busy: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Bookings per local day already made.
    pub per_day: BTreeMap<NaiveDate, u32>,
    /// The rules.
    pub policy: BookingPolicy,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Free `[start, end)` slots in start order.
pub fn free_slots(q: &SlotQuery) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    if q.duration <= Duration::zero() || q.grid <= Duration::zero() || q.to <= q.from {
        return out;
    }
    let mut busy = q.busy.clone();
    busy.sort();
    let first_day = local_day(q.zone, q.from);
    let last_day = local_day(q.zone, q.to);
    let mut day = first_day;
    while day <= last_day {
        let full = q
            .policy
            .max_bookings_per_day
            .is_some_and(|max| q.per_day.get(&day).copied().unwrap_or(0) >= max);
        if !full {
            for w in q
                .availability
                .self_service_windows()
                .iter()
                .filter(|w| w.applies_on(day))
            {
                // A window to 23:59 runs to midnight (`Availability::admits`
                // reads it so); every candidate is then asked the one
                // containment check, so slots and booking never disagree.
                let we = if w.end >= NaiveTime::from_hms_opt(23, 59, 0).expect("valid time") {
                    resolve_local(day.succ_opt().unwrap_or(day), NaiveTime::MIN, q.zone)
                } else {
                    resolve_local(day, w.end, q.zone)
                };
                let mut start = resolve_local(day, w.start, q.zone);
                while start + q.duration <= we {
                    let end = start + q.duration;
                    if start >= q.from
                        && end <= q.to
                        && q.availability.admits(Booker::Family, q.zone, start, end)
                        && bookable(q, &busy, start, end)
                    {
                        out.push((start, end));
                    }
                    start += q.grid;
                }
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether `[start, end)` passes notice, horizon and busy time with buffers.
pub fn bookable(
    q: &SlotQuery,
    sorted_busy: &[(DateTime<Utc>, DateTime<Utc>)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> bool {
    let p = &q.policy;
    if start <= q.now || start - q.now < p.min_notice {
        return false;
    }
    if p.horizon.is_some_and(|h| start > q.now + h) {
        return false;
    }
    let (lo, hi) = (start - p.buffer_before, end + p.buffer_after);
    // Busy intervals that start before `hi`; any of them ending after `lo`
    // overlaps.
    let upto = sorted_busy.partition_point(|(s, _)| *s < hi);
    !sorted_busy[..upto].iter().any(|(_, e)| *e > lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use kernel::{Weekday, Window};
    use proptest::prelude::*;

    fn london() -> TimeZone {
        TimeZone::parse("Europe/London").unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn query(from: DateTime<Utc>, to: DateTime<Utc>) -> SlotQuery {
        SlotQuery {
            zone: london(),
            from,
            to,
            duration: Duration::minutes(30),
            grid: Duration::minutes(30),
            availability: Availability::from_windows(
                (1..=7)
                    .map(|d| Window::weekly(Weekday::from_iso(d).unwrap(), t(9, 0), t(12, 0)))
                    .collect(),
            ),
            busy: vec![],
            per_day: BTreeMap::new(),
            policy: BookingPolicy::default(),
            now: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        }
    }

    fn day(d: u32) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, d + 1, 0, 0, 0).unwrap(),
        )
    }

    #[test]
    fn a_free_morning_has_six_half_hours() {
        let (from, to) = day(2);
        assert_eq!(free_slots(&query(from, to)).len(), 6);
    }

    #[test]
    fn a_window_to_23_59_offers_the_last_half_hour_like_booking_accepts_it() {
        let (from, _) = day(2);
        let mut q = query(from, from + Duration::days(2));
        q.availability = Availability::from_windows(vec![Window::weekly(
            Weekday::from_iso(1).unwrap(),
            t(23, 0),
            t(23, 59),
        )]);
        let slots = free_slots(&q);
        assert_eq!(slots.len(), 2, "{slots:?}");
        for (s, e) in slots {
            assert!(q.availability.admits(Booker::Family, q.zone, s, e));
        }
    }

    #[test]
    fn an_unrestricted_teacher_offers_no_self_service_slots() {
        let (from, to) = day(2);
        let mut q = query(from, to);
        q.availability = Availability::Unrestricted;
        assert!(free_slots(&q).is_empty());
    }

    #[test]
    fn busy_time_and_buffers_remove_slots() {
        let (from, to) = day(2);
        let mut q = query(from, to);
        // A lesson 10:00–10:30 UTC (London is UTC+0 in early March).
        q.busy = vec![(
            Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 2, 10, 30, 0).unwrap(),
        )];
        assert_eq!(free_slots(&q).len(), 5);
        q.policy.buffer_before = Duration::minutes(15);
        q.policy.buffer_after = Duration::minutes(15);
        // 09:30 now ends inside the buffer, 10:30 starts inside it.
        let starts: Vec<u32> = free_slots(&q)
            .iter()
            .map(|(s, _)| s.format("%H%M").to_string().parse().unwrap())
            .collect();
        assert_eq!(starts, vec![900, 1100, 1130]);
    }

    #[test]
    fn notice_horizon_and_daily_limit_apply() {
        let (from, _) = day(2);
        let (_, to) = day(4);
        let mut q = query(from, to);
        q.now = Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap();
        q.policy.min_notice = Duration::hours(1);
        q.policy.horizon = Some(Duration::days(1));
        q.policy.max_bookings_per_day = Some(1);
        q.per_day
            .insert(NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(), 1);
        // 2 March: only 11:00 and 11:30 are an hour away; 3 March is full;
        // 4 March is beyond the horizon.
        assert_eq!(free_slots(&q).len(), 2);
    }

    #[test]
    fn a_window_on_a_dst_day_is_as_long_as_the_clock_says() {
        let (from, to) = (
            Utc.with_ymd_and_hms(2026, 3, 28, 12, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 30, 12, 0, 0).unwrap(),
        );
        let mut q = query(from, to);
        q.availability = Availability::from_windows(vec![Window::weekly(
            Weekday::from_iso(7).unwrap(),
            t(1, 0),
            t(3, 0),
        )]);
        // Sunday 29 March 2026: 01:00 does not exist, the window is 02:00
        // BST (01:00 UTC) to 03:00 BST (02:00 UTC).
        let slots = free_slots(&q);
        assert_eq!(slots.len(), 2, "{slots:?}");
        assert_eq!(
            slots[0].0,
            Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()
        );
    }

    proptest! {
        /// No slot, widened by its buffers, overlaps busy time; every slot
        /// lies in a window and respects notice.
        #[test]
        fn slots_never_overlap_busy_time(
            busy in proptest::collection::vec((0i64..(7 * 24 * 4), 1i64..12), 0..25),
            before in 0i64..4, after in 0i64..4, dur in 1i64..5,
        ) {
            let base = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
            let q15 = |n: i64| Duration::minutes(15 * n);
            let mut q = query(base, base + Duration::days(7));
            q.duration = q15(dur);
            q.grid = q15(1);
            q.policy.buffer_before = q15(before);
            q.policy.buffer_after = q15(after);
            q.busy = busy.iter().map(|(s, l)| (base + q15(*s), base + q15(*s + *l))).collect();
            for (s, e) in free_slots(&q) {
                prop_assert_eq!(e - s, q.duration);
                prop_assert!(s > q.now);
                for (bs, be) in &q.busy {
                    prop_assert!(!(s - q.policy.buffer_before < *be && *bs < e + q.policy.buffer_after),
                        "slot {s}..{e} overlaps busy {bs}..{be}");
                }
                let local = s.with_timezone(&q.zone.tz()).time();
                let local_end = e.with_timezone(&q.zone.tz()).time();
                prop_assert!(local >= t(9, 0) && local_end <= t(12, 0));
            }
        }
    }
}
