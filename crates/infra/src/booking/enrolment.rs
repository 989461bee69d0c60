//! Enrolments: a FULL_SCHEDULE registration's standing place in a series.
//! Sessions generated (or created by a series edit) later include the
//! enrolled students, a seat each while seats last; unenrolling cancels the
//! student's bookings from a date on and passes the seats to the waitlist.

use booking::enrolment::{self as rules, EnrolmentStatus};
use booking::{BookingKind, BookingStatus, NewBooking};
use chrono::{DateTime, NaiveDate, Utc};
use kernel::{OfferingId, RegistrationId, SchoolId, SessionId, StudentId, TeacherId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use uuid::Uuid;

use super::Outcome;
use super::rows::{self, NewRow};
use crate::entity::{booking as booking_row, class_series, enrolment, session};
use crate::{Result, new_id};

/// Stores (or renews) the student's standing place in the series.
pub async fn enrol(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series: Uuid,
    student: StudentId,
    registration: RegistrationId,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<enrolment::Model> {
    let existing = enrolment::Entity::find()
        .filter(enrolment::Column::SchoolId.eq(school.uuid()))
        .filter(enrolment::Column::SeriesId.eq(series))
        .filter(enrolment::Column::StudentId.eq(student.uuid()))
        .one(tx)
        .await?;
    let renewed = existing.is_some();
    let mut row = match existing {
        Some(e) => e.into(),
        None => enrolment::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            series_id: Set(series),
            student_id: Set(student.uuid()),
            ..Default::default()
        },
    };
    row.registration_id = Set(Some(registration.uuid()));
    row.status = Set(EnrolmentStatus::Active.as_str().to_owned());
    row.enrolled_by = Set(by.uuid());
    row.enrolled_at = Set(now);
    row.ends_on = Set(None);
    // `save` would update a new row whose id is already set: say which.
    Ok(if renewed {
        row.update(tx).await?
    } else {
        row.insert(tx).await?
    })
}

/// What placing enrolled students in new sessions did.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// Bookings made.
    pub booked: Vec<booking_row::Model>,
    /// (session, student) pairs that found no seat.
    pub unplaced: Vec<(Uuid, Uuid)>,
}

/// Gives each student enrolled in `series` a seat in each of `sessions`
/// (just written, so nobody else holds their rows), while seats last.
pub async fn place_enrolled(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series: &class_series::Model,
    sessions: &[session::Model],
    now: DateTime<Utc>,
) -> Result<Placement> {
    if sessions.is_empty() {
        return Ok(Placement::default());
    }
    let enrolled = active_places(tx, school, &[series.id]).await?;
    place(tx, school, series, sessions, &enrolled, now).await
}

/// The ACTIVE places of these series, oldest first: one statement.
pub async fn active_places(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: &[Uuid],
) -> Result<Vec<enrolment::Model>> {
    if series.is_empty() {
        return Ok(Vec::new());
    }
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::SchoolId.eq(school.uuid()))
        .filter(enrolment::Column::SeriesId.is_in(series.to_vec()))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Active.as_str()))
        .order_by_asc(enrolment::Column::EnrolledAt)
        .order_by_asc(enrolment::Column::Id)
        .all(conn)
        .await?)
}

/// [`place_enrolled`] with the series' places already loaded (those of
/// other series are ignored): nothing is read when nobody is enrolled.
pub async fn place(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series: &class_series::Model,
    sessions: &[session::Model],
    places: &[enrolment::Model],
    now: DateTime<Utc>,
) -> Result<Placement> {
    let mut out = Placement::default();
    let enrolled: Vec<&enrolment::Model> =
        places.iter().filter(|e| e.series_id == series.id).collect();
    if sessions.is_empty() || enrolled.is_empty() {
        return Ok(out);
    }
    let unit = rows::unit_price(
        tx,
        school,
        crate::repo::find::<crate::entity::offering::Entity>(tx, school, series.offering_id)
            .await?
            .and_then(|o| o.price_minor),
    )
    .await?;
    // Equipment as for any booking: a student the equipment cannot serve
    // is reported unplaced, like one a full session cannot seat.
    let offering = Some(OfferingId::from_uuid(series.offering_id));
    let mut stocks: HashMap<Uuid, resources::Stock> = HashMap::new();
    let (from, to) = super::seats::span_of(sessions.iter());
    for s in sessions {
        for e in enrolled.iter().copied() {
            let status = crate::stored("enrolments", &e.status, EnrolmentStatus::parse)?;
            if !rules::includes(status, e.ends_on, s.occurrence_date) {
                continue;
            }
            let stock = match stocks.entry(s.location_id) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let demand = super::seats::demand(s, offering);
                    e.insert(crate::equipment::stock(tx, school, demand, from, to).await?)
                }
            };
            let id = rows::session_id(s);
            let Ok(held) = stock.take(1, s.starts_at, s.ends_at) else {
                out.unplaced.push((s.id, e.student_id));
                continue;
            };
            if !rows::take_seats(tx, id, 1).await? {
                out.unplaced.push((s.id, e.student_id));
                continue;
            }
            let row = NewRow {
                session: Some(id),
                teacher: s.teacher_id.map(TeacherId::from_uuid),
                offering: Some(OfferingId::from_uuid(series.offering_id)),
                student: StudentId::from_uuid(e.student_id),
                by: UserId::from_uuid(e.enrolled_by),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                timezone: rows::session_zone(s)?,
                note: None,
                registration: e.registration_id.map(RegistrationId::from_uuid),
                series: None,
                rescheduled_from: None,
            };
            let decided = NewBooking {
                kind: BookingKind::GroupSession,
                seats: 1,
                status: BookingStatus::Confirmed,
                price: unit,
            };
            let b = rows::insert_booking(tx, school, row, decided, now).await?;
            crate::equipment::write(tx, school, b.id, &held, now).await?;
            out.booked.push(b);
        }
    }
    Ok(out)
}

