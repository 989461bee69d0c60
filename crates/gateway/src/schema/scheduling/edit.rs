//! Editing a series after its sessions exist: `updateClassSeries` with a
//! scope (THIS, THIS_AND_FOLLOWING, ALL) and its dry run
//! `previewSeriesUpdate`. Both resolve the input the same way and call the
//! same `infra::scheduling::edit::plan`; the mutation then applies the plan
//! in the same transaction, so the preview shows exactly what a commit does.

use std::collections::HashSet;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use infra::entity::{class_series, room, session, teacher};
use infra::scheduling::edit::{self as service, EditReport, SeriesEdit};
use infra::scheduling::lifecycle::{self, SessionChanges};
use kernel::policy::Action;
use kernel::{ClassSeriesId, RoomId, SessionId, TeacherId};
use scheduling::{ScheduleChanges, Scope};

use super::series::{PreviewedSession, to_conflicts};
use crate::context::app;
use crate::error::{Code, FieldError, UserError, bad_input, internal};
use crate::ids::{Kind, decode};
use crate::scalars::{DateTime, LocalDate, LocalTime};
use crate::schema::{
    ClassSeries, Conflict, Done, MeetingInput, Session, authorize, find_in_school, find_usable,
    mutation, payloads, refused,
};

/// How much of a series a change applies to.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EditScope {
    /// Only `fromSessionId`, which becomes `detached`.
    This,
    /// `fromSessionId` and every later session: the series is split there
    /// into two linked series (`ClassSeries.splitFrom`).
    ThisAndFollowing,
    /// The whole series (its sessions still to come).
    All,
}

/// Why an edit left a session where it was.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum KeptReason {
    /// Someone holds a place in it (a booking or a waitlist entry): settle
    /// it with the families, then move it with `updateSession`.
    Booked,
    /// It was edited by hand.
    Detached,
}

/// What to change; omitted fields keep what the series has.
#[derive(InputObject, Debug, Default)]
pub struct SeriesChangesInput {
    /// New local start time.
    pub start_time: Option<LocalTime>,
    /// New length.
    pub duration_minutes: Option<i32>,
    /// New local end time (instead of a length).
    pub end_time: Option<LocalTime>,
    /// Another default teacher.
    pub teacher_id: Option<ID>,
    /// Another room.
    pub room_id: Option<ID>,
    /// New seats per session.
    pub capacity: Option<i32>,
    /// A new RRULE (not with THIS).
    pub rrule: Option<String>,
    /// New days of the simple weekly form (not with THIS).
    pub days_of_week: Option<Vec<i32>>,
    /// New interval of the simple weekly form, with `daysOfWeek`.
    pub interval_weeks: Option<i32>,
    /// A new last date (not with THIS).
    pub end_date: Option<LocalDate>,
    /// A new occurrence count (not with THIS).
    pub count: Option<i32>,
    /// Replaces the excluded dates (not with THIS).
    pub exdates: Option<Vec<LocalDate>>,
    /// Replaces the extra dates (not with THIS).
    pub rdates: Option<Vec<LocalDate>>,
    /// New notes.
    pub notes: Option<String>,
    /// New meeting details.
    pub meeting: Option<MeetingInput>,
}

/// Input of `updateClassSeries` and `previewSeriesUpdate`.
#[derive(InputObject, Debug)]
pub struct UpdateClassSeriesInput {
    /// The series.
    pub series_id: ID,
    /// How much of it changes.
    pub scope: EditScope,
    /// The session a THIS or THIS_AND_FOLLOWING change starts from.
    pub from_session_id: Option<ID>,
    /// What changes.
    pub changes: SeriesChangesInput,
}

/// A session an edit moved (or would move).
#[derive(SimpleObject)]
pub struct MovedSession {
    /// The session as it is after the change.
    pub session: Session,
    /// Where it started before.
    pub previous_starts_at: DateTime,
    /// Where it ended before.
    pub previous_ends_at: DateTime,
}

/// A session an edit left where it was.
#[derive(SimpleObject)]
pub struct KeptSession {
    /// The session, unchanged.
    pub session: Session,
    /// Why it was kept.
    pub reason: KeptReason,
}

