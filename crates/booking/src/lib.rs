//! Bookings, booking policies, capacity, waitlists and 1-on-1 slot search
//! (SPEC §3.4).
//!
//! Pure like every domain crate: decisions take `now`, ids and loaded state
//! as arguments and never touch a database or a clock. `infra` loads the
//! state inside the booking's transaction, asks these functions, and writes
//! the result; the capacity counter itself is guarded by a conditional
//! UPDATE there, and [`capacity`] states the rule it enforces.
//!
//! Start with [`status`] (the booking state machine) and [`policy`] (the
//! per-teacher rules, each with its own error code).

#![warn(missing_docs)]

pub mod capacity;
pub mod policy;
pub mod slots;
pub mod status;
pub mod waitlist;

pub use capacity::{SessionFull, check_seats};
pub use policy::{BookingPolicy, PolicyError, PolicyViolation};
pub use slots::{SlotQuery, free_slots};
pub use status::{BookingKind, BookingStatus, TransitionError};
