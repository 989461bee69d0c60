//! Class series and sessions as GraphQL objects, with their conflicts and
//! enums. Each wraps an infra row privately and exposes explicit fields;
//! the booking fields of `Session` live with bookings
//! (`schema::booking::objects`).

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use infra::entity::{class_series, session};
use infra::scheduling::{StoredConflict, conflicts_of};

use crate::context::loaders;
use crate::error::internal;
use crate::ids::{Kind, encode};
use crate::scalars::{DateTime, LocalDate, LocalTime};
use crate::schema::{Location, Offering, Room, Student, Teacher, load, load_opt};

/// What to do with an occurrence that conflicts.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConflictPolicy {
    /// Leave it out and report the date.
    Skip,
    /// Create it as CONFLICTED with the reasons.
    Mark,
    /// Refuse the whole generation.
    Fail,
}

/// When sessions are generated.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum GenerationMode {
    /// When an admin asks.
    OnDemand,
    /// Kept generated ahead by a background job.
    Advance,
}

/// Lifecycle of a series.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SeriesStatus {
    /// Generating.
    Active,
    /// Not generating for now.
    Paused,
    /// Over.
    Ended,
    /// Switched off.
    Disabled,
}

macro_rules! same_enum {
    ($api:ident <=> $domain:path { $($v:ident),* }) => {
        impl From<$api> for $domain {
            fn from(v: $api) -> Self {
                match v { $($api::$v => <$domain>::$v),* }
            }
        }
        impl From<$domain> for $api {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$v => $api::$v),* }
            }
        }
    };
}

same_enum!(ConflictPolicy <=> scheduling::ConflictPolicy { Skip, Mark, Fail });
same_enum!(GenerationMode <=> scheduling::GenerationMode { OnDemand, Advance });
same_enum!(SeriesStatus <=> scheduling::SeriesStatus { Active, Paused, Ended, Disabled });
same_enum!(SessionStatus <=> scheduling::SessionStatus {
    Scheduled, Confirmed, Conflicted, InProgress, Completed, Cancelled, CancelledByTeacher
});
same_enum!(ConflictKind <=> scheduling::ConflictKind {
    TeacherDoubleBooked, RoomDoubleBooked, StudentDoubleBooked, TeacherUnavailable, RoomTooSmall,
    StaffDoubleBooked, TeacherOnTimeOff, TeacherHasLesson, TeacherBuffer, TeacherNotQualified
});

/// A class series: the pattern sessions are generated from.
pub struct ClassSeries(pub class_series::Model);

