//! Waitlists: joining, offers for freed seats (strictly FIFO, decided by
//! `booking::waitlist`), accepting, and the expiry job.

use std::collections::BTreeMap;

use booking::waitlist::{self, Entry, EntryStatus};
use booking::{BookingError, Missing};
use chrono::{DateTime, Utc};
use kernel::{OfferingId, SchoolId, SessionId, StudentId, TeacherId, UserId, WaitlistEntryId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::Outcome;
use super::rows::{self, NewRow};
use crate::entity::{booking as booking_row, session, waitlist_entry};
use crate::{Result, new_id};

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

fn domain_entry(e: &waitlist_entry::Model) -> Result<Entry<Uuid>> {
    Ok(Entry {
        id: e.id,
        position: e.position.max(0) as u32,
        status: rows::entry_status(e)?,
        offer_expires_at: e.offer_expires_at,
    })
}

fn domain_entries(entries: &[waitlist_entry::Model]) -> Result<Vec<Entry<Uuid>>> {
    entries.iter().map(domain_entry).collect()
}

/// Puts a student on a session's waitlist.
pub async fn join_waitlist(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session_id: SessionId,
    student: StudentId,
    now: DateTime<Utc>,
) -> Result<Outcome<waitlist_entry::Model>> {
    let Some(s) = rows::lock_session(tx, school, session_id).await? else {
        return Ok(Err(BookingError::NotFound(Missing::Session)));
    };
    if rows::active_booking_of(tx, school, session_id, student)
        .await?
        .is_some()
    {
        return Ok(Err(BookingError::AlreadyBooked(
            booking::AlreadyBooked::InSession,
        )));
    }
    join_locked(tx, school, &s, student, now).await
}

/// Joins the waitlist of a session the caller has locked.
pub(super) async fn join_locked(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
    student: StudentId,
    now: DateTime<Utc>,
) -> Result<Outcome<waitlist_entry::Model>> {
    let entries = entries_of(tx, school, s.id).await?;
    let line: Vec<(u32, bool)> = entries
        .iter()
        .map(|e| (e.position.max(0) as u32, e.student_id == student.uuid()))
        .collect();
    let position = match waitlist::join(&line) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(waitlist_entry::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        session_id: Set(s.id),
        student_id: Set(student.uuid()),
        position: Set(position as i32),
        status: Set(EntryStatus::Waiting.as_str().to_owned()),
        offer_expires_at: Set(None),
        booking_id: Set(None),
        created_at: Set(now),
        offered_at: Set(None),
        accepted_at: Set(None),
        expired_at: Set(None),
        withdrawn_at: Set(None),
    }
    .insert(tx)
    .await?))
}

/// Expires the session's lapsed offers, releasing their seats, then offers
/// every free seat to the next in line. Call with the session row locked.
/// Returns whether anything changed (the session row then needs a re-read).
pub async fn expire_offers(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
    now: DateTime<Utc>,
) -> Result<bool> {
    let entries = entries_of(tx, school, s.id).await?;
    let lapsed = waitlist::expired(&domain_entries(&entries)?, now);
    if lapsed.is_empty() {
        return Ok(false);
    }
    waitlist_entry::Entity::update_many()
        .col_expr(
            waitlist_entry::Column::Status,
            Expr::value(EntryStatus::Expired.as_str()),
        )
        .col_expr(waitlist_entry::Column::ExpiredAt, Expr::value(now))
        .filter(waitlist_entry::Column::Id.is_in(lapsed.clone()))
        .exec(tx)
        .await?;
    let id = rows::session_id(s);
    rows::release_seats(tx, id, lapsed.len() as u32).await?;
    offer_free_seats(tx, school, id, now).await?;
    Ok(true)
}

