//! One session's lifecycle after it exists (SPEC §3.3, §3.4): cancelling,
//! completing, editing by hand, and what a new capacity means for the
//! seats already taken.
//!
//! Every rule is a function of the session's current state and the
//! request; the caller loads the state under a lock and writes the result.

use chrono::{DateTime, Duration, Utc};

use crate::series::{MAX_DURATION_MINUTES, SessionStatus};

/// Why a session change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The session was already cancelled.
    #[error("the session is already cancelled")]
    AlreadyCancelled,
    /// The session already happened.
    #[error("the session is already completed; a past lesson cannot be cancelled or edited")]
    AlreadyCompleted,
    /// Completing a session that has not started.
    #[error("the session starts at {0}; it can be completed once it has started")]
    NotStarted(DateTime<Utc>),
    /// A capacity below the seats already taken.
    #[error(
        "{taken} seats are taken; the capacity cannot go below that (asked for {asked}). Cancel bookings first"
    )]
    BelowTaken {
        /// Seats taken now.
        taken: u32,
        /// The capacity asked for.
        asked: u32,
    },
    /// A room of another location.
    #[error("the room is at another location than the session; pick a room of its location")]
    RoomElsewhere,
    /// An end not after the start.
    #[error("endsAt must be after startsAt")]
    EndBeforeStart,
    /// A session longer than a day.
    #[error("a session lasts at most {MAX_DURATION_MINUTES} minutes")]
    TooLong,
    /// The database found an overlapping live session of the same teacher
    /// or room that the conflict check could not see (written at the same
    /// moment): nothing was saved.
    #[error(
        "another session of this teacher or room overlaps this time (it was saved at the same moment); reload the calendar and pick another time"
    )]
    Overlap,
    /// At its new time the session's bookings would hold more equipment
    /// than is free; nothing was saved.
    #[error("{0}; move the session to a time with enough free, or change its bookings' equipment")]
    Equipment(resources::Shortage),
    /// The change clashes with other sessions; nothing was saved.
    #[error(
        "the session would conflict: {}. Change the time, teacher or room, or save it as CONFLICTED with allowConflicts",
        .0.iter().map(|c| c.message.as_str()).collect::<Vec<_>>().join("; ")
    )]
    Conflicts(Vec<crate::conflict::Conflict>),
}

impl SessionStatus {
    /// Cancels the session, by the school or by its teacher.
    pub fn cancel(self, by_teacher: bool) -> Result<SessionStatus, SessionError> {
        match self {
            Self::Cancelled | Self::CancelledByTeacher => Err(SessionError::AlreadyCancelled),
            Self::Completed => Err(SessionError::AlreadyCompleted),
            _ if by_teacher => Ok(Self::CancelledByTeacher),
            _ => Ok(Self::Cancelled),
        }
    }

    /// Marks the session as having happened; only once it has started.
    pub fn complete(
        self,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<SessionStatus, SessionError> {
        self.editable()?;
        if starts_at > now {
            return Err(SessionError::NotStarted(starts_at));
        }
        Ok(Self::Completed)
    }

    /// Whether the session may still be edited by hand.
    pub fn editable(self) -> Result<(), SessionError> {
        match self {
            Self::Cancelled | Self::CancelledByTeacher => Err(SessionError::AlreadyCancelled),
            Self::Completed => Err(SessionError::AlreadyCompleted),
            _ => Ok(()),
        }
    }
}

/// Checks a new time range for a session.
pub fn check_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), SessionError> {
    if ends_at <= starts_at {
        return Err(SessionError::EndBeforeStart);
    }
    if ends_at - starts_at > Duration::minutes(i64::from(MAX_DURATION_MINUTES)) {
        return Err(SessionError::TooLong);
    }
    Ok((starts_at, ends_at))
}

/// A new capacity for a session with `taken` seats: refused below what is
/// taken; otherwise how many waitlisted students get an offer (the seats
/// the change opens, SPEC §3.4: capacity raised by N → the first N get
/// offers at once).
pub fn change_capacity(current: u32, asked: u32, taken: u32) -> Result<u32, SessionError> {
    if asked < taken {
        return Err(SessionError::BelowTaken { taken, asked });
    }
    let free_before = current.saturating_sub(taken);
    let free_after = asked - taken;
    Ok(free_after.saturating_sub(free_before))
}

#[cfg(test)]
mod tests {
    use super::*;
    use SessionStatus::*;

    #[test]
    fn cancelling_and_completing_follow_the_lifecycle() {
        let start = DateTime::parse_from_rfc3339("2026-03-03T17:00:00Z")
            .unwrap()
            .to_utc();
        for (from, by_teacher, cancelled, completed_after_start) in [
            (Scheduled, false, Ok(Cancelled), Ok(Completed)),
            (Confirmed, true, Ok(CancelledByTeacher), Ok(Completed)),
            (Conflicted, false, Ok(Cancelled), Ok(Completed)),
            (InProgress, true, Ok(CancelledByTeacher), Ok(Completed)),
            (
                Completed,
                false,
                Err(SessionError::AlreadyCompleted),
                Err(SessionError::AlreadyCompleted),
            ),
            (
                Cancelled,
                true,
                Err(SessionError::AlreadyCancelled),
                Err(SessionError::AlreadyCancelled),
            ),
            (
                CancelledByTeacher,
                false,
                Err(SessionError::AlreadyCancelled),
                Err(SessionError::AlreadyCancelled),
            ),
        ] {
            assert_eq!(from.cancel(by_teacher), cancelled, "{from:?}");
            assert_eq!(
                from.complete(start, start + Duration::minutes(1)),
                completed_after_start,
                "{from:?}"
            );
        }
        assert_eq!(
            Scheduled.complete(start, start - Duration::minutes(1)),
            Err(SessionError::NotStarted(start))
        );
    }

    #[test]
    fn capacity_changes_open_seats_or_are_refused_with_the_numbers() {
        // (current, asked, taken) → offers
        for (current, asked, taken, expect) in [
            (10, 12, 10, Ok(2)),
            (10, 12, 8, Ok(2)),
            (10, 12, 0, Ok(2)),
            (10, 8, 5, Ok(0)),
            (10, 10, 10, Ok(0)),
            // An over-full session (capacity lowered by an earlier bug or
            // by hand) opens only what is really free.
            (5, 8, 7, Ok(1)),
            (
                10,
                4,
                6,
                Err(SessionError::BelowTaken { taken: 6, asked: 4 }),
            ),
        ] {
            assert_eq!(
                change_capacity(current, asked, taken),
                expect,
                "{current}->{asked} with {taken}"
            );
        }
        let message = change_capacity(10, 4, 6).unwrap_err().to_string();
        assert!(message.contains("6 seats are taken") && message.contains("asked for 4"));
    }

    #[test]
    fn session_times_are_checked() {
        let start = DateTime::parse_from_rfc3339("2026-03-03T17:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(check_times(start, start), Err(SessionError::EndBeforeStart));
        assert_eq!(
            check_times(start, start + Duration::hours(25)),
            Err(SessionError::TooLong)
        );
        assert!(check_times(start, start + Duration::hours(1)).is_ok());
    }
}
