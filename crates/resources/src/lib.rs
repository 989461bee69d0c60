//! Rooms, equipment and learning materials (SPEC §3.5).
//!
//! `room` validates spaces; `equipment` validates pools, offerings'
//! per-student requirements and maintenance blocks; `availability` computes
//! the units free over a window from what holds them (never stored: a
//! sweep over holds, O(n log n)); `allocation` decides a booking's
//! equipment, or refuses naming the pool and both quantities; `material`
//! decides who sees a learning material and which files are accepted.
//! Pure: no database, no clock: `now` and loaded holds come in as
//! arguments.

#![warn(missing_docs)]

pub mod allocation;
pub mod availability;
pub mod equipment;
pub mod material;
pub mod room;

pub use allocation::{Allocation, Pool, Shortage, Stock};
pub use availability::{Hold, Span, Window};
pub use equipment::{
    EquipmentError, EquipmentSpec, MaintenanceBlock, MaintenanceError, Requirement,
    RequirementError,
};
pub use room::{RoomError, RoomKind, RoomSpec};
