//! One session's lifecycle over GraphQL: one-off sessions, hand edits,
//! cancelling (with its bookings and waitlist) and completing.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use infra::entity::{location, offering, room, session, teacher};
use infra::scheduling::lifecycle::{self, NewSession, SessionChanges};
use kernel::policy::Action;
use kernel::{LocationId, OfferingId, RoomId, SessionId, TeacherId};

use super::series::to_conflicts;
use crate::context::app;
use crate::error::{Code, FieldError, UserError, internal};
use crate::ids::{Kind, decode};
use crate::scalars::DateTime;
use crate::schema::{
    Booking, Conflict, Done, MeetingInput, Session, allow, authorize, find_usable, mutation,
    payloads, refused,
};

/// Input of `createSession`: a one-off session outside any series.
#[derive(InputObject, Debug)]
pub struct CreateSessionInput {
    /// What is taught.
    pub offering_id: ID,
    /// Where.
    pub location_id: ID,
    /// Who teaches.
    pub teacher_id: Option<ID>,
    /// Which room (at the location).
    pub room_id: Option<ID>,
    /// Start instant.
    pub starts_at: DateTime,
    /// End instant; defaults to the start plus the offering's length.
    pub ends_at: Option<DateTime>,
    /// Seats; defaults to the offering's.
    pub capacity: Option<i32>,
    /// Online meeting details.
    pub meeting: Option<MeetingInput>,
    /// Notes.
    pub notes: Option<String>,
    /// Save it as CONFLICTED when it conflicts, instead of refusing.
    #[graphql(default)]
    pub allow_conflicts: bool,
}

