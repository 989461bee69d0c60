//! The scheduling application service: creating series, previewing and
//! generating their sessions, and reading calendars. Editing a series
//! after its sessions exist is in [`edit`]; one session's lifecycle in
//! [`lifecycle`].
//!
//! Each function loads what the domain needs in a constant number of
//! statements, asks `scheduling` for the decision, and (for writes) persists
//! it in the caller's transaction. Generation serialises per series: the
//! series row is locked `FOR UPDATE` on PostgreSQL, and SQLite write
//! transactions are `IMMEDIATE` (one writer), so two concurrent generations
//! cannot both insert the same occurrence; the unique key on
//! (series, occurrence date) is the last line of defence.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use kernel::{
    ClassSeriesId, LocationId, OfferingId, RoomId, SchoolId, SessionId, StudentId, TeacherId,
    TimeZone,
};
use scheduling::conflict::{self, Conflict, ConflictKind, Resource, Slot};
use scheduling::generation::{self, GenerationError};
use scheduling::{
    ConflictPolicy, GenerationMode, Meeting, Occurrence, Schedule, ScheduleInput, SeriesStatus,
    SessionStatus,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::{class_series, session};

mod context;
pub(crate) use context::Involved;
pub mod edit;
pub mod lifecycle;
pub mod term;
use crate::{InfraError, Result, new_id};

/// A validated new series; ids were checked to belong to the school.
#[derive(Debug, Clone)]
pub struct NewSeries {
    /// What is taught.
    pub offering: OfferingId,
    /// Default teacher.
    pub teacher: Option<TeacherId>,
    /// Where.
    pub location: LocationId,
    /// Room or booth.
    pub room: Option<RoomId>,
    /// The student of a 1-on-1 series.
    pub student: Option<StudentId>,
    /// When.
    pub schedule: Schedule,
    /// Seats per session.
    pub capacity: u32,
    /// What to do with conflicting occurrences.
    pub policy: ConflictPolicy,
    /// On demand or kept generated ahead.
    pub mode: GenerationMode,
    /// A hybrid cycle and the price of its 1-on-1 slots.
    pub hybrid: Option<(scheduling::hybrid::HybridCycle, Option<i64>)>,
    /// Online meeting defaults, copied to each session.
    pub meeting: Option<Meeting>,
    /// Notes for the office and teachers.
    pub notes: Option<String>,
}

/// Stores a new series.
pub async fn create_series(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    input: NewSeries,
    now: DateTime<Utc>,
) -> Result<class_series::Model> {
    let id: ClassSeriesId = new_id();
    let schedule = &input.schedule;
    let (exdates, rdates) = encode_dates(schedule);
    let meeting = input.meeting.as_ref();
    Ok(class_series::ActiveModel {
        id: Set(id.uuid()),
        school_id: Set(school.uuid()),
        offering_id: Set(input.offering.uuid()),
        teacher_id: Set(input.teacher.map(TeacherId::uuid)),
        location_id: Set(input.location.uuid()),
        room_id: Set(input.room.map(RoomId::uuid)),
        student_id: Set(input.student.map(StudentId::uuid)),
        start_date: Set(schedule.start_date()),
        end_date: Set(schedule.end_date()),
        count: Set(schedule.count().map(|c| c as i32)),
        start_time: Set(schedule.start_time()),
        duration_minutes: Set(schedule.duration().num_minutes() as i32),
        timezone: Set(schedule.zone().name().to_owned()),
        rrule: Set(schedule.rrule()),
        exdates: Set(exdates),
        rdates: Set(rdates),
        split_from_id: Set(None),
        notes: Set(input.notes),
        meeting_provider: Set(meeting.map(|m| m.provider.as_str().to_owned())),
        meeting_link: Set(meeting.and_then(|m| m.link.clone())),
        meeting_id: Set(meeting.and_then(|m| m.id.clone())),
        meeting_passcode: Set(meeting.and_then(|m| m.passcode.clone())),
        capacity: Set(input.capacity as i32),
        conflict_policy: Set(input.policy.as_str().to_owned()),
        generation_mode: Set(input.mode.as_str().to_owned()),
        status: Set(SeriesStatus::Active.as_str().to_owned()),
        last_generated_through: Set(None),
        hybrid_cycle_weeks: Set(input.hybrid.as_ref().map(|(c, _)| c.length_weeks() as i32)),
        hybrid_cycle_start: Set(input.hybrid.as_ref().map(|(c, _)| c.start_monday())),
        hybrid_one_on_one_weeks: Set(input.hybrid.as_ref().map(|(c, _)| {
            c.one_on_one_weeks()
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })),
        hybrid_price_minor: Set(input.hybrid.as_ref().and_then(|(_, p)| *p)),
        created_at: Set(now),
    }
    .insert(tx)
    .await?)
}

/// A schedule's excluded and extra dates as stored (JSON arrays of
/// `YYYY-MM-DD`).
pub(crate) fn encode_dates(schedule: &Schedule) -> (String, String) {
    let encode = |dates: &BTreeSet<NaiveDate>| {
        let dates: Vec<String> = dates.iter().map(NaiveDate::to_string).collect();
        serde_json::to_string(&dates).expect("strings serialise")
    };
    (encode(schedule.exdates()), encode(schedule.rdates()))
}

/// The hybrid cycle of a stored series, if it has one. Stored weeks or a
/// cycle the domain refuses are a corrupt row, never a cycle quietly
/// shortened or dropped.
pub fn hybrid_of(series: &class_series::Model) -> Result<Option<scheduling::hybrid::HybridCycle>> {
    let (weeks, length, start) = match (
        series.hybrid_one_on_one_weeks.as_deref(),
        series.hybrid_cycle_weeks,
        series.hybrid_cycle_start,
    ) {
        (Some(weeks), Some(length), Some(start)) => (weeks, length, start),
        (None, None, None) => return Ok(None),
        _ => return Err(corrupt(format!("a partial hybrid cycle on {}", series.id))),
    };
    let weeks: Vec<i64> = weeks
        .split(',')
        .map(|w| w.trim().parse())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| corrupt(format!("hybrid weeks {weeks:?} of {}", series.id)))?;
    scheduling::hybrid::HybridCycle::new(i64::from(length), start, &weeks)
        .map(Some)
        .map_err(|e| corrupt(format!("hybrid cycle of {}: {e}", series.id)))
}

