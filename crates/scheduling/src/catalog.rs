//! What the scheduler needs from the catalogue and the staff: offerings and
//! teachers' weekly availability, validated.

use chrono::{NaiveDate, NaiveTime};
use kernel::Weekday;
use kernel::text::{TextError, required_text};

use crate::conflict::AvailabilityWindow;
use crate::series::MAX_DURATION_MINUTES;

/// Kinds of offering (SPEC §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfferingKind {
    /// 1-on-1 lessons.
    Individual,
    /// Group classes.
    Group,
    /// Group classes with 1-on-1 weeks.
    Hybrid,
    /// Band rehearsals.
    BandRehearsal,
    /// Ensembles.
    Ensemble,
    /// One-off workshops.
    Workshop,
    /// Evaluation sessions for leads.
    Evaluation,
}

impl OfferingKind {
    /// Every kind, for parsing and listing.
    pub const ALL: [OfferingKind; 7] = [
        Self::Individual,
        Self::Group,
        Self::Hybrid,
        Self::BandRehearsal,
        Self::Ensemble,
        Self::Workshop,
        Self::Evaluation,
    ];

    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "INDIVIDUAL",
            Self::Group => "GROUP",
            Self::Hybrid => "HYBRID",
            Self::BandRehearsal => "BAND_REHEARSAL",
            Self::Ensemble => "ENSEMBLE",
            Self::Workshop => "WORKSHOP",
            Self::Evaluation => "EVALUATION",
        }
    }

    /// Inverse of [`OfferingKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A validated offering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferingSpec {
    /// Title shown to parents.
    pub title: String,
    /// Kind.
    pub kind: OfferingKind,
    /// Default lesson length.
    pub default_duration_minutes: u32,
    /// Default seats per session.
    pub default_capacity: u32,
}

/// Why an offering was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OfferingError {
    /// The title.
    #[error("{0}")]
    Title(TextError),
    /// The default lesson length is out of range.
    #[error("must be between 1 and {MAX_DURATION_MINUTES} minutes, got {0}")]
    Duration(i64),
    /// The default capacity is out of range.
    #[error("{0}")]
    Capacity(CapacityError),
}

impl OfferingSpec {
    /// Validates an offering.
    pub fn parse(
        title: &str,
        kind: OfferingKind,
        duration: i64,
        capacity: i64,
    ) -> Result<Self, OfferingError> {
        let title = required_text(title).map_err(OfferingError::Title)?;
        if !(1..=i64::from(MAX_DURATION_MINUTES)).contains(&duration) {
            return Err(OfferingError::Duration(duration));
        }
        let capacity = parse_capacity(capacity).map_err(OfferingError::Capacity)?;
        Ok(Self {
            title,
            kind,
            default_duration_minutes: duration as u32,
            default_capacity: capacity,
        })
    }
}

/// The most seats a session may offer.
pub const MAX_CAPACITY: i64 = 10_000;

/// A seat count out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("capacity must be at least 1 (and at most {MAX_CAPACITY}), got {0}")]
pub struct CapacityError(pub i64);

/// Checks a seat count: at least 1.
pub fn parse_capacity(capacity: i64) -> Result<u32, CapacityError> {
    if !(1..=MAX_CAPACITY).contains(&capacity) {
        return Err(CapacityError(capacity));
    }
    Ok(capacity as u32)
}

/// Why an availability window was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// Not an ISO weekday.
    #[error("dayOfWeek must be 1 (Monday) to 7 (Sunday), got {0}")]
    Day(i64),
    /// The window ends before it starts.
    #[error("startTime {} must be before endTime {}", .0.format("%H:%M"), .1.format("%H:%M"))]
    Order(NaiveTime, NaiveTime),
    /// The validity ends before it begins.
    #[error("validUntil {1} must not be before validFrom {0}")]
    Dates(NaiveDate, NaiveDate),
}

/// The local dates a window applies between (both inclusive, both optional).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Validity {
    /// First date, if bounded.
    pub from: Option<NaiveDate>,
    /// Last date, if bounded.
    pub until: Option<NaiveDate>,
}

/// Validates a weekly window: ISO day 1–7, start before end, and validity
/// dates in order.
pub fn parse_window(
    day_of_week: i64,
    start: NaiveTime,
    end: NaiveTime,
    validity: Validity,
) -> Result<AvailabilityWindow, WindowError> {
    let weekday = u32::try_from(day_of_week)
        .ok()
        .and_then(Weekday::from_iso)
        .ok_or(WindowError::Day(day_of_week))?;
    if start >= end {
        return Err(WindowError::Order(start, end));
    }
    if let (Some(from), Some(until)) = (validity.from, validity.until)
        && until < from
    {
        return Err(WindowError::Dates(from, until));
    }
    Ok(AvailabilityWindow {
        weekday,
        start,
        end,
        valid_from: validity.from,
        valid_until: validity.until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn offerings_and_windows_are_validated() {
        assert!(OfferingSpec::parse("Piano", OfferingKind::Individual, 30, 1).is_ok());
        assert_eq!(
            OfferingSpec::parse("Piano", OfferingKind::Group, 0, 1),
            Err(OfferingError::Duration(0))
        );
        assert_eq!(
            OfferingSpec::parse("Piano", OfferingKind::Group, 30, 0),
            Err(OfferingError::Capacity(CapacityError(0)))
        );
        let always = Validity::default();
        assert!(parse_window(1, t(9), t(17), always).is_ok());
        assert!(parse_window(0, t(9), t(17), always).is_err());
        assert!(parse_window(8, t(9), t(17), always).is_err());
        assert!(parse_window(3, t(17), t(9), always).is_err());
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day);
        let summer = Validity {
            from: d(7, 1),
            until: d(8, 31),
        };
        let w = parse_window(3, t(9), t(17), summer).unwrap();
        assert_eq!((w.valid_from, w.valid_until), (d(7, 1), d(8, 31)));
        // A single day is a valid range; a reversed one is not.
        let one_day = Validity {
            from: d(7, 1),
            until: d(7, 1),
        };
        assert!(parse_window(3, t(9), t(17), one_day).is_ok());
        let reversed = Validity {
            from: d(8, 31),
            until: d(7, 1),
        };
        assert_eq!(
            parse_window(3, t(9), t(17), reversed),
            Err(WindowError::Dates(d(8, 31).unwrap(), d(7, 1).unwrap()))
        );
    }
}
