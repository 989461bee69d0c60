//! The booking service: books seats and 1-on-1 lessons, decides, cancels,
//! runs the waitlist and records attendance, each inside the caller's
//! write transaction.
//!
//! Concurrency: every operation on a session first locks its row (`FOR
//! UPDATE` on PostgreSQL; SQLite's write transactions are already serial),
//! and seats are taken with one conditional `UPDATE … SET seats_taken =
//! seats_taken + n WHERE seats_taken + n <= capacity`, so confirmed seats
//! never exceed capacity whatever the interleaving. 1-on-1 bookings lock
//! the teacher's row the same way, so two parents cannot take one slot.
//!
//! `sessions.seats_taken` counts seats held by PENDING and CONFIRMED
//! bookings and by open waitlist offers: a freed seat goes to the waitlist
//! before anyone else can take it.

use std::collections::BTreeMap;

use booking::policy::{PolicyInput, day_bounds, local_day};
use booking::waitlist::{self, Entry, EntryStatus};
use booking::{BookingKind, BookingPolicy, BookingStatus, PolicyViolation, SessionFull};
use chrono::{DateTime, Datelike, Duration, Utc};
use kernel::{FieldError, SchoolId, StudentId, TeacherId, TimeZone, UserErrorCode, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::{
    attendance, booking as booking_row, booking_policy, class_series, offering, school, session,
    teacher, teacher_availability, waitlist_entry,
};
use crate::{Result, new_id};

/// Stored name of a booking kind.
pub fn kind_str(kind: BookingKind) -> &'static str {
    match kind {
        BookingKind::GroupSession => "GROUP_SESSION",
        BookingKind::OneOnOne => "ONE_ON_ONE",
    }
}

/// An expected refusal, for a `userError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// An id names nothing in the school.
    #[error("no {what} with this id exists in your school")]
    NotFound {
        /// The input field.
        field: &'static str,
        /// What was looked for.
        what: &'static str,
    },
    /// A policy rule.
    #[error("{0}")]
    Policy(PolicyViolation),
    /// Not enough seats.
    #[error("{0}")]
    Full(SessionFull),
    /// The student already has a place (or a waitlist entry).
    #[error("{0}")]
    AlreadyBooked(&'static str),
    /// The session cannot be booked (cancelled or started).
    #[error("{0}")]
    NotBookable(&'static str),
    /// The teacher is busy then.
    #[error(
        "the teacher is not free at that time (another lesson or its buffer overlaps); pick a slot from availableSlots"
    )]
    SlotTaken,
    /// Outside the teacher's availability.
    #[error("the teacher does not teach at that time; pick a slot from availableSlots")]
    OutsideAvailability,
    /// An illegal status change.
    #[error("{0}")]
    Transition(#[from] booking::TransitionError),
    /// The waitlist offer is gone.
    #[error("this waitlist offer has expired or was already answered")]
    OfferClosed,
    /// Hybrid 1-on-1 slots are for the series' enrolled students.
    #[error(
        "the student is not enrolled in this series; register them for the full schedule first"
    )]
    NotEnrolled,
}

impl From<BookError> for FieldError {
    fn from(e: BookError) -> Self {
        let (field, code) = match &e {
            BookError::NotFound { field, .. } => (*field, UserErrorCode::NotFound),
            BookError::Policy(v) => (
                match v {
                    PolicyViolation::CancelWindowPassed { .. } => "bookingId",
                    _ => "startsAt",
                },
                v.code(),
            ),
            BookError::Full(_) => ("seats", UserErrorCode::SessionFull),
            BookError::AlreadyBooked(_) => ("studentId", UserErrorCode::AlreadyBooked),
            BookError::NotBookable(_) => ("sessionId", UserErrorCode::InvalidState),
            BookError::SlotTaken => ("startsAt", UserErrorCode::SlotTaken),
            BookError::OutsideAvailability => ("startsAt", UserErrorCode::SlotTaken),
            BookError::Transition(_) => ("bookingId", UserErrorCode::InvalidState),
            BookError::OfferClosed => ("entryId", UserErrorCode::InvalidState),
            BookError::NotEnrolled => ("studentId", UserErrorCode::InvalidState),
        };
        FieldError {
            field,
            code,
            message: e.to_string(),
        }
    }
}

/// An expected refusal or a result.
pub type Outcome<T> = std::result::Result<T, BookError>;

fn policy_of(row: &booking_policy::Model) -> BookingPolicy {
    BookingPolicy {
        requires_approval_one_on_one: row.requires_approval_one_on_one,
        requires_approval_group: row.requires_approval_group,
        min_notice: Duration::hours(i64::from(row.min_notice_hours)),
        cancel_window: Duration::hours(i64::from(row.cancel_window_hours)),
        buffer_before: Duration::minutes(i64::from(row.buffer_before_minutes)),
        buffer_after: Duration::minutes(i64::from(row.buffer_after_minutes)),
        max_bookings_per_day: row.max_bookings_per_day.map(|n| n as u32),
        horizon: row.horizon_days.map(|d| Duration::days(i64::from(d))),
        waitlist_offer: Duration::minutes(i64::from(row.waitlist_offer_minutes)),
    }
}

/// The policy that applies to a teacher (and offering).
pub async fn policy_for(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Option<Uuid>,
    offering: Option<Uuid>,
) -> Result<BookingPolicy> {
    let Some(teacher) = teacher else {
        return Ok(BookingPolicy::default());
    };
    let rows = booking_policy::Entity::find()
        .filter(booking_policy::Column::SchoolId.eq(school.uuid()))
        .filter(booking_policy::Column::TeacherId.eq(teacher))
        .all(conn)
        .await?;
    let general = rows.iter().find(|r| r.offering_id.is_none()).map(policy_of);
    let specific = offering
        .and_then(|o| rows.iter().find(|r| r.offering_id == Some(o)))
        .map(policy_of);
    Ok(BookingPolicy::resolve(general, specific))
}

