//! Scalars with the wire formats SPAs rely on: `DateTime` (RFC 3339, UTC,
//! `Z`, whole seconds), `LocalDate` (`2026-03-29`), `LocalTime` (`17:00`).
//!
//! async-graphql's built-in chrono scalars are not used: they print
//! `+00:00` and keep sub-second digits, and their names (`NaiveDate`) leak
//! the library into the contract.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, NaiveTime, SubsecRound, Utc};

/// An instant, RFC 3339. Output is always UTC with `Z` and whole seconds,
/// e.g. `2026-03-29T15:00:00Z`; input may carry any offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(s) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        chrono::DateTime::parse_from_rfc3339(s)
            // Stored instants are whole seconds; so are comparisons.
            .map(|t| DateTime(t.with_timezone(&Utc).trunc_subsecs(0)))
            .map_err(|_| {
                InputValueError::custom(format!(
                    "`{s}` is not an RFC 3339 date-time such as 2026-03-29T15:00:00Z"
                ))
            })
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }
}

/// A calendar date without a zone, ISO 8601: `2026-03-29`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalDate(pub NaiveDate);

#[Scalar(name = "LocalDate")]
impl ScalarType for LocalDate {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(s) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(LocalDate)
            .map_err(|_| {
                InputValueError::custom(format!("`{s}` is not a date of the form 2026-03-29"))
            })
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A wall-clock time without a zone, `HH:MM` (24-hour): `17:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalTime(pub NaiveTime);

#[Scalar(name = "LocalTime")]
impl ScalarType for LocalTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(s) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        NaiveTime::parse_from_str(s, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
            .map(LocalTime)
            .map_err(|_| InputValueError::custom(format!("`{s}` is not a time of the form 17:00")))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%H:%M").to_string())
    }
}
