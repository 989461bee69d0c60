//! People's profiles as the seeds name them: a student's instruments,
//! level, guardian, emergency contact and consents; a school's branding.
//!
//! Consents are the one part of a profile with a rule of their own: only
//! a parent of the student or the office may change them (a student may
//! not give their own parental consent), and every change is recorded.

use kernel::text::{TextError, email, required_text};

use crate::lead::normalize_phone;

/// How far a student has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkillLevel {
    /// Just started.
    Beginner,
    /// Knows the basics.
    Elementary,
    /// Plays with ease.
    Intermediate,
    /// Plays well.
    Advanced,
    /// Plays for a living.
    Professional,
}

impl SkillLevel {
    /// Every level, lowest first.
    pub const ALL: [Self; 5] = [
        Self::Beginner,
        Self::Elementary,
        Self::Intermediate,
        Self::Advanced,
        Self::Professional,
    ];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Beginner => "BEGINNER",
            Self::Elementary => "ELEMENTARY",
            Self::Intermediate => "INTERMEDIATE",
            Self::Advanced => "ADVANCED",
            Self::Professional => "PROFESSIONAL",
        }
    }

    /// The level with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Most instruments one student lists.
pub const MAX_INSTRUMENTS: usize = 10;

/// A student's profile beyond their name, as validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StudentProfile {
    /// Instruments, the main one first.
    pub instruments: Vec<String>,
    /// Level.
    pub skill_level: Option<SkillLevel>,
    /// Guardian's name.
    pub guardian_name: Option<String>,
    /// Guardian's phone, normalised.
    pub guardian_phone: Option<String>,
    /// Guardian's email, lower case.
    pub guardian_email: Option<String>,
    /// Emergency contact's name.
    pub emergency_name: Option<String>,
    /// Emergency contact's phone, normalised.
    pub emergency_phone: Option<String>,
    /// How the emergency contact is related.
    pub emergency_relation: Option<String>,
}

/// Why a profile was refused; each names its field for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// An instrument's name.
    #[error("instruments: {0}")]
    Instrument(TextError),
    /// Too many instruments.
    #[error("list at most {MAX_INSTRUMENTS} instruments")]
    TooManyInstruments,
    /// A name.
    #[error("{0}")]
    Name(TextError),
    /// A phone number.
    #[error("a phone number has 6 to 20 digits (spaces, dashes, dots and brackets are ignored)")]
    Phone,
    /// An email.
    #[error("that is not an email address")]
    Email,
}

fn optional_text(v: Option<&str>) -> Result<Option<String>, ProfileError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        Some(t) => required_text(t).map(Some).map_err(ProfileError::Name),
        None => Ok(None),
    }
}

fn optional_phone(v: Option<&str>) -> Result<Option<String>, ProfileError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        Some(p) => normalize_phone(p).map(Some).ok_or(ProfileError::Phone),
        None => Ok(None),
    }
}

/// What a profile form sends (empty strings clear a field).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfileForm<'a> {
    /// Instruments, main first.
    pub instruments: &'a [String],
    /// Level.
    pub skill_level: Option<SkillLevel>,
    /// Guardian's name.
    pub guardian_name: Option<&'a str>,
    /// Guardian's phone.
    pub guardian_phone: Option<&'a str>,
    /// Guardian's email.
    pub guardian_email: Option<&'a str>,
    /// Emergency contact's name.
    pub emergency_name: Option<&'a str>,
    /// Emergency contact's phone.
    pub emergency_phone: Option<&'a str>,
    /// Emergency contact's relation.
    pub emergency_relation: Option<&'a str>,
}

