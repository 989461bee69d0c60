//! Errors at the edge.
//!
//! Expected failures are data: `userErrors { field message code }` in the
//! mutation payload, built from domain errors by the `From` impls here: the
//! booking core's `BookingError` and `PolicyError` are mapped to their input
//! fields and codes only here. (Scheduling and identity validations still
//! return `kernel::FieldError`, which names its field itself.) Everything else is a masked GraphQL error:
//! `extensions.code = "INTERNAL"` and an `errorId` the operator can find in
//! the log, which holds the full `source()` chain. No SQL text or panic
//! message ever reaches a client.

use async_graphql::{Enum, ErrorExtensions, SimpleObject};
use booking::series_rule::RuleError;
use booking::{BookingError, Missing, PolicyError, PolicyRule, PolicyViolation};
use kernel::{FieldError, UserErrorCode};
use scheduling::generation::GenerationError;

/// Stable codes of expected failures.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "UserErrorCode")]
pub enum Code {
    /// The input is malformed or out of range.
    Invalid,
    /// The RRULE could not be parsed or uses an unsupported part.
    InvalidRrule,
    /// The time zone is not a known IANA name.
    UnknownTimeZone,
    /// The id names nothing in your school.
    NotFound,
    /// The date reaches further ahead than allowed.
    BeyondHorizon,
    /// Conflicts refused the operation.
    Conflict,
    /// The object's state does not allow this.
    InvalidState,
    /// Already taken (e.g. an email).
    Taken,
    /// Wrong email or password.
    InvalidCredentials,
    /// A size or count limit was exceeded (e.g. page size).
    LimitExceeded,
    /// Too many failed attempts; wait before trying again.
    TooManyAttempts,
    /// The idempotency key was already used for a different request.
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
    /// Outside the teacher's published availability (or they published none).
    OutsideAvailability,
    /// The student already has a place.
    AlreadyBooked,
    /// The staff member lacks the required teaching role.
    NotQualified,
    /// Your role does not allow this.
    Forbidden,
}

impl From<UserErrorCode> for Code {
    fn from(code: UserErrorCode) -> Self {
        match code {
            UserErrorCode::Invalid => Self::Invalid,
            UserErrorCode::InvalidRrule => Self::InvalidRrule,
            UserErrorCode::UnknownTimeZone => Self::UnknownTimeZone,
            UserErrorCode::NotFound => Self::NotFound,
            UserErrorCode::BeyondHorizon => Self::BeyondHorizon,
            UserErrorCode::Conflict => Self::Conflict,
            UserErrorCode::InvalidState => Self::InvalidState,
            UserErrorCode::Taken => Self::Taken,
            UserErrorCode::InvalidCredentials => Self::InvalidCredentials,
            UserErrorCode::LimitExceeded => Self::LimitExceeded,
            UserErrorCode::TooManyAttempts => Self::TooManyAttempts,
            UserErrorCode::IdempotencyKeyReused => Self::IdempotencyKeyReused,
            UserErrorCode::MinNotice => Self::MinNotice,
            UserErrorCode::CancelWindowPassed => Self::CancelWindowPassed,
            UserErrorCode::DailyLimit => Self::DailyLimit,
            UserErrorCode::SessionFull => Self::SessionFull,
            UserErrorCode::SlotTaken => Self::SlotTaken,
            UserErrorCode::AlreadyBooked => Self::AlreadyBooked,
            UserErrorCode::NotQualified => Self::NotQualified,
        }
    }
}

/// An expected failure, reported in a payload.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// Path to the input field, e.g. `["input", "rrule"]`; null when the
    /// error is about the request as a whole.
    pub field: Option<Vec<String>>,
    /// What was wrong and how to fix it.
    pub message: String,
    /// Stable code to switch on.
    pub code: Code,
}

impl UserError {
    /// An error about `input.<field>`.
    pub fn input(field: &str, code: impl Into<Code>, message: impl Into<String>) -> Self {
        Self {
            field: Some(vec!["input".to_owned(), field.to_owned()]),
            message: message.into(),
            code: code.into(),
        }
    }

    /// An error about the request as a whole.
    pub fn general(code: impl Into<Code>, message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
            code: code.into(),
        }
    }
}

impl From<FieldError> for UserError {
    fn from(e: FieldError) -> Self {
        Self::input(e.field, e.code, e.message)
    }
}

impl From<GenerationError> for UserError {
    fn from(e: GenerationError) -> Self {
        let code = match &e {
            GenerationError::NotActive(_) => UserErrorCode::InvalidState,
            GenerationError::BeyondHorizon { .. } => UserErrorCode::BeyondHorizon,
            GenerationError::Recurrence(_) => UserErrorCode::InvalidRrule,
            GenerationError::Conflicts(_) => UserErrorCode::Conflict,
        };
        let field = match &e {
            GenerationError::BeyondHorizon { .. } => "through",
            _ => "seriesId",
        };
        Self::input(field, code, e.to_string())
    }
}

