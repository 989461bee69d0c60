//! Teacher payouts: what a teacher delivered in a period, read from
//! sessions and attendance (`billing::payout` prices it), stored as a
//! payout with its lines, one per teacher and period.

use std::collections::HashMap;

use ::billing::credit::{self, StatusRule};
use ::billing::payout::{self, Delivered, PayBasis, PayLine, PayoutStatus, Period};
use booking::attendance::Mark;
use chrono::{DateTime, Utc};
use kernel::{SchoolId, TimeZone, resolve_local};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::{attendance, payout as payout_row, payout_line, session, teacher};
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

/// The sessions `teacher` delivered in `period` (in `zone`), as of `now`,
/// with the students each pays for.
pub async fn delivered(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Uuid,
    period: Period,
    zone: TimeZone,
    now: DateTime<Utc>,
) -> Result<Vec<(session::Model, Delivered)>> {
    let (first, next) = period.days();
    let midnight = chrono::NaiveTime::MIN;
    let from = resolve_local(first, midnight, zone);
    let to = resolve_local(next, midnight, zone);
    let sessions = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::TeacherId.eq(teacher))
        .filter(session::Column::StartsAt.gte(from))
        .filter(session::Column::StartsAt.lt(to))
        .filter(session::Column::EndsAt.lte(now))
        .filter(session::Column::Status.is_not_in(scheduling::SessionStatus::cancelled_names()))
        .order_by_asc(session::Column::StartsAt)
        .all(conn)
        .await?;
    let marks: HashMap<Uuid, Vec<attendance::Model>> =
        crate::repo::by_sessions::<attendance::Entity>(conn, school, sessions.iter().map(|s| s.id))
            .await?;
    let statuses = crate::credits::statuses(conn, school).await?;
    let mut out = Vec::with_capacity(sessions.len());
    for s in sessions {
        let mut payable = 0;
        for m in marks.get(&s.id).into_iter().flatten() {
            let mark = crate::stored("attendance", &m.status, Mark::parse)?;
            // A code the school has since removed falls back to its mark.
            let rule: StatusRule = credit::rule_for(&statuses, mark, m.code.as_deref())
                .unwrap_or_else(|_| StatusRule::default_for(mark));
            if rule.teacher_paid {
                payable += 1;
            }
        }
        let zone_of = crate::booking::rows::session_zone(&s)?;
        let title = crate::booking::rows::offering_of(conn, school, &s)
            .await?
            .map(|o| o.title)
            .unwrap_or_else(|| "Session".to_owned());
        let d = Delivered {
            // Date first: the payslip lists its lines in this order.
            description: format!(
                "{} {title}",
                zone_of.local(s.starts_at).format("%Y-%m-%d %H:%M")
            ),
            minutes: (s.ends_at - s.starts_at).num_minutes(),
            payable_students: payable,
        };
        out.push((s, d));
    }
    Ok(out)
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
    let priced: Vec<(Uuid, PayLine)> = sessions
        .iter()
        .flat_map(|(s, d)| {
            payout::lines(rate, basis, std::slice::from_ref(d))
                .into_iter()
                .map(|l| (s.id, l))
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
        .map(|(sid, l)| payout_line::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            payout_id: Set(row.id),
            session_id: Set(Some(sid)),
            booking_id: Set(None),
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
