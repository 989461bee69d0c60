//! Group seats: booking, approving or declining, cancelling, rescheduling
//! and registering for a series.

use booking::seats::{self, BookingView, Canceller, SeatSnapshot, SessionView};
use booking::{BookingError, BookingKind, Missing, SeatDecision};
use chrono::{DateTime, Utc};
use kernel::{
    BookingId, ClassSeriesId, OfferingId, RegistrationId, SchoolId, SessionId, StudentId,
    TeacherId, UserId,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::Outcome;
use super::lesson::{self, LessonRequest};
use super::rows::{self, NewRow};
use super::waitlist;
use crate::entity::{booking as booking_row, registration, session, waitlist_entry};
use crate::{Result, equipment, new_id};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

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
    pub session: SessionId,
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
    pub registration: Option<RegistrationId>,
    /// The booking this one replaces.
    pub rescheduled_from: Option<BookingId>,
}

/// The snapshot a seat decision reads, loaded with the session locked.
async fn seat_snapshot(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
    student: StudentId,
) -> Result<(SeatSnapshot, Option<OfferingId>)> {
    let offering = rows::offering_of(tx, school, s).await?;
    let offering_id = offering.as_ref().map(|o| OfferingId::from_uuid(o.id));
    let teacher = s.teacher_id.map(TeacherId::from_uuid);
    let policy = super::policy_for(tx, school, teacher, offering_id).await?;
    let id = rows::session_id(s);
    let already_booked = rows::active_booking_of(tx, school, id, student)
        .await?
        .is_some();
    let student_busy =
        rows::student_busy(tx, school, student, (s.starts_at, s.ends_at), Some(id)).await?;
    let zone = rows::session_zone(s)?;
    let same_day = if policy.max_bookings_per_day.is_some() {
        rows::same_day(
            tx,
            school,
            teacher,
            BookingKind::GroupSession,
            zone,
            s.starts_at,
        )
        .await?
    } else {
        0
    };
    let unit_price = rows::unit_price(tx, school, offering.and_then(|o| o.price_minor)).await?;
    let snapshot = SeatSnapshot {
        session: SessionView {
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            capacity: s.capacity.max(0) as u32,
            seats_taken: s.seats_taken.max(0) as u32,
            cancelled: rows::session_cancelled(s)?,
            private: s.student_id.is_some(),
        },
        policy,
        already_booked,
        student_busy,
        same_day,
        unit_price,
    };
    Ok((snapshot, offering_id))
}

/// Locks a session, lets lapsed offers go, and reads it afresh.
async fn lock_fresh(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: SessionId,
    now: DateTime<Utc>,
) -> Result<Option<session::Model>> {
    let Some(s) = rows::lock_session(tx, school, id).await? else {
        return Ok(None);
    };
    // Re-read only when lapsed offers changed the seat counter.
    if waitlist::expire_offers(tx, school, &s, now).await? {
        return rows::session(tx, school, id).await;
    }
    Ok(Some(s))
}

fn row_for(
    s: &session::Model,
    request: &SeatRequest,
    offering: Option<OfferingId>,
) -> Result<NewRow> {
    Ok(NewRow {
        session: Some(rows::session_id(s)),
        teacher: s.teacher_id.map(TeacherId::from_uuid),
        offering,
        student: request.student,
        by: request.by,
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        timezone: rows::session_zone(s)?,
        note: request.note.clone(),
        registration: request.registration,
        series: None,
        rescheduled_from: request.rescheduled_from,
    })
}

/// Where a group session's bookings take their equipment from.
pub(crate) fn demand(s: &session::Model, offering: Option<OfferingId>) -> equipment::Demand {
    equipment::Demand {
        offering: offering.map(OfferingId::uuid),
        location: Some(s.location_id),
    }
}

