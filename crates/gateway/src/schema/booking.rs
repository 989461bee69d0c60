//! Bookings: policies, group seats with waitlists, 1-on-1 lessons and their
//! slot search, registrations, recurring 1-on-1 series, decisions,
//! cancellation, rescheduling and attendance.

use ::booking::BookingStatus as DomainStatus;
use ::booking::policy::PolicyInput;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::Duration;
use infra::booking::{
    self as service, AttendanceStatus as DomainAttendance, BookError, Change, GroupOutcome,
    LessonRequest, RegistrationKind, SeatRequest,
};
use infra::entity::{
    attendance, booking as booking_row, booking_policy, offering, registration, session, student,
    teacher, waitlist_entry,
};
use infra::repo::{self, organisation};
use kernel::policy::Action;
use kernel::{FieldError, StudentId, TeacherId, TimeZone};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::idempotency::{self, Next};
use super::node::lesson;
use super::refuse;
use super::setup::find_in_school;
use super::{Offering, Session, Student, Teacher, User, allow, authorize, commit, load};
use crate::context::{app, loaders, viewer};
use crate::error::{Code, UserError, bad_input, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::DateTime;

/// What is booked.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum BookingKind {
    /// Seats in a group session.
    GroupSession,
    /// A 1-on-1 lesson.
    OneOnOne,
}

/// Where a booking stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum BookingStatus {
    /// Waiting for approval.
    Pending,
    /// Holds its seats.
    Confirmed,
    /// Refused.
    Declined,
    /// Cancelled.
    Cancelled,
    /// The student came.
    Attended,
    /// The student did not come.
    NoShow,
    /// Moved to another time (see the new booking).
    Rescheduled,
}

impl From<DomainStatus> for BookingStatus {
    fn from(s: DomainStatus) -> Self {
        match s {
            DomainStatus::Pending => Self::Pending,
            DomainStatus::Confirmed => Self::Confirmed,
            DomainStatus::Declined => Self::Declined,
            DomainStatus::Cancelled => Self::Cancelled,
            DomainStatus::Attended => Self::Attended,
            DomainStatus::NoShow => Self::NoShow,
            DomainStatus::Rescheduled => Self::Rescheduled,
        }
    }
}

/// An attendance mark.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AttendanceStatus {
    /// On time.
    Present,
    /// Came late.
    Late,
    /// Did not come.
    Absent,
    /// Did not come, excused.
    Excused,
}

impl From<AttendanceStatus> for DomainAttendance {
    fn from(s: AttendanceStatus) -> Self {
        match s {
            AttendanceStatus::Present => Self::Present,
            AttendanceStatus::Late => Self::Late,
            AttendanceStatus::Absent => Self::Absent,
            AttendanceStatus::Excused => Self::Excused,
        }
    }
}

fn attendance_of(stored: &str) -> Option<AttendanceStatus> {
    [
        AttendanceStatus::Present,
        AttendanceStatus::Late,
        AttendanceStatus::Absent,
        AttendanceStatus::Excused,
    ]
    .into_iter()
    .find(|s| DomainAttendance::from(*s).as_str() == stored)
}

/// Where a waitlist entry stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum WaitlistStatus {
    /// In line.
    Waiting,
    /// A seat is held until `offerExpiresAt`: accept it with `acceptWaitlistOffer`.
    Offered,
    /// Took the seat.
    Accepted,
    /// The offer ran out.
    Expired,
    /// Left the line.
    Withdrawn,
}

/// How a student registers for a series.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RegistrationType {
    /// One session.
    SingleSession,
    /// Every remaining session, all or nothing.
    FullSchedule,
    /// Chosen sessions, all or nothing.
    DropIn,
}

/// Which bookings a cancellation affects.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum CancelScope {
    /// This booking only.
    #[default]
    This,
    /// This one and every later one of its series or registration.
    ThisAndFollowing,
}

/// An amount of money.
#[derive(SimpleObject, Clone)]
pub struct Money {
    /// In minor units (cents).
    pub amount_minor: i64,
    /// ISO-4217 code.
    pub currency: String,
}

/// A booking: seats in a group session or a 1-on-1 lesson.
pub struct Booking(pub booking_row::Model);

#[Object]
impl Booking {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Booking, self.0.id)
    }
    /// Group seats or 1-on-1.
    async fn kind(&self) -> BookingKind {
        if self.0.kind == "ONE_ON_ONE" {
            BookingKind::OneOnOne
        } else {
            BookingKind::GroupSession
        }
    }
    /// Status.
    async fn status(&self) -> BookingStatus {
        service::status_of(&self.0).into()
    }
    /// Seats (guests included).
    async fn seats(&self) -> i32 {
        self.0.seats
    }
    /// Start.
    async fn starts_at(&self) -> DateTime {
        DateTime(self.0.starts_at)
    }
    /// End.
    async fn ends_at(&self) -> DateTime {
        DateTime(self.0.ends_at)
    }
    /// The zone the policy was evaluated in.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }
    /// The family's note.
    async fn note(&self) -> Option<&str> {
        self.0.student_note.as_deref()
    }
    /// Price from the offering, for all seats.
    async fn price(&self) -> Option<Money> {
        Some(Money {
            amount_minor: self.0.price_minor?,
            currency: self.0.currency.clone()?,
        })
    }
    /// When it was approved or declined (or confirmed on booking).
    async fn decided_at(&self) -> Option<DateTime> {
        self.0.decided_at.map(DateTime)
    }
    /// Who approved or declined it.
    async fn decided_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match self.0.decided_by {
            Some(id) => Ok(load(&loaders(ctx)?.users, id).await?.map(User)),
            None => Ok(None),
        }
    }
    /// Who cancelled it.
    async fn cancelled_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match self.0.cancelled_by {
            Some(id) => Ok(load(&loaders(ctx)?.users, id).await?.map(User)),
            None => Ok(None),
        }
    }
    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime> {
        self.0.cancelled_at.map(DateTime)
    }
    /// Why it was cancelled or declined.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    /// The student.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
    /// Who booked (a parent may book for a child).
    async fn booked_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(load(&loaders(ctx)?.users, self.0.booked_by)
            .await?
            .map(User))
    }
    /// The group session.
    async fn session(&self, ctx: &Context<'_>) -> Result<Option<Session>> {
        let Some(id) = self.0.session_id else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.sessions, id).await?.map(Session))
    }
    /// The teacher.
    async fn teacher(&self, ctx: &Context<'_>) -> Result<Option<Teacher>> {
        let Some(id) = self.0.teacher_id else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.teachers, id).await?.map(Teacher))
    }
    /// The offering.
    async fn offering(&self, ctx: &Context<'_>) -> Result<Option<Offering>> {
        let Some(id) = self.0.offering_id else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.offerings, id).await?.map(Offering))
    }
}

/// A place in a session's waitlist.
pub struct WaitlistEntry(pub waitlist_entry::Model);

#[Object]
impl WaitlistEntry {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::WaitlistEntry, self.0.id)
    }
    /// Place in line (1 = first), in order of joining.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Status.
    async fn status(&self) -> WaitlistStatus {
        match self.0.status.as_str() {
            "OFFERED" => WaitlistStatus::Offered,
            "ACCEPTED" => WaitlistStatus::Accepted,
            "EXPIRED" => WaitlistStatus::Expired,
            "WITHDRAWN" => WaitlistStatus::Withdrawn,
            _ => WaitlistStatus::Waiting,
        }
    }
    /// When an open offer lapses.
    async fn offer_expires_at(&self) -> Option<DateTime> {
        self.0.offer_expires_at.map(DateTime)
    }
    /// The student.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
    /// The session.
    async fn session(&self, ctx: &Context<'_>) -> Result<Option<Session>> {
        Ok(load(&loaders(ctx)?.sessions, self.0.session_id)
            .await?
            .map(Session))
    }
}

