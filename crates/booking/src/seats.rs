//! Group seats: booking them, giving them back, and registrations.
//!
//! Each decision reads a snapshot the shell loaded with the session row
//! locked, plus `now`, and says what to write. The shell still takes seats
//! with its conditional `UPDATE … seats_taken + n <= capacity`, so even a
//! snapshot that was somehow stale could never overbook.

use chrono::{DateTime, Utc};
use kernel::Money;

use crate::capacity::{SessionFull, check_seats};
use crate::error::{AlreadyBooked, BookingError, NotBookable, RegistrationShape};
use crate::policy::BookingPolicy;
use crate::status::{BookingKind, BookingStatus};

/// A group session, as the booking rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionView {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Seats in all.
    pub capacity: u32,
    /// Seats held by bookings and open waitlist offers.
    pub seats_taken: u32,
    /// Cancelled (by the school or the teacher).
    pub cancelled: bool,
    /// A lesson of one student's 1-on-1 series: not for sale.
    pub private: bool,
}

/// Everything a seat decision needs, loaded under the session's lock.
#[derive(Debug, Clone)]
pub struct SeatSnapshot {
    /// The session.
    pub session: SessionView,
    /// The policy of its teacher (and offering).
    pub policy: BookingPolicy,
    /// The student already holds a place in it.
    pub already_booked: bool,
    /// The student has another lesson overlapping it.
    pub student_busy: bool,
    /// The teacher's bookings already made that local day.
    pub same_day: u32,
    /// The offering's price per seat, in the school's currency.
    pub unit_price: Option<Money>,
}

/// A booking request for seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatRequest {
    /// Seats, guests included (at least 1).
    pub seats: u32,
    /// Join the waitlist when full instead of failing.
    pub join_waitlist: bool,
}

/// Most seats one booking may hold (guests included).
pub const MAX_SEATS: i64 = 50;

/// A seat count (1 to [`MAX_SEATS`]).
pub fn parse_seats(seats: i64) -> Result<u32, BookingError> {
    if (1..=MAX_SEATS).contains(&seats) {
        Ok(seats as u32)
    } else {
        Err(BookingError::SeatCount)
    }
}

/// A booking to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct NewBooking {
    /// Group seats or 1-on-1.
    pub kind: BookingKind,
    /// Seats held.
    pub seats: u32,
    /// PENDING or CONFIRMED, by the policy.
    pub status: BookingStatus,
    /// Price for all seats.
    pub price: Option<Money>,
}

/// Seats a session shows as taken and left: its counter, plus the place
/// of a 1-on-1 series' own student, whose lesson is never for sale.
pub fn occupancy(view: &SessionView) -> (u32, u32) {
    let taken = view.seats_taken + u32::from(view.private);
    let left = if view.private {
        0
    } else {
        view.capacity.saturating_sub(taken)
    };
    (taken, left)
}

/// What a seat request comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum SeatDecision {
    /// Take the seats and write this booking.
    Take(NewBooking),
    /// Full: put the student on the waitlist.
    Wait,
}

/// The price of `seats` seats at `unit` each.
pub fn price(unit: Option<Money>, seats: u32) -> Option<Money> {
    unit.and_then(|u| {
        Some(Money {
            minor: u.minor.checked_mul(i64::from(seats))?,
            currency: u.currency,
        })
    })
}

/// Decides a request for seats in a group session.
///
/// A student with another lesson at that time may still join the waitlist
/// (an offer skips them while they are busy) but never take a seat.
pub fn book_seats(
    now: DateTime<Utc>,
    snap: &SeatSnapshot,
    request: SeatRequest,
) -> Result<SeatDecision, BookingError> {
    let s = &snap.session;
    if s.cancelled {
        return Err(BookingError::NotBookable(NotBookable::Cancelled));
    }
    if s.private {
        return Err(BookingError::NotBookable(NotBookable::PrivateLesson));
    }
    snap.policy.check_new(now, s.starts_at, snap.same_day)?;
    if snap.already_booked {
        return Err(BookingError::AlreadyBooked(AlreadyBooked::InSession));
    }
    let seats = request.seats.max(1);
    match check_seats(s.capacity, s.seats_taken, seats) {
        Ok(()) if snap.student_busy => {
            Err(BookingError::AlreadyBooked(AlreadyBooked::BusyElsewhere))
        }
        Ok(()) => Ok(SeatDecision::Take(NewBooking {
            kind: BookingKind::GroupSession,
            seats,
            status: snap.policy.initial_status(BookingKind::GroupSession),
            price: price(snap.unit_price, seats),
        })),
        Err(_) if request.join_waitlist => Ok(SeatDecision::Wait),
        Err(full) => Err(BookingError::Full(full)),
    }
}