pub(crate) fn corrupt(detail: impl Into<String>) -> InfraError {
    InfraError::Corrupt {
        table: "class_series",
        detail: detail.into(),
    }
}

/// Rebuilds the domain schedule of a stored series.
pub fn schedule_of(series: &class_series::Model) -> Result<Schedule> {
    let exdates: Vec<NaiveDate> =
        serde_json::from_str(&series.exdates).map_err(|e| corrupt(e.to_string()))?;
    let rdates: Vec<NaiveDate> =
        serde_json::from_str(&series.rdates).map_err(|e| corrupt(e.to_string()))?;
    Schedule::parse(ScheduleInput {
        start_date: Some(series.start_date),
        end_date: series.end_date,
        count: series.count.map(|c| c as u32),
        start_time: Some(series.start_time),
        duration_minutes: Some(i64::from(series.duration_minutes)),
        timezone: series.timezone.clone(),
        rrule: Some(series.rrule.clone()),
        days_of_week: None,
        interval_weeks: None,
        exdates,
        rdates,
        end_time: None,
    })
    .map_err(|e| corrupt(e.to_string()))
}

pub(crate) fn status_of(series: &class_series::Model) -> Result<SeriesStatus> {
    SeriesStatus::parse(&series.status).ok_or_else(|| corrupt(format!("status {}", series.status)))
}

pub(crate) fn policy_of(series: &class_series::Model) -> Result<ConflictPolicy> {
    ConflictPolicy::parse(&series.conflict_policy)
        .ok_or_else(|| corrupt(format!("policy {}", series.conflict_policy)))
}

