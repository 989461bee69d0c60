//! Editing a series after its sessions exist: the whole series (ALL) or
//! from one session on (THIS_AND_FOLLOWING, a split into two linked
//! series). THIS is a hand edit of one session ([`super::lifecycle`]).
//!
//! [`plan`] loads the series and its sessions still to come, asks
//! `scheduling::edit` what the new pattern does to them and detects the
//! conflicts; it writes nothing, so `previewSeriesUpdate` is exactly
//! [`plan`], and `updateClassSeries` is [`plan`] then [`apply`] in one
//! transaction: preview and commit cannot disagree.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Days, Utc};
use kernel::{ClassSeriesId, RoomId, SchoolId, SessionId, StudentId, TeacherId};
use scheduling::conflict::{self, Conflict, Slot};
use scheduling::edit::{self, EditError, Hold, KeptReason, ScheduleChanges, Scope, Standing};
use scheduling::{Meeting, Schedule, SeriesStatus, SessionStatus};
use sea_orm::ActiveValue::Unchanged;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{encode_dates, hybrid_of, lock_series, policy_of, schedule_of, session_row, status_of};
use crate::entity::{booking, class_series, enrolment, session, staff_assignment, waitlist_entry};
use crate::repo;
use crate::{Result, new_id};

/// A requested series edit; ids were checked to belong to the school.
#[derive(Debug, Clone)]
pub struct SeriesEdit {
    /// ALL or THIS_AND_FOLLOWING.
    pub scope: Scope,
    /// The session a THIS_AND_FOLLOWING edit starts from.
    pub from: Option<SessionId>,
    /// Changes to when the series meets.
    pub schedule: ScheduleChanges,
    /// A new default teacher.
    pub teacher: Option<TeacherId>,
    /// A new room.
    pub room: Option<RoomId>,
    /// New seats per session.
    pub capacity: Option<u32>,
    /// New notes.
    pub notes: Option<String>,
    /// New meeting details.
    pub meeting: Option<Meeting>,
}

/// What an edit does (or, previewed, would do).
#[derive(Debug, Clone)]
pub struct EditReport {
    /// The series as edited: the same series for ALL, the new second part
    /// of a split for THIS_AND_FOLLOWING.
    pub series: class_series::Model,
    /// The first part of a split (the original series, now ending the day
    /// before), if the edit split the series.
    pub split_from: Option<class_series::Model>,
    /// Sessions moved: as they were, and as they will be.
    pub moved: Vec<(session::Model, session::Model)>,
    /// Sessions created.
    pub created: Vec<session::Model>,
    /// Sessions cancelled, as they will be.
    pub cancelled: Vec<session::Model>,
    /// Sessions kept where they are, and why.
    pub kept: Vec<(session::Model, KeptReason)>,
    /// Every conflict found.
    pub conflicts: Vec<Conflict>,
    /// Planned ids left out under SKIP: conflicts may name them, no
    /// session exists under them.
    pub not_stored: HashSet<SessionId>,
    /// Kept (booked) sessions whose teacher, room, capacity or meeting the
    /// edit changes, as they will be.
    pub updated: Vec<session::Model>,
    /// The sessions of a split that change series (from the split date on).
    reassigned: Vec<Uuid>,
}

/// Plans an edit of `series_id` without writing; `Ok(None)` when the series
/// is not in `school`. Locks the series row when `conn` is a transaction.
pub async fn plan(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series_id: ClassSeriesId,
    edit: SeriesEdit,
    now: DateTime<Utc>,
) -> Result<Option<std::result::Result<EditReport, EditError>>> {
    let Some(series) = lock_series(conn, school, series_id).await? else {
        return Ok(None);
    };
    Ok(Some(plan_locked(conn, school, series, edit, now).await?))
}

