//! Leads: a family's first contact, before anyone is a student.
//!
//! A lead moves NEW_BOOKING → CONFIRMED → EVALUATION_COMPLETE → REGISTERED
//! (by conversion), and may be ARCHIVED from any state but ARCHIVED. Two
//! leads with the same parent email or phone are flagged as duplicates,
//! never merged: the office decides.

use chrono::NaiveDate;
use kernel::text::{TextError, email, required_text};

/// Where a lead stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadStatus {
    /// A parent asked for an evaluation.
    NewBooking,
    /// The evaluation is agreed.
    Confirmed,
    /// The evaluation happened.
    EvaluationComplete,
    /// Converted: the child is a student.
    Registered,
    /// Closed without (further) action.
    Archived,
}

impl LeadStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [
        Self::NewBooking,
        Self::Confirmed,
        Self::EvaluationComplete,
        Self::Registered,
        Self::Archived,
    ];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewBooking => "NEW_BOOKING",
            Self::Confirmed => "CONFIRMED",
            Self::EvaluationComplete => "EVALUATION_COMPLETE",
            Self::Registered => "REGISTERED",
            Self::Archived => "ARCHIVED",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Moves to `to`, if that is a legal step. REGISTERED is reached only
    /// by [`convert`], which creates the student.
    pub fn transition(self, to: LeadStatus) -> Result<LeadStatus, LeadStep> {
        use LeadStatus::*;
        let legal = matches!(
            (self, to),
            (NewBooking, Confirmed)
                | (Confirmed, EvaluationComplete)
                | (
                    NewBooking | Confirmed | EvaluationComplete | Registered,
                    Archived
                )
        );
        if legal {
            Ok(to)
        } else {
            Err(LeadStep { from: self, to })
        }
    }
}

/// An illegal lead status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a lead cannot go from {} to {}; it moves NEW_BOOKING → CONFIRMED → EVALUATION_COMPLETE → REGISTERED (by convertLead), and may be ARCHIVED from any other status",
    from.as_str(),
    to.as_str()
)]
pub struct LeadStep {
    /// The current status.
    pub from: LeadStatus,
    /// The status asked for.
    pub to: LeadStatus,
}

/// A validated new lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLead {
    /// The parent's name.
    pub parent_name: String,
    /// The parent's email, lower case.
    pub parent_email: Option<String>,
    /// The parent's phone, digits (and a leading +) only.
    pub parent_phone: Option<String>,
    /// The child's first name.
    pub child_first_name: String,
    /// The child's last name.
    pub child_last_name: String,
    /// The child's date of birth.
    pub child_birth_date: Option<NaiveDate>,
    /// How they heard of the school.
    pub source: Option<String>,
    /// Notes from the call.
    pub notes: Option<String>,
}

/// Why a lead was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LeadError {
    /// The parent's name.
    #[error("parentName: {0}")]
    ParentName(TextError),
    /// The child's first name.
    #[error("childFirstName: {0}")]
    ChildFirstName(TextError),
    /// The child's last name.
    #[error("childLastName: {0}")]
    ChildLastName(TextError),
    /// No way to reach the parent.
    #[error("give the parent's email or phone, so the school can call back")]
    NoContact,
    /// A malformed email.
    #[error("the parent's email is not an email address")]
    Email,
    /// A malformed phone number.
    #[error(
        "the parent's phone must have 6 to 20 digits (spaces, dashes, dots and brackets are ignored)"
    )]
    Phone,
}

/// A phone number as compared and stored: digits, with a leading `+` kept.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let plus = raw.starts_with('+');
    let mut digits = String::new();
    for c in raw.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            '+' if digits.is_empty() => {}
            _ => return None,
        }
    }
    if !(6..=20).contains(&digits.len()) {
        return None;
    }
    Some(if plus { format!("+{digits}") } else { digits })
}

