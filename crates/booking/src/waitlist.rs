//! Waitlists: strictly FIFO per session, one entry per student.
//!
//! When seats free up, the first waiting students get offers at once (N
//! seats, N offers), skipping anyone the caller says cannot take the seat
//! (already booked into an overlapping session). An offer holds its seat
//! until it is accepted or expires; expiry hands the seat to the next in
//! line. Expiry is applied by a job and lazily whenever the session is read
//! or booked, so a stale offer never blocks a seat for long.

use chrono::{DateTime, Utc};
use kernel::Money;

use crate::error::{AlreadyBooked, BookingError};
use crate::seats::NewBooking;
use crate::status::{BookingKind, BookingStatus};

/// Where a waitlist entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryStatus {
    /// In line.
    Waiting,
    /// Holding a seat until the offer expires.
    Offered,
    /// Took the seat: a booking exists.
    Accepted,
    /// Did not answer in time.
    Expired,
    /// Left the line.
    Withdrawn,
    /// The session was cancelled while the entry was in line.
    Closed,
}

impl EntryStatus {
    /// Every status.
    pub const ALL: [EntryStatus; 6] = [
        Self::Waiting,
        Self::Offered,
        Self::Accepted,
        Self::Expired,
        Self::Withdrawn,
        Self::Closed,
    ];

    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "WAITING",
            Self::Offered => "OFFERED",
            Self::Accepted => "ACCEPTED",
            Self::Expired => "EXPIRED",
            Self::Withdrawn => "WITHDRAWN",
            Self::Closed => "CLOSED",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the entry is still in line (waiting or holding an offer).
    pub fn in_line(self) -> bool {
        matches!(self, Self::Waiting | Self::Offered)
    }
}

/// One entry, as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<Id> {
    /// The entry's id.
    pub id: Id,
    /// Place in line (1 = first); assigned on joining, never reused.
    pub position: u32,
    /// Status.
    pub status: EntryStatus,
    /// When an open offer expires.
    pub offer_expires_at: Option<DateTime<Utc>>,
}

/// Offers that have run out at `now`.
pub fn expired<Id: Clone>(entries: &[Entry<Id>], now: DateTime<Utc>) -> Vec<Id> {
    entries
        .iter()
        .filter(|e| {
            e.status == EntryStatus::Offered && e.offer_expires_at.is_some_and(|t| t <= now)
        })
        .map(|e| e.id.clone())
        .collect()
}

/// Who gets an offer when `free_seats` seats are free (seats already held
/// by open offers are not free): the first waiting entries in position
/// order that `eligible` accepts.
pub fn next_offers<Id: Clone>(
    entries: &[Entry<Id>],
    free_seats: u32,
    eligible: impl Fn(&Entry<Id>) -> bool,
) -> Vec<Id> {
    let mut waiting: Vec<&Entry<Id>> = entries
        .iter()
        .filter(|e| e.status == EntryStatus::Waiting)
        .collect();
    waiting.sort_by_key(|e| e.position);
    waiting
        .into_iter()
        .filter(|e| eligible(e))
        .take(free_seats as usize)
        .map(|e| e.id.clone())
        .collect()
}

/// Leaving the line: an entry in line becomes WITHDRAWN. Returns the
/// seats it gives back (one for an open offer, which held a seat).
pub fn leave(status: EntryStatus) -> Result<u32, BookingError> {
    match status {
        EntryStatus::Waiting => Ok(0),
        EntryStatus::Offered => Ok(1),
        _ => Err(BookingError::NotInLine),
    }
}

/// The place a student joining the line gets: after everyone who ever
/// joined. `entries` pairs each existing entry's position with whether it
/// is this student's; a student has at most one entry per session.
pub fn join(entries: &[(u32, bool)]) -> Result<u32, BookingError> {
    if entries.iter().any(|(_, mine)| *mine) {
        return Err(BookingError::AlreadyBooked(AlreadyBooked::OnWaitlist));
    }
    Ok(entries.iter().map(|(p, _)| *p).max().unwrap_or(0) + 1)
}

/// Decides accepting an offer at `now`: a confirmed booking of one seat
/// (the seat the offer held), unless the offer is no longer open or the
/// student has booked another lesson at that time since.
pub fn accept<Id>(
    entry: &Entry<Id>,
    now: DateTime<Utc>,
    student_busy: bool,
    unit_price: Option<Money>,
) -> Result<NewBooking, BookingError> {
    if !offer_open(entry, now) {
        return Err(BookingError::OfferClosed);
    }
    if student_busy {
        return Err(BookingError::AlreadyBooked(AlreadyBooked::BusySinceOffer));
    }
    Ok(NewBooking {
        kind: BookingKind::GroupSession,
        seats: 1,
        status: BookingStatus::Confirmed,
        price: unit_price,
    })
}

