//! Error conventions shared by every layer.
//!
//! Domain crates return `thiserror` enums named for what the caller can do.
//! Each such error says which input field it is about ([`FieldPath`]) and
//! carries a stable [`UserErrorCode`]; the gateway turns them into GraphQL
//! `userErrors { field message code }` in one exhaustive match. Anything
//! that is not a user's mistake is not represented here: it is an infra
//! error, logged and masked.

use std::fmt;

/// The path of the input field an error is about, as the client sent it
/// (camelCase, e.g. `["input", "rrule"]`).
pub type FieldPath = Vec<String>;

/// Stable, SCREAMING_SNAKE codes a client can switch on. Adding a code is
/// fine; renaming one breaks SPAs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserErrorCode {
    /// The input is malformed or out of range.
    Invalid,
    /// The RRULE could not be parsed or uses an unsupported part.
    InvalidRrule,
    /// The time zone is not a known IANA name.
    UnknownTimeZone,
    /// An id does not name a row of the viewer's school.
    NotFound,
    /// A date range reaches further than allowed.
    BeyondHorizon,
    /// Generation was refused because of conflicts under policy FAIL.
    Conflict,
    /// The object's state does not allow this operation.
    InvalidState,
    /// Email already registered.
    Taken,
    /// Wrong email or password.
    InvalidCredentials,
}

impl UserErrorCode {
    /// The wire form of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "INVALID",
            Self::InvalidRrule => "INVALID_RRULE",
            Self::UnknownTimeZone => "UNKNOWN_TIME_ZONE",
            Self::NotFound => "NOT_FOUND",
            Self::BeyondHorizon => "BEYOND_HORIZON",
            Self::Conflict => "CONFLICT",
            Self::InvalidState => "INVALID_STATE",
            Self::Taken => "TAKEN",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
        }
    }
}

impl fmt::Display for UserErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
