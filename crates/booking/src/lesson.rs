//! 1-on-1 lessons: with a teacher at a chosen time, and inside a hybrid
//! group meeting during the cycle's 1-on-1 weeks.
//!
//! The shell locks the teacher's row (or the hybrid session's), loads the
//! snapshot and asks; the lock makes the snapshot the truth until commit.

use chrono::{DateTime, Duration, Utc};
use kernel::{Availability, Booker, Money, TimeZone};

use crate::error::{AlreadyBooked, BookingError, NotBookable};
use crate::policy::BookingPolicy;
use crate::seats::NewBooking;
use crate::status::{BookingKind, BookingStatus};

/// Shortest and longest lesson, in minutes.
pub const LESSON_MINUTES: std::ops::RangeInclusive<i64> = 5..=600;

/// A lesson length from minutes (5 to 600).
pub fn parse_length(minutes: i64) -> Result<Duration, BookingError> {
    if LESSON_MINUTES.contains(&minutes) {
        Ok(Duration::minutes(minutes))
    } else {
        Err(BookingError::LessonLength)
    }
}

/// Everything a 1-on-1 decision needs, loaded under the teacher's lock.
#[derive(Debug, Clone)]
pub struct LessonSnapshot {
    /// The policy of the teacher (and offering).
    pub policy: BookingPolicy,
    /// The teacher's weekly availability.
    pub availability: Availability,
    /// The zone windows and "per day" are read in (the school's).
    pub zone: TimeZone,
    /// The teacher's lessons, bookings and time off near the request,
    /// without buffers (the policy adds them).
    pub teacher_busy: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// The teacher's bookings already made that local day.
    pub same_day: u32,
    /// The student has another lesson overlapping the request.
    pub student_busy: bool,
    /// The offering's price, in the school's currency.
    pub unit_price: Option<Money>,
}

/// Decides a 1-on-1 lesson `[start, start + duration)` asked for by `who`.
/// Checks in order: notice, horizon and daily limit; availability; the
/// teacher's busy time widened by buffers; the student's other lessons.
pub fn book_lesson(
    now: DateTime<Utc>,
    snap: &LessonSnapshot,
    who: Booker,
    start: DateTime<Utc>,
    duration: Duration,
) -> Result<NewBooking, BookingError> {
    let end = start + duration;
    snap.policy.check_new(now, start, snap.same_day)?;
    if !snap.availability.admits(who, snap.zone, start, end) {
        return Err(match snap.availability {
            Availability::Unrestricted => BookingError::NoPublishedAvailability,
            Availability::Windows(_) => BookingError::OutsideAvailability,
        });
    }
    let (lo, hi) = (
        start - snap.policy.buffer_before,
        end + snap.policy.buffer_after,
    );
    if snap.teacher_busy.iter().any(|(s, e)| *s < hi && lo < *e) {
        return Err(BookingError::SlotTaken);
    }
    if snap.student_busy {
        return Err(BookingError::AlreadyBooked(AlreadyBooked::BusyElsewhere));
    }
    Ok(NewBooking {
        kind: BookingKind::OneOnOne,
        seats: 1,
        status: snap.policy.initial_status(BookingKind::OneOnOne),
        price: snap.unit_price,
    })
}

/// A hybrid meeting, as its 1-on-1 rules see it.
#[derive(Debug, Clone)]
pub struct HybridSnapshot {
    /// The meeting's time.
    pub meeting: (DateTime<Utc>, DateTime<Utc>),
    /// The meeting falls in one of the cycle's 1-on-1 weeks.
    pub one_on_one_week: bool,
    /// The student is enrolled (FULL_SCHEDULE) in the series.
    pub enrolled: bool,
    /// The student already holds a slot in this meeting.
    pub student_has_slot: bool,
    /// Slots already taken in the meeting.
    pub taken: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// The series' 1-on-1 price.
    pub price: Option<Money>,
}

/// Free 1-on-1 starts inside a hybrid meeting, on a grid of the lesson
/// length; none outside the 1-on-1 weeks.
pub fn hybrid_slots(
    snap: &HybridSnapshot,
    duration: Duration,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    if !snap.one_on_one_week || duration <= Duration::zero() {
        return out;
    }
    let (mut start, meeting_end) = snap.meeting;
    while start + duration <= meeting_end {
        let end = start + duration;
        if !snap.taken.iter().any(|(s, e)| *s < end && start < *e) {
            out.push((start, end));
        }
        start += duration;
    }
    out
}

