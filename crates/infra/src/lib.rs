//! Persistence and the application services that need it: sea-orm entities,
//! tenant-scoped repositories, transactions, the clock and id generation.
//!
//! `infra` depends on the domain crates, never the reverse. It holds no
//! business rules: a service loads state, asks the domain for a decision,
//! and writes the result in one transaction. Start with [`db`] (connecting,
//! migrating, write transactions) and [`scheduling`] (session generation).

#![warn(missing_docs)]

pub mod archive;
pub mod auth;
pub mod billing;
pub mod booking;
pub mod clock;
pub mod credits;
pub mod crm;
pub mod db;
pub mod entity;
pub mod equipment;
pub mod error;
pub mod files;
pub mod installments;
pub mod invoicing;
pub mod materials;
pub mod overdue;
pub mod payments;
pub mod payouts;
pub mod profiles;
pub mod progress;
pub mod refunds;
pub mod repo;
pub mod scheduling;
pub mod staff;

pub use clock::{Clock, SystemClock};
pub use db::{Db, Handle, Tx};
pub use error::{InfraError, Result, stored};

/// A fresh, time-ordered id for a new row.
pub fn new_id<T: From<uuid::Uuid>>() -> T {
    T::from(uuid::Uuid::now_v7())
}