/// Result of `createSession` and `updateSession`.
#[derive(SimpleObject, Default)]
pub struct SessionPayload {
    /// The session.
    pub session: Option<Session>,
    /// The conflicts found (why it was refused, or why it is CONFLICTED).
    pub conflicts: Vec<Conflict>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateSession`: a hand edit of one session, which detaches it
/// from its series' pattern. Omitted fields keep their value.
#[derive(InputObject, Debug)]
pub struct UpdateSessionInput {
    /// The session.
    pub session_id: ID,
    /// New start (the length is kept unless `endsAt` is given).
    pub starts_at: Option<DateTime>,
    /// New end.
    pub ends_at: Option<DateTime>,
    /// Another teacher.
    pub teacher_id: Option<ID>,
    /// Another room.
    pub room_id: Option<ID>,
    /// New capacity: raising it offers the new seats to the waitlist at
    /// once; it cannot go below the seats taken.
    pub capacity: Option<i32>,
    /// Meeting details for this session only.
    pub meeting: Option<MeetingInput>,
    /// Notes for this session.
    pub notes: Option<String>,
    /// Save it as CONFLICTED when it conflicts, instead of refusing.
    #[graphql(default)]
    pub allow_conflicts: bool,
}

/// Input of `cancelSession`.
#[derive(InputObject, Debug)]
pub struct CancelSessionInput {
    /// The session.
    pub session_id: ID,
    /// The teacher cancelled it (CANCELLED_BY_TEACHER) rather than the
    /// school (CANCELLED).
    #[graphql(default)]
    pub by_teacher: bool,
    /// Why, shown to the families.
    pub reason: Option<String>,
}

/// Result of `cancelSession`.
#[derive(SimpleObject, Default)]
pub struct CancelSessionPayload {
    /// The session, now cancelled.
    pub session: Option<Session>,
    /// The bookings it cancelled.
    pub cancelled_bookings: Vec<Booking>,
    /// How many waitlist entries were closed.
    pub closed_waitlist_entries: i32,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `completeSession`.
#[derive(InputObject, Debug)]
pub struct CompleteSessionInput {
    /// The session.
    pub session_id: ID,
}

payloads!(SessionPayload, CancelSessionPayload);

fn session_not_found() -> UserError {
    FieldError::not_found("sessionId", "session").into()
}

/// A refusal of a session change, with the conflicts it names.
fn refusal(e: scheduling::SessionError) -> SessionPayload {
    let conflicts = match &e {
        scheduling::SessionError::Conflicts(found) => {
            to_conflicts(found, &Default::default(), false)
        }
        _ => vec![],
    };
    SessionPayload {
        conflicts,
        user_errors: vec![e.into()],
        ..Default::default()
    }
}

/// The meeting details of an input, or the refusal.
fn meeting(
    input: Option<&MeetingInput>,
) -> std::result::Result<Option<scheduling::Meeting>, UserError> {
    input
        .map(MeetingInput::parse)
        .transpose()
        .map_err(UserError::from)
}

fn capacity(n: Option<i32>) -> std::result::Result<Option<u32>, UserError> {
    n.map(|n| scheduling::catalog::parse_capacity(i64::from(n)))
        .transpose()
        .map_err(|e| UserError::input("capacity", Code::Invalid, e.to_string()))
}

/// Loads an optional teacher and room of the school for a session;
/// NOT_FOUND or ARCHIVED otherwise.
async fn teacher_and_room(
    tx: &infra::Tx,
    school: kernel::SchoolId,
    teacher_id: Option<&ID>,
    room_id: Option<&ID>,
) -> Result<std::result::Result<(Option<teacher::Model>, Option<room::Model>), UserError>> {
    let teacher = match teacher_id {
        Some(id) => {
            match find_usable::<teacher::Entity>(tx, school, Kind::Teacher, id, "teacherId").await?
            {
                Ok(t) => Some(t),
                Err(e) => return Ok(Err(e.into())),
            }
        }
        None => None,
    };
    let room = match room_id {
        Some(id) => {
            match find_usable::<room::Entity>(tx, school, Kind::Room, id, "roomId").await? {
                Ok(r) => Some(r),
                Err(e) => return Ok(Err(e.into())),
            }
        }
        None => None,
    };
    Ok(Ok((teacher, room)))
}

#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Creates a one-off session (a workshop, an extra lesson) outside any
    /// series, with the same conflict checks as generation.
    async fn create_session(
        &self,
        ctx: &Context<'_>,
        input: CreateSessionInput,
    ) -> Result<SessionPayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let school = viewer.school;
            let offering = match find_usable::<offering::Entity>(
                tx,
                school,
                Kind::Offering,
                &input.offering_id,
                "offeringId",
            )
            .await?
            {
                Ok(o) => o,
                Err(e) => return Ok(Done::refuse(e)),
            };
            let location = match find_usable::<location::Entity>(
                tx,
                school,
                Kind::Location,
                &input.location_id,
                "locationId",
            )
            .await?
            {
                Ok(l) => l,
                Err(e) => return Ok(Done::refuse(e)),
            };
            let (teacher, room) = match teacher_and_room(
                tx,
                school,
                input.teacher_id.as_ref(),
                input.room_id.as_ref(),
            )
            .await?
            {
                Ok(found) => found,
                Err(e) => return Ok(Done::Refuse(e)),
            };
            if room.as_ref().is_some_and(|r| r.location_id != location.id) {
                return Ok(Done::refuse(UserError::input(
                    "roomId",
                    Code::Invalid,
                    "the room is at another location; pick a room of this location",
                )));
            }
            let meeting = match meeting(input.meeting.as_ref()) {
                Ok(m) => m,
                Err(e) => return Ok(Done::Refuse(e)),
            };
            let capacity = match capacity(input.capacity) {
                Ok(c) => c.unwrap_or(offering.default_capacity.max(1) as u32),
                Err(e) => return Ok(Done::Refuse(e)),
            };
            let zone = match location.timezone.as_deref().map(kernel::TimeZone::parse) {
                Some(Ok(zone)) => zone,
                _ => infra::booking::school_zone(tx, school)
                    .await
                    .map_err(internal)?,
            };
            let starts_at = input.starts_at.0;
            let ends_at = input.ends_at.map_or(
                starts_at + chrono::Duration::minutes(i64::from(offering.default_duration_minutes)),
                |t| t.0,
            );
            let new = NewSession {
                offering: OfferingId::from_uuid(offering.id),
                location: LocationId::from_uuid(location.id),
                teacher: teacher.map(|t| TeacherId::from_uuid(t.id)),
                room: room.map(|r| RoomId::from_uuid(r.id)),
                starts_at,
                ends_at,
                zone,
                capacity,
                meeting,
                notes: crate::schema::notes(input.notes),
                allow_conflicts: input.allow_conflicts,
            };
            let now = app(ctx).clock.now();
            match lifecycle::create_session(tx, school, new, now)
                .await
                .map_err(internal)?
            {
                Err(e) => Ok(Done::Answer(refusal(e))),
                Ok(s) => saved(s),
            }
        })
        .await
    }

    /// Edits one session by hand: time, room, teacher, capacity, meeting,
    /// notes. The session becomes `detached`: regenerating its series never
    /// overwrites it. Its bookings follow a new time.
    async fn update_session(
        &self,
        ctx: &Context<'_>,
        input: UpdateSessionInput,
    ) -> Result<SessionPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let Some(id) = decode(Kind::Session, &input.session_id) else {
            return refused(session_not_found());
        };
        mutation(ctx, async |tx, viewer| {
            let (teacher, room) = match teacher_and_room(
                tx,
                viewer.school,
                input.teacher_id.as_ref(),
                input.room_id.as_ref(),
            )
            .await?
            {
                Ok(found) => found,
                Err(e) => return Ok(Done::Refuse(e)),
            };
            let meeting = match meeting(input.meeting.as_ref()) {
                Ok(m) => m,
                Err(e) => return Ok(Done::Refuse(e)),
            };
            let capacity = match capacity(input.capacity) {
                Ok(c) => c,
                Err(e) => return Ok(Done::Refuse(e)),
            };
            let changes = SessionChanges {
                starts_at: input.starts_at.map(|t| t.0),
                ends_at: input.ends_at.map(|t| t.0),
                teacher: teacher.map(|t| TeacherId::from_uuid(t.id)),
                room: room.map(|r| RoomId::from_uuid(r.id)),
                capacity,
                meeting,
                notes: crate::schema::notes(input.notes),
                allow_conflicts: input.allow_conflicts,
            };
            let now = app(ctx).clock.now();
            match lifecycle::update_session(
                tx,
                viewer.school,
                SessionId::from_uuid(id),
                changes,
                now,
            )
            .await
            .map_err(internal)?
            {
                None => Ok(Done::Refuse(session_not_found())),
                Some(Err(e)) => Ok(Done::Answer(refusal(e))),
                Some(Ok(s)) => saved(s),
            }
        })
        .await
    }

    /// Cancels a session: CANCELLED, or CANCELLED_BY_TEACHER with
    /// `byTeacher`. Its bookings are cancelled, its waitlist closed, and
    /// the cancellation recorded for make-up credits. The office may cancel
    /// any session; a teacher their own.
    async fn cancel_session(
        &self,
        ctx: &Context<'_>,
        input: CancelSessionInput,
    ) -> Result<CancelSessionPayload> {
        crate::context::viewer(ctx)?;
        let Some(id) = decode(Kind::Session, &input.session_id) else {
            return refused(session_not_found());
        };
        mutation(ctx, async |tx, viewer| {
            let Some(s) = infra::repo::find::<session::Entity>(tx, viewer.school, id)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::Refuse(session_not_found()));
            };
            allow(
                viewer,
                Action::RunSession(s.teacher_id.map(TeacherId::from_uuid)),
            )?;
            let now = app(ctx).clock.now();
            let reason = crate::schema::notes(input.reason);
            match lifecycle::cancel_session(
                tx,
                viewer.school,
                SessionId::from_uuid(id),
                input.by_teacher,
                reason,
                viewer.user,
                now,
            )
            .await
            .map_err(internal)?
            {
                None => Ok(Done::Refuse(session_not_found())),
                Some(Err(e)) => Ok(Done::refuse(e)),
                Some(Ok(done)) => {
                    let mut targets = vec![(Kind::Session, done.session.id)];
                    targets.extend(done.bookings.iter().map(|b| (Kind::Booking, b.id)));
                    Ok(Done::Commit(
                        CancelSessionPayload {
                            session: Some(Session(done.session)),
                            cancelled_bookings: done.bookings.into_iter().map(Booking).collect(),
                            closed_waitlist_entries: i32::try_from(done.waitlist_closed)
                                .unwrap_or(i32::MAX),
                            user_errors: vec![],
                        },
                        targets,
                    ))
                }
            }
        })
        .await
    }

    /// Marks a session that has started as COMPLETED. The office may
    /// complete any session; a teacher their own.
    async fn complete_session(
        &self,
        ctx: &Context<'_>,
        input: CompleteSessionInput,
    ) -> Result<SessionPayload> {
        crate::context::viewer(ctx)?;
        let Some(id) = decode(Kind::Session, &input.session_id) else {
            return refused(session_not_found());
        };
        mutation(ctx, async |tx, viewer| {
            let Some(s) = infra::repo::find::<session::Entity>(tx, viewer.school, id)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::Refuse(session_not_found()));
            };
            allow(
                viewer,
                Action::RunSession(s.teacher_id.map(TeacherId::from_uuid)),
            )?;
            let now = app(ctx).clock.now();
            match lifecycle::complete_session(tx, viewer.school, SessionId::from_uuid(id), now)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::Refuse(session_not_found())),
                Some(Err(e)) => Ok(Done::refuse(e)),
                Some(Ok(s)) => {
                    let id = s.id;
                    Ok(Done::Commit(
                        SessionPayload {
                            session: Some(Session(s)),
                            ..Default::default()
                        },
                        vec![(Kind::Session, id)],
                    ))
                }
            }
        })
        .await
    }
}

/// The answer to a saved session: it, and the conflicts it was saved with.
fn saved(s: session::Model) -> Result<Done<SessionPayload>> {
    let conflicts = stored_conflicts(&s)?;
    let id = s.id;
    Ok(Done::Commit(
        SessionPayload {
            session: Some(Session(s)),
            conflicts,
            user_errors: vec![],
        },
        vec![(Kind::Session, id)],
    ))
}

/// The conflicts stored on a session (those it was saved with as CONFLICTED).
fn stored_conflicts(s: &session::Model) -> Result<Vec<Conflict>> {
    Ok(infra::scheduling::conflicts_of(s)
        .map_err(internal)?
        .into_iter()
        .map(|(kind, c)| Conflict::stored(Some(s.id), kind, c))
        .collect())
}
