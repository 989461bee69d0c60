//! A class series' schedule: when its occurrences happen, as local dates and
//! UTC instants, and its lifecycle.
//!
//! [`Schedule::parse`] turns raw input into a validated schedule (parse,
//! don't validate): every later step can rely on a positive duration, an
//! end not before the start and a known zone.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use kernel::{TimeZone, resolve_local};

use crate::recurrence::{Recurrence, RecurrenceError};

/// The longest a single lesson may last. Longer input is almost always a
/// typo (minutes entered as hours), and a session must fit a calendar day view.
pub const MAX_DURATION_MINUTES: u32 = 24 * 60;

/// The index of the first extra date (RDATE): above every index a rule can
/// give ([`crate::recurrence::MAX_OCCURRENCES`]), so indexes never collide.
pub const RDATE_INDEX_BASE: u32 = 1_000_000;

/// Raw schedule input, as the API receives it, before validation.
#[derive(Debug, Clone, Default)]
pub struct ScheduleInput {
    /// First day the series may meet (inclusive; an occurrence only if it
    /// matches the rule).
    pub start_date: Option<NaiveDate>,
    /// Last day the series may meet (inclusive).
    pub end_date: Option<NaiveDate>,
    /// Number of occurrences of the rule (counted before EXDATEs).
    pub count: Option<u32>,
    /// Local wall-clock start time.
    pub start_time: Option<NaiveTime>,
    /// Lesson length in minutes.
    pub duration_minutes: Option<i64>,
    /// Local end time: the alternative to `duration_minutes` (the length is
    /// the wall-clock difference on the start day).
    pub end_time: Option<NaiveTime>,
    /// IANA zone name the wall-clock times are in.
    pub timezone: String,
    /// RFC 5545 RRULE text; the alternative to `days_of_week`.
    pub rrule: Option<String>,
    /// ISO weekdays (1 = Monday) of the simple form.
    pub days_of_week: Option<Vec<u32>>,
    /// Every N weeks, for the simple form (default 1).
    pub interval_weeks: Option<u32>,
    /// Local dates to leave out.
    pub exdates: Vec<NaiveDate>,
    /// Extra local dates (RDATE) the series also meets on, at its start
    /// time, outside the rule (RFC 5545: COUNT does not count them).
    pub rdates: Vec<NaiveDate>,
}

/// A validated schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    count: Option<u32>,
    start_time: NaiveTime,
    duration: Duration,
    zone: TimeZone,
    recurrence: Recurrence,
    exdates: BTreeSet<NaiveDate>,
    rdates: BTreeSet<NaiveDate>,
}

/// Why schedule input was refused; [`ScheduleError::part`] says which part
/// of the schedule is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// A required part is absent.
    #[error("{} is required", missing_name(*.0))]
    Missing(SchedulePart),
    /// Unknown IANA zone.
    #[error(transparent)]
    TimeZone(#[from] kernel::TimeZoneError),
    /// End date before start date.
    #[error(
        "endDate {end} is before startDate {start}; the end date is inclusive and must be on or after the start"
    )]
    EndBeforeStart {
        /// The start date given.
        start: NaiveDate,
        /// The end date given.
        end: NaiveDate,
    },
    /// Duration ≤ 0 or longer than a day.
    #[error("durationMinutes must be between 1 and {MAX_DURATION_MINUTES}, got {0}")]
    Duration(i64),
    /// Both a duration and an end time.
    #[error("give durationMinutes or endTime, not both")]
    DurationTwice,
    /// An end time not after the start time.
    #[error(
        "endTime {end} is not after startTime {start}; a lesson ends later on the day it starts"
    )]
    EndTime {
        /// The start time.
        start: NaiveTime,
        /// The end time given.
        end: NaiveTime,
    },
    /// An extra date before the first date of the series.
    #[error("the extra date {0} is before startDate; extra dates lie within the series")]
    RdateBeforeStart(NaiveDate),
    /// Count of zero.
    #[error("count must be at least 1")]
    ZeroCount,
    /// Count given twice (argument and inside the RRULE).
    #[error("count is given both as an argument and as COUNT in the rrule; keep one")]
    CountTwice,
    /// Neither or both recurrence forms.
    #[error("give exactly one of rrule or daysOfWeek (with optional intervalWeeks)")]
    RecurrenceChoice,
    /// The RRULE was refused.
    #[error(transparent)]
    Rrule(RecurrenceError),
    /// The days-of-week form was refused.
    #[error(transparent)]
    Weekly(RecurrenceError),
}