#[Object]
impl ClassSeries {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::ClassSeries, self.0.id)
    }
    /// What is taught.
    async fn offering(&self, ctx: &Context<'_>) -> Result<Option<Offering>> {
        Ok(load(&loaders(ctx)?.offerings, self.0.offering_id)
            .await?
            .map(Offering))
    }
    /// Default teacher.
    async fn teacher(&self, ctx: &Context<'_>) -> Result<Option<Teacher>> {
        Ok(load_opt(&loaders(ctx)?.teachers, self.0.teacher_id)
            .await?
            .map(Teacher))
    }
    /// Location.
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<Location>> {
        Ok(load(&loaders(ctx)?.locations, self.0.location_id)
            .await?
            .map(Location))
    }
    /// Room or booth.
    async fn room(&self, ctx: &Context<'_>) -> Result<Option<Room>> {
        Ok(load_opt(&loaders(ctx)?.rooms, self.0.room_id)
            .await?
            .map(Room))
    }
    /// The student of a 1-on-1 series.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load_opt(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
    /// First possible date.
    async fn start_date(&self) -> LocalDate {
        LocalDate(self.0.start_date)
    }
    /// Last possible date (inclusive).
    async fn end_date(&self) -> Option<LocalDate> {
        self.0.end_date.map(LocalDate)
    }
    /// Occurrence count bound.
    async fn count(&self) -> Option<i32> {
        self.0.count
    }
    /// Local start time.
    async fn start_time(&self) -> LocalTime {
        LocalTime(self.0.start_time)
    }
    /// Length in minutes.
    async fn duration_minutes(&self) -> i32 {
        self.0.duration_minutes
    }
    /// IANA zone the times are in.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }
    /// The recurrence as an RFC 5545 RRULE (the days-of-week form is stored this way too).
    async fn rrule(&self) -> &str {
        &self.0.rrule
    }
    /// Excluded dates.
    async fn exdates(&self) -> Result<Vec<LocalDate>> {
        let dates: Vec<chrono::NaiveDate> =
            serde_json::from_str(&self.0.exdates).map_err(internal)?;
        Ok(dates.into_iter().map(LocalDate).collect())
    }
    /// Seats per session.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// Conflict policy.
    async fn conflict_policy(&self) -> Result<ConflictPolicy> {
        infra::stored(
            "class_series",
            &self.0.conflict_policy,
            scheduling::ConflictPolicy::parse,
        )
        .map(Into::into)
        .map_err(crate::error::internal)
    }
    /// Generation mode.
    async fn generation_mode(&self) -> Result<GenerationMode> {
        infra::stored(
            "class_series",
            &self.0.generation_mode,
            scheduling::GenerationMode::parse,
        )
        .map(Into::into)
        .map_err(crate::error::internal)
    }
    /// Lifecycle status.
    async fn status(&self) -> Result<SeriesStatus> {
        infra::stored(
            "class_series",
            &self.0.status,
            scheduling::SeriesStatus::parse,
        )
        .map(Into::into)
        .map_err(crate::error::internal)
    }
    /// Sessions exist for every occurrence up to this date (the watermark).
    async fn last_generated_through(&self) -> Option<LocalDate> {
        self.0.last_generated_through.map(LocalDate)
    }
    /// Default instructors, copied to every session generated.
    async fn instructors(&self, ctx: &Context<'_>) -> Result<Vec<Teacher>> {
        crate::schema::staff::series_staff(ctx, self.0.id, infra::staff::INSTRUCTOR).await
    }
    /// Default assistants, copied to every session generated.
    async fn assistants(&self, ctx: &Context<'_>) -> Result<Vec<Teacher>> {
        crate::schema::staff::series_staff(ctx, self.0.id, infra::staff::ASSISTANT).await
    }
    /// The series this one was split from by a "this and following" edit:
    /// it ends the day before this one starts.
    async fn split_from(&self, ctx: &Context<'_>) -> Result<Option<ClassSeries>> {
        Ok(load_opt(&loaders(ctx)?.series, self.0.split_from_id)
            .await?
            .map(ClassSeries))
    }
    /// Extra local dates (RDATE) the series also meets on.
    async fn rdates(&self) -> Result<Vec<LocalDate>> {
        let dates: Vec<chrono::NaiveDate> =
            serde_json::from_str(&self.0.rdates).map_err(internal)?;
        Ok(dates.into_iter().map(LocalDate).collect())
    }
    /// Notes for the office and teachers.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Online meeting defaults, copied to each generated session.
    async fn meeting(&self) -> Option<Meeting> {
        Meeting::of(
            self.0.meeting_provider.as_deref(),
            &self.0.meeting_link,
            &self.0.meeting_id,
            &self.0.meeting_passcode,
        )
    }
    /// The hybrid cycle, if some weeks meet as 1-on-1 slots.
    async fn hybrid(&self) -> Result<Option<Hybrid>> {
        let Some(cycle) = infra::scheduling::hybrid_of(&self.0).map_err(internal)? else {
            return Ok(None);
        };
        Ok(Some(Hybrid {
            cycle_length_weeks: cycle.length_weeks() as i32,
            cycle_start_date: LocalDate(cycle.start_monday()),
            one_on_one_weeks: cycle.one_on_one_weeks().iter().map(|w| *w as i32).collect(),
            one_on_one_price_minor: self.0.hybrid_price_minor,
        }))
    }
}