/// The seat-taking step failed although the snapshot said the seats fit:
/// report it as the session being full (the database is the last word).
pub fn lost_race(snap: &SeatSnapshot, request: SeatRequest) -> BookingError {
    BookingError::Full(SessionFull {
        left: snap
            .session
            .capacity
            .saturating_sub(snap.session.seats_taken),
        requested: request.seats.max(1),
    })
}

/// A booking, as the release rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingView {
    /// Where it stands.
    pub status: BookingStatus,
    /// Group seats or 1-on-1.
    pub kind: BookingKind,
    /// Seats held.
    pub seats: u32,
    /// Start.
    pub starts_at: DateTime<Utc>,
}

/// What giving a booking up does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Release {
    /// The booking's new status.
    pub status: BookingStatus,
    /// Group seats handed back to the session (and so to its waitlist).
    pub frees_seats: u32,
}

fn release(b: &BookingView, to: BookingStatus) -> Result<Release, BookingError> {
    let status = b.status.transition(to)?;
    let frees_seats = if b.kind == BookingKind::GroupSession && b.status.holds_seats() {
        b.seats
    } else {
        0
    };
    Ok(Release {
        status,
        frees_seats,
    })
}

/// Who asks to give a booking up: families are held to the cancellation
/// window, the office and the teacher are not (the permission policy
/// decides which a viewer is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canceller {
    /// Bound by the cancellation window.
    Family,
    /// May cancel inside the window.
    Office,
}

/// Decides a cancellation at `now`.
pub fn cancel(
    now: DateTime<Utc>,
    b: &BookingView,
    policy: &BookingPolicy,
    who: Canceller,
) -> Result<Release, BookingError> {
    let r = release(b, BookingStatus::Cancelled)?;
    if who == Canceller::Family {
        policy.check_cancel(now, b.starts_at)?;
    }
    Ok(r)
}

/// Decides moving a booking elsewhere: legal only from CONFIRMED, held to
/// the cancellation window like a cancellation. The old booking becomes
/// RESCHEDULED (linked to its replacement by the shell) and frees its place
/// before the new one is booked, so the new time may overlap the old.
pub fn reschedule(
    now: DateTime<Utc>,
    b: &BookingView,
    policy: &BookingPolicy,
    who: Canceller,
) -> Result<Release, BookingError> {
    let r = release(b, BookingStatus::Rescheduled)?;
    if who == Canceller::Family {
        policy.check_cancel(now, b.starts_at)?;
    }
    Ok(r)
}

/// Decides an approval (`approve`) or a decline of a pending booking.
pub fn decide(b: &BookingView, approve: bool) -> Result<Release, BookingError> {
    if approve {
        let status = b.status.transition(BookingStatus::Confirmed)?;
        Ok(Release {
            status,
            frees_seats: 0,
        })
    } else {
        release(b, BookingStatus::Declined)
    }
}

/// How a student registers for a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationKind {
    /// One session.
    SingleSession,
    /// Every remaining session, all or nothing.
    FullSchedule,
    /// Chosen sessions, all or nothing.
    DropIn,
}