/// One student on a session's roster.
pub struct RosterEntry {
    pub(crate) student: Uuid,
    pub(crate) booking: Option<booking_row::Model>,
    pub(crate) attendance: Option<attendance::Model>,
}

#[Object]
impl RosterEntry {
    /// The student.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load(&loaders(ctx)?.students, self.student)
            .await?
            .map(Student))
    }
    /// Their booking; null for the student of a 1-on-1 series, whose place
    /// is the series itself.
    async fn booking(&self) -> Option<Booking> {
        self.booking.clone().map(Booking)
    }
    /// Their attendance mark, once taken.
    async fn attendance(&self) -> Option<AttendanceStatus> {
        self.attendance
            .as_ref()
            .and_then(|a| attendance_of(&a.status))
    }
    /// The note with the mark.
    async fn attendance_note(&self) -> Option<&str> {
        self.attendance.as_ref().and_then(|a| a.note.as_deref())
    }
}

/// A teacher's (or teacher-and-offering's) booking rules.
pub struct BookingPolicy(pub booking_policy::Model);

#[Object]
impl BookingPolicy {
    /// The teacher.
    async fn teacher(&self, ctx: &Context<'_>) -> Result<Option<Teacher>> {
        Ok(load(&loaders(ctx)?.teachers, self.0.teacher_id)
            .await?
            .map(Teacher))
    }
    /// The offering, for an offering-specific policy.
    async fn offering(&self, ctx: &Context<'_>) -> Result<Option<Offering>> {
        let Some(id) = self.0.offering_id else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.offerings, id).await?.map(Offering))
    }
    /// 1-on-1 bookings wait for approval.
    async fn requires_approval_one_on_one(&self) -> bool {
        self.0.requires_approval_one_on_one
    }
    /// Group bookings wait for approval.
    async fn requires_approval_group(&self) -> bool {
        self.0.requires_approval_group
    }
    /// Hours of notice a booking needs.
    async fn min_notice_hours(&self) -> i32 {
        self.0.min_notice_hours
    }
    /// Hours before the start after which families cannot cancel.
    async fn cancel_window_hours(&self) -> i32 {
        self.0.cancel_window_hours
    }
    /// Minutes kept free before a lesson.
    async fn buffer_before_minutes(&self) -> i32 {
        self.0.buffer_before_minutes
    }
    /// Minutes kept free after a lesson.
    async fn buffer_after_minutes(&self) -> i32 {
        self.0.buffer_after_minutes
    }
    /// Most 1-on-1 bookings per local day.
    async fn max_bookings_per_day(&self) -> Option<i32> {
        self.0.max_bookings_per_day
    }
    /// How many days ahead bookings may be made.
    async fn horizon_days(&self) -> Option<i32> {
        self.0.horizon_days
    }
    /// Minutes a waitlist offer stays open.
    async fn waitlist_offer_minutes(&self) -> i32 {
        self.0.waitlist_offer_minutes
    }
}

/// A registration of a student for a series.
pub struct Registration {
    pub(crate) model: registration::Model,
    pub(crate) bookings: Vec<booking_row::Model>,
}

#[Object]
impl Registration {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Registration, self.model.id)
    }
    /// Type.
    async fn r#type(&self) -> RegistrationType {
        match self.model.kind.as_str() {
            "FULL_SCHEDULE" => RegistrationType::FullSchedule,
            "DROP_IN" => RegistrationType::DropIn,
            _ => RegistrationType::SingleSession,
        }
    }
    /// The bookings it made, in session order.
    async fn bookings(&self) -> Vec<Booking> {
        self.bookings.iter().cloned().map(Booking).collect()
    }
}

/// A free 1-on-1 slot.
#[derive(SimpleObject)]
pub struct Slot {
    /// Start.
    pub starts_at: DateTime,
    /// End.
    pub ends_at: DateTime,
    /// The start in the requested zone, e.g. `2026-03-02T17:30` (for display).
    pub local_start: String,
    /// The teacher.
    pub teacher: Teacher,
}

/// A recurring 1-on-1 booking series.
#[derive(SimpleObject)]
pub struct BookingSeries {
    /// Global id (cancel "this and following" through any of its bookings).
    pub id: ID,
}

/// An occurrence of a booking series that could not be booked.
#[derive(SimpleObject)]
pub struct OccurrenceConflict {
    /// When it would have started.
    pub starts_at: DateTime,
    /// Why not.
    pub reason: String,
    /// Stable code.
    pub code: Code,
}

impl Session {
    /// Loads the session's bookings through the request's loader.
    async fn bookings_of(&self, ctx: &Context<'_>) -> Result<Vec<booking_row::Model>> {
        Ok(loaders(ctx)?
            .bookings
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default())
    }
}

/// Booking fields of `Session` (merged into its object in `objects.rs`).
impl Session {
    /// Seats held by bookings and open waitlist offers.
    pub(crate) fn seats_taken_value(&self) -> i32 {
        // A 1-on-1 series' own student holds the lesson's place.
        self.0.seats_taken + i32::from(self.0.student_id.is_some())
    }

    /// The roster: students with a confirmed (or attended/no-show) booking.
    /// The lesson's teacher and the office see everyone; families see their
    /// own students.
    pub(crate) async fn roster_value(&self, ctx: &Context<'_>) -> Result<Vec<RosterEntry>> {
        let viewer = viewer(ctx)?;
        let whole = kernel::policy::authorize(
            viewer,
            Action::ReadRoster(lesson(self.0.teacher_id, self.0.student_id)),
        )
        .is_ok();
        let bookings = self.bookings_of(ctx).await?;
        let marks = loaders(ctx)?
            .attendance
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default();
        let mut roster: Vec<RosterEntry> = Vec::new();
        // The student of a 1-on-1 series is enrolled by the series itself.
        if let Some(st) = self.0.student_id {
            roster.push(RosterEntry {
                student: st,
                booking: None,
                attendance: None,
            });
        }
        roster.extend(
            bookings
                .into_iter()
                .filter(|b| matches!(b.status.as_str(), "CONFIRMED" | "ATTENDED" | "NO_SHOW"))
                .filter(|b| Some(b.student_id) != self.0.student_id)
                .map(|b| RosterEntry {
                    student: b.student_id,
                    booking: Some(b),
                    attendance: None,
                }),
        );
        Ok(roster
            .into_iter()
            .filter(|e| whole || viewer.acts_for.contains(&StudentId::from_uuid(e.student)))
            .map(|mut e| {
                e.attendance = marks.iter().find(|m| m.student_id == e.student).cloned();
                e
            })
            .collect())
    }

    /// Pending requests (the teacher's and office's inbox).
    pub(crate) async fn pending_value(&self, ctx: &Context<'_>) -> Result<Vec<Booking>> {
        let viewer = viewer(ctx)?;
        if kernel::policy::authorize(
            viewer,
            Action::DecideBooking(self.0.teacher_id.map(TeacherId::from_uuid)),
        )
        .is_err()
        {
            return Ok(vec![]);
        }
        Ok(self
            .bookings_of(ctx)
            .await?
            .into_iter()
            .filter(|b| b.status == "PENDING")
            .map(Booking)
            .collect())
    }

