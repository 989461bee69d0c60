//! Errors at the edge.
//!
//! Expected failures are data: `userErrors { field message code }` in the
//! mutation payload, built from domain errors by the `From` impls here: the
//! domain crates' errors (`BookingError`, `PolicyError`, `ScheduleError`,
//! `SeriesError`, `OfferingError`, `RoomError`, `WindowError`,
//! `HybridError`, `GenerationError`) say what went wrong, and are mapped to
//! their input fields and stable codes only here. [`FieldError`] is the
//! gateway's own refusal of a named input field. Everything else is a masked GraphQL error:
//! `extensions.code = "INTERNAL"` and an `errorId` the operator can find in
//! the log, which holds the full `source()` chain. No SQL text or panic
//! message ever reaches a client.

use async_graphql::{Enum, ErrorExtensions, SimpleObject};
use booking::series_rule::RuleError;
use booking::{BookingError, Missing, PolicyError, PolicyRule, PolicyViolation};
use resources::{EquipmentError, MaintenanceError, RequirementError, RoomError};
use scheduling::generation::GenerationError;
use scheduling::hybrid::HybridError;
use scheduling::{OfferingError, ScheduleError, SchedulePart, SeriesError, WindowError};

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
    /// Not enough equipment free at that time (the message names the
    /// equipment, the units needed and the units available).
    EquipmentUnavailable,
    /// Upcoming work still depends on the row being archived (the message
    /// counts it).
    InUse,
    /// The row is archived: nothing new may use it.
    Archived,
    /// The payment provider could not be reached or refused; try again.
    ProviderUnavailable,
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
            // `changes.startTime` names a nested field: one path element each.
            field: Some(
                std::iter::once("input")
                    .chain(field.split('.'))
                    .map(str::to_owned)
                    .collect(),
            ),
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

/// A refused input value the gateway names itself: which input field, a
/// stable code, and a sentence saying what was wrong and how to fix it.
/// Domain errors say only what went wrong; the `From` impls below give them
/// their field here, at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input field, camelCase as the client sent it.
    pub field: &'static str,
    /// Stable code.
    pub code: Code,
    /// What was wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    /// An `INVALID` error on `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            code: Code::Invalid,
            message: message.into(),
        }
    }

    /// A `NOT_FOUND` error on `field`: the id names nothing in the viewer's school.
    pub fn not_found(field: &'static str, what: &str) -> Self {
        Self {
            field,
            code: Code::NotFound,
            message: format!("no {what} with this id exists in your school"),
        }
    }

    /// Archiving refused (`IN_USE`), or an archived row offered for new use
    /// (`ARCHIVED`), on `field`.
    pub fn archive(field: &'static str, e: kernel::ArchiveError) -> Self {
        let code = match e {
            kernel::ArchiveError::InUse { .. } => Code::InUse,
            kernel::ArchiveError::Archived { .. } => Code::Archived,
        };
        Self {
            field,
            code,
            message: e.to_string(),
        }
    }
}

impl From<FieldError> for UserError {
    fn from(e: FieldError) -> Self {
        Self::input(e.field, e.code, e.message)
    }
}

/// A required human-entered text in input `field` (`kernel::text`).
pub fn required_text(field: &'static str, value: &str) -> Result<String, FieldError> {
    kernel::text::required_text(value).map_err(|e| FieldError::invalid(field, e.to_string()))
}

/// An email address in input `field`, lower-cased (`kernel::text`).
pub fn email(field: &'static str, value: &str) -> Result<String, FieldError> {
    kernel::text::email(value).map_err(|e| FieldError::invalid(field, e.to_string()))
}

impl From<ScheduleError> for FieldError {
    fn from(e: ScheduleError) -> Self {
        let field = match e.part() {
            SchedulePart::StartDate => "startDate",
            SchedulePart::StartTime => "startTime",
            SchedulePart::Duration => "durationMinutes",
            SchedulePart::Timezone => "timezone",
            SchedulePart::EndDate => "endDate",
            SchedulePart::Count => "count",
            SchedulePart::Rule => "rrule",
            SchedulePart::DaysOfWeek => "daysOfWeek",
            SchedulePart::IntervalWeeks => "intervalWeeks",
            SchedulePart::EndTime => "endTime",
            SchedulePart::Rdates => "rdates",
        };
        let code = match &e {
            ScheduleError::TimeZone(_) => Code::UnknownTimeZone,
            ScheduleError::Rrule(_) => Code::InvalidRrule,
            _ => Code::Invalid,
        };
        Self {
            field,
            code,
            message: e.to_string(),
        }
    }
}

