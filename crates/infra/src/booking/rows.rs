//! Reading and writing booking rows: stored strings read through typed
//! accessors (an unknown value is a corrupt row, never a default), row
//! locks, the seat counter and inserts.

use booking::attendance::Mark;
use booking::policy::{day_bounds, local_day};
use booking::waitlist::EntryStatus;
use booking::{BookingKind, BookingStatus, NewBooking, RegistrationKind};
use chrono::{DateTime, Utc};
use kernel::{
    BookingId, BookingSeriesId, Currency, Money, OfferingId, RegistrationId, SchoolId, SessionId,
    StudentId, TeacherId, TimeZone, UserId,
};
use scheduling::SessionStatus;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
};

use crate::entity::{
    attendance, booking as booking_row, class_series, offering, registration, school, session,
    student, teacher, waitlist_entry,
};
use crate::{InfraError, Result, new_id};

fn corrupt(table: &'static str, detail: String) -> InfraError {
    InfraError::Corrupt { table, detail }
}

/// A booking's status.
pub fn status_of(b: &booking_row::Model) -> Result<BookingStatus> {
    BookingStatus::parse(&b.status)
        .ok_or_else(|| corrupt("bookings", format!("status {:?} of {}", b.status, b.id)))
}

/// A booking's kind.
pub fn kind_of(b: &booking_row::Model) -> Result<BookingKind> {
    BookingKind::parse(&b.kind)
        .ok_or_else(|| corrupt("bookings", format!("kind {:?} of {}", b.kind, b.id)))
}

/// A waitlist entry's status.
pub fn entry_status(e: &waitlist_entry::Model) -> Result<EntryStatus> {
    EntryStatus::parse(&e.status).ok_or_else(|| {
        corrupt(
            "waitlist_entries",
            format!("status {:?} of {}", e.status, e.id),
        )
    })
}

/// An attendance mark.
pub fn mark_of(a: &attendance::Model) -> Result<Mark> {
    Mark::parse(&a.status)
        .ok_or_else(|| corrupt("attendance", format!("status {:?} of {}", a.status, a.id)))
}

/// A registration's kind.
pub fn registration_kind(r: &registration::Model) -> Result<RegistrationKind> {
    RegistrationKind::parse(&r.kind)
        .ok_or_else(|| corrupt("registrations", format!("kind {:?} of {}", r.kind, r.id)))
}

/// A session's status.
pub fn session_status(s: &session::Model) -> Result<SessionStatus> {
    SessionStatus::parse(&s.status)
        .ok_or_else(|| corrupt("sessions", format!("status {:?} of {}", s.status, s.id)))
}

/// Whether a session is cancelled (by the school or the teacher).
pub fn session_cancelled(s: &session::Model) -> Result<bool> {
    Ok(matches!(
        session_status(s)?,
        SessionStatus::Cancelled | SessionStatus::CancelledByTeacher
    ))
}

/// The zone a session was generated in.
pub fn session_zone(s: &session::Model) -> Result<TimeZone> {
    TimeZone::parse(&s.timezone)
        .map_err(|_| corrupt("sessions", format!("timezone {:?} of {}", s.timezone, s.id)))
}

/// The school's zone: 1-on-1 policies and slots are read in it.
pub async fn school_zone(conn: &impl ConnectionTrait, school: SchoolId) -> Result<TimeZone> {
    let row = school::Entity::find_by_id(school.uuid())
        .one(conn)
        .await?
        .ok_or_else(|| corrupt("schools", format!("school {school} is gone")))?;
    TimeZone::parse(&row.timezone).map_err(|_| {
        corrupt(
            "schools",
            format!("timezone {:?} of {school}", row.timezone),
        )
    })
}

/// The school's currency.
pub async fn school_currency(conn: &impl ConnectionTrait, school: SchoolId) -> Result<Currency> {
    let row = school::Entity::find_by_id(school.uuid())
        .one(conn)
        .await?
        .ok_or_else(|| corrupt("schools", format!("school {school} is gone")))?;
    Currency::parse(&row.currency).map_err(|_| {
        corrupt(
            "schools",
            format!("currency {:?} of {school}", row.currency),
        )
    })
}

