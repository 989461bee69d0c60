//! Scheduling over GraphQL: class series (create, preview, generate,
//! pause or end), their sessions and conflicts, and the calendar.

pub mod calendar;
pub mod objects;
pub mod series;