    /// The waitlist in line order (whole for teacher and office; families
    /// see their own entries).
    pub(crate) async fn waitlist_value(&self, ctx: &Context<'_>) -> Result<Vec<WaitlistEntry>> {
        let viewer = viewer(ctx)?;
        let whole = kernel::policy::authorize(
            viewer,
            Action::ReadRoster(lesson(self.0.teacher_id, self.0.student_id)),
        )
        .is_ok();
        Ok(loaders(ctx)?
            .waitlist
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default()
            .into_iter()
            .filter(|e| matches!(e.status.as_str(), "WAITING" | "OFFERED"))
            .filter(|e| {
                whole
                    || viewer
                        .acts_for
                        .contains(&StudentId::from_uuid(e.student_id))
            })
            .map(WaitlistEntry)
            .collect())
    }
}

/// Input of `setBookingPolicy`.
#[derive(InputObject)]
pub struct SetBookingPolicyInput {
    /// The teacher.
    pub teacher_id: ID,
    /// For an offering-specific policy (it wins over the teacher's).
    pub offering_id: Option<ID>,
    /// 1-on-1 bookings wait for approval.
    #[graphql(default)]
    pub requires_approval_one_on_one: bool,
    /// Group bookings wait for approval.
    #[graphql(default)]
    pub requires_approval_group: bool,
    /// Hours of notice a booking needs.
    #[graphql(default)]
    pub min_notice_hours: i32,
    /// Hours before the start after which families cannot cancel.
    #[graphql(default)]
    pub cancel_window_hours: i32,
    /// Minutes kept free before a lesson.
    #[graphql(default)]
    pub buffer_before_minutes: i32,
    /// Minutes kept free after a lesson.
    #[graphql(default)]
    pub buffer_after_minutes: i32,
    /// Most 1-on-1 bookings per local day (empty: no limit).
    pub max_bookings_per_day: Option<i32>,
    /// How many days ahead bookings may be made (empty: no limit).
    pub horizon_days: Option<i32>,
    /// Minutes a waitlist offer stays open (default 1440).
    pub waitlist_offer_minutes: Option<i32>,
}