/// The school's price for `minor` units, in its currency.
pub async fn unit_price(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    minor: Option<i64>,
) -> Result<Option<Money>> {
    let Some(minor) = minor else {
        return Ok(None);
    };
    let currency = school_currency(conn, school).await?;
    Ok(Some(Money { minor, currency }))
}

/// Stored names of the statuses that hold seats or the teacher's time
/// (`BookingStatus::holds_seats`).
pub fn active() -> Vec<&'static str> {
    BookingStatus::ALL
        .into_iter()
        .filter(|s| s.holds_seats())
        .map(BookingStatus::as_str)
        .collect()
}

/// Stored names of the statuses that put a student on a roster
/// (`BookingStatus::on_roster`).
pub fn on_roster() -> Vec<&'static str> {
    BookingStatus::ALL
        .into_iter()
        .filter(|s| s.on_roster())
        .map(BookingStatus::as_str)
        .collect()
}
/// Stored names of the statuses of a lesson that happens or happened:
/// requested, confirmed, attended or missed (what calendars show).
pub fn on_roster_or_pending() -> Vec<&'static str> {
    BookingStatus::ALL
        .into_iter()
        .filter(|s| s.on_roster() || s.holds_seats())
        .map(BookingStatus::as_str)
        .collect()
}

/// Cancels the active (PENDING or CONFIRMED) bookings of the school that
/// `which` selects, saying who (if anyone) and why, in one UPDATE: every
/// active status may become CANCELLED (`BookingStatus::transition`). The
/// caller frees their seats.
pub async fn cancel_active(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    which: Condition,
    by: Option<UserId>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    booking_row::Entity::update_many()
        .col_expr(
            booking_row::Column::Status,
            Expr::value(BookingStatus::Cancelled.as_str()),
        )
        .col_expr(booking_row::Column::CancelledAt, Expr::value(now))
        .col_expr(
            booking_row::Column::CancelledBy,
            Expr::value(by.map(UserId::uuid)),
        )
        .col_expr(booking_row::Column::CancelReason, Expr::value(reason))
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::Status.is_in(active()))
        .filter(which)
        .exec(tx)
        .await?;
    Ok(())
}

/// A booking as [`cancel_active`] leaves it, for the answer.
pub fn as_cancelled(
    b: booking_row::Model,
    by: Option<UserId>,
    reason: &str,
    now: DateTime<Utc>,
) -> booking_row::Model {
    booking_row::Model {
        status: BookingStatus::Cancelled.as_str().to_owned(),
        cancelled_at: Some(now),
        cancelled_by: by.map(UserId::uuid),
        cancel_reason: Some(reason.to_owned()),
        ..b
    }
}

/// Session statuses that free their time.
pub const CANCELLED: [&str; 2] = ["CANCELLED", "CANCELLED_BY_TEACHER"];

