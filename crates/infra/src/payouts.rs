//! Teacher payouts: what a teacher delivered in a period, read from
//! sessions they led or assisted, 1-on-1 lessons, and attendance
//! (`billing::payout` prices it), stored as a payout with its lines, one
//! per teacher and period.

use std::collections::HashMap;

use ::billing::credit::{self, StatusRule};
use ::billing::payout::{self, Delivered, PayBasis, PayLine, PayoutStatus, Period};
use booking::attendance::Mark;
use chrono::{DateTime, Utc};
use kernel::{SchoolId, TimeZone, resolve_local};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::{
    attendance, booking as booking_row, offering, payout as payout_row, payout_line, session,
    staff_assignment, teacher,
};
use crate::{Result, new_id};

/// Why a payout could not be computed or moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayoutError {
    /// The teacher has no pay rate.
    #[error("{0} has no pay rate; set payRateMinor and payBasis with updateTeacherProfile first")]
    NoRate(String),
    /// The payout was already sent.
    #[error("the payout for {0} is already {1}; it can no longer be recomputed")]
    Sent(String, &'static str),
    /// A status change the lifecycle refuses.
    #[error("{0}")]
    Transition(#[from] payout::PayoutTransition),
}

/// What a payslip line pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A session the teacher led or assisted.
    Session(Uuid),
    /// A 1-on-1 lesson (a booking with no session).
    Lesson(Uuid),
}

