//! The overdue job: marks OPEN invoices and PENDING installments past
//! their due date (in each school's own zone) as OVERDUE. It writes only
//! what `InvoiceStatus::as_of` / `InstallmentStatus::as_of` already say on
//! read, so a late or skipped run changes nothing anyone sees; the stored
//! mark is for the office's lists and for notifications.
//!
//! Rows are locked `FOR UPDATE SKIP LOCKED` in id order before each
//! update, which re-checks the status and the due date: a payment or a
//! freeze holding a row wins (the row is marked on a later run if still
//! due), and any number of workers may run it at once without waiting on
//! or deadlocking each other.

use std::collections::{BTreeMap, HashMap};

use ::billing::{InstallmentStatus, InvoiceStatus};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use kernel::SchoolId;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Result;
use crate::entity::{invoice, subscription_installment as installment};

/// What one run marked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marked {
    /// Invoices now OVERDUE.
    pub invoices: u64,
    /// Installments now OVERDUE.
    pub installments: u64,
}

/// Marks what is overdue as of `now`, in one transaction.
pub async fn mark(db: &crate::Db, now: DateTime<Utc>) -> Result<Marked> {
    let tx = db.begin_write().await?;
    // Candidates by the latest date anywhere (UTC+14); each school's own
    // date decides below.
    let latest = (now + Duration::hours(14)).date_naive();
    let invoices: Vec<(Uuid, Uuid, NaiveDate)> = invoice::Entity::find()
        .select_only()
        .columns([
            invoice::Column::Id,
            invoice::Column::SchoolId,
            invoice::Column::DueDate,
        ])
        .filter(invoice::Column::Status.eq(InvoiceStatus::Open.as_str()))
        .filter(invoice::Column::DueDate.lt(latest))
        .into_tuple()
        .all(&tx)
        .await?;
    let installments: Vec<(Uuid, Uuid, NaiveDate)> = installment::Entity::find()
        .select_only()
        .columns([
            installment::Column::Id,
            installment::Column::SchoolId,
            installment::Column::DueDate,
        ])
        .filter(installment::Column::Status.eq(InstallmentStatus::Pending.as_str()))
        .filter(installment::Column::DueDate.lt(latest))
        .into_tuple()
        .all(&tx)
        .await?;
    let mut today: HashMap<Uuid, NaiveDate> = HashMap::new();
    for (_, school, _) in invoices.iter().chain(&installments) {
        if !today.contains_key(school) {
            let zone = crate::booking::rows::school_zone(&tx, SchoolId::from_uuid(*school)).await?;
            today.insert(*school, zone.local_date(now));
        }
    }
    // Per school (in id order), the rows still due are locked in id order,
    // skipping any a payment, a freeze or another worker holds (marked on
    // a later run), then updated: workers never wait on each other nor
    // lock in opposite orders, and each update re-checks status and date.
    let late = |rows: &[(Uuid, Uuid, NaiveDate)]| -> BTreeMap<Uuid, Vec<Uuid>> {
        let mut by_school: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        for (id, school, due) in rows {
            if today.get(school).is_some_and(|t| t > due) {
                by_school.entry(*school).or_default().push(*id);
            }
        }
        for ids in by_school.values_mut() {
            ids.sort();
        }
        by_school
    };
    let mut marked = Marked::default();
    for (school, ids) in late(&invoices) {
        let day = today[&school];
        for ids in ids.chunks(500) {
            let free: Vec<Uuid> = invoice::Entity::find()
                .select_only()
                .column(invoice::Column::Id)
                .filter(invoice::Column::SchoolId.eq(school))
                .filter(invoice::Column::Id.is_in(ids.iter().copied()))
                .filter(invoice::Column::Status.eq(InvoiceStatus::Open.as_str()))
                .filter(invoice::Column::DueDate.lt(day))
                .order_by_asc(invoice::Column::Id)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .into_tuple()
                .all(&tx)
                .await?;
            if free.is_empty() {
                continue;
            }
            marked.invoices += invoice::Entity::update_many()
                .col_expr(
                    invoice::Column::Status,
                    Expr::value(InvoiceStatus::Overdue.as_str()),
                )
                .filter(invoice::Column::Id.is_in(free))
                .filter(invoice::Column::Status.eq(InvoiceStatus::Open.as_str()))
                .filter(invoice::Column::DueDate.lt(day))
                .exec(&tx)
                .await?
                .rows_affected;
        }
    }
    for (school, ids) in late(&installments) {
        let day = today[&school];
        for ids in ids.chunks(500) {
            let free: Vec<Uuid> = installment::Entity::find()
                .select_only()
                .column(installment::Column::Id)
                .filter(installment::Column::SchoolId.eq(school))
                .filter(installment::Column::Id.is_in(ids.iter().copied()))
                .filter(installment::Column::Status.eq(InstallmentStatus::Pending.as_str()))
                .filter(installment::Column::DueDate.lt(day))
                .order_by_asc(installment::Column::Id)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .into_tuple()
                .all(&tx)
                .await?;
            if free.is_empty() {
                continue;
            }
            marked.installments += installment::Entity::update_many()
                .col_expr(
                    installment::Column::Status,
                    Expr::value(InstallmentStatus::Overdue.as_str()),
                )
                .filter(installment::Column::Id.is_in(free))
                .filter(installment::Column::Status.eq(InstallmentStatus::Pending.as_str()))
                .filter(installment::Column::DueDate.lt(day))
                .exec(&tx)
                .await?
                .rows_affected;
        }
    }
    tx.commit().await?;
    Ok(marked)
}
