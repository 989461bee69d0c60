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
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HybridError {
    /// The cycle's length is out of range.
    #[error("a cycle lasts 1 to 52 weeks")]
    Length,
    /// No 1-on-1 week was named.
    #[error("name at least one 1-on-1 week, e.g. [4, 8]")]
    NoWeeks,
    /// A 1-on-1 week outside the cycle.
    #[error("week {week} is not in a {length}-week cycle (weeks are 1 to {length})")]
    WeekOutside {
        /// The week named.
        week: i64,
        /// The cycle's length.
        length: i64,
    },
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
            return Err(HybridError::Length);
        }
        if one_on_one_weeks.is_empty() {
            return Err(HybridError::NoWeeks);
        }
        if let Some(bad) = one_on_one_weeks
            .iter()
            .find(|w| !(1..=length_weeks).contains(*w))
        {
            return Err(HybridError::WeekOutside {
                week: *bad,
                length: length_weeks,
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
        assert_eq!(HybridCycle::new(0, d(1, 5), &[1]), Err(HybridError::Length));
        assert_eq!(HybridCycle::new(8, d(1, 5), &[]), Err(HybridError::NoWeeks));
        let e = HybridCycle::new(8, d(1, 5), &[9]).unwrap_err();
        assert!(e.to_string().contains("week 9"), "{e}");
    }
}