/// Decides a hybrid 1-on-1 slot `[start, start + duration)`: confirmed at
/// once (the family is already enrolled), at the series' 1-on-1 price.
pub fn book_hybrid(
    now: DateTime<Utc>,
    snap: &HybridSnapshot,
    start: DateTime<Utc>,
    duration: Duration,
) -> Result<NewBooking, BookingError> {
    let end = start + duration;
    if !snap.one_on_one_week {
        return Err(BookingError::NotBookable(NotBookable::GroupWeek));
    }
    if !snap.enrolled {
        return Err(BookingError::NotEnrolled);
    }
    if start <= now {
        return Err(crate::policy::PolicyViolation::MinNotice { hours: 0 }.into());
    }
    if start < snap.meeting.0 || end > snap.meeting.1 {
        return Err(BookingError::OutsideMeeting);
    }
    if snap.student_has_slot {
        return Err(BookingError::AlreadyBooked(AlreadyBooked::HybridSlot));
    }
    if snap.taken.iter().any(|(s, e)| *s < end && start < *e) {
        return Err(BookingError::SlotTaken);
    }
    Ok(NewBooking {
        kind: BookingKind::OneOnOne,
        seats: 1,
        status: BookingStatus::Confirmed,
        price: snap.price,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone as _};
    use kernel::{Weekday, Window};
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    /// Tuesday 3 March 2026 at `h`:00 UTC.
    fn tue(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 3, h, 0, 0).unwrap()
    }

    fn snap(availability: Availability) -> LessonSnapshot {
        LessonSnapshot {
            policy: BookingPolicy::default(),
            availability,
            zone: TimeZone::UTC,
            teacher_busy: vec![],
            same_day: 0,
            student_busy: false,
            unit_price: None,
        }
    }

    fn afternoons() -> Availability {
        Availability::from_windows(vec![Window::weekly(
            Weekday::from_iso(2).unwrap(),
            NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
        )])
    }

    #[test]
    fn availability_decides_by_who_books() {
        let hour = Duration::hours(1);
        // (availability, booker, start hour, result)
        let table = [
            (Availability::Unrestricted, Booker::Office, 9, Ok(())),
            (
                Availability::Unrestricted,
                Booker::Family,
                15,
                Err(BookingError::NoPublishedAvailability),
            ),
            (afternoons(), Booker::Family, 15, Ok(())),
            (afternoons(), Booker::Office, 15, Ok(())),
            (
                afternoons(),
                Booker::Family,
                9,
                Err(BookingError::OutsideAvailability),
            ),
            (
                afternoons(),
                Booker::Office,
                9,
                Err(BookingError::OutsideAvailability),
            ),
        ];
        for (a, who, h, want) in table {
            let got = book_lesson(now(), &snap(a.clone()), who, tue(h), hour).map(|_| ());
            assert_eq!(got, want, "{a:?} {who:?} {h}");
        }
    }

    #[test]
    fn lesson_lengths_are_five_minutes_to_ten_hours() {
        assert_eq!(parse_length(30), Ok(Duration::minutes(30)));
        assert_eq!(parse_length(5), Ok(Duration::minutes(5)));
        assert_eq!(parse_length(600), Ok(Duration::minutes(600)));
        assert_eq!(parse_length(4), Err(BookingError::LessonLength));
        assert_eq!(parse_length(601), Err(BookingError::LessonLength));
    }

    #[test]
    fn buffers_widen_the_teachers_busy_time() {
        let mut s = snap(afternoons());
        s.teacher_busy = vec![(tue(15), tue(16))];
        let half = Duration::minutes(30);
        assert!(book_lesson(now(), &s, Booker::Family, tue(16), half).is_ok());
        s.policy.buffer_before = Duration::minutes(10);
        assert_eq!(
            book_lesson(now(), &s, Booker::Family, tue(16), half),
            Err(BookingError::SlotTaken)
        );
        s.teacher_busy.clear();
        s.student_busy = true;
        assert_eq!(
            book_lesson(now(), &s, Booker::Family, tue(16), half),
            Err(BookingError::AlreadyBooked(AlreadyBooked::BusyElsewhere))
        );
    }

    fn hybrid() -> HybridSnapshot {
        HybridSnapshot {
            meeting: (tue(17), tue(18)),
            one_on_one_week: true,
            enrolled: true,
            student_has_slot: false,
            taken: vec![(tue(17), tue(17) + Duration::minutes(20))],
            price: None,
        }
    }

    #[test]
    fn hybrid_meetings_split_into_free_slots() {
        let twenty = Duration::minutes(20);
        let slots = hybrid_slots(&hybrid(), twenty);
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[0].0, tue(17) + twenty);
        let mut group_week = hybrid();
        group_week.one_on_one_week = false;
        assert!(hybrid_slots(&group_week, twenty).is_empty());
        assert_eq!(
            book_hybrid(now(), &group_week, tue(17), twenty),
            Err(BookingError::NotBookable(NotBookable::GroupWeek))
        );
        assert_eq!(
            book_hybrid(now(), &hybrid(), tue(17), twenty),
            Err(BookingError::SlotTaken)
        );
        assert_eq!(
            book_hybrid(now(), &hybrid(), tue(16), twenty),
            Err(BookingError::OutsideMeeting)
        );
        let mut outsider = hybrid();
        outsider.enrolled = false;
        assert_eq!(
            book_hybrid(now(), &outsider, tue(17) + twenty, twenty),
            Err(BookingError::NotEnrolled)
        );
        assert!(book_hybrid(now(), &hybrid(), tue(17) + twenty, twenty).is_ok());
    }

    proptest! {
        /// Hybrid slots never overlap a taken slot and lie in the meeting.
        #[test]
        fn hybrid_slots_are_free_and_inside(
            taken in proptest::collection::vec((0i64..12, 1i64..4), 0..6),
            len in 1i64..5,
        ) {
            let five = |n: i64| Duration::minutes(5 * n);
            let mut h = hybrid();
            h.taken = taken.iter().map(|(s, l)| (tue(17) + five(*s), tue(17) + five(*s + *l))).collect();
            for (s, e) in hybrid_slots(&h, five(len)) {
                prop_assert!(s >= h.meeting.0 && e <= h.meeting.1);
                prop_assert!(!h.taken.iter().any(|(ts, te)| *ts < e && s < *te));
                prop_assert!(book_hybrid(now(), &h, s, five(len)).is_ok());
            }
        }
    }
}