impl From<SeriesError> for FieldError {
    fn from(e: SeriesError) -> Self {
        match e {
            SeriesError::Schedule(s) => s.into(),
            SeriesError::RoomElsewhere => Self::invalid("roomId", e.to_string()),
            SeriesError::Capacity(_) => Self::invalid("capacity", e.to_string()),
            SeriesError::Count => Self::invalid("count", e.to_string()),
        }
    }
}

impl From<OfferingError> for FieldError {
    fn from(e: OfferingError) -> Self {
        let field = match e {
            OfferingError::Title(_) => "title",
            OfferingError::Duration(_) => "defaultDurationMinutes",
            OfferingError::Capacity(_) => "defaultCapacity",
        };
        Self::invalid(field, e.to_string())
    }
}

impl From<RoomError> for FieldError {
    fn from(e: RoomError) -> Self {
        let field = match e {
            RoomError::Name(_) => "name",
            RoomError::Capacity(_) => "capacity",
        };
        Self::invalid(field, e.to_string())
    }
}

impl From<EquipmentError> for FieldError {
    fn from(e: EquipmentError) -> Self {
        let field = match e {
            EquipmentError::Name(_) => "name",
            EquipmentError::Unit(_) => "unit",
            EquipmentError::Quantity(_) => "quantity",
        };
        Self::invalid(field, e.to_string())
    }
}

impl From<MaintenanceError> for FieldError {
    fn from(e: MaintenanceError) -> Self {
        let field = match e {
            MaintenanceError::Quantity { .. } => "quantity",
            MaintenanceError::EndsBeforeStart => "to",
        };
        Self::invalid(field, e.to_string())
    }
}

/// A refused list of equipment items; `quantity` names the items' number
/// field (`perStudent` for requirements, `quantity` for a booking's).
pub fn items_error(e: RequirementError, quantity: &str) -> UserError {
    let at = |index: usize, leaf: &str| {
        Some(vec![
            "input".to_owned(),
            "items".to_owned(),
            index.to_string(),
            leaf.to_owned(),
        ])
    };
    let field = match e {
        RequirementError::PerStudent { index, .. } => at(index, quantity),
        RequirementError::Repeated { index } => at(index, "equipmentId"),
        RequirementError::TooMany => Some(vec!["input".to_owned(), "items".to_owned()]),
    };
    UserError {
        field,
        message: format!("{quantity}: {e}"),
        code: Code::Invalid,
    }
}

impl From<resources::Shortage> for UserError {
    fn from(e: resources::Shortage) -> Self {
        Self::input(
            "quantity",
            Code::EquipmentUnavailable,
            format!("{e}; choose another time or fewer units"),
        )
    }
}

impl From<WindowError> for FieldError {
    fn from(e: WindowError) -> Self {
        Self::invalid("availability", e.to_string())
    }
}

impl From<HybridError> for FieldError {
    fn from(e: HybridError) -> Self {
        let field = match e {
            HybridError::Length => "cycleLengthWeeks",
            HybridError::NoWeeks | HybridError::WeekOutside { .. } => "oneOnOneWeeks",
        };
        Self::invalid(field, e.to_string())
    }
}

impl From<kernel::TimeZoneError> for FieldError {
    fn from(e: kernel::TimeZoneError) -> Self {
        Self {
            field: "timezone",
            code: Code::UnknownTimeZone,
            message: e.to_string(),
        }
    }
}

impl From<kernel::CurrencyError> for FieldError {
    fn from(e: kernel::CurrencyError) -> Self {
        Self::invalid("currency", e.to_string())
    }
}

impl From<scheduling::StatusError> for FieldError {
    fn from(e: scheduling::StatusError) -> Self {
        Self {
            field: "status",
            code: Code::InvalidState,
            message: e.to_string(),
        }
    }
}

impl From<kernel::policy::LastAdmin> for FieldError {
    fn from(e: kernel::policy::LastAdmin) -> Self {
        Self {
            field: "roles",
            code: Code::InvalidState,
            message: e.to_string(),
        }
    }
}

/// Domain errors that name their field through [`FieldError`] become
/// userErrors through it.
macro_rules! user_error_via_field {
    ($($t:ty),*) => {$(
        impl From<$t> for UserError {
            fn from(e: $t) -> Self {
                FieldError::from(e).into()
            }
        }
    )*};
}

user_error_via_field!(
    ScheduleError,
    SeriesError,
    OfferingError,
    RoomError,
    WindowError,
    HybridError,
    kernel::TimeZoneError,
    kernel::CurrencyError,
    scheduling::StatusError,
    kernel::policy::LastAdmin
);

impl From<GenerationError> for UserError {
    fn from(e: GenerationError) -> Self {
        let code = match &e {
            GenerationError::NotActive(_) => Code::InvalidState,
            GenerationError::BeyondHorizon { .. } => Code::BeyondHorizon,
            GenerationError::Recurrence(_) => Code::InvalidRrule,
            GenerationError::Conflicts(_) => Code::Conflict,
        };
        let field = match &e {
            GenerationError::BeyondHorizon { .. } => "through",
            _ => "seriesId",
        };
        Self::input(field, code, e.to_string())
    }
}

