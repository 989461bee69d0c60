//! Human-entered text: names, titles and emails, checked and normalised.
//!
//! Errors say what is wrong with the value, not which input field it came
//! from: the gateway, which knows the wire, names the field.

/// The most characters a name or title may have.
pub const MAX_TEXT_CHARS: usize = 200;

/// Why a required text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing but whitespace.
    #[error("must not be empty")]
    Empty,
    /// Longer than [`MAX_TEXT_CHARS`].
    #[error("must be at most 200 characters")]
    TooLong,
}

/// Checks a required, human-entered text (a name, a title): trimmed, not
/// empty, at most [`MAX_TEXT_CHARS`] characters. Returns the trimmed text.
pub fn required_text(value: &str) -> Result<String, TextError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    if trimmed.chars().count() > MAX_TEXT_CHARS {
        return Err(TextError::TooLong);
    }
    Ok(trimmed.to_owned())
}

/// An address that is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an email address")]
pub struct EmailError(pub String);

/// Checks an email address loosely (one `@`, a dot in the domain, no
/// spaces) and lower-cases it, since addresses are compared case-insensitively.
pub fn email(value: &str) -> Result<String, EmailError> {
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
        return Err(EmailError(value.to_owned()));
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_email_checks() {
        assert_eq!(required_text("  Studio A ").unwrap(), "Studio A");
        assert_eq!(required_text("   "), Err(TextError::Empty));
        assert_eq!(required_text(&"x".repeat(201)), Err(TextError::TooLong));
        assert_eq!(email(" Ada@Example.org").unwrap(), "ada@example.org");
        for bad in ["ada", "ada@", "@x.org", "ada@x", "a da@x.org", "a@b@c.org"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }
}