/// What `teacher` delivered in `period` (in `zone`), as of `now`, in
/// time order: sessions they led, sessions they assisted or co-taught
/// (a staff assignment), and 1-on-1 lessons; each ended, not cancelled,
/// with attendance taken, and with the students whose status says the
/// teacher is paid.
pub async fn delivered(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Uuid,
    period: Period,
    zone: TimeZone,
    now: DateTime<Utc>,
) -> Result<Vec<(Source, Delivered)>> {
    let (first, next) = period.days();
    let midnight = chrono::NaiveTime::MIN;
    let from = resolve_local(first, midnight, zone);
    let to = resolve_local(next, midnight, zone);
    let staffed = Query::select()
        .column(staff_assignment::Column::SessionId)
        .from(staff_assignment::Entity)
        .and_where(staff_assignment::Column::SchoolId.eq(school.uuid()))
        .and_where(staff_assignment::Column::TeacherId.eq(teacher))
        .and_where(staff_assignment::Column::SessionId.is_not_null())
        .to_owned();
    let sessions = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(
            Condition::any()
                .add(session::Column::TeacherId.eq(teacher))
                .add(session::Column::Id.in_subquery(staffed)),
        )
        .filter(session::Column::StartsAt.gte(from))
        .filter(session::Column::StartsAt.lt(to))
        .filter(session::Column::EndsAt.lte(now))
        .filter(session::Column::Status.is_not_in(scheduling::SessionStatus::cancelled_names()))
        .order_by_asc(session::Column::StartsAt)
        .all(conn)
        .await?;
    let roles: HashMap<Uuid, String> = if sessions.iter().any(|s| s.teacher_id != Some(teacher)) {
        staff_assignment::Entity::find()
            .filter(staff_assignment::Column::SchoolId.eq(school.uuid()))
            .filter(staff_assignment::Column::TeacherId.eq(teacher))
            .filter(staff_assignment::Column::SessionId.is_in(sessions.iter().map(|s| s.id)))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|a| a.session_id.map(|s| (s, a.kind)))
            .collect()
    } else {
        HashMap::new()
    };
    let marks: HashMap<Uuid, Vec<attendance::Model>> =
        crate::repo::by_sessions::<attendance::Entity>(conn, school, sessions.iter().map(|s| s.id))
            .await?;
    let statuses = crate::credits::statuses(conn, school).await?;
    // A code the school has since removed falls back to its mark.
    let paid = |mark: &str, code: Option<&str>| -> Result<bool> {
        let mark = crate::stored("attendance", mark, Mark::parse)?;
        Ok(credit::rule_for(&statuses, mark, code)
            .unwrap_or_else(|_| StatusRule::default_for(mark))
            .teacher_paid)
    };
    let mut out = Vec::with_capacity(sessions.len());
    for s in sessions {
        let mut payable = 0;
        for m in marks.get(&s.id).into_iter().flatten() {
            if paid(&m.status, m.code.as_deref())? {
                payable += 1;
            }
        }
        let zone_of = crate::booking::rows::session_zone(&s)?;
        let title = crate::booking::rows::offering_of(conn, school, &s)
            .await?
            .map(|o| o.title)
            .unwrap_or_else(|| "Session".to_owned());
        let role = if s.teacher_id == Some(teacher) {
            ""
        } else if roles.get(&s.id).map(String::as_str) == Some(crate::staff::ASSISTANT) {
            " (assistant)"
        } else {
            " (co-instructor)"
        };
        let d = Delivered {
            // Date first: the payslip lists its lines in this order.
            description: format!(
                "{} {title}{role}",
                zone_of.local(s.starts_at).format("%Y-%m-%d %H:%M")
            ),
            minutes: (s.ends_at - s.starts_at).num_minutes(),
            payable_students: payable,
        };
        out.push((s.starts_at, Source::Session(s.id), d));
    }
    let lessons = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::TeacherId.eq(teacher))
        .filter(booking_row::Column::SessionId.is_null())
        .filter(booking_row::Column::StartsAt.gte(from))
        .filter(booking_row::Column::StartsAt.lt(to))
        .filter(booking_row::Column::EndsAt.lte(now))
        .filter(booking_row::Column::Status.is_in([
            ::booking::BookingStatus::Attended.as_str(),
            ::booking::BookingStatus::NoShow.as_str(),
        ]))
        .filter(booking_row::Column::AttendanceMark.is_not_null())
        .order_by_asc(booking_row::Column::StartsAt)
        .all(conn)
        .await?;
    let titles: HashMap<Uuid, String> = if lessons.is_empty() {
        HashMap::new()
    } else {
        offering::Entity::find()
            .filter(offering::Column::SchoolId.eq(school.uuid()))
            .filter(offering::Column::Id.is_in(lessons.iter().filter_map(|b| b.offering_id)))
            .all(conn)
            .await?
            .into_iter()
            .map(|o| (o.id, o.title))
            .collect()
    };
    for b in lessons {
        let Some(mark) = b.attendance_mark.as_deref() else {
            continue;
        };
        let title = b
            .offering_id
            .and_then(|o| titles.get(&o).cloned())
            .unwrap_or_else(|| "Lesson".to_owned());
        let d = Delivered {
            description: format!(
                "{} {title} (1-on-1)",
                zone.local(b.starts_at).format("%Y-%m-%d %H:%M")
            ),
            minutes: (b.ends_at - b.starts_at).num_minutes(),
            payable_students: u32::from(paid(mark, None)?),
        };
        out.push((b.starts_at, Source::Lesson(b.id), d));
    }
    out.sort_by_key(|(at, _, _)| *at);
    Ok(out.into_iter().map(|(_, src, d)| (src, d)).collect())
}

