//! Recurring 1-on-1 bookings: the RFC 5545 rule a family's form describes
//! ("every 2 weeks on Tuesday and Thursday, 10 lessons").
//!
//! The rule is expanded by `scheduling` like any series (same DST rules);
//! this module only decides whether the form is sensible and writes it.

use chrono::{Datelike, NaiveDate};

/// How often a booking series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// Every `interval` days.
    Daily,
    /// Every `interval` weeks on the given days (default the first's day).
    Weekly,
    /// Every `interval` months on the first lesson's day of month.
    Monthly,
}

/// A recurring booking as a form sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInput {
    /// How often.
    pub frequency: Frequency,
    /// Every N units.
    pub interval: i64,
    /// ISO weekdays (1 = Monday) for weekly series.
    pub days_of_week: Vec<i64>,
    /// How many lessons.
    pub count: Option<i64>,
    /// Last possible date (inclusive).
    pub until: Option<NaiveDate>,
}

/// The most lessons one booking series may hold.
pub const MAX_LESSONS: i64 = 200;

/// A form that describes no sensible series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The interval is out of range.
    #[error("the interval is between 1 and 52")]
    Interval,
    /// Neither count nor until: the series would never end.
    #[error("give count or until, so the series ends")]
    NoEnd,
    /// Too few or too many lessons.
    #[error("a series has between 1 and 200 lessons")]
    Count,
    /// A weekday outside 1–7.
    #[error("days of week are 1 (Monday) to 7 (Sunday)")]
    DaysOfWeek,
    /// The rule yields no lesson at all.
    #[error("the rule yields no lesson; check count, until and daysOfWeek")]
    Empty,
    /// The last date is before the first lesson.
    #[error("until is before the first lesson; give a later date")]
    UntilBeforeStart,
    /// The rule cannot be expanded into dates.
    #[error("the rule cannot be expanded into dates; check frequency, interval and daysOfWeek")]
    Unexpandable,
}

/// The RRULE (without DTSTART) for a series whose first lesson is on `first`.
pub fn rule(input: &RuleInput, first: NaiveDate) -> Result<String, RuleError> {
    if !(1..=52).contains(&input.interval) {
        return Err(RuleError::Interval);
    }
    if input.count.is_none() && input.until.is_none() {
        return Err(RuleError::NoEnd);
    }
    if input.count.is_some_and(|c| !(1..=MAX_LESSONS).contains(&c)) {
        return Err(RuleError::Count);
    }
    const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    Ok(match input.frequency {
        Frequency::Daily => format!("FREQ=DAILY;INTERVAL={}", input.interval),
        Frequency::Monthly => format!(
            "FREQ=MONTHLY;INTERVAL={};BYMONTHDAY={}",
            input.interval,
            first.day()
        ),
        Frequency::Weekly => {
            let mut days = input.days_of_week.clone();
            if days.is_empty() {
                days.push(i64::from(first.weekday().number_from_monday()));
            }
            if days.iter().any(|d| !(1..=7).contains(d)) {
                return Err(RuleError::DaysOfWeek);
            }
            days.sort_unstable();
            days.dedup();
            let by: Vec<&str> = days.iter().map(|d| DAYS[(*d - 1) as usize]).collect();
            format!(
                "FREQ=WEEKLY;INTERVAL={};BYDAY={}",
                input.interval,
                by.join(",")
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(frequency: Frequency) -> RuleInput {
        RuleInput {
            frequency,
            interval: 1,
            days_of_week: vec![],
            count: Some(4),
            until: None,
        }
    }

    fn tuesday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
    }

    #[test]
    fn forms_become_rules() {
        let table = [
            (input(Frequency::Daily), "FREQ=DAILY;INTERVAL=1"),
            (input(Frequency::Weekly), "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU"),
            (
                RuleInput {
                    interval: 2,
                    days_of_week: vec![4, 2, 4],
                    ..input(Frequency::Weekly)
                },
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
            ),
            (
                input(Frequency::Monthly),
                "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=3",
            ),
        ];
        for (form, want) in table {
            assert_eq!(rule(&form, tuesday()).unwrap(), want, "{form:?}");
        }
    }

    #[test]
    fn bad_forms_say_which_part_is_wrong() {
        let table = [
            (
                RuleInput {
                    interval: 0,
                    ..input(Frequency::Daily)
                },
                RuleError::Interval,
            ),
            (
                RuleInput {
                    count: None,
                    ..input(Frequency::Daily)
                },
                RuleError::NoEnd,
            ),
            (
                RuleInput {
                    count: Some(201),
                    ..input(Frequency::Daily)
                },
                RuleError::Count,
            ),
            (
                RuleInput {
                    days_of_week: vec![8],
                    ..input(Frequency::Weekly)
                },
                RuleError::DaysOfWeek,
            ),
        ];
        for (form, want) in table {
            assert_eq!(rule(&form, tuesday()), Err(want), "{form:?}");
        }
    }
}
