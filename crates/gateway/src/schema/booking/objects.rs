//! The booking objects of the schema (`Booking`, `WaitlistEntry`,
//! `RosterEntry`, `BookingPolicy`, `Registration`, `Slot`), their enums, and
//! the booking fields of `Session`. Each wraps an infra row and reads its
//! stored strings through infra's typed accessors: a value the domain does
//! not know is a masked internal error, never a guessed default.

use ::booking::BookingStatus as DomainStatus;
use ::booking::attendance::Mark;
use ::booking::waitlist::EntryStatus;
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use infra::booking::rows;
use infra::entity::{
    attendance, booking as booking_row, booking_policy, registration, waitlist_entry,
};
use kernel::policy::Action;
use kernel::{StudentId, TeacherId};
use uuid::Uuid;

use crate::context::{loaders, viewer};
use crate::error::{Code, internal};
use crate::ids::{Kind, encode};
use crate::scalars::DateTime;
use crate::schema::node::lesson;
use crate::schema::{Offering, Session, Student, Teacher, User, load, load_opt};

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

impl From<AttendanceStatus> for Mark {
    fn from(s: AttendanceStatus) -> Self {
        match s {
            AttendanceStatus::Present => Self::Present,
            AttendanceStatus::Late => Self::Late,
            AttendanceStatus::Absent => Self::Absent,
            AttendanceStatus::Excused => Self::Excused,
        }
    }
}

impl From<Mark> for AttendanceStatus {
    fn from(m: Mark) -> Self {
        match m {
            Mark::Present => Self::Present,
            Mark::Late => Self::Late,
            Mark::Absent => Self::Absent,
            Mark::Excused => Self::Excused,
        }
    }
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
    /// The session was cancelled while the entry was in line.
    Closed,
}

