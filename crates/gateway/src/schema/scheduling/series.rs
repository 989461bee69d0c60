//! Class series: creating them, previewing and generating their sessions.

use crate::error::FieldError;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use infra::entity::{class_series, location, offering, room, student, teacher};
use infra::repo;
use infra::scheduling::{self as service, NewSeries, StoredConflict};
use kernel::{LocationId, OfferingId, RoomId, StudentId, TeacherId};
use scheduling::{SeriesContext, SeriesRequest, parse_series};

use crate::schema::idempotency::{self, Next};
use crate::schema::page::{Page, PageArgs, paginate};
use std::collections::HashSet;

use crate::context::app;
use crate::error::{Code, UserError, bad_input, internal};
use crate::ids::{Kind, decode};
use crate::scalars::{DateTime, LocalDate, LocalTime};
use crate::schema::{
    ClassSeries, Conflict, ConflictPolicy, Done, GenerationMode, SeriesStatus, Session, authorize,
    mutation, payloads, refused,
};
use crate::schema::{find_in_school, find_usable};
use kernel::policy::Action;

/// Input of `createClassSeries`. Give the recurrence either as `rrule` or as
/// `daysOfWeek` (+ `intervalWeeks`), not both.
#[derive(InputObject, Debug)]
pub struct CreateClassSeriesInput {
    /// Makes the request safe to retry: a repeat with the same key returns
    /// the series the first one created (see README "Idempotency").
    pub idempotency_key: Option<String>,
    /// What is taught.
    pub offering_id: ID,
    /// Default teacher.
    pub teacher_id: Option<ID>,
    /// Where.
    pub location_id: ID,
    /// Room or booth (must be at the location).
    pub room_id: Option<ID>,
    /// The student of a 1-on-1 series.
    pub student_id: Option<ID>,
    /// First possible date (an occurrence only if it matches the rule).
    pub start_date: LocalDate,
    /// Last possible date, inclusive.
    pub end_date: Option<LocalDate>,
    /// Number of occurrences (counted before exdates).
    pub count: Option<i32>,
    /// Local start time, e.g. `17:00`.
    pub start_time: LocalTime,
    /// Length; defaults to the offering's (unless `endTime` is given).
    pub duration_minutes: Option<i32>,
    /// Local end time, e.g. `17:45`: the alternative to `durationMinutes`.
    pub end_time: Option<LocalTime>,
    /// IANA zone; defaults to the location's, then the school's.
    pub timezone: Option<String>,
    /// RFC 5545 rule, e.g. `FREQ=MONTHLY;BYDAY=2TU`.
    pub rrule: Option<String>,
    /// ISO weekdays (1 = Monday) of the simple form.
    pub days_of_week: Option<Vec<i32>>,
    /// Every N weeks for the simple form (default 1).
    pub interval_weeks: Option<i32>,
    /// Local dates to leave out.
    #[graphql(default)]
    pub exdates: Vec<LocalDate>,
    /// Extra local dates (RDATE) the series also meets on, at its start time.
    #[graphql(default)]
    pub rdates: Vec<LocalDate>,
    /// Seats per session; defaults to the offering's.
    pub capacity: Option<i32>,
    /// Online meeting defaults, copied to each generated session.
    pub meeting: Option<crate::schema::MeetingInput>,
    /// Notes for the office and teachers.
    pub notes: Option<String>,
    /// What to do with conflicting occurrences (default MARK).
    pub conflict_policy: Option<ConflictPolicy>,
    /// Makes a GROUP series hybrid: some weeks of a repeating cycle meet as
    /// individually bookable 1-on-1 slots.
    pub hybrid: Option<HybridInput>,
    /// Generation mode (default ON_DEMAND).
    pub generation_mode: Option<GenerationMode>,
}

/// A hybrid cycle, e.g. weeks 4 and 8 of an 8-week cycle are 1-on-1.
#[derive(InputObject, Debug)]
pub struct HybridInput {
    /// Weeks in the cycle (1–52).
    pub cycle_length_weeks: i32,
    /// The cycle counts from the Monday of this date's week.
    pub cycle_start_date: LocalDate,
    /// 1-based weeks of the cycle that are 1-on-1, e.g. `[4, 8]`.
    pub one_on_one_weeks: Vec<i32>,
    /// Price of one 1-on-1 slot, in minor units.
    pub one_on_one_price_minor: Option<i32>,
}