/// One occurrence a generation would create, with its conflicts.
#[derive(Debug, Clone)]
pub struct Previewed {
    /// The id the session would get.
    pub id: SessionId,
    /// When.
    pub occurrence: Occurrence,
    /// Its conflicts.
    pub conflicts: Vec<Conflict>,
}

/// What a generation did.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The sessions created.
    pub created: Vec<session::Model>,
    /// Dates left out under SKIP.
    pub skipped: Vec<NaiveDate>,
    /// Every conflict found.
    pub conflicts: Vec<Conflict>,
    /// The series after generation (new watermark).
    pub series: class_series::Model,
    /// Planned ids that were not stored (skipped): conflicts may name them,
    /// but no session exists under them.
    pub not_stored: HashSet<SessionId>,
    /// Enrolled students placed in the new sessions (and those who found
    /// no seat).
    pub placement: crate::booking::enrolment::Placement,
}

/// Lists what generating `series` through `through` would create, and every
/// conflict, without writing anything.
pub async fn preview(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: &class_series::Model,
    through: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Result<Vec<Previewed>, GenerationError>> {
    Ok(plan_with_conflicts(conn, school, series, through, now)
        .await?
        .map(|(planned, conflicts)| {
            planned
                .into_iter()
                .zip(conflicts)
                .map(|((id, occurrence), conflicts)| Previewed {
                    id,
                    occurrence,
                    conflicts,
                })
                .collect()
        }))
}

/// Generates sessions of `series_id` through `through` in `tx`, applying the
/// series' conflict policy. `Ok(None)` when the series is not in `school`.
pub async fn generate(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series_id: ClassSeriesId,
    through: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<Result<Generated, GenerationError>>> {
    let Some(series) = lock_series(tx, school, series_id).await? else {
        return Ok(None);
    };
    let (planned, conflicts) = match plan_with_conflicts(tx, school, &series, through, now).await? {
        Ok(found) => found,
        Err(e) => return Ok(Some(Err(e))),
    };
    let mut not_stored: HashSet<SessionId> = planned.iter().map(|(id, _)| *id).collect();
    let outcome = match generation::apply_policy(policy_of(&series)?, planned, conflicts) {
        Ok(outcome) => outcome,
        Err(e) => return Ok(Some(Err(e))),
    };
    // The rows are built as models and converted for the insert, so the
    // payload returns exactly what was written without reading it back.
    let hybrid = hybrid_of(&series)?;
    let created: Vec<session::Model> = outcome
        .create
        .iter()
        .map(|decided| {
            session_row(
                &series,
                decided.id,
                &decided.occurrence,
                &decided.conflicts,
                hybrid.as_ref(),
                now,
            )
        })
        .collect();
    for decided in &outcome.create {
        not_stored.remove(&decided.id);
    }
    // Chunked so a long series stays under SQLite's bound-parameter limit.
    for chunk in created.chunks(500) {
        session::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .exec(tx)
        .await?;
    }
    crate::staff::copy_series_staff(tx, school, series.id, &created).await?;
    let placement =
        crate::booking::enrolment::place_enrolled(tx, school, &series, &created, now).await?;
    // The rows returned are what is stored: count the seats just given.
    let mut created = created;
    for s in &mut created {
        s.seats_taken += placement
            .booked
            .iter()
            .filter(|b| b.session_id == Some(s.id))
            .map(|b| b.seats)
            .sum::<i32>();
    }
    let watermark = series
        .last_generated_through
        .map_or(through, |w| w.max(through));
    let mut active: class_series::ActiveModel = series.into();
    active.last_generated_through = Set(Some(watermark));
    let series = active.update(tx).await?;
    Ok(Some(Ok(Generated {
        created,
        skipped: outcome.skipped,
        conflicts: outcome.conflicts,
        series,
        not_stored,
        placement,
    })))
}

/// A new session of `series` for `occurrence`, with the series' teacher,
/// room, capacity and meeting details; CONFLICTED when it has conflicts.
pub(crate) fn session_row(
    series: &class_series::Model,
    id: SessionId,
    occurrence: &Occurrence,
    conflicts: &[Conflict],
    hybrid: Option<&scheduling::hybrid::HybridCycle>,
    now: DateTime<Utc>,
) -> session::Model {
    let status = if conflicts.is_empty() {
        SessionStatus::Scheduled
    } else {
        SessionStatus::Conflicted
    };
    session::Model {
        id: id.uuid(),
        school_id: series.school_id,
        series_id: Some(series.id),
        occurrence_date: occurrence.date,
        occurrence_index: occurrence.index as i32,
        starts_at: occurrence.starts_at,
        ends_at: occurrence.ends_at,
        timezone: series.timezone.clone(),
        teacher_id: series.teacher_id,
        room_id: series.room_id,
        location_id: series.location_id,
        student_id: series.student_id,
        capacity: series.capacity,
        status: status.as_str().to_owned(),
        conflicts: encode_conflicts(conflicts),
        detached: false,
        seats_taken: 0,
        one_on_one_week: hybrid.is_some_and(|c| c.is_one_on_one(occurrence.date)),
        created_at: now,
        offering_id: Some(series.offering_id),
        notes: None,
        meeting_provider: series.meeting_provider.clone(),
        meeting_link: series.meeting_link.clone(),
        meeting_id: series.meeting_id.clone(),
        meeting_passcode: series.meeting_passcode.clone(),
        cancel_reason: None,
        cancelled_at: None,
    }
}

/// Loads a series of `school` for a change, serialising changes of one
/// series: `FOR UPDATE` on PostgreSQL; on SQLite (where sea-query drops the
/// clause) the IMMEDIATE write transaction already holds the lock.
pub(crate) async fn lock_series(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series_id: ClassSeriesId,
) -> Result<Option<class_series::Model>> {
    Ok(class_series::Entity::find()
        .filter(class_series::Column::SchoolId.eq(school.uuid()))
        .filter(class_series::Column::Id.eq(series_id.uuid()))
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// Changes a series' lifecycle status; ending it cancels its sessions that
/// have not started yet. `Ok(None)` when the series is not in `school`.
pub async fn set_status(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series_id: ClassSeriesId,
    to: SeriesStatus,
    now: DateTime<Utc>,
) -> Result<Option<Result<(class_series::Model, Ended), scheduling::StatusError>>> {
    let Some(series) = lock_series(tx, school, series_id).await? else {
        return Ok(None);
    };
    let change = match status_of(&series)?.transition(to) {
        Ok(change) => change,
        Err(e) => return Ok(Some(Err(e))),
    };
    let mut outcome = Ended::default();
    if change.cancel_future_sessions {
        // SPEC §3.3: ending cancels future *unbooked* sessions; sessions
        // someone holds a place in are kept (and counted) for the office to
        // settle with the families.
        use crate::entity::booking;
        let booked = sea_orm::sea_query::Query::select()
            .column(booking::Column::SessionId)
            .from(booking::Entity)
            .and_where(booking::Column::SchoolId.eq(school.uuid()))
            .and_where(booking::Column::SessionId.is_not_null())
            .and_where(booking::Column::Status.is_in(crate::booking::rows::active()))
            .to_owned();
        let future = || {
            session::Entity::find()
                .filter(session::Column::SchoolId.eq(school.uuid()))
                .filter(session::Column::SeriesId.eq(series.id))
                .filter(session::Column::StartsAt.gt(now))
                .filter(session::Column::Status.is_not_in(SessionStatus::cancelled_names()))
        };
        outcome.kept = future()
            .filter(session::Column::Id.in_subquery(booked.clone()))
            .all(tx)
            .await?
            .len() as u64;
        outcome.cancelled = session::Entity::update_many()
            .col_expr(
                session::Column::Status,
                sea_orm::sea_query::Expr::value(SessionStatus::Cancelled.as_str()),
            )
            .filter(session::Column::SchoolId.eq(school.uuid()))
            .filter(session::Column::SeriesId.eq(series.id))
            .filter(session::Column::StartsAt.gt(now))
            .filter(session::Column::Status.is_not_in(SessionStatus::cancelled_names()))
            .filter(session::Column::Id.not_in_subquery(booked))
            .exec(tx)
            .await?
            .rows_affected;
    }
    if change.cancel_future_sessions {
        // The series is over: its standing places are complete.
        crate::booking::enrolment::complete_all(tx, school, series.id).await?;
    }
    let mut active: class_series::ActiveModel = series.into();
    active.status = Set(change.status.as_str().to_owned());
    Ok(Some(Ok((active.update(tx).await?, outcome))))
}

/// What ending a series did to its future sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ended {
    /// Unbooked sessions cancelled.
    pub cancelled: u64,
    /// Booked sessions kept.
    pub kept: u64,
}

/// How far ahead ADVANCE series are kept generated.
pub const ADVANCE_HORIZON_DAYS: i64 = 8 * 7;

/// What one run of the advance job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdvanceReport {
    /// Series that were behind the horizon and generated.
    pub series: usize,
    /// Sessions created.
    pub created: usize,
    /// Series whose generation was refused (e.g. conflicts under FAIL); logged.
    pub refused: usize,
}

/// The background job of ADVANCE series: keeps every active ADVANCE series
/// of every school generated through [`ADVANCE_HORIZON_DAYS`] after its
/// local today. Each series is generated in its own transaction and under
/// its own school, exactly as `generateSessions` would; the series row lock
/// makes concurrent workers (several gateways) safe: the later one finds
/// nothing new to create.
pub async fn advance(db: &crate::Db, now: DateTime<Utc>) -> Result<AdvanceReport> {
    let candidates = class_series::Entity::find()
        .filter(class_series::Column::GenerationMode.eq(GenerationMode::Advance.as_str()))
        .filter(class_series::Column::Status.eq(SeriesStatus::Active.as_str()))
        .all(db.conn())
        .await?;
    let mut report = AdvanceReport::default();
    for series in candidates {
        let Ok(zone) = TimeZone::parse(&series.timezone) else {
            tracing::error!(series = %series.id, zone = %series.timezone, "series with an unknown zone skipped");
            continue;
        };
        let through = zone.local_date(now) + chrono::Duration::days(ADVANCE_HORIZON_DAYS);
        if series.last_generated_through.is_some_and(|w| w >= through) {
            continue;
        }
        let tx = db.begin_write().await?;
        let school = SchoolId::from_uuid(series.school_id);
        let generated = match generate(
            &tx,
            school,
            ClassSeriesId::from_uuid(series.id),
            through,
            now,
        )
        .await
        {
            Ok(g) => g,
            // One series' corrupt row must not stop every other school's
            // generation: log it, leave it, go on (its transaction rolls back).
            Err(InfraError::Corrupt { table, detail }) => {
                tracing::error!(series = %series.id, table, %detail, "series with a corrupt row skipped");
                report.refused += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        match generated {
            Some(Ok(generated)) => {
                // The job changes data too: audited as the system (no
                // user), naming nothing but the action (global ids are the
                // gateway's encoding).
                crate::repo::audit::record(&tx, school, None, "advanceGeneration", &[], now)
                    .await?;
                tx.commit().await?;
                report.series += 1;
                report.created += generated.created.len();
            }
            Some(Err(refused)) => {
                tracing::warn!(series = %series.id, %refused, "advance generation refused");
                report.refused += 1;
            }
            None => {}
        }
    }
    Ok(report)
}

type Planned = (Vec<(SessionId, Occurrence)>, Vec<Vec<Conflict>>);

/// Plans the new occurrences of `series` and detects their conflicts, in
/// five statements whatever the number of occurrences.
async fn plan_with_conflicts(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: &class_series::Model,
    through: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Result<Planned, GenerationError>> {
    let schedule = schedule_of(series)?;
    let today = schedule.zone().local_date(now);
    let existing: BTreeSet<NaiveDate> = session::Entity::find()
        .select_only()
        .column(session::Column::OccurrenceDate)
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::SeriesId.eq(series.id))
        .into_tuple::<NaiveDate>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let occurrences = match generation::plan(
        &schedule,
        status_of(series)?,
        series.last_generated_through,
        &existing,
        through,
        today,
    ) {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    let (Some(first), Some(last)) = (occurrences.first(), occurrences.last()) else {
        return Ok(Ok((Vec::new(), Vec::new())));
    };
    let window = (
        first.starts_at,
        occurrences
            .iter()
            .map(|o| o.ends_at)
            .max()
            .unwrap_or(last.ends_at),
    );
    let mut students: Vec<Uuid> = series.student_id.into_iter().collect();
    students.extend(context::enrolled(conn, school, series.id).await?);
    let who = context::Involved {
        teacher: series.teacher_id,
        staff: context::series_staff(conn, school, series.id).await?,
        room: series.room_id,
        students,
        offering: Some(series.offering_id),
    };
    let (existing, context) = context::load(
        conn,
        school,
        std::slice::from_ref(&who),
        window,
        &HashSet::new(),
    )
    .await?;
    let zone = schedule.zone();
    let planned: Vec<(SessionId, Occurrence)> =
        occurrences.into_iter().map(|o| (new_id(), o)).collect();
    let slots: Vec<Slot> = planned
        .iter()
        .map(|(id, o)| Slot {
            id: *id,
            starts_at: o.starts_at,
            ends_at: o.ends_at,
            zone,
            teacher: series.teacher_id.map(TeacherId::from_uuid),
            room: series.room_id.map(RoomId::from_uuid),
            students: series
                .student_id
                .map(StudentId::from_uuid)
                .into_iter()
                .collect(),
            capacity: series.capacity.max(0) as u32,
            staff: Vec::new(),
            offering: None,
        })
        .map(|mut slot| {
            who.fill(&mut slot);
            slot
        })
        .collect();
    let conflicts = conflict::detect(&slots, &existing, &context);
    Ok(Ok((planned, conflicts)))
}

/// The conflicts of one session-to-be (involving `who`) against
/// everything stored but itself: the same checks as generation.
pub(crate) async fn conflicts_of_slot(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    slot: &Slot,
    who: &context::Involved,
) -> Result<Vec<Conflict>> {
    let mut slot = slot.clone();
    who.fill(&mut slot);
    let itself = HashSet::from([slot.id.uuid()]);
    let (existing, context) = context::load(
        conn,
        school,
        std::slice::from_ref(who),
        (slot.starts_at, slot.ends_at),
        &itself,
    )
    .await?;
    Ok(
        conflict::detect(std::slice::from_ref(&slot), &existing, &context)
            .pop()
            .unwrap_or_default(),
    )
}

/// A stored session as conflict detection sees it; a zone that does not
/// parse is a corrupt row (an error), never a session silently left out.
pub(crate) fn slot_of(s: &session::Model) -> Result<Slot> {
    Ok(Slot {
        id: SessionId::from_uuid(s.id),
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        zone: crate::booking::rows::session_zone(s)?,
        teacher: s.teacher_id.map(TeacherId::from_uuid),
        room: s.room_id.map(RoomId::from_uuid),
        students: s.student_id.map(StudentId::from_uuid).into_iter().collect(),
        capacity: s.capacity.max(0) as u32,
        staff: Vec::new(),
        offering: None,
    })
}

/// A conflict as stored in `sessions.conflicts` (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredConflict {
    /// `ConflictKind` wire name.
    pub kind: String,
    /// Sentence for people.
    pub message: String,
    /// The other session, for double bookings.
    pub other_session_id: Option<Uuid>,
    /// `TEACHER`, `ROOM` or `STUDENT`.
    pub resource_kind: String,
    /// The contested resource's id.
    pub resource_id: Uuid,
}

impl From<&Conflict> for StoredConflict {
    fn from(c: &Conflict) -> Self {
        let (resource_kind, resource_id) = match c.resource {
            Resource::Teacher(id) => ("TEACHER", id.uuid()),
            Resource::Room(id) => ("ROOM", id.uuid()),
            Resource::Student(id) => ("STUDENT", id.uuid()),
        };
        Self {
            kind: c.kind.as_str().to_owned(),
            message: c.message.clone(),
            other_session_id: c.other.map(SessionId::uuid),
            resource_kind: resource_kind.to_owned(),
            resource_id,
        }
    }
}

pub(crate) fn encode_conflicts(conflicts: &[Conflict]) -> String {
    let stored: Vec<StoredConflict> = conflicts.iter().map(StoredConflict::from).collect();
    serde_json::to_string(&stored).expect("conflicts serialise")
}

/// The conflicts stored on a session, each with its kind. JSON that does
/// not parse, or a kind the domain does not know, is a corrupt row.
pub fn conflicts_of(s: &session::Model) -> Result<Vec<(ConflictKind, StoredConflict)>> {
    let stored: Vec<StoredConflict> = serde_json::from_str(&s.conflicts)
        .map_err(|e| corrupt(format!("conflicts of {}: {e}", s.id)))?;
    stored
        .into_iter()
        .map(|c| Ok((crate::stored("sessions", &c.kind, ConflictKind::parse)?, c)))
        .collect()
}

/// Which sessions a calendar shows.
#[derive(Debug, Clone, Copy)]
pub enum CalendarFilter {
    /// Everything at a location.
    Location(LocationId),
    /// A teacher's sessions.
    Teacher(TeacherId),
    /// A room's sessions.
    Room(RoomId),
    /// A student's sessions.
    Student(StudentId),
}

/// Sessions overlapping `[from, to)` for the filter, in start order: one statement.
pub async fn calendar(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    filter: CalendarFilter,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<session::Model>> {
    let by: sea_orm::Condition = match filter {
        CalendarFilter::Location(id) => session::Column::LocationId.eq(id.uuid()).into(),
        // A teacher's sessions: those they teach and those they are
        // assigned to as instructor or assistant, still one statement.
        CalendarFilter::Teacher(id) => {
            use crate::entity::staff_assignment;
            sea_orm::Condition::any()
                .add(session::Column::TeacherId.eq(id.uuid()))
                .add(
                    session::Column::Id.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(staff_assignment::Column::SessionId)
                            .from(staff_assignment::Entity)
                            .and_where(staff_assignment::Column::SchoolId.eq(school.uuid()))
                            .and_where(staff_assignment::Column::TeacherId.eq(id.uuid()))
                            .and_where(staff_assignment::Column::SessionId.is_not_null())
                            .to_owned(),
                    ),
                )
        }
        CalendarFilter::Room(id) => session::Column::RoomId.eq(id.uuid()).into(),
        // A student's sessions: their 1-on-1 series' sessions and every
        // session they hold (or held) a booking in, still one statement.
        CalendarFilter::Student(id) => {
            use crate::entity::booking;
            let bookings = |statuses: Vec<&'static str>| {
                sea_orm::sea_query::Query::select()
                    .column(booking::Column::SessionId)
                    .from(booking::Entity)
                    .and_where(booking::Column::SchoolId.eq(school.uuid()))
                    .and_where(booking::Column::StudentId.eq(id.uuid()))
                    .and_where(booking::Column::Status.is_in(statuses))
                    .to_owned()
            };
            sea_orm::Condition::any()
                .add(session::Column::StudentId.eq(id.uuid()))
                .add(session::Column::Id.in_subquery(bookings(vec![
                    "PENDING",
                    "CONFIRMED",
                    "ATTENDED",
                    "NO_SHOW",
                ])))
                // A lesson the school or teacher cancelled stays on the
                // family's calendar, shown as cancelled: they must see it
                // is off. A booking the family cancelled themselves does not.
                .add(
                    sea_orm::Condition::all()
                        .add(session::Column::Status.is_in(SessionStatus::cancelled_names()))
                        .add(session::Column::Id.in_subquery(bookings(vec!["CANCELLED"]))),
                )
        }
    };
    Ok(session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(by)
        .filter(session::Column::StartsAt.lt(to))
        .filter(session::Column::EndsAt.gt(from))
        .order_by_asc(session::Column::StartsAt)
        .order_by_asc(session::Column::Id)
        .all(conn)
        .await?)
}

/// Whose 1-on-1 lessons.
#[derive(Debug, Clone, Copy)]
pub enum LessonsOf {
    /// A teacher's.
    Teacher(TeacherId),
    /// A student's.
    Student(StudentId),
}

/// 1-on-1 lessons (bookings with a teacher and a time, no session) that
/// overlap `[from, to)` and still happen or happened, in start order: one
/// statement. Calendars show them beside sessions.
pub async fn lessons(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    of: LessonsOf,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<crate::entity::booking::Model>> {
    use crate::entity::booking;
    let who = match of {
        LessonsOf::Teacher(t) => booking::Column::TeacherId.eq(t.uuid()),
        LessonsOf::Student(s) => booking::Column::StudentId.eq(s.uuid()),
    };
    Ok(booking::Entity::find()
        .filter(booking::Column::SchoolId.eq(school.uuid()))
        .filter(who)
        .filter(booking::Column::SessionId.is_null())
        .filter(booking::Column::Status.is_in(crate::booking::rows::on_roster_or_pending()))
        .filter(booking::Column::StartsAt.lt(to))
        .filter(booking::Column::EndsAt.gt(from))
        .order_by_asc(booking::Column::StartsAt)
        .order_by_asc(booking::Column::Id)
        .all(conn)
        .await?)
}

/// What the class browser shows.
#[derive(Debug, Clone)]
pub struct BrowseFilter {
    /// Only offerings of this kind (stored name).
    pub kind: Option<&'static str>,
    /// Only offerings whose subject or title contains this text (any case).
    pub title: Option<String>,
    /// Only at this location.
    pub location: Option<LocationId>,
    /// From (never before now).
    pub from: DateTime<Utc>,
    /// To.
    pub to: DateTime<Utc>,
}

/// The most sessions one class-browser answer lists.
pub const BROWSE_LIMIT: u64 = 500;

/// Upcoming sessions a family could book, in start order: live, not yet
/// started, not a student's own 1-on-1 series lesson. One statement.
pub async fn class_browser(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    filter: BrowseFilter,
) -> Result<Vec<session::Model>> {
    use crate::entity::offering;
    use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
    let mut offerings = Query::select()
        .column(offering::Column::Id)
        .from(offering::Entity)
        .and_where(offering::Column::SchoolId.eq(school.uuid()))
        .to_owned();
    if let Some(kind) = filter.kind {
        offerings.and_where(offering::Column::Kind.eq(kind));
    }
    if let Some(title) = &filter.title {
        // LIKE is case-sensitive on PostgreSQL and not on SQLite: compare
        // lower-cased on both. `%` and `_` in the text match themselves.
        let escaped = title
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let like = |column: offering::Column| {
            Expr::expr(Func::lower(Expr::col((offering::Entity, column))))
                .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\'))
        };
        // The offering's subject, or its title for offerings without one.
        offerings.cond_where(
            sea_orm::Condition::any()
                .add(like(offering::Column::Subject))
                .add(like(offering::Column::Title)),
        );
    }
    let of_series = Query::select()
        .column(class_series::Column::Id)
        .from(class_series::Entity)
        .and_where(class_series::Column::SchoolId.eq(school.uuid()))
        .and_where(class_series::Column::OfferingId.in_subquery(offerings.clone()))
        .to_owned();
    let mut find = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::StartsAt.gt(filter.from))
        .filter(session::Column::StartsAt.lt(filter.to))
        .filter(session::Column::Status.is_in([
            SessionStatus::Scheduled.as_str(),
            SessionStatus::Confirmed.as_str(),
        ]))
        .filter(session::Column::StudentId.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(session::Column::OfferingId.in_subquery(offerings))
                .add(session::Column::SeriesId.in_subquery(of_series)),
        );
    if let Some(location) = filter.location {
        find = find.filter(session::Column::LocationId.eq(location.uuid()));
    }
    Ok(find
        .order_by_asc(session::Column::StartsAt)
        .order_by_asc(session::Column::Id)
        .limit(BROWSE_LIMIT)
        .all(conn)
        .await?)
}
