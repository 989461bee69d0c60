//! Hybrid lessons: the 1-on-1 slots of a group meeting in its cycle's
//! 1-on-1 weeks, for the series' enrolled students.

use booking::lesson::{self as core, HybridSnapshot};
use booking::{BookingError, BookingKind, Missing, RegistrationKind};
use chrono::{DateTime, Duration, Utc};
use kernel::{OfferingId, SchoolId, SessionId, StudentId, TeacherId, UserId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::Outcome;
use super::rows::{self, NewRow};
use crate::Result;
use crate::entity::{booking as booking_row, class_series, registration, session};

async fn taken(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    session_id: SessionId,
) -> Result<Vec<booking_row::Model>> {
    Ok(booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::SessionId.eq(session_id.uuid()))
        .filter(booking_row::Column::Kind.eq(BookingKind::OneOnOne.as_str()))
        .filter(booking_row::Column::Status.is_in(rows::active()))
        .all(conn)
        .await?)
}

async fn snapshot(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
    student: Option<StudentId>,
) -> Result<(HybridSnapshot, Option<class_series::Model>)> {
    let booked = taken(conn, school, rows::session_id(s)).await?;
    let series = match s.series_id {
        Some(id) => crate::repo::find::<class_series::Entity>(conn, school, id).await?,
        None => None,
    };
    let enrolled = match (&series, student) {
        (Some(series), Some(student)) => registration::Entity::find()
            .filter(registration::Column::SchoolId.eq(school.uuid()))
            .filter(registration::Column::SeriesId.eq(series.id))
            .filter(registration::Column::StudentId.eq(student.uuid()))
            .filter(registration::Column::Kind.eq(RegistrationKind::FullSchedule.as_str()))
            .one(conn)
            .await?
            .is_some(),
        _ => false,
    };
    let price = rows::unit_price(
        conn,
        school,
        series.as_ref().and_then(|x| x.hybrid_price_minor),
    )
    .await?;
    Ok((
        HybridSnapshot {
            meeting: (s.starts_at, s.ends_at),
            one_on_one_week: s.one_on_one_week,
            enrolled,
            student_has_slot: student
                .is_some_and(|st| booked.iter().any(|b| b.student_id == st.uuid())),
            taken: booked.iter().map(|b| (b.starts_at, b.ends_at)).collect(),
            price,
        },
        series,
    ))
}

/// Free 1-on-1 starts inside a hybrid session's meeting time, on a grid of
/// the lesson length. Empty for a session outside the cycle's 1-on-1 weeks.
pub async fn hybrid_slots(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
    duration: Duration,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let (snap, _) = snapshot(conn, school, s, None).await?;
    Ok(core::hybrid_slots(&snap, duration))
}

/// Books a 1-on-1 slot inside a hybrid session for an enrolled student
/// (one with a FULL_SCHEDULE registration for the series), at the
/// series' 1-on-1 price.
#[allow(clippy::too_many_arguments)]
pub async fn book_hybrid_slot(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session_id: SessionId,
    student: StudentId,
    starts_at: DateTime<Utc>,
    duration: Duration,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<booking_row::Model>> {
    let Some(s) = rows::lock_session(tx, school, session_id).await? else {
        return Ok(Err(BookingError::NotFound(Missing::Session)));
    };
    let (snap, series) = snapshot(tx, school, &s, Some(student)).await?;
    let decided = match core::book_hybrid(now, &snap, starts_at, duration) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let row = NewRow {
        session: Some(session_id),
        teacher: s.teacher_id.map(TeacherId::from_uuid),
        offering: series.map(|x| OfferingId::from_uuid(x.offering_id)),
        student,
        by,
        starts_at,
        ends_at: starts_at + duration,
        timezone: rows::session_zone(&s)?,
        note: None,
        registration: None,
        series: None,
        rescheduled_from: None,
    };
    Ok(Ok(
        rows::insert_booking(tx, school, row, decided, now).await?
    ))
}
