//! The family's view and a teacher's inbox: the class browser, a student's
//! bookings, enrolments and calendar (sessions and 1-on-1 lessons
//! together), a teacher's calendar, pending requests, leaving a waitlist
//! and unenrolling.
//!
//! Lists load in a constant number of statements: one for the rows, then
//! one per related kind the query selects (`scheduling::calendar::prime`).

use std::collections::HashSet;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::Duration;
use infra::entity::{booking as booking_row, enrolment, waitlist_entry};
use infra::scheduling::{BrowseFilter, CalendarFilter as Filter, LessonsOf};
use kernel::policy::{Action, CalendarOf};
use kernel::{LocationId, StudentId, TeacherId};

use super::inputs::BookingPayload;
use super::objects::{AttendanceStatus, Booking, BookingStatus, WaitlistEntry};
use crate::context::{app, loaders, viewer};
use crate::error::{Code, FieldError, UserError, bad_input, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::{DateTime, LocalDate};
use crate::schema::page::{Page, PageArgs, paginate};
use crate::schema::scheduling::calendar::{MAX_CALENDAR_DAYS, prime};
use crate::schema::{
    ClassSeries, Done, OfferingKind, Session, Student, allow, authorize, load, mutation, page_args,
    payloads, refused,
};

/// Where an enrolment stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EnrolmentStatus {
    /// Attending; sessions generated later include the student.
    Active,
    /// On a break.
    Paused,
    /// The series ended with the student in it.
    Completed,
    /// Left.
    Unenrolled,
    /// Removed by the school.
    Dropped,
}

impl From<booking::enrolment::EnrolmentStatus> for EnrolmentStatus {
    fn from(s: booking::enrolment::EnrolmentStatus) -> Self {
        use booking::enrolment::EnrolmentStatus as D;
        match s {
            D::Active => Self::Active,
            D::Paused => Self::Paused,
            D::Completed => Self::Completed,
            D::Unenrolled => Self::Unenrolled,
            D::Dropped => Self::Dropped,
        }
    }
}

/// A student's standing place in a series: made by a FULL_SCHEDULE
/// registration; sessions generated later include the student, capacity
/// permitting.
pub struct Enrolment(pub enrolment::Model);

#[Object]
impl Enrolment {
    /// Global id.
    async fn id(&self) -> ID {
        encode(Kind::Enrolment, self.0.id)
    }
    /// The series.
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<ClassSeries>> {
        Ok(load(&loaders(ctx)?.series, self.0.series_id)
            .await?
            .map(ClassSeries))
    }
    /// The student.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
    /// Status.
    async fn status(&self) -> Result<EnrolmentStatus> {
        infra::stored(
            "enrolments",
            &self.0.status,
            booking::enrolment::EnrolmentStatus::parse,
        )
        .map(Into::into)
        .map_err(internal)
    }
    /// When the place was taken (or last renewed).
    async fn enrolled_at(&self) -> DateTime {
        DateTime(self.0.enrolled_at)
    }
    /// The first local date the student no longer attends, once they left.
    async fn ends_on(&self) -> Option<LocalDate> {
        self.0.ends_on.map(LocalDate)
    }
}

/// What a calendar entry is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CalendarEntryKind {
    /// A session (group, or a 1-on-1 series' lesson).
    Session,
    /// A booked 1-on-1 lesson with a teacher.
    Lesson,
}

/// One entry of a person's calendar.
#[derive(SimpleObject)]
pub struct CalendarEntry {
    /// What it is.
    pub kind: CalendarEntryKind,
    /// Start instant.
    pub starts_at: DateTime,
    /// End instant.
    pub ends_at: DateTime,
    /// The session, for SESSION entries.
    pub session: Option<Session>,
    /// The lesson's booking, for LESSON entries.
    pub lesson: Option<Booking>,
}