/// Locks and reads a session of the school.
pub async fn lock_session(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: SessionId,
) -> Result<Option<session::Model>> {
    Ok(session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::Id.eq(id.uuid()))
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// Locks and reads a teacher of the school: 1-on-1 bookings of one teacher
/// are serialised by it.
pub async fn lock_teacher(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: TeacherId,
) -> Result<Option<teacher::Model>> {
    Ok(teacher::Entity::find()
        .filter(teacher::Column::SchoolId.eq(school.uuid()))
        .filter(teacher::Column::Id.eq(id.uuid()))
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// Re-reads a session (already locked by the caller).
pub async fn session(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    id: SessionId,
) -> Result<Option<session::Model>> {
    crate::repo::find::<session::Entity>(conn, school, id.uuid()).await
}

/// Takes `n` seats if they fit; false when they do not.
pub async fn take_seats(tx: &impl ConnectionTrait, session_id: SessionId, n: u32) -> Result<bool> {
    let n = n as i32;
    let done = session::Entity::update_many()
        .col_expr(
            session::Column::SeatsTaken,
            Expr::col(session::Column::SeatsTaken).add(n),
        )
        .filter(session::Column::Id.eq(session_id.uuid()))
        .filter(
            Expr::col(session::Column::SeatsTaken)
                .add(n)
                .lte(Expr::col(session::Column::Capacity)),
        )
        .exec(tx)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Gives `n` seats back.
pub async fn release_seats(tx: &impl ConnectionTrait, session_id: SessionId, n: u32) -> Result<()> {
    let n = n as i32;
    session::Entity::update_many()
        .col_expr(
            session::Column::SeatsTaken,
            Expr::col(session::Column::SeatsTaken).sub(n),
        )
        .filter(session::Column::Id.eq(session_id.uuid()))
        .filter(session::Column::SeatsTaken.gte(n))
        .exec(tx)
        .await?;
    Ok(())
}

/// The offering a session's series teaches, if any.
pub async fn offering_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
) -> Result<Option<offering::Model>> {
    if let Some(offering_id) = s.offering_id {
        return crate::repo::find::<offering::Entity>(conn, school, offering_id).await;
    }
    let Some(series_id) = s.series_id else {
        return Ok(None);
    };
    let Some(series) = crate::repo::find::<class_series::Entity>(conn, school, series_id).await?
    else {
        return Ok(None);
    };
    crate::repo::find::<offering::Entity>(conn, school, series.offering_id).await
}

/// The student's active booking in a session.
pub async fn active_booking_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    session_id: SessionId,
    student: StudentId,
) -> Result<Option<booking_row::Model>> {
    Ok(booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::SessionId.eq(session_id.uuid()))
        .filter(booking_row::Column::StudentId.eq(student.uuid()))
        .filter(booking_row::Column::Status.is_in(active()))
        .one(conn)
        .await?)
}

/// Locks the student's row and tells whether they already have a lesson
/// overlapping `[start, end)`: an active booking (other than in `except`)
/// or a session of their own 1-on-1 series. Locking serialises one
/// student's bookings, so two racing requests cannot both pass.
pub async fn student_busy(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    student_id: StudentId,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    except: Option<SessionId>,
) -> Result<bool> {
    student::Entity::find()
        .filter(student::Column::SchoolId.eq(school.uuid()))
        .filter(student::Column::Id.eq(student_id.uuid()))
        .lock_exclusive()
        .one(tx)
        .await?;
    let mut bookings = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::StudentId.eq(student_id.uuid()))
        .filter(booking_row::Column::Status.is_in(active()))
        .filter(booking_row::Column::StartsAt.lt(end))
        .filter(booking_row::Column::EndsAt.gt(start));
    if let Some(session) = except {
        bookings = bookings.filter(
            Condition::any()
                .add(booking_row::Column::SessionId.is_null())
                .add(booking_row::Column::SessionId.ne(session.uuid())),
        );
    }
    if bookings.one(tx).await?.is_some() {
        return Ok(true);
    }
    let mut own = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::StudentId.eq(student_id.uuid()))
        .filter(session::Column::Status.is_not_in(CANCELLED))
        .filter(session::Column::StartsAt.lt(end))
        .filter(session::Column::EndsAt.gt(start));
    if let Some(session) = except {
        own = own.filter(session::Column::Id.ne(session.uuid()));
    }
    Ok(own.one(tx).await?.is_some())
}

/// How many active bookings of `kind` the teacher has on the local day
/// (in `zone`) that `at` falls on: what the daily limit counts.
pub async fn same_day(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Option<TeacherId>,
    kind: BookingKind,
    zone: TimeZone,
    at: DateTime<Utc>,
) -> Result<u32> {
    let Some(teacher) = teacher else {
        return Ok(0);
    };
    let (day_start, day_end) = day_bounds(zone, local_day(zone, at));
    let n = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::TeacherId.eq(teacher.uuid()))
        .filter(booking_row::Column::Kind.eq(kind.as_str()))
        .filter(booking_row::Column::Status.is_in(active()))
        .filter(booking_row::Column::StartsAt.gte(day_start))
        .filter(booking_row::Column::StartsAt.lt(day_end))
        .count(conn)
        .await?;
    Ok(n as u32)
}

