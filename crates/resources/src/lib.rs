//! Rooms, booths and equipment capacity, and learning materials (SPEC §3.5).
//!
//! Nothing lives here yet. Available equipment quantity will be computed
//! here from overlapping allocations, never stored.
