//! Monthly invoicing: a month's billable bookings, read with their
//! attendance and families (`billing::monthly` groups them), and the
//! drafts written with each line linked to its booking (a unique key: a
//! booking is billed once).

use std::collections::HashMap;

use ::billing::credit::{self, StatusRule};
use ::billing::monthly::{self, Billable, Draft, Payer};
use ::billing::payout::Period;
use booking::attendance::Mark;
use chrono::{DateTime, NaiveDate, Utc};
use kernel::{FamilyId, SchoolId, StudentId, TimeZone, resolve_local};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::billing::{BillTo, NewInvoice};
use crate::entity::{
    attendance, booking as booking_row, family_member, invoice, invoice_line, offering, school,
};
use crate::{InfraError, Result};

/// The billable bookings of `period` (lessons starting in that month in
/// `zone`), oldest first.
pub async fn billables(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    period: Period,
    zone: TimeZone,
) -> Result<Vec<Billable>> {
    let (first, next) = period.days();
    let from = resolve_local(first, chrono::NaiveTime::MIN, zone);
    let to = resolve_local(next, chrono::NaiveTime::MIN, zone);
    // Bookings already on a live invoice are billed.
    let live = Query::select()
        .column(invoice::Column::Id)
        .from(invoice::Entity)
        .and_where(invoice::Column::SchoolId.eq(school.uuid()))
        .and_where(invoice::Column::Status.ne(::billing::InvoiceStatus::Void.as_str()))
        .to_owned();
    let billed = Query::select()
        .column(invoice_line::Column::BookingId)
        .from(invoice_line::Entity)
        .and_where(invoice_line::Column::SchoolId.eq(school.uuid()))
        .and_where(invoice_line::Column::BookingId.is_not_null())
        .and_where(invoice_line::Column::InvoiceId.in_subquery(live))
        .to_owned();
    let bookings = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::StartsAt.gte(from))
        .filter(booking_row::Column::StartsAt.lt(to))
        .filter(booking_row::Column::Status.is_in(["CONFIRMED", "ATTENDED", "NO_SHOW"]))
        .filter(booking_row::Column::PriceMinor.gt(0))
        .filter(booking_row::Column::Id.not_in_subquery(billed))
        .order_by_asc(booking_row::Column::StartsAt)
        .all(conn)
        .await?;
    if bookings.is_empty() {
        return Ok(Vec::new());
    }
    let sessions: Vec<Uuid> = bookings.iter().filter_map(|b| b.session_id).collect();
    let marks: HashMap<(Uuid, Uuid), attendance::Model> =
        crate::repo::by_sessions::<attendance::Entity>(conn, school, sessions)
            .await?
            .into_values()
            .flatten()
            .map(|a| ((a.session_id, a.student_id), a))
            .collect();
    let statuses = crate::credits::statuses(conn, school).await?;
    let rule = |mark: &str, code: Option<&str>| -> Result<StatusRule> {
        let mark = crate::stored("attendance", mark, Mark::parse)?;
        Ok(credit::rule_for(&statuses, mark, code)
            .unwrap_or_else(|_| StatusRule::default_for(mark)))
    };
    let students: Vec<Uuid> = bookings.iter().map(|b| b.student_id).collect();
    let families: HashMap<Uuid, Uuid> = family_member::Entity::find()
        .filter(family_member::Column::SchoolId.eq(school.uuid()))
        .filter(family_member::Column::StudentId.is_in(students))
        .order_by_asc(family_member::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|m| m.student_id.map(|s| (s, m.family_id)))
        .collect();
    let titles: HashMap<Uuid, String> = crate::repo::by_ids::<offering::Entity>(
        conn,
        school,
        bookings.iter().filter_map(|b| b.offering_id),
    )
    .await?
    .into_iter()
    .map(|(id, o)| (id, o.title))
    .collect();
    let mut out = Vec::with_capacity(bookings.len());
    for b in bookings {
        let billed = match (b.session_id, &b.attendance_mark) {
            (Some(s), _) => match marks.get(&(s, b.student_id)) {
                Some(a) => rule(&a.status, a.code.as_deref())?.billed,
                None => true,
            },
            (None, Some(m)) => rule(m, None)?.billed,
            (None, None) => true,
        };
        let title = b
            .offering_id
            .and_then(|o| titles.get(&o).cloned())
            .unwrap_or_else(|| "Lesson".to_owned());
        let when = zone.local(b.starts_at).format("%Y-%m-%d %H:%M");
        let seats = if b.seats > 1 {
            format!(" ({} seats)", b.seats)
        } else {
            String::new()
        };
        out.push(Billable {
            booking: b.id,
            student: b.student_id,
            family: families.get(&b.student_id).copied(),
            description: format!("{when} {title}{seats}"),
            amount_minor: b.price_minor.unwrap_or(0),
            billed,
        });
    }
    Ok(out)
}

/// The drafts monthly invoicing would create for `period`.
pub async fn preview(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    period: Period,
) -> Result<Vec<Draft>> {
    let zone = crate::booking::rows::school_zone(conn, school).await?;
    Ok(monthly::drafts(
        billables(conn, school, period, zone).await?,
    ))
}

/// Creates the month's DRAFT invoices, one per payer, each line linked to
/// its booking. The school's row is locked first, so two runs at once
/// queue, and the second finds the bookings billed.
pub async fn create_monthly(
    tx: &impl ConnectionTrait,
    school_id: SchoolId,
    period: Period,
    due: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<invoice::Model>> {
    school::Entity::find_by_id(school_id.uuid())
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| InfraError::Corrupt {
            table: "schools",
            detail: format!("school {school_id} is gone"),
        })?;
    let drafts = preview(tx, school_id, period).await?;
    let currency = crate::booking::rows::school_currency(tx, school_id).await?;
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        let bill_to = match d.payer {
            Payer::Family(f) => BillTo::Family(FamilyId::from_uuid(f)),
            Payer::Student(s) => BillTo::Student(StudentId::from_uuid(s)),
        };
        let (bookings, lines): (Vec<Uuid>, Vec<_>) = d.lines.into_iter().unzip();
        let new = NewInvoice {
            bill_to,
            lines,
            bookings: bookings.into_iter().map(Some).collect(),
            total_minor: d.total_minor,
            due,
            notes: Some(format!("Lessons in {}", period.label())),
            currency,
        };
        out.push(crate::billing::create_invoice(tx, school_id, new, now).await?);
    }
    Ok(out)
}