/// Ends a standing place from `from` (a local date) on: the student's
/// bookings in the series' sessions from that date are cancelled and their
/// seats offered to the waitlists.
pub async fn unenrol(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    enrolment_id: Uuid,
    from: NaiveDate,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<(enrolment::Model, Vec<booking_row::Model>)>> {
    change(
        tx,
        school,
        enrolment_id,
        EnrolmentStatus::Unenrolled,
        from,
        by,
        now,
    )
    .await
}

/// Changes a standing place's status (`booking::enrolment::change`): a
/// pause or resume only changes which new sessions include the student; an
/// end (UNENROLLED, DROPPED) also cancels their bookings from `from` on.
pub async fn change(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    enrolment_id: Uuid,
    to: EnrolmentStatus,
    from: NaiveDate,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<(enrolment::Model, Vec<booking_row::Model>)>> {
    let Some(e) = crate::repo::find::<enrolment::Entity>(tx, school, enrolment_id).await? else {
        return Ok(Err(booking::BookingError::NotFound(
            booking::Missing::Enrolment,
        )));
    };
    // Series, then sessions, like generation: a generation running now
    // either sees the enrolment ended or has already placed the student
    // (and those bookings are cancelled below).
    crate::scheduling::lock_series(tx, school, kernel::ClassSeriesId::from_uuid(e.series_id))
        .await?;
    let Some(e) = crate::repo::find::<enrolment::Entity>(tx, school, enrolment_id).await? else {
        return Ok(Err(booking::BookingError::NotFound(
            booking::Missing::Enrolment,
        )));
    };
    let status = crate::stored("enrolments", &e.status, EnrolmentStatus::parse)?;
    let decided = if to == EnrolmentStatus::Unenrolled {
        rules::unenrol(status).map(|status| rules::Change {
            status,
            ends_place: true,
        })
    } else {
        rules::change(status, to)
    };
    let decided = match decided {
        Ok(d) => d,
        Err(err) => return Ok(Err(err)),
    };
    if !decided.ends_place {
        let mut row: enrolment::ActiveModel = e.into();
        row.status = Set(decided.status.as_str().to_owned());
        return Ok(Ok((row.update(tx).await?, Vec::new())));
    }
    let left = decided.status;
    let why = if left == EnrolmentStatus::Dropped {
        "dropped from the series by the school"
    } else {
        "left the series (unenrolled)"
    };
    let sessions: Vec<session::Model> = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::SeriesId.eq(e.series_id))
        .filter(session::Column::OccurrenceDate.gte(from))
        .filter(session::Column::StartsAt.gt(now))
        .order_by_asc(session::Column::Id)
        .all(tx)
        .await?;
    let mut cancelled = Vec::new();
    for s in &sessions {
        let id = rows::session_id(s);
        // Lock in id order, like registrations.
        rows::lock_session(tx, school, id).await?;
        let Some(b) =
            rows::active_booking_of(tx, school, id, StudentId::from_uuid(e.student_id)).await?
        else {
            continue;
        };
        rows::cancel_active(
            tx,
            school,
            booking_row::Column::Id.eq(b.id).into(),
            Some(by),
            why,
            now,
        )
        .await?;
        rows::release_seats(tx, id, b.seats.max(0) as u32).await?;
        super::waitlist::offer_free_seats(tx, school, id, now).await?;
        cancelled.push(rows::as_cancelled(b, Some(by), why, now));
    }
    let mut row: enrolment::ActiveModel = e.into();
    row.status = Set(left.as_str().to_owned());
    row.ends_on = Set(Some(from));
    Ok(Ok((row.update(tx).await?, cancelled)))
}

/// A student's enrolments, newest first.
pub async fn of_student(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    student: StudentId,
) -> Result<Vec<enrolment::Model>> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::SchoolId.eq(school.uuid()))
        .filter(enrolment::Column::StudentId.eq(student.uuid()))
        .order_by_desc(enrolment::Column::EnrolledAt)
        .order_by_asc(enrolment::Column::Id)
        .all(conn)
        .await?)
}

