//! Hybrid lessons: a group series with a cycle of weeks in which some
//! weeks' meetings become individually bookable 1-on-1 slots.
//!
//! Weeks are counted from the Monday of the cycle's start date, so "week 4
//! of an 8-week cycle" is the same calendar week for every day of it, and
//! the cycle repeats without end.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

/// A validated cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HybridCycle {
    length_weeks: u32,
    start_monday: NaiveDate,
    one_on_one_weeks: BTreeSet<u32>,
}

/// Why a cycle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct HybridError {
    /// The input field.
    pub field: &'static str,
    /// What to fix.
    pub message: String,
}

impl From<HybridError> for kernel::FieldError {
    fn from(e: HybridError) -> Self {
        kernel::FieldError::invalid(e.field, e.message)
    }
}

impl HybridCycle {
    /// A cycle of `length_weeks` starting the week of `start`, in which the
    /// 1-based `one_on_one_weeks` are 1-on-1 weeks.
    pub fn new(
        length_weeks: i64,
        start: NaiveDate,
        one_on_one_weeks: &[i64],
    ) -> Result<Self, HybridError> {
        if !(1..=52).contains(&length_weeks) {
            return Err(HybridError {
                field: "cycleLengthWeeks",
                message: "a cycle lasts 1 to 52 weeks".into(),
            });
        }
        if one_on_one_weeks.is_empty() {
            return Err(HybridError {
                field: "oneOnOneWeeks",
                message: "name at least one 1-on-1 week, e.g. [4, 8]".into(),
            });
        }
        if let Some(bad) = one_on_one_weeks
            .iter()
            .find(|w| !(1..=length_weeks).contains(*w))
        {
            return Err(HybridError {
                field: "oneOnOneWeeks",
                message: format!(
                    "week {bad} is not in a {length_weeks}-week cycle (weeks are 1 to {length_weeks})"
                ),
            });
        }
        let start_monday =
            start - chrono::Duration::days(i64::from(start.weekday().num_days_from_monday()));
        Ok(Self {
            length_weeks: length_weeks as u32,
            start_monday,
            one_on_one_weeks: one_on_one_weeks.iter().map(|w| *w as u32).collect(),
        })
    }

    /// The 1-based week of the cycle `date` falls in; none before the start.
    pub fn week_of(&self, date: NaiveDate) -> Option<u32> {
        let days = (date - self.start_monday).num_days();
        (days >= 0).then(|| (days / 7) as u32 % self.length_weeks + 1)
    }

    /// Whether meetings on `date` are 1-on-1.
    pub fn is_one_on_one(&self, date: NaiveDate) -> bool {
        self.week_of(date)
            .is_some_and(|w| self.one_on_one_weeks.contains(&w))
    }

    /// Cycle length.
    pub fn length_weeks(&self) -> u32 {
        self.length_weeks
    }

    /// The Monday the cycle counts from.
    pub fn start_monday(&self) -> NaiveDate {
        self.start_monday
    }

    /// The 1-on-1 weeks.
    pub fn one_on_one_weeks(&self) -> &BTreeSet<u32> {
        &self.one_on_one_weeks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn weeks_4_and_8_of_an_8_week_cycle() {
        // Starts Wednesday 7 January 2026: week 1 is Mon 5 – Sun 11 Jan.
        let c = HybridCycle::new(8, d(1, 7), &[4, 8]).unwrap();
        let table = [
            (d(1, 5), Some(1), false),
            (d(1, 11), Some(1), false),
            (d(1, 26), Some(4), true),
            (d(2, 1), Some(4), true),
            (d(2, 2), Some(5), false),
            (d(2, 23), Some(8), true),
            (d(3, 2), Some(1), false),
            (d(3, 23), Some(4), true),
            (d(1, 4), None, false),
        ];
        for (date, week, one) in table {
            assert_eq!(c.week_of(date), week, "{date}");
            assert_eq!(c.is_one_on_one(date), one, "{date}");
        }
    }

    #[test]
    fn bad_cycles_say_what_to_fix() {
        assert_eq!(
            HybridCycle::new(0, d(1, 5), &[1]).unwrap_err().field,
            "cycleLengthWeeks"
        );
        assert_eq!(
            HybridCycle::new(8, d(1, 5), &[]).unwrap_err().field,
            "oneOnOneWeeks"
        );
        let e = HybridCycle::new(8, d(1, 5), &[9]).unwrap_err();
        assert!(e.message.contains("week 9"), "{e}");
    }
}
