//! Shared value types every other crate speaks: typed ids, the tenant scope,
//! time zones and wall-clock resolution, money, availability, text checks.
//!
//! The kernel is the bottom of the dependency graph: it knows nothing of
//! scheduling, databases or GraphQL, and it never reads the clock. The most
//! interesting module is [`time`], which owns the DST rules of SPEC §3.3.

#![warn(missing_docs)]

pub mod archive;
pub mod availability;
pub mod id;
pub mod money;
pub mod policy;
pub mod text;
pub mod throttle;
pub mod time;

pub use archive::{Archivable, ArchiveError, Usage};
pub use availability::{Availability, Booker, Window};
pub use id::{
    BookingId, BookingSeriesId, ClassSeriesId, EquipmentId, FamilyId, LocationId, MaterialId,
    OfferingId, RegistrationId, RoomId, SchoolId, SessionId, StudentId, TeacherId, TeachingRoleId,
    UserId, WaitlistEntryId,
};
pub use money::{Currency, CurrencyError, Money};
pub use policy::{Action, Actor, Denied, Role};
pub use time::{TimeZone, TimeZoneError, Weekday, resolve_local};