/// Sessions and 1-on-1 lessons overlapping `[from, to)`, in start order:
/// two statements, plus one per related kind selected under `session`.
async fn calendar_of(
    ctx: &Context<'_>,
    filter: Filter,
    lessons: LessonsOf,
    from: DateTime,
    to: DateTime,
) -> Result<Vec<CalendarEntry>> {
    let school = viewer(ctx)?.school;
    if to.0 <= from.0 {
        return Err(bad_input("to", Code::Invalid, "`to` must be after `from`"));
    }
    if to.0 - from.0 > Duration::days(MAX_CALENDAR_DAYS) {
        return Err(bad_input(
            "to",
            Code::BeyondHorizon,
            format!("a calendar query may span at most {MAX_CALENDAR_DAYS} days; split the range"),
        ));
    }
    let conn = app(ctx).db.conn();
    let sessions = infra::scheduling::calendar(conn, school, filter, from.0, to.0)
        .await
        .map_err(internal)?;
    prime(ctx, ctx.look_ahead().field("session"), &sessions).await?;
    let lessons = infra::scheduling::lessons(conn, school, lessons, from.0, to.0)
        .await
        .map_err(internal)?;
    let mut entries: Vec<CalendarEntry> = sessions
        .into_iter()
        .map(|s| CalendarEntry {
            kind: CalendarEntryKind::Session,
            starts_at: DateTime(s.starts_at),
            ends_at: DateTime(s.ends_at),
            session: Some(Session(s)),
            lesson: None,
        })
        .chain(lessons.into_iter().map(|b| CalendarEntry {
            kind: CalendarEntryKind::Lesson,
            starts_at: DateTime(b.starts_at),
            ends_at: DateTime(b.ends_at),
            session: None,
            lesson: Some(Booking(b)),
        }))
        .collect();
    entries.sort_by_key(|e| e.starts_at.0);
    Ok(entries)
}

/// `Student.calendar`: the student's sessions (booked, enrolled, their
/// 1-on-1 series; cancelled ones shown as cancelled) and 1-on-1 lessons.
pub(crate) async fn student_calendar(
    ctx: &Context<'_>,
    student: uuid::Uuid,
    from: DateTime,
    to: DateTime,
) -> Result<Vec<CalendarEntry>> {
    let id = StudentId::from_uuid(student);
    allow(viewer(ctx)?, Action::ReadCalendar(CalendarOf::Student(id)))?;
    calendar_of(ctx, Filter::Student(id), LessonsOf::Student(id), from, to).await
}

/// `Teacher.calendar`: sessions the teacher teaches or is assigned to as
/// instructor or assistant, and their 1-on-1 lessons.
pub(crate) async fn teacher_calendar(
    ctx: &Context<'_>,
    teacher: uuid::Uuid,
    from: DateTime,
    to: DateTime,
) -> Result<Vec<CalendarEntry>> {
    let id = TeacherId::from_uuid(teacher);
    allow(viewer(ctx)?, Action::ReadCalendar(CalendarOf::Teacher(id)))?;
    calendar_of(ctx, Filter::Teacher(id), LessonsOf::Teacher(id), from, to).await
}

/// `Student.enrolments`: newest first.
pub(crate) async fn student_enrolments(
    ctx: &Context<'_>,
    student: uuid::Uuid,
) -> Result<Vec<Enrolment>> {
    let id = StudentId::from_uuid(student);
    let viewer = viewer(ctx)?;
    allow(viewer, Action::ReadCalendar(CalendarOf::Student(id)))?;
    Ok(
        infra::booking::enrolment::of_student(app(ctx).db.conn(), viewer.school, id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(Enrolment)
            .collect(),
    )
}

/// Narrows `Student.bookings`.
#[derive(InputObject, Default, Debug)]
pub struct StudentBookingsFilter {
    /// Only bookings in these statuses.
    pub status: Option<Vec<BookingStatus>>,
    /// Only lessons ending after this instant.
    pub from: Option<DateTime>,
    /// Only lessons starting before this instant.
    pub to: Option<DateTime>,
}

fn stored_status(s: BookingStatus) -> &'static str {
    use booking::BookingStatus as D;
    match s {
        BookingStatus::Pending => D::Pending,
        BookingStatus::Confirmed => D::Confirmed,
        BookingStatus::Declined => D::Declined,
        BookingStatus::Cancelled => D::Cancelled,
        BookingStatus::Attended => D::Attended,
        BookingStatus::NoShow => D::NoShow,
        BookingStatus::Rescheduled => D::Rescheduled,
    }
    .as_str()
}

/// `Student.bookings`: by lesson time.
pub(crate) async fn student_bookings(
    ctx: &Context<'_>,
    student: uuid::Uuid,
    filter: Option<StudentBookingsFilter>,
    args: PageArgs,
) -> Result<Page<Booking>> {
    let id = StudentId::from_uuid(student);
    let viewer = viewer(ctx)?;
    allow(viewer, Action::ReadCalendar(CalendarOf::Student(id)))?;
    let filter = filter.unwrap_or_default();
    let listing = infra::repo::list::student_bookings(
        id,
        filter
            .status
            .map(|s| s.into_iter().map(stored_status).collect()),
        filter.from.map(|t| t.0),
        filter.to.map(|t| t.0),
    );
    let page = paginate(ctx, viewer.school, listing, args, Booking).await?;
    prime_bookings(ctx, &page).await?;
    Ok(page)
}