/// Saves a teacher's (or teacher-and-offering's) policy, replacing the old.
pub async fn set_policy(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    teacher: TeacherId,
    offering: Option<Uuid>,
    input: PolicyInput,
    now: DateTime<Utc>,
) -> Result<booking_policy::Model> {
    let mut existing = booking_policy::Entity::find()
        .filter(booking_policy::Column::SchoolId.eq(school.uuid()))
        .filter(booking_policy::Column::TeacherId.eq(teacher.uuid()));
    existing = match offering {
        Some(o) => existing.filter(booking_policy::Column::OfferingId.eq(o)),
        None => existing.filter(booking_policy::Column::OfferingId.is_null()),
    };
    let found = existing.one(tx).await?;
    let mut row = booking_policy::ActiveModel {
        id: Set(found.as_ref().map_or_else(new_id, |f| f.id)),
        school_id: Set(school.uuid()),
        teacher_id: Set(teacher.uuid()),
        offering_id: Set(offering),
        requires_approval_one_on_one: Set(input.requires_approval_one_on_one),
        requires_approval_group: Set(input.requires_approval_group),
        min_notice_hours: Set(input.min_notice_hours as i32),
        cancel_window_hours: Set(input.cancel_window_hours as i32),
        buffer_before_minutes: Set(input.buffer_before_minutes as i32),
        buffer_after_minutes: Set(input.buffer_after_minutes as i32),
        max_bookings_per_day: Set(input.max_bookings_per_day.map(|n| n as i32)),
        horizon_days: Set(input.horizon_days.map(|n| n as i32)),
        waitlist_offer_minutes: Set(input.waitlist_offer_minutes.unwrap_or(24 * 60) as i32),
        updated_at: Set(now),
    };
    Ok(if found.is_some() {
        row.id = sea_orm::ActiveValue::Unchanged(row.id.clone().unwrap());
        row.update(tx).await?
    } else {
        row.insert(tx).await?
    })
}

async fn lock_session(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
) -> Result<Option<session::Model>> {
    Ok(session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::Id.eq(id))
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// Takes `n` seats if they fit; false when they do not.
async fn take_seats(tx: &impl ConnectionTrait, session_id: Uuid, n: i32) -> Result<bool> {
    use sea_orm::sea_query::ExprTrait;
    let done = session::Entity::update_many()
        .col_expr(
            session::Column::SeatsTaken,
            Expr::col(session::Column::SeatsTaken).add(n),
        )
        .filter(session::Column::Id.eq(session_id))
        .filter(
            Expr::col(session::Column::SeatsTaken)
                .add(n)
                .lte(Expr::col(session::Column::Capacity)),
        )
        .exec(tx)
        .await?;
    Ok(done.rows_affected == 1)
}

async fn release_seats(tx: &impl ConnectionTrait, session_id: Uuid, n: i32) -> Result<()> {
    use sea_orm::sea_query::ExprTrait;
    session::Entity::update_many()
        .col_expr(
            session::Column::SeatsTaken,
            Expr::col(session::Column::SeatsTaken).sub(n),
        )
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::SeatsTaken.gte(n))
        .exec(tx)
        .await?;
    Ok(())
}

async fn offering_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
) -> Result<Option<offering::Model>> {
    let Some(series_id) = s.series_id else {
        return Ok(None);
    };
    let Some(series) = crate::repo::find::<class_series::Entity>(conn, school, series_id).await?
    else {
        return Ok(None);
    };
    crate::repo::find::<offering::Entity>(conn, school, series.offering_id).await
}

async fn currency_of(conn: &impl ConnectionTrait, school: SchoolId) -> Result<Option<String>> {
    Ok(school::Entity::find_by_id(school.uuid())
        .one(conn)
        .await?
        .map(|s| s.currency))
}

const ACTIVE: [&str; 2] = ["PENDING", "CONFIRMED"];

async fn active_booking_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    session_id: Uuid,
    student: StudentId,
) -> Result<Option<booking_row::Model>> {
    Ok(booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::SessionId.eq(session_id))
        .filter(booking_row::Column::StudentId.eq(student.uuid()))
        .filter(booking_row::Column::Status.is_in(ACTIVE))
        .one(conn)
        .await?)
}

/// Locks the student's row and tells whether they already have a lesson
/// overlapping `[start, end)`: an active booking (other than in `except`)
/// or a session of their own 1-on-1 series. Locking serialises one
/// student's bookings, so two racing requests cannot both pass.
async fn student_busy(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    student: StudentId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: Option<Uuid>,
) -> Result<bool> {
    crate::entity::student::Entity::find()
        .filter(crate::entity::student::Column::SchoolId.eq(school.uuid()))
        .filter(crate::entity::student::Column::Id.eq(student.uuid()))
        .lock_exclusive()
        .one(tx)
        .await?;
    let mut bookings = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::StudentId.eq(student.uuid()))
        .filter(booking_row::Column::Status.is_in(ACTIVE))
        .filter(booking_row::Column::StartsAt.lt(end))
        .filter(booking_row::Column::EndsAt.gt(start));
    if let Some(session) = except {
        bookings = bookings.filter(
            sea_orm::Condition::any()
                .add(booking_row::Column::SessionId.is_null())
                .add(booking_row::Column::SessionId.ne(session)),
        );
    }
    if bookings.one(tx).await?.is_some() {
        return Ok(true);
    }
    let mut own = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::StudentId.eq(student.uuid()))
        .filter(session::Column::Status.is_not_in(["CANCELLED", "CANCELLED_BY_TEACHER"]))
        .filter(session::Column::StartsAt.lt(end))
        .filter(session::Column::EndsAt.gt(start));
    if let Some(session) = except {
        own = own.filter(session::Column::Id.ne(session));
    }
    Ok(own.one(tx).await?.is_some())
}

/// What a group booking request ended as.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // Built once per request, never stored.
pub enum GroupOutcome {
    /// A booking holds the seats.
    Booked(booking_row::Model),
    /// The session was full; the student is on its waitlist.
    Waitlisted(waitlist_entry::Model),
}

