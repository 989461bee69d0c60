//! Attendance marks and what they do to a booking.
//!
//! PRESENT and LATE mark the booking ATTENDED; ABSENT and EXCUSED mark it
//! NO_SHOW. A mark can be corrected later (ATTENDED ⇄ NO_SHOW). The student
//! of a 1-on-1 series is on the roster without a booking: their mark
//! changes no booking.

use crate::error::{BookingError, Missing};
use crate::status::BookingStatus;

/// An attendance mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    /// On time.
    Present,
    /// Came late.
    Late,
    /// Did not come.
    Absent,
    /// Did not come, with a reason the school accepts.
    Excused,
}

impl Mark {
    /// Every mark.
    pub const ALL: [Mark; 4] = [Self::Present, Self::Late, Self::Absent, Self::Excused];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Present => "PRESENT",
            Self::Late => "LATE",
            Self::Absent => "ABSENT",
            Self::Excused => "EXCUSED",
        }
    }

    /// The mark with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The booking status the mark implies.
    pub fn booking_status(self) -> BookingStatus {
        match self {
            Self::Present | Self::Late => BookingStatus::Attended,
            Self::Absent | Self::Excused => BookingStatus::NoShow,
        }
    }
}

/// Where a student stands on a session's roster, as loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterPlace {
    /// A booking in this status.
    Booking(BookingStatus),
    /// The student of the session's 1-on-1 series (no booking).
    SeriesStudent,
    /// Not on the roster.
    Absent,
}

/// What recording `mark` changes: the booking's new status, if it changes.
pub fn record(place: RosterPlace, mark: Mark) -> Result<Option<BookingStatus>, BookingError> {
    match place {
        RosterPlace::Absent => Err(BookingError::NotFound(Missing::RosterPlace)),
        RosterPlace::SeriesStudent => Ok(None),
        RosterPlace::Booking(now) => {
            let to = mark.booking_status();
            if now == to {
                return Ok(None);
            }
            Ok(Some(now.transition(to)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BookingStatus::*;
    use super::*;

    #[test]
    fn marks_drive_the_booking() {
        // (place, mark, expected change or error)
        let table: [(RosterPlace, Mark, Result<Option<BookingStatus>, ()>); 9] = [
            (
                RosterPlace::Booking(Confirmed),
                Mark::Present,
                Ok(Some(Attended)),
            ),
            (
                RosterPlace::Booking(Confirmed),
                Mark::Late,
                Ok(Some(Attended)),
            ),
            (
                RosterPlace::Booking(Confirmed),
                Mark::Absent,
                Ok(Some(NoShow)),
            ),
            (
                RosterPlace::Booking(Confirmed),
                Mark::Excused,
                Ok(Some(NoShow)),
            ),
            (
                RosterPlace::Booking(Attended),
                Mark::Absent,
                Ok(Some(NoShow)),
            ),
            (RosterPlace::Booking(NoShow), Mark::Late, Ok(Some(Attended))),
            (RosterPlace::Booking(Attended), Mark::Present, Ok(None)),
            (RosterPlace::SeriesStudent, Mark::Absent, Ok(None)),
            (RosterPlace::Absent, Mark::Present, Err(())),
        ];
        for (place, mark, want) in table {
            assert_eq!(
                record(place, mark).map_err(|_| ()),
                want,
                "{place:?} {mark:?}"
            );
        }
        assert!(matches!(
            record(RosterPlace::Booking(Pending), Mark::Present),
            Err(BookingError::Transition(_))
        ));
    }

    #[test]
    fn names_round_trip() {
        for m in Mark::ALL {
            assert_eq!(Mark::parse(m.as_str()), Some(m));
        }
        assert_eq!(Mark::parse("SICK"), None);
    }
}
