//! Newtype ids, one per entity, so a `RoomId` can never be passed where a
//! `TeacherId` is expected.
//!
//! Ids are UUIDs (v7: time-ordered, so inserts stay index-friendly) generated
//! by `infra`; the kernel only carries them. [`SchoolId`] doubles as the
//! tenant scope: every repository call takes one.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! define_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an existing UUID (from the database or a decoded global id).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID, for storage.
            pub const fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }
    )*};
}

define_id! {
    /// A school: the tenant. Every row in the database carries one.
    SchoolId,
    /// A user account (admin, staff, teacher, parent or student login).
    UserId,
    /// A location (branch) of a school.
    LocationId,
    /// A room, booth or online space at a location.
    RoomId,
    /// A teacher profile.
    TeacherId,
    /// A student profile.
    StudentId,
    /// A catalogue offering (class type).
    OfferingId,
    /// A recurring class series (schedule pattern).
    ClassSeriesId,
    /// One occurrence of a class: a session.
    SessionId,
    /// A family group: parents acting for their students.
    FamilyId,
    /// A teaching role ("Wheel instructor", "Piano grade 5+").
    TeachingRoleId,
    /// A booking: group seats or a 1-on-1 lesson.
    BookingId,
    /// A place on a session's waitlist.
    WaitlistEntryId,
    /// A student's registration for a series.
    RegistrationId,
    /// A recurring 1-on-1 booking series.
    BookingSeriesId,
    /// A pool of identical equipment at a location (8 wheels, 50 kg clay).
    EquipmentId,
    /// A learning material (a score, a backing track).
    MaterialId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = SessionId::from_uuid(Uuid::nil());
        assert_eq!(id.to_string().parse::<SessionId>().unwrap(), id);
        assert!("not-a-uuid".parse::<SessionId>().is_err());
    }
}