impl From<EntryStatus> for WaitlistStatus {
    fn from(s: EntryStatus) -> Self {
        match s {
            EntryStatus::Waiting => Self::Waiting,
            EntryStatus::Offered => Self::Offered,
            EntryStatus::Accepted => Self::Accepted,
            EntryStatus::Expired => Self::Expired,
            EntryStatus::Withdrawn => Self::Withdrawn,
            EntryStatus::Closed => Self::Closed,
        }
    }
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

impl From<RegistrationType> for ::booking::RegistrationKind {
    fn from(t: RegistrationType) -> Self {
        match t {
            RegistrationType::SingleSession => Self::SingleSession,
            RegistrationType::FullSchedule => Self::FullSchedule,
            RegistrationType::DropIn => Self::DropIn,
        }
    }
}

impl From<::booking::RegistrationKind> for RegistrationType {
    fn from(k: ::booking::RegistrationKind) -> Self {
        match k {
            ::booking::RegistrationKind::SingleSession => Self::SingleSession,
            ::booking::RegistrationKind::FullSchedule => Self::FullSchedule,
            ::booking::RegistrationKind::DropIn => Self::DropIn,
        }
    }
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
    async fn kind(&self) -> Result<BookingKind> {
        Ok(match rows::kind_of(&self.0).map_err(internal)? {
            ::booking::BookingKind::OneOnOne => BookingKind::OneOnOne,
            ::booking::BookingKind::GroupSession => BookingKind::GroupSession,
        })
    }
    /// Status.
    async fn status(&self) -> Result<BookingStatus> {
        Ok(rows::status_of(&self.0).map_err(internal)?.into())
    }
    /// The attendance mark of a plain 1-on-1 lesson (group sessions keep
    /// theirs on the session's roster).
    async fn attendance(&self) -> Result<Option<AttendanceStatus>> {
        self.0
            .attendance_mark
            .as_deref()
            .map(|m| infra::stored("bookings", m, Mark::parse).map(Into::into))
            .transpose()
            .map_err(crate::error::internal)
    }
    /// The note taken with the lesson's attendance.
    async fn attendance_note(&self) -> Option<&str> {
        self.0.attendance_note.as_deref()
    }
    /// Seats (guests included).
    async fn seats(&self) -> i32 {
        self.0.seats
    }
    /// Equipment the booking holds (for every seat) while it holds its
    /// place; cancelling, declining or moving it gives the units back.
    async fn equipment(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::schema::resources::EquipmentAllocation>> {
        crate::schema::resources::equipment::allocations(ctx, self.0.id).await
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
        Ok(load_opt(&loaders(ctx)?.sessions, self.0.session_id)
            .await?
            .map(Session))
    }
    /// The teacher.
    async fn teacher(&self, ctx: &Context<'_>) -> Result<Option<Teacher>> {
        Ok(load_opt(&loaders(ctx)?.teachers, self.0.teacher_id)
            .await?
            .map(Teacher))
    }
    /// The offering.
    async fn offering(&self, ctx: &Context<'_>) -> Result<Option<Offering>> {
        Ok(load_opt(&loaders(ctx)?.offerings, self.0.offering_id)
            .await?
            .map(Offering))
    }
    /// The booking this one replaced, when it was made by `rescheduleBooking`.
    async fn rescheduled_from(&self, ctx: &Context<'_>) -> Result<Option<Booking>> {
        Ok(
            load_opt(&loaders(ctx)?.booking_by_id, self.0.rescheduled_from_id)
                .await?
                .map(Booking),
        )
    }
    /// The booking that replaced this one, once it is RESCHEDULED.
    async fn rescheduled_to(&self, ctx: &Context<'_>) -> Result<Option<Booking>> {
        Ok(loaders(ctx)?
            .replacements
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .map(Booking))
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
    async fn status(&self) -> Result<WaitlistStatus> {
        Ok(rows::entry_status(&self.0).map_err(internal)?.into())
    }
    /// When an open offer lapses.
    async fn offer_expires_at(&self) -> Option<DateTime> {
        self.0.offer_expires_at.map(DateTime)
    }
    /// When the line reached this entry with an offer.
    async fn offered_at(&self) -> Option<DateTime> {
        self.0.offered_at.map(DateTime)
    }
    /// When the offer was accepted.
    async fn accepted_at(&self) -> Option<DateTime> {
        self.0.accepted_at.map(DateTime)
    }
    /// When the offer ran out.
    async fn expired_at(&self) -> Option<DateTime> {
        self.0.expired_at.map(DateTime)
    }
    /// When the student left the line.
    async fn withdrawn_at(&self) -> Option<DateTime> {
        self.0.withdrawn_at.map(DateTime)
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
    async fn attendance(&self) -> Result<Option<AttendanceStatus>> {
        self.attendance
            .as_ref()
            .map(|a| rows::mark_of(a).map(AttendanceStatus::from))
            .transpose()
            .map_err(internal)
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
        Ok(load_opt(&loaders(ctx)?.offerings, self.0.offering_id)
            .await?
            .map(Offering))
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
    async fn r#type(&self) -> Result<RegistrationType> {
        Ok(rows::registration_kind(&self.model)
            .map_err(internal)?
            .into())
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

/// Booking fields of `Session` (merged into its object in `schema/scheduling/objects.rs`).
impl Session {
    /// Seats held by bookings and open waitlist offers.
    /// (taken, left), by the core's rule (a 1-on-1 series' lesson is its
    /// student's).
    pub(crate) fn occupancy(&self) -> (i32, i32) {
        let view = ::booking::seats::SessionView {
            starts_at: self.0.starts_at,
            ends_at: self.0.ends_at,
            capacity: self.0.capacity.max(0) as u32,
            seats_taken: self.0.seats_taken.max(0) as u32,
            cancelled: false,
            private: self.0.student_id.is_some(),
        };
        let (taken, left) = ::booking::seats::occupancy(&view);
        (taken as i32, left as i32)
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
        for b in bookings {
            let on_roster = rows::status_of(&b).map_err(internal)?.on_roster();
            if on_roster && Some(b.student_id) != self.0.student_id {
                roster.push(RosterEntry {
                    student: b.student_id,
                    booking: Some(b),
                    attendance: None,
                });
            }
        }
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
        let mut pending = Vec::new();
        for b in self.bookings_of(ctx).await? {
            if rows::status_of(&b).map_err(internal)? == DomainStatus::Pending {
                pending.push(Booking(b));
            }
        }
        Ok(pending)
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
        let mut line = Vec::new();
        for e in loaders(ctx)?
            .waitlist
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default()
        {
            let open = rows::entry_status(&e).map_err(internal)?.in_line();
            let visible = whole
                || viewer
                    .acts_for
                    .contains(&StudentId::from_uuid(e.student_id));
            if open && visible {
                line.push(WaitlistEntry(e));
            }
        }
        Ok(line)
    }
}