/// Which part of a schedule an error is about, in the schedule's own terms
/// (the gateway names the input field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchedulePart {
    /// The first date.
    StartDate,
    /// The local start time.
    StartTime,
    /// The length of each meeting.
    Duration,
    /// The IANA zone.
    Timezone,
    /// The last date.
    EndDate,
    /// The number of occurrences.
    Count,
    /// The recurrence rule (or the choice between its two forms).
    Rule,
    /// The days of the weekly form.
    DaysOfWeek,
    /// The interval of the weekly form.
    IntervalWeeks,
    /// The local end time.
    EndTime,
    /// The extra dates.
    Rdates,
}

impl ScheduleError {
    /// The part of the schedule the error is about.
    pub fn part(&self) -> SchedulePart {
        match self {
            Self::Missing(part) => *part,
            Self::TimeZone(_) => SchedulePart::Timezone,
            Self::EndBeforeStart { .. } => SchedulePart::EndDate,
            Self::Duration(_) | Self::DurationTwice => SchedulePart::Duration,
            Self::EndTime { .. } => SchedulePart::EndTime,
            Self::RdateBeforeStart(_) => SchedulePart::Rdates,
            Self::ZeroCount | Self::CountTwice => SchedulePart::Count,
            Self::RecurrenceChoice | Self::Rrule(_) => SchedulePart::Rule,
            Self::Weekly(RecurrenceError::BadInterval) => SchedulePart::IntervalWeeks,
            Self::Weekly(_) => SchedulePart::DaysOfWeek,
        }
    }
}

/// One occurrence of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// Position in the rule (0-based, counted before EXDATEs), stable.
    pub index: u32,
    /// Local date in the series zone.
    pub date: NaiveDate,
    /// Start instant.
    pub starts_at: DateTime<Utc>,
    /// End instant.
    pub ends_at: DateTime<Utc>,
}

/// How a message names a missing part (the API's spelling, so the sentence
/// reads right to the person who left it out).
fn missing_name(part: SchedulePart) -> &'static str {
    match part {
        SchedulePart::StartDate => "startDate",
        SchedulePart::StartTime => "startTime",
        SchedulePart::Duration => "durationMinutes",
        _ => "a schedule part",
    }
}

impl Schedule {
    /// Validates raw input.
    pub fn parse(input: ScheduleInput) -> Result<Self, ScheduleError> {
        let zone = TimeZone::parse(&input.timezone)?;
        let start_date = input
            .start_date
            .ok_or(ScheduleError::Missing(SchedulePart::StartDate))?;
        let start_time = input
            .start_time
            .ok_or(ScheduleError::Missing(SchedulePart::StartTime))?;
        let minutes = match (input.duration_minutes, input.end_time) {
            (Some(_), Some(_)) => return Err(ScheduleError::DurationTwice),
            (Some(minutes), None) => minutes,
            (None, Some(end)) if end > start_time => (end - start_time).num_minutes(),
            (None, Some(end)) => {
                return Err(ScheduleError::EndTime {
                    start: start_time,
                    end,
                });
            }
            (None, None) => return Err(ScheduleError::Missing(SchedulePart::Duration)),
        };
        if minutes < 1 || minutes > i64::from(MAX_DURATION_MINUTES) {
            return Err(ScheduleError::Duration(minutes));
        }
        if let Some(end) = input.end_date
            && end < start_date
        {
            return Err(ScheduleError::EndBeforeStart {
                start: start_date,
                end,
            });
        }
        if input.count == Some(0) {
            return Err(ScheduleError::ZeroCount);
        }
        let recurrence = match (&input.rrule, &input.days_of_week) {
            (Some(rule), None) => Recurrence::parse_rrule(rule).map_err(ScheduleError::Rrule)?,
            (None, Some(days)) => Recurrence::weekly(days, input.interval_weeks.unwrap_or(1))
                .map_err(ScheduleError::Weekly)?,
            _ => return Err(ScheduleError::RecurrenceChoice),
        };
        if input.count.is_some() && recurrence.has_count() {
            return Err(ScheduleError::CountTwice);
        }
        if let Some(&early) = input.rdates.iter().filter(|d| **d < start_date).min() {
            return Err(ScheduleError::RdateBeforeStart(early));
        }
        Ok(Self {
            start_date,
            end_date: input.end_date,
            count: input.count,
            start_time,
            duration: Duration::minutes(minutes),
            zone,
            recurrence,
            exdates: input.exdates.into_iter().collect(),
            rdates: input.rdates.into_iter().collect(),
        })
    }

