//! Time zones and wall-clock resolution.
//!
//! Instants are UTC everywhere. Wall-clock intent ("Tuesdays at 17:00 in
//! Europe/Berlin") is kept as a local date and time plus an IANA zone and
//! turned into an instant only here, by [`resolve_local`], with the DST
//! rules of SPEC §3.3:
//! - a local time inside a spring-forward gap moves forward by the gap
//!   (02:30 on a day that jumps 02:00 → 03:00 becomes 03:30);
//! - an ambiguous local time in a fall-back overlap takes the earlier
//!   offset (the first of the two 01:30s).

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone as _,
    Utc,
};
use chrono_tz::Tz;

/// A validated IANA time zone such as `Europe/London`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(Tz);

/// Why a time zone name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a known IANA time zone; use a name such as Europe/London or America/New_York"
)]
pub struct TimeZoneError(pub String);

impl TimeZone {
    /// The UTC zone.
    pub const UTC: TimeZone = TimeZone(Tz::UTC);

    /// Parses an IANA name. Names are case-sensitive in the database, so
    /// `europe/london` is refused rather than silently guessed.
    pub fn parse(name: &str) -> Result<Self, TimeZoneError> {
        Tz::from_str(name.trim())
            .map(Self)
            .map_err(|_| TimeZoneError(name.to_owned()))
    }

    /// The chrono-tz zone, for expansion and formatting.
    pub fn tz(self) -> Tz {
        self.0
    }

    /// The IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The local calendar date of an instant in this zone.
    pub fn local_date(self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.0).date_naive()
    }

    /// The local date-time of an instant in this zone.
    pub fn local(self, instant: DateTime<Utc>) -> NaiveDateTime {
        instant.with_timezone(&self.0).naive_local()
    }
}

impl From<Tz> for TimeZone {
    fn from(tz: Tz) -> Self {
        Self(tz)
    }
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// ISO weekday number, 1 = Monday … 7 = Sunday, as the API speaks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Weekday(u8);

impl Weekday {
    /// From the ISO number; `None` outside 1..=7.
    pub fn from_iso(n: u32) -> Option<Self> {
        (1..=7).contains(&n).then_some(Self(n as u8))
    }

    /// The ISO number, 1 = Monday.
    pub fn iso(self) -> u32 {
        u32::from(self.0)
    }

    /// The chrono weekday.
    pub fn chrono(self) -> chrono::Weekday {
        chrono::Weekday::try_from(self.0 - 1).expect("1..=7 by construction")
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(day: chrono::Weekday) -> Self {
        Self(day.number_from_monday() as u8)
    }
}

/// Turns a local date and wall-clock time in `zone` into a UTC instant,
/// applying the DST rules in the module doc.
pub fn resolve_local(date: NaiveDate, time: NaiveTime, zone: TimeZone) -> DateTime<Utc> {
    let local = date.and_time(time);
    match zone.0.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // Inside a gap. The offset in force just before the gap, applied
            // to the requested wall-clock time, lands exactly "gap" later on
            // the far side: 02:30 at UTC+0 is 03:30 at UTC+1. Step back until
            // we reach a time that exists; real gaps are at most a day long
            // (Samoa 2011), so this ends.
            let mut probe = local;
            let offset = loop {
                probe -= Duration::minutes(30);
                if let LocalResult::Single(t) | LocalResult::Ambiguous(t, _) =
                    zone.0.from_local_datetime(&probe)
                {
                    break t.offset().fix();
                }
            };
            DateTime::<Utc>::from_naive_utc_and_offset(local - offset, Utc)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(zone: &str, date: &str, time: &str, expect_utc: &str) {
        let zone = TimeZone::parse(zone).unwrap();
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
        assert_eq!(
            resolve_local(date, time, zone).to_rfc3339(),
            expect_utc,
            "{zone} {date} {time}"
        );
    }

    /// Table test of the DST rules across hemispheres and odd offsets.
    #[test]
    fn dst_gaps_move_forward_and_overlaps_take_the_earlier_offset() {
        for (zone, date, time, utc) in [
            // Ordinary days either side.
            (
                "Europe/London",
                "2026-03-28",
                "01:30",
                "2026-03-28T01:30:00+00:00",
            ),
            (
                "Europe/London",
                "2026-03-30",
                "01:30",
                "2026-03-30T00:30:00+00:00",
            ),
            // Gap: 01:00 → 02:00 on 29 March 2026; 01:30 becomes 02:30 BST.
            (
                "Europe/London",
                "2026-03-29",
                "01:30",
                "2026-03-29T01:30:00+00:00",
            ),
            // Overlap: 01:30 happens twice on 25 October 2026; BST (earlier) wins.
            (
                "Europe/London",
                "2026-10-25",
                "01:30",
                "2026-10-25T00:30:00+00:00",
            ),
            // New York gap 02:00 → 03:00 on 8 March 2026.
            (
                "America/New_York",
                "2026-03-08",
                "02:30",
                "2026-03-08T07:30:00+00:00",
            ),
            // New York overlap on 1 November 2026: EDT (-4) first.
            (
                "America/New_York",
                "2026-11-01",
                "01:30",
                "2026-11-01T05:30:00+00:00",
            ),
            // Sydney (southern hemisphere): gap 02:00 → 03:00 on 4 October 2026.
            (
                "Australia/Sydney",
                "2026-10-04",
                "02:30",
                "2026-10-03T16:30:00+00:00",
            ),
            // Sydney overlap 03:00 → 02:00 on 5 April 2026: AEDT (+11) first.
            (
                "Australia/Sydney",
                "2026-04-05",
                "02:30",
                "2026-04-04T15:30:00+00:00",
            ),
            // Kolkata: half-hour offset, no DST.
            (
                "Asia/Kolkata",
                "2026-03-29",
                "17:00",
                "2026-03-29T11:30:00+00:00",
            ),
            // Samoa skipped 30 December 2011 entirely: a 24-hour gap, so 10:00
            // that day is 10:00 on the 31st (UTC+14).
            (
                "Pacific/Apia",
                "2011-12-30",
                "10:00",
                "2011-12-30T20:00:00+00:00",
            ),
        ] {
            check(zone, date, time, utc);
        }
    }

    #[test]
    fn unknown_zones_are_refused_with_a_hint() {
        let err = TimeZone::parse("Mars/Olympus").unwrap_err();
        assert!(err.to_string().contains("Europe/London"));
    }

    #[test]
    fn weekdays_are_iso_numbered() {
        assert_eq!(Weekday::from_iso(1).unwrap().chrono(), chrono::Weekday::Mon);
        assert_eq!(Weekday::from_iso(7).unwrap().chrono(), chrono::Weekday::Sun);
        assert!(Weekday::from_iso(0).is_none());
        assert!(Weekday::from_iso(8).is_none());
    }
}
