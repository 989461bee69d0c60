//! A room, booth or online space, and what makes one valid.

use kernel::FieldError;
use kernel::error::required_text;

/// The largest capacity a room may declare; beyond it, input is a typo.
pub const MAX_ROOM_CAPACITY: i64 = 10_000;

/// What kind of space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoomKind {
    /// A physical room.
    Room,
    /// A booth (tutoring centres rent booths by the hour).
    Booth,
    /// An online meeting space.
    Online,
}

impl RoomKind {
    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Room => "ROOM",
            Self::Booth => "BOOTH",
            Self::Online => "ONLINE",
        }
    }

    /// Inverse of [`RoomKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Room, Self::Booth, Self::Online]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A validated new room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSpec {
    /// Display name.
    pub name: String,
    /// How many people fit.
    pub capacity: u32,
    /// Kind of space.
    pub kind: RoomKind,
}

impl RoomSpec {
    /// Validates a room: a name, and a capacity of at least one person.
    pub fn parse(name: &str, capacity: i64, kind: RoomKind) -> Result<Self, FieldError> {
        let name = required_text("name", name)?;
        if !(1..=MAX_ROOM_CAPACITY).contains(&capacity) {
            return Err(FieldError::invalid(
                "capacity",
                format!("capacity must be between 1 and {MAX_ROOM_CAPACITY}, got {capacity}"),
            ));
        }
        Ok(Self {
            name,
            capacity: capacity as u32,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_need_a_name_and_room_for_someone() {
        assert_eq!(
            RoomSpec::parse("Studio A", 8, RoomKind::Room)
                .unwrap()
                .capacity,
            8
        );
        assert_eq!(
            RoomSpec::parse("Studio A", 0, RoomKind::Room)
                .unwrap_err()
                .field,
            "capacity"
        );
        assert_eq!(
            RoomSpec::parse("", 4, RoomKind::Booth).unwrap_err().field,
            "name"
        );
    }
}
