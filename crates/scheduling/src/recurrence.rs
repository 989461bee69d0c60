//! Recurrence rules and their expansion into local occurrence dates.
//!
//! A series recurs either by an RFC 5545 RRULE or by the simple form "days of
//! week every N weeks", which is turned into the equivalent weekly RRULE so
//! there is one expansion path.
//!
//! Expansion is *floating*: the `rrule` crate is run on the series' local
//! wall-clock dates as if they were UTC, and each local date-time is turned
//! into an instant afterwards by [`kernel::resolve_local`]. This sidesteps
//! every DST trap of `rrule` 0.14 listed in SPEC §6 (DTSTART in a gap is a
//! parse error, occurrences whose local midnight does not exist are dropped,
//! zone-less values are read in the server's zone): UTC has no gaps, and our
//! own code applies the gap/overlap rules. UNTIL is likewise parsed here,
//! not by `rrule`, because `rrule` reads a zone-less UNTIL in the server's
//! local zone.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};
use kernel::{TimeZone, Weekday};
use rrule::{Frequency, RRule, RRuleSet, Tz, Unvalidated};

/// The most occurrences one expansion may produce. Two years of a daily
/// rule is 731; a rule that would exceed this is refused, not truncated.
pub const MAX_OCCURRENCES: u16 = 5_000;

/// Why a recurrence was refused. Messages are written for the person who
/// typed the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    /// The RRULE text does not parse; carries the parser's reason.
    #[error(
        "the RRULE could not be read: {reason}. Example of a valid rule: FREQ=WEEKLY;BYDAY=TU,TH"
    )]
    Syntax {
        /// What the parser said.
        reason: String,
    },
    /// The rule uses a part we do not support.
    #[error("{0}")]
    Unsupported(String),
    /// Days of week outside 1..=7, or none at all.
    #[error("daysOfWeek must list at least one day, each 1 (Monday) to 7 (Sunday)")]
    BadDaysOfWeek,
    /// Interval of zero weeks.
    #[error("intervalWeeks must be at least 1")]
    BadInterval,
    /// The rule produces more occurrences than [`MAX_OCCURRENCES`].
    #[error(
        "the rule produces more than {MAX_OCCURRENCES} occurrences; choose an end date or a count"
    )]
    TooMany,
}

/// A validated recurrence rule, kept as RFC 5545 text without DTSTART.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    rule: String,
    until: Option<Until>,
    has_count: bool,
}

/// UNTIL as the user wrote it: either a UTC instant (`…Z`) or a floating
/// local date-time in the series zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    Utc(DateTime<Utc>),
    Floating(NaiveDateTime),
}

