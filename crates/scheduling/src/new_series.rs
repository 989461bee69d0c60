//! The rules for a new class series beyond its schedule: which defaults
//! apply (duration and capacity from the offering, the zone from the
//! location and then the school) and what must hold between the chosen
//! rows (the room belongs to the series' location).
//!
//! The caller loads the rows and passes what matters as a
//! [`SeriesContext`]; every problem is returned at once, so a form can
//! show them together.

use chrono::{NaiveDate, NaiveTime};

use crate::catalog::{CapacityError, parse_capacity};
use crate::series::{Schedule, ScheduleError, ScheduleInput};

/// Raw series input, as the API receives it.
#[derive(Debug, Clone, Default)]
pub struct SeriesRequest {
    /// First possible date.
    pub start_date: Option<NaiveDate>,
    /// Last possible date (inclusive).
    pub end_date: Option<NaiveDate>,
    /// Occurrence count.
    pub count: Option<i64>,
    /// Local start time.
    pub start_time: Option<NaiveTime>,
    /// Lesson length; `None` takes the offering's (unless `end_time` says).
    pub duration_minutes: Option<i64>,
    /// Local end time, the alternative to the duration.
    pub end_time: Option<NaiveTime>,
    /// IANA zone; `None` takes the location's, then the school's.
    pub timezone: Option<String>,
    /// RRULE text.
    pub rrule: Option<String>,
    /// Simple-form weekdays (1 = Monday).
    pub days_of_week: Option<Vec<i64>>,
    /// Simple-form interval.
    pub interval_weeks: Option<i64>,
    /// Excluded dates.
    pub exdates: Vec<NaiveDate>,
    /// Extra dates (RDATE).
    pub rdates: Vec<NaiveDate>,
    /// Seats; `None` takes the offering's.
    pub capacity: Option<i64>,
}

/// Loaded state the rules need. Rows that were not found are `None`; their
/// NOT_FOUND errors are the caller's, and the defaults they would have
/// given are simply not applied.
#[derive(Debug, Clone, Default)]
pub struct SeriesContext {
    /// The offering's default duration and capacity.
    pub offering_defaults: Option<(i64, i64)>,
    /// The location's own zone, if it has one.
    pub location_zone: Option<String>,
    /// The school's zone.
    pub school_zone: String,
    /// The chosen room is at another location than the series.
    pub room_elsewhere: bool,
}

/// A validated series: its schedule and seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesSpec {
    /// When it meets.
    pub schedule: Schedule,
    /// Seats per session.
    pub capacity: u32,
}

/// Why a new series was refused (all reasons at once).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeriesError {
    /// The room belongs to another location.
    #[error("the room is at another location; pick a room of this location")]
    RoomElsewhere,
    /// The capacity is out of range.
    #[error("{0}")]
    Capacity(CapacityError),
    /// A negative count.
    #[error("count must be at least 1")]
    Count,
    /// The schedule itself.
    #[error("{0}")]
    Schedule(ScheduleError),
}

/// Applies defaults and checks a new series.
pub fn parse_series(
    request: SeriesRequest,
    ctx: &SeriesContext,
) -> Result<SeriesSpec, Vec<SeriesError>> {
    let mut errors = Vec::new();
    if ctx.room_elsewhere {
        errors.push(SeriesError::RoomElsewhere);
    }
    let capacity = request
        .capacity
        .or(ctx.offering_defaults.map(|(_, capacity)| capacity))
        .unwrap_or(1);
    let capacity = parse_capacity(capacity)
        .map_err(|e| errors.push(SeriesError::Capacity(e)))
        .ok();
    let count = match request.count.map(u32::try_from).transpose() {
        Ok(count) => count,
        Err(_) => {
            errors.push(SeriesError::Count);
            None
        }
    };
    // Out-of-range numbers become 0, which the schedule refuses with its
    // own message (days 1–7, interval at least 1).
    let to_u32 = |n: i64| u32::try_from(n).unwrap_or(0);
    let schedule = Schedule::parse(ScheduleInput {
        start_date: request.start_date,
        end_date: request.end_date,
        count,
        start_time: request.start_time,
        // The offering's length applies only when neither a length nor an
        // end time was given.
        duration_minutes: request.duration_minutes.or(ctx
            .offering_defaults
            .filter(|_| request.end_time.is_none())
            .map(|(duration, _)| duration)),
        end_time: request.end_time,
        timezone: request
            .timezone
            .or_else(|| ctx.location_zone.clone())
            .unwrap_or_else(|| ctx.school_zone.clone()),
        rrule: request.rrule,
        days_of_week: request
            .days_of_week
            .map(|days| days.into_iter().map(to_u32).collect()),
        interval_weeks: request.interval_weeks.map(to_u32),
        exdates: request.exdates,
        rdates: request.rdates,
    })
    .map_err(|e| errors.push(SeriesError::Schedule(e)))
    .ok();
    match (schedule, capacity) {
        (Some(schedule), Some(capacity)) if errors.is_empty() => {
            Ok(SeriesSpec { schedule, capacity })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SeriesRequest {
        SeriesRequest {
            start_date: NaiveDate::from_ymd_opt(2026, 3, 2),
            start_time: NaiveTime::from_hms_opt(17, 0, 0),
            days_of_week: Some(vec![2]),
            ..Default::default()
        }
    }

    fn ctx() -> SeriesContext {
        SeriesContext {
            offering_defaults: Some((45, 6)),
            location_zone: None,
            school_zone: "Europe/London".into(),
            room_elsewhere: false,
        }
    }

    #[test]
    fn defaults_come_from_the_offering_then_the_location_then_the_school() {
        let spec = parse_series(request(), &ctx()).unwrap();
        assert_eq!(
            (spec.schedule.duration().num_minutes(), spec.capacity),
            (45, 6)
        );
        assert_eq!(spec.schedule.zone().name(), "Europe/London");
        let at_branch = SeriesContext {
            location_zone: Some("America/New_York".into()),
            ..ctx()
        };
        assert_eq!(
            parse_series(request(), &at_branch)
                .unwrap()
                .schedule
                .zone()
                .name(),
            "America/New_York"
        );
        let explicit = SeriesRequest {
            timezone: Some("Asia/Kolkata".into()),
            capacity: Some(3),
            ..request()
        };
        let spec = parse_series(explicit, &at_branch).unwrap();
        assert_eq!(
            (spec.schedule.zone().name(), spec.capacity),
            ("Asia/Kolkata", 3)
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = SeriesRequest {
            capacity: Some(0),
            count: Some(-1),
            duration_minutes: Some(0),
            ..request()
        };
        let ctx = SeriesContext {
            room_elsewhere: true,
            ..ctx()
        };
        assert_eq!(
            parse_series(bad, &ctx).unwrap_err(),
            [
                SeriesError::RoomElsewhere,
                SeriesError::Capacity(CapacityError(0)),
                SeriesError::Count,
                SeriesError::Schedule(ScheduleError::Duration(0)),
            ]
        );
    }
}