/// Loads what a page of bookings selects (sessions, students, teachers,
/// offerings), one statement per kind, before the fields resolve: left to
/// the loaders' batching delay alone, a long page splits into several
/// batches (see `scheduling::calendar::prime`).
async fn prime_bookings(ctx: &Context<'_>, page: &Page<Booking>) -> Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let rows: Vec<&booking_row::Model> = page.edges.iter().map(|e| &e.node.0).collect();
    let loaders = loaders(ctx)?;
    if node.field("session").exists() {
        loaders
            .sessions
            .load_many(rows.iter().filter_map(|b| b.session_id))
            .await
            .map_err(internal)?;
    }
    if node.field("student").exists() {
        loaders
            .students
            .load_many(rows.iter().map(|b| b.student_id))
            .await
            .map_err(internal)?;
    }
    if node.field("teacher").exists() {
        loaders
            .teachers
            .load_many(rows.iter().filter_map(|b| b.teacher_id))
            .await
            .map_err(internal)?;
    }
    if node.field("offering").exists() {
        loaders
            .offerings
            .load_many(rows.iter().filter_map(|b| b.offering_id))
            .await
            .map_err(internal)?;
    }
    Ok(())
}

/// Narrows the class browser.
#[derive(InputObject, Default, Debug)]
pub struct ClassBrowserFilter {
    /// Only offerings of this kind.
    pub offering_kind: Option<OfferingKind>,
    /// Only offerings whose title mentions this (any case), e.g. `piano`.
    pub subject: Option<String>,
    /// From this instant (default and earliest: now).
    pub from: Option<DateTime>,
    /// Up to this instant (default: four weeks after `from`; at most 92 days).
    pub to: Option<DateTime>,
    /// Only at this location.
    pub location_id: Option<ID>,
}

/// What a family can book.
#[derive(SimpleObject)]
pub struct ClassBrowser {
    /// Upcoming sessions open for booking (a full one can still be
    /// waitlisted), soonest first, with seats left, price and teacher on
    /// `Session` and its `offering`. Rosters show a family only its own
    /// students.
    pub sessions: Vec<Session>,
    /// The series those sessions belong to, for a FULL_SCHEDULE
    /// registration (enrolment), in order of their first session.
    pub series: Vec<ClassSeries>,
}

#[derive(Default)]
pub struct FamilyQuery;

#[Object]
impl FamilyQuery {
    /// Upcoming classes a family or student could book.
    async fn class_browser(
        &self,
        ctx: &Context<'_>,
        filter: Option<ClassBrowserFilter>,
    ) -> Result<ClassBrowser> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        let filter = filter.unwrap_or_default();
        let now = app(ctx).clock.now();
        let from = filter.from.map_or(now, |f| f.0.max(now));
        let to = filter.to.map_or(from + Duration::days(28), |t| t.0);
        if to <= from {
            return Err(bad_input(
                "filter.to",
                Code::Invalid,
                "`to` must be after `from` (and after now)",
            ));
        }
        if to - from > Duration::days(MAX_CALENDAR_DAYS) {
            return Err(bad_input(
                "filter.to",
                Code::BeyondHorizon,
                format!(
                    "the class browser spans at most {MAX_CALENDAR_DAYS} days; narrow the range"
                ),
            ));
        }
        // An id of another type or school matches nothing.
        let location = filter
            .location_id
            .as_ref()
            .map(|id| LocationId::from_uuid(decode(Kind::Location, id).unwrap_or_default()));
        let browse = BrowseFilter {
            kind: filter
                .offering_kind
                .map(|k| scheduling::OfferingKind::from(k).as_str()),
            title: crate::schema::notes(filter.subject),
            location,
            from,
            to,
        };
        let sessions = infra::scheduling::class_browser(app(ctx).db.conn(), viewer.school, browse)
            .await
            .map_err(internal)?;
        let wants = ctx.look_ahead();
        prime(ctx, wants.field("sessions"), &sessions).await?;
        let mut seen = HashSet::new();
        let order: Vec<uuid::Uuid> = sessions
            .iter()
            .filter_map(|s| s.series_id)
            .filter(|id| seen.insert(*id))
            .collect();
        let found = loaders(ctx)?
            .series
            .load_many(order.iter().copied())
            .await
            .map_err(internal)?;
        let series = order
            .iter()
            .filter_map(|id| found.get(id).cloned())
            .map(ClassSeries)
            .collect();
        Ok(ClassBrowser {
            sessions: sessions.into_iter().map(Session).collect(),
            series,
        })
    }

    /// Booking requests waiting for a decision, soonest lesson first: a
    /// teacher's own (group seats and 1-on-1 lessons), or the whole
    /// school's for the office.
    async fn pending_bookings(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<Booking>> {
        let viewer = viewer(ctx)?;
        let teacher = if viewer.is_staff() {
            None
        } else {
            allow(viewer, Action::DecideBooking(viewer.teacher))?;
            viewer.teacher
        };
        let page = paginate(
            ctx,
            viewer.school,
            infra::repo::list::pending_bookings(teacher),
            page_args!(after, before, first, last),
            Booking,
        )
        .await?;
        prime_bookings(ctx, &page).await?;
        Ok(page)
    }
}

