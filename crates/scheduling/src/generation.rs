//! Session generation: which occurrences of a series become sessions, and
//! what the conflict policy makes of them.
//!
//! Generation is idempotent: an occurrence is identified by its local date,
//! and dates already generated (or at/below the `lastGeneratedThrough`
//! watermark) are never planned again. The database backs this with a
//! unique key on (series, occurrence date).

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use kernel::SessionId;

use crate::conflict::Conflict;
use crate::recurrence::RecurrenceError;
use crate::series::{ConflictPolicy, Occurrence, Schedule, SeriesStatus};

/// How far ahead of today generation may reach. Further out, rooms and
/// teachers are not yet planned, and a typo (2062 for 2026) would write
/// thousands of rows.
pub const MAX_HORIZON_DAYS: u64 = 2 * 366;

/// Why a generation request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerationError {
    /// The series is paused, ended or disabled.
    #[error("the series is {0}; only ACTIVE series generate sessions. Resume it first")]
    NotActive(&'static str),
    /// `through` is more than [`MAX_HORIZON_DAYS`] after today.
    #[error("through {through} is more than two years ahead; generate up to {latest} at most")]
    BeyondHorizon {
        /// The requested date.
        through: NaiveDate,
        /// The latest allowed date.
        latest: NaiveDate,
    },
    /// Expansion failed.
    #[error(transparent)]
    Recurrence(#[from] RecurrenceError),
    /// Conflicts under policy FAIL.
    #[error("{} occurrence(s) conflict and the series' conflict policy is FAIL; nothing was generated", .0.len())]
    Conflicts(Vec<Conflict>),
}

/// The occurrences a generation through `through` would create.
///
/// `watermark` is the series' `lastGeneratedThrough`; `existing` the dates
/// that already have a session. `today` is the school's local date.
pub fn plan(
    schedule: &Schedule,
    status: SeriesStatus,
    watermark: Option<NaiveDate>,
    existing: &BTreeSet<NaiveDate>,
    through: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<Occurrence>, GenerationError> {
    if !status.generates() {
        return Err(GenerationError::NotActive(match status {
            SeriesStatus::Paused => "PAUSED",
            SeriesStatus::Ended => "ENDED",
            SeriesStatus::Disabled => "DISABLED",
            SeriesStatus::Active => unreachable!("active series generate"),
        }));
    }
    check_horizon(through, today)?;
    Ok(schedule
        .occurrences_through(through)?
        .into_iter()
        .filter(|o| watermark.is_none_or(|w| o.date > w) && !existing.contains(&o.date))
        .collect())
}

/// Refuses `through` dates beyond the horizon.
pub fn check_horizon(through: NaiveDate, today: NaiveDate) -> Result<(), GenerationError> {
    let latest = today
        .checked_add_days(Days::new(MAX_HORIZON_DAYS))
        .unwrap_or(NaiveDate::MAX);
    if through > latest {
        return Err(GenerationError::BeyondHorizon { through, latest });
    }
    Ok(())
}

/// A planned session after the policy was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The id it will be stored under.
    pub id: SessionId,
    /// The occurrence.
    pub occurrence: Occurrence,
    /// Its conflicts (non-empty only under MARK: the session is CONFLICTED).
    pub conflicts: Vec<Conflict>,
}

/// The result of applying a conflict policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[must_use]
pub struct Outcome {
    /// Sessions to create.
    pub create: Vec<Decided>,
    /// Dates left out under SKIP.
    pub skipped: Vec<NaiveDate>,
    /// Every conflict found (also those of skipped dates), for reporting.
    pub conflicts: Vec<Conflict>,
}

/// Applies `policy` to planned occurrences and their conflicts (as returned
/// by [`crate::conflict::detect`], in the same order).
pub fn apply_policy(
    policy: ConflictPolicy,
    planned: Vec<(SessionId, Occurrence)>,
    conflicts: Vec<Vec<Conflict>>,
) -> Result<Outcome, GenerationError> {
    let mut outcome = Outcome::default();
    for ((id, occurrence), found) in planned.into_iter().zip(conflicts) {
        outcome.conflicts.extend(found.iter().cloned());
        match policy {
            ConflictPolicy::Skip if !found.is_empty() => outcome.skipped.push(occurrence.date),
            ConflictPolicy::Skip | ConflictPolicy::Fail => outcome.create.push(Decided {
                id,
                occurrence,
                conflicts: Vec::new(),
            }),
            ConflictPolicy::Mark => outcome.create.push(Decided {
                id,
                occurrence,
                conflicts: found,
            }),
        }
    }
    if policy == ConflictPolicy::Fail && !outcome.conflicts.is_empty() {
        return Err(GenerationError::Conflicts(outcome.conflicts));
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conflict::{ConflictKind, Resource};
    use crate::series::ScheduleInput;
    use chrono::NaiveTime;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn mondays() -> Schedule {
        Schedule::parse(ScheduleInput {
            start_date: Some(d("2026-01-05")),
            end_date: Some(d("2026-03-30")),
            start_time: Some(NaiveTime::from_hms_opt(17, 0, 0).unwrap()),
            duration_minutes: Some(60),
            timezone: "Europe/London".into(),
            days_of_week: Some(vec![1]),
            ..Default::default()
        })
        .unwrap()
    }

    fn id(n: u128) -> SessionId {
        SessionId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn generating_twice_plans_nothing_new() {
        let today = d("2026-01-01");
        let first = plan(
            &mondays(),
            SeriesStatus::Active,
            None,
            &BTreeSet::new(),
            d("2026-01-31"),
            today,
        )
        .unwrap();
        assert_eq!(first.len(), 4);
        let existing: BTreeSet<_> = first.iter().map(|o| o.date).collect();
        let again = plan(
            &mondays(),
            SeriesStatus::Active,
            Some(d("2026-01-31")),
            &existing,
            d("2026-01-31"),
            today,
        )
        .unwrap();
        assert!(again.is_empty());
        // Extending the range only adds the new dates.
        let more = plan(
            &mondays(),
            SeriesStatus::Active,
            Some(d("2026-01-31")),
            &existing,
            d("2026-02-28"),
            today,
        )
        .unwrap();
        assert_eq!(
            more.iter().map(|o| o.date.to_string()).collect::<Vec<_>>(),
            ["2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23"]
        );
    }

    #[test]
    fn only_active_series_generate_and_the_horizon_is_two_years() {
        let today = d("2026-01-01");
        for status in [
            SeriesStatus::Paused,
            SeriesStatus::Ended,
            SeriesStatus::Disabled,
        ] {
            let err = plan(
                &mondays(),
                status,
                None,
                &BTreeSet::new(),
                d("2026-02-01"),
                today,
            )
            .unwrap_err();
            assert!(matches!(err, GenerationError::NotActive(_)), "{err}");
        }
        let err = plan(
            &mondays(),
            SeriesStatus::Active,
            None,
            &BTreeSet::new(),
            d("2028-06-01"),
            today,
        )
        .unwrap_err();
        assert!(err.to_string().contains("two years"), "{err}");
    }

    fn conflict(session: u128) -> Conflict {
        Conflict {
            kind: ConflictKind::TeacherDoubleBooked,
            session: id(session),
            other: Some(id(99)),
            resource: Resource::Teacher(kernel::TeacherId::from_uuid(uuid::Uuid::nil())),
            message: "busy".into(),
        }
    }

    fn two_planned() -> (Vec<(SessionId, Occurrence)>, Vec<Vec<Conflict>>) {
        let occ = plan(
            &mondays(),
            SeriesStatus::Active,
            None,
            &BTreeSet::new(),
            d("2026-01-12"),
            d("2026-01-01"),
        )
        .unwrap();
        let planned = vec![(id(1), occ[0]), (id(2), occ[1])];
        (planned, vec![vec![], vec![conflict(2)]])
    }

    #[test]
    fn skip_leaves_conflicting_dates_out() {
        let (planned, conflicts) = two_planned();
        let outcome = apply_policy(ConflictPolicy::Skip, planned, conflicts).unwrap();
        assert_eq!(
            outcome.create.iter().map(|c| c.id).collect::<Vec<_>>(),
            [id(1)]
        );
        assert_eq!(outcome.skipped, [d("2026-01-12")]);
        assert_eq!(outcome.conflicts.len(), 1);
    }

    #[test]
    fn mark_creates_everything_and_keeps_the_reasons() {
        let (planned, conflicts) = two_planned();
        let outcome = apply_policy(ConflictPolicy::Mark, planned, conflicts).unwrap();
        assert_eq!(outcome.create.len(), 2);
        assert!(outcome.create[0].conflicts.is_empty());
        assert_eq!(outcome.create[1].conflicts, [conflict(2)]);
        assert!(outcome.skipped.is_empty());
    }

    #[test]
    fn fail_refuses_the_whole_generation() {
        let (planned, conflicts) = two_planned();
        let err = apply_policy(ConflictPolicy::Fail, planned.clone(), conflicts).unwrap_err();
        assert_eq!(err, GenerationError::Conflicts(vec![conflict(2)]));
        // Without conflicts FAIL creates everything.
        let outcome = apply_policy(ConflictPolicy::Fail, planned, vec![vec![], vec![]]).unwrap();
        assert_eq!(outcome.create.len(), 2);
    }
}