impl From<scheduling::EditError> for UserError {
    /// A refused series edit: the schedule part at fault, the session it
    /// starts from, or the conflicts under FAIL.
    fn from(e: scheduling::EditError) -> Self {
        use scheduling::EditError as E;
        match e {
            E::Schedule(s) => {
                let f = FieldError::from(s);
                Self::input(&format!("changes.{}", f.field), f.code, f.message)
            }
            E::Generation(g) => g.into(),
            E::NoFromSession | E::NotInSeries | E::Started(_) => {
                let code = match e {
                    E::NoFromSession => Code::Invalid,
                    E::NotInSeries => Code::NotFound,
                    _ => Code::InvalidState,
                };
                Self::input("fromSessionId", code, e.to_string())
            }
            E::Ended | E::NothingAfter => {
                Self::input("seriesId", Code::InvalidState, e.to_string())
            }
            E::PatternWithThis => Self::input("scope", Code::Invalid, e.to_string()),
            E::Session(s) => {
                let mut err = Self::from(s);
                err.field = err.field.map(|mut f| {
                    f.insert(1, "changes".into());
                    f
                });
                err
            }
        }
    }
}

impl From<scheduling::SessionError> for UserError {
    /// A refused session change: its state, its times, its capacity, or
    /// the conflicts it would have.
    fn from(e: scheduling::SessionError) -> Self {
        use scheduling::SessionError as E;
        let (field, code) = match &e {
            E::AlreadyCancelled | E::AlreadyCompleted | E::NotStarted(_) => {
                ("sessionId", Code::InvalidState)
            }
            E::BelowTaken { .. } => ("capacity", Code::InvalidState),
            E::EndBeforeStart | E::TooLong => ("endsAt", Code::Invalid),
            E::RoomElsewhere => ("roomId", Code::Invalid),
            E::Conflicts(_) | E::Overlap => ("startsAt", Code::Conflict),
            E::Equipment(_) => ("startsAt", Code::EquipmentUnavailable),
        };
        Self::input(field, code, e.to_string())
    }
}

impl From<scheduling::MeetingError> for UserError {
    fn from(e: scheduling::MeetingError) -> Self {
        let field = match e {
            scheduling::MeetingError::TooLong => "meeting",
            _ => "meeting.link",
        };
        Self::input(field, Code::Invalid, e.to_string())
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
        Missing::Enrolment => "enrolmentId",
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
            E::Equipment(_) => ("seats", Code::EquipmentUnavailable),
            E::Archived(a) => {
                let (kernel::ArchiveError::Archived { kind, .. }
                | kernel::ArchiveError::InUse { kind, .. }) = a;
                let field = match kind {
                    kernel::Archivable::Offering => "offeringId",
                    kernel::Archivable::Student => "studentId",
                    kernel::Archivable::Teacher => "teacherId",
                    kernel::Archivable::Room => "roomId",
                    kernel::Archivable::Location => "locationId",
                };
                let code = match a {
                    kernel::ArchiveError::Archived { .. } => Code::Archived,
                    kernel::ArchiveError::InUse { .. } => Code::InUse,
                };
                (field, code)
            }
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
            E::OfferClosed | E::NotInLine => ("entryId", Code::InvalidState),
            E::NotEnrolled => ("studentId", Code::InvalidState),
            E::EnrolmentStep { .. } => ("status", Code::InvalidState),
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

#[cfg(test)]
mod tests {
    use super::*;
    use scheduling::{Schedule, ScheduleInput};

    fn field_and_code(e: impl Into<UserError>) -> (String, Code) {
        let e = e.into();
        (e.field.unwrap_or_default().join("."), e.code)
    }

    /// The wire names of schedule errors: which input field, which code.
    #[test]
    fn schedule_errors_name_their_input_field() {
        let ok = ScheduleInput {
            start_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 5),
            start_time: chrono::NaiveTime::from_hms_opt(17, 0, 0),
            duration_minutes: Some(60),
            timezone: "Europe/London".into(),
            days_of_week: Some(vec![1]),
            ..Default::default()
        };
        type Change = Box<dyn Fn(&mut ScheduleInput)>;
        let table: Vec<(Change, &str, Code)> = vec![
            (
                Box::new(|i| i.timezone = "Europe/Londn".into()),
                "input.timezone",
                Code::UnknownTimeZone,
            ),
            (
                Box::new(|i| i.end_date = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)),
                "input.endDate",
                Code::Invalid,
            ),
            (
                Box::new(|i| i.duration_minutes = Some(0)),
                "input.durationMinutes",
                Code::Invalid,
            ),
            (
                Box::new(|i| i.days_of_week = None),
                "input.rrule",
                Code::Invalid,
            ),
            (
                Box::new(|i| {
                    i.days_of_week = None;
                    i.rrule = Some("FREQ=SOMETIMES".into())
                }),
                "input.rrule",
                Code::InvalidRrule,
            ),
            (
                Box::new(|i| i.days_of_week = Some(vec![0])),
                "input.daysOfWeek",
                Code::Invalid,
            ),
            (
                Box::new(|i| i.interval_weeks = Some(0)),
                "input.intervalWeeks",
                Code::Invalid,
            ),
            (
                Box::new(|i| i.count = Some(0)),
                "input.count",
                Code::Invalid,
            ),
            (
                Box::new(|i| i.start_time = None),
                "input.startTime",
                Code::Invalid,
            ),
            (
                Box::new(|i| i.start_date = None),
                "input.startDate",
                Code::Invalid,
            ),
        ];
        for (change, field, code) in table {
            let mut input = ok.clone();
            change(&mut input);
            let err = Schedule::parse(input).unwrap_err();
            assert_eq!(
                field_and_code(err.clone()),
                (field.to_owned(), code),
                "{err}"
            );
        }
    }

