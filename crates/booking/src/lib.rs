//! Bookings, booking policies, capacity, waitlists, attendance and 1-on-1
//! slot search (SPEC §3.4): the booking core.
//!
//! Sans-IO, like quinn-proto: every decision is a pure function of `now`
//! and a snapshot the shell (`infra::booking`) loaded with the relevant row
//! locked, and it returns what to write (`#[must_use]`) or a
//! [`BookingError`]. Nothing here reads a clock, touches a database or
//! knows GraphQL; the seat counter itself is still guarded by a conditional
//! UPDATE in the shell, and [`capacity`] states the rule it enforces.
//!
//! Start with [`seats`] (group seats, cancellation, rescheduling,
//! registrations), [`lesson`] (1-on-1 and hybrid lessons) and [`status`]
//! (the state machine every change goes through).

#![warn(missing_docs)]

pub mod attendance;
pub mod capacity;
pub mod enrolment;
pub mod error;
pub mod lesson;
pub mod policy;
pub mod seats;
pub mod series_rule;
pub mod slots;
pub mod status;
pub mod waitlist;

pub use capacity::{SessionFull, check_seats};
pub use error::{AlreadyBooked, BookingError, Missing, NotBookable, RegistrationShape};
pub use policy::{BookingPolicy, PolicyError, PolicyRule, PolicyViolation};
pub use seats::{NewBooking, RegistrationKind, Release, SeatDecision};
pub use slots::{SlotQuery, free_slots};
pub use status::{BookingKind, BookingStatus, TransitionError};