/// Whether an offer can still be accepted at `now`.
pub fn offer_open<Id>(entry: &Entry<Id>, now: DateTime<Utc>) -> bool {
    entry.status == EntryStatus::Offered && entry.offer_expires_at.is_some_and(|t| t > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaving_gives_back_an_offered_seat_and_only_entries_in_line_can_leave() {
        for (status, expect) in [
            (EntryStatus::Waiting, Ok(0)),
            (EntryStatus::Offered, Ok(1)),
            (EntryStatus::Accepted, Err(BookingError::NotInLine)),
            (EntryStatus::Expired, Err(BookingError::NotInLine)),
            (EntryStatus::Withdrawn, Err(BookingError::NotInLine)),
            (EntryStatus::Closed, Err(BookingError::NotInLine)),
        ] {
            assert_eq!(leave(status), expect, "{status:?}");
        }
    }
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn entry(id: u32, position: u32, status: EntryStatus) -> Entry<u32> {
        Entry {
            id,
            position,
            status,
            offer_expires_at: (status == EntryStatus::Offered).then(|| now() + Duration::hours(1)),
        }
    }

    #[test]
    fn offers_go_to_the_first_in_line() {
        let line = vec![
            entry(3, 3, EntryStatus::Waiting),
            entry(1, 1, EntryStatus::Accepted),
            entry(2, 2, EntryStatus::Waiting),
            entry(4, 4, EntryStatus::Waiting),
        ];
        assert_eq!(next_offers(&line, 1, |_| true), vec![2]);
        assert_eq!(next_offers(&line, 2, |_| true), vec![2, 3]);
        // Someone booked elsewhere at that time is skipped, not dropped.
        assert_eq!(next_offers(&line, 1, |e| e.id != 2), vec![3]);
        assert_eq!(next_offers(&line, 0, |_| true), Vec::<u32>::new());
    }

    #[test]
    fn one_entry_per_student_and_positions_never_reused() {
        assert_eq!(join(&[]), Ok(1));
        assert_eq!(join(&[(1, false), (4, false)]), Ok(5));
        assert_eq!(
            join(&[(1, false), (2, true)]),
            Err(BookingError::AlreadyBooked(AlreadyBooked::OnWaitlist))
        );
    }

    #[test]
    fn accepting_needs_an_open_offer_and_a_free_student() {
        let open = entry(1, 1, EntryStatus::Offered);
        assert_eq!(
            accept(&open, now(), false, None).unwrap().status,
            BookingStatus::Confirmed
        );
        assert_eq!(
            accept(&open, now() + Duration::hours(2), false, None),
            Err(BookingError::OfferClosed)
        );
        assert_eq!(
            accept(&open, now(), true, None),
            Err(BookingError::AlreadyBooked(AlreadyBooked::BusySinceOffer))
        );
        assert_eq!(
            accept(&entry(1, 1, EntryStatus::Waiting), now(), false, None),
            Err(BookingError::OfferClosed)
        );
    }

    #[test]
    fn offers_expire_at_their_time() {
        let mut offered = entry(1, 1, EntryStatus::Offered);
        assert!(offer_open(&offered, now()));
        assert!(expired(std::slice::from_ref(&offered), now()).is_empty());
        offered.offer_expires_at = Some(now());
        assert!(!offer_open(&offered, now()));
        assert_eq!(expired(&[offered], now()), vec![1]);
    }

    proptest! {
        /// Offers always go out in strict position order: every offered
        /// entry is ahead of every eligible entry left waiting.
        #[test]
        fn offers_are_fifo(
            statuses in proptest::collection::vec(0usize..5, 1..30),
            seats in 0u32..6,
        ) {
            let line: Vec<Entry<u32>> = statuses
                .iter()
                .enumerate()
                .map(|(i, s)| entry(i as u32, (i as u32) * 2 + 1, EntryStatus::ALL[*s]))
                .collect();
            let offers = next_offers(&line, seats, |_| true);
            let waiting: Vec<u32> = line.iter().filter(|e| e.status == EntryStatus::Waiting).map(|e| e.id).collect();
            prop_assert_eq!(offers.len(), waiting.len().min(seats as usize));
            prop_assert_eq!(&offers[..], &waiting[..offers.len()]);
        }
    }
}
