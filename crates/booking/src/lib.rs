//! Bookings, registrations, booking policies, 1-on-1 slot search, waitlists
//! and attendance (SPEC §3.4).
//!
//! Nothing lives here yet: the booking engine is its own issue. Like every
//! domain crate it will stay pure: decisions take `now`, ids and loaded
//! state as arguments and never touch a database or a clock.