/// A request for seats in a group session.
#[derive(Debug, Clone)]
pub struct SeatRequest {
    /// The session.
    pub session: Uuid,
    /// Who the seats are for.
    pub student: StudentId,
    /// Who asks (a parent may book for a child).
    pub by: UserId,
    /// Seats (guests included), at least 1.
    pub seats: u32,
    /// A note from the family.
    pub note: Option<String>,
    /// Join the waitlist when full instead of failing.
    pub join_waitlist: bool,
    /// The registration this booking belongs to.
    pub registration: Option<Uuid>,
}

/// Books seats in a group session.
pub async fn book_session(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    request: SeatRequest,
    now: DateTime<Utc>,
) -> Result<Outcome<GroupOutcome>> {
    let Some(s) = lock_session(tx, school, request.session).await? else {
        return Ok(Err(BookError::NotFound {
            field: "sessionId",
            what: "session",
        }));
    };
    if s.status == "CANCELLED" || s.status == "CANCELLED_BY_TEACHER" {
        return Ok(Err(BookError::NotBookable(
            "this session is cancelled; choose another one",
        )));
    }
    if s.student_id.is_some() {
        return Ok(Err(BookError::NotBookable(
            "this session belongs to a student's 1-on-1 series; book a group session or a 1-on-1 slot",
        )));
    }
    let offering = offering_of(tx, school, &s).await?;
    let policy = policy_for(tx, school, s.teacher_id, offering.as_ref().map(|o| o.id)).await?;
    if let Err(v) = policy.check_new(now, s.starts_at, 0) {
        return Ok(Err(BookError::Policy(v)));
    }
    if active_booking_of(tx, school, s.id, request.student)
        .await?
        .is_some()
    {
        return Ok(Err(BookError::AlreadyBooked(
            "the student already has a place in this session",
        )));
    }
    let busy = student_busy(
        tx,
        school,
        request.student,
        s.starts_at,
        s.ends_at,
        Some(s.id),
    )
    .await?;
    expire_offers(tx, school, &s, now).await?;
    let seats = request.seats.max(1) as i32;
    // The row is locked, so what it says now is what the UPDATE will see.
    let fits = crate::repo::find::<session::Entity>(tx, school, s.id)
        .await?
        .is_some_and(|fresh| fresh.capacity - fresh.seats_taken >= seats);
    // A student busy elsewhere may still wait for a seat (an offer skips
    // them while they are busy), but never take one.
    if fits && busy {
        return Ok(Err(BookError::AlreadyBooked(
            "the student already has a lesson at that time",
        )));
    }
    if !fits || !take_seats(tx, s.id, seats).await? {
        if request.join_waitlist {
            return Ok(join_locked(tx, school, &s, request.student, now)
                .await?
                .map(GroupOutcome::Waitlisted));
        }
        let fresh = crate::repo::find::<session::Entity>(tx, school, s.id)
            .await?
            .unwrap_or(s);
        return Ok(Err(BookError::Full(SessionFull {
            left: (fresh.capacity - fresh.seats_taken).max(0) as u32,
            requested: seats as u32,
        })));
    }
    let status = policy.initial_status(BookingKind::GroupSession);
    let row = insert_booking(
        tx,
        school,
        NewBooking {
            kind: BookingKind::GroupSession,
            session: Some(s.id),
            teacher: s.teacher_id,
            offering: offering.as_ref().map(|o| o.id),
            student: request.student,
            by: request.by,
            seats,
            status,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            timezone: s.timezone.clone(),
            note: request.note,
            price_minor: offering
                .as_ref()
                .and_then(|o| o.price_minor)
                .map(|p| p * i64::from(seats)),
            registration: request.registration,
            series: None,
        },
        now,
    )
    .await?;
    Ok(Ok(GroupOutcome::Booked(row)))
}

struct NewBooking {
    kind: BookingKind,
    session: Option<Uuid>,
    teacher: Option<Uuid>,
    offering: Option<Uuid>,
    student: StudentId,
    by: UserId,
    seats: i32,
    status: BookingStatus,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    timezone: String,
    note: Option<String>,
    price_minor: Option<i64>,
    registration: Option<Uuid>,
    series: Option<Uuid>,
}

async fn insert_booking(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    b: NewBooking,
    now: DateTime<Utc>,
) -> Result<booking_row::Model> {
    let currency = if b.price_minor.is_some() {
        currency_of(tx, school).await?
    } else {
        None
    };
    let decided = b.status == BookingStatus::Confirmed;
    Ok(booking_row::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        kind: Set(kind_str(b.kind).to_owned()),
        session_id: Set(b.session),
        teacher_id: Set(b.teacher),
        offering_id: Set(b.offering),
        student_id: Set(b.student.uuid()),
        booked_by: Set(b.by.uuid()),
        seats: Set(b.seats),
        status: Set(b.status.as_str().to_owned()),
        starts_at: Set(b.starts_at),
        ends_at: Set(b.ends_at),
        timezone: Set(b.timezone),
        student_note: Set(b.note),
        price_minor: Set(b.price_minor),
        currency: Set(currency),
        // Confirmed at once means the policy decided, at booking time.
        decided_at: Set(decided.then_some(now)),
        decided_by: Set(None),
        cancelled_at: Set(None),
        cancelled_by: Set(None),
        cancel_reason: Set(None),
        registration_id: Set(b.registration),
        booking_series_id: Set(b.series),
        created_at: Set(now),
    }
    .insert(tx)
    .await?)
}

/// Puts a student on a session's waitlist.
pub async fn join_waitlist(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session_id: Uuid,
    student: StudentId,
    now: DateTime<Utc>,
) -> Result<Outcome<waitlist_entry::Model>> {
    let Some(s) = lock_session(tx, school, session_id).await? else {
        return Ok(Err(BookError::NotFound {
            field: "sessionId",
            what: "session",
        }));
    };
    if active_booking_of(tx, school, s.id, student)
        .await?
        .is_some()
    {
        return Ok(Err(BookError::AlreadyBooked(
            "the student already has a place in this session",
        )));
    }
    join_locked(tx, school, &s, student, now).await
}