impl StudentProfile {
    /// Validates a profile form.
    pub fn parse(form: ProfileForm<'_>) -> Result<Self, ProfileError> {
        if form.instruments.len() > MAX_INSTRUMENTS {
            return Err(ProfileError::TooManyInstruments);
        }
        let instruments = form
            .instruments
            .iter()
            .map(|i| required_text(i).map_err(ProfileError::Instrument))
            .collect::<Result<Vec<_>, _>>()?;
        let guardian_email = match form.guardian_email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => Some(email(e).map_err(|_| ProfileError::Email)?),
            None => None,
        };
        Ok(Self {
            instruments,
            skill_level: form.skill_level,
            guardian_name: optional_text(form.guardian_name)?,
            guardian_phone: optional_phone(form.guardian_phone)?,
            guardian_email,
            emergency_name: optional_text(form.emergency_name)?,
            emergency_phone: optional_phone(form.emergency_phone)?,
            emergency_relation: optional_text(form.emergency_relation)?,
        })
    }
}

/// A consent a student's record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Consent {
    /// A parent agrees to the student taking part.
    Parental,
    /// Photos and videos may be posted.
    SocialMedia,
}

impl Consent {
    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parental => "PARENTAL",
            Self::SocialMedia => "SOCIAL_MEDIA",
        }
    }

    /// The consent with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Parental, Self::SocialMedia]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// Who is changing a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentGiver {
    /// Admin or staff.
    Office,
    /// A parent acting for the student.
    Parent,
    /// Anyone else (the student themselves, a teacher).
    Other,
}

/// A consent change to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct ConsentChange {
    /// Which consent.
    pub consent: Consent,
    /// Its value before.
    pub from: bool,
    /// Its value now.
    pub to: bool,
}

/// A consent change by someone who may not make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("only a parent of the student or the office may change their consents")]
pub struct NotYourConsent;

/// Decides setting a consent: `None` when nothing changes (no record),
/// the change to record, or a refusal for anyone but a parent or the
/// office.
pub fn set_consent(
    who: ConsentGiver,
    consent: Consent,
    now: bool,
    to: bool,
) -> Result<Option<ConsentChange>, NotYourConsent> {
    if who == ConsentGiver::Other {
        return Err(NotYourConsent);
    }
    Ok((now != to).then_some(ConsentChange {
        consent,
        from: now,
        to,
    }))
}

/// A school's branding, as validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Branding {
    /// Its logo's URL (https).
    pub logo_url: Option<String>,
    /// Its colour, `#rrggbb`.
    pub brand_color: Option<String>,
    /// The host name families reach it at.
    pub custom_domain: Option<String>,
    /// Its phone.
    pub phone: Option<String>,
    /// Its website (http or https).
    pub website: Option<String>,
}

/// Why branding was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BrandingError {
    /// Not an https URL.
    #[error("logoUrl must be an https:// URL")]
    LogoUrl,
    /// Not a colour.
    #[error("brandColor must look like #1f8a70")]
    Color,
    /// Not a host name.
    #[error("customDomain must be a host name like lessons.example.org")]
    Domain,
    /// A phone number.
    #[error("phone must have 6 to 20 digits")]
    Phone,
    /// Not an http(s) URL.
    #[error("website must be an http:// or https:// URL")]
    Website,
}

fn url_with(v: &str, schemes: &[&str]) -> bool {
    schemes.iter().any(|s| {
        v.strip_prefix(s)
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
    }) && v.len() <= 2000
}

