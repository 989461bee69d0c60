//! Staff assignment (teaching roles, instructors and assistants, eligible
//! free staff) and hybrid lessons' 1-on-1 slots.

use crate::error::FieldError;
use crate::error::required_text;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use infra::booking as bookings;
use infra::entity::{class_series, session, teacher, teaching_role};
use infra::repo;
use infra::staff::{self as service, Target};
use kernel::policy::Action;
use uuid::Uuid;

use super::booking::{Booking, BookingPayload};
use super::page::{Page, PageArgs, paginate};
use super::{ClassSeries, Done, Session, Teacher, authorize, load, mutation, payloads, refused};
use super::{find_in_school, find_usable, page_args};
use crate::context::{app, loaders};
use crate::error::{Code, UserError, bad_input, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::DateTime;

/// A teaching role, e.g. "Wheel instructor".
pub struct TeachingRole(pub teaching_role::Model);

#[Object]
impl TeachingRole {
    /// Global id.
    async fn id(&self) -> ID {
        encode(Kind::TeachingRole, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// Loads the teachers a session's assignments of `kind` name.
pub(crate) async fn session_staff(
    ctx: &Context<'_>,
    session_id: Uuid,
    kind: &str,
) -> Result<Vec<Teacher>> {
    let loaders = loaders(ctx)?;
    let rows = loaders
        .staff
        .load_one(session_id)
        .await
        .map_err(internal)?
        .unwrap_or_default();
    let ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| r.teacher_id)
        .collect();
    let found = loaders
        .teachers
        .load_many(ids.iter().copied())
        .await
        .map_err(internal)?;
    Ok(ids
        .iter()
        .filter_map(|id| found.get(id).cloned().map(Teacher))
        .collect())
}

/// The teachers a series' assignments of `kind` name.
pub(crate) async fn series_staff(
    ctx: &Context<'_>,
    series_id: Uuid,
    kind: &str,
) -> Result<Vec<Teacher>> {
    let rows = loaders(ctx)?
        .staff_by_series
        .load_one(series_id)
        .await
        .map_err(internal)?
        .unwrap_or_default();
    let mut out = Vec::new();
    for r in rows.into_iter().filter(|r| r.kind == kind) {
        if let Some(t) = load(&loaders(ctx)?.teachers, r.teacher_id).await? {
            out.push(Teacher(t));
        }
    }
    Ok(out)
}

/// Input of `createTeachingRole`.
#[derive(InputObject)]
pub struct CreateTeachingRoleInput {
    /// Name, e.g. "Glazing specialist".
    pub name: String,
}

/// Result of `createTeachingRole`.
#[derive(SimpleObject, Default)]
pub struct CreateTeachingRolePayload {
    /// The new role.
    pub role: Option<TeachingRole>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `grantTeachingRole`.
#[derive(InputObject)]
pub struct GrantTeachingRoleInput {
    /// The teacher (staff member).
    pub teacher_id: ID,
    /// The role they now hold.
    pub role_id: ID,
}

/// Result of `grantTeachingRole`.
#[derive(SimpleObject, Default)]
pub struct GrantTeachingRolePayload {
    /// The teacher.
    pub teacher: Option<Teacher>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `assignStaff`: exactly one of `seriesId` and `sessionId`.
#[derive(InputObject)]
pub struct AssignStaffInput {
    /// A series: its sessions that have not started, and every later one.
    pub series_id: Option<ID>,
    /// One session.
    pub session_id: Option<ID>,
    /// Instructors (replacing the old).
    #[graphql(default)]
    pub instructor_ids: Vec<ID>,
    /// Assistants (replacing the old).
    #[graphql(default)]
    pub assistant_ids: Vec<ID>,
}

/// Result of `assignStaff`.
#[derive(SimpleObject, Default)]
pub struct AssignStaffPayload {
    /// The series, when one was given.
    pub series: Option<ClassSeries>,
    /// The session, when one was given.
    pub session: Option<Session>,
    /// What was wrong (nothing is assigned then).
    pub user_errors: Vec<UserError>,
}

/// Input of `bookHybridSlot`.
#[derive(InputObject)]
pub struct BookHybridSlotInput {
    /// A session in one of its series' 1-on-1 weeks.
    pub session_id: ID,
    /// An enrolled student.
    pub student_id: ID,
    /// A start from `hybridSlots`.
    pub starts_at: DateTime,
    /// Length in minutes.
    pub duration_minutes: i32,
}

/// A free 1-on-1 slot of a hybrid week.
#[derive(SimpleObject)]
pub struct HybridSlot {
    /// Start.
    pub starts_at: DateTime,
    /// End.
    pub ends_at: DateTime,
}

#[derive(Default)]
pub struct StaffQuery;

#[Object]
impl StaffQuery {
    /// The school's teaching roles, by name.
    async fn teaching_roles(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<TeachingRole>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        paginate::<teaching_role::Entity, _>(
            ctx,
            viewer.school,
            infra::repo::list::teaching_roles(),
            page_args!(after, before, first, last),
            TeachingRole,
        )
        .await
    }

    /// Staff who hold the session's required teaching role and are free
    /// for it (availability, other lessons taught or assisted, 1-on-1
    /// bookings). Admins and staff.
    async fn eligible_staff(&self, ctx: &Context<'_>, session_id: ID) -> Result<Vec<Teacher>> {
        let viewer = authorize(ctx, Action::ManageSchool)?;
        let conn = app(ctx).db.conn();
        let Some(s) =
            find_in_school::<session::Entity>(conn, viewer.school, Kind::Session, &session_id)
                .await?
        else {
            return Err(bad_input(
                "sessionId",
                Code::NotFound,
                "no session with this id exists in your school",
            ));
        };
        Ok(service::eligible_for(conn, viewer.school, &s)
            .await
            .map_err(internal)?
            .into_iter()
            .map(Teacher)
            .collect())
    }

    /// Free 1-on-1 slots of a hybrid session (empty outside the cycle's
    /// 1-on-1 weeks), on a grid of the lesson length.
    async fn hybrid_slots(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        duration_minutes: i32,
    ) -> Result<Vec<HybridSlot>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        let duration = ::booking::lesson::parse_length(i64::from(duration_minutes))
            .map_err(|e| bad_input("durationMinutes", Code::Invalid, e.to_string()))?;
        let conn = app(ctx).db.conn();
        let Some(s) =
            find_in_school::<session::Entity>(conn, viewer.school, Kind::Session, &session_id)
                .await?
        else {
            return Err(bad_input(
                "sessionId",
                Code::NotFound,
                "no session with this id exists in your school",
            ));
        };
        Ok(bookings::hybrid_slots(conn, viewer.school, &s, duration)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|(a, b)| HybridSlot {
                starts_at: DateTime(a),
                ends_at: DateTime(b),
            })
            .collect())
    }
}

#[derive(Default)]
pub struct StaffMutation;

#[Object]
impl StaffMutation {
    /// Creates a teaching role. Admins and staff.
    async fn create_teaching_role(
        &self,
        ctx: &Context<'_>,
        input: CreateTeachingRoleInput,
    ) -> Result<CreateTeachingRolePayload> {
        authorize(ctx, Action::ManageSchool)?;
        let name = match required_text("name", &input.name) {
            Ok(n) => n,
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let role = service::create_role(tx, viewer.school, name, now)
                .await
                .map_err(internal)?;
            let id = role.id;
            Ok(Done::Commit(
                CreateTeachingRolePayload {
                    role: Some(TeachingRole(role)),
                    user_errors: vec![],
                },
                vec![(Kind::TeachingRole, id)],
            ))
        })
        .await
    }

    /// Gives a teacher a teaching role. Admins and staff.
    async fn grant_teaching_role(
        &self,
        ctx: &Context<'_>,
        input: GrantTeachingRoleInput,
    ) -> Result<GrantTeachingRolePayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(t) = find_in_school::<teacher::Entity>(
                tx,
                viewer.school,
                Kind::Teacher,
                &input.teacher_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("teacherId", "teacher")));
            };
            let Some(r) = find_in_school::<teaching_role::Entity>(
                tx,
                viewer.school,
                Kind::TeachingRole,
                &input.role_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "roleId",
                    "teaching role",
                )));
            };
            service::grant_role(tx, viewer.school, t.id, r.id)
                .await
                .map_err(internal)?;
            let targets = vec![(Kind::Teacher, t.id), (Kind::TeachingRole, r.id)];
            Ok(Done::Commit(
                GrantTeachingRolePayload {
                    teacher: Some(Teacher(t)),
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }

    /// Sets the instructors and assistants of a series (its sessions that
    /// have not started and every later one get them) or of one session.
    /// Everyone must hold the offering's required teaching role. Admins and
    /// staff.
    async fn assign_staff(
        &self,
        ctx: &Context<'_>,
        input: AssignStaffInput,
    ) -> Result<AssignStaffPayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let (target, series, session, required) = match (&input.series_id, &input.session_id) {
                (Some(id), None) => {
                    let Some(series) = find_in_school::<class_series::Entity>(
                        tx,
                        viewer.school,
                        Kind::ClassSeries,
                        id,
                    )
                    .await?
                    else {
                        return Ok(Done::refuse(FieldError::not_found("seriesId", "class series")));
                    };
                    let required = repo::find::<infra::entity::offering::Entity>(
                        tx,
                        viewer.school,
                        series.offering_id,
                    )
                    .await
                    .map_err(internal)?
                    .and_then(|o| o.required_role_id);
                    (Target::Series(series.id), Some(series), None, required)
                }
                (None, Some(id)) => {
                    let Some(s) =
                        find_in_school::<session::Entity>(tx, viewer.school, Kind::Session, id)
                            .await?
                    else {
                        return Ok(Done::refuse(FieldError::not_found("sessionId", "session")));
                    };
                    let required = service::required_role(tx, viewer.school, &s)
                        .await
                        .map_err(internal)?;
                    (Target::Session(s.id), None, Some(s), required)
                }
                _ => {
                    return Ok(Done::refuse(FieldError::invalid(
                        "seriesId",
                        "give exactly one of seriesId and sessionId",
                    )));
                }
            };
            let mut ids = [Vec::new(), Vec::new()];
            for (slot, (field, given)) in [
                ("instructorIds", &input.instructor_ids),
                ("assistantIds", &input.assistant_ids),
            ]
            .into_iter()
            .enumerate()
            {
                for id in given {
                    let t = match find_usable::<teacher::Entity>(
                        tx,
                        viewer.school,
                        Kind::Teacher,
                        id,
                        field,
                    )
                    .await?
                    {
                        Ok(t) => t,
                        Err(e) => return Ok(Done::refuse(e)),
                    };
                    if !service::holds(tx, viewer.school, t.id, required)
                        .await
                        .map_err(internal)?
                    {
                        return Ok(Done::refuse(FieldError {
                            field,
                            code: Code::NotQualified,
                            message: format!(
                                "{} {} does not hold the teaching role this offering requires; grant it or choose from eligibleStaff",
                                t.first_name, t.last_name
                            ),
                        }));
                    }
                    ids[slot].push(t.id);
                }
            }
            let now = app(ctx).clock.now();
            service::assign(tx, viewer.school, target, &ids[0], &ids[1], now)
                .await
                .map_err(internal)?;
            let touched = match target {
                Target::Series(id) => (Kind::ClassSeries, id),
                Target::Session(id) => (Kind::Session, id),
            };
            Ok(Done::Commit(
                AssignStaffPayload {
                    series: series.map(ClassSeries),
                    session: session.map(Session),
                    user_errors: vec![],
                },
                vec![touched],
            ))
        })
        .await
    }

    /// Books a 1-on-1 slot inside a hybrid session (a 1-on-1 week of its
    /// cycle) for a student enrolled in the series (FULL_SCHEDULE), at the
    /// series' 1-on-1 price.
    async fn book_hybrid_slot(
        &self,
        ctx: &Context<'_>,
        input: BookHybridSlotInput,
    ) -> Result<BookingPayload> {
        use ::booking::{BookingError, Missing};
        mutation(ctx, async |tx, viewer| {
            let duration = match ::booking::lesson::parse_length(i64::from(input.duration_minutes))
            {
                Ok(d) => d,
                Err(e) => return Ok(Done::refuse(e)),
            };
            let student =
                match super::booking::student_to_book(tx, viewer, &input.student_id).await? {
                    Ok(id) => id,
                    Err(e) => return Ok(Done::refuse(e)),
                };
            let Some(session) = decode(Kind::Session, &input.session_id) else {
                return Ok(Done::refuse(BookingError::NotFound(Missing::Session)));
            };
            let now = app(ctx).clock.now();
            match bookings::book_hybrid_slot(
                tx,
                viewer.school,
                kernel::SessionId::from_uuid(session),
                student,
                input.starts_at.0,
                duration,
                viewer.user,
                now,
            )
            .await
            .map_err(internal)?
            {
                Err(e) => Ok(Done::refuse(e)),
                Ok(b) => {
                    let targets = vec![(Kind::Booking, b.id), (Kind::Session, session)];
                    Ok(Done::Commit(
                        BookingPayload {
                            booking: Some(Booking(b)),
                            user_errors: vec![],
                        },
                        targets,
                    ))
                }
            }
        })
        .await
    }
}

payloads!(
    CreateTeachingRolePayload,
    GrantTeachingRolePayload,
    AssignStaffPayload,
);