async fn plan_locked(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: class_series::Model,
    edit: SeriesEdit,
    now: DateTime<Utc>,
) -> Result<std::result::Result<EditReport, EditError>> {
    if status_of(&series)? == SeriesStatus::Ended {
        return Ok(Err(EditError::Ended));
    }
    let from = match edit.from {
        Some(id) => repo::find::<session::Entity>(conn, school, id.uuid()).await?,
        None => None,
    };
    let from_check = edit.from.map(|_| {
        from.as_ref().map_or((false, now), |s| {
            (s.series_id == Some(series.id), s.starts_at)
        })
    });
    if let Err(e) = edit::check_from(edit.scope, from_check, now) {
        return Ok(Err(e));
    }
    let schedule = schedule_of(&series)?;
    // Where the new pattern takes over: a split date, or (ALL) nowhere.
    let split = match (edit.scope, &from) {
        (Scope::ThisAndFollowing, Some(s)) if s.occurrence_date > schedule.start_date() => {
            Some(s.occurrence_date)
        }
        _ => None,
    };
    let (before, after) = match split {
        Some(date) => match schedule.split_at(date) {
            (before, Some(after)) => (before, after),
            (_, None) => return Ok(Err(EditError::NothingAfter)),
        },
        None => (None, schedule.clone()),
    };
    let new_schedule = match after.changed(edit.schedule.clone()) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e.into())),
    };

    let mut target = with_schedule(series.clone(), &new_schedule);
    if let Some(t) = edit.teacher {
        target.teacher_id = Some(t.uuid());
    }
    if let Some(r) = edit.room {
        target.room_id = Some(r.uuid());
    }
    if let Some(c) = edit.capacity {
        target.capacity = c as i32;
    }
    if let Some(n) = &edit.notes {
        target.notes = Some(n.clone());
    }
    if let Some(m) = &edit.meeting {
        target.meeting_provider = Some(m.provider.as_str().to_owned());
        target.meeting_link = m.link.clone();
        target.meeting_id = m.id.clone();
        target.meeting_passcode = m.passcode.clone();
    }
    let split_from = match (split, before) {
        (Some(date), Some(before)) => {
            target.id = new_id::<Uuid>();
            target.split_from_id = Some(series.id);
            target.created_at = now;
            let mut first = with_schedule(series.clone(), &before);
            let last = date.checked_sub_days(Days::new(1)).unwrap_or(date);
            first.last_generated_through = series.last_generated_through.map(|w| w.min(last));
            Some(first)
        }
        _ => None,
    };

    // The sessions from the split on (all of them for ALL), and what
    // holds each where it is.
    let mut rows = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::SeriesId.eq(series.id));
    if let Some(date) = split {
        rows = rows.filter(session::Column::OccurrenceDate.gte(date));
    }
    // Locked (PostgreSQL) in id order, the order registrations lock
    // sessions in: a booking racing this edit either lands before the
    // plan reads its session, or waits until the edit commits.
    let rows = rows
        .order_by_asc(session::Column::Id)
        .lock_exclusive()
        .all(conn)
        .await?;
    let held = held_sessions(conn, school, rows.iter().map(|s| s.id).collect()).await?;
    let mut standing = Vec::with_capacity(rows.len());
    for s in &rows {
        let status = crate::booking::rows::session_status(s)?;
        let hold = if s.starts_at <= now {
            Hold::Past
        } else if !status.occupies() {
            Hold::Cancelled
        } else if held.contains(&s.id) {
            Hold::Booked
        } else if s.detached {
            Hold::Detached
        } else {
            Hold::Free
        };
        standing.push(Standing {
            id: SessionId::from_uuid(s.id),
            date: s.occurrence_date,
            starts_at: s.starts_at,
            hold,
        });
    }
    // Regenerated up to what was generated; later dates come with the
    // next generation, under the new pattern.
    let new_occurrences = match series.last_generated_through {
        None => Vec::new(),
        Some(through) => match new_schedule.occurrences_through(through) {
            Ok(all) => all
                .into_iter()
                .filter(|o| o.starts_at > now && split.is_none_or(|d| o.date >= d))
                .collect(),
            Err(e) => return Ok(Err(scheduling::GenerationError::from(e).into())),
        },
    };
    let regen = edit::regenerate(&standing, new_occurrences);

    // Conflicts of every moved and created session, against everything
    // else (the sessions being moved or cancelled are not in the way).
    let created_ids: Vec<SessionId> = regen.created.iter().map(|_| new_id()).collect();
    let zone = new_schedule.zone();
    let slot = |id: SessionId, o: &scheduling::Occurrence| Slot {
        id,
        starts_at: o.starts_at,
        ends_at: o.ends_at,
        zone,
        teacher: target.teacher_id.map(TeacherId::from_uuid),
        room: target.room_id.map(RoomId::from_uuid),
        students: target
            .student_id
            .map(StudentId::from_uuid)
            .into_iter()
            .collect(),
        capacity: target.capacity.max(0) as u32,
        staff: Vec::new(),
        offering: None,
    };
    let mut students: Vec<Uuid> = target.student_id.into_iter().collect();
    students.extend(super::context::enrolled(conn, school, series.id).await?);
    let who = super::Involved {
        teacher: target.teacher_id,
        staff: super::context::series_staff(conn, school, series.id).await?,
        room: target.room_id,
        students,
        offering: Some(target.offering_id),
    };
    let planned: Vec<Slot> = regen
        .moved
        .iter()
        .map(|m| slot(m.id, &m.to))
        .chain(
            regen
                .created
                .iter()
                .zip(&created_ids)
                .map(|(o, id)| slot(*id, o)),
        )
        .map(|mut slot| {
            who.fill(&mut slot);
            slot
        })
        .collect();
    let conflicts = if planned.is_empty() {
        Vec::new()
    } else {
        let window = (
            planned
                .iter()
                .map(|s| s.starts_at)
                .min()
                .expect("non-empty"),
            planned.iter().map(|s| s.ends_at).max().expect("non-empty"),
        );
        let changing: HashSet<Uuid> = regen
            .moved
            .iter()
            .map(|m| m.id.uuid())
            .chain(regen.cancelled.iter().map(|id| id.uuid()))
            .collect();
        let (existing, context) =
            super::context::load(conn, school, std::slice::from_ref(&who), window, &changing)
                .await?;
        conflict::detect(&planned, &existing, &context)
    };
    let mut conflicts = conflicts.into_iter();
    let move_conflicts: Vec<Vec<Conflict>> = conflicts.by_ref().take(regen.moved.len()).collect();
    let created_conflicts: Vec<(SessionId, Vec<Conflict>)> =
        created_ids.iter().copied().zip(conflicts).collect();
    let settled = match edit::settle(
        policy_of(&series)?,
        regen,
        move_conflicts,
        created_conflicts,
    ) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e.into())),
    };

    let by_id: HashMap<Uuid, &session::Model> = rows.iter().map(|s| (s.id, s)).collect();
    let row = |id: SessionId| -> Result<session::Model> {
        by_id
            .get(&id.uuid())
            .map(|s| (*s).clone())
            .ok_or_else(|| super::corrupt(format!("planned session {id} vanished")))
    };
    let hybrid = hybrid_of(&target)?;
    let mut report = EditReport {
        split_from,
        moved: Vec::new(),
        created: Vec::new(),
        cancelled: Vec::new(),
        kept: Vec::new(),
        conflicts: settled.conflicts,
        not_stored: created_ids.iter().copied().collect(),
        reassigned: Vec::new(),
        updated: Vec::new(),
        series: target.clone(),
    };
    for (m, found) in settled.moved {
        let before = row(m.id)?;
        let fresh = session_row(
            &target,
            m.id,
            &m.to,
            &found,
            hybrid.as_ref(),
            before.created_at,
        );
        let after = session::Model {
            seats_taken: before.seats_taken,
            notes: before.notes.clone(),
            ..fresh
        };
        report.moved.push((before, after));
    }
    for (id, occurrence, found) in settled.created {
        report.not_stored.remove(&id);
        report.created.push(session_row(
            &target,
            id,
            &occurrence,
            &found,
            hybrid.as_ref(),
            now,
        ));
    }
    for id in settled.cancelled {
        let mut s = row(id)?;
        s.status = SessionStatus::Cancelled.as_str().to_owned();
        s.cancel_reason = Some("removed by a change of the series' schedule".to_owned());
        s.cancelled_at = Some(now);
        report.cancelled.push(s);
    }
    for (id, reason) in settled.kept {
        let before = row(id)?;
        // A booked session keeps its time, but not the old teacher, room,
        // capacity or link: families must get the new ones.
        if reason == KeptReason::Booked {
            let mut after = before.clone();
            if let Some(t) = edit.teacher {
                after.teacher_id = Some(t.uuid());
            }
            if let Some(r) = edit.room {
                after.room_id = Some(r.uuid());
            }
            if let Some(c) = edit.capacity {
                if let Err(e) = scheduling::session::change_capacity(
                    before.capacity.max(0) as u32,
                    c,
                    before.seats_taken.max(0) as u32,
                ) {
                    return Ok(Err(e.into()));
                }
                after.capacity = c as i32;
            }
            if edit.meeting.is_some() {
                after.meeting_provider = target.meeting_provider.clone();
                after.meeting_link = target.meeting_link.clone();
                after.meeting_id = target.meeting_id.clone();
                after.meeting_passcode = target.meeting_passcode.clone();
            }
            if after != before {
                report.updated.push(after.clone());
            }
            report.kept.push((after, reason));
        } else {
            report.kept.push((before, reason));
        }
    }
    if split.is_some() && report.split_from.is_some() {
        report.reassigned = rows
            .iter()
            .filter(|s| s.starts_at > now)
            .map(|s| s.id)
            .collect();
        for (_, after) in &mut report.moved {
            after.series_id = Some(target.id);
        }
        for s in &mut report.cancelled {
            s.series_id = Some(target.id);
        }
        for (s, _) in &mut report.kept {
            s.series_id = Some(target.id);
        }
    }
    Ok(Ok(report))
}