/// Where a new booking row comes from, beside the core's decision.
#[derive(Debug, Clone)]
pub struct NewRow {
    /// The group session (or hybrid meeting).
    pub session: Option<SessionId>,
    /// The teacher.
    pub teacher: Option<TeacherId>,
    /// The offering (price, policy).
    pub offering: Option<OfferingId>,
    /// The student.
    pub student: StudentId,
    /// Who asked.
    pub by: UserId,
    /// Lesson time.
    pub starts_at: DateTime<Utc>,
    /// Lesson end.
    pub ends_at: DateTime<Utc>,
    /// The zone the policy was evaluated in.
    pub timezone: TimeZone,
    /// The family's note.
    pub note: Option<String>,
    /// The registration it belongs to.
    pub registration: Option<RegistrationId>,
    /// The booking series it belongs to.
    pub series: Option<BookingSeriesId>,
    /// The booking it replaces.
    pub rescheduled_from: Option<BookingId>,
}

/// Writes a booking the core decided on.
pub async fn insert_booking(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    row: NewRow,
    decided: NewBooking,
    now: DateTime<Utc>,
) -> Result<booking_row::Model> {
    let confirmed = decided.status == BookingStatus::Confirmed;
    Ok(booking_row::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        kind: Set(decided.kind.as_str().to_owned()),
        session_id: Set(row.session.map(SessionId::uuid)),
        teacher_id: Set(row.teacher.map(TeacherId::uuid)),
        offering_id: Set(row.offering.map(OfferingId::uuid)),
        student_id: Set(row.student.uuid()),
        booked_by: Set(row.by.uuid()),
        seats: Set(decided.seats as i32),
        status: Set(decided.status.as_str().to_owned()),
        starts_at: Set(row.starts_at),
        ends_at: Set(row.ends_at),
        timezone: Set(row.timezone.name().to_owned()),
        student_note: Set(row.note),
        price_minor: Set(decided.price.map(|p| p.minor)),
        currency: Set(decided.price.map(|p| p.currency.as_str().to_owned())),
        // Confirmed at once means the policy decided, at booking time.
        decided_at: Set(confirmed.then_some(now)),
        decided_by: Set(None),
        cancelled_at: Set(None),
        cancelled_by: Set(None),
        cancel_reason: Set(None),
        registration_id: Set(row.registration.map(RegistrationId::uuid)),
        booking_series_id: Set(row.series.map(BookingSeriesId::uuid)),
        rescheduled_from_id: Set(row.rescheduled_from.map(BookingId::uuid)),
        created_at: Set(now),
        attendance_mark: Set(None),
        attendance_note: Set(None),
    }
    .insert(tx)
    .await?)
}

/// Locks a booking for a change and reads it afresh, after locking the
/// row its seats or time depend on (its session, else its teacher), so a
/// decision is taken on the booking as it is now: two racing cancellations
/// of one booking cannot both see it CONFIRMED and both free its seats.
/// Lock order everywhere: session (or teacher), then booking.
pub async fn lock_booking(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    b: &booking_row::Model,
) -> Result<booking_row::Model> {
    match (b.session_id, b.teacher_id) {
        (Some(s), _) => {
            lock_session(tx, school, SessionId::from_uuid(s)).await?;
        }
        (None, Some(t)) => {
            lock_teacher(tx, school, TeacherId::from_uuid(t)).await?;
        }
        (None, None) => {}
    }
    booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::Id.eq(b.id))
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| {
            corrupt(
                "bookings",
                format!("booking {} vanished under its lock", b.id),
            )
        })
}

/// A booking of the school by id.
pub async fn find_booking(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    id: BookingId,
) -> Result<Option<booking_row::Model>> {
    crate::repo::find::<booking_row::Entity>(conn, school, id.uuid()).await
}

/// The id of a booking row.
pub fn booking_id(b: &booking_row::Model) -> BookingId {
    BookingId::from_uuid(b.id)
}

/// The id of a session row.
pub fn session_id(s: &session::Model) -> SessionId {
    SessionId::from_uuid(s.id)
}
