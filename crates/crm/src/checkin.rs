//! Check-ins from QR scans: into the centre, out of it, and into a
//! session (which takes attendance).

use chrono::{DateTime, Duration, Utc};
use kernel::TimeZone;

/// What a scan records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScanKind {
    /// Arriving at the centre.
    CenterCheckIn,
    /// Leaving it.
    CenterCheckOut,
    /// Arriving at a session: marks attendance.
    SessionCheckIn,
}

impl ScanKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [
        Self::CenterCheckIn,
        Self::CenterCheckOut,
        Self::SessionCheckIn,
    ];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CenterCheckIn => "CENTER_CHECK_IN",
            Self::CenterCheckOut => "CENTER_CHECK_OUT",
            Self::SessionCheckIn => "SESSION_CHECK_IN",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How early a session check-in opens.
pub const OPENS_BEFORE_MINUTES: i64 = 60;
/// How long after the start a check-in still counts as on time.
pub const GRACE_MINUTES: i64 = 5;

/// Why a scan was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// Checking in twice.
    #[error("the student is already checked in; check them out first")]
    AlreadyIn,
    /// Checking out without having checked in.
    #[error("the student is not checked in, so cannot be checked out")]
    NotIn,
    /// No booking in a session today.
    #[error("the student has no confirmed place in this session")]
    NoPlace,
    /// The session is not today.
    #[error("this session is not today; session check-in is for today's sessions")]
    NotToday,
    /// Scanned into this session already.
    #[error("the student has already checked in to this session")]
    AlreadyInSession,
    /// The session was cancelled.
    #[error("this session is cancelled")]
    Cancelled,
    /// Too early or after the session.
    #[error(
        "session check-in opens {OPENS_BEFORE_MINUTES} minutes before the start and closes when the session ends"
    )]
    OutsideWindow,
}

/// Decides a centre scan given whether the student is checked in now.
pub fn center(kind: ScanKind, checked_in: bool) -> Result<(), ScanError> {
    match (kind, checked_in) {
        (ScanKind::CenterCheckIn, true) => Err(ScanError::AlreadyIn),
        (ScanKind::CenterCheckOut, false) => Err(ScanError::NotIn),
        _ => Ok(()),
    }
}

/// Whether a session check-in is on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Before the start, or within the grace minutes.
    Present,
    /// After that.
    Late,
}

/// A session, as a check-in into it sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFacts {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Its zone ("today" is its local day).
    pub zone: TimeZone,
    /// The student holds a confirmed place (or it is their 1-on-1 lesson).
    pub has_place: bool,
    /// It was cancelled.
    pub cancelled: bool,
    /// The student already checked in to it.
    pub already_in: bool,
}

/// Decides a session check-in at `now`: the session is not cancelled,
/// the student holds a place and has not checked in yet, the session is
/// today in its zone, and `now` lies from an hour before the start until
/// the end. The first scan takes attendance; a second is refused, so a
/// late re-scan never turns PRESENT into LATE.
pub fn session(now: DateTime<Utc>, s: SessionFacts) -> Result<Arrival, ScanError> {
    if s.cancelled {
        return Err(ScanError::Cancelled);
    }
    if !s.has_place {
        return Err(ScanError::NoPlace);
    }
    if s.already_in {
        return Err(ScanError::AlreadyInSession);
    }
    if s.zone.local_date(now) != s.zone.local_date(s.starts_at) {
        return Err(ScanError::NotToday);
    }
    if now < s.starts_at - Duration::minutes(OPENS_BEFORE_MINUTES) || now >= s.ends_at {
        return Err(ScanError::OutsideWindow);
    }
    Ok(if now <= s.starts_at + Duration::minutes(GRACE_MINUTES) {
        Arrival::Present
    } else {
        Arrival::Late
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 4, h, m, 0).unwrap()
    }

    #[test]
    fn centre_scans_alternate() {
        assert_eq!(center(ScanKind::CenterCheckIn, false), Ok(()));
        assert_eq!(
            center(ScanKind::CenterCheckIn, true),
            Err(ScanError::AlreadyIn)
        );
        assert_eq!(center(ScanKind::CenterCheckOut, true), Ok(()));
        assert_eq!(
            center(ScanKind::CenterCheckOut, false),
            Err(ScanError::NotIn)
        );
    }

    #[test]
    fn session_check_in_window_and_lateness() {
        let facts = SessionFacts {
            starts_at: at(17, 0),
            ends_at: at(18, 0),
            zone: TimeZone::parse("Europe/London").unwrap(),
            has_place: true,
            cancelled: false,
            already_in: false,
        };
        // (now, expected)
        let table = [
            (at(15, 59), Err(ScanError::OutsideWindow)),
            (at(16, 0), Ok(Arrival::Present)),
            (at(17, 5), Ok(Arrival::Present)),
            (at(17, 6), Ok(Arrival::Late)),
            (at(17, 59), Ok(Arrival::Late)),
            (at(18, 0), Err(ScanError::OutsideWindow)),
        ];
        for (now, want) in table {
            assert_eq!(session(now, facts), want, "{now}");
        }
        let refusals = [
            (
                SessionFacts {
                    has_place: false,
                    ..facts
                },
                ScanError::NoPlace,
            ),
            (
                SessionFacts {
                    cancelled: true,
                    ..facts
                },
                ScanError::Cancelled,
            ),
            (
                SessionFacts {
                    already_in: true,
                    ..facts
                },
                ScanError::AlreadyInSession,
            ),
            (
                SessionFacts {
                    starts_at: at(17, 0) + Duration::days(1),
                    ends_at: at(18, 0) + Duration::days(1),
                    ..facts
                },
                ScanError::NotToday,
            ),
        ];
        for (f, want) in refusals {
            assert_eq!(session(at(17, 0), f), Err(want));
        }
    }
}
