//! One session's lifecycle after it exists: one-off sessions, hand edits
//! (which detach the session from its series' pattern), cancelling (which
//! cancels its bookings, closes its waitlist and records the
//! `SessionCancelled` fact), and completing.
//!
//! Each function locks the session row, asks `scheduling::session` for the
//! decision and writes it in the caller's transaction.

use chrono::{DateTime, Utc};
use kernel::{LocationId, OfferingId, RoomId, SchoolId, SessionId, StudentId, TeacherId, UserId};
use scheduling::conflict::Slot;
use scheduling::session::{self as rules, SessionError};
use scheduling::{Meeting, SessionStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};

use super::{Involved, conflicts_of_slot, encode_conflicts};
use crate::booking::rows;
use crate::entity::{booking, session, session_cancellation, waitlist_entry};
use crate::{Result, new_id};

/// A refusal or the result.
pub type Decided<T> = std::result::Result<T, SessionError>;

/// What cancelling a session did.
#[derive(Debug, Clone)]
pub struct Cancelled {
    /// The session, now CANCELLED or CANCELLED_BY_TEACHER.
    pub session: session::Model,
    /// The bookings it cancelled.
    pub bookings: Vec<booking::Model>,
    /// Waitlist entries closed.
    pub waitlist_closed: u64,
}