/// Books seats in a group session (or the waitlist, when full and asked).
pub async fn book_session(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    request: SeatRequest,
    now: DateTime<Utc>,
) -> Result<Outcome<GroupOutcome>> {
    let Some(s) = lock_fresh(tx, school, request.session, now).await? else {
        return Ok(Err(BookingError::NotFound(Missing::Session)));
    };
    let (snap, offering) = seat_snapshot(tx, school, &s, request.student).await?;
    let ask = seats::SeatRequest {
        seats: request.seats,
        join_waitlist: request.join_waitlist,
    };
    match seats::book_seats(now, &snap, ask) {
        Err(e) => Ok(Err(e)),
        Ok(SeatDecision::Wait) => Ok(waitlist::join_locked(tx, school, &s, request.student, now)
            .await?
            .map(GroupOutcome::Waitlisted)),
        Ok(SeatDecision::Take(decided)) => {
            // Equipment is decided before anything is written, so a
            // refusal leaves nothing behind even where the caller commits
            // (lapsed offers expired on the way).
            let mut stock =
                equipment::stock(tx, school, demand(&s, offering), s.starts_at, s.ends_at).await?;
            let held = match stock.take(decided.seats, s.starts_at, s.ends_at) {
                Ok(h) => h,
                Err(short) => return Ok(Err(short.into())),
            };
            if !rows::take_seats(tx, request.session, decided.seats).await? {
                return Ok(Err(seats::lost_race(&snap, ask)));
            }
            let row = row_for(&s, &request, offering)?;
            let b = rows::insert_booking(tx, school, row, decided, now).await?;
            equipment::write(tx, school, b.id, &held, now).await?;
            Ok(Ok(GroupOutcome::Booked(b)))
        }
    }
}

/// Registers a student for a series: books each chosen session, all of
/// them or none (the core decides over every session's snapshot before
/// anything is written).
#[allow(clippy::too_many_arguments)]
pub async fn register(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series_id: ClassSeriesId,
    student: StudentId,
    kind: booking::RegistrationKind,
    named: &[SessionId],
    seats: u32,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<(registration::Model, Vec<booking_row::Model>)>> {
    // The series first, then its sessions: the order generation and
    // series edits lock in, so a registration and a generation never miss
    // each other's enrolment or sessions.
    let Some(series) = crate::scheduling::lock_series(tx, school, series_id).await? else {
        return Ok(Err(BookingError::NotFound(Missing::Series)));
    };
    let of_series = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::SeriesId.eq(series.id));
    let remaining: Vec<Uuid> = if kind == booking::RegistrationKind::FullSchedule {
        of_series
            .filter(session::Column::StartsAt.gt(now))
            .filter(session::Column::Status.is_not_in(rows::CANCELLED))
            .order_by_asc(session::Column::StartsAt)
            .into_tuple()
            .all(tx)
            .await?
    } else {
        let found: Vec<Uuid> = of_series
            .filter(session::Column::Id.is_in(named.iter().map(|s| s.uuid())))
            .into_tuple()
            .all(tx)
            .await?;
        if named.iter().any(|n| !found.contains(&n.uuid())) {
            return Ok(Err(BookingError::NotFound(Missing::SessionOfSeries)));
        }
        Vec::new()
    };
    let remaining: Vec<SessionId> = remaining.into_iter().map(SessionId::from_uuid).collect();
    let chosen = match seats::sessions_to_book(kind, named, &remaining) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    // Lock in id order, so two registrations never wait on each other in
    // opposite orders.
    let mut lock_order = chosen.clone();
    lock_order.sort();
    let mut loaded = HashMap::new();
    for id in lock_order {
        let Some(s) = lock_fresh(tx, school, id, now).await? else {
            return Ok(Err(BookingError::NotFound(Missing::SessionOfSeries)));
        };
        let snap = seat_snapshot(tx, school, &s, student).await?;
        loaded.insert(id, (s, snap));
    }
    let snaps: Vec<SeatSnapshot> = chosen.iter().map(|id| loaded[id].1.0.clone()).collect();
    let decisions = match seats::register(now, &snaps, seats) {
        Ok(d) => d,
        Err((_, e)) => return Ok(Err(e)),
    };
    // One stock per location for the whole registration, so every session
    // counts the clay the earlier ones use.
    let mut stocks: HashMap<Uuid, resources::Stock> = HashMap::new();
    let mut equipment_of = Vec::with_capacity(chosen.len());
    for id in &chosen {
        let (s, (_, offering)) = &loaded[id];
        let stock = match stocks.entry(s.location_id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let (from, to) = span_of(chosen.iter().map(|c| &loaded[c].0));
                e.insert(equipment::stock(tx, school, demand(s, *offering), from, to).await?)
            }
        };
        match stock.take(seats, s.starts_at, s.ends_at) {
            Ok(held) => equipment_of.push(held),
            Err(short) => return Ok(Err(short.into())),
        }
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
    if kind == booking::RegistrationKind::FullSchedule {
        super::enrolment::enrol(
            tx,
            school,
            series.id,
            student,
            RegistrationId::from_uuid(reg.id),
            by,
            now,
        )
        .await?;
    }
    let mut booked = Vec::new();
    for ((id, decided), held) in chosen.iter().zip(decisions).zip(equipment_of) {
        let (s, (snap, offering)) = &loaded[id];
        let request = SeatRequest {
            session: *id,
            student,
            by,
            seats,
            note: None,
            join_waitlist: false,
            registration: Some(RegistrationId::from_uuid(reg.id)),
            rescheduled_from: None,
        };
        let ask = seats::SeatRequest {
            seats,
            join_waitlist: false,
        };
        if !rows::take_seats(tx, *id, decided.seats).await? {
            return Ok(Err(seats::lost_race(snap, ask)));
        }
        let row = row_for(s, &request, *offering)?;
        let b = rows::insert_booking(tx, school, row, decided, now).await?;
        equipment::write(tx, school, b.id, &held, now).await?;
        booked.push(b);
    }
    Ok(Ok((reg, booked)))
}