async fn join_locked(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
    student: StudentId,
    now: DateTime<Utc>,
) -> Result<Outcome<waitlist_entry::Model>> {
    let entries = entries_of(tx, school, s.id).await?;
    if entries.iter().any(|e| e.student_id == student.uuid()) {
        return Ok(Err(BookError::AlreadyBooked(
            "the student is already on this session's waitlist",
        )));
    }
    let position = entries.iter().map(|e| e.position).max().unwrap_or(0) + 1;
    Ok(Ok(waitlist_entry::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        session_id: Set(s.id),
        student_id: Set(student.uuid()),
        position: Set(position),
        status: Set(EntryStatus::Waiting.as_str().to_owned()),
        offer_expires_at: Set(None),
        booking_id: Set(None),
        created_at: Set(now),
    }
    .insert(tx)
    .await?))
}

async fn entries_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    session_id: Uuid,
) -> Result<Vec<waitlist_entry::Model>> {
    Ok(waitlist_entry::Entity::find()
        .filter(waitlist_entry::Column::SchoolId.eq(school.uuid()))
        .filter(waitlist_entry::Column::SessionId.eq(session_id))
        .order_by_asc(waitlist_entry::Column::Position)
        .all(conn)
        .await?)
}

fn domain_entry(e: &waitlist_entry::Model) -> Entry<Uuid> {
    Entry {
        id: e.id,
        position: e.position as u32,
        status: EntryStatus::parse(&e.status).unwrap_or(EntryStatus::Withdrawn),
        offer_expires_at: e.offer_expires_at,
    }
}

/// Expires the session's lapsed offers, releasing their seats, then offers
/// every free seat to the next in line. Call with the session row locked.
pub async fn expire_offers(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    let entries = entries_of(tx, school, s.id).await?;
    let domain: Vec<_> = entries.iter().map(domain_entry).collect();
    let lapsed = waitlist::expired(&domain, now);
    if lapsed.is_empty() {
        return Ok(());
    }
    waitlist_entry::Entity::update_many()
        .col_expr(
            waitlist_entry::Column::Status,
            Expr::value(EntryStatus::Expired.as_str()),
        )
        .filter(waitlist_entry::Column::Id.is_in(lapsed.clone()))
        .exec(tx)
        .await?;
    release_seats(tx, s.id, lapsed.len() as i32).await?;
    offer_free_seats(tx, school, s.id, now).await
}

/// Offers free seats to the waitlist, first in line first. Call with the
/// session row locked.
pub async fn offer_free_seats(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(s) = crate::repo::find::<session::Entity>(tx, school, session_id).await? else {
        return Ok(());
    };
    let free = (s.capacity - s.seats_taken).max(0) as u32;
    if free == 0 {
        return Ok(());
    }
    let entries = entries_of(tx, school, s.id).await?;
    let domain: Vec<_> = entries.iter().map(domain_entry).collect();
    // No offer to a student already booked into an overlapping session.
    let waiting: Vec<Uuid> = entries
        .iter()
        .filter(|e| e.status == EntryStatus::Waiting.as_str())
        .map(|e| e.student_id)
        .collect();
    let busy_students: Vec<Uuid> = if waiting.is_empty() {
        Vec::new()
    } else {
        booking_row::Entity::find()
            .select_only()
            .column(booking_row::Column::StudentId)
            .filter(booking_row::Column::SchoolId.eq(school.uuid()))
            .filter(booking_row::Column::StudentId.is_in(waiting))
            .filter(booking_row::Column::Status.is_in(ACTIVE))
            .filter(booking_row::Column::StartsAt.lt(s.ends_at))
            .filter(booking_row::Column::EndsAt.gt(s.starts_at))
            .into_tuple()
            .all(tx)
            .await?
    };
    let student_of: BTreeMap<Uuid, Uuid> = entries.iter().map(|e| (e.id, e.student_id)).collect();
    let chosen = waitlist::next_offers(&domain, free, |e| {
        student_of
            .get(&e.id)
            .is_none_or(|st| !busy_students.contains(st))
    });
    if chosen.is_empty() {
        return Ok(());
    }
    let offering = offering_of(tx, school, &s).await?;
    let policy = policy_for(tx, school, s.teacher_id, offering.map(|o| o.id)).await?;
    for id in &chosen {
        if !take_seats(tx, s.id, 1).await? {
            break;
        }
        waitlist_entry::Entity::update_many()
            .col_expr(
                waitlist_entry::Column::Status,
                Expr::value(EntryStatus::Offered.as_str()),
            )
            .col_expr(
                waitlist_entry::Column::OfferExpiresAt,
                Expr::value(now + policy.waitlist_offer),
            )
            .filter(waitlist_entry::Column::Id.eq(*id))
            .exec(tx)
            .await?;
    }
    Ok(())
}