/// Offers free seats to the waitlist, first in line first, skipping
/// students booked into an overlapping lesson. Call with the session row
/// locked.
pub async fn offer_free_seats(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session_id: SessionId,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(s) = rows::session(tx, school, session_id).await? else {
        return Ok(());
    };
    let free = booking::capacity::seats_left(s.capacity.max(0) as u32, s.seats_taken.max(0) as u32);
    if free == 0 {
        return Ok(());
    }
    let entries = entries_of(tx, school, s.id).await?;
    let domain = domain_entries(&entries)?;
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
            .filter(booking_row::Column::Status.is_in(rows::active()))
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
    let offering = rows::offering_of(tx, school, &s).await?;
    let policy = super::policy_for(
        tx,
        school,
        s.teacher_id.map(TeacherId::from_uuid),
        offering.map(|o| OfferingId::from_uuid(o.id)),
    )
    .await?;
    for id in &chosen {
        if !rows::take_seats(tx, session_id, 1).await? {
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
            .col_expr(waitlist_entry::Column::OfferedAt, Expr::value(now))
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
    entry_id: WaitlistEntryId,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<booking_row::Model>> {
    let find = |tx| crate::repo::find::<waitlist_entry::Entity>(tx, school, entry_id.uuid());
    let Some(entry) = find(tx).await? else {
        return Ok(Err(BookingError::NotFound(Missing::WaitlistEntry)));
    };
    let session_id = SessionId::from_uuid(entry.session_id);
    let Some(s) = rows::lock_session(tx, school, session_id).await? else {
        return Ok(Err(BookingError::OfferClosed));
    };
    expire_offers(tx, school, &s, now).await?;
    let Some(entry) = find(tx).await? else {
        return Ok(Err(BookingError::OfferClosed));
    };
    let student = StudentId::from_uuid(entry.student_id);
    let busy = rows::student_busy(
        tx,
        school,
        student,
        (s.starts_at, s.ends_at),
        Some(session_id),
    )
    .await?;
    let offering = rows::offering_of(tx, school, &s).await?;
    let unit_price =
        rows::unit_price(tx, school, offering.as_ref().and_then(|o| o.price_minor)).await?;
    let decided = match waitlist::accept(&domain_entry(&entry)?, now, busy, unit_price) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let offering = offering.map(|o| OfferingId::from_uuid(o.id));
    let mut stock = crate::equipment::stock(
        tx,
        school,
        super::seats::demand(&s, offering),
        s.starts_at,
        s.ends_at,
    )
    .await?;
    let held = match stock.take(decided.seats, s.starts_at, s.ends_at) {
        Ok(h) => h,
        Err(short) => return Ok(Err(short.into())),
    };
    let row = NewRow {
        session: Some(session_id),
        teacher: s.teacher_id.map(TeacherId::from_uuid),
        offering,
        student,
        by,
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        timezone: rows::session_zone(&s)?,
        note: None,
        registration: None,
        series: None,
        rescheduled_from: None,
    };
    let b = rows::insert_booking(tx, school, row, decided, now).await?;
    crate::equipment::write(tx, school, b.id, &held, now).await?;
    waitlist_entry::Entity::update_many()
        .col_expr(
            waitlist_entry::Column::Status,
            Expr::value(EntryStatus::Accepted.as_str()),
        )
        .col_expr(waitlist_entry::Column::BookingId, Expr::value(b.id))
        .col_expr(waitlist_entry::Column::AcceptedAt, Expr::value(now))
        .filter(waitlist_entry::Column::Id.eq(entry.id))
        .exec(tx)
        .await?;
    Ok(Ok(b))
}

/// Leaves a waitlist: the entry becomes WITHDRAWN; a seat its open offer
/// held goes to the next in line at once.
pub async fn leave_waitlist(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    entry_id: WaitlistEntryId,
    now: DateTime<Utc>,
) -> Result<Outcome<waitlist_entry::Model>> {
    let find = |tx| crate::repo::find::<waitlist_entry::Entity>(tx, school, entry_id.uuid());
    let Some(entry) = find(tx).await? else {
        return Ok(Err(BookingError::NotFound(Missing::WaitlistEntry)));
    };
    let session_id = SessionId::from_uuid(entry.session_id);
    if rows::lock_session(tx, school, session_id).await?.is_none() {
        return Ok(Err(BookingError::NotInLine));
    }
    // Re-read under the session lock: an offer may have expired or been
    // accepted meanwhile.
    let Some(entry) = find(tx).await? else {
        return Ok(Err(BookingError::NotInLine));
    };
    let freed = match waitlist::leave(rows::entry_status(&entry)?) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let mut row: waitlist_entry::ActiveModel = entry.into();
    row.status = Set(EntryStatus::Withdrawn.as_str().to_owned());
    row.withdrawn_at = Set(Some(now));
    row.offer_expires_at = Set(None);
    let entry = row.update(tx).await?;
    if freed > 0 {
        rows::release_seats(tx, session_id, freed).await?;
        offer_free_seats(tx, school, session_id, now).await?;
    }
    Ok(Ok(entry))
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
        if let Some(s) = rows::lock_session(&tx, school, SessionId::from_uuid(*session_id)).await? {
            expire_offers(&tx, school, &s, now).await?;
            crate::repo::audit::record(&tx, school, None, "expireWaitlistOffers", &[], now).await?;
        }
        tx.commit().await?;
    }
    Ok(due.len())
}
