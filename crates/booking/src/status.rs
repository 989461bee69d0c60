//! The booking state machine.
//!
//! ```text
//! PENDING ──approve──▶ CONFIRMED ──cancel──▶ CANCELLED
//!    │                     ├──attended──▶ ATTENDED
//!    └──decline──▶ DECLINED ├──no show──▶ NO_SHOW
//!                          └──reschedule─▶ RESCHEDULED
//! ```
//! A pending request may also be withdrawn (→ CANCELLED) by whoever made
//! it: a parent must not be stuck with a request nobody answers.

use std::fmt;

/// What is booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingKind {
    /// Seats in a group session.
    GroupSession,
    /// A 1-on-1 lesson: a teacher and a time range.
    OneOnOne,
}

impl BookingKind {
    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GroupSession => "GROUP_SESSION",
            Self::OneOnOne => "ONE_ON_ONE",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::GroupSession, Self::OneOnOne]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingStatus {
    /// Waiting for the teacher's or office's approval.
    Pending,
    /// Holds its seats.
    Confirmed,
    /// Refused by the teacher or office.
    Declined,
    /// Cancelled by the family or the school.
    Cancelled,
    /// The student came.
    Attended,
    /// The student did not come.
    NoShow,
    /// Replaced by a booking at another time.
    Rescheduled,
}

impl BookingStatus {
    /// Every status.
    pub const ALL: [BookingStatus; 7] = [
        Self::Pending,
        Self::Confirmed,
        Self::Declined,
        Self::Cancelled,
        Self::Attended,
        Self::NoShow,
        Self::Rescheduled,
    ];

    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Confirmed => "CONFIRMED",
            Self::Declined => "DECLINED",
            Self::Cancelled => "CANCELLED",
            Self::Attended => "ATTENDED",
            Self::NoShow => "NO_SHOW",
            Self::Rescheduled => "RESCHEDULED",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the booking puts its student on the session's roster: it
    /// was confirmed (and perhaps marked since).
    pub fn on_roster(self) -> bool {
        matches!(self, Self::Confirmed | Self::Attended | Self::NoShow)
    }

    /// Whether the booking holds seats (or the teacher's time): pending
    /// requests hold them too, so approval can never overbook.
    pub fn holds_seats(self) -> bool {
        matches!(self, Self::Pending | Self::Confirmed)
    }

    /// Moves to `to`, if that is a legal step.
    pub fn transition(self, to: BookingStatus) -> Result<BookingStatus, TransitionError> {
        use BookingStatus::*;
        let legal = matches!(
            (self, to),
            (Pending, Confirmed | Declined | Cancelled)
                | (Confirmed, Cancelled | Attended | NoShow | Rescheduled)
                // Attendance can be corrected after the fact.
                | (Attended, NoShow)
                | (NoShow, Attended)
        );
        if legal {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

impl fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An illegal step of the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from} booking cannot become {to}")]
pub struct TransitionError {
    /// Where the booking is.
    pub from: BookingStatus,
    /// Where it was asked to go.
    pub to: BookingStatus,
}

#[cfg(test)]
mod tests {
    use super::BookingStatus::*;
    use super::*;

    #[test]
    fn transition_table() {
        let legal = [
            (Pending, Confirmed),
            (Pending, Declined),
            (Pending, Cancelled),
            (Confirmed, Cancelled),
            (Confirmed, Attended),
            (Confirmed, NoShow),
            (Confirmed, Rescheduled),
            (Attended, NoShow),
            (NoShow, Attended),
        ];
        for from in BookingStatus::ALL {
            for to in BookingStatus::ALL {
                let want = legal.contains(&(from, to));
                assert_eq!(from.transition(to).is_ok(), want, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn refusals_say_both_ends() {
        let e = Declined.transition(Confirmed).unwrap_err();
        assert_eq!(e.to_string(), "a DECLINED booking cannot become CONFIRMED");
    }

    #[test]
    fn names_round_trip() {
        for s in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(s.as_str()), Some(s));
        }
    }
}