/// The seats of moved sessions' bookings follow them; the bookings of
/// cancelled ones are cancelled. Used by series edits.
pub async fn follow_sessions(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    moved: &[session::Model],
) -> Result<()> {
    for s in moved {
        booking_row::Entity::update_many()
            .col_expr(booking_row::Column::StartsAt, Expr::value(s.starts_at))
            .col_expr(booking_row::Column::EndsAt, Expr::value(s.ends_at))
            .col_expr(booking_row::Column::TeacherId, Expr::value(s.teacher_id))
            .filter(booking_row::Column::SchoolId.eq(school.uuid()))
            .filter(booking_row::Column::SessionId.eq(s.id))
            .filter(booking_row::Column::Status.is_in(rows::active()))
            .exec(tx)
            .await?;
    }
    Ok(())
}

/// Cancels the bookings held in sessions a series edit cancelled.
pub async fn cancel_in_sessions(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    sessions: &[SessionId],
    now: DateTime<Utc>,
) -> Result<()> {
    if sessions.is_empty() {
        return Ok(());
    }
    let held: Vec<Uuid> = booking_row::Entity::find()
        .select_only()
        .column(booking_row::Column::Id)
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::SessionId.is_in(sessions.iter().map(|s| s.uuid())))
        .filter(booking_row::Column::Status.is_in(rows::active()))
        .into_tuple()
        .all(tx)
        .await?;
    rows::cancel_active(
        tx,
        school,
        booking_row::Column::Id.is_in(held.iter().copied()).into(),
        None,
        "the session was removed by a change of the series' schedule",
        now,
    )
    .await?;
    // Make-ups booked in them give their credits back.
    crate::credits::give_back(tx, school, &held, now).await?;
    session::Entity::update_many()
        .col_expr(session::Column::SeatsTaken, Expr::value(0))
        .filter(session::Column::Id.is_in(sessions.iter().map(|s| s.uuid())))
        .exec(tx)
        .await?;
    Ok(())
}

/// A split series' standing places continue in its second part: each
/// ACTIVE or PAUSED enrolment of `from` is copied to `to` with its status,
/// and the original becomes COMPLETED (the first part ended with the
/// student in it).
pub async fn carry_over(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    from: Uuid,
    to: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let standing = enrolment::Entity::find()
        .filter(enrolment::Column::SchoolId.eq(school.uuid()))
        .filter(enrolment::Column::SeriesId.eq(from))
        .filter(enrolment::Column::Status.is_in([
            EnrolmentStatus::Active.as_str(),
            EnrolmentStatus::Paused.as_str(),
        ]))
        .all(tx)
        .await?;
    for e in standing {
        enrolment::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            series_id: Set(to),
            student_id: Set(e.student_id),
            registration_id: Set(e.registration_id),
            status: Set(e.status.clone()),
            enrolled_by: Set(e.enrolled_by),
            enrolled_at: Set(now),
            ends_on: Set(None),
        }
        .insert(tx)
        .await?;
        let mut row: enrolment::ActiveModel = e.into();
        row.status = Set(EnrolmentStatus::Completed.as_str().to_owned());
        row.update(tx).await?;
    }
    Ok(())
}

/// Marks a series' ACTIVE and PAUSED places COMPLETED (the series ended).
pub async fn complete_all(tx: &impl ConnectionTrait, school: SchoolId, series: Uuid) -> Result<()> {
    enrolment::Entity::update_many()
        .col_expr(
            enrolment::Column::Status,
            Expr::value(EnrolmentStatus::Completed.as_str()),
        )
        .filter(enrolment::Column::SchoolId.eq(school.uuid()))
        .filter(enrolment::Column::SeriesId.eq(series))
        .filter(enrolment::Column::Status.is_in([
            EnrolmentStatus::Active.as_str(),
            EnrolmentStatus::Paused.as_str(),
        ]))
        .exec(tx)
        .await?;
    Ok(())
}