/// Result of `updateClassSeries`.
#[derive(SimpleObject, Default)]
pub struct UpdateClassSeriesPayload {
    /// The series as edited: for THIS_AND_FOLLOWING, the new second part.
    pub series: Option<ClassSeries>,
    /// For THIS_AND_FOLLOWING, the first part (the original series, now
    /// ending the day before).
    pub split_from: Option<ClassSeries>,
    /// For THIS, the edited session.
    pub session: Option<Session>,
    /// Sessions moved onto the new pattern.
    pub moved: Vec<MovedSession>,
    /// Sessions created.
    pub created: Vec<Session>,
    /// Sessions cancelled: the new pattern has no place for them.
    pub cancelled: Vec<Session>,
    /// Sessions kept where they were, and why: never silently moved.
    pub kept: Vec<KeptSession>,
    /// Every conflict found.
    pub conflicts: Vec<Conflict>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(UpdateClassSeriesPayload);

/// What `updateClassSeries` would do. Nothing is written.
#[derive(SimpleObject)]
pub struct SeriesUpdatePreview {
    /// Sessions that would move, shown as they would be.
    pub moved: Vec<MovedSession>,
    /// Occurrences that would be created.
    pub created: Vec<PreviewedSession>,
    /// Sessions that would be cancelled.
    pub cancelled: Vec<Session>,
    /// Sessions that would be kept where they are, and why.
    pub kept: Vec<KeptSession>,
    /// Every conflict found.
    pub conflicts: Vec<Conflict>,
}

/// A resolved request: one session by hand, or a series edit.
enum Resolved {
    This(SessionId, SessionChanges),
    Series(ClassSeriesId, SeriesEdit),
}

/// Checks every id against the viewer's school and every value against the
/// domain, reporting all problems at once.
async fn resolve(
    conn: &impl infra::Handle,
    school: kernel::SchoolId,
    input: UpdateClassSeriesInput,
) -> Result<std::result::Result<Resolved, Vec<UserError>>> {
    let mut errors: Vec<UserError> = Vec::new();
    let series =
        find_in_school::<class_series::Entity>(conn, school, Kind::ClassSeries, &input.series_id)
            .await?;
    if series.is_none() {
        errors.push(FieldError::not_found("seriesId", "class series").into());
    }
    let from = match &input.from_session_id {
        Some(id) => {
            let found = find_in_school::<session::Entity>(conn, school, Kind::Session, id).await?;
            if found.is_none() {
                errors.push(FieldError::not_found("fromSessionId", "session").into());
            }
            found
        }
        None => None,
    };
    let c = input.changes;
    let teacher = match &c.teacher_id {
        Some(id) => {
            match find_usable::<teacher::Entity>(conn, school, Kind::Teacher, id, "teacherId")
                .await?
            {
                Ok(t) => Some(TeacherId::from_uuid(t.id)),
                Err(e) => {
                    errors.push(UserError::input("changes.teacherId", e.code, e.message));
                    None
                }
            }
        }
        None => None,
    };
    let room = match &c.room_id {
        Some(id) => {
            let found =
                match find_usable::<room::Entity>(conn, school, Kind::Room, id, "roomId").await? {
                    Ok(r) => Some(r),
                    Err(e) => {
                        errors.push(UserError::input("changes.roomId", e.code, e.message));
                        None
                    }
                };
            match (&found, &series) {
                (None, _) => {}
                (Some(r), Some(s)) if r.location_id != s.location_id => {
                    errors.push(UserError::input(
                        "changes.roomId",
                        Code::Invalid,
                        "the room is at another location; pick a room of the series' location",
                    ))
                }
                _ => {}
            }
            found.map(|r| RoomId::from_uuid(r.id))
        }
        None => None,
    };
    let capacity = match c.capacity {
        Some(n) => match scheduling::catalog::parse_capacity(i64::from(n)) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(UserError::input(
                    "changes.capacity",
                    Code::Invalid,
                    e.to_string(),
                ));
                None
            }
        },
        None => None,
    };
    let meeting = match c.meeting.as_ref().map(MeetingInput::parse).transpose() {
        Ok(m) => m,
        Err(e) => {
            let mut err: UserError = e.into();
            err.field = err.field.map(|mut f| {
                f.insert(1, "changes".into());
                f
            });
            errors.push(err);
            None
        }
    };
    let notes = crate::schema::notes(c.notes);
    // Negative numbers become 0, which the schedule refuses with its own
    // message.
    let to_u32 = |n: i32| u32::try_from(n).unwrap_or(0);
    let schedule = ScheduleChanges {
        start_time: c.start_time.map(|t| t.0),
        duration_minutes: c.duration_minutes.map(i64::from),
        end_time: c.end_time.map(|t| t.0),
        rrule: c.rrule,
        days_of_week: c
            .days_of_week
            .map(|days| days.into_iter().map(to_u32).collect()),
        interval_weeks: c.interval_weeks.map(to_u32),
        end_date: c.end_date.map(|d| d.0),
        count: c.count.map(to_u32),
        exdates: c.exdates.map(|d| d.into_iter().map(|d| d.0).collect()),
        rdates: c.rdates.map(|d| d.into_iter().map(|d| d.0).collect()),
    };
    if input.scope == EditScope::This {
        let Some(s) = from.filter(|_| errors.is_empty()) else {
            if input.from_session_id.is_none() {
                errors.push(UserError::from(scheduling::EditError::NoFromSession));
            }
            return Ok(Err(errors));
        };
        if series.as_ref().is_some_and(|x| s.series_id != Some(x.id)) {
            return Ok(Err(vec![scheduling::EditError::NotInSeries.into()]));
        }
        let zone = infra::booking::rows::session_zone(&s).map_err(internal)?;
        let (starts_at, ends_at) =
            match scheduling::edit::one_session(&schedule, zone, s.starts_at, s.ends_at) {
                Ok(times) => times,
                Err(e) => return Ok(Err(vec![e.into()])),
            };
        return Ok(Ok(Resolved::This(
            SessionId::from_uuid(s.id),
            SessionChanges {
                starts_at,
                ends_at,
                teacher,
                room,
                capacity,
                meeting,
                notes,
                allow_conflicts: false,
            },
        )));
    }
    match series {
        Some(series) if errors.is_empty() => Ok(Ok(Resolved::Series(
            ClassSeriesId::from_uuid(series.id),
            SeriesEdit {
                scope: match input.scope {
                    EditScope::ThisAndFollowing => Scope::ThisAndFollowing,
                    _ => Scope::All,
                },
                from: from.map(|s| SessionId::from_uuid(s.id)),
                schedule,
                teacher,
                room,
                capacity,
                notes,
                meeting,
            },
        ))),
        _ => Ok(Err(errors)),
    }
}

