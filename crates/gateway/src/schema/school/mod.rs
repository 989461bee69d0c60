//! The school itself: its profile, locations, rooms, teachers (with
//! availability and time off), students and offerings; the objects, the
//! lists, the setup mutations, and archiving.

pub mod archive;

pub mod objects;
pub mod profiles;
pub mod setup;
