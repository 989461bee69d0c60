//! A teacher's weekly availability, and the one containment check every
//! part of the system asks (SPEC §3.1): generation conflicts, staff
//! eligibility, 1-on-1 slot search and 1-on-1 booking.
//!
//! "No windows" has one meaning everywhere: [`Availability::Unrestricted`].
//! The office may schedule an unrestricted teacher at any time (series,
//! staff assignment, 1-on-1 lessons booked by staff), but such a teacher
//! offers no self-service slots to families until windows are published.
//! Who is asking is therefore part of the question: [`Booker`].
//!
//! Times are compared in local wall-clock minutes of the lesson's zone, so a
//! window "Tuesday 14:00–20:00" means the same on a DST day as on any other.
//! A window ending at 23:59 runs to the end of the day; a lesson crossing
//! midnight fits no window. A window may be bounded by local dates (valid
//! from/until, both inclusive): a summer timetable replaces the term's one
//! without anyone remembering to edit it on the day.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};

use crate::time::{TimeZone, Weekday};

/// A weekly window, in local wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Day of week.
    pub weekday: Weekday,
    /// Local start (inclusive).
    pub start: NaiveTime,
    /// Local end (inclusive bound for a lesson's end).
    pub end: NaiveTime,
    /// First local date the window applies (inclusive); none = always.
    pub valid_from: Option<NaiveDate>,
    /// Last local date the window applies (inclusive); none = open-ended.
    pub valid_until: Option<NaiveDate>,
}

impl Window {
    /// A window every week, with no date bounds.
    pub fn weekly(weekday: Weekday, start: NaiveTime, end: NaiveTime) -> Self {
        Self {
            weekday,
            start,
            end,
            valid_from: None,
            valid_until: None,
        }
    }

    /// Whether the window applies on this local date: its weekday, inside
    /// the validity bounds.
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        self.weekday == Weekday::from(date.weekday())
            && self.valid_from.is_none_or(|f| date >= f)
            && self.valid_until.is_none_or(|u| date <= u)
    }
}

/// Who books: the office (admin, staff, the teacher) or a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Booker {
    /// Admins, staff and the teacher: may use an unrestricted teacher's time.
    Office,
    /// Parents and students: only published windows.
    Family,
}

/// A teacher's weekly availability.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Availability {
    /// No windows were published: any time for the office, no self-service
    /// time for families.
    #[default]
    Unrestricted,
    /// Only inside these windows (never empty).
    Windows(Vec<Window>),
}

impl Availability {
    /// The availability a list of windows describes: none means unrestricted.
    pub fn from_windows(windows: Vec<Window>) -> Self {
        if windows.is_empty() {
            Self::Unrestricted
        } else {
            Self::Windows(windows)
        }
    }

    /// The windows families may book in (none for an unrestricted teacher).
    pub fn self_service_windows(&self) -> &[Window] {
        match self {
            Self::Unrestricted => &[],
            Self::Windows(w) => w,
        }
    }

    /// Whether `[start, end)` in `zone` is available to `who`.
    pub fn admits(
        &self,
        who: Booker,
        zone: TimeZone,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> bool {
        match self {
            Self::Unrestricted => who == Booker::Office,
            Self::Windows(windows) => inside_any(windows, zone, start, end),
        }
    }
}

fn minutes(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight() / 60)
}

