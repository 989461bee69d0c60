//! Rooms, booths and equipment capacity, and learning materials (SPEC §3.5).
//!
//! For now this holds the room rules; equipment availability (computed from
//! overlapping allocations, never stored) and materials come with their
//! issues. Pure: no database, no clock.

#![warn(missing_docs)]

pub mod room;

pub use room::{RoomError, RoomKind, RoomSpec};