fn kept(report: &EditReport) -> Vec<KeptSession> {
    report
        .kept
        .iter()
        .map(|(s, reason)| KeptSession {
            session: Session(s.clone()),
            reason: match reason {
                scheduling::KeptReason::Booked => KeptReason::Booked,
                scheduling::KeptReason::Detached => KeptReason::Detached,
            },
        })
        .collect()
}

fn moved(report: &EditReport) -> Vec<MovedSession> {
    report
        .moved
        .iter()
        .map(|(before, after)| MovedSession {
            session: Session(after.clone()),
            previous_starts_at: DateTime(before.starts_at),
            previous_ends_at: DateTime(before.ends_at),
        })
        .collect()
}

fn ghosts(report: &EditReport) -> HashSet<uuid::Uuid> {
    report.not_stored.iter().map(|id| id.uuid()).collect()
}

#[derive(Default)]
pub struct EditMutation;

#[Object]
impl EditMutation {
    /// Changes a series after its sessions exist. THIS edits one session
    /// (it becomes `detached`); THIS_AND_FOLLOWING splits the series at
    /// `fromSessionId` into two linked series without touching earlier
    /// sessions; ALL changes the whole series. Sessions still to come are
    /// regenerated under the new pattern; booked or hand-edited ones are
    /// kept and reported in `kept`, never silently moved. Preview first
    /// with `previewSeriesUpdate`.
    async fn update_class_series(
        &self,
        ctx: &Context<'_>,
        input: UpdateClassSeriesInput,
    ) -> Result<UpdateClassSeriesPayload> {
        authorize(ctx, Action::ManageSchool)?;
        if decode(Kind::ClassSeries, &input.series_id).is_none() {
            return refused(FieldError::not_found("seriesId", "class series"));
        }
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let resolved = match resolve(tx, viewer.school, input).await? {
                Ok(r) => r,
                Err(errors) => {
                    return Ok(Done::Answer(
                        <UpdateClassSeriesPayload as crate::schema::Payload>::refused(errors),
                    ));
                }
            };
            match resolved {
                Resolved::This(id, changes) => {
                    let updated = lifecycle::update_session(tx, viewer.school, id, changes, now)
                        .await
                        .map_err(internal)?;
                    match updated {
                        None => Ok(Done::refuse(FieldError::not_found(
                            "fromSessionId",
                            "session",
                        ))),
                        Some(Err(e)) => Ok(Done::refuse(e)),
                        Some(Ok(s)) => {
                            let targets = vec![(Kind::Session, s.id)];
                            Ok(Done::Commit(
                                UpdateClassSeriesPayload {
                                    session: Some(Session(s)),
                                    ..Default::default()
                                },
                                targets,
                            ))
                        }
                    }
                }
                Resolved::Series(series_id, edit) => {
                    let report = service::plan(tx, viewer.school, series_id, edit, now)
                        .await
                        .map_err(internal)?;
                    let report = match report {
                        None => {
                            return Ok(Done::refuse(FieldError::not_found(
                                "seriesId",
                                "class series",
                            )));
                        }
                        Some(Err(e)) => {
                            let conflicts = match &e {
                                scheduling::EditError::Generation(
                                    scheduling::GenerationError::Conflicts(found),
                                ) => to_conflicts(
                                    found,
                                    &found.iter().map(|c| c.session.uuid()).collect(),
                                    false,
                                ),
                                _ => vec![],
                            };
                            return Ok(Done::Answer(UpdateClassSeriesPayload {
                                conflicts,
                                user_errors: vec![e.into()],
                                ..Default::default()
                            }));
                        }
                        Some(Ok(report)) => report,
                    };
                    let mut report = report;
                    match service::apply(tx, viewer.school, &mut report, now).await {
                        Ok(Ok(())) => {}
                        // Booked sessions' equipment does not fit at the
                        // new times: nothing is saved.
                        Ok(Err(e)) => return Ok(Done::refuse(e)),
                        // The database saw an overlap the plan could not:
                        // a conflict for the office, not a fault.
                        Err(e) if e.is_overlap() => {
                            return Ok(Done::refuse(scheduling::SessionError::Overlap));
                        }
                        Err(e) => return Err(internal(e)),
                    }
                    let mut targets = vec![(Kind::ClassSeries, report.series.id)];
                    targets.extend(report.split_from.iter().map(|s| (Kind::ClassSeries, s.id)));
                    targets.extend(report.moved.iter().map(|(_, s)| (Kind::Session, s.id)));
                    targets.extend(report.created.iter().map(|s| (Kind::Session, s.id)));
                    targets.extend(report.cancelled.iter().map(|s| (Kind::Session, s.id)));
                    let payload = UpdateClassSeriesPayload {
                        conflicts: to_conflicts(&report.conflicts, &ghosts(&report), true),
                        moved: moved(&report),
                        kept: kept(&report),
                        created: report.created.iter().cloned().map(Session).collect(),
                        cancelled: report.cancelled.iter().cloned().map(Session).collect(),
                        split_from: report.split_from.clone().map(ClassSeries),
                        series: Some(ClassSeries(report.series)),
                        session: None,
                        user_errors: vec![],
                    };
                    Ok(Done::Commit(payload, targets))
                }
            }
        })
        .await
    }
}