/// Computes (or recomputes, while PENDING) `teacher`'s payout for
/// `period`, with one line per paid session.
pub async fn compute(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    t: &teacher::Model,
    period: Period,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(payout_row::Model, Vec<payout_line::Model>), PayoutError>> {
    let name = format!("{} {}", t.first_name, t.last_name);
    let (Some(rate), Some(basis)) = (
        t.pay_rate_minor,
        t.pay_basis.as_deref().and_then(PayBasis::parse),
    ) else {
        return Ok(Err(PayoutError::NoRate(name)));
    };
    let zone = crate::booking::rows::school_zone(tx, school).await?;
    // The teacher's row serialises computations of their payouts, so two
    // at once never both insert the month's payout.
    crate::booking::rows::lock_teacher(tx, school, kernel::TeacherId::from_uuid(t.id)).await?;
    let existing = payout_row::Entity::find()
        .filter(payout_row::Column::SchoolId.eq(school.uuid()))
        .filter(payout_row::Column::TeacherId.eq(t.id))
        .filter(payout_row::Column::Period.eq(period.label()))
        .lock_exclusive()
        .one(tx)
        .await?;
    if let Some(p) = &existing {
        let status = crate::stored("payouts", &p.status, PayoutStatus::parse)?;
        if !status.recomputable() {
            return Ok(Err(PayoutError::Sent(period.label(), status.as_str())));
        }
    }
    let sessions = delivered(tx, school, t.id, period, zone, now).await?;
    let priced: Vec<(Source, PayLine)> = sessions
        .iter()
        .flat_map(|(src, d)| {
            payout::lines(rate, basis, std::slice::from_ref(d))
                .into_iter()
                .map(|l| (*src, l))
        })
        .collect();
    let total = payout::total(&priced.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>());
    let currency = crate::booking::rows::school_currency(tx, school).await?;
    let row = match existing {
        Some(p) => {
            payout_line::Entity::delete_many()
                .filter(payout_line::Column::PayoutId.eq(p.id))
                .exec(tx)
                .await?;
            let mut m = p.into_active_model();
            m.amount_minor = Set(total);
            m.update(tx).await?
        }
        None => {
            payout_row::ActiveModel {
                id: Set(new_id()),
                school_id: Set(school.uuid()),
                teacher_id: Set(t.id),
                period: Set(period.label()),
                amount_minor: Set(total),
                currency: Set(currency.as_str().to_owned()),
                status: Set(PayoutStatus::Pending.as_str().to_owned()),
                created_at: Set(now),
                paid_at: Set(None),
            }
            .insert(tx)
            .await?
        }
    };
    let lines: Vec<payout_line::ActiveModel> = priced
        .into_iter()
        .map(|(src, l)| payout_line::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            payout_id: Set(row.id),
            session_id: Set(match src {
                Source::Session(s) => Some(s),
                Source::Lesson(_) => None,
            }),
            booking_id: Set(match src {
                Source::Lesson(b) => Some(b),
                Source::Session(_) => None,
            }),
            description: Set(l.description),
            quantity: Set(l.quantity.clamp(0, i64::from(i32::MAX)) as i32),
            amount_minor: Set(l.amount_minor),
        })
        .collect();
    if !lines.is_empty() {
        payout_line::Entity::insert_many(lines).exec(tx).await?;
    }
    let lines = lines_of(tx, school, [row.id])
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(Ok((row, lines)))
}

/// Moves a payout of the school along its lifecycle.
pub async fn set_status(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
    to: PayoutStatus,
    now: DateTime<Utc>,
) -> Result<Option<std::result::Result<payout_row::Model, PayoutError>>> {
    let Some(p) = payout_row::Entity::find()
        .filter(payout_row::Column::SchoolId.eq(school.uuid()))
        .filter(payout_row::Column::Id.eq(id))
        .lock_exclusive()
        .one(tx)
        .await?
    else {
        return Ok(None);
    };
    let from = crate::stored("payouts", &p.status, PayoutStatus::parse)?;
    if let Err(e) = payout::transition(from, to) {
        return Ok(Some(Err(e.into())));
    }
    let mut m = p.into_active_model();
    m.status = Set(to.as_str().to_owned());
    if to == PayoutStatus::Completed {
        m.paid_at = Set(Some(now));
    }
    Ok(Some(Ok(m.update(tx).await?)))
}

/// Lines of these payouts, grouped by payout.
pub async fn lines_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    payouts: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<payout_line::Model>>> {
    crate::repo::grouped::<payout_line::Entity>(
        conn,
        school,
        payout_line::Column::PayoutId,
        |l| l.payout_id,
        payouts,
        (payout_line::Column::Description, sea_orm::Order::Asc),
    )
    .await
}

/// A stored payout's status.
pub fn status(p: &payout_row::Model) -> Result<PayoutStatus> {
    crate::stored("payouts", &p.status, PayoutStatus::parse)
}

/// A teacher's payouts, newest period first.
pub async fn of_teacher(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Uuid,
) -> Result<Vec<payout_row::Model>> {
    Ok(payout_row::Entity::find()
        .filter(payout_row::Column::SchoolId.eq(school.uuid()))
        .filter(payout_row::Column::TeacherId.eq(teacher))
        .order_by_desc(payout_row::Column::Period)
        .all(conn)
        .await?)
}