impl Recurrence {
    /// Parses an RRULE such as `FREQ=MONTHLY;BYDAY=2TU` (an `RRULE:` prefix
    /// is accepted). Time-of-day parts and sub-daily frequencies are refused:
    /// the series' start time and duration say when a lesson happens.
    pub fn parse_rrule(text: &str) -> Result<Self, RecurrenceError> {
        let text = text.trim();
        let text = text
            .strip_prefix("RRULE:")
            .or_else(|| text.strip_prefix("rrule:"))
            .unwrap_or(text);
        if text.is_empty() {
            return Err(RecurrenceError::Syntax {
                reason: "the rule is empty".into(),
            });
        }
        let mut kept = Vec::new();
        let mut until = None;
        for part in text.split(';').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| RecurrenceError::Syntax {
                    reason: format!("`{part}` is not of the form KEY=VALUE"),
                })?;
            match key.trim().to_ascii_uppercase().as_str() {
                "UNTIL" => until = Some(parse_until(value.trim())?),
                "DTSTART" | "TZID" => {
                    return Err(RecurrenceError::Unsupported(format!(
                        "{key} does not belong in the rule: use startDate, startTime and timezone"
                    )));
                }
                "BYHOUR" | "BYMINUTE" | "BYSECOND" => {
                    return Err(RecurrenceError::Unsupported(format!(
                        "{key} is not supported: the series' startTime sets the time of day"
                    )));
                }
                _ => kept.push(part.trim()),
            }
        }
        let rule = kept.join(";");
        let parsed = parse_unvalidated(&rule)?;
        match parsed.get_freq() {
            Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Yearly => {}
            other => {
                return Err(RecurrenceError::Unsupported(format!(
                    "FREQ={other} is not supported; use DAILY, WEEKLY, MONTHLY or YEARLY"
                )));
            }
        }
        if until.is_some() && parsed.get_count().is_some() {
            return Err(RecurrenceError::Syntax {
                reason: "COUNT and UNTIL cannot both be given (RFC 5545)".into(),
            });
        }
        let has_count = parsed.get_count().is_some();
        let recurrence = Self {
            rule,
            until,
            has_count,
        };
        // Validate against a fixed start so an inconsistent rule (BYSETPOS
        // without another BY part, an out-of-range BYMONTHDAY…) fails now,
        // when the user can fix it, rather than at generation time.
        let probe = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
        recurrence.build_set(probe, NaiveTime::MIN, TimeZone::UTC)?;
        Ok(recurrence)
    }

    /// The simple form: these ISO weekdays (1 = Monday), every `interval_weeks`.
    pub fn weekly(days: &[u32], interval_weeks: u32) -> Result<Self, RecurrenceError> {
        if interval_weeks == 0 || interval_weeks > u32::from(u16::MAX) {
            return Err(RecurrenceError::BadInterval);
        }
        let days: BTreeSet<Weekday> = days
            .iter()
            .map(|&d| Weekday::from_iso(d).ok_or(RecurrenceError::BadDaysOfWeek))
            .collect::<Result<_, _>>()?;
        if days.is_empty() {
            return Err(RecurrenceError::BadDaysOfWeek);
        }
        const CODES: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
        let byday: Vec<&str> = days.iter().map(|d| CODES[d.iso() as usize - 1]).collect();
        Self::parse_rrule(&format!(
            "FREQ=WEEKLY;INTERVAL={interval_weeks};BYDAY={};WKST=MO",
            byday.join(",")
        ))
    }

    /// The rule text as stored (without UNTIL, which is stored beside it).
    pub fn to_rrule_string(&self) -> String {
        match self.until {
            None => self.rule.clone(),
            Some(Until::Utc(t)) => format!("{};UNTIL={}", self.rule, t.format("%Y%m%dT%H%M%SZ")),
            Some(Until::Floating(t)) => {
                format!("{};UNTIL={}", self.rule, t.format("%Y%m%dT%H%M%S"))
            }
        }
    }

    /// Whether the rule itself carries COUNT.
    pub fn has_count(&self) -> bool {
        self.has_count
    }

    /// The same rule with its own COUNT set to `count` (the rest of a
    /// counted rule after a split); a rule without COUNT is returned as is.
    pub fn with_count(&self, count: u32) -> Self {
        if !self.has_count {
            return self.clone();
        }
        let rule = self
            .rule
            .split(';')
            .map(|part| match part.split_once('=') {
                Some((key, _)) if key.trim().eq_ignore_ascii_case("COUNT") => {
                    format!("COUNT={count}")
                }
                _ => part.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(";");
        Self {
            rule,
            ..self.clone()
        }
    }

    /// The rule's own COUNT, if it carries one.
    pub fn count(&self) -> Option<u32> {
        self.rule.split(';').find_map(|part| {
            let (key, value) = part.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("COUNT")
                .then(|| value.trim().parse().ok())
                .flatten()
        })
    }

    /// Expands the rule into `(index, local date)` pairs, in order, for every
    /// occurrence from `start` up to and including `last`. The index is the
    /// occurrence's position in the rule (0-based), stable across calls
    /// whatever `last` is, so it can identify an occurrence.
    pub fn local_dates(
        &self,
        start: NaiveDate,
        time: NaiveTime,
        zone: TimeZone,
        last: NaiveDate,
    ) -> Result<Vec<(u32, NaiveDate)>, RecurrenceError> {
        if last < start {
            return Ok(Vec::new());
        }
        let end_of_last =
            floating(last.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid")));
        let set = self.build_set(start, time, zone)?.before(end_of_last);
        let result = set.all(MAX_OCCURRENCES);
        if result.dates.len() >= usize::from(MAX_OCCURRENCES) {
            return Err(RecurrenceError::TooMany);
        }
        Ok(result
            .dates
            .iter()
            .map(|d| d.naive_utc().date())
            .filter(|d| *d >= start && *d <= last)
            .enumerate()
            .map(|(i, d)| (i as u32, d))
            .collect())
    }

    fn build_set(
        &self,
        start: NaiveDate,
        time: NaiveTime,
        zone: TimeZone,
    ) -> Result<RRuleSet, RecurrenceError> {
        let dtstart = floating(start.and_time(time));
        let mut rule = parse_unvalidated(&self.rule)?;
        if let Some(until) = self.until {
            let local = match until {
                Until::Utc(t) => zone.local(t),
                Until::Floating(t) => t,
            };
            // rrule refuses UNTIL before DTSTART; such a rule simply has no
            // occurrences, which `local_dates` filters to anyway.
            rule = rule.until(floating(local.max(start.and_time(time))));
        }
        rule.build(dtstart).map_err(|e| RecurrenceError::Syntax {
            reason: e.to_string(),
        })
    }
}

fn parse_unvalidated(rule: &str) -> Result<RRule<Unvalidated>, RecurrenceError> {
    rule.parse::<RRule<Unvalidated>>()
        .map_err(|e| RecurrenceError::Syntax {
            reason: e.to_string(),
        })
}

/// A local wall-clock value dressed as UTC for the floating expansion.
fn floating(local: NaiveDateTime) -> DateTime<Tz> {
    Tz::UTC.from_utc_datetime(&local)
}

fn parse_until(value: &str) -> Result<Until, RecurrenceError> {
    let bad = || RecurrenceError::Syntax {
        reason: format!("UNTIL={value} is not a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS[Z])"),
    };
    if let Some(utc) = value.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        return Ok(Until::Utc(t.and_utc()));
    }
    if value.len() == 8 {
        let d = NaiveDate::parse_from_str(value, "%Y%m%d").map_err(|_| bad())?;
        return Ok(Until::Floating(
            d.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid")),
        ));
    }
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
        .map(Until::Floating)
        .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Expands `rule` from `start` through `last` and renders the dates.
    fn expand(rule: &str, start: &str, last: &str) -> Vec<String> {
        Recurrence::parse_rrule(rule)
            .unwrap()
            .local_dates(
                d(start),
                NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
                TimeZone::UTC,
                d(last),
            )
            .unwrap()
            .into_iter()
            .map(|(_, date)| date.to_string())
            .collect()
    }

    #[test]
    fn rules_expand_like_rfc_5545() {
        for (rule, start, last, expect) in [
            // Start date bounds the series: a Tuesday rule starting on a Monday first meets on Tuesday.
            (
                "FREQ=WEEKLY;BYDAY=TU",
                "2026-03-02",
                "2026-03-17",
                vec!["2026-03-03", "2026-03-10", "2026-03-17"],
            ),
            // Ordinal weekdays: second Tuesday of the month.
            (
                "FREQ=MONTHLY;BYDAY=2TU;COUNT=3",
                "2026-01-01",
                "2026-12-31",
                vec!["2026-01-13", "2026-02-10", "2026-03-10"],
            ),
            // Negative ordinal: last Friday.
            (
                "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
                "2026-01-01",
                "2026-12-31",
                vec!["2026-01-30", "2026-02-27", "2026-03-27"],
            ),
            // BYSETPOS: last weekday of the month.
            (
                "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
                "2026-01-01",
                "2026-12-31",
                vec!["2026-01-30", "2026-02-27", "2026-03-31"],
            ),
            // BYMONTHDAY skips months without that day.
            (
                "FREQ=MONTHLY;BYMONTHDAY=31",
                "2026-01-01",
                "2026-05-31",
                vec!["2026-01-31", "2026-03-31", "2026-05-31"],
            ),
            // COUNT stops by number, UNTIL by date (inclusive).
            (
                "FREQ=DAILY;INTERVAL=2;COUNT=3",
                "2026-03-01",
                "2026-12-31",
                vec!["2026-03-01", "2026-03-03", "2026-03-05"],
            ),
            (
                "FREQ=DAILY;INTERVAL=2;UNTIL=20260305",
                "2026-03-01",
                "2026-12-31",
                vec!["2026-03-01", "2026-03-03", "2026-03-05"],
            ),
            // YEARLY.
            (
                "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=1;COUNT=2",
                "2026-01-01",
                "2030-01-01",
                vec!["2026-09-01", "2027-09-01"],
            ),
            // `last` bounds expansion too.
            (
                "FREQ=WEEKLY;BYDAY=MO,WE",
                "2026-03-02",
                "2026-03-09",
                vec!["2026-03-02", "2026-03-04", "2026-03-09"],
            ),
        ] {
            assert_eq!(expand(rule, start, last), expect, "{rule}");
        }
    }

    #[test]
    fn the_simple_form_is_a_weekly_rule() {
        let every_other = Recurrence::weekly(&[1, 3], 2).unwrap();
        assert_eq!(
            every_other.to_rrule_string(),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=MO"
        );
        assert_eq!(
            Recurrence::weekly(&[], 1),
            Err(RecurrenceError::BadDaysOfWeek)
        );
        assert_eq!(
            Recurrence::weekly(&[8], 1),
            Err(RecurrenceError::BadDaysOfWeek)
        );
        assert_eq!(
            Recurrence::weekly(&[1], 0),
            Err(RecurrenceError::BadInterval)
        );
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        for (rule, needle) in [
            ("FREQ=FORTNIGHTLY", "FORTNIGHTLY"),
            ("", "empty"),
            ("BYDAY", "KEY=VALUE"),
            ("FREQ=HOURLY", "DAILY, WEEKLY, MONTHLY or YEARLY"),
            ("FREQ=WEEKLY;BYHOUR=9", "startTime"),
            ("FREQ=WEEKLY;COUNT=3;UNTIL=20260101", "COUNT and UNTIL"),
            ("FREQ=WEEKLY;UNTIL=tomorrow", "UNTIL=tomorrow"),
            ("FREQ=MONTHLY;BYDAY=9TU", "BYDAY"),
        ] {
            let err = Recurrence::parse_rrule(rule).expect_err(rule).to_string();
            assert!(err.contains(needle), "{rule}: {err}");
        }
    }

    #[test]
    fn until_in_utc_is_read_in_the_series_zone() {
        // 19:00Z on 9 March is 15:00 in New York, before that day's 17:00
        // lesson; reading UNTIL as floating 19:00 would wrongly include it.
        let rule = Recurrence::parse_rrule("FREQ=DAILY;UNTIL=20260309T190000Z").unwrap();
        let ny = TimeZone::parse("America/New_York").unwrap();
        let dates = rule
            .local_dates(
                d("2026-03-08"),
                NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
                ny,
                d("2026-12-31"),
            )
            .unwrap();
        assert_eq!(dates, vec![(0, d("2026-03-08"))]);
    }

    #[test]
    fn unbounded_daily_rules_over_a_long_range_are_refused() {
        let rule = Recurrence::parse_rrule("FREQ=DAILY").unwrap();
        let err = rule
            .local_dates(
                d("2000-01-01"),
                NaiveTime::MIN,
                TimeZone::UTC,
                d("2030-01-01"),
            )
            .unwrap_err();
        assert_eq!(err, RecurrenceError::TooMany);
    }
}
