//! The older validation error: a [`FieldError`] names its input field and a
//! stable [`UserErrorCode`] itself.
//!
//! Scheduling, catalogue and identity validations still return it, and the
//! gateway turns it into a `userErrors` entry as it is. New domain code does
//! not: the booking core's `BookingError` says only what went wrong, and
//! the gateway alone maps it to a field and a code (`gateway::error`), the
//! shape the rest should move to. Anything that is not a user's mistake is
//! not represented here: it is an infra error, logged and masked.

use std::fmt;

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
    /// A size or count limit was exceeded (e.g. page size).
    LimitExceeded,
    /// Too many failed attempts; wait before trying again.
    TooManyAttempts,
    /// An idempotency key was reused for a different request.
    IdempotencyKeyReused,
    /// Booked too close to the start.
    MinNotice,
    /// Too late to cancel.
    CancelWindowPassed,
    /// The teacher's day is fully booked.
    DailyLimit,
    /// Not enough seats left.
    SessionFull,
    /// The time is no longer free.
    SlotTaken,
    /// The student already has a place.
    AlreadyBooked,
    /// The staff member lacks the required teaching role.
    NotQualified,
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
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::TooManyAttempts => "TOO_MANY_ATTEMPTS",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::MinNotice => "MIN_NOTICE",
            Self::CancelWindowPassed => "CANCEL_WINDOW_PASSED",
            Self::DailyLimit => "DAILY_LIMIT",
            Self::SessionFull => "SESSION_FULL",
            Self::SlotTaken => "SLOT_TAKEN",
            Self::AlreadyBooked => "ALREADY_BOOKED",
            Self::NotQualified => "NOT_QUALIFIED",
        }
    }
}

impl fmt::Display for UserErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused input value: which field, a stable code, and a sentence saying
/// what was wrong and how to fix it. Simple validations return this
/// directly; the gateway turns it into a `userErrors` entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The input field, camelCase as the client sent it.
    pub field: &'static str,
    /// Stable code.
    pub code: UserErrorCode,
    /// What was wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    /// An `INVALID` error on `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            code: UserErrorCode::Invalid,
            message: message.into(),
        }
    }

    /// A `NOT_FOUND` error on `field`: the id names nothing in the viewer's school.
    pub fn not_found(field: &'static str, what: &str) -> Self {
        Self {
            field,
            code: UserErrorCode::NotFound,
            message: format!("no {what} with this id exists in your school"),
        }
    }
}

/// Checks a required, human-entered text (a name, a title): trimmed, not
/// empty, at most 200 characters. Returns the trimmed text.
pub fn required_text(field: &'static str, value: &str) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > 200 {
        return Err(FieldError::invalid(field, "must be at most 200 characters"));
    }
    Ok(trimmed.to_owned())
}

/// Checks an email address loosely (one `@`, a dot in the domain, no
/// spaces) and lower-cases it, since addresses are compared case-insensitively.
pub fn email(field: &'static str, value: &str) -> Result<String, FieldError> {
    let email = value.trim().to_lowercase();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if !valid || email.len() > 254 {
        return Err(FieldError::invalid(
            field,
            format!("`{value}` is not an email address"),
        ));
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_email_checks() {
        assert_eq!(required_text("name", "  Studio A ").unwrap(), "Studio A");
        assert_eq!(required_text("name", "   ").unwrap_err().field, "name");
        assert_eq!(
            email("email", " Ada@Example.org").unwrap(),
            "ada@example.org"
        );
        for bad in ["ada", "ada@", "@x.org", "ada@x", "a da@x.org", "a@b@c.org"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }
}