/// Result of `createClassSeries`.
#[derive(SimpleObject, Default)]
pub struct CreateClassSeriesPayload {
    /// The new series.
    pub series: Option<ClassSeries>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `generateSessions`.
#[derive(InputObject)]
pub struct GenerateSessionsInput {
    /// The series.
    pub series_id: ID,
    /// Generate occurrences up to and including this local date (at most two years ahead).
    pub through: LocalDate,
}

/// Result of `generateSessions`.
#[derive(SimpleObject, Default)]
pub struct GenerateSessionsPayload {
    /// Sessions created by this call (empty when run again: generation is idempotent).
    pub created: Vec<Session>,
    /// Dates left out because they conflicted (policy SKIP).
    pub skipped_dates: Vec<LocalDate>,
    /// Every conflict found.
    pub conflicts: Vec<Conflict>,
    /// The series, with its new `lastGeneratedThrough`.
    pub series: Option<ClassSeries>,
    /// Enrolled students the new sessions had no seat left for: the office
    /// raises the capacity or settles it with the families.
    pub unplaced: Vec<Unplaced>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// An enrolled student a new session had no seat for.
#[derive(SimpleObject)]
pub struct Unplaced {
    /// The session.
    pub session_id: ID,
    /// The student.
    pub student_id: ID,
}

/// Input of `setClassSeriesStatus`.
#[derive(InputObject)]
pub struct SetClassSeriesStatusInput {
    /// The series.
    pub series_id: ID,
    /// The new status. PAUSED stops generation; ENDED is final and cancels
    /// the sessions that have not started; DISABLED switches it off until
    /// re-activated.
    pub status: SeriesStatus,
}

/// Result of `setClassSeriesStatus`.
#[derive(SimpleObject, Default)]
pub struct SetClassSeriesStatusPayload {
    /// The series after the change.
    pub series: Option<ClassSeries>,
    /// How many future sessions without bookings were cancelled (ENDED only).
    pub cancelled_sessions: i32,
    /// How many future sessions were kept because someone is booked in them
    /// (ENDED only): settle them with the families, then cancel them.
    pub kept_booked_sessions: i32,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// One occurrence a generation would create.
#[derive(SimpleObject)]
pub struct PreviewedSession {
    /// Local date.
    pub occurrence_date: LocalDate,
    /// Start instant.
    pub starts_at: DateTime,
    /// End instant.
    pub ends_at: DateTime,
    /// Conflicts it would have.
    pub conflicts: Vec<Conflict>,
}

pub(crate) fn to_conflicts(
    conflicts: &[scheduling::Conflict],
    ghosts: &HashSet<uuid::Uuid>,
    named: bool,
) -> Vec<Conflict> {
    conflicts
        .iter()
        .map(|c| {
            let mut stored = StoredConflict::from(c);
            // A conflict with an occurrence that is not stored (a preview, or
            // a date skipped in the same run) has no session to point at.
            stored.other_session_id = stored.other_session_id.filter(|id| !ghosts.contains(id));
            let session = c.session.uuid();
            Conflict::stored(
                (named && !ghosts.contains(&session)).then_some(session),
                c.kind,
                stored,
            )
        })
        .collect()
}

/// Decodes a series id; `None` for malformed ids and ids of other types,
/// which the caller reports like an unknown series.
fn series_id(id: &ID) -> Option<kernel::ClassSeriesId> {
    decode(Kind::ClassSeries, id).map(kernel::ClassSeriesId::from_uuid)
}

fn series_not_found() -> UserError {
    FieldError::not_found("seriesId", "class series").into()
}

#[derive(Default)]
pub struct SeriesMutation;

#[Object]
impl SeriesMutation {
    /// Defines a recurring class series. Nothing is generated yet: preview,
    /// then `generateSessions`.
    async fn create_class_series(
        &self,
        ctx: &Context<'_>,
        input: CreateClassSeriesInput,
    ) -> Result<CreateClassSeriesPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let canonical = idempotency::canonical(&input);
        mutation(ctx, async |tx, viewer| {
            let key = input.idempotency_key.clone();
            let key = match idempotency::claim(ctx, tx, viewer, key, &canonical).await? {
                Err(e) => return Ok(Done::refuse(e)),
                Ok(Next::Replay(id)) => {
                    let series = repo::find::<class_series::Entity>(tx, viewer.school, id)
                        .await
                        .map_err(internal)?;
                    return Ok(Done::Answer(CreateClassSeriesPayload {
                        series: series.map(ClassSeries),
                        user_errors: vec![],
                    }));
                }
                Ok(Next::Proceed(key)) => key,
            };
            let new = match validate_series(tx, viewer.school, input).await? {
                Err(errors) => {
                    return Ok(Done::Answer(CreateClassSeriesPayload {
                        series: None,
                        user_errors: errors,
                    }));
                }
                Ok(new) => new,
            };
            let now = app(ctx).clock.now();
            let series = service::create_series(tx, viewer.school, new, now)
                .await
                .map_err(internal)?;
            idempotency::complete(tx, viewer, key, series.id).await?;
            let id = series.id;
            Ok(Done::Commit(
                CreateClassSeriesPayload {
                    series: Some(ClassSeries(series)),
                    user_errors: vec![],
                },
                vec![(Kind::ClassSeries, id)],
            ))
        })
        .await
    }