/// Result of `setBookingPolicy`.
#[derive(SimpleObject, Default)]
pub struct SetBookingPolicyPayload {
    /// The saved policy.
    pub policy: Option<BookingPolicy>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `bookSession`.
#[derive(InputObject, Debug)]
pub struct BookSessionInput {
    /// The group session.
    pub session_id: ID,
    /// Who the seats are for.
    pub student_id: ID,
    /// Seats including guests (default 1).
    #[graphql(default = 1)]
    pub seats: i32,
    /// A note for the teacher.
    pub note: Option<String>,
    /// When full, join the waitlist instead of failing with SESSION_FULL.
    #[graphql(default)]
    pub join_waitlist_if_full: bool,
    /// Makes the request safe to retry.
    pub idempotency_key: Option<String>,
}

/// Result of `bookSession`.
#[derive(SimpleObject, Default)]
pub struct BookSessionPayload {
    /// The booking, when seats were free.
    pub booking: Option<Booking>,
    /// The waitlist entry, when the session was full and
    /// `joinWaitlistIfFull` was set.
    pub waitlist_entry: Option<WaitlistEntry>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `register`.
#[derive(InputObject, Debug)]
pub struct RegisterInput {
    /// The class series.
    pub series_id: ID,
    /// The student.
    pub student_id: ID,
    /// SINGLE_SESSION, FULL_SCHEDULE or DROP_IN.
    pub r#type: RegistrationType,
    /// The sessions (one for SINGLE_SESSION, the chosen ones for DROP_IN).
    #[graphql(default)]
    pub session_ids: Vec<ID>,
    /// Seats per session (default 1).
    #[graphql(default = 1)]
    pub seats: i32,
    /// Makes the request safe to retry.
    pub idempotency_key: Option<String>,
}

/// Result of `register`.
#[derive(SimpleObject, Default)]
pub struct RegisterPayload {
    /// The registration and its bookings.
    pub registration: Option<Registration>,
    /// What was wrong (nothing is booked then).
    pub user_errors: Vec<UserError>,
}

/// Input of `bookOneOnOne`.
#[derive(InputObject, Debug)]
pub struct BookOneOnOneInput {
    /// The teacher.
    pub teacher_id: ID,
    /// The student.
    pub student_id: ID,
    /// What is taught (price and offering-specific policy).
    pub offering_id: Option<ID>,
    /// Start (a slot from `availableSlots`).
    pub starts_at: DateTime,
    /// Length in minutes.
    pub duration_minutes: i32,
    /// A note for the teacher.
    pub note: Option<String>,
    /// Makes the request safe to retry.
    pub idempotency_key: Option<String>,
}

/// Result of `bookOneOnOne`, `approveBooking`, `declineBooking`,
/// `acceptWaitlistOffer` and `rescheduleBooking`.
#[derive(SimpleObject, Default)]
pub struct BookingPayload {
    /// The booking.
    pub booking: Option<Booking>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `approveBooking`.
#[derive(InputObject)]
pub struct ApproveBookingInput {
    /// The pending booking.
    pub booking_id: ID,
}

/// Input of `declineBooking`.
#[derive(InputObject)]
pub struct DeclineBookingInput {
    /// The pending booking.
    pub booking_id: ID,
    /// Why (shown to the family).
    pub reason: Option<String>,
}

/// Input of `cancelBooking`.
#[derive(InputObject)]
pub struct CancelBookingInput {
    /// The booking.
    pub booking_id: ID,
    /// Why.
    pub reason: Option<String>,
    /// This booking only, or also every later one of its series.
    #[graphql(default)]
    pub scope: CancelScope,
}

/// Result of `cancelBooking`.
#[derive(SimpleObject, Default)]
pub struct CancelBookingPayload {
    /// Every booking cancelled.
    pub cancelled: Vec<Booking>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `rescheduleBooking`: a new time (1-on-1) or a new session
/// (group).
#[derive(InputObject)]
pub struct RescheduleBookingInput {
    /// The booking to move.
    pub booking_id: ID,
    /// The new start of a 1-on-1 lesson.
    pub starts_at: Option<DateTime>,
    /// The new session of a group booking.
    pub session_id: Option<ID>,
}

/// Input of `joinWaitlist`.
#[derive(InputObject)]
pub struct JoinWaitlistInput {
    /// The session.
    pub session_id: ID,
    /// The student.
    pub student_id: ID,
}

/// Result of `joinWaitlist`.
#[derive(SimpleObject, Default)]
pub struct JoinWaitlistPayload {
    /// The entry.
    pub waitlist_entry: Option<WaitlistEntry>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `acceptWaitlistOffer`.
#[derive(InputObject)]
pub struct AcceptWaitlistOfferInput {
    /// The entry holding an offer.
    pub entry_id: ID,
}

/// One attendance mark.
#[derive(InputObject)]
pub struct AttendanceInput {
    /// The student (on the roster).
    pub student_id: ID,
    /// The mark.
    pub status: AttendanceStatus,
    /// A note.
    pub note: Option<String>,
}

/// Input of `recordAttendance`.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    /// The session.
    pub session_id: ID,
    /// Marks, one per student.
    pub entries: Vec<AttendanceInput>,
}

/// Result of `recordAttendance`.
#[derive(SimpleObject, Default)]
pub struct RecordAttendancePayload {
    /// The session, with its roster.
    pub session: Option<Session>,
    /// What was wrong (nothing is recorded then).
    pub user_errors: Vec<UserError>,
}

/// How often a booking series repeats.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum BookingFrequency {
    /// Every `interval` days.
    Daily,
    /// Every `interval` weeks (on `daysOfWeek`, default the first's day).
    Weekly,
    /// Every `interval` months on the first's day of month.
    Monthly,
}

/// Input of `createBookingSeries`.
#[derive(InputObject, Debug)]
pub struct CreateBookingSeriesInput {
    /// The teacher.
    pub teacher_id: ID,
    /// The student.
    pub student_id: ID,
    /// What is taught.
    pub offering_id: Option<ID>,
    /// The first lesson's start.
    pub first_starts_at: DateTime,
    /// Length in minutes.
    pub duration_minutes: i32,
    /// DAILY, WEEKLY (2 = biweekly with `interval`) or MONTHLY.
    pub frequency: BookingFrequency,
    /// Every N units (default 1).
    #[graphql(default = 1)]
    pub interval: i32,
    /// ISO weekdays (1 = Monday) for WEEKLY.
    #[graphql(default)]
    pub days_of_week: Vec<i32>,
    /// How many lessons.
    pub count: Option<i32>,
    /// Last possible date (inclusive), in the school's zone.
    pub until: Option<crate::scalars::LocalDate>,
}

/// Result of `createBookingSeries`.
#[derive(SimpleObject, Default)]
pub struct CreateBookingSeriesPayload {
    /// The series.
    pub series: Option<BookingSeries>,
    /// The lessons booked.
    pub booked: Vec<Booking>,
    /// The occurrences that could not be booked, and why.
    pub conflicts: Vec<OccurrenceConflict>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

async fn school_zone(ctx: &Context<'_>, school: kernel::SchoolId) -> Result<TimeZone> {
    let found = organisation::school(app(ctx).db.conn(), school)
        .await
        .map_err(internal)?;
    Ok(found
        .and_then(|s| TimeZone::parse(&s.timezone).ok())
        .unwrap_or(TimeZone::UTC))
}

fn booking_id(id: &ID) -> Option<Uuid> {
    decode(Kind::Booking, id)
}

#[derive(Default)]
pub struct BookingQuery;

/// Widest range one slot search may span.
pub const MAX_SLOT_DAYS: i64 = 31;

#[Object]
impl BookingQuery {
    /// Free 1-on-1 slots in `[from, to)` of a teacher, or of every teacher
    /// qualified for the offering (holding its required teaching role) when
    /// `teacherId` is omitted: availability minus lessons and bookings
    /// (with buffers), minimum notice, horizon and full days, on a grid of
    /// 15 minutes. `localStart` is in `timezone` (default the school's).
    #[allow(clippy::too_many_arguments)]
    async fn available_slots(
        &self,
        ctx: &Context<'_>,
        teacher_id: Option<ID>,
        offering_id: Option<ID>,
        from: DateTime,
        to: DateTime,
        duration_minutes: i32,
        timezone: Option<String>,
    ) -> Result<Vec<Slot>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        if to.0 <= from.0 {
            return Err(bad_input("to", Code::Invalid, "`to` must be after `from`"));
        }
        if to.0 - from.0 > Duration::days(MAX_SLOT_DAYS) {
            return Err(bad_input(
                "to",
                Code::BeyondHorizon,
                format!("a slot search may span at most {MAX_SLOT_DAYS} days; split the range"),
            ));
        }
        if !(5..=600).contains(&duration_minutes) {
            return Err(bad_input(
                "durationMinutes",
                Code::Invalid,
                "a lesson lasts between 5 and 600 minutes",
            ));
        }
        let display = match timezone.as_deref().map(TimeZone::parse).transpose() {
            Ok(tz) => tz,
            Err(e) => return Err(bad_input("timezone", Code::UnknownTimeZone, e.to_string())),
        };
        let conn = app(ctx).db.conn();
        let zone = school_zone(ctx, viewer.school).await?;
        let display = display.unwrap_or(zone);
        let offering = match &offering_id {
            Some(id) => match decode(Kind::Offering, id) {
                Some(o) => repo::find::<offering::Entity>(conn, viewer.school, o)
                    .await
                    .map_err(internal)?
                    .map(|o| o.id),
                None => None,
            }
            .ok_or_else(|| {
                bad_input(
                    "offeringId",
                    Code::NotFound,
                    "no offering with this id exists in your school",
                )
            })
            .map(Some)?,
            None => None,
        };
        let teachers: Vec<infra::entity::teacher::Model> = match &teacher_id {
            Some(id) => {
                let found = match decode(Kind::Teacher, id) {
                    Some(t) => repo::find::<teacher::Entity>(conn, viewer.school, t)
                        .await
                        .map_err(internal)?,
                    None => None,
                };
                vec![found.ok_or_else(|| {
                    bad_input(
                        "teacherId",
                        Code::NotFound,
                        "no teacher with this id exists in your school",
                    )
                })?]
            }
            None => {
                // Every teacher qualified for the offering: holding its
                // required teaching role, if it has one.
                let all = teacher::Entity::find()
                    .filter(teacher::Column::SchoolId.eq(viewer.school.uuid()))
                    .order_by_asc(teacher::Column::LastName)
                    .all(conn)
                    .await
                    .map_err(internal)?;
                let required = match offering {
                    Some(o) => repo::find::<offering::Entity>(conn, viewer.school, o)
                        .await
                        .map_err(internal)?
                        .and_then(|o| o.required_role_id),
                    None => None,
                };
                match required {
                    None => all,
                    Some(role) => {
                        let held =
                            infra::staff::roles_of(conn, viewer.school, all.iter().map(|t| t.id))
                                .await
                                .map_err(internal)?;
                        all.into_iter()
                            .filter(|t| held.get(&t.id).is_some_and(|r| r.contains(&role)))
                            .collect()
                    }
                }
            }
        };
        let now = app(ctx).clock.now();
        let mut out = Vec::new();
        for t in teachers {
            let slots = service::available_slots(
                conn,
                viewer.school,
                zone,
                t.id,
                offering,
                from.0,
                to.0,
                Duration::minutes(i64::from(duration_minutes)),
                Duration::minutes(15),
                now,
            )
            .await
            .map_err(internal)?;
            out.extend(slots.into_iter().map(|(s, e)| {
                Slot {
                    starts_at: DateTime(s),
                    ends_at: DateTime(e),
                    local_start: s
                        .with_timezone(&display.tz())
                        .format("%Y-%m-%dT%H:%M")
                        .to_string(),
                    teacher: Teacher(t.clone()),
                }
            }));
        }
        out.sort_by_key(|s| s.starts_at.0);
        Ok(out)
    }