/// Accepts a waitlist offer: a confirmed booking on the seat the offer held.
pub async fn accept_offer(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    entry_id: Uuid,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<booking_row::Model>> {
    let Some(entry) = crate::repo::find::<waitlist_entry::Entity>(tx, school, entry_id).await?
    else {
        return Ok(Err(BookError::NotFound {
            field: "entryId",
            what: "waitlist entry",
        }));
    };
    let Some(s) = lock_session(tx, school, entry.session_id).await? else {
        return Ok(Err(BookError::OfferClosed));
    };
    expire_offers(tx, school, &s, now).await?;
    let Some(entry) = crate::repo::find::<waitlist_entry::Entity>(tx, school, entry_id).await?
    else {
        return Ok(Err(BookError::OfferClosed));
    };
    if !waitlist::offer_open(&domain_entry(&entry), now) {
        return Ok(Err(BookError::OfferClosed));
    }
    let student = StudentId::from_uuid(entry.student_id);
    if student_busy(tx, school, student, s.starts_at, s.ends_at, Some(s.id)).await? {
        return Ok(Err(BookError::AlreadyBooked(
            "the student has booked another lesson at that time since the offer; cancel it first",
        )));
    }
    let offering = offering_of(tx, school, &s).await?;
    let row = insert_booking(
        tx,
        school,
        NewBooking {
            kind: BookingKind::GroupSession,
            session: Some(s.id),
            teacher: s.teacher_id,
            offering: offering.as_ref().map(|o| o.id),
            student: StudentId::from_uuid(entry.student_id),
            by,
            seats: 1,
            status: BookingStatus::Confirmed,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            timezone: s.timezone.clone(),
            note: None,
            price_minor: offering.and_then(|o| o.price_minor),
            registration: None,
            series: None,
        },
        now,
    )
    .await?;
    waitlist_entry::Entity::update_many()
        .col_expr(
            waitlist_entry::Column::Status,
            Expr::value(EntryStatus::Accepted.as_str()),
        )
        .col_expr(waitlist_entry::Column::BookingId, Expr::value(row.id))
        .filter(waitlist_entry::Column::Id.eq(entry.id))
        .exec(tx)
        .await?;
    Ok(Ok(row))
}

/// Who is changing a booking, for the checks that depend on it.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    /// The user.
    pub by: UserId,
    /// Staff may cancel inside the cancellation window.
    pub override_window: bool,
}

/// Approves or declines a pending booking; a decline keeps its reason.
pub async fn decide(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    booking: &booking_row::Model,
    approve: bool,
    reason: Option<String>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<booking_row::Model>> {
    if let Some(sid) = booking.session_id {
        lock_session(tx, school, sid).await?;
    }
    let from = status_of(booking);
    let to = if approve {
        BookingStatus::Confirmed
    } else {
        BookingStatus::Declined
    };
    if let Err(e) = from.transition(to) {
        return Ok(Err(e.into()));
    }
    let mut row: booking_row::ActiveModel = booking.clone().into();
    row.status = Set(to.as_str().to_owned());
    row.decided_at = Set(Some(now));
    row.decided_by = Set(Some(by.uuid()));
    if !approve && reason.is_some() {
        row.cancel_reason = Set(reason);
    }
    let row = row.update(tx).await?;
    if !approve
        && booking.kind == kind_str(BookingKind::GroupSession)
        && let Some(sid) = booking.session_id
    {
        release_seats(tx, sid, booking.seats).await?;
        offer_free_seats(tx, school, sid, now).await?;
    }
    Ok(Ok(row))
}

/// The stored status of a booking.
pub fn status_of(b: &booking_row::Model) -> BookingStatus {
    BookingStatus::parse(&b.status).unwrap_or(BookingStatus::Cancelled)
}

/// Cancels a booking, or it and every later booking of its series or
/// registration. Freed seats go to the waitlist.
pub async fn cancel(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    booking: &booking_row::Model,
    following: bool,
    reason: Option<String>,
    change: Change,
    now: DateTime<Utc>,
) -> Result<Outcome<Vec<booking_row::Model>>> {
    if let Err(e) = status_of(booking).transition(BookingStatus::Cancelled) {
        return Ok(Err(e.into()));
    }
    let policy = policy_for(tx, school, booking.teacher_id, booking.offering_id).await?;
    if !change.override_window
        && let Err(v) = policy.check_cancel(now, booking.starts_at)
    {
        return Ok(Err(BookError::Policy(v)));
    }
    let mut targets = vec![booking.clone()];
    if following && (booking.booking_series_id.is_some() || booking.registration_id.is_some()) {
        let mut later = booking_row::Entity::find()
            .filter(booking_row::Column::SchoolId.eq(school.uuid()))
            .filter(booking_row::Column::Id.ne(booking.id))
            .filter(booking_row::Column::StartsAt.gt(booking.starts_at))
            .filter(booking_row::Column::Status.is_in(ACTIVE));
        later = match (booking.booking_series_id, booking.registration_id) {
            (Some(series), _) => later.filter(booking_row::Column::BookingSeriesId.eq(series)),
            (None, Some(reg)) => later.filter(booking_row::Column::RegistrationId.eq(reg)),
            (None, None) => unreachable!("checked above"),
        };
        // In start order, so concurrent cancellations lock sessions in the
        // same order and cannot deadlock each other.
        targets.extend(
            later
                .order_by_asc(booking_row::Column::StartsAt)
                .all(tx)
                .await?,
        );
    }
    let mut done = Vec::new();
    for b in targets {
        if let Some(sid) = b.session_id {
            lock_session(tx, school, sid).await?;
        }
        let mut row: booking_row::ActiveModel = b.clone().into();
        row.status = Set(BookingStatus::Cancelled.as_str().to_owned());
        row.cancelled_at = Set(Some(now));
        row.cancelled_by = Set(Some(change.by.uuid()));
        row.cancel_reason = Set(reason.clone());
        done.push(row.update(tx).await?);
        if b.kind == kind_str(BookingKind::GroupSession)
            && let Some(sid) = b.session_id
        {
            release_seats(tx, sid, b.seats).await?;
            offer_free_seats(tx, school, sid, now).await?;
        }
    }
    Ok(Ok(done))
}

/// An attendance mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendanceStatus {
    /// On time.
    Present,
    /// Came late.
    Late,
    /// Did not come.
    Absent,
    /// Did not come, with a reason the school accepts.
    Excused,
}

impl AttendanceStatus {
    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Present => "PRESENT",
            Self::Late => "LATE",
            Self::Absent => "ABSENT",
            Self::Excused => "EXCUSED",
        }
    }

    /// The booking status the mark implies.
    pub fn booking_status(self) -> BookingStatus {
        match self {
            Self::Present | Self::Late => BookingStatus::Attended,
            Self::Absent | Self::Excused => BookingStatus::NoShow,
        }
    }
}

