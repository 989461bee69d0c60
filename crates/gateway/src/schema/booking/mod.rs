//! Bookings over GraphQL: policies, group seats with waitlists, 1-on-1
//! lessons and their slot search, registrations, recurring 1-on-1 series,
//! decisions, cancellation, rescheduling and attendance.
//!
//! Resolvers here authorise, decode ids, call `infra::booking` (which asks
//! the pure core in the `booking` crate) and map the outcome; the booking
//! rules themselves live in that crate, and refusals become `userErrors`
//! through the one mapping in `crate::error`.

pub(crate) mod family;
mod inputs;
mod mutation;
mod objects;
mod query;

pub use family::{CalendarEntry, Enrolment, FamilyMutation, FamilyQuery};
pub use inputs::*;
pub use mutation::BookingMutation;
pub(crate) use mutation::student_to_book;
pub use objects::*;
pub use query::BookingQuery;