/// A hybrid series' cycle.
#[derive(async_graphql::SimpleObject)]
pub struct Hybrid {
    /// Weeks in the cycle.
    pub cycle_length_weeks: i32,
    /// The Monday the cycle counts from.
    pub cycle_start_date: LocalDate,
    /// The 1-based weeks that meet as 1-on-1 slots.
    pub one_on_one_weeks: Vec<i32>,
    /// Price of one 1-on-1 slot, in minor units.
    pub one_on_one_price_minor: Option<i64>,
}

/// Status of a session.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// Planned.
    Scheduled,
    /// Confirmed.
    Confirmed,
    /// Created with conflicts (see `conflicts`).
    Conflicted,
    /// Happening now.
    InProgress,
    /// Happened.
    Completed,
    /// Cancelled by the school.
    Cancelled,
    /// Cancelled by the teacher.
    CancelledByTeacher,
}

/// Kind of scheduling conflict.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConflictKind {
    /// The teacher is in another overlapping session.
    TeacherDoubleBooked,
    /// The room hosts another overlapping session.
    RoomDoubleBooked,
    /// The student is in another overlapping session.
    StudentDoubleBooked,
    /// Outside the teacher's availability windows.
    TeacherUnavailable,
    /// The room holds fewer people than the session's capacity.
    RoomTooSmall,
    /// An instructor or assistant is in another overlapping session.
    StaffDoubleBooked,
    /// The teacher is on time off then.
    TeacherOnTimeOff,
    /// The teacher has a booked 1-on-1 lesson then (`otherSessionId` is null).
    TeacherHasLesson,
    /// Too little time between the teacher's lessons for the buffers of
    /// their booking policy.
    TeacherBuffer,
    /// The teacher lacks the teaching role the offering requires.
    TeacherNotQualified,
}

/// A scheduling conflict: both sessions and the contested resource.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Conflict {
    /// What kind.
    pub kind: ConflictKind,
    /// A sentence for the office manager.
    pub message: String,
    /// The session that has the conflict (null in a preview: it does not exist yet).
    pub session_id: Option<ID>,
    /// The other session, for double bookings (null when it is not stored,
    /// e.g. another occurrence in the same preview).
    pub other_session_id: Option<ID>,
    /// The contested resource's kind (`TEACHER`, `ROOM`, `STUDENT`) and id;
    /// exposed as `resourceId`.
    #[graphql(skip)]
    pub resource: (String, uuid::Uuid),
}

#[ComplexObject]
impl Conflict {
    /// Global id of the contested teacher, room or student.
    async fn resource_id(&self) -> Result<ID> {
        let kind = match self.resource.0.as_str() {
            "TEACHER" => Kind::Teacher,
            "ROOM" => Kind::Room,
            "STUDENT" => Kind::Student,
            other => {
                return Err(internal(infra::InfraError::Corrupt {
                    table: "sessions",
                    detail: format!("conflict resource kind {other:?}"),
                }));
            }
        };
        Ok(encode(kind, self.resource.1))
    }
}

impl Conflict {
    /// From a stored conflict of `kind` on session `session`.
    pub fn stored(
        session: Option<uuid::Uuid>,
        kind: scheduling::ConflictKind,
        c: StoredConflict,
    ) -> Self {
        Self {
            kind: kind.into(),
            message: c.message,
            session_id: session.map(|s| encode(Kind::Session, s)),
            other_session_id: c.other_session_id.map(|s| encode(Kind::Session, s)),
            resource: (c.resource_kind, c.resource_id),
        }
    }
}

/// One occurrence of a series: a lesson on a date.
pub struct Session(pub session::Model);

