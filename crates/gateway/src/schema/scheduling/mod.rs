//! Scheduling over GraphQL: class series (create, preview, generate,
//! pause or end), editing them afterwards ([`edit`]), one session's
//! lifecycle ([`sessions`]), conflicts, and the calendar.

pub mod calendar;
pub mod edit;
pub mod objects;
pub mod series;
pub mod sessions;
pub mod term;