    /// The booking policy that applies to a teacher (and offering), if one
    /// was saved.
    async fn booking_policy(
        &self,
        ctx: &Context<'_>,
        teacher_id: ID,
        offering_id: Option<ID>,
    ) -> Result<Option<BookingPolicy>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        let (Some(t), offering) = (
            decode(Kind::Teacher, &teacher_id),
            offering_id
                .as_ref()
                .map(|o| decode(Kind::Offering, o).unwrap_or_default()),
        ) else {
            return Ok(None);
        };
        let rows = booking_policy::Entity::find()
            .filter(booking_policy::Column::SchoolId.eq(viewer.school.uuid()))
            .filter(booking_policy::Column::TeacherId.eq(t))
            .all(app(ctx).db.conn())
            .await
            .map_err(internal)?;
        let specific =
            offering.and_then(|o| rows.iter().find(|r| r.offering_id == Some(o)).cloned());
        let general = rows.iter().find(|r| r.offering_id.is_none()).cloned();
        Ok(specific.or(general).map(BookingPolicy))
    }
}

/// The student a booking request names, if they are in the viewer's school
/// (else NOT_FOUND on `studentId`) and the viewer may book for them (else
/// FORBIDDEN): the one check every booking mutation starts with.
pub(crate) async fn student_to_book(
    tx: &sea_orm::DatabaseTransaction,
    viewer: &infra::repo::organisation::Viewer,
    id: &ID,
) -> Result<std::result::Result<StudentId, FieldError>> {
    let Some(st) = find_in_school::<student::Entity>(tx, viewer.school, Kind::Student, id).await?
    else {
        return Ok(Err(FieldError::not_found("studentId", "student")));
    };
    let student = StudentId::from_uuid(st.id);
    allow(viewer, Action::Book(student))?;
    Ok(Ok(student))
}

/// Loads a booking of the viewer's school by global id.
async fn find_booking(
    ctx: &Context<'_>,
    tx: &sea_orm::DatabaseTransaction,
    id: &ID,
) -> Result<Option<booking_row::Model>> {
    let viewer = viewer(ctx)?;
    let Some(uuid) = booking_id(id) else {
        return Ok(None);
    };
    repo::find::<booking_row::Entity>(tx, viewer.school, uuid)
        .await
        .map_err(internal)
}

fn tid(id: Option<Uuid>) -> Option<TeacherId> {
    id.map(TeacherId::from_uuid)
}

#[derive(Default)]
pub struct BookingMutation;

#[Object]
impl BookingMutation {
    /// Saves a teacher's booking policy (or one for a teacher and an
    /// offering, which wins over the teacher's). Admins and staff, or the
    /// teacher.
    async fn set_booking_policy(
        &self,
        ctx: &Context<'_>,
        input: SetBookingPolicyInput,
    ) -> Result<SetBookingPolicyPayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| SetBookingPolicyPayload {
                user_errors,
                ..Default::default()
            })
        };
        let policy = PolicyInput {
            requires_approval_one_on_one: input.requires_approval_one_on_one,
            requires_approval_group: input.requires_approval_group,
            min_notice_hours: i64::from(input.min_notice_hours),
            cancel_window_hours: i64::from(input.cancel_window_hours),
            buffer_before_minutes: i64::from(input.buffer_before_minutes),
            buffer_after_minutes: i64::from(input.buffer_after_minutes),
            max_bookings_per_day: input.max_bookings_per_day.map(i64::from),
            horizon_days: input.horizon_days.map(i64::from),
            waitlist_offer_minutes: input.waitlist_offer_minutes.map(i64::from),
        };
        if let Err(e) = ::booking::BookingPolicy::parse(policy) {
            return out(e.into());
        }
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let Some(t) =
            find_in_school::<teacher::Entity>(&tx, viewer.school, Kind::Teacher, &input.teacher_id)
                .await?
        else {
            return out(FieldError::not_found("teacherId", "teacher"));
        };
        allow(
            viewer,
            Action::EditBookingPolicy(TeacherId::from_uuid(t.id)),
        )?;
        let offering = match &input.offering_id {
            Some(id) => {
                match find_in_school::<offering::Entity>(&tx, viewer.school, Kind::Offering, id)
                    .await?
                {
                    Some(o) => Some(o.id),
                    None => return out(FieldError::not_found("offeringId", "offering")),
                }
            }
            None => None,
        };
        let saved = service::set_policy(
            &tx,
            viewer.school,
            TeacherId::from_uuid(t.id),
            offering,
            policy,
            app.clock.now(),
        )
        .await
        .map_err(internal)?;
        commit(
            ctx,
            tx,
            viewer.school,
            Some(viewer.user),
            &[(Kind::Teacher, t.id)],
        )
        .await?;
        Ok(SetBookingPolicyPayload {
            policy: Some(BookingPolicy(saved)),
            user_errors: vec![],
        })
    }

    /// Books seats in a group session for a student. A full session answers
    /// SESSION_FULL, or puts the student on the waitlist when
    /// `joinWaitlistIfFull` is set. Accepts an idempotency key.
    async fn book_session(
        &self,
        ctx: &Context<'_>,
        mut input: BookSessionInput,
    ) -> Result<BookSessionPayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| BookSessionPayload {
                user_errors,
                ..Default::default()
            })
        };
        if !(1..=50).contains(&input.seats) {
            return out(FieldError::invalid("seats", "book between 1 and 50 seats"));
        }
        let key = input.idempotency_key.take();
        let canonical = format!("{input:?}");
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let student_id = match student_to_book(&tx, viewer, &input.student_id).await? {
            Ok(id) => id,
            Err(e) => return out(e),
        };
        let Some(session_id) = decode(Kind::Session, &input.session_id) else {
            return out(FieldError::not_found("sessionId", "session"));
        };
        let key = match idempotency::claim(ctx, &tx, viewer, key, &canonical).await? {
            Err(e) => return out(e),
            Ok(Next::Replay(id)) => {
                let b = repo::find::<booking_row::Entity>(&tx, viewer.school, id)
                    .await
                    .map_err(internal)?;
                let w = match b {
                    Some(_) => None,
                    None => repo::find::<waitlist_entry::Entity>(&tx, viewer.school, id)
                        .await
                        .map_err(internal)?,
                };
                return Ok(BookSessionPayload {
                    booking: b.map(Booking),
                    waitlist_entry: w.map(WaitlistEntry),
                    user_errors: vec![],
                });
            }
            Ok(Next::Proceed(key)) => key,
        };
        let request = SeatRequest {
            session: session_id,
            student: student_id,
            by: viewer.user,
            seats: input.seats as u32,
            note: input.note.filter(|n| !n.trim().is_empty()),
            join_waitlist: input.join_waitlist_if_full,
            registration: None,
        };
        match service::book_session(&tx, viewer.school, request, app.clock.now())
            .await
            .map_err(internal)?
        {
            Err(e) => out(e.into()),
            Ok(GroupOutcome::Booked(b)) => {
                idempotency::complete(&tx, viewer, key, b.id).await?;
                commit(
                    ctx,
                    tx,
                    viewer.school,
                    Some(viewer.user),
                    &[(Kind::Booking, b.id), (Kind::Session, session_id)],
                )
                .await?;
                Ok(BookSessionPayload {
                    booking: Some(Booking(b)),
                    ..Default::default()
                })
            }
            Ok(GroupOutcome::Waitlisted(w)) => {
                idempotency::complete(&tx, viewer, key, w.id).await?;
                commit(
                    ctx,
                    tx,
                    viewer.school,
                    Some(viewer.user),
                    &[(Kind::WaitlistEntry, w.id), (Kind::Session, session_id)],
                )
                .await?;
                Ok(BookSessionPayload {
                    waitlist_entry: Some(WaitlistEntry(w)),
                    ..Default::default()
                })
            }
        }
    }

    /// Registers a student for a series: one session, every remaining
    /// session, or chosen ones; all or nothing. Accepts an idempotency key.
    async fn register(
        &self,
        ctx: &Context<'_>,
        mut input: RegisterInput,
    ) -> Result<RegisterPayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| RegisterPayload {
                user_errors,
                ..Default::default()
            })
        };
        if !(1..=50).contains(&input.seats) {
            return out(FieldError::invalid("seats", "book between 1 and 50 seats"));
        }
        let key = input.idempotency_key.take();
        let canonical = format!("{input:?}");
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let student_id = match student_to_book(&tx, viewer, &input.student_id).await? {
            Ok(id) => id,
            Err(e) => return out(e),
        };
        let Some(series_id) = decode(Kind::ClassSeries, &input.series_id) else {
            return out(FieldError::not_found("seriesId", "class series"));
        };
        let mut sessions = Vec::new();
        for id in &input.session_ids {
            match decode(Kind::Session, id) {
                Some(s) => sessions.push(s),
                None => return out(FieldError::not_found("sessionIds", "session")),
            }
        }
        let key = match idempotency::claim(ctx, &tx, viewer, key, &canonical).await? {
            Err(e) => return out(e),
            Ok(Next::Replay(id)) => {
                let Some(model) = repo::find::<registration::Entity>(&tx, viewer.school, id)
                    .await
                    .map_err(internal)?
                else {
                    return Ok(RegisterPayload::default());
                };
                let bookings = booking_row::Entity::find()
                    .filter(booking_row::Column::SchoolId.eq(viewer.school.uuid()))
                    .filter(booking_row::Column::RegistrationId.eq(model.id))
                    .order_by_asc(booking_row::Column::StartsAt)
                    .all(&tx)
                    .await
                    .map_err(internal)?;
                return Ok(RegisterPayload {
                    registration: Some(Registration { model, bookings }),
                    user_errors: vec![],
                });
            }
            Ok(Next::Proceed(key)) => key,
        };
        let kind = match input.r#type {
            RegistrationType::SingleSession => RegistrationKind::SingleSession,
            RegistrationType::FullSchedule => RegistrationKind::FullSchedule,
            RegistrationType::DropIn => RegistrationKind::DropIn,
        };
        match service::register(
            &tx,
            viewer.school,
            series_id,
            student_id,
            kind,
            &sessions,
            input.seats as u32,
            viewer.user,
            app.clock.now(),
        )
        .await
        .map_err(internal)?
        {
            Err(e) => out(e.into()),
            Ok((model, bookings)) => {
                idempotency::complete(&tx, viewer, key, model.id).await?;
                let mut targets = vec![(Kind::Registration, model.id)];
                targets.extend(bookings.iter().map(|b| (Kind::Booking, b.id)));
                commit(ctx, tx, viewer.school, Some(viewer.user), &targets).await?;
                Ok(RegisterPayload {
                    registration: Some(Registration { model, bookings }),
                    user_errors: vec![],
                })
            }
        }
    }

    /// Books a 1-on-1 lesson, re-checking availability, other lessons and
    /// buffers, notice, horizon and the daily limit in the same
    /// transaction. Accepts an idempotency key.
    async fn book_one_on_one(
        &self,
        ctx: &Context<'_>,
        mut input: BookOneOnOneInput,
    ) -> Result<BookingPayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| BookingPayload {
                user_errors,
                ..Default::default()
            })
        };
        if !(5..=600).contains(&input.duration_minutes) {
            return out(FieldError::invalid(
                "durationMinutes",
                "a lesson lasts between 5 and 600 minutes",
            ));
        }
        let key = input.idempotency_key.take();
        let canonical = format!("{input:?}");
        let zone = school_zone(ctx, viewer.school).await?;
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let student_id = match student_to_book(&tx, viewer, &input.student_id).await? {
            Ok(id) => id,
            Err(e) => return out(e),
        };
        let Some(teacher) = decode(Kind::Teacher, &input.teacher_id) else {
            return out(FieldError::not_found("teacherId", "teacher"));
        };
        let offering = match &input.offering_id {
            Some(id) => match decode(Kind::Offering, id) {
                Some(o) => Some(o),
                None => return out(FieldError::not_found("offeringId", "offering")),
            },
            None => None,
        };
        let key = match idempotency::claim(ctx, &tx, viewer, key, &canonical).await? {
            Err(e) => return out(e),
            Ok(Next::Replay(id)) => {
                let b = repo::find::<booking_row::Entity>(&tx, viewer.school, id)
                    .await
                    .map_err(internal)?;
                return Ok(BookingPayload {
                    booking: b.map(Booking),
                    user_errors: vec![],
                });
            }
            Ok(Next::Proceed(key)) => key,
        };
        let request = LessonRequest {
            teacher,
            student: student_id,
            offering,
            starts_at: input.starts_at.0,
            duration: Duration::minutes(i64::from(input.duration_minutes)),
            note: input.note.filter(|n| !n.trim().is_empty()),
            by: viewer.user,
            series: None,
        };
        match service::book_one_on_one(&tx, viewer.school, zone, request, app.clock.now())
            .await
            .map_err(internal)?
        {
            Err(e) => out(e.into()),
            Ok(b) => {
                idempotency::complete(&tx, viewer, key, b.id).await?;
                commit(
                    ctx,
                    tx,
                    viewer.school,
                    Some(viewer.user),
                    &[(Kind::Booking, b.id)],
                )
                .await?;
                Ok(BookingPayload {
                    booking: Some(Booking(b)),
                    user_errors: vec![],
                })
            }
        }
    }

    /// Books a recurring 1-on-1 lesson: every occurrence is checked on its
    /// own; the free ones are booked, the others are listed in `conflicts`.
    async fn create_booking_series(
        &self,
        ctx: &Context<'_>,
        input: CreateBookingSeriesInput,
    ) -> Result<CreateBookingSeriesPayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| CreateBookingSeriesPayload {
                user_errors,
                ..Default::default()
            })
        };
        let zone = school_zone(ctx, viewer.school).await?;
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let student_id = match student_to_book(&tx, viewer, &input.student_id).await? {
            Ok(id) => id,
            Err(e) => return out(e),
        };
        let Some(t) =
            find_in_school::<teacher::Entity>(&tx, viewer.school, Kind::Teacher, &input.teacher_id)
                .await?
        else {
            return out(FieldError::not_found("teacherId", "teacher"));
        };
        let offering = match &input.offering_id {
            Some(id) => {
                match find_in_school::<offering::Entity>(&tx, viewer.school, Kind::Offering, id)
                    .await?
                {
                    Some(o) => Some(o.id),
                    None => return out(FieldError::not_found("offeringId", "offering")),
                }
            }
            None => None,
        };
        if !(5..=600).contains(&input.duration_minutes) {
            return out(FieldError::invalid(
                "durationMinutes",
                "a lesson lasts between 5 and 600 minutes",
            ));
        }
        let first_local = input.first_starts_at.0.with_timezone(&zone.tz());
        let rule = match series_rule(&input, first_local.date_naive()) {
            Ok(r) => r,
            Err(e) => return out(e),
        };
        let schedule = scheduling::Schedule::parse(scheduling::ScheduleInput {
            start_date: Some(first_local.date_naive()),
            end_date: input.until.map(|d| d.0),
            count: input.count.map(|c| c.max(0) as u32),
            start_time: Some(first_local.time()),
            duration_minutes: Some(i64::from(input.duration_minutes)),
            timezone: zone.name().to_owned(),
            rrule: Some(rule.clone()),
            days_of_week: None,
            interval_weeks: None,
            exdates: Vec::new(),
        });
        let schedule = match schedule {
            Ok(s) => s,
            Err(e) => return out(e.into()),
        };
        let horizon = first_local.date_naive() + Duration::days(366);
        let occurrences = match schedule.occurrences_through(horizon) {
            Ok(o) => o,
            Err(e) => return out(FieldError::invalid("frequency", e.to_string())),
        };
        if occurrences.is_empty() {
            return out(FieldError::invalid(
                "count",
                "the rule yields no lesson; check count, until and daysOfWeek",
            ));
        }
        let series_id: Uuid = infra::new_id();
        infra::entity::booking_series::ActiveModel {
            id: sea_orm::Set(series_id),
            school_id: sea_orm::Set(viewer.school.uuid()),
            teacher_id: sea_orm::Set(t.id),
            student_id: sea_orm::Set(student_id.uuid()),
            offering_id: sea_orm::Set(offering),
            rule: sea_orm::Set(rule),
            created_at: sea_orm::Set(app.clock.now()),
        }
        .insert(&tx)
        .await
        .map_err(internal)?;
        let mut booked = Vec::new();
        let mut conflicts = Vec::new();
        for occ in occurrences {
            let request = LessonRequest {
                teacher: t.id,
                student: student_id,
                offering,
                starts_at: occ.starts_at,
                duration: Duration::minutes(i64::from(input.duration_minutes)),
                note: None,
                by: viewer.user,
                series: Some(series_id),
            };
            match service::book_one_on_one(&tx, viewer.school, zone, request, app.clock.now())
                .await
                .map_err(internal)?
            {
                Ok(b) => booked.push(b),
                Err(e) => {
                    let fe = FieldError::from(e);
                    conflicts.push(OccurrenceConflict {
                        starts_at: DateTime(occ.starts_at),
                        reason: fe.message,
                        code: fe.code.into(),
                    });
                }
            }
        }
        let mut targets = vec![(Kind::BookingSeries, series_id)];
        targets.extend(booked.iter().map(|b| (Kind::Booking, b.id)));
        commit(ctx, tx, viewer.school, Some(viewer.user), &targets).await?;
        Ok(CreateBookingSeriesPayload {
            series: Some(BookingSeries {
                id: encode(Kind::BookingSeries, series_id),
            }),
            booked: booked.into_iter().map(Booking).collect(),
            conflicts,
            user_errors: vec![],
        })
    }

    /// Approves a pending booking. The lesson's teacher or the office.
    async fn approve_booking(
        &self,
        ctx: &Context<'_>,
        input: ApproveBookingInput,
    ) -> Result<BookingPayload> {
        decide(ctx, &input.booking_id, true, None).await
    }

    /// Declines a pending booking, freeing its seats for the waitlist. The
    /// lesson's teacher or the office.
    async fn decline_booking(
        &self,
        ctx: &Context<'_>,
        input: DeclineBookingInput,
    ) -> Result<BookingPayload> {
        decide(ctx, &input.booking_id, false, input.reason).await
    }

    /// Cancels a booking (or it and every later one of its series or
    /// registration). Families are held to the cancellation window; the
    /// office and the teacher are not. Freed seats go to the waitlist.
    async fn cancel_booking(
        &self,
        ctx: &Context<'_>,
        input: CancelBookingInput,
    ) -> Result<CancelBookingPayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| CancelBookingPayload {
                user_errors,
                ..Default::default()
            })
        };
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let Some(b) = find_booking(ctx, &tx, &input.booking_id).await? else {
            return out(FieldError::not_found("bookingId", "booking"));
        };
        let teacher = tid(b.teacher_id);
        allow(
            viewer,
            Action::ManageBooking {
                teacher,
                student: StudentId::from_uuid(b.student_id),
            },
        )?;
        let override_window = viewer.is_staff()
            || kernel::policy::authorize(viewer, Action::DecideBooking(teacher)).is_ok();
        let change = Change {
            by: viewer.user,
            override_window,
        };
        let following = input.scope == CancelScope::ThisAndFollowing;
        match service::cancel(
            &tx,
            viewer.school,
            &b,
            following,
            input.reason,
            change,
            app.clock.now(),
        )
        .await
        .map_err(internal)?
        {
            Err(e) => out(e.into()),
            Ok(done) => {
                let targets: Vec<_> = done.iter().map(|b| (Kind::Booking, b.id)).collect();
                commit(ctx, tx, viewer.school, Some(viewer.user), &targets).await?;
                Ok(CancelBookingPayload {
                    cancelled: done.into_iter().map(Booking).collect(),
                    user_errors: vec![],
                })
            }
        }
    }

    /// Moves a booking: a 1-on-1 lesson to a new start, a group booking to
    /// another session. The old booking becomes RESCHEDULED; the new one is
    /// checked like any booking. All or nothing.
    async fn reschedule_booking(
        &self,
        ctx: &Context<'_>,
        input: RescheduleBookingInput,
    ) -> Result<BookingPayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| BookingPayload {
                user_errors,
                ..Default::default()
            })
        };
        let zone = school_zone(ctx, viewer.school).await?;
        let app = app(ctx);
        let now = app.clock.now();
        let tx = app.db.begin_write().await.map_err(internal)?;
        let Some(old) = find_booking(ctx, &tx, &input.booking_id).await? else {
            return out(FieldError::not_found("bookingId", "booking"));
        };
        let teacher = tid(old.teacher_id);
        let student = StudentId::from_uuid(old.student_id);
        allow(viewer, Action::ManageBooking { teacher, student })?;
        if let Err(e) = service::status_of(&old).transition(DomainStatus::Rescheduled) {
            return out(BookError::from(e).into());
        }
        let override_window = viewer.is_staff()
            || kernel::policy::authorize(viewer, Action::DecideBooking(teacher)).is_ok();
        // Free the old place first so the new one may overlap it.
        let change = Change {
            by: viewer.user,
            override_window,
        };
        if let Err(e) = service::cancel(
            &tx,
            viewer.school,
            &old,
            false,
            Some("rescheduled".into()),
            change,
            now,
        )
        .await
        .map_err(internal)?
        {
            return out(e.into());
        }
        let created = match (&input.starts_at, &input.session_id, old.kind.as_str()) {
            (Some(at), None, "ONE_ON_ONE") => {
                let request = LessonRequest {
                    teacher: old.teacher_id.unwrap_or_default(),
                    student,
                    offering: old.offering_id,
                    starts_at: at.0,
                    duration: old.ends_at - old.starts_at,
                    note: old.student_note.clone(),
                    by: viewer.user,
                    series: old.booking_series_id,
                };
                service::book_one_on_one(&tx, viewer.school, zone, request, now)
                    .await
                    .map_err(internal)?
            }
            (None, Some(sid), "GROUP_SESSION") => {
                let Some(session) = decode(Kind::Session, sid) else {
                    return out(FieldError::not_found("sessionId", "session"));
                };
                let request = SeatRequest {
                    session,
                    student,
                    by: viewer.user,
                    seats: old.seats as u32,
                    note: old.student_note.clone(),
                    join_waitlist: false,
                    registration: old.registration_id,
                };
                service::book_session(&tx, viewer.school, request, now)
                    .await
                    .map_err(internal)?
                    .map(|o| match o {
                        GroupOutcome::Booked(b) => b,
                        GroupOutcome::Waitlisted(_) => unreachable!("join_waitlist is false"),
                    })
            }
            _ => {
                return out(FieldError::invalid(
                    "startsAt",
                    "give startsAt to move a 1-on-1 lesson, or sessionId to move a group booking",
                ));
            }
        };
        let new = match created {
            Ok(b) => b,
            Err(e) => return out(e.into()),
        };
        booking_row::Entity::update_many()
            .col_expr(
                booking_row::Column::Status,
                sea_orm::sea_query::Expr::value(DomainStatus::Rescheduled.as_str()),
            )
            .filter(booking_row::Column::Id.eq(old.id))
            .exec(&tx)
            .await
            .map_err(internal)?;
        commit(
            ctx,
            tx,
            viewer.school,
            Some(viewer.user),
            &[(Kind::Booking, old.id), (Kind::Booking, new.id)],
        )
        .await?;
        Ok(BookingPayload {
            booking: Some(Booking(new)),
            user_errors: vec![],
        })
    }

    /// Puts a student on a session's waitlist (strictly first come, first
    /// served; one entry per student).
    async fn join_waitlist(
        &self,
        ctx: &Context<'_>,
        input: JoinWaitlistInput,
    ) -> Result<JoinWaitlistPayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| JoinWaitlistPayload {
                user_errors,
                ..Default::default()
            })
        };
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let student_id = match student_to_book(&tx, viewer, &input.student_id).await? {
            Ok(id) => id,
            Err(e) => return out(e),
        };
        let Some(session_id) = decode(Kind::Session, &input.session_id) else {
            return out(FieldError::not_found("sessionId", "session"));
        };
        match service::join_waitlist(&tx, viewer.school, session_id, student_id, app.clock.now())
            .await
            .map_err(internal)?
        {
            Err(e) => out(e.into()),
            Ok(w) => {
                commit(
                    ctx,
                    tx,
                    viewer.school,
                    Some(viewer.user),
                    &[(Kind::WaitlistEntry, w.id)],
                )
                .await?;
                Ok(JoinWaitlistPayload {
                    waitlist_entry: Some(WaitlistEntry(w)),
                    user_errors: vec![],
                })
            }
        }
    }

    /// Accepts an open waitlist offer: a confirmed booking on the held seat.
    async fn accept_waitlist_offer(
        &self,
        ctx: &Context<'_>,
        input: AcceptWaitlistOfferInput,
    ) -> Result<BookingPayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| BookingPayload {
                user_errors,
                ..Default::default()
            })
        };
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let Some(entry) = find_in_school::<waitlist_entry::Entity>(
            &tx,
            viewer.school,
            Kind::WaitlistEntry,
            &input.entry_id,
        )
        .await?
        else {
            return out(FieldError::not_found("entryId", "waitlist entry"));
        };
        allow(viewer, Action::Book(StudentId::from_uuid(entry.student_id)))?;
        match service::accept_offer(&tx, viewer.school, entry.id, viewer.user, app.clock.now())
            .await
            .map_err(internal)?
        {
            Err(e) => {
                // Expiring lapsed offers is itself a change worth keeping.
                commit(
                    ctx,
                    tx,
                    viewer.school,
                    Some(viewer.user),
                    &[(Kind::WaitlistEntry, entry.id)],
                )
                .await?;
                out(e.into())
            }
            Ok(b) => {
                commit(
                    ctx,
                    tx,
                    viewer.school,
                    Some(viewer.user),
                    &[(Kind::WaitlistEntry, entry.id), (Kind::Booking, b.id)],
                )
                .await?;
                Ok(BookingPayload {
                    booking: Some(Booking(b)),
                    user_errors: vec![],
                })
            }
        }
    }

    /// Takes attendance: PRESENT and LATE mark bookings ATTENDED, ABSENT and
    /// EXCUSED mark them NO_SHOW. The lesson's teacher or the office.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordAttendanceInput,
    ) -> Result<RecordAttendancePayload> {
        let viewer = viewer(ctx)?;
        let out = |e: FieldError| {
            refuse(e, |user_errors| RecordAttendancePayload {
                user_errors,
                ..Default::default()
            })
        };
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let Some(s) =
            find_in_school::<session::Entity>(&tx, viewer.school, Kind::Session, &input.session_id)
                .await?
        else {
            return out(FieldError::not_found("sessionId", "session"));
        };
        allow(viewer, Action::RecordAttendance(tid(s.teacher_id)))?;
        let mut marks = Vec::new();
        for e in &input.entries {
            let Some(st) = decode(Kind::Student, &e.student_id) else {
                return out(FieldError::not_found("entries", "student"));
            };
            marks.push((StudentId::from_uuid(st), e.status.into(), e.note.clone()));
        }
        match service::record_attendance(
            &tx,
            viewer.school,
            s.id,
            &marks,
            viewer.user,
            app.clock.now(),
        )
        .await
        .map_err(internal)?
        {
            Err(e) => out(e.into()),
            Ok(_) => {
                commit(
                    ctx,
                    tx,
                    viewer.school,
                    Some(viewer.user),
                    &[(Kind::Session, s.id)],
                )
                .await?;
                Ok(RecordAttendancePayload {
                    session: Some(Session(s)),
                    user_errors: vec![],
                })
            }
        }
    }
}