    /// The input this schedule was parsed from, in its canonical form (the
    /// rule as RRULE text, the length as minutes): parsing it again gives
    /// the same schedule, and an edit overlays its changes on it.
    pub fn to_input(&self) -> ScheduleInput {
        ScheduleInput {
            start_date: Some(self.start_date),
            end_date: self.end_date,
            count: self.count,
            start_time: Some(self.start_time),
            duration_minutes: Some(self.duration.num_minutes()),
            end_time: None,
            timezone: self.zone.name().to_owned(),
            rrule: Some(self.rrule()),
            days_of_week: None,
            interval_weeks: None,
            exdates: self.exdates.iter().copied().collect(),
            rdates: self.rdates.iter().copied().collect(),
        }
    }

    /// The recurrence rule.
    pub fn recurrence(&self) -> &Recurrence {
        &self.recurrence
    }

    /// The series' zone.
    pub fn zone(&self) -> TimeZone {
        self.zone
    }

    /// First possible date.
    pub fn start_date(&self) -> NaiveDate {
        self.start_date
    }

    /// Last possible date, if bounded by a date.
    pub fn end_date(&self) -> Option<NaiveDate> {
        self.end_date
    }

    /// Occurrence count bound, if any (outside the RRULE).
    pub fn count(&self) -> Option<u32> {
        self.count
    }

    /// Local start time.
    pub fn start_time(&self) -> NaiveTime {
        self.start_time
    }

    /// Lesson length.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The rule as RFC 5545 text.
    pub fn rrule(&self) -> String {
        self.recurrence.to_rrule_string()
    }

    /// Excluded local dates.
    pub fn exdates(&self) -> &BTreeSet<NaiveDate> {
        &self.exdates
    }

    /// Extra local dates (RDATE).
    pub fn rdates(&self) -> &BTreeSet<NaiveDate> {
        &self.rdates
    }

    /// Every occurrence on or before `through` (and the end date), in order,
    /// with EXDATEs removed. COUNT counts occurrences before EXDATEs are
    /// removed (RFC 5545), so an excluded date still uses up its index.
    pub fn occurrences_through(
        &self,
        through: NaiveDate,
    ) -> Result<Vec<Occurrence>, RecurrenceError> {
        let last = self.end_date.map_or(through, |end| end.min(through));
        let mut dates =
            self.recurrence
                .local_dates(self.start_date, self.start_time, self.zone, last)?;
        if let Some(count) = self.count {
            dates.truncate(count as usize);
        }
        // Extra dates join the rule's (RFC 5545: RDATE is outside COUNT and
        // UNTIL), numbered after every index the rule can produce so an
        // occurrence's index stays unique; a date both give meets once.
        let ruled: BTreeSet<NaiveDate> = dates.iter().map(|(_, d)| *d).collect();
        dates.extend(
            self.rdates
                .iter()
                .enumerate()
                .filter(|(_, d)| **d <= through && !ruled.contains(d))
                .map(|(i, d)| (RDATE_INDEX_BASE + i as u32, *d)),
        );
        dates.sort_by_key(|(_, d)| *d);
        Ok(dates
            .into_iter()
            .filter(|(_, date)| !self.exdates.contains(date))
            .map(|(index, date)| {
                let starts_at = resolve_local(date, self.start_time, self.zone);
                Occurrence {
                    index,
                    date,
                    starts_at,
                    // The duration is elapsed time, not wall-clock: a lesson
                    // lasts what was booked even when a DST change falls
                    // inside it.
                    ends_at: starts_at + self.duration,
                }
            })
            .collect())
    }
}