#[derive(Default)]
pub struct EditQuery;

#[Object]
impl EditQuery {
    /// What `updateClassSeries` with this input would create, move, cancel
    /// and keep, with every conflict. Writes nothing. THIS edits one
    /// session by hand and has nothing to preview.
    async fn preview_series_update(
        &self,
        ctx: &Context<'_>,
        input: UpdateClassSeriesInput,
    ) -> Result<SeriesUpdatePreview> {
        let viewer = authorize(ctx, Action::PreviewSchedule)?;
        if input.scope == EditScope::This {
            return Err(bad_input(
                "scope",
                Code::Invalid,
                "THIS changes one session by hand: there is nothing to preview",
            ));
        }
        let app = app(ctx);
        let conn = app.db.conn();
        let refusal = |e: UserError| {
            let field = e
                .field
                .as_ref()
                .map(|f| f[1..].join("."))
                .unwrap_or_default();
            bad_input(&field, e.code, e.message)
        };
        let (series_id, edit) = match resolve(conn, viewer.school, input).await? {
            Ok(Resolved::Series(id, edit)) => (id, edit),
            Ok(Resolved::This(..)) => unreachable!("THIS is answered above"),
            Err(mut errors) => return Err(refusal(errors.remove(0))),
        };
        let report = service::plan(conn, viewer.school, series_id, edit, app.clock.now())
            .await
            .map_err(internal)?
            .ok_or_else(|| refusal(FieldError::not_found("seriesId", "class series").into()))?
            .map_err(|e| refusal(e.into()))?;
        let ghosts = ghosts(&report);
        let created_ids: HashSet<uuid::Uuid> = report.created.iter().map(|s| s.id).collect();
        let all_ghosts: HashSet<uuid::Uuid> = ghosts.union(&created_ids).copied().collect();
        Ok(SeriesUpdatePreview {
            moved: moved(&report),
            kept: kept(&report),
            created: report
                .created
                .iter()
                .map(|s| PreviewedSession {
                    occurrence_date: LocalDate(s.occurrence_date),
                    starts_at: DateTime(s.starts_at),
                    ends_at: DateTime(s.ends_at),
                    conflicts: infra::scheduling::conflicts_of(s)
                        .map(|found| {
                            found
                                .into_iter()
                                .map(|(kind, c)| Conflict::stored(None, kind, c))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect(),
            cancelled: report.cancelled.iter().cloned().map(Session).collect(),
            conflicts: to_conflicts(&report.conflicts, &all_ghosts, true),
        })
    }
}