/// Cancels a session: its bookings are cancelled, its waitlist closed, and
/// the `SessionCancelled` fact recorded (billing turns it into make-up
/// credits). `Ok(None)` when the session is not in `school`.
pub async fn cancel_session(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: SessionId,
    by_teacher: bool,
    reason: Option<String>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Option<Decided<Cancelled>>> {
    let Some(s) = rows::lock_session(tx, school, id).await? else {
        return Ok(None);
    };
    let status = match rows::session_status(&s)?.cancel(by_teacher) {
        Ok(status) => status,
        Err(e) => return Ok(Some(Err(e))),
    };
    let active = booking::Entity::find()
        .filter(booking::Column::SchoolId.eq(school.uuid()))
        .filter(booking::Column::SessionId.eq(s.id))
        .filter(booking::Column::Status.is_in(rows::active()))
        .all(tx)
        .await?;
    let why = reason
        .clone()
        .unwrap_or_else(|| "the session was cancelled".to_owned());
    rows::cancel_active(
        tx,
        school,
        booking::Column::Id
            .is_in(active.iter().map(|b| b.id))
            .into(),
        Some(by),
        &why,
        now,
    )
    .await?;
    let closed = waitlist_entry::Entity::update_many()
        .col_expr(waitlist_entry::Column::Status, Expr::value("CLOSED"))
        .col_expr(
            waitlist_entry::Column::OfferExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(waitlist_entry::Column::SchoolId.eq(school.uuid()))
        .filter(waitlist_entry::Column::SessionId.eq(s.id))
        .filter(waitlist_entry::Column::Status.is_in(["WAITING", "OFFERED"]))
        .exec(tx)
        .await?
        .rows_affected;
    session_cancellation::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        session_id: Set(s.id),
        by_teacher: Set(by_teacher),
        reason: Set(reason.clone()),
        cancelled_by: Set(Some(by.uuid())),
        cancelled_at: Set(now),
        bookings_cancelled: Set(active.len() as i32),
        waitlist_closed: Set(closed as i32),
    }
    .insert(tx)
    .await?;
    // A make-up booked here gives its credit back rather than earning a
    // second one.
    let ids: Vec<uuid::Uuid> = active.iter().map(|b| b.id).collect();
    let returned = crate::credits::give_back(tx, school, &ids, now).await?;
    let s_student = s.student_id;
    let mut row = s.into_active_model();
    row.status = Set(status.as_str().to_owned());
    row.cancel_reason = Set(reason);
    row.cancelled_at = Set(Some(now));
    row.seats_taken = Set(0);
    let session = row.update(tx).await?;
    // The `SessionCancelled` fact: billing's policy turns it into make-up
    // credits for everyone who held a place.
    if crate::credits::policy(tx, school).await?.on_cancellation {
        // Confirmed places only: a request never accepted paid for nothing.
        let students: Vec<StudentId> = active
            .iter()
            .filter(|b| b.status == ::booking::BookingStatus::Confirmed.as_str())
            .filter(|b| !returned.contains(&b.id))
            .map(|b| StudentId::from_uuid(b.student_id))
            .chain(s_student.map(StudentId::from_uuid))
            .collect();
        crate::credits::grant(
            tx,
            school,
            &session,
            &students,
            crate::credits::Reason::Cancellation,
            now,
        )
        .await?;
    }
    let bookings = active
        .into_iter()
        .map(|b| rows::as_cancelled(b, Some(by), &why, now))
        .collect();
    Ok(Some(Ok(Cancelled {
        session,
        bookings,
        waitlist_closed: closed,
    })))
}

/// Marks a session that has started as COMPLETED.
pub async fn complete_session(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: SessionId,
    now: DateTime<Utc>,
) -> Result<Option<Decided<session::Model>>> {
    let Some(s) = rows::lock_session(tx, school, id).await? else {
        return Ok(None);
    };
    let status = match rows::session_status(&s)?.complete(s.starts_at, now) {
        Ok(status) => status,
        Err(e) => return Ok(Some(Err(e))),
    };
    let mut row = s.into_active_model();
    row.status = Set(status.as_str().to_owned());
    Ok(Some(Ok(row.update(tx).await?)))
}

/// A hand edit of one session; `None` keeps what it has.
#[derive(Debug, Clone, Default)]
pub struct SessionChanges {
    /// A new start (the length is kept unless `ends_at` is given too).
    pub starts_at: Option<DateTime<Utc>>,
    /// A new end.
    pub ends_at: Option<DateTime<Utc>>,
    /// Another teacher.
    pub teacher: Option<TeacherId>,
    /// Another room.
    pub room: Option<RoomId>,
    /// Another capacity.
    pub capacity: Option<u32>,
    /// Meeting details for this session only.
    pub meeting: Option<Meeting>,
    /// Notes for this session.
    pub notes: Option<String>,
    /// Save with conflicts (as CONFLICTED) instead of refusing.
    pub allow_conflicts: bool,
}

/// Edits one session by hand: it becomes `detached`, so regeneration never
/// overwrites it. Its bookings follow a new time; a larger capacity offers
/// the new seats to the waitlist at once.
pub async fn update_session(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: SessionId,
    changes: SessionChanges,
    now: DateTime<Utc>,
) -> Result<Option<Decided<session::Model>>> {
    let Some(s) = rows::lock_session(tx, school, id).await? else {
        return Ok(None);
    };
    let status = rows::session_status(&s)?;
    if let Err(e) = status.editable() {
        return Ok(Some(Err(e)));
    }
    let starts_at = changes.starts_at.unwrap_or(s.starts_at);
    let ends_at = changes
        .ends_at
        .unwrap_or(starts_at + (s.ends_at - s.starts_at));
    if let Err(e) = rules::check_times(starts_at, ends_at) {
        return Ok(Some(Err(e)));
    }
    if let Some(room) = changes.room {
        let here = crate::repo::find::<crate::entity::room::Entity>(tx, school, room.uuid())
            .await?
            .is_some_and(|r| r.location_id == s.location_id);
        if !here {
            return Ok(Some(Err(SessionError::RoomElsewhere)));
        }
    }
    let capacity = changes.capacity.unwrap_or(s.capacity.max(0) as u32);
    let offers = match rules::change_capacity(
        s.capacity.max(0) as u32,
        capacity,
        s.seats_taken.max(0) as u32,
    ) {
        Ok(n) => n,
        Err(e) => return Ok(Some(Err(e))),
    };
    let slot = Slot {
        id,
        starts_at,
        ends_at,
        zone: rows::session_zone(&s)?,
        teacher: changes.teacher.or(s.teacher_id.map(TeacherId::from_uuid)),
        room: changes.room.or(s.room_id.map(RoomId::from_uuid)),
        students: s.student_id.map(StudentId::from_uuid).into_iter().collect(),
        capacity,
        staff: Vec::new(),
        offering: None,
    };
    // Who the session involves: its staff and the students holding places.
    let mut students: Vec<uuid::Uuid> = s.student_id.into_iter().collect();
    students.extend(
        booking::Entity::find()
            .filter(booking::Column::SchoolId.eq(school.uuid()))
            .filter(booking::Column::SessionId.eq(s.id))
            .filter(booking::Column::Status.is_in(rows::active()))
            .all(tx)
            .await?
            .into_iter()
            .map(|b| b.student_id),
    );
    let who = Involved {
        teacher: slot.teacher.map(TeacherId::uuid),
        staff: crate::entity::staff_assignment::Entity::find()
            .filter(crate::entity::staff_assignment::Column::SchoolId.eq(school.uuid()))
            .filter(crate::entity::staff_assignment::Column::SessionId.eq(s.id))
            .all(tx)
            .await?
            .into_iter()
            .map(|a| a.teacher_id)
            .collect(),
        room: slot.room.map(RoomId::uuid),
        students,
        offering: rows::offering_of(tx, school, &s).await?.map(|o| o.id),
    };
    let conflicts = conflicts_of_slot(tx, school, &slot, &who).await?;
    if !conflicts.is_empty() && !changes.allow_conflicts {
        return Ok(Some(Err(SessionError::Conflicts(conflicts))));
    }
    let moved = starts_at != s.starts_at || ends_at != s.ends_at;
    let mut row = s.clone().into_active_model();
    row.starts_at = Set(starts_at);
    row.ends_at = Set(ends_at);
    row.teacher_id = Set(slot.teacher.map(TeacherId::uuid));
    row.room_id = Set(slot.room.map(RoomId::uuid));
    row.capacity = Set(capacity as i32);
    row.detached = Set(true);
    row.conflicts = Set(encode_conflicts(&conflicts));
    if matches!(status, SessionStatus::Conflicted) || !conflicts.is_empty() {
        row.status = Set(if conflicts.is_empty() {
            SessionStatus::Scheduled
        } else {
            SessionStatus::Conflicted
        }
        .as_str()
        .to_owned());
    }
    if let Some(m) = &changes.meeting {
        row.meeting_provider = Set(Some(m.provider.as_str().to_owned()));
        row.meeting_link = Set(m.link.clone());
        row.meeting_id = Set(m.id.clone());
        row.meeting_passcode = Set(m.passcode.clone());
    }
    if let Some(n) = changes.notes {
        row.notes = Set(Some(n));
    }
    let updated = match row.update(tx).await {
        Ok(updated) => updated,
        Err(e) if crate::error::is_overlap_violation(&e) => {
            return Ok(Some(Err(SessionError::Overlap)));
        }
        Err(e) => return Err(e.into()),
    };
    if moved || slot.teacher.map(TeacherId::uuid) != s.teacher_id {
        // A booking carries its session's time and teacher (calendars, the
        // overlap checks and the teacher's inbox read them): it follows.
        booking::Entity::update_many()
            .col_expr(booking::Column::StartsAt, Expr::value(starts_at))
            .col_expr(booking::Column::EndsAt, Expr::value(ends_at))
            .col_expr(
                booking::Column::TeacherId,
                Expr::value(slot.teacher.map(TeacherId::uuid)),
            )
            .filter(booking::Column::SchoolId.eq(school.uuid()))
            .filter(booking::Column::SessionId.eq(s.id))
            .exec(tx)
            .await?;
    }
    if moved
        && let Err(short) =
            crate::equipment::recheck_moved(tx, school, std::slice::from_ref(&updated)).await?
    {
        // The bookings' equipment moved with them and no longer fits.
        return Ok(Some(Err(SessionError::Equipment(short))));
    }
    if offers > 0 {
        crate::booking::waitlist::offer_free_seats(tx, school, id, now).await?;
        return Ok(Some(Ok(rows::session(tx, school, id)
            .await?
            .unwrap_or(updated))));
    }
    Ok(Some(Ok(updated)))
}

/// A one-off session; ids were checked to belong to the school.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// What is taught.
    pub offering: OfferingId,
    /// Where.
    pub location: LocationId,
    /// Who teaches.
    pub teacher: Option<TeacherId>,
    /// Which room.
    pub room: Option<RoomId>,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// The zone its wall-clock times are shown in.
    pub zone: kernel::TimeZone,
    /// Seats.
    pub capacity: u32,
    /// Online meeting details.
    pub meeting: Option<Meeting>,
    /// Notes.
    pub notes: Option<String>,
    /// Save with conflicts (as CONFLICTED) instead of refusing.
    pub allow_conflicts: bool,
}