/// Sessions among `ids` someone holds a place in: an active booking or an
/// entry still in the waitlist line. Two statements.
async fn held_sessions(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    ids: Vec<Uuid>,
) -> Result<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut held: HashSet<Uuid> = HashSet::new();
    for chunk in ids.chunks(500) {
        // An enrolled student's seat is a standing place: it follows the
        // pattern with the session, so it does not hold the session.
        let standing_places = sea_orm::sea_query::Query::select()
            .column(enrolment::Column::RegistrationId)
            .from(enrolment::Entity)
            .and_where(enrolment::Column::SchoolId.eq(school.uuid()))
            .and_where(enrolment::Column::RegistrationId.is_not_null())
            .to_owned();
        let booked: Vec<Option<Uuid>> = booking::Entity::find()
            .select_only()
            .column(booking::Column::SessionId)
            .filter(booking::Column::SchoolId.eq(school.uuid()))
            .filter(booking::Column::SessionId.is_in(chunk.to_vec()))
            .filter(booking::Column::Status.is_in(crate::booking::rows::active()))
            .filter(
                sea_orm::Condition::any()
                    .add(booking::Column::RegistrationId.is_null())
                    .add(booking::Column::RegistrationId.not_in_subquery(standing_places)),
            )
            .into_tuple()
            .all(conn)
            .await?;
        held.extend(booked.into_iter().flatten());
        let waiting: Vec<Uuid> = waitlist_entry::Entity::find()
            .select_only()
            .column(waitlist_entry::Column::SessionId)
            .filter(waitlist_entry::Column::SchoolId.eq(school.uuid()))
            .filter(waitlist_entry::Column::SessionId.is_in(chunk.to_vec()))
            .filter(waitlist_entry::Column::Status.is_in(["WAITING", "OFFERED"]))
            .into_tuple()
            .all(conn)
            .await?;
        held.extend(waiting);
    }
    Ok(held)
}

