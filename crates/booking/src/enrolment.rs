//! Enrolment: a student's standing place in a series (seed 001
//! `Enrollment`). A FULL_SCHEDULE registration enrols the student; sessions
//! generated later include them automatically, capacity permitting; leaving
//! cancels their bookings in the sessions from a date on.

use chrono::NaiveDate;

use crate::error::BookingError;

/// Where an enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnrolmentStatus {
    /// Attending; new sessions include the student.
    Active,
    /// On a break; new sessions do not include the student.
    Paused,
    /// The series ended with the student in it.
    Completed,
    /// Left by request.
    Unenrolled,
    /// Removed by the school.
    Dropped,
}

impl EnrolmentStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [
        Self::Active,
        Self::Paused,
        Self::Completed,
        Self::Unenrolled,
        Self::Dropped,
    ];

    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Paused => "PAUSED",
            Self::Completed => "COMPLETED",
            Self::Unenrolled => "UNENROLLED",
            Self::Dropped => "DROPPED",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether sessions generated now include the student.
    pub fn places_in_new_sessions(self) -> bool {
        self == Self::Active
    }
}

/// Leaving a series from `from` on: only a standing place can be left.
/// Returns the new status.
pub fn unenrol(status: EnrolmentStatus) -> Result<EnrolmentStatus, BookingError> {
    match status {
        EnrolmentStatus::Active | EnrolmentStatus::Paused => Ok(EnrolmentStatus::Unenrolled),
        _ => Err(BookingError::NotEnrolled),
    }
}

/// What an enrolment status change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Change {
    /// The new status.
    pub status: EnrolmentStatus,
    /// The place ends: the student's bookings from the chosen date on are
    /// cancelled.
    pub ends_place: bool,
}

/// The office pausing, resuming or dropping a place (and a family leaving
/// it): ACTIVE ⇄ PAUSED; ACTIVE or PAUSED → UNENROLLED or DROPPED, which end
/// it. COMPLETED comes with the series, never by hand.
pub fn change(from: EnrolmentStatus, to: EnrolmentStatus) -> Result<Change, BookingError> {
    use EnrolmentStatus::*;
    match (from, to) {
        (Active, Paused) | (Paused, Active) => Ok(Change {
            status: to,
            ends_place: false,
        }),
        (Active | Paused, Unenrolled | Dropped) => Ok(Change {
            status: to,
            ends_place: true,
        }),
        _ => Err(BookingError::EnrolmentStep {
            from: from.as_str(),
            to: to.as_str(),
        }),
    }
}

/// Whether an enrolment places its student in a session on `date`: active,
/// and not ended before it.
pub fn includes(status: EnrolmentStatus, ends_on: Option<NaiveDate>, date: NaiveDate) -> bool {
    status.places_in_new_sessions() && ends_on.is_none_or(|end| date < end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standing_places_can_be_left_and_only_active_ones_fill_new_sessions() {
        use EnrolmentStatus::*;
        for (from, left, places) in [
            (Active, Ok(Unenrolled), true),
            (Paused, Ok(Unenrolled), false),
            (Completed, Err(BookingError::NotEnrolled), false),
            (Unenrolled, Err(BookingError::NotEnrolled), false),
            (Dropped, Err(BookingError::NotEnrolled), false),
        ] {
            assert_eq!(unenrol(from), left, "{from:?}");
            assert_eq!(from.places_in_new_sessions(), places, "{from:?}");
            assert_eq!(EnrolmentStatus::parse(from.as_str()), Some(from));
        }
        for (from, to, expect) in [
            (Active, Paused, Ok(false)),
            (Paused, Active, Ok(false)),
            (Active, Dropped, Ok(true)),
            (Paused, Unenrolled, Ok(true)),
            (Dropped, Active, Err(())),
            (Completed, Paused, Err(())),
            (Active, Completed, Err(())),
            (Active, Active, Err(())),
        ] {
            assert_eq!(
                change(from, to).map(|c| c.ends_place).map_err(|_| ()),
                expect,
                "{from:?} -> {to:?}"
            );
        }
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(includes(Active, None, d("2026-04-01")));
        assert!(includes(Active, Some(d("2026-04-02")), d("2026-04-01")));
        assert!(!includes(Active, Some(d("2026-04-01")), d("2026-04-01")));
    }
}