#[Object]
impl Session {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Session, self.0.id)
    }
    /// Local date of the occurrence in the series' zone.
    async fn occurrence_date(&self) -> LocalDate {
        LocalDate(self.0.occurrence_date)
    }
    /// Position in the series' rule (0-based).
    async fn occurrence_index(&self) -> i32 {
        self.0.occurrence_index
    }
    /// Start instant.
    async fn starts_at(&self) -> DateTime {
        DateTime(self.0.starts_at)
    }
    /// End instant.
    async fn ends_at(&self) -> DateTime {
        DateTime(self.0.ends_at)
    }
    /// IANA zone of the series when the session was generated.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }
    /// Status.
    async fn status(&self) -> Result<SessionStatus> {
        infra::stored("sessions", &self.0.status, scheduling::SessionStatus::parse)
            .map(Into::into)
            .map_err(crate::error::internal)
    }
    /// Seats offered.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// Edited by hand: regeneration leaves it alone.
    async fn detached(&self) -> bool {
        self.0.detached
    }
    /// Why the session is CONFLICTED: the conflicts found when it was
    /// generated under policy MARK (empty otherwise). The other session of
    /// a double booking is not changed; it is named in `otherSessionId`.
    async fn conflicts(&self) -> Result<Vec<Conflict>> {
        Ok(conflicts_of(&self.0)
            .map_err(crate::error::internal)?
            .into_iter()
            .map(|(kind, c)| Conflict::stored(Some(self.0.id), kind, c))
            .collect())
    }
    /// The teacher.
    async fn teacher(&self, ctx: &Context<'_>) -> Result<Option<Teacher>> {
        Ok(load_opt(&loaders(ctx)?.teachers, self.0.teacher_id)
            .await?
            .map(Teacher))
    }
    /// The room or booth.
    async fn room(&self, ctx: &Context<'_>) -> Result<Option<Room>> {
        Ok(load_opt(&loaders(ctx)?.rooms, self.0.room_id)
            .await?
            .map(Room))
    }
    /// The location.
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<Location>> {
        Ok(load(&loaders(ctx)?.locations, self.0.location_id)
            .await?
            .map(Location))
    }
    /// The student of a 1-on-1 session.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load_opt(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
    /// The series it was generated from (null for one-offs).
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<ClassSeries>> {
        Ok(load_opt(&loaders(ctx)?.series, self.0.series_id)
            .await?
            .map(ClassSeries))
    }
    /// In one of its series' hybrid 1-on-1 weeks: book slots with
    /// `hybridSlots`/`bookHybridSlot` instead of seats.
    async fn one_on_one_week(&self) -> bool {
        self.0.one_on_one_week
    }
    /// Instructors of this session.
    async fn instructors(&self, ctx: &Context<'_>) -> Result<Vec<Teacher>> {
        crate::schema::staff::session_staff(ctx, self.0.id, infra::staff::INSTRUCTOR).await
    }
    /// Assistants of this session.
    async fn assistants(&self, ctx: &Context<'_>) -> Result<Vec<Teacher>> {
        crate::schema::staff::session_staff(ctx, self.0.id, infra::staff::ASSISTANT).await
    }
    /// Seats held by bookings (pending and confirmed) and by open waitlist
    /// offers. Exact: kept in the booking's own transaction.
    async fn seats_taken(&self) -> i32 {
        self.occupancy().0
    }
    /// Seats anyone may still book: `capacity - seatsTaken`, or fewer when
    /// the equipment the offering needs per student runs out first (see
    /// `equipment`). Zero for a 1-on-1 series' lesson, which belongs to its
    /// student.
    async fn seats_left(&self, ctx: &Context<'_>) -> Result<i32> {
        let seats = self.occupancy().1;
        Ok(
            match crate::schema::resources::equipment::seats_equipment_allows(ctx, &self.0).await? {
                Some(allowed) => seats.min(allowed),
                None => seats,
            },
        )
    }
    /// The equipment each student needs at this session's location, with
    /// the units left over its time (after every overlapping booking and
    /// maintenance). Empty when the offering needs none.
    async fn equipment(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::schema::resources::EquipmentNeed>> {
        crate::schema::resources::equipment::session_needs(ctx, &self.0).await
    }
    /// Students with a confirmed, attended or no-show booking, with their
    /// attendance. The teacher and the office see everyone; families see
    /// their own students.
    async fn roster(&self, ctx: &Context<'_>) -> Result<Vec<crate::schema::RosterEntry>> {
        self.roster_value(ctx).await
    }
    /// Booking requests waiting for approval (for the teacher and office).
    async fn pending_bookings(&self, ctx: &Context<'_>) -> Result<Vec<crate::schema::Booking>> {
        self.pending_value(ctx).await
    }
    /// Students waiting for a seat, in line order, with open offers.
    async fn waitlist(&self, ctx: &Context<'_>) -> Result<Vec<crate::schema::WaitlistEntry>> {
        self.waitlist_value(ctx).await
    }
    /// What is taught (the series' offering, or a one-off's own).
    async fn offering(&self, ctx: &Context<'_>) -> Result<Option<Offering>> {
        let id = match self.0.offering_id {
            Some(id) => Some(id),
            None => load_opt(&loaders(ctx)?.series, self.0.series_id)
                .await?
                .map(|s| s.offering_id),
        };
        Ok(load_opt(&loaders(ctx)?.offerings, id).await?.map(Offering))
    }
    /// Online meeting details: the series' defaults, or this session's own.
    async fn meeting(&self) -> Option<Meeting> {
        Meeting::of(
            self.0.meeting_provider.as_deref(),
            &self.0.meeting_link,
            &self.0.meeting_id,
            &self.0.meeting_passcode,
        )
    }
    /// Notes for this session.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Why it was cancelled, when it was.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime> {
        self.0.cancelled_at.map(DateTime)
    }
}