/// Records attendance for students on a session's roster and marks their
/// bookings ATTENDED or NO_SHOW. A student not on the roster is refused.
pub async fn record_attendance(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session_id: Uuid,
    marks: &[(StudentId, AttendanceStatus, Option<String>)],
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<Vec<attendance::Model>>> {
    let roster = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::SessionId.eq(session_id))
        .filter(booking_row::Column::Status.is_in(["CONFIRMED", "ATTENDED", "NO_SHOW"]))
        .all(tx)
        .await?;
    // The student of a 1-on-1 series is on its roster without a booking.
    let series_student = crate::repo::find::<session::Entity>(tx, school, session_id)
        .await?
        .and_then(|s| s.student_id);
    let mut out = Vec::new();
    for (student, mark, note) in marks {
        let booking = roster.iter().find(|b| b.student_id == student.uuid());
        if booking.is_none() && series_student != Some(student.uuid()) {
            return Ok(Err(BookError::NotFound {
                field: "entries",
                what: "confirmed booking of this student on the session",
            }));
        }
        let to = mark.booking_status();
        if let Some(b) = booking
            && status_of(b) != to
        {
            let from = status_of(b);
            if let Err(e) = from.transition(to) {
                return Ok(Err(e.into()));
            }
            booking_row::Entity::update_many()
                .col_expr(booking_row::Column::Status, Expr::value(to.as_str()))
                .filter(booking_row::Column::Id.eq(b.id))
                .exec(tx)
                .await?;
        }
        attendance::Entity::delete_many()
            .filter(attendance::Column::SchoolId.eq(school.uuid()))
            .filter(attendance::Column::SessionId.eq(session_id))
            .filter(attendance::Column::StudentId.eq(student.uuid()))
            .exec(tx)
            .await?;
        out.push(
            attendance::ActiveModel {
                id: Set(new_id()),
                school_id: Set(school.uuid()),
                session_id: Set(session_id),
                student_id: Set(student.uuid()),
                status: Set(mark.as_str().to_owned()),
                note: Set(note.clone()),
                recorded_by: Set(by.uuid()),
                recorded_at: Set(now),
            }
            .insert(tx)
            .await?,
        );
    }
    Ok(Ok(out))
}

/// A 1-on-1 lesson request.
#[derive(Debug, Clone)]
pub struct LessonRequest {
    /// The teacher.
    pub teacher: Uuid,
    /// The student.
    pub student: StudentId,
    /// What is taught (for price and the offering-specific policy).
    pub offering: Option<Uuid>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// Length.
    pub duration: Duration,
    /// A note from the family.
    pub note: Option<String>,
    /// Who asks.
    pub by: UserId,
    /// The booking series it belongs to.
    pub series: Option<Uuid>,
}

/// Books a 1-on-1 lesson after re-checking availability, busy time with
/// buffers, notice, horizon and the daily limit, with the teacher locked.
pub async fn book_one_on_one(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    zone: TimeZone,
    request: LessonRequest,
    now: DateTime<Utc>,
) -> Result<Outcome<booking_row::Model>> {
    let Some(_teacher) = teacher::Entity::find()
        .filter(teacher::Column::SchoolId.eq(school.uuid()))
        .filter(teacher::Column::Id.eq(request.teacher))
        .lock_exclusive()
        .one(tx)
        .await?
    else {
        return Ok(Err(BookError::NotFound {
            field: "teacherId",
            what: "teacher",
        }));
    };
    let offering = match request.offering {
        Some(id) => match crate::repo::find::<offering::Entity>(tx, school, id).await? {
            Some(o) => Some(o),
            None => {
                return Ok(Err(BookError::NotFound {
                    field: "offeringId",
                    what: "offering",
                }));
            }
        },
        None => None,
    };
    let policy = policy_for(tx, school, Some(request.teacher), request.offering).await?;
    let start = request.starts_at;
    let end = start + request.duration;
    let day = local_day(zone, start);
    let (day_start, day_end) = day_bounds(zone, day);
    let same_day = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::TeacherId.eq(request.teacher))
        .filter(booking_row::Column::Kind.eq(kind_str(BookingKind::OneOnOne)))
        .filter(booking_row::Column::Status.is_in(ACTIVE))
        .filter(booking_row::Column::StartsAt.gte(day_start))
        .filter(booking_row::Column::StartsAt.lt(day_end))
        .all(tx)
        .await?
        .len() as u32;
    if let Err(v) = policy.check_new(now, start, same_day) {
        return Ok(Err(BookError::Policy(v)));
    }
    let windows = teacher_availability::Entity::find()
        .filter(teacher_availability::Column::SchoolId.eq(school.uuid()))
        .filter(teacher_availability::Column::TeacherId.eq(request.teacher))
        .all(tx)
        .await?;
    let inside = windows.iter().any(|w| {
        i64::from(w.weekday) == i64::from(day.weekday().number_from_monday())
            && kernel::resolve_local(day, w.start_time, zone) <= start
            && end <= kernel::resolve_local(day, w.end_time, zone)
    });
    if !inside {
        return Ok(Err(BookError::OutsideAvailability));
    }
    let busy = busy_of(
        tx,
        school,
        request.teacher,
        start - policy.buffer_before,
        end + policy.buffer_after,
    )
    .await?;
    if !busy.is_empty() {
        return Ok(Err(BookError::SlotTaken));
    }
    if student_busy(tx, school, request.student, start, end, None).await? {
        return Ok(Err(BookError::AlreadyBooked(
            "the student already has a lesson at that time",
        )));
    }
    let status = policy.initial_status(BookingKind::OneOnOne);
    Ok(Ok(insert_booking(
        tx,
        school,
        NewBooking {
            kind: BookingKind::OneOnOne,
            session: None,
            teacher: Some(request.teacher),
            offering: request.offering,
            student: request.student,
            by: request.by,
            seats: 1,
            status,
            starts_at: start,
            ends_at: end,
            timezone: zone.name().to_owned(),
            note: request.note,
            price_minor: offering.and_then(|o| o.price_minor),
            registration: None,
            series: request.series,
        },
        now,
    )
    .await?))
}

