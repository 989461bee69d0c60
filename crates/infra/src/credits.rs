//! Attendance statuses and make-up credits (`billing::credit` decides;
//! this module stores statuses, grants credits once per student and
//! session, and books a make-up with its credit locked).

use std::collections::HashMap;

use ::billing::credit::{
    self, AttendanceStatus, Change, CreditError, CreditPolicy, EntryKind, StatusRule,
};
use booking::attendance::Mark;
use chrono::{DateTime, NaiveDate, Utc};
use kernel::{SchoolId, SessionId, StudentId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::booking::seats::{self as seat_service, GroupOutcome, SeatRequest};
use crate::entity::{
    attendance_status, booking as booking_row, credit_entry, makeup_credit, school, session,
};
use crate::{InfraError, Result, new_id};

/// The school's own attendance statuses (and overrides of built-ins), in
/// the order it set them.
pub async fn statuses(
    conn: &impl ConnectionTrait,
    school: SchoolId,
) -> Result<Vec<AttendanceStatus>> {
    attendance_status::Entity::find()
        .filter(attendance_status::Column::SchoolId.eq(school.uuid()))
        .order_by_asc(attendance_status::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| {
            Ok(AttendanceStatus {
                counts_as: crate::stored("attendance_statuses", &r.counts_as, Mark::parse)?,
                code: r.code,
                label: r.label,
                rule: StatusRule {
                    billed: r.billed,
                    teacher_paid: r.teacher_paid,
                    grants_credit: r.grants_credit,
                },
            })
        })
        .collect()
}

/// Replaces the school's statuses and its make-up policy.
pub async fn set_statuses(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    list: &[AttendanceStatus],
    policy: CreditPolicy,
) -> Result<()> {
    attendance_status::Entity::delete_many()
        .filter(attendance_status::Column::SchoolId.eq(school.uuid()))
        .exec(tx)
        .await?;
    if !list.is_empty() {
        attendance_status::Entity::insert_many(list.iter().enumerate().map(|(i, s)| {
            attendance_status::ActiveModel {
                id: Set(new_id()),
                school_id: Set(school.uuid()),
                code: Set(s.code.clone()),
                label: Set(s.label.clone()),
                counts_as: Set(s.counts_as.as_str().to_owned()),
                billed: Set(s.rule.billed),
                teacher_paid: Set(s.rule.teacher_paid),
                grants_credit: Set(s.rule.grants_credit),
                position: Set(i as i32),
            }
        }))
        .exec(tx)
        .await?;
    }
    let Some(row) = school::Entity::find_by_id(school.uuid()).one(tx).await? else {
        return Err(InfraError::Corrupt {
            table: "schools",
            detail: format!("school {school} is gone"),
        });
    };
    let mut row = row.into_active_model();
    row.makeup_expiry_days = Set(policy.expiry_days as i32);
    row.makeup_max_per_term = Set(policy.max_per_term.map(|m| m as i32));
    row.makeup_on_cancellation = Set(policy.on_cancellation);
    row.update(tx).await?;
    Ok(())
}

/// The school's make-up policy.
pub async fn policy(conn: &impl ConnectionTrait, school: SchoolId) -> Result<CreditPolicy> {
    let row = school::Entity::find_by_id(school.uuid())
        .one(conn)
        .await?
        .ok_or_else(|| InfraError::Corrupt {
            table: "schools",
            detail: format!("school {school} is gone"),
        })?;
    Ok(CreditPolicy {
        expiry_days: row.makeup_expiry_days.max(1) as u32,
        max_per_term: row.makeup_max_per_term.map(|m| m.max(0) as u32),
        on_cancellation: row.makeup_on_cancellation,
    })
}

/// Why a credit was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// An attendance status that grants one.
    Attendance,
    /// The school or teacher cancelled the session.
    Cancellation,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Attendance => "ATTENDANCE",
            Self::Cancellation => "CANCELLATION",
        }
    }
}