fn inside_any(
    windows: &[Window],
    zone: TimeZone,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> bool {
    let start = zone.local(start);
    let end = zone.local(end);
    let start_min = minutes(start.time());
    // Minutes after the start day's midnight, so a lesson ending at 00:00
    // the next day ends at 1440 and one crossing midnight fits no window.
    let end_min = (end.date() - start.date()).num_days() * 1440 + minutes(end.time());
    windows.iter().any(|w| {
        let window_end = if minutes(w.end) >= 1439 {
            1440
        } else {
            minutes(w.end)
        };
        w.applies_on(start.date()) && start_min >= minutes(w.start) && end_min <= window_end
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap()
    }

    /// Tuesday 14:00–20:00 (2026-03-03 is a Tuesday).
    fn tuesday() -> Availability {
        Availability::from_windows(vec![Window::weekly(
            Weekday::from_iso(2).unwrap(),
            t(14, 0),
            t(20, 0),
        )])
    }

    #[test]
    fn the_table_of_who_may_use_what() {
        let z = TimeZone::UTC;
        let inside = (utc(3, 15, 0), utc(3, 16, 0));
        let outside = (utc(3, 9, 0), utc(3, 10, 0));
        // (availability, booker, range, admitted)
        let table = [
            (Availability::Unrestricted, Booker::Office, inside, true),
            (Availability::Unrestricted, Booker::Office, outside, true),
            (Availability::Unrestricted, Booker::Family, inside, false),
            (Availability::Unrestricted, Booker::Family, outside, false),
            (tuesday(), Booker::Office, inside, true),
            (tuesday(), Booker::Family, inside, true),
            (tuesday(), Booker::Office, outside, false),
            (tuesday(), Booker::Family, outside, false),
        ];
        for (a, who, (s, e), want) in table {
            assert_eq!(a.admits(who, z, s, e), want, "{a:?} {who:?} {s}");
        }
        assert_eq!(
            Availability::from_windows(vec![]),
            Availability::Unrestricted
        );
        assert!(Availability::Unrestricted.self_service_windows().is_empty());
    }

    #[test]
    fn windows_are_read_in_the_lessons_zone_and_edges_count() {
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        let a = tuesday();
        // 14:00–15:00 Berlin = 13:00–14:00 UTC in March (UTC+1).
        assert!(a.admits(Booker::Family, berlin, utc(3, 13, 0), utc(3, 14, 0)));
        assert!(!a.admits(Booker::Family, TimeZone::UTC, utc(3, 13, 0), utc(3, 14, 0)));
        // Ending exactly at the window's end fits; one minute later does not.
        assert!(a.admits(Booker::Family, TimeZone::UTC, utc(3, 19, 0), utc(3, 20, 0)));
        assert!(!a.admits(Booker::Family, TimeZone::UTC, utc(3, 19, 1), utc(3, 20, 1)));
    }

    #[test]
    fn a_window_to_23_59_runs_to_midnight_but_never_across() {
        let late = Availability::from_windows(vec![Window::weekly(
            Weekday::from_iso(2).unwrap(),
            t(22, 0),
            t(23, 59),
        )]);
        assert!(late.admits(Booker::Family, TimeZone::UTC, utc(3, 23, 0), utc(4, 0, 0)));
        assert!(!late.admits(Booker::Family, TimeZone::UTC, utc(3, 23, 30), utc(4, 0, 30)));
    }

    #[test]
    fn validity_dates_bound_a_window_inclusively_in_local_dates() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        // Tuesdays 14:00–20:00 from 10 March through 17 March only.
        let mut w = Window::weekly(Weekday::from_iso(2).unwrap(), t(14, 0), t(20, 0));
        w.valid_from = Some(d(10));
        w.valid_until = Some(d(17));
        let a = Availability::from_windows(vec![w]);
        let z = TimeZone::UTC;
        // (Tuesday, admitted)
        let table = [(3, false), (10, true), (17, true), (24, false)];
        for (day, want) in table {
            assert_eq!(
                a.admits(Booker::Office, z, utc(day, 15, 0), utc(day, 16, 0)),
                want,
                "Tuesday {day} March"
            );
        }
        // Published windows, even expired ones, are not "unrestricted".
        assert!(!a.admits(Booker::Office, z, utc(31, 15, 0), utc(31, 16, 0)));
        // The date is the lesson's local date: 06:00 UTC is 15:00 in Tokyo.
        let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
        assert!(a.admits(Booker::Family, tokyo, utc(10, 6, 0), utc(10, 7, 0)));
        assert!(!a.admits(Booker::Family, tokyo, utc(3, 6, 0), utc(3, 7, 0)));
    }
}