/// The series row with a schedule's fields.
fn with_schedule(mut series: class_series::Model, schedule: &Schedule) -> class_series::Model {
    let (exdates, rdates) = encode_dates(schedule);
    series.start_date = schedule.start_date();
    series.end_date = schedule.end_date();
    series.count = schedule.count().map(|c| c as i32);
    series.start_time = schedule.start_time();
    series.duration_minutes = schedule.duration().num_minutes() as i32;
    series.timezone = schedule.zone().name().to_owned();
    series.rrule = schedule.rrule();
    series.exdates = exdates;
    series.rdates = rdates;
    series
}

/// Writes a planned edit in the caller's transaction (the series row was
/// locked by [`plan`] in the same transaction).
/// The report's created sessions come back with the seats their enrolled
/// students were given.
pub async fn apply(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    report: &mut EditReport,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), scheduling::SessionError>> {
    match &report.split_from {
        Some(first) => {
            first
                .clone()
                .into_active_model()
                .reset_all()
                .update(tx)
                .await?;
            report.series.clone().into_active_model().insert(tx).await?;
            // The new part keeps the series' staff.
            let staff = staff_assignment::Entity::find()
                .filter(staff_assignment::Column::SchoolId.eq(school.uuid()))
                .filter(staff_assignment::Column::SeriesId.eq(first.id))
                .all(tx)
                .await?;
            for a in staff {
                staff_assignment::ActiveModel {
                    id: Set(new_id()),
                    school_id: Set(school.uuid()),
                    series_id: Set(Some(report.series.id)),
                    session_id: Set(None),
                    teacher_id: Set(a.teacher_id),
                    kind: Set(a.kind),
                }
                .insert(tx)
                .await?;
            }
            crate::booking::enrolment::carry_over(tx, school, first.id, report.series.id, now)
                .await?;
            for chunk in report.reassigned.chunks(500) {
                session::Entity::update_many()
                    .col_expr(session::Column::SeriesId, Expr::value(report.series.id))
                    .filter(session::Column::Id.is_in(chunk.to_vec()))
                    .exec(tx)
                    .await?;
            }
        }
        None => {
            report
                .series
                .clone()
                .into_active_model()
                .reset_all()
                .update(tx)
                .await?;
        }
    }
    // Only the columns an edit decides are written: the seat counter and
    // notes stay whatever the locked rows hold.
    for (_, after) in &report.moved {
        moved_columns(after).update(tx).await?;
    }
    for s in &report.cancelled {
        session::ActiveModel {
            id: Unchanged(s.id),
            status: Set(s.status.clone()),
            cancel_reason: Set(s.cancel_reason.clone()),
            cancelled_at: Set(s.cancelled_at),
            series_id: Set(s.series_id),
            ..Default::default()
        }
        .update(tx)
        .await?;
    }
    for s in &report.updated {
        session::ActiveModel {
            id: Unchanged(s.id),
            teacher_id: Set(s.teacher_id),
            room_id: Set(s.room_id),
            capacity: Set(s.capacity),
            meeting_provider: Set(s.meeting_provider.clone()),
            meeting_link: Set(s.meeting_link.clone()),
            meeting_id: Set(s.meeting_id.clone()),
            meeting_passcode: Set(s.meeting_passcode.clone()),
            ..Default::default()
        }
        .update(tx)
        .await?;
        // A larger capacity offers the new seats to the waitlist at once.
        crate::booking::waitlist::offer_free_seats(tx, school, SessionId::from_uuid(s.id), now)
            .await?;
    }
    for chunk in report.created.chunks(200) {
        session::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .exec(tx)
        .await?;
    }
    crate::staff::copy_series_staff(tx, school, report.series.id, &report.created).await?;
    // Enrolled students' seats follow their sessions, leave with the
    // cancelled ones and fill the new ones.
    let moved: Vec<session::Model> = report
        .moved
        .iter()
        .map(|(_, a)| a.clone())
        .chain(report.updated.iter().cloned())
        .collect();
    crate::booking::enrolment::follow_sessions(tx, school, &moved).await?;
    if let Err(short) = crate::equipment::recheck_moved(tx, school, &moved).await? {
        return Ok(Err(scheduling::SessionError::Equipment(short)));
    }
    let cancelled: Vec<SessionId> = report
        .cancelled
        .iter()
        .map(|s| SessionId::from_uuid(s.id))
        .collect();
    crate::booking::enrolment::cancel_in_sessions(tx, school, &cancelled, now).await?;
    let placed =
        crate::booking::enrolment::place_enrolled(tx, school, &report.series, &report.created, now)
            .await?;
    for s in &mut report.created {
        s.seats_taken += placed
            .booked
            .iter()
            .filter(|b| b.session_id == Some(s.id))
            .map(|b| b.seats)
            .sum::<i32>();
    }
    Ok(Ok(()))
}

/// The columns a move rewrites.
fn moved_columns(after: &session::Model) -> session::ActiveModel {
    session::ActiveModel {
        id: Unchanged(after.id),
        series_id: Set(after.series_id),
        occurrence_date: Set(after.occurrence_date),
        occurrence_index: Set(after.occurrence_index),
        starts_at: Set(after.starts_at),
        ends_at: Set(after.ends_at),
        timezone: Set(after.timezone.clone()),
        teacher_id: Set(after.teacher_id),
        room_id: Set(after.room_id),
        capacity: Set(after.capacity),
        status: Set(after.status.clone()),
        conflicts: Set(after.conflicts.clone()),
        one_on_one_week: Set(after.one_on_one_week),
        meeting_provider: Set(after.meeting_provider.clone()),
        meeting_link: Set(after.meeting_link.clone()),
        meeting_id: Set(after.meeting_id.clone()),
        meeting_passcode: Set(after.meeting_passcode.clone()),
        ..Default::default()
    }
}