/// The teacher's sessions, active 1-on-1 bookings and time off
/// overlapping `[from, to)`.
pub async fn busy_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let sessions = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::TeacherId.eq(teacher))
        .filter(session::Column::Status.is_not_in(["CANCELLED", "CANCELLED_BY_TEACHER"]))
        .filter(session::Column::StartsAt.lt(to))
        .filter(session::Column::EndsAt.gt(from))
        .all(conn)
        .await?;
    let bookings = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::TeacherId.eq(teacher))
        .filter(booking_row::Column::Kind.eq(kind_str(BookingKind::OneOnOne)))
        .filter(booking_row::Column::Status.is_in(ACTIVE))
        .filter(booking_row::Column::StartsAt.lt(to))
        .filter(booking_row::Column::EndsAt.gt(from))
        .all(conn)
        .await?;
    let time_off = crate::entity::teacher_time_off::Entity::find()
        .filter(crate::entity::teacher_time_off::Column::SchoolId.eq(school.uuid()))
        .filter(crate::entity::teacher_time_off::Column::TeacherId.eq(teacher))
        .filter(crate::entity::teacher_time_off::Column::StartsAt.lt(to))
        .filter(crate::entity::teacher_time_off::Column::EndsAt.gt(from))
        .all(conn)
        .await?;
    Ok(sessions
        .iter()
        .map(|s| (s.starts_at, s.ends_at))
        .chain(bookings.iter().map(|b| (b.starts_at, b.ends_at)))
        .chain(time_off.iter().map(|t| (t.starts_at, t.ends_at)))
        .collect())
}

/// Free 1-on-1 slots of a teacher in `[from, to)`.
#[allow(clippy::too_many_arguments)]
pub async fn available_slots(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    zone: TimeZone,
    teacher: Uuid,
    offering: Option<Uuid>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    duration: Duration,
    grid: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let policy = policy_for(conn, school, Some(teacher), offering).await?;
    let windows = teacher_availability::Entity::find()
        .filter(teacher_availability::Column::SchoolId.eq(school.uuid()))
        .filter(teacher_availability::Column::TeacherId.eq(teacher))
        .all(conn)
        .await?
        .into_iter()
        .map(|w| booking::slots::Window {
            weekday: w.weekday as u32,
            start: w.start_time,
            end: w.end_time,
        })
        .collect();
    let margin = policy.buffer_before + policy.buffer_after + Duration::days(1);
    let busy = busy_of(conn, school, teacher, from - margin, to + margin).await?;
    let mut per_day: BTreeMap<chrono::NaiveDate, u32> = BTreeMap::new();
    let bookings = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::TeacherId.eq(teacher))
        .filter(booking_row::Column::Kind.eq(kind_str(BookingKind::OneOnOne)))
        .filter(booking_row::Column::Status.is_in(ACTIVE))
        .filter(booking_row::Column::StartsAt.gte(from - Duration::days(1)))
        .filter(booking_row::Column::StartsAt.lt(to + Duration::days(1)))
        .all(conn)
        .await?;
    for b in &bookings {
        *per_day.entry(local_day(zone, b.starts_at)).or_default() += 1;
    }
    Ok(booking::free_slots(&booking::SlotQuery {
        zone,
        from,
        to,
        duration,
        grid,
        windows,
        busy,
        per_day,
        policy,
        now,
    }))
}

/// How a student registers for a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationKind {
    /// One session.
    SingleSession,
    /// Every remaining session, all or nothing.
    FullSchedule,
    /// Chosen sessions, all or nothing.
    DropIn,
}

impl RegistrationKind {
    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleSession => "SINGLE_SESSION",
            Self::FullSchedule => "FULL_SCHEDULE",
            Self::DropIn => "DROP_IN",
        }
    }
}