/// Grants a credit for missing `session` to each student (once per
/// student and session; the term's maximum is counted over the session's
/// series). Returns the credits granted now.
pub async fn grant(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session: &session::Model,
    students: &[StudentId],
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<Vec<makeup_credit::Model>> {
    if students.is_empty() {
        return Ok(Vec::new());
    }
    let policy = policy(tx, school).await?;
    let today = crate::booking::rows::session_zone(session)?.local_date(now);
    let mut out = Vec::new();
    for student in students {
        // One credit per student and session (a unique key): marking the
        // absence again after a corrected mark grants the same one again.
        let held = makeup_credit::Entity::find()
            .filter(makeup_credit::Column::SchoolId.eq(school.uuid()))
            .filter(makeup_credit::Column::StudentId.eq(student.uuid()))
            .filter(makeup_credit::Column::SessionId.eq(session.id))
            .one(tx)
            .await?;
        if let Some(c) = &held
            && live(tx, school, std::slice::from_ref(c)).await? > 0
        {
            continue;
        }
        let this_term = match session.series_id {
            Some(series) => {
                let term = makeup_credit::Entity::find()
                    .filter(makeup_credit::Column::SchoolId.eq(school.uuid()))
                    .filter(makeup_credit::Column::StudentId.eq(student.uuid()))
                    .filter(makeup_credit::Column::SeriesId.eq(series))
                    .all(tx)
                    .await?;
                live(tx, school, &term).await?
            }
            None => 0,
        };
        // A revoked credit granted again counts toward the term like a
        // new one: it is not live now, so it is not in `this_term`.
        let Ok(expires_on) = credit::grant(policy, this_term, today) else {
            // The term's maximum is reached: no credit, by policy.
            continue;
        };
        if let Some(c) = held {
            if let Ok(c) = apply(tx, school, c.id, Change::Regrant, None, now).await? {
                let mut row = c.into_active_model();
                row.expires_on = Set(expires_on);
                row.granted_at = Set(now);
                out.push(row.update(tx).await?);
            }
            continue;
        }
        let offering = crate::booking::rows::offering_of(tx, school, session)
            .await?
            .map(|o| o.id);
        let c = makeup_credit::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            student_id: Set(student.uuid()),
            offering_id: Set(offering),
            series_id: Set(session.series_id),
            session_id: Set(session.id),
            reason: Set(reason.as_str().to_owned()),
            granted_at: Set(now),
            expires_on: Set(expires_on),
        }
        .insert(tx)
        .await?;
        entry(tx, &c, EntryKind::Granted, None, now).await?;
        out.push(c);
    }
    Ok(out)
}

/// How many of these credits were not revoked.
async fn live(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    credits: &[makeup_credit::Model],
) -> Result<u32> {
    if credits.is_empty() {
        return Ok(0);
    }
    let entries = entries_of(tx, school, credits.iter().map(|c| c.id)).await?;
    Ok(credits
        .iter()
        .filter(|c| {
            let kinds = entries.get(&c.id).map(Vec::as_slice).unwrap_or_default();
            credit::state(kinds) != credit::CreditState::Revoked
        })
        .count() as u32)
}

async fn entry(
    tx: &impl ConnectionTrait,
    c: &makeup_credit::Model,
    kind: EntryKind,
    booking: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    credit_entry::ActiveModel {
        id: Set(new_id()),
        school_id: Set(c.school_id),
        student_id: Set(c.student_id),
        credit_id: Set(c.id),
        kind: Set(kind.as_str().to_owned()),
        amount: Set(kind.amount() as i32),
        booking_id: Set(booking),
        at: Set(now),
    }
    .insert(tx)
    .await?;
    Ok(())
}

/// Credits of these students, oldest first, grouped by student.
pub async fn credits_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    students: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<makeup_credit::Model>>> {
    crate::repo::grouped::<makeup_credit::Entity>(
        conn,
        school,
        makeup_credit::Column::StudentId,
        |c| c.student_id,
        students,
        (makeup_credit::Column::GrantedAt, sea_orm::Order::Asc),
    )
    .await
}

/// Ledger entries of these credits as stored, in order, by credit.
pub async fn entry_rows_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    credits: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<credit_entry::Model>>> {
    crate::repo::grouped::<credit_entry::Entity>(
        conn,
        school,
        credit_entry::Column::CreditId,
        |e| e.credit_id,
        credits,
        // Ids are UUIDv7: written order, even for entries of one instant.
        (credit_entry::Column::Id, sea_orm::Order::Asc),
    )
    .await
}