    #[test]
    fn catalogue_and_cycle_errors_name_their_input_field() {
        use scheduling::hybrid::HybridCycle;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let t = |h| chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let kind = scheduling::OfferingKind::Group;
        let table: Vec<(UserError, &str)> = vec![
            (
                scheduling::OfferingSpec::parse(" ", kind, 30, 1)
                    .unwrap_err()
                    .into(),
                "input.title",
            ),
            (
                scheduling::OfferingSpec::parse("Choir", kind, 0, 1)
                    .unwrap_err()
                    .into(),
                "input.defaultDurationMinutes",
            ),
            (
                scheduling::OfferingSpec::parse("Choir", kind, 30, 0)
                    .unwrap_err()
                    .into(),
                "input.defaultCapacity",
            ),
            (
                scheduling::parse_window(8, t(9), t(10), Default::default())
                    .unwrap_err()
                    .into(),
                "input.availability",
            ),
            (
                resources::RoomSpec::parse("A", 0, resources::RoomKind::Room)
                    .unwrap_err()
                    .into(),
                "input.capacity",
            ),
            (
                HybridCycle::new(0, day, &[1]).unwrap_err().into(),
                "input.cycleLengthWeeks",
            ),
            (
                HybridCycle::new(8, day, &[9]).unwrap_err().into(),
                "input.oneOnOneWeeks",
            ),
            (SeriesError::RoomElsewhere.into(), "input.roomId"),
            (SeriesError::Count.into(), "input.count"),
        ];
        for (e, field) in table {
            assert_eq!(
                field_and_code(e.clone()),
                (field.to_owned(), Code::Invalid),
                "{e:?}"
            );
        }
    }

    #[test]
    fn every_booking_error_has_a_field_and_a_code() {
        use booking::{AlreadyBooked, NotBookable};
        let table = [
            (
                BookingError::NotFound(Missing::Session),
                "input.sessionId",
                Code::NotFound,
            ),
            (
                BookingError::AlreadyBooked(AlreadyBooked::InSession),
                "input.studentId",
                Code::AlreadyBooked,
            ),
            (
                BookingError::NotBookable(NotBookable::Cancelled),
                "input.sessionId",
                Code::InvalidState,
            ),
            (
                BookingError::NotBookable(NotBookable::NothingLeft),
                "input.seriesId",
                Code::InvalidState,
            ),
            (BookingError::SlotTaken, "input.startsAt", Code::SlotTaken),
            (
                BookingError::OutsideAvailability,
                "input.startsAt",
                Code::OutsideAvailability,
            ),
            (
                BookingError::NoPublishedAvailability,
                "input.startsAt",
                Code::OutsideAvailability,
            ),
            (BookingError::WrongMove, "input.startsAt", Code::Invalid),
            (
                BookingError::OfferClosed,
                "input.entryId",
                Code::InvalidState,
            ),
            (
                BookingError::LessonLength,
                "input.durationMinutes",
                Code::Invalid,
            ),
            (BookingError::SeatCount, "input.seats", Code::Invalid),
            (
                BookingError::Policy(PolicyViolation::CancelWindowPassed { hours: 24 }),
                "input.bookingId",
                Code::CancelWindowPassed,
            ),
            (
                BookingError::Rule(RuleError::UntilBeforeStart),
                "input.until",
                Code::Invalid,
            ),
        ];
        for (e, field, code) in table {
            assert_eq!(field_and_code(e.clone()), (field.to_owned(), code), "{e}");
        }
    }
}