/// Registers a student for a series: books each chosen session (all of
/// them or none: the first refusal is returned and the caller rolls back).
#[allow(clippy::too_many_arguments)]
pub async fn register(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series_id: Uuid,
    student: StudentId,
    kind: RegistrationKind,
    session_ids: &[Uuid],
    seats: u32,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<(crate::entity::registration::Model, Vec<booking_row::Model>)>> {
    use crate::entity::registration;
    let Some(series) = crate::repo::find::<class_series::Entity>(tx, school, series_id).await?
    else {
        return Ok(Err(BookError::NotFound {
            field: "seriesId",
            what: "class series",
        }));
    };
    let sessions: Vec<Uuid> = match kind {
        RegistrationKind::FullSchedule => {
            session::Entity::find()
                .select_only()
                .column(session::Column::Id)
                .filter(session::Column::SchoolId.eq(school.uuid()))
                .filter(session::Column::SeriesId.eq(series.id))
                .filter(session::Column::StartsAt.gt(now))
                .filter(session::Column::Status.is_not_in(["CANCELLED", "CANCELLED_BY_TEACHER"]))
                .order_by_asc(session::Column::StartsAt)
                .into_tuple()
                .all(tx)
                .await?
        }
        RegistrationKind::SingleSession | RegistrationKind::DropIn => {
            let wanted = if kind == RegistrationKind::SingleSession {
                1
            } else {
                session_ids.len().max(1)
            };
            if session_ids.len() != wanted {
                return Ok(Err(BookError::NotFound {
                    field: "sessionIds",
                    what: "session list of the right length (one for SINGLE_SESSION, at least one for DROP_IN)",
                }));
            }
            let of_series: Vec<Uuid> = session::Entity::find()
                .select_only()
                .column(session::Column::Id)
                .filter(session::Column::SchoolId.eq(school.uuid()))
                .filter(session::Column::SeriesId.eq(series.id))
                .filter(session::Column::Id.is_in(session_ids.to_vec()))
                .into_tuple()
                .all(tx)
                .await?;
            if of_series.len() != session_ids.len() {
                return Ok(Err(BookError::NotFound {
                    field: "sessionIds",
                    what: "session of this series",
                }));
            }
            session_ids.to_vec()
        }
    };
    if sessions.is_empty() {
        return Ok(Err(BookError::NotBookable(
            "the series has no remaining sessions to register for; generate its sessions first",
        )));
    }
    let reg = registration::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        series_id: Set(series.id),
        student_id: Set(student.uuid()),
        kind: Set(kind.as_str().to_owned()),
        created_at: Set(now),
    }
    .insert(tx)
    .await?;
    let mut booked = Vec::new();
    for id in sessions {
        let request = SeatRequest {
            session: id,
            student,
            by,
            seats,
            note: None,
            join_waitlist: false,
            registration: Some(reg.id),
        };
        match book_session(tx, school, request, now).await? {
            Ok(GroupOutcome::Booked(b)) => booked.push(b),
            Ok(GroupOutcome::Waitlisted(_)) => unreachable!("join_waitlist is false"),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok((reg, booked)))
}

/// The waitlist job: expires every lapsed offer and passes its seat on,
/// one transaction per session. Returns how many sessions were touched.
pub async fn expire_due_offers(db: &crate::Db, now: DateTime<Utc>) -> Result<usize> {
    let due: Vec<(Uuid, Uuid)> = waitlist_entry::Entity::find()
        .select_only()
        .column(waitlist_entry::Column::SchoolId)
        .column(waitlist_entry::Column::SessionId)
        .distinct()
        .filter(waitlist_entry::Column::Status.eq(EntryStatus::Offered.as_str()))
        .filter(waitlist_entry::Column::OfferExpiresAt.lte(now))
        .into_tuple()
        .all(db.conn())
        .await?;
    for (school, session_id) in &due {
        let school = SchoolId::from_uuid(*school);
        let tx = db.begin_write().await?;
        if let Some(s) = lock_session(&tx, school, *session_id).await? {
            expire_offers(&tx, school, &s, now).await?;
            crate::repo::audit::record(&tx, school, None, "expireWaitlistOffers", &[], now).await?;
        }
        tx.commit().await?;
    }
    Ok(due.len())
}

/// Free 1-on-1 starts inside a hybrid session's meeting time, on a grid of
/// the lesson length. Empty for a session outside the cycle's 1-on-1 weeks.
pub async fn hybrid_slots(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
    duration: Duration,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    if !s.one_on_one_week || duration <= Duration::zero() {
        return Ok(Vec::new());
    }
    let taken = hybrid_bookings(conn, school, s.id).await?;
    let mut out = Vec::new();
    let mut start = s.starts_at;
    while start + duration <= s.ends_at {
        let end = start + duration;
        if !taken.iter().any(|b| b.starts_at < end && start < b.ends_at) {
            out.push((start, end));
        }
        start += duration;
    }
    Ok(out)
}

async fn hybrid_bookings(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    session_id: Uuid,
) -> Result<Vec<booking_row::Model>> {
    Ok(booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::SessionId.eq(session_id))
        .filter(booking_row::Column::Kind.eq(kind_str(BookingKind::OneOnOne)))
        .filter(booking_row::Column::Status.is_in(ACTIVE))
        .all(conn)
        .await?)
}

/// Books a 1-on-1 slot inside a hybrid session for an enrolled student
/// (one with a FULL_SCHEDULE registration for the series), at the
/// series' 1-on-1 price.
#[allow(clippy::too_many_arguments)]
pub async fn book_hybrid_slot(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session_id: Uuid,
    student: StudentId,
    starts_at: DateTime<Utc>,
    duration: Duration,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<booking_row::Model>> {
    use crate::entity::registration;
    let Some(s) = lock_session(tx, school, session_id).await? else {
        return Ok(Err(BookError::NotFound {
            field: "sessionId",
            what: "session",
        }));
    };
    if !s.one_on_one_week {
        return Ok(Err(BookError::NotBookable(
            "this meeting is a group lesson, not one of the cycle's 1-on-1 weeks",
        )));
    }
    let Some(series) = s.series_id else {
        return Ok(Err(BookError::NotEnrolled));
    };
    let enrolled = registration::Entity::find()
        .filter(registration::Column::SchoolId.eq(school.uuid()))
        .filter(registration::Column::SeriesId.eq(series))
        .filter(registration::Column::StudentId.eq(student.uuid()))
        .filter(registration::Column::Kind.eq(RegistrationKind::FullSchedule.as_str()))
        .one(tx)
        .await?
        .is_some();
    if !enrolled {
        return Ok(Err(BookError::NotEnrolled));
    }
    if starts_at <= now {
        return Ok(Err(BookError::Policy(PolicyViolation::MinNotice {
            hours: 0,
        })));
    }
    let end = starts_at + duration;
    if starts_at < s.starts_at || end > s.ends_at {
        return Ok(Err(BookError::OutsideAvailability));
    }
    let taken = hybrid_bookings(tx, school, s.id).await?;
    if taken.iter().any(|b| b.student_id == student.uuid()) {
        return Ok(Err(BookError::AlreadyBooked(
            "the student already has a 1-on-1 slot in this meeting",
        )));
    }
    if taken
        .iter()
        .any(|b| b.starts_at < end && starts_at < b.ends_at)
    {
        return Ok(Err(BookError::SlotTaken));
    }
    let series = crate::repo::find::<class_series::Entity>(tx, school, series).await?;
    Ok(Ok(insert_booking(
        tx,
        school,
        NewBooking {
            kind: BookingKind::OneOnOne,
            session: Some(s.id),
            teacher: s.teacher_id,
            offering: series.as_ref().map(|x| x.offering_id),
            student,
            by,
            seats: 1,
            status: BookingStatus::Confirmed,
            starts_at,
            ends_at: end,
            timezone: s.timezone.clone(),
            note: None,
            price_minor: series.and_then(|x| x.hybrid_price_minor),
            registration: None,
            series: None,
        },
        now,
    )
    .await?))
}

/// Records a teacher's time off `[starts_at, ends_at)`.
pub async fn add_time_off(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<crate::entity::teacher_time_off::Model> {
    Ok(crate::entity::teacher_time_off::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        teacher_id: Set(teacher),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        reason: Set(reason),
        created_at: Set(now),
    }
    .insert(tx)
    .await?)
}