/// Lifecycle of a series (SPEC §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeriesStatus {
    /// Generating sessions.
    Active,
    /// Temporarily not generating.
    Paused,
    /// Finished; future unbooked sessions were cancelled.
    Ended,
    /// Switched off by an admin.
    Disabled,
}

impl SeriesStatus {
    /// Whether sessions may be generated in this status.
    pub fn generates(self) -> bool {
        matches!(self, Self::Active)
    }

    /// Moves to `to`, if the lifecycle allows it: ACTIVE and PAUSED go
    /// back and forth; either may be ENDED (final) or DISABLED; a DISABLED
    /// series can only be re-activated. The returned decision says whether
    /// future sessions must be cancelled (on ENDED).
    pub fn transition(self, to: SeriesStatus) -> Result<StatusChange, StatusError> {
        use SeriesStatus::*;
        let allowed = matches!(
            (self, to),
            (Active, Paused | Ended | Disabled)
                | (Paused, Active | Ended | Disabled)
                | (Disabled, Active)
        );
        if !allowed {
            return Err(StatusError { from: self, to });
        }
        Ok(StatusChange {
            status: to,
            cancel_future_sessions: to == Ended,
        })
    }
}

/// The outcome of a lifecycle change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct StatusChange {
    /// The new status.
    pub status: SeriesStatus,
    /// Cancel the series' sessions that have not started (SPEC §3.3: ending
    /// a series cancels its future unbooked sessions).
    pub cancel_future_sessions: bool,
}

/// A lifecycle change the state machine refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a series cannot go from {} to {}{}", .from.as_str(), .to.as_str(), hint(*.from))]
pub struct StatusError {
    /// Current status.
    pub from: SeriesStatus,
    /// Requested status.
    pub to: SeriesStatus,
}

fn hint(from: SeriesStatus) -> &'static str {
    match from {
        SeriesStatus::Ended => "; an ended series is final: create a new series instead",
        SeriesStatus::Disabled => "; re-activate it first",
        _ => "",
    }
}

/// What to do with an occurrence that has conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConflictPolicy {
    /// Do not create it; report its date as skipped.
    Skip,
    /// Create it with status CONFLICTED and the reasons.
    Mark,
    /// Refuse the whole generation.
    Fail,
}

/// When sessions are generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenerationMode {
    /// When an admin asks, after a preview.
    OnDemand,
    /// Kept generated to a rolling horizon by a background job.
    Advance,
}

macro_rules! wire_enum {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// Stable stored/wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }

            /// Inverse of `as_str`.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($name => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

/// Status of a session (SPEC §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// Planned.
    Scheduled,
    /// Confirmed by the school.
    Confirmed,
    /// Created with conflicts under policy MARK.
    Conflicted,
    /// Happening now.
    InProgress,
    /// Happened.
    Completed,
    /// Cancelled by the school.
    Cancelled,
    /// Cancelled by the teacher.
    CancelledByTeacher,
}

impl SessionStatus {
    /// Whether the session still occupies its teacher, room and students.
    pub fn occupies(self) -> bool {
        !matches!(self, Self::Cancelled | Self::CancelledByTeacher)
    }

    /// Names of the statuses that no longer occupy resources, for queries.
    pub fn cancelled_names() -> [&'static str; 2] {
        [Self::Cancelled.as_str(), Self::CancelledByTeacher.as_str()]
    }
}