/// Input of `unenrol`.
#[derive(InputObject, Debug)]
pub struct UnenrolInput {
    /// The enrolment.
    pub enrolment_id: ID,
    /// The first local date the student no longer attends: their bookings
    /// from that date on are cancelled and the seats go to the waitlists.
    pub from: LocalDate,
}

/// Result of `unenrol`.
#[derive(SimpleObject, Default)]
pub struct UnenrolPayload {
    /// The enrolment, now UNENROLLED.
    pub enrolment: Option<Enrolment>,
    /// The bookings it cancelled.
    pub cancelled_bookings: Vec<Booking>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `setEnrolmentStatus`.
#[derive(InputObject, Debug)]
pub struct SetEnrolmentStatusInput {
    /// The enrolment.
    pub enrolment_id: ID,
    /// PAUSED (new sessions leave the student out), ACTIVE (resume) or
    /// DROPPED (the school ends the place; bookings from `from` are
    /// cancelled).
    pub status: EnrolmentStatus,
    /// For DROPPED: the first local date the student no longer attends
    /// (default: today in the school's zone).
    pub from: Option<LocalDate>,
}

/// Input of `leaveWaitlist`.
#[derive(InputObject, Debug)]
pub struct LeaveWaitlistInput {
    /// The waitlist entry.
    pub entry_id: ID,
}

/// Result of `leaveWaitlist`.
#[derive(SimpleObject, Default)]
pub struct LeaveWaitlistPayload {
    /// The entry, now WITHDRAWN.
    pub entry: Option<WaitlistEntry>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `recordLessonAttendance`.
#[derive(InputObject, Debug)]
pub struct RecordLessonAttendanceInput {
    /// The 1-on-1 lesson's booking.
    pub booking_id: ID,
    /// The mark.
    pub status: AttendanceStatus,
    /// A note.
    pub note: Option<String>,
}

payloads!(UnenrolPayload, LeaveWaitlistPayload);

/// The answer to a changed standing place: the enrolment and the bookings
/// it cancelled, all audited.
fn place_changed(
    (e, cancelled): (enrolment::Model, Vec<booking_row::Model>),
) -> Done<UnenrolPayload> {
    let mut targets = vec![(Kind::Enrolment, e.id)];
    targets.extend(cancelled.iter().map(|b| (Kind::Booking, b.id)));
    Done::Commit(
        UnenrolPayload {
            enrolment: Some(Enrolment(e)),
            cancelled_bookings: cancelled.into_iter().map(Booking).collect(),
            user_errors: vec![],
        },
        targets,
    )
}

#[derive(Default)]
pub struct FamilyMutation;

#[Object]
impl FamilyMutation {
    /// Leaves a series from a date on: the student's later bookings in it
    /// are cancelled and sessions generated later no longer include them.
    async fn unenrol(&self, ctx: &Context<'_>, input: UnenrolInput) -> Result<UnenrolPayload> {
        viewer(ctx)?;
        let Some(id) = decode(Kind::Enrolment, &input.enrolment_id) else {
            return refused(FieldError::not_found("enrolmentId", "enrolment"));
        };
        mutation(ctx, async |tx, viewer| {
            let Some(e) = infra::repo::find::<enrolment::Entity>(tx, viewer.school, id)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "enrolmentId",
                    "enrolment",
                )));
            };
            allow(
                viewer,
                Action::ManageBooking {
                    teacher: None,
                    student: StudentId::from_uuid(e.student_id),
                },
            )?;
            let now = app(ctx).clock.now();
            match infra::booking::enrolment::unenrol(
                tx,
                viewer.school,
                id,
                input.from.0,
                viewer.user,
                now,
            )
            .await
            .map_err(internal)?
            {
                Err(e) => Ok(Done::refuse(e)),
                Ok(changed) => Ok(place_changed(changed)),
            }
        })
        .await
    }

    /// The office pauses, resumes or drops a standing place.
    async fn set_enrolment_status(
        &self,
        ctx: &Context<'_>,
        input: SetEnrolmentStatusInput,
    ) -> Result<UnenrolPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let Some(id) = decode(Kind::Enrolment, &input.enrolment_id) else {
            return refused(FieldError::not_found("enrolmentId", "enrolment"));
        };
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let from = match input.from {
                Some(d) => d.0,
                None => infra::booking::school_zone(tx, viewer.school)
                    .await
                    .map_err(internal)?
                    .local_date(now),
            };
            let to = match input.status {
                EnrolmentStatus::Active => booking::enrolment::EnrolmentStatus::Active,
                EnrolmentStatus::Paused => booking::enrolment::EnrolmentStatus::Paused,
                EnrolmentStatus::Dropped => booking::enrolment::EnrolmentStatus::Dropped,
                EnrolmentStatus::Completed => booking::enrolment::EnrolmentStatus::Completed,
                EnrolmentStatus::Unenrolled => booking::enrolment::EnrolmentStatus::Unenrolled,
            };
            match infra::booking::enrolment::change(
                tx,
                viewer.school,
                id,
                to,
                from,
                viewer.user,
                now,
            )
            .await
            .map_err(internal)?
            {
                Err(e) => Ok(Done::refuse(e)),
                Ok(changed) => Ok(place_changed(changed)),
            }
        })
        .await
    }

    /// Leaves a waitlist: the entry becomes WITHDRAWN, and a seat its open
    /// offer held goes to the next in line.
    async fn leave_waitlist(
        &self,
        ctx: &Context<'_>,
        input: LeaveWaitlistInput,
    ) -> Result<LeaveWaitlistPayload> {
        viewer(ctx)?;
        let Some(id) = decode(Kind::WaitlistEntry, &input.entry_id) else {
            return refused(FieldError::not_found("entryId", "waitlist entry"));
        };
        mutation(ctx, async |tx, viewer| {
            let Some(entry) = infra::repo::find::<waitlist_entry::Entity>(tx, viewer.school, id)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "entryId",
                    "waitlist entry",
                )));
            };
            allow(
                viewer,
                Action::ManageBooking {
                    teacher: None,
                    student: StudentId::from_uuid(entry.student_id),
                },
            )?;
            let now = app(ctx).clock.now();
            match infra::booking::leave_waitlist(
                tx,
                viewer.school,
                kernel::WaitlistEntryId::from_uuid(id),
                now,
            )
            .await
            .map_err(internal)?
            {
                Err(e) => Ok(Done::refuse(e)),
                Ok(entry) => {
                    let id = entry.id;
                    Ok(Done::Commit(
                        LeaveWaitlistPayload {
                            entry: Some(WaitlistEntry(entry)),
                            user_errors: vec![],
                        },
                        vec![(Kind::WaitlistEntry, id)],
                    ))
                }
            }
        })
        .await
    }

    /// Records attendance for a plain 1-on-1 lesson (a booking without a
    /// session); the booking becomes ATTENDED or NO_SHOW. The lesson's
    /// teacher or the office may.
    async fn record_lesson_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordLessonAttendanceInput,
    ) -> Result<BookingPayload> {
        viewer(ctx)?;
        let Some(id) = decode(Kind::Booking, &input.booking_id) else {
            return refused(FieldError::not_found("bookingId", "booking"));
        };
        mutation(ctx, async |tx, viewer| {
            let Some(b) = infra::repo::find::<booking_row::Entity>(tx, viewer.school, id)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::refuse(FieldError::not_found("bookingId", "booking")));
            };
            allow(
                viewer,
                Action::RecordAttendance(b.teacher_id.map(TeacherId::from_uuid)),
            )?;
            match infra::booking::record_lesson_attendance(
                tx,
                viewer.school,
                &b,
                input.status.into(),
                crate::schema::notes(input.note),
            )
            .await
            .map_err(internal)?
            {
                Err(e) => Ok(Done::refuse(e)),
                Ok(b) => {
                    let id = b.id;
                    Ok(Done::Commit(
                        BookingPayload {
                            booking: Some(Booking(b)),
                            user_errors: vec![],
                        },
                        vec![(Kind::Booking, id)],
                    ))
                }
            }
        })
        .await
    }
}
