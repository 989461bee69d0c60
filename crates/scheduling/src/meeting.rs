//! Online meeting details of a series or session (SPEC §3.3): provider,
//! link, meeting id and passcode. A series' details are copied to its
//! sessions when they are generated; a session may override them.

/// The longest a link, id or passcode may be.
pub const MAX_LENGTH: usize = 500;

/// Who hosts the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingProvider {
    /// Zoom.
    Zoom,
    /// Google Meet.
    GoogleMeet,
    /// Microsoft Teams.
    Teams,
    /// Anything else, reached by its link.
    Custom,
}

impl MeetingProvider {
    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zoom => "ZOOM",
            Self::GoogleMeet => "GOOGLE_MEET",
            Self::Teams => "TEAMS",
            Self::Custom => "CUSTOM",
        }
    }

    /// Inverse of [`MeetingProvider::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Zoom, Self::GoogleMeet, Self::Teams, Self::Custom]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// Validated meeting details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// The provider.
    pub provider: MeetingProvider,
    /// The join link (`https://…`).
    pub link: Option<String>,
    /// The provider's meeting id.
    pub id: Option<String>,
    /// The passcode.
    pub passcode: Option<String>,
}

/// Which part of the meeting details is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    /// The link is not an http(s) URL.
    #[error("the meeting link must start with https:// (or http://), got {0:?}")]
    Link(String),
    /// A custom meeting without a link cannot be joined.
    #[error("a CUSTOM meeting needs a link: there is no other way to join it")]
    CustomWithoutLink,
    /// A value longer than [`MAX_LENGTH`].
    #[error("meeting details are at most {MAX_LENGTH} characters each")]
    TooLong,
}

impl Meeting {
    /// Validates meeting details; blank values count as absent.
    pub fn parse(
        provider: MeetingProvider,
        link: Option<&str>,
        id: Option<&str>,
        passcode: Option<&str>,
    ) -> Result<Self, MeetingError> {
        let clean = |v: Option<&str>| -> Result<Option<String>, MeetingError> {
            match v.map(str::trim).filter(|v| !v.is_empty()) {
                Some(v) if v.chars().count() > MAX_LENGTH => Err(MeetingError::TooLong),
                other => Ok(other.map(str::to_owned)),
            }
        };
        let link = clean(link)?;
        if let Some(l) = &link {
            let lower = l.to_ascii_lowercase();
            let rest = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"));
            if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) {
                return Err(MeetingError::Link(l.clone()));
            }
        }
        if provider == MeetingProvider::Custom && link.is_none() {
            return Err(MeetingError::CustomWithoutLink);
        }
        Ok(Self {
            provider,
            link,
            id: clean(id)?,
            passcode: clean(passcode)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_details_are_checked() {
        use MeetingProvider::*;
        for (provider, link, expect) in [
            (Zoom, Some("https://zoom.us/j/123"), Ok(())),
            (Zoom, None, Ok(())),
            (Zoom, Some("  "), Ok(())),
            (Custom, Some("http://studio.example/room"), Ok(())),
            (Custom, None, Err(MeetingError::CustomWithoutLink)),
            (
                Teams,
                Some("javascript:alert(1)"),
                Err(MeetingError::Link("javascript:alert(1)".into())),
            ),
            (
                GoogleMeet,
                Some("https://"),
                Err(MeetingError::Link("https://".into())),
            ),
        ] {
            assert_eq!(
                Meeting::parse(provider, link, Some("123"), None).map(|_| ()),
                expect,
                "{provider:?} {link:?}"
            );
        }
        assert_eq!(
            Meeting::parse(Zoom, None, Some(&"9".repeat(501)), None),
            Err(MeetingError::TooLong)
        );
        for p in [Zoom, GoogleMeet, Teams, Custom] {
            assert_eq!(MeetingProvider::parse(p.as_str()), Some(p));
        }
    }
}