async fn decide(
    ctx: &Context<'_>,
    id: &ID,
    approve: bool,
    reason: Option<String>,
) -> Result<BookingPayload> {
    let viewer = viewer(ctx)?;
    let out = |e: FieldError| {
        refuse(e, |user_errors| BookingPayload {
            user_errors,
            ..Default::default()
        })
    };
    let app = app(ctx);
    let tx = app.db.begin_write().await.map_err(internal)?;
    let Some(b) = find_booking(ctx, &tx, id).await? else {
        return out(FieldError::not_found("bookingId", "booking"));
    };
    allow(viewer, Action::DecideBooking(tid(b.teacher_id)))?;
    match service::decide(
        &tx,
        viewer.school,
        &b,
        approve,
        reason,
        viewer.user,
        app.clock.now(),
    )
    .await
    .map_err(internal)?
    {
        Err(e) => out(e.into()),
        Ok(decided) => {
            commit(
                ctx,
                tx,
                viewer.school,
                Some(viewer.user),
                &[(Kind::Booking, decided.id)],
            )
            .await?;
            Ok(BookingPayload {
                booking: Some(Booking(decided)),
                user_errors: vec![],
            })
        }
    }
}

/// The RRULE of a booking series.
fn series_rule(
    input: &CreateBookingSeriesInput,
    first: chrono::NaiveDate,
) -> Result<String, FieldError> {
    use chrono::Datelike;
    if !(1..=52).contains(&input.interval) {
        return Err(FieldError::invalid(
            "interval",
            "the interval is between 1 and 52",
        ));
    }
    if input.count.is_none() && input.until.is_none() {
        return Err(FieldError::invalid(
            "count",
            "give count or until, so the series ends",
        ));
    }
    if input.count.is_some_and(|c| !(1..=200).contains(&c)) {
        return Err(FieldError::invalid(
            "count",
            "a series has between 1 and 200 lessons",
        ));
    }
    const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    Ok(match input.frequency {
        BookingFrequency::Daily => format!("FREQ=DAILY;INTERVAL={}", input.interval),
        BookingFrequency::Monthly => format!(
            "FREQ=MONTHLY;INTERVAL={};BYMONTHDAY={}",
            input.interval,
            first.day()
        ),
        BookingFrequency::Weekly => {
            let mut days: Vec<i32> = input.days_of_week.clone();
            if days.is_empty() {
                days.push(first.weekday().number_from_monday() as i32);
            }
            if days.iter().any(|d| !(1..=7).contains(d)) {
                return Err(FieldError::invalid(
                    "daysOfWeek",
                    "days of week are 1 (Monday) to 7 (Sunday)",
                ));
            }
            days.sort_unstable();
            days.dedup();
            let by: Vec<&str> = days.iter().map(|d| DAYS[(*d - 1) as usize]).collect();
            format!(
                "FREQ=WEEKLY;INTERVAL={};BYDAY={}",
                input.interval,
                by.join(",")
            )
        }
    })
}