impl RegistrationKind {
    /// Every kind.
    pub const ALL: [RegistrationKind; 3] = [Self::SingleSession, Self::FullSchedule, Self::DropIn];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleSession => "SINGLE_SESSION",
            Self::FullSchedule => "FULL_SCHEDULE",
            Self::DropIn => "DROP_IN",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Which sessions a registration books: every remaining one for
/// FULL_SCHEDULE (`remaining`, in start order), else the named ones (one
/// for SINGLE_SESSION, at least one for DROP_IN, no repeats).
pub fn sessions_to_book<Id: Clone + PartialEq>(
    kind: RegistrationKind,
    named: &[Id],
    remaining: &[Id],
) -> Result<Vec<Id>, BookingError> {
    let chosen = match kind {
        RegistrationKind::FullSchedule => remaining.to_vec(),
        RegistrationKind::SingleSession if named.len() != 1 => {
            return Err(BookingError::Registration(
                RegistrationShape::SingleNeedsOne,
            ));
        }
        RegistrationKind::DropIn
            if named.is_empty()
                || named
                    .iter()
                    .enumerate()
                    .any(|(i, a)| named[..i].contains(a)) =>
        {
            return Err(BookingError::Registration(
                RegistrationShape::DropInNeedsSome,
            ));
        }
        RegistrationKind::SingleSession | RegistrationKind::DropIn => named.to_vec(),
    };
    if chosen.is_empty() {
        return Err(BookingError::NotBookable(NotBookable::NothingLeft));
    }
    Ok(chosen)
}

/// Decides a registration over the snapshots of its sessions: a booking
/// for every one of them, or the first refusal (with its index) and
/// nothing at all. A registration never waits: a full session refuses it.
pub fn register(
    now: DateTime<Utc>,
    sessions: &[SeatSnapshot],
    seats: u32,
) -> Result<Vec<NewBooking>, (usize, BookingError)> {
    let request = SeatRequest {
        seats,
        join_waitlist: false,
    };
    sessions
        .iter()
        .enumerate()
        .map(|(i, snap)| match book_seats(now, snap, request) {
            Ok(SeatDecision::Take(b)) => Ok(b),
            Ok(SeatDecision::Wait) => Err((i, lost_race(snap, request))),
            Err(e) => Err((i, e)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone as _};
    use kernel::Currency;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn snap(capacity: u32, taken: u32) -> SeatSnapshot {
        SeatSnapshot {
            session: SessionView {
                starts_at: now() + Duration::days(2),
                ends_at: now() + Duration::days(2) + Duration::hours(1),
                capacity,
                seats_taken: taken,
                cancelled: false,
                private: false,
            },
            policy: BookingPolicy::default(),
            already_booked: false,
            student_busy: false,
            same_day: 0,
            unit_price: Some(Money {
                minor: 1500,
                currency: Currency::parse("EUR").unwrap(),
            }),
        }
    }

    fn ask(seats: u32, join_waitlist: bool) -> SeatRequest {
        SeatRequest {
            seats,
            join_waitlist,
        }
    }

    #[test]
    fn free_seats_are_taken_and_priced_per_seat() {
        let d = book_seats(now(), &snap(8, 5), ask(3, false)).unwrap();
        let SeatDecision::Take(b) = d else {
            panic!("{d:?}")
        };
        assert_eq!(b.seats, 3);
        assert_eq!(b.status, BookingStatus::Confirmed);
        assert_eq!(b.price.unwrap().minor, 4500);
    }

    #[test]
    fn a_private_lesson_is_taken_by_its_student_and_never_for_sale() {
        let mut s = snap(1, 0).session;
        assert_eq!(occupancy(&s), (0, 1));
        s.private = true;
        assert_eq!(occupancy(&s), (1, 0));
        let crowded = SessionView {
            seats_taken: 9,
            ..snap(8, 0).session
        };
        assert_eq!(occupancy(&crowded), (9, 0));
    }

    #[test]
    fn seat_counts_are_one_to_fifty() {
        assert_eq!(parse_seats(1), Ok(1));
        assert_eq!(parse_seats(50), Ok(50));
        assert_eq!(parse_seats(0), Err(BookingError::SeatCount));
        assert_eq!(parse_seats(51), Err(BookingError::SeatCount));
    }

    #[test]
    fn full_session_puts_the_student_on_the_waitlist_or_refuses() {
        assert_eq!(
            book_seats(now(), &snap(8, 8), ask(1, true)),
            Ok(SeatDecision::Wait)
        );
        assert_eq!(
            book_seats(now(), &snap(8, 7), ask(2, false)),
            Err(BookingError::Full(SessionFull {
                left: 1,
                requested: 2
            }))
        );
    }

    #[test]
    fn a_busy_student_may_wait_but_not_take_a_seat() {
        let mut s = snap(8, 0);
        s.student_busy = true;
        assert_eq!(
            book_seats(now(), &s, ask(1, true)),
            Err(BookingError::AlreadyBooked(AlreadyBooked::BusyElsewhere))
        );
        s.session.seats_taken = 8;
        assert_eq!(book_seats(now(), &s, ask(1, true)), Ok(SeatDecision::Wait));
    }

    #[test]
    fn refusals_in_rule_order() {
        let mut s = snap(8, 0);
        s.session.cancelled = true;
        assert_eq!(
            book_seats(now(), &s, ask(1, false)),
            Err(BookingError::NotBookable(NotBookable::Cancelled))
        );
        let mut s = snap(8, 0);
        s.session.private = true;
        assert!(matches!(
            book_seats(now(), &s, ask(1, false)),
            Err(BookingError::NotBookable(NotBookable::PrivateLesson))
        ));
        let mut s = snap(8, 0);
        s.already_booked = true;
        assert_eq!(
            book_seats(now(), &s, ask(1, false)),
            Err(BookingError::AlreadyBooked(AlreadyBooked::InSession))
        );
        let mut s = snap(8, 0);
        s.policy.max_bookings_per_day = Some(3);
        s.same_day = 3;
        assert!(matches!(
            book_seats(now(), &s, ask(1, false)),
            Err(BookingError::Policy(_))
        ));
        let mut s = snap(8, 0);
        s.policy.requires_approval_group = true;
        assert!(matches!(
            book_seats(now(), &s, ask(1, false)),
            Ok(SeatDecision::Take(NewBooking {
                status: BookingStatus::Pending,
                ..
            }))
        ));
    }

    fn view(status: BookingStatus) -> BookingView {
        BookingView {
            status,
            kind: BookingKind::GroupSession,
            seats: 2,
            starts_at: now() + Duration::hours(10),
        }
    }

    #[test]
    fn reschedule_is_legal_only_from_confirmed() {
        let p = BookingPolicy::default();
        for from in BookingStatus::ALL {
            let got = reschedule(now(), &view(from), &p, Canceller::Office);
            if from == BookingStatus::Confirmed {
                assert_eq!(
                    got,
                    Ok(Release {
                        status: BookingStatus::Rescheduled,
                        frees_seats: 2
                    })
                );
            } else {
                assert!(matches!(got, Err(BookingError::Transition(_))), "{from}");
            }
        }
    }

    #[test]
    fn families_are_held_to_the_cancellation_window_the_office_is_not() {
        let p = BookingPolicy {
            cancel_window: Duration::hours(24),
            ..BookingPolicy::default()
        };
        let b = view(BookingStatus::Confirmed);
        assert!(matches!(
            cancel(now(), &b, &p, Canceller::Family),
            Err(BookingError::Policy(_))
        ));
        assert!(matches!(
            reschedule(now(), &b, &p, Canceller::Family),
            Err(BookingError::Policy(_))
        ));
        assert_eq!(
            cancel(now(), &b, &p, Canceller::Office)
                .unwrap()
                .frees_seats,
            2
        );
    }

    #[test]
    fn declines_free_seats_approvals_keep_them() {
        let b = view(BookingStatus::Pending);
        assert_eq!(decide(&b, false).unwrap().frees_seats, 2);
        assert_eq!(
            decide(&b, true).unwrap(),
            Release {
                status: BookingStatus::Confirmed,
                frees_seats: 0
            }
        );
        assert!(decide(&view(BookingStatus::Confirmed), true).is_err());
    }

    #[test]
    fn registration_shapes() {
        use RegistrationKind::*;
        let remaining = [1, 2, 3];
        assert_eq!(
            sessions_to_book(FullSchedule, &[], &remaining),
            Ok(vec![1, 2, 3])
        );
        assert_eq!(
            sessions_to_book(FullSchedule, &[], &[] as &[i32]),
            Err(BookingError::NotBookable(NotBookable::NothingLeft))
        );
        assert_eq!(
            sessions_to_book(SingleSession, &[2], &remaining),
            Ok(vec![2])
        );
        assert!(sessions_to_book(SingleSession, &[1, 2], &remaining).is_err());
        assert!(sessions_to_book(SingleSession, &[], &remaining).is_err());
        assert_eq!(
            sessions_to_book(DropIn, &[3, 1], &remaining),
            Ok(vec![3, 1])
        );
        assert!(sessions_to_book(DropIn, &[3, 3], &remaining).is_err());
        assert!(sessions_to_book(DropIn, &[], &remaining).is_err());
        for k in RegistrationKind::ALL {
            assert_eq!(RegistrationKind::parse(k.as_str()), Some(k));
        }
    }

    proptest! {
        /// Any run of seat requests, each decided on the state the previous
        /// ones left, never takes more seats than the capacity, and a
        /// request that is refused or waits changes nothing.
        #[test]
        fn capacity_is_never_exceeded(
            capacity in 1u32..20,
            requests in proptest::collection::vec((1u32..5, any::<bool>()), 0..60),
        ) {
            let mut s = snap(capacity, 0);
            for (seats, wait) in requests {
                match book_seats(now(), &s, ask(seats, wait)) {
                    Ok(SeatDecision::Take(b)) => s.session.seats_taken += b.seats,
                    Ok(SeatDecision::Wait) => prop_assert!(wait),
                    Err(e) => prop_assert!(matches!(e, BookingError::Full(_))),
                }
                prop_assert!(s.session.seats_taken <= capacity);
            }
        }

        /// A registration books every session or none: when it succeeds
        /// each session had room; when it fails, the refused session is
        /// the first one without room.
        #[test]
        fn registration_is_all_or_nothing(
            sessions in proptest::collection::vec((1u32..6, 0u32..6), 1..12),
            seats in 1u32..3,
        ) {
            let snaps: Vec<SeatSnapshot> =
                sessions.iter().map(|(c, t)| snap(*c, (*t).min(*c))).collect();
            let fits = |s: &SeatSnapshot| s.session.seats_taken + seats <= s.session.capacity;
            match register(now(), &snaps, seats) {
                Ok(bookings) => {
                    prop_assert_eq!(bookings.len(), snaps.len());
                    prop_assert!(snaps.iter().all(fits));
                }
                Err((i, e)) => {
                    prop_assert!(matches!(e, BookingError::Full(_)));
                    prop_assert!(!fits(&snaps[i]));
                    prop_assert!(snaps[..i].iter().all(fits));
                }
            }
        }
    }
}