impl NewLead {
    /// Validates a lead.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        parent_name: &str,
        parent_email: Option<&str>,
        parent_phone: Option<&str>,
        child_first_name: &str,
        child_last_name: &str,
        child_birth_date: Option<NaiveDate>,
        source: Option<&str>,
        notes: Option<&str>,
    ) -> Result<Self, LeadError> {
        let parent_email = match blank(parent_email) {
            Some(e) => Some(email(e).map_err(|_| LeadError::Email)?),
            None => None,
        };
        let parent_phone = match blank(parent_phone) {
            Some(p) => Some(normalize_phone(p).ok_or(LeadError::Phone)?),
            None => None,
        };
        if parent_email.is_none() && parent_phone.is_none() {
            return Err(LeadError::NoContact);
        }
        Ok(Self {
            parent_name: required_text(parent_name).map_err(LeadError::ParentName)?,
            parent_email,
            parent_phone,
            child_first_name: required_text(child_first_name).map_err(LeadError::ChildFirstName)?,
            child_last_name: required_text(child_last_name).map_err(LeadError::ChildLastName)?,
            child_birth_date,
            source: blank(source).map(str::to_owned),
            notes: blank(notes).map(str::to_owned),
        })
    }
}

/// How an earlier lead can be reached, for duplicate detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact<Id> {
    /// The earlier lead.
    pub id: Id,
    /// Its parent's email, lower case.
    pub email: Option<String>,
    /// Its parent's phone, normalised.
    pub phone: Option<String>,
}

/// The first earlier lead (in the order given) with the same parent email
/// or phone: the new one is flagged with it, not merged.
pub fn duplicate_of<Id: Clone>(new: &NewLead, earlier: &[Contact<Id>]) -> Option<Id> {
    earlier
        .iter()
        .find(|c| {
            (new.parent_email.is_some() && c.email == new.parent_email)
                || (new.parent_phone.is_some() && c.phone == new.parent_phone)
        })
        .map(|c| c.id.clone())
}

fn blank(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// Whether a lead may be converted into a student now: only after its
/// evaluation (EVALUATION_COMPLETE → REGISTERED).
pub fn convert(status: LeadStatus) -> Result<LeadStatus, LeadStep> {
    if status == LeadStatus::EvaluationComplete {
        Ok(LeadStatus::Registered)
    } else {
        Err(LeadStep {
            from: status,
            to: LeadStatus::Registered,
        })
    }
}

/// The session an evaluation is booked into, as the rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvaluationSession {
    /// It has a teacher.
    pub has_teacher: bool,
    /// Its offering is an EVALUATION.
    pub is_evaluation: bool,
    /// It was cancelled.
    pub cancelled: bool,
    /// It starts.
    pub starts_at: chrono::DateTime<chrono::Utc>,
}

/// Why an evaluation could not be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationError {
    /// The lead's status does not allow it.
    #[error("{0}")]
    Step(LeadStep),
    /// The session has no teacher.
    #[error("an evaluation needs a teacher: give the session one first")]
    NoTeacher,
    /// Not an EVALUATION session.
    #[error("an evaluation is a session of an EVALUATION offering; create one with createSession")]
    NotEvaluation,
    /// Cancelled or already started.
    #[error("the session is cancelled or has already started; book a session still to come")]
    NotAhead,
}