    /// Generates the series' sessions through a date, applying its conflict
    /// policy. Idempotent: dates that already have a session (or lie before
    /// `lastGeneratedThrough`) are never generated again.
    async fn generate_sessions(
        &self,
        ctx: &Context<'_>,
        input: GenerateSessionsInput,
    ) -> Result<GenerateSessionsPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let Some(series_id) = series_id(&input.series_id) else {
            return refused(series_not_found());
        };
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let generated =
                match service::generate(tx, viewer.school, series_id, input.through.0, now).await {
                    Ok(g) => g,
                    // The database saw an overlap the conflict check could
                    // not (written at the same moment): a conflict.
                    Err(e) if e.is_overlap() => {
                        return Ok(Done::refuse(scheduling::SessionError::Overlap));
                    }
                    Err(e) => return Err(internal(e)),
                };
            let generated = match generated {
                None => return Ok(Done::Refuse(series_not_found())),
                Some(Err(e)) => {
                    let conflicts = match &e {
                        scheduling::GenerationError::Conflicts(found) => to_conflicts(
                            found,
                            &found.iter().map(|c| c.session.uuid()).collect(),
                            false,
                        ),
                        _ => vec![],
                    };
                    // Nothing is written; the refusal shows what clashed.
                    return Ok(Done::Answer(GenerateSessionsPayload {
                        conflicts,
                        user_errors: vec![e.into()],
                        ..Default::default()
                    }));
                }
                Some(Ok(generated)) => generated,
            };
            let mut targets = vec![(Kind::ClassSeries, generated.series.id)];
            targets.extend(generated.created.iter().map(|s| (Kind::Session, s.id)));
            let ghosts: HashSet<uuid::Uuid> =
                generated.not_stored.iter().map(|id| id.uuid()).collect();
            Ok(Done::Commit(
                GenerateSessionsPayload {
                    conflicts: to_conflicts(&generated.conflicts, &ghosts, true),
                    created: generated.created.into_iter().map(Session).collect(),
                    skipped_dates: generated.skipped.into_iter().map(LocalDate).collect(),
                    unplaced: generated
                        .placement
                        .unplaced
                        .iter()
                        .map(|(session, student)| Unplaced {
                            session_id: crate::ids::encode(Kind::Session, *session),
                            student_id: crate::ids::encode(Kind::Student, *student),
                        })
                        .collect(),
                    series: Some(ClassSeries(generated.series)),
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }

    /// Pauses, resumes, ends or disables a series.
    async fn set_class_series_status(
        &self,
        ctx: &Context<'_>,
        input: SetClassSeriesStatusInput,
    ) -> Result<SetClassSeriesStatusPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let Some(series_id) = series_id(&input.series_id) else {
            return refused(series_not_found());
        };
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let to: scheduling::SeriesStatus = input.status.into();
            // Resuming or re-activating would generate sessions again: not
            // for an archived teacher, room, offering or student.
            if matches!(
                to,
                scheduling::SeriesStatus::Active | scheduling::SeriesStatus::Paused
            ) && let Some(series) =
                repo::find::<class_series::Entity>(tx, viewer.school, series_id.uuid())
                    .await
                    .map_err(internal)?
                && let Some(e) = infra::archive::archived_reference(tx, viewer.school, &series)
                    .await
                    .map_err(internal)?
            {
                return Ok(Done::refuse(crate::error::FieldError::archive("status", e)));
            }
            let changed = service::set_status(tx, viewer.school, series_id, to, now)
                .await
                .map_err(internal)?;
            match changed {
                None => Ok(Done::Refuse(series_not_found())),
                Some(Err(e)) => Ok(Done::refuse(e)),
                Some(Ok((series, ended))) => {
                    let id = series.id;
                    Ok(Done::Commit(
                        SetClassSeriesStatusPayload {
                            series: Some(ClassSeries(series)),
                            cancelled_sessions: i32::try_from(ended.cancelled).unwrap_or(i32::MAX),
                            kept_booked_sessions: i32::try_from(ended.kept).unwrap_or(i32::MAX),
                            user_errors: vec![],
                        },
                        vec![(Kind::ClassSeries, id)],
                    ))
                }
            }
        })
        .await
    }
}

payloads!(
    CreateClassSeriesPayload,
    GenerateSessionsPayload,
    SetClassSeriesStatusPayload,
);

/// Loads the rows a new series names (each from the viewer's school only),
/// then lets `scheduling::parse_series` apply defaults and rules. Every
/// problem is reported at once so a form can show them together.
async fn validate_series(
    tx: &infra::Tx,
    school: kernel::SchoolId,
    input: CreateClassSeriesInput,
) -> Result<Result<NewSeries, Vec<UserError>>> {
    let mut errors: Vec<UserError> = Vec::new();
    let offering = lookup::<offering::Entity>(
        tx,
        school,
        Kind::Offering,
        Some(&input.offering_id),
        "offeringId",
        &mut errors,
    )
    .await?;
    let location = lookup::<location::Entity>(
        tx,
        school,
        Kind::Location,
        Some(&input.location_id),
        "locationId",
        &mut errors,
    )
    .await?;
    let teacher = lookup::<teacher::Entity>(
        tx,
        school,
        Kind::Teacher,
        input.teacher_id.as_ref(),
        "teacherId",
        &mut errors,
    )
    .await?;
    let room = lookup::<room::Entity>(
        tx,
        school,
        Kind::Room,
        input.room_id.as_ref(),
        "roomId",
        &mut errors,
    )
    .await?;
    let student = lookup::<student::Entity>(
        tx,
        school,
        Kind::Student,
        input.student_id.as_ref(),
        "studentId",
        &mut errors,
    )
    .await?;
    let school_zone = infra::booking::school_zone(tx, school)
        .await
        .map_err(internal)?
        .name()
        .to_owned();
    let context = SeriesContext {
        offering_defaults: offering.as_ref().map(|o| {
            (
                i64::from(o.default_duration_minutes),
                i64::from(o.default_capacity),
            )
        }),
        location_zone: location.as_ref().and_then(|l| l.timezone.clone()),
        school_zone,
        room_elsewhere: matches!((&room, &location), (Some(r), Some(l)) if r.location_id != l.id),
    };
    let request = SeriesRequest {
        start_date: Some(input.start_date.0),
        end_date: input.end_date.map(|d| d.0),
        count: input.count.map(i64::from),
        start_time: Some(input.start_time.0),
        duration_minutes: input.duration_minutes.map(i64::from),
        timezone: input.timezone,
        rrule: input.rrule,
        days_of_week: input
            .days_of_week
            .map(|days| days.into_iter().map(i64::from).collect()),
        interval_weeks: input.interval_weeks.map(i64::from),
        exdates: input.exdates.into_iter().map(|d| d.0).collect(),
        rdates: input.rdates.into_iter().map(|d| d.0).collect(),
        end_time: input.end_time.map(|t| t.0),
        capacity: input.capacity.map(i64::from),
    };
    let meeting = match input.meeting.as_ref().map(|m| m.parse()).transpose() {
        Ok(m) => m,
        Err(e) => {
            errors.push(e.into());
            None
        }
    };
    let spec = parse_series(request, &context)
        .map_err(|found| errors.extend(found.into_iter().map(UserError::from)));
    let hybrid = match &input.hybrid {
        None => None,
        Some(h) => match scheduling::hybrid::HybridCycle::new(
            i64::from(h.cycle_length_weeks),
            h.cycle_start_date.0,
            &h.one_on_one_weeks
                .iter()
                .map(|w| i64::from(*w))
                .collect::<Vec<_>>(),
        ) {
            Ok(cycle) => Some((cycle, h.one_on_one_price_minor.map(i64::from))),
            Err(e) => {
                errors.push(crate::error::FieldError::from(e).into());
                None
            }
        },
    };
    match (offering, location, spec) {
        (Some(offering), Some(location), Ok(spec)) if errors.is_empty() => Ok(Ok(NewSeries {
            offering: OfferingId::from_uuid(offering.id),
            teacher: teacher.map(|t| TeacherId::from_uuid(t.id)),
            location: LocationId::from_uuid(location.id),
            room: room.map(|r| RoomId::from_uuid(r.id)),
            student: student.map(|s| StudentId::from_uuid(s.id)),
            schedule: spec.schedule,
            capacity: spec.capacity,
            policy: input.conflict_policy.unwrap_or(ConflictPolicy::Mark).into(),
            mode: input
                .generation_mode
                .unwrap_or(GenerationMode::OnDemand)
                .into(),
            hybrid,
            meeting,
            notes: crate::schema::notes(input.notes),
        })),
        _ => Ok(Err(errors)),
    }
}

/// Loads the row an optional id names for a new series, recording
/// NOT_FOUND on `field` when it names nothing in the school and ARCHIVED
/// when the row is archived.
async fn lookup<E: repo::Tenant>(
    tx: &infra::Tx,
    school: kernel::SchoolId,
    kind: Kind,
    id: Option<&ID>,
    field: &'static str,
    errors: &mut Vec<UserError>,
) -> Result<Option<E::Model>>
where
    E::Model: infra::archive::Usable,
{
    let Some(id) = id else { return Ok(None) };
    match find_usable::<E>(tx, school, kind, id, field).await? {
        Ok(found) => Ok(Some(found)),
        Err(e) => {
            errors.push(e.into());
            Ok(None)
        }
    }
}

#[derive(Default)]
pub struct SeriesQuery;

#[Object]
impl SeriesQuery {
    /// What `generateSessions` would create through `through`, with every
    /// conflict. Writes nothing.
    async fn preview_sessions(
        &self,
        ctx: &Context<'_>,
        series_id: ID,
        through: LocalDate,
    ) -> Result<Vec<PreviewedSession>> {
        let viewer = authorize(ctx, Action::PreviewSchedule)?;
        let app = app(ctx);
        let conn = app.db.conn();
        let Some(series) = find_in_school::<class_series::Entity>(
            conn,
            viewer.school,
            Kind::ClassSeries,
            &series_id,
        )
        .await?
        else {
            return Err(bad_input(
                "seriesId",
                Code::NotFound,
                "no class series with this id exists in your school",
            ));
        };
        let previewed = service::preview(conn, viewer.school, &series, through.0, app.clock.now())
            .await
            .map_err(internal)?;
        let previewed = previewed.map_err(|e| {
            let user = UserError::from(e);
            let field = user
                .field
                .as_ref()
                .and_then(|f| f.last().cloned())
                .unwrap_or_default();
            bad_input(&field, user.code, user.message)
        })?;
        let ghosts: HashSet<uuid::Uuid> = previewed.iter().map(|p| p.id.uuid()).collect();
        Ok(previewed
            .into_iter()
            .map(|p| PreviewedSession {
                occurrence_date: LocalDate(p.occurrence.date),
                starts_at: DateTime(p.occurrence.starts_at),
                ends_at: DateTime(p.occurrence.ends_at),
                conflicts: to_conflicts(&p.conflicts, &ghosts, false),
            })
            .collect())
    }

    /// The class series you may see, in creation order: all for admins
    /// and staff, the ones you teach, or those of students you act for.
    async fn class_series(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<ClassSeries>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        // The same rule as `ReadLesson`, as a query.
        let family = viewer.has(kernel::Role::Parent) || viewer.has(kernel::Role::Student);
        let filter = infra::repo::list::class_series(infra::repo::list::SeriesScope {
            all: viewer.is_staff(),
            teacher: viewer.teacher.filter(|_| viewer.has(kernel::Role::Teacher)),
            students: if family {
                viewer.acts_for.iter().copied().collect()
            } else {
                Vec::new()
            },
        });
        paginate::<class_series::Entity, _>(
            ctx,
            viewer.school,
            filter,
            crate::schema::page_args!(after, before, first, last),
            ClassSeries,
        )
        .await
    }
}
