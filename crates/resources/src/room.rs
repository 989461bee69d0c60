//! A room, booth or online space, and what makes one valid.

use kernel::text::{TextError, required_text};

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

/// Why a room was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoomError {
    /// The name.
    #[error("{0}")]
    Name(TextError),
    /// The capacity is out of range.
    #[error("capacity must be between 1 and {MAX_ROOM_CAPACITY}, got {0}")]
    Capacity(i64),
}

impl RoomSpec {
    /// Validates a room: a name, and a capacity of at least one person.
    pub fn parse(name: &str, capacity: i64, kind: RoomKind) -> Result<Self, RoomError> {
        let name = required_text(name).map_err(RoomError::Name)?;
        if !(1..=MAX_ROOM_CAPACITY).contains(&capacity) {
            return Err(RoomError::Capacity(capacity));
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
            RoomSpec::parse("Studio A", 0, RoomKind::Room),
            Err(RoomError::Capacity(0))
        );
        assert_eq!(
            RoomSpec::parse("", 4, RoomKind::Booth),
            Err(RoomError::Name(TextError::Empty))
        );
    }
}