wire_enum!(SeriesStatus { Active => "ACTIVE", Paused => "PAUSED", Ended => "ENDED", Disabled => "DISABLED" });
wire_enum!(ConflictPolicy { Skip => "SKIP", Mark => "MARK", Fail => "FAIL" });
wire_enum!(GenerationMode { OnDemand => "ON_DEMAND", Advance => "ADVANCE" });
wire_enum!(SessionStatus {
    Scheduled => "SCHEDULED",
    Confirmed => "CONFIRMED",
    Conflicted => "CONFLICTED",
    InProgress => "IN_PROGRESS",
    Completed => "COMPLETED",
    Cancelled => "CANCELLED",
    CancelledByTeacher => "CANCELLED_BY_TEACHER",
});

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    fn weekly(zone: &str, start: &str, time: &str, days: Vec<u32>) -> ScheduleInput {
        ScheduleInput {
            start_date: Some(d(start)),
            start_time: Some(t(time)),
            duration_minutes: Some(60),
            timezone: zone.into(),
            days_of_week: Some(days),
            ..Default::default()
        }
    }

    /// Renders each occurrence as `date UTC-start local-start` for table tests.
    fn render(schedule: &Schedule, through: &str) -> Vec<String> {
        schedule
            .occurrences_through(d(through))
            .unwrap()
            .iter()
            .map(|o| {
                format!(
                    "{} {} {}",
                    o.date,
                    o.starts_at.format("%H:%MZ"),
                    schedule.zone().local(o.starts_at).format("%H:%M")
                )
            })
            .collect()
    }

    #[test]
    fn weekly_lessons_keep_their_wall_clock_time_across_dst() {
        for (zone, start, time, day, through, expect) in [
            // London springs forward on Sunday 29 March 2026: 17:00 stays 17:00.
            (
                "Europe/London",
                "2026-03-22",
                "17:00",
                7,
                "2026-04-05",
                vec![
                    "2026-03-22 17:00Z 17:00",
                    "2026-03-29 16:00Z 17:00",
                    "2026-04-05 16:00Z 17:00",
                ],
            ),
            // A Sunday 01:30 lesson falls in London's gap and moves to 02:30.
            (
                "Europe/London",
                "2026-03-22",
                "01:30",
                7,
                "2026-04-05",
                vec![
                    "2026-03-22 01:30Z 01:30",
                    "2026-03-29 01:30Z 02:30",
                    "2026-04-05 00:30Z 01:30",
                ],
            ),
            // The fall-back overlap takes the earlier (summer) offset.
            (
                "Europe/London",
                "2026-10-18",
                "01:30",
                7,
                "2026-11-01",
                vec![
                    "2026-10-18 00:30Z 01:30",
                    "2026-10-25 00:30Z 01:30",
                    "2026-11-01 01:30Z 01:30",
                ],
            ),
            (
                "America/New_York",
                "2026-03-01",
                "02:30",
                7,
                "2026-03-15",
                vec![
                    "2026-03-01 07:30Z 02:30",
                    "2026-03-08 07:30Z 03:30",
                    "2026-03-15 06:30Z 02:30",
                ],
            ),
            (
                "America/New_York",
                "2026-10-25",
                "01:30",
                7,
                "2026-11-08",
                vec![
                    "2026-10-25 05:30Z 01:30",
                    "2026-11-01 05:30Z 01:30",
                    "2026-11-08 06:30Z 01:30",
                ],
            ),
            // Southern hemisphere: Sydney springs forward in October.
            (
                "Australia/Sydney",
                "2026-09-27",
                "02:30",
                7,
                "2026-10-11",
                vec![
                    "2026-09-27 16:30Z 02:30",
                    "2026-10-04 16:30Z 03:30",
                    "2026-10-11 15:30Z 02:30",
                ],
            ),
            (
                "Australia/Sydney",
                "2026-03-29",
                "02:30",
                7,
                "2026-04-12",
                vec![
                    "2026-03-29 15:30Z 02:30",
                    "2026-04-05 15:30Z 02:30",
                    "2026-04-12 16:30Z 02:30",
                ],
            ),
            // Kolkata: half-hour offset all year.
            (
                "Asia/Kolkata",
                "2026-03-22",
                "17:00",
                7,
                "2026-04-05",
                vec![
                    "2026-03-22 11:30Z 17:00",
                    "2026-03-29 11:30Z 17:00",
                    "2026-04-05 11:30Z 17:00",
                ],
            ),
            // Santiago's clocks skip local midnight on 6 September 2026: the
            // 00:30 lesson is not dropped (the rrule trap) but moves to 01:30.
            (
                "America/Santiago",
                "2026-08-30",
                "00:30",
                7,
                "2026-09-13",
                vec![
                    "2026-08-30 04:30Z 00:30",
                    "2026-09-06 04:30Z 01:30",
                    "2026-09-13 03:30Z 00:30",
                ],
            ),
        ] {
            let schedule = Schedule::parse(weekly(zone, start, time, vec![day])).unwrap();
            assert_eq!(render(&schedule, through), expect, "{zone} {time}");
        }
    }

    #[test]
    fn count_counts_before_exdates_and_end_date_is_inclusive() {
        let mut input = weekly("Europe/Berlin", "2026-01-05", "17:00", vec![1]);
        input.count = Some(3);
        input.exdates = vec![d("2026-01-12")];
        let schedule = Schedule::parse(input).unwrap();
        let dates: Vec<_> = schedule
            .occurrences_through(d("2026-12-31"))
            .unwrap()
            .iter()
            .map(|o| (o.index, o.date.to_string()))
            .collect();
        assert_eq!(
            dates,
            vec![(0, "2026-01-05".to_string()), (2, "2026-01-19".to_string())]
        );

        let mut input = weekly("Europe/Berlin", "2026-01-05", "17:00", vec![1]);
        input.end_date = Some(d("2026-01-19"));
        let schedule = Schedule::parse(input).unwrap();
        assert_eq!(
            schedule.occurrences_through(d("2026-12-31")).unwrap().len(),
            3
        );
    }

    #[test]
    fn bad_input_names_the_part_at_fault() {
        let ok = weekly("Europe/London", "2026-01-05", "17:00", vec![1]);
        for (change, part, rule_error) in [
            (
                Box::new(|i: &mut ScheduleInput| i.timezone = "Europe/Londn".into())
                    as Box<dyn Fn(&mut ScheduleInput)>,
                SchedulePart::Timezone,
                false,
            ),
            (
                Box::new(|i| i.end_date = Some(d("2026-01-01"))),
                SchedulePart::EndDate,
                false,
            ),
            (
                Box::new(|i| i.duration_minutes = Some(0)),
                SchedulePart::Duration,
                false,
            ),
            (
                Box::new(|i| i.duration_minutes = Some(-30)),
                SchedulePart::Duration,
                false,
            ),
            (
                Box::new(|i| i.rrule = Some("FREQ=WEEKLY".into())),
                SchedulePart::Rule,
                false,
            ),
            (
                Box::new(|i| i.days_of_week = None),
                SchedulePart::Rule,
                false,
            ),
            (
                Box::new(|i| {
                    i.days_of_week = None;
                    i.rrule = Some("FREQ=SOMETIMES".into())
                }),
                SchedulePart::Rule,
                true,
            ),
            (
                Box::new(|i| i.days_of_week = Some(vec![0])),
                SchedulePart::DaysOfWeek,
                false,
            ),
            (
                Box::new(|i| i.interval_weeks = Some(0)),
                SchedulePart::IntervalWeeks,
                false,
            ),
            (Box::new(|i| i.count = Some(0)), SchedulePart::Count, false),
            (
                Box::new(|i| i.start_time = None),
                SchedulePart::StartTime,
                false,
            ),
        ] {
            let mut input = ok.clone();
            change(&mut input);
            let err = Schedule::parse(input).unwrap_err();
            assert_eq!(err.part(), part, "{err}");
            assert_eq!(matches!(err, ScheduleError::Rrule(_)), rule_error, "{err}");
        }
    }

    #[test]
    fn series_lifecycle_allows_only_legal_moves() {
        use SeriesStatus::*;
        let all = [Active, Paused, Ended, Disabled];
        // Rows: from; columns: to Active, Paused, Ended, Disabled.
        let table = [
            (Active, ["-", "ok", "cancel", "ok"]),
            (Paused, ["ok", "-", "cancel", "ok"]),
            (Ended, ["-", "-", "-", "-"]),
            (Disabled, ["ok", "-", "-", "-"]),
        ];
        for (from, row) in table {
            for (to, expect) in all.into_iter().zip(row) {
                let got = match from.transition(to) {
                    Ok(change) if change.cancel_future_sessions => "cancel",
                    Ok(_) => "ok",
                    Err(_) => "-",
                };
                assert_eq!(got, expect, "{from:?} -> {to:?}");
            }
        }
        assert!(
            Ended
                .transition(Active)
                .unwrap_err()
                .to_string()
                .contains("final")
        );
    }

    proptest! {
        /// `FREQ=MONTHLY;BYDAY=<n><day>` lands on the n-th (or, negative,
        /// n-th from last) such weekday of every month, in any zone.
        #[test]
        fn monthly_ordinals_land_on_the_right_weekday(
            n in prop::sample::select(vec![1i32, 2, 3, 4, -1, -2]),
            day in 0usize..7,
            zone in prop::sample::select(vec!["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
            start_offset in 0i64..400,
        ) {
            const CODES: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
            let start = d("2025-01-01") + Duration::days(start_offset);
            let schedule = Schedule::parse(ScheduleInput {
                start_date: Some(start),
                start_time: Some(t("18:30")),
                duration_minutes: Some(60),
                timezone: zone.into(),
                rrule: Some(format!("FREQ=MONTHLY;BYDAY={n}{};COUNT=12", CODES[day])),
                ..Default::default()
            }).unwrap();
            let occurrences = schedule.occurrences_through(start + Duration::days(400)).unwrap();
            prop_assert_eq!(occurrences.len(), 12);
            for o in occurrences {
                use chrono::Datelike;
                prop_assert_eq!(o.date.weekday().num_days_from_monday() as usize, day);
                let first_of_month = o.date.with_day(1).unwrap();
                let next_month = (first_of_month + Duration::days(32)).with_day(1).unwrap();
                let ordinal = if n > 0 {
                    (o.date.day0() / 7) as i32 + 1
                } else {
                    -(((next_month - o.date).num_days() - 1) / 7) as i32 - 1
                };
                prop_assert_eq!(ordinal, n, "{}", o.date);
                prop_assert!(o.date >= start);
                prop_assert_eq!(schedule.zone().local(o.starts_at).time(), t("18:30"));
            }
        }

        /// The simple weekly form agrees with a day-by-day reference walk,
        /// and every occurrence starts at the series' local time (or one
        /// gap later) and lasts the duration.
        #[test]
        fn weekly_form_matches_a_reference_walk(
            days in proptest::collection::btree_set(1u32..=7, 1..=7),
            interval in 1u32..=4,
            start_offset in 0i64..800,
            span in 0i64..200,
            hour in 0u32..24,
            minute in prop::sample::select(vec![0u32, 15, 30, 45]),
            zone in prop::sample::select(vec!["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Santiago"]),
        ) {
            let start = d("2025-01-01") + Duration::days(start_offset);
            let through = start + Duration::days(span);
            let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap();
            let input = ScheduleInput {
                start_date: Some(start),
                start_time: Some(time),
                duration_minutes: Some(45),
                timezone: zone.into(),
                days_of_week: Some(days.iter().copied().collect()),
                interval_weeks: Some(interval),
                ..Default::default()
            };
            let schedule = Schedule::parse(input).unwrap();
            let got: Vec<NaiveDate> = schedule.occurrences_through(through).unwrap().iter().map(|o| o.date).collect();

            // Reference: weeks are counted from the Monday of the start week.
            let week0 = start - Duration::days(i64::from(chrono::Datelike::weekday(&start).num_days_from_monday()));
            let mut expect = Vec::new();
            let mut day = start;
            while day <= through {
                let week = (day - week0).num_days() / 7;
                let iso = chrono::Datelike::weekday(&day).number_from_monday();
                if week % i64::from(interval) == 0 && days.contains(&iso) {
                    expect.push(day);
                }
                day += Duration::days(1);
            }
            prop_assert_eq!(&got, &expect);

            for o in schedule.occurrences_through(through).unwrap() {
                let local = schedule.zone().local(o.starts_at);
                prop_assert_eq!(local.date(), o.date);
                let shift = local.time() - time;
                prop_assert!(shift >= Duration::zero() && shift <= Duration::hours(1), "{} {}", o.date, local);
                prop_assert_eq!(o.ends_at - o.starts_at, Duration::minutes(45));
            }
        }
    }
}