/// Validates a school's branding (blank fields clear).
pub fn branding(
    logo_url: Option<&str>,
    brand_color: Option<&str>,
    custom_domain: Option<&str>,
    phone: Option<&str>,
    website: Option<&str>,
) -> Result<Branding, BrandingError> {
    let set = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let logo_url = set(logo_url);
    if logo_url
        .as_deref()
        .is_some_and(|u| !url_with(u, &["https://"]))
    {
        return Err(BrandingError::LogoUrl);
    }
    let brand_color = set(brand_color).map(|c| c.to_ascii_lowercase());
    if brand_color.as_deref().is_some_and(|c| {
        c.len() != 7 || !c.starts_with('#') || !c[1..].chars().all(|h| h.is_ascii_hexdigit())
    }) {
        return Err(BrandingError::Color);
    }
    let custom_domain = set(custom_domain).map(|d| d.to_ascii_lowercase());
    if custom_domain.as_deref().is_some_and(|d| {
        d.len() > 253
            || !d.contains('.')
            || d.split('.').any(|label| {
                label.is_empty()
                    || label.len() > 63
                    || label.starts_with('-')
                    || label.ends_with('-')
                    || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    }) {
        return Err(BrandingError::Domain);
    }
    let phone = match set(phone) {
        Some(p) => Some(normalize_phone(&p).ok_or(BrandingError::Phone)?),
        None => None,
    };
    let website = set(website);
    if website
        .as_deref()
        .is_some_and(|u| !url_with(u, &["https://", "http://"]))
    {
        return Err(BrandingError::Website);
    }
    Ok(Branding {
        logo_url,
        brand_color,
        custom_domain,
        phone,
        website,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consents_change_only_by_a_parent_or_the_office_and_only_changes_are_recorded() {
        // (who, now, to) -> outcome
        let table = [
            (ConsentGiver::Office, false, true, Ok(true)),
            (ConsentGiver::Parent, true, false, Ok(true)),
            (ConsentGiver::Parent, true, true, Ok(false)),
            (ConsentGiver::Other, false, true, Err(NotYourConsent)),
        ];
        for (who, now, to, want) in table {
            let got = set_consent(who, Consent::Parental, now, to).map(|c| c.is_some());
            assert_eq!(got, want, "{who:?} {now} → {to}");
        }
    }

    #[test]
    fn a_profile_normalises_contacts_and_refuses_nonsense() {
        let instruments = vec!["Piano".to_owned(), "Voice".to_owned()];
        let p = StudentProfile::parse(ProfileForm {
            instruments: &instruments,
            skill_level: Some(SkillLevel::Elementary),
            guardian_email: Some("Mia@Example.org"),
            emergency_phone: Some("+44 20 7946 0958"),
            emergency_name: Some("Grandma"),
            ..ProfileForm::default()
        })
        .unwrap();
        assert_eq!(p.guardian_email.as_deref(), Some("mia@example.org"));
        assert_eq!(p.emergency_phone.as_deref(), Some("+442079460958"));
        let bad_phone = ProfileForm {
            emergency_phone: Some("call me"),
            ..ProfileForm::default()
        };
        assert_eq!(StudentProfile::parse(bad_phone), Err(ProfileError::Phone));
        let many = vec!["x".to_owned(); 11];
        let too_many = ProfileForm {
            instruments: &many,
            ..ProfileForm::default()
        };
        assert_eq!(
            StudentProfile::parse(too_many),
            Err(ProfileError::TooManyInstruments)
        );
    }

    #[test]
    fn branding_checks_each_field() {
        let ok = branding(
            Some("https://cdn.example.org/logo.png"),
            Some("#1F8A70"),
            Some("Lessons.Example.org"),
            Some("+1 555 010 9999"),
            Some("http://example.org"),
        )
        .unwrap();
        assert_eq!(ok.brand_color.as_deref(), Some("#1f8a70"));
        assert_eq!(ok.custom_domain.as_deref(), Some("lessons.example.org"));
        assert_eq!(
            branding(Some("http://x.org/l.png"), None, None, None, None),
            Err(BrandingError::LogoUrl)
        );
        assert_eq!(
            branding(None, Some("teal"), None, None, None),
            Err(BrandingError::Color)
        );
        assert_eq!(
            branding(None, None, Some("-bad-.example"), None, None),
            Err(BrandingError::Domain)
        );
        assert_eq!(
            branding(None, None, None, None, Some("ftp://x")),
            Err(BrandingError::Website)
        );
        assert_eq!(
            branding(Some(" "), None, None, None, None),
            Ok(Branding::default())
        );
    }
}