/// Creates a one-off session (no series), with the same conflict checks as
/// generation.
pub async fn create_session(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    new: NewSession,
    now: DateTime<Utc>,
) -> Result<Decided<session::Model>> {
    if let Err(e) = rules::check_times(new.starts_at, new.ends_at) {
        return Ok(Err(e));
    }
    let id: SessionId = new_id();
    let slot = Slot {
        id,
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        zone: new.zone,
        teacher: new.teacher,
        room: new.room,
        students: Vec::new(),
        capacity: new.capacity,
        staff: Vec::new(),
        offering: None,
    };
    let who = Involved {
        teacher: new.teacher.map(TeacherId::uuid),
        room: new.room.map(RoomId::uuid),
        offering: Some(new.offering.uuid()),
        ..Involved::default()
    };
    let conflicts = conflicts_of_slot(tx, school, &slot, &who).await?;
    if !conflicts.is_empty() && !new.allow_conflicts {
        return Ok(Err(SessionError::Conflicts(conflicts)));
    }
    let status = if conflicts.is_empty() {
        SessionStatus::Scheduled
    } else {
        SessionStatus::Conflicted
    };
    let meeting = new.meeting.as_ref();
    let row = session::Model {
        id: id.uuid(),
        school_id: school.uuid(),
        series_id: None,
        occurrence_date: new.zone.local_date(new.starts_at),
        occurrence_index: 0,
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        timezone: new.zone.name().to_owned(),
        teacher_id: new.teacher.map(TeacherId::uuid),
        room_id: new.room.map(RoomId::uuid),
        location_id: new.location.uuid(),
        student_id: None,
        capacity: new.capacity as i32,
        status: status.as_str().to_owned(),
        conflicts: encode_conflicts(&conflicts),
        detached: false,
        seats_taken: 0,
        one_on_one_week: false,
        created_at: now,
        offering_id: Some(new.offering.uuid()),
        notes: new.notes.clone(),
        meeting_provider: meeting.map(|m| m.provider.as_str().to_owned()),
        meeting_link: meeting.and_then(|m| m.link.clone()),
        meeting_id: meeting.and_then(|m| m.id.clone()),
        meeting_passcode: meeting.and_then(|m| m.passcode.clone()),
        cancel_reason: None,
        cancelled_at: None,
    };
    match row.into_active_model().insert(tx).await {
        Ok(row) => Ok(Ok(row)),
        Err(e) if crate::error::is_overlap_violation(&e) => Ok(Err(SessionError::Overlap)),
        Err(e) => Err(e.into()),
    }
}