/// The input field a missing id was given in.
fn missing_field(m: Missing) -> &'static str {
    match m {
        Missing::Session => "sessionId",
        Missing::Teacher => "teacherId",
        Missing::Offering => "offeringId",
        Missing::Series => "seriesId",
        Missing::SessionOfSeries => "sessionIds",
        Missing::Booking => "bookingId",
        Missing::WaitlistEntry => "entryId",
        Missing::RosterPlace => "entries",
    }
}

impl From<BookingError> for UserError {
    /// The one mapping from the booking core's refusals to the wire: which
    /// input field each is about and its stable code.
    fn from(e: BookingError) -> Self {
        use BookingError as E;
        let (field, code) = match &e {
            E::NotFound(m) => (missing_field(*m), Code::NotFound),
            E::Policy(v) => match v {
                PolicyViolation::MinNotice { .. } => ("startsAt", Code::MinNotice),
                PolicyViolation::BeyondHorizon { .. } => ("startsAt", Code::BeyondHorizon),
                PolicyViolation::DailyLimit { .. } => ("startsAt", Code::DailyLimit),
                PolicyViolation::CancelWindowPassed { .. } => {
                    ("bookingId", Code::CancelWindowPassed)
                }
            },
            E::Full(_) => ("seats", Code::SessionFull),
            E::AlreadyBooked(_) => ("studentId", Code::AlreadyBooked),
            E::NotBookable(booking::NotBookable::NothingLeft) => ("seriesId", Code::InvalidState),
            E::NotBookable(_) => ("sessionId", Code::InvalidState),
            E::SlotTaken => ("startsAt", Code::SlotTaken),
            E::OutsideAvailability | E::NoPublishedAvailability => {
                ("startsAt", Code::OutsideAvailability)
            }
            E::OutsideMeeting | E::WrongMove => ("startsAt", Code::Invalid),
            E::LessonLength => ("durationMinutes", Code::Invalid),
            E::SeatCount => ("seats", Code::Invalid),
            E::Transition(_) => ("bookingId", Code::InvalidState),
            E::OfferClosed => ("entryId", Code::InvalidState),
            E::NotEnrolled => ("studentId", Code::InvalidState),
            E::Registration(_) => ("sessionIds", Code::Invalid),
            E::Rule(r) => (
                match r {
                    RuleError::Interval => "interval",
                    RuleError::DaysOfWeek => "daysOfWeek",
                    RuleError::NoEnd | RuleError::Count | RuleError::Empty => "count",
                    RuleError::UntilBeforeStart => "until",
                    RuleError::Unexpandable => "frequency",
                },
                Code::Invalid,
            ),
        };
        Self::input(field, code, e.to_string())
    }
}

impl From<PolicyError> for UserError {
    fn from(e: PolicyError) -> Self {
        let field = match e.rule {
            PolicyRule::MinNotice => "minNoticeHours",
            PolicyRule::CancelWindow => "cancelWindowHours",
            PolicyRule::BufferBefore => "bufferBeforeMinutes",
            PolicyRule::BufferAfter => "bufferAfterMinutes",
            PolicyRule::MaxPerDay => "maxBookingsPerDay",
            PolicyRule::Horizon => "horizonDays",
            PolicyRule::WaitlistOffer => "waitlistOfferMinutes",
        };
        Self::input(field, Code::Invalid, e.message)
    }
}

/// Masks an unexpected error: logs it with an id and returns only the id.
pub fn internal(err: impl std::error::Error) -> async_graphql::Error {
    let error_id = uuid::Uuid::new_v4();
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    tracing::error!(%error_id, error = %chain, "internal error");
    async_graphql::Error::new(format!(
        "internal error; quote error id {error_id} when reporting it"
    ))
    .extend_with(|_, e| {
        e.set("code", "INTERNAL");
        e.set("errorId", error_id.to_string());
    })
}

/// The request has no valid login.
pub fn unauthenticated(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "UNAUTHENTICATED"))
}

/// The viewer's role does not allow this.
pub fn forbidden(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "FORBIDDEN"))
}

/// A query argument is invalid (queries have no payload for userErrors).
pub fn bad_input(field: &str, code: Code, message: impl Into<String>) -> async_graphql::Error {
    let code = async_graphql::InputType::to_value(&code);
    let field = field.to_owned();
    async_graphql::Error::new(message.into()).extend_with(move |_, e| {
        e.set("code", code.clone());
        e.set("field", field.clone());
    })
}