/// Who hosts an online meeting.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MeetingProvider {
    /// Zoom.
    Zoom,
    /// Google Meet.
    GoogleMeet,
    /// Microsoft Teams.
    Teams,
    /// Any other service, joined by its link.
    Custom,
}

impl From<MeetingProvider> for scheduling::MeetingProvider {
    fn from(p: MeetingProvider) -> Self {
        match p {
            MeetingProvider::Zoom => Self::Zoom,
            MeetingProvider::GoogleMeet => Self::GoogleMeet,
            MeetingProvider::Teams => Self::Teams,
            MeetingProvider::Custom => Self::Custom,
        }
    }
}

impl From<scheduling::MeetingProvider> for MeetingProvider {
    fn from(p: scheduling::MeetingProvider) -> Self {
        match p {
            scheduling::MeetingProvider::Zoom => Self::Zoom,
            scheduling::MeetingProvider::GoogleMeet => Self::GoogleMeet,
            scheduling::MeetingProvider::Teams => Self::Teams,
            scheduling::MeetingProvider::Custom => Self::Custom,
        }
    }
}

/// Online meeting details.
#[derive(SimpleObject, Clone, Debug)]
pub struct Meeting {
    /// The provider.
    pub provider: MeetingProvider,
    /// The join link.
    pub link: Option<String>,
    /// The provider's meeting id.
    pub meeting_id: Option<String>,
    /// The passcode.
    pub passcode: Option<String>,
}

impl Meeting {
    /// The details stored on a row, if it has any; an unknown provider
    /// name reads as CUSTOM (the link still works).
    pub fn of(
        provider: Option<&str>,
        link: &Option<String>,
        id: &Option<String>,
        passcode: &Option<String>,
    ) -> Option<Self> {
        let provider = provider?;
        Some(Self {
            provider: scheduling::MeetingProvider::parse(provider)
                .unwrap_or(scheduling::MeetingProvider::Custom)
                .into(),
            link: link.clone(),
            meeting_id: id.clone(),
            passcode: passcode.clone(),
        })
    }
}

/// Meeting details in input.
#[derive(InputObject, Debug, Clone)]
pub struct MeetingInput {
    /// The provider.
    pub provider: MeetingProvider,
    /// The join link (`https://…`); required for CUSTOM.
    pub link: Option<String>,
    /// The provider's meeting id.
    pub meeting_id: Option<String>,
    /// The passcode.
    pub passcode: Option<String>,
}

impl MeetingInput {
    /// Validated details.
    pub fn parse(&self) -> Result<scheduling::Meeting, scheduling::MeetingError> {
        scheduling::Meeting::parse(
            self.provider.into(),
            self.link.as_deref(),
            self.meeting_id.as_deref(),
            self.passcode.as_deref(),
        )
    }
}