/// The earliest start and latest end of some sessions.
pub(crate) fn span_of<'a>(
    sessions: impl Iterator<Item = &'a session::Model>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let mut span: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for s in sessions {
        span = Some(match span {
            None => (s.starts_at, s.ends_at),
            Some((a, b)) => (a.min(s.starts_at), b.max(s.ends_at)),
        });
    }
    span.unwrap_or((DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MIN_UTC))
}

/// Who is changing a booking, for the checks that depend on it.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    /// The user.
    pub by: UserId,
    /// Families are held to the cancellation window; the office is not.
    pub who: Canceller,
}

fn view(b: &booking_row::Model) -> Result<BookingView> {
    Ok(BookingView {
        status: rows::status_of(b)?,
        kind: rows::kind_of(b)?,
        seats: b.seats.max(0) as u32,
        starts_at: b.starts_at,
    })
}

/// Hands freed seats back to the session and on to its waitlist.
async fn free_seats(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    b: &booking_row::Model,
    n: u32,
    now: DateTime<Utc>,
) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    if let Some(sid) = b.session_id {
        let sid = SessionId::from_uuid(sid);
        rows::release_seats(tx, sid, n).await?;
        waitlist::offer_free_seats(tx, school, sid, now).await?;
    }
    Ok(())
}

async fn policy_of_booking(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    b: &booking_row::Model,
) -> Result<booking::BookingPolicy> {
    super::policy_for(
        conn,
        school,
        b.teacher_id.map(TeacherId::from_uuid),
        b.offering_id.map(OfferingId::from_uuid),
    )
    .await
}