/// Ledger entries of these credits, in order, grouped by credit.
pub async fn entries_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    credits: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<EntryKind>>> {
    let rows = entry_rows_of(conn, school, credits).await?;
    rows.into_iter()
        .map(|(k, v)| {
            let kinds = v
                .iter()
                .map(|e| crate::stored("credit_entries", &e.kind, EntryKind::parse))
                .collect::<Result<Vec<_>>>()?;
            Ok((k, kinds))
        })
        .collect()
}

/// Why a make-up was refused.
#[derive(Debug, thiserror::Error)]
pub enum MakeupError {
    /// The credit cannot be used (state, expiry, offering).
    #[error("{0}")]
    Credit(#[from] CreditError),
    /// The booking core refused the seat.
    #[error("{0}")]
    Booking(#[from] booking::BookingError),
}

/// Books a make-up: the credit (locked, so it is used once however many
/// requests race) books a seat in `session` at no charge, and a USED entry
/// points at the booking. `Ok(None)` when the credit is not the school's.
pub async fn book_makeup(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    credit_id: Uuid,
    session_id: SessionId,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Option<std::result::Result<(makeup_credit::Model, booking_row::Model), MakeupError>>> {
    let Some(found) = crate::repo::find::<makeup_credit::Entity>(tx, school, credit_id).await?
    else {
        return Ok(None);
    };
    // The student first (the order every booking takes), archived ones
    // refused; then the credit, locked so it is used once.
    let Some(st) = crate::archive::find_for_use::<crate::entity::student::Entity>(
        tx,
        school,
        found.student_id,
    )
    .await?
    else {
        return Ok(None);
    };
    if let Err(e) = crate::archive::Usable::usable(&st) {
        return Ok(Some(Err(::booking::BookingError::from(e).into())));
    }
    let Some(c) = makeup_credit::Entity::find_by_id(found.id)
        .lock_exclusive()
        .one(tx)
        .await?
    else {
        return Ok(None);
    };
    let Some(target) = crate::booking::rows::session(tx, school, session_id).await? else {
        return Ok(Some(Err(booking::BookingError::NotFound(
            booking::Missing::Session,
        )
        .into())));
    };
    let offering = crate::booking::rows::offering_of(tx, school, &target)
        .await?
        .map(|o| o.id);
    let kinds = entries_of(tx, school, [c.id])
        .await?
        .remove(&c.id)
        .unwrap_or_default();
    let today = crate::booking::rows::session_zone(&target)?.local_date(now);
    if let Err(e) = credit::may_use(&kinds, c.expires_on, c.offering_id, offering, today) {
        return Ok(Some(Err(e.into())));
    }
    let request = SeatRequest {
        session: session_id,
        student: StudentId::from_uuid(c.student_id),
        by,
        seats: 1,
        note: Some("make-up".to_owned()),
        join_waitlist: false,
        registration: None,
        rescheduled_from: None,
    };
    let booked = match seat_service::book_session(tx, school, request, now).await? {
        Ok(GroupOutcome::Booked(b)) => b,
        Ok(GroupOutcome::Waitlisted(_)) => {
            return Err(InfraError::Corrupt {
                table: "bookings",
                detail: "a make-up joined a waitlist it did not ask for".into(),
            });
        }
        Err(e) => return Ok(Some(Err(e.into()))),
    };
    // Paid for by the missed session: the make-up costs nothing.
    let currency = crate::booking::rows::school_currency(tx, school).await?;
    let mut row = booked.into_active_model();
    row.price_minor = Set(Some(0));
    row.currency = Set(Some(currency.as_str().to_owned()));
    let booked = row.update(tx).await?;
    entry(tx, &c, EntryKind::Used, Some(booked.id), now).await?;
    Ok(Some(Ok((c, booked))))
}

/// Writes the entry `change` makes to a credit (locked first, then its
/// entries read, so two requests never both change it), or says why not.
async fn apply(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    credit_id: Uuid,
    change: Change,
    booking: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<makeup_credit::Model, CreditError>> {
    let c = makeup_credit::Entity::find()
        .filter(makeup_credit::Column::SchoolId.eq(school.uuid()))
        .filter(makeup_credit::Column::Id.eq(credit_id))
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| InfraError::Corrupt {
            table: "makeup_credits",
            detail: format!("credit {credit_id} vanished under its lock"),
        })?;
    let kinds = entries_of(tx, school, [c.id])
        .await?
        .remove(&c.id)
        .unwrap_or_default();
    match credit::change(&kinds, change) {
        Ok(kind) => {
            entry(tx, &c, kind, booking, now).await?;
            Ok(Ok(c))
        }
        Err(e) => Ok(Err(e)),
    }
}

/// Gives back the credits that paid for these bookings (make-ups now
/// cancelled or declined): each is usable again until its own expiry.
/// Returns the bookings whose credit came back.
pub async fn give_back(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    bookings: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>> {
    if bookings.is_empty() {
        return Ok(Vec::new());
    }
    let used = credit_entry::Entity::find()
        .filter(credit_entry::Column::SchoolId.eq(school.uuid()))
        .filter(credit_entry::Column::Kind.eq(EntryKind::Used.as_str()))
        .filter(credit_entry::Column::BookingId.is_in(bookings.iter().copied()))
        .order_by_asc(credit_entry::Column::CreditId)
        .all(tx)
        .await?;
    let mut back = Vec::new();
    for e in used {
        // A credit already given back for this booking stays as it is.
        if apply(tx, school, e.credit_id, Change::Return, e.booking_id, now)
            .await?
            .is_ok()
        {
            back.extend(e.booking_id);
        }
    }
    Ok(back)
}

/// Moves the credit that paid for booking `from` (a make-up being
/// rescheduled) to its replacement `to`: RETURNED for the old booking,
/// USED for the new, which costs nothing like the one it replaces, when
/// the credit may book it (`credit::may_use`); otherwise the new booking
/// is charged as booked and the credit is available again. Any other
/// booking comes back as it is.
pub async fn carry(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    from: Uuid,
    to: booking_row::Model,
    now: DateTime<Utc>,
) -> Result<booking_row::Model> {
    let Some(used) = credit_entry::Entity::find()
        .filter(credit_entry::Column::SchoolId.eq(school.uuid()))
        .filter(credit_entry::Column::Kind.eq(EntryKind::Used.as_str()))
        .filter(credit_entry::Column::BookingId.eq(from))
        .one(tx)
        .await?
    else {
        return Ok(to);
    };
    if give_back(tx, school, &[from], now).await?.is_empty() {
        return Ok(to);
    }
    // The new place must be one the credit could book (same offering, not
    // past its expiry); otherwise it is charged like any booking and the
    // credit stays available.
    let Some(c) = crate::repo::find::<makeup_credit::Entity>(tx, school, used.credit_id).await?
    else {
        return Ok(to);
    };
    let Some(target) = to.session_id else {
        return Ok(to);
    };
    let Some(target) =
        crate::booking::rows::session(tx, school, SessionId::from_uuid(target)).await?
    else {
        return Ok(to);
    };
    let offering = crate::booking::rows::offering_of(tx, school, &target)
        .await?
        .map(|o| o.id);
    let kinds = entries_of(tx, school, [c.id])
        .await?
        .remove(&c.id)
        .unwrap_or_default();
    let today = crate::booking::rows::session_zone(&target)?.local_date(now);
    if credit::may_use(&kinds, c.expires_on, c.offering_id, offering, today).is_err() {
        return Ok(to);
    }
    if apply(tx, school, used.credit_id, Change::Use, Some(to.id), now)
        .await?
        .is_err()
    {
        return Err(InfraError::Corrupt {
            table: "credit_entries",
            detail: format!("credit {} returned but not usable again", used.credit_id),
        });
    }
    let currency = crate::booking::rows::school_currency(tx, school).await?;
    let mut row = to.into_active_model();
    row.price_minor = Set(Some(0));
    row.currency = Set(Some(currency.as_str().to_owned()));
    Ok(row.update(tx).await?)
}

/// Withdraws the attendance credits of these students for `session`
/// after their mark was corrected to one that grants none. A credit that
/// already booked a make-up is kept: that lesson was given. Returns how
/// many were revoked.
pub async fn revoke(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session: &session::Model,
    students: &[StudentId],
    now: DateTime<Utc>,
) -> Result<usize> {
    if students.is_empty() {
        return Ok(0);
    }
    let granted = makeup_credit::Entity::find()
        .filter(makeup_credit::Column::SchoolId.eq(school.uuid()))
        .filter(makeup_credit::Column::SessionId.eq(session.id))
        .filter(makeup_credit::Column::Reason.eq(Reason::Attendance.as_str()))
        .filter(makeup_credit::Column::StudentId.is_in(students.iter().map(|s| s.uuid())))
        .order_by_asc(makeup_credit::Column::Id)
        .all(tx)
        .await?;
    let mut n = 0;
    for c in granted {
        if apply(tx, school, c.id, Change::Revoke, None, now)
            .await?
            .is_ok()
        {
            n += 1;
        }
    }
    Ok(n)
}

/// Whether a credit of the school may be refunded now (read without a
/// lock: the caller asks before refunding money at Stripe, and
/// [`refund`] decides again under the lock). `Ok(None)` when it is not
/// the school's.
pub async fn refundable(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    credit_id: Uuid,
) -> Result<Option<std::result::Result<makeup_credit::Model, CreditError>>> {
    let Some(c) = crate::repo::find::<makeup_credit::Entity>(conn, school, credit_id).await? else {
        return Ok(None);
    };
    let kinds = entries_of(conn, school, [credit_id])
        .await?
        .remove(&credit_id)
        .unwrap_or_default();
    Ok(Some(credit::change(&kinds, Change::Refund).map(|_| c)))
}

/// Closes an available credit as REFUNDED: the school pays the missed
/// lesson back instead of a make-up. `Ok(None)` when the credit is not
/// the school's.
pub async fn refund(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    credit_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<std::result::Result<makeup_credit::Model, CreditError>>> {
    if crate::repo::find::<makeup_credit::Entity>(tx, school, credit_id)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    Ok(Some(
        apply(tx, school, credit_id, Change::Refund, None, now).await?,
    ))
}

/// Writes EXPIRED entries for available credits past their expiry, in
/// one transaction (the job's work; expiry is also checked at use).
/// Returns how many expired.
pub async fn expire_due(db: &crate::Db, now: DateTime<Utc>) -> Result<u64> {
    let tx = db.begin_write().await?;
    // Candidates by the latest date anywhere (UTC+14), so a school ahead
    // of UTC is not a day late; each school's own date decides below.
    let latest = (now + chrono::Duration::hours(14)).date_naive();
    let n = expire_due_in(&tx, latest, now).await?;
    tx.commit().await?;
    Ok(n)
}

async fn expire_due_in(
    tx: &impl ConnectionTrait,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<u64> {
    use sea_orm::sea_query::ExprTrait;
    // Only credits past their date whose own entries still sum to one
    // (available). The sum is grouped over the ledger; an index on
    // `credit_entries.credit_id` keeps it to a scan of that index.
    let open = sea_orm::sea_query::Query::select()
        .column(credit_entry::Column::CreditId)
        .from(credit_entry::Entity)
        .group_by_col(credit_entry::Column::CreditId)
        .and_having(
            sea_orm::sea_query::Expr::expr(sea_orm::sea_query::Func::sum(
                sea_orm::sea_query::Expr::col(credit_entry::Column::Amount),
            ))
            .gt(0),
        )
        .to_owned();
    let due = makeup_credit::Entity::find()
        .filter(makeup_credit::Column::ExpiresOn.lt(today))
        .filter(makeup_credit::Column::Id.in_subquery(open))
        .all(tx)
        .await?;
    let mut n = 0;
    let mut zones: HashMap<Uuid, kernel::TimeZone> = HashMap::new();
    for c in due {
        let school = SchoolId::from_uuid(c.school_id);
        let zone = match zones.get(&c.school_id) {
            Some(z) => *z,
            None => {
                let z = crate::booking::rows::school_zone(tx, school).await?;
                zones.insert(c.school_id, z);
                z
            }
        };
        if c.expires_on >= zone.local_date(now) {
            continue;
        }
        // Locked, then read again: a make-up booked with it meanwhile
        // wins, and two jobs never both expire it.
        makeup_credit::Entity::find_by_id(c.id)
            .lock_exclusive()
            .one(tx)
            .await?;
        let kinds = entries_of(tx, school, [c.id])
            .await?
            .remove(&c.id)
            .unwrap_or_default();
        if let Ok(kind) = credit::change(&kinds, Change::Expire) {
            entry(tx, &c, kind, None, now).await?;
            n += 1;
        }
    }
    Ok(n)
}
