//! sea-orm entities, one per table. They describe rows, nothing more: no
//! business rules, and they never leave `infra` as GraphQL types.

pub mod auth_token;
pub mod class_series;
pub mod location;
pub mod offering;
pub mod room;
pub mod school;
pub mod session;
pub mod student;
pub mod teacher;
pub mod teacher_availability;
pub mod user;