/// Approves or declines a pending booking; a decline keeps its reason and
/// frees its seats for the waitlist.
pub async fn decide(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    b: &booking_row::Model,
    approve: bool,
    reason: Option<String>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<booking_row::Model>> {
    let b = &rows::lock_booking(tx, school, b).await?;
    let release = match seats::decide(&view(b)?, approve) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let mut row: booking_row::ActiveModel = b.clone().into();
    row.status = Set(release.status.as_str().to_owned());
    row.decided_at = Set(Some(now));
    row.decided_by = Set(Some(by.uuid()));
    if !approve && reason.is_some() {
        row.cancel_reason = Set(reason);
    }
    let row = row.update(tx).await?;
    free_seats(tx, school, b, release.frees_seats, now).await?;
    if !approve {
        // A declined make-up gives its credit back.
        crate::credits::give_back(tx, school, &[row.id], now).await?;
    }
    Ok(Ok(row))
}

/// Cancels a booking, or it and every later booking of its series or
/// registration. Freed seats go to the waitlist.
pub async fn cancel(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    b: &booking_row::Model,
    following: bool,
    reason: Option<String>,
    change: Change,
    now: DateTime<Utc>,
) -> Result<Outcome<Vec<booking_row::Model>>> {
    let b = &rows::lock_booking(tx, school, b).await?;
    let policy = policy_of_booking(tx, school, b).await?;
    if let Err(e) = seats::cancel(now, &view(b)?, &policy, change.who) {
        return Ok(Err(e));
    }
    let mut targets = vec![b.clone()];
    if following && (b.booking_series_id.is_some() || b.registration_id.is_some()) {
        let mut later = booking_row::Entity::find()
            .filter(booking_row::Column::SchoolId.eq(school.uuid()))
            .filter(booking_row::Column::Id.ne(b.id))
            .filter(booking_row::Column::StartsAt.gt(b.starts_at))
            .filter(booking_row::Column::Status.is_in(rows::active()));
        later = match (b.booking_series_id, b.registration_id) {
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
    for t in targets {
        let t = rows::lock_booking(tx, school, &t).await?;
        let release = match seats::cancel(now, &view(&t)?, &policy, change.who) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let mut row: booking_row::ActiveModel = t.clone().into();
        row.status = Set(release.status.as_str().to_owned());
        row.cancelled_at = Set(Some(now));
        row.cancelled_by = Set(Some(change.by.uuid()));
        row.cancel_reason = Set(reason.clone());
        done.push(row.update(tx).await?);
        free_seats(tx, school, &t, release.frees_seats, now).await?;
    }
    // A cancelled make-up gives its credit back.
    let ids: Vec<Uuid> = done.iter().map(|b| b.id).collect();
    crate::credits::give_back(tx, school, &ids, now).await?;
    Ok(Ok(done))
}

/// Where a booking moves to.
#[derive(Debug, Clone, Copy)]
pub enum Move {
    /// A 1-on-1 lesson to a new start (same length, teacher and offering).
    To(DateTime<Utc>),
    /// A group booking to another session.
    ToSession(SessionId),
}

/// Moves a booking: the old one becomes RESCHEDULED (a legal step from
/// CONFIRMED only) and frees its place, its session's waitlist is offered
/// the freed seats, and a new booking linked to it (`rescheduled_from`) is
/// checked like any booking. The caller rolls back on a refusal, so it is
/// all or nothing. Returns the old booking as updated and the new one.
pub async fn reschedule(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    old: &booking_row::Model,
    to: Move,
    change: Change,
    now: DateTime<Utc>,
) -> Result<Outcome<(booking_row::Model, booking_row::Model)>> {
    let kind = rows::kind_of(old)?;
    match (kind, to) {
        (BookingKind::OneOnOne, Move::To(_)) | (BookingKind::GroupSession, Move::ToSession(_)) => {}
        _ => return Ok(Err(BookingError::WrongMove)),
    }
    // Both sessions are locked in id order before either is touched, so
    // two moves in opposite directions wait for each other instead of
    // deadlocking.
    if let (Some(from), Move::ToSession(target)) = (old.session_id, to) {
        let mut both = [SessionId::from_uuid(from), target];
        both.sort();
        for s in both {
            rows::lock_session(tx, school, s).await?;
        }
    }
    let old = &rows::lock_booking(tx, school, old).await?;
    let policy = policy_of_booking(tx, school, old).await?;
    let release = match seats::reschedule(now, &view(old)?, &policy, change.who) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let mut row: booking_row::ActiveModel = old.clone().into();
    row.status = Set(release.status.as_str().to_owned());
    row.cancelled_at = Set(Some(now));
    row.cancelled_by = Set(Some(change.by.uuid()));
    row.cancel_reason = Set(Some("rescheduled".into()));
    let moved = row.update(tx).await?;
    free_seats(tx, school, old, release.frees_seats, now).await?;
    let student = StudentId::from_uuid(old.student_id);
    let created = match to {
        Move::To(at) => {
            let Some(teacher) = old.teacher_id else {
                return Ok(Err(BookingError::NotFound(Missing::Teacher)));
            };
            let request = LessonRequest {
                teacher: TeacherId::from_uuid(teacher),
                student,
                offering: old.offering_id.map(OfferingId::from_uuid),
                starts_at: at,
                duration: old.ends_at - old.starts_at,
                note: old.student_note.clone(),
                by: change.by,
                series: old
                    .booking_series_id
                    .map(kernel::BookingSeriesId::from_uuid),
                booker: match change.who {
                    Canceller::Office => kernel::Booker::Office,
                    Canceller::Family => kernel::Booker::Family,
                },
                rescheduled_from: Some(rows::booking_id(old)),
            };
            lesson::book_one_on_one(tx, school, request, now).await?
        }
        Move::ToSession(session) => {
            let request = SeatRequest {
                session,
                student,
                by: change.by,
                seats: old.seats.max(1) as u32,
                note: old.student_note.clone(),
                join_waitlist: false,
                registration: old.registration_id.map(RegistrationId::from_uuid),
                rescheduled_from: Some(rows::booking_id(old)),
            };
            book_session(tx, school, request, now)
                .await?
                .map(|o| match o {
                    GroupOutcome::Booked(b) => b,
                    GroupOutcome::Waitlisted(_) => unreachable!("join_waitlist is false"),
                })
        }
    };
    let new = match created {
        Ok(new) => new,
        Err(e) => return Ok(Err(e)),
    };
    // A moved make-up stays paid for by its credit.
    let new = crate::credits::carry(tx, school, old.id, new, now).await?;
    Ok(Ok((moved, new)))
}
