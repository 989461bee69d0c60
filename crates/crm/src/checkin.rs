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

/// Decides a session check-in at `now`: the student holds a place, the
/// session is today in its zone, and `now` lies from an hour before the
/// start until the end.
pub fn session(
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    zone: TimeZone,
    has_place: bool,
) -> Result<Arrival, ScanError> {
    if !has_place {
        return Err(ScanError::NoPlace);
    }
    if zone.local_date(now) != zone.local_date(starts_at) {
        return Err(ScanError::NotToday);
    }
    if now < starts_at - Duration::minutes(OPENS_BEFORE_MINUTES) || now >= ends_at {
        return Err(ScanError::OutsideWindow);
    }
    Ok(if now <= starts_at + Duration::minutes(GRACE_MINUTES) {
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
        let zone = TimeZone::parse("Europe/London").unwrap();
        let s = |now| session(now, at(17, 0), at(18, 0), zone, true);
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
            assert_eq!(s(now), want, "{now}");
        }
        assert_eq!(
            session(at(17, 0), at(17, 0), at(18, 0), zone, false),
            Err(ScanError::NoPlace)
        );
        let tomorrow = at(17, 0) + Duration::days(1);
        assert_eq!(
            session(
                at(17, 0),
                tomorrow,
                tomorrow + Duration::hours(1),
                zone,
                true
            ),
            Err(ScanError::NotToday)
        );
    }
}