/// Decides booking a lead's evaluation into a session at `now`: a new
/// lead becomes CONFIRMED; a confirmed one keeps its status and gets the
/// new session.
pub fn book_evaluation(
    status: LeadStatus,
    session: EvaluationSession,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<LeadStatus, EvaluationError> {
    if !session.is_evaluation {
        return Err(EvaluationError::NotEvaluation);
    }
    if !session.has_teacher {
        return Err(EvaluationError::NoTeacher);
    }
    if session.cancelled || session.starts_at <= now {
        return Err(EvaluationError::NotAhead);
    }
    match status {
        LeadStatus::Confirmed => Ok(LeadStatus::Confirmed),
        other => other
            .transition(LeadStatus::Confirmed)
            .map_err(EvaluationError::Step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_status_table() {
        use LeadStatus::*;
        // from → the statuses it may move to
        let table: [(LeadStatus, &[LeadStatus]); 5] = [
            (NewBooking, &[Confirmed, Archived]),
            (Confirmed, &[EvaluationComplete, Archived]),
            (EvaluationComplete, &[Archived]),
            (Registered, &[Archived]),
            (Archived, &[]),
        ];
        for (from, legal) in table {
            for to in LeadStatus::ALL {
                let got = from.transition(to);
                if legal.contains(&to) {
                    assert_eq!(got, Ok(to), "{from:?} → {to:?}");
                } else {
                    assert_eq!(got, Err(LeadStep { from, to }), "{from:?} → {to:?}");
                }
            }
        }
        assert_eq!(convert(EvaluationComplete), Ok(Registered));
        for s in [NewBooking, Confirmed, Registered, Archived] {
            assert_eq!(
                convert(s),
                Err(LeadStep {
                    from: s,
                    to: Registered
                })
            );
        }
        for s in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn evaluations_are_evaluation_sessions_with_a_teacher_still_to_come() {
        use chrono::TimeZone as _;
        let now = chrono::Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let ok = EvaluationSession {
            has_teacher: true,
            is_evaluation: true,
            cancelled: false,
            starts_at: now + chrono::Duration::days(2),
        };
        assert_eq!(
            book_evaluation(LeadStatus::NewBooking, ok, now),
            Ok(LeadStatus::Confirmed)
        );
        assert_eq!(
            book_evaluation(LeadStatus::Confirmed, ok, now),
            Ok(LeadStatus::Confirmed)
        );
        let table = [
            (
                EvaluationSession {
                    has_teacher: false,
                    ..ok
                },
                EvaluationError::NoTeacher,
            ),
            (
                EvaluationSession {
                    is_evaluation: false,
                    ..ok
                },
                EvaluationError::NotEvaluation,
            ),
            (
                EvaluationSession {
                    cancelled: true,
                    ..ok
                },
                EvaluationError::NotAhead,
            ),
            (
                EvaluationSession {
                    starts_at: now,
                    ..ok
                },
                EvaluationError::NotAhead,
            ),
        ];
        for (session, want) in table {
            assert_eq!(
                book_evaluation(LeadStatus::NewBooking, session, now),
                Err(want)
            );
        }
        assert!(matches!(
            book_evaluation(LeadStatus::Archived, ok, now),
            Err(EvaluationError::Step(_))
        ));
    }

    fn lead(email: Option<&str>, phone: Option<&str>) -> Result<NewLead, LeadError> {
        NewLead::parse("Mia Chen", email, phone, "Lily", "Chen", None, None, None)
    }

    #[test]
    fn a_lead_needs_a_way_to_call_back() {
        assert_eq!(lead(None, None), Err(LeadError::NoContact));
        assert_eq!(lead(Some("  "), Some("")), Err(LeadError::NoContact));
        assert_eq!(lead(Some("not-an-email"), None), Err(LeadError::Email));
        assert_eq!(lead(None, Some("12")), Err(LeadError::Phone));
        assert_eq!(lead(None, Some("call me")), Err(LeadError::Phone));
        let ok = lead(Some("Mia@Example.org"), Some("+44 (20) 7946-0958")).unwrap();
        assert_eq!(ok.parent_phone.as_deref(), Some("+442079460958"));
    }

    #[test]
    fn duplicates_are_found_by_email_or_phone_and_only_flagged() {
        let earlier = vec![
            Contact {
                id: 1,
                email: Some("other@example.org".into()),
                phone: None,
            },
            Contact {
                id: 2,
                email: None,
                phone: Some("02079460958".into()),
            },
        ];
        let by_phone = lead(Some("new@example.org"), Some("020 7946 0958")).unwrap();
        assert_eq!(duplicate_of(&by_phone, &earlier), Some(2));
        let fresh = lead(Some("new@example.org"), None).unwrap();
        assert_eq!(duplicate_of(&fresh, &earlier), None);
        let by_email = lead(Some("other@example.org"), None).unwrap();
        assert_eq!(duplicate_of(&by_email, &earlier), Some(1));
    }
}
