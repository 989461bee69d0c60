//! Installments collected through invoices (`billing::installment`
//! decides the status): an installment is invoiced once (again only after
//! its invoice is voided), follows its invoice's payments in the same
//! transaction, and is marked OVERDUE by the job in [`crate::overdue`].
//!
//! Lock order, as in every payment: the invoice, then its installment.

use ::billing::InvoiceStatus;
use ::billing::installment::{self, InstallmentError, InstallmentStatus, Invoicing};
use chrono::{DateTime, Utc};
use kernel::{FamilyId, SchoolId, StudentId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::billing::{BillTo, NewInvoice};
use crate::entity::{
    family_member, invoice, programme, subscription, subscription_installment as row,
};
use crate::{InfraError, Result};

/// An installment's stored status.
pub fn status(i: &row::Model) -> Result<InstallmentStatus> {
    crate::stored(
        "subscription_installments",
        &i.status,
        InstallmentStatus::parse,
    )
}

/// Invoices an installment: an OPEN invoice issued today, due on the
/// installment's date (or today, if that has passed), billed to the
/// student's family (or the student), with one line. Asking again while
/// that invoice is live returns it: an installment is collected once.
/// `Ok(None)` when the installment is not the school's.
pub async fn invoice(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<std::result::Result<(row::Model, invoice::Model), InstallmentError>>> {
    // The subscription first, as a freeze takes it: an invoice made now
    // is then seen by a freeze that moves its installment.
    let Some(found) = crate::repo::find::<row::Entity>(tx, school, id).await? else {
        return Ok(None);
    };
    subscription::Entity::find()
        .filter(subscription::Column::SchoolId.eq(school.uuid()))
        .filter(subscription::Column::Id.eq(found.subscription_id))
        .lock_exclusive()
        .one(tx)
        .await?;
    let inst = row::Entity::find()
        .filter(row::Column::SchoolId.eq(school.uuid()))
        .filter(row::Column::Id.eq(found.id))
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| gone("subscription_installments", found.id))?;
    let live = match inst.invoice_id {
        Some(existing) => {
            let inv = crate::repo::find::<invoice::Entity>(tx, school, existing)
                .await?
                .ok_or_else(|| gone("invoices", existing))?;
            (crate::billing::status(&inv)? != InvoiceStatus::Void).then_some(inv)
        }
        None => None,
    };
    match installment::invoicing(status(&inst)?, live.is_some()) {
        Err(e) => return Ok(Some(Err(e))),
        Ok(Invoicing::Existing) => {
            if let Some(inv) = live {
                return Ok(Some(Ok((inst, inv))));
            }
        }
        Ok(Invoicing::New) => {}
    }
    let sub = crate::repo::find::<subscription::Entity>(tx, school, inst.subscription_id)
        .await?
        .ok_or_else(|| gone("subscriptions", inst.subscription_id))?;
    let name = crate::repo::find::<programme::Entity>(tx, school, sub.programme_id)
        .await?
        .ok_or_else(|| gone("programmes", sub.programme_id))?
        .name;
    let family = family_member::Entity::find()
        .filter(family_member::Column::SchoolId.eq(school.uuid()))
        .filter(family_member::Column::StudentId.eq(sub.student_id))
        .order_by_asc(family_member::Column::Id)
        .one(tx)
        .await?;
    let bill_to = match family {
        Some(m) => BillTo::Family(FamilyId::from_uuid(m.family_id)),
        None => BillTo::Student(StudentId::from_uuid(sub.student_id)),
    };
    let today = crate::booking::rows::school_zone(tx, school)
        .await?
        .local_date(now);
    let line = installment::line(&name, inst.due_date, inst.amount_minor);
    let lines = match ::billing::invoice::lines(&[line]) {
        Ok(l) => l,
        Err(e) => return Ok(Some(Err(e.into()))),
    };
    let total = match ::billing::invoice::billable_total(&lines) {
        Ok(t) => t,
        Err(e) => return Ok(Some(Err(e.into()))),
    };
    let new = NewInvoice {
        bill_to,
        lines,
        bookings: Vec::new(),
        total_minor: total,
        due: installment::invoice_due(inst.due_date, today),
        notes: None,
        currency: crate::booking::rows::school_currency(tx, school).await?,
    };
    let draft = crate::billing::create_invoice(tx, school, new, now).await?;
    let inv = match crate::billing::issue(tx, draft, today, now).await? {
        Ok(inv) => inv,
        Err(e) => return Ok(Some(Err(e.into()))),
    };
    let mut active = inst.into_active_model();
    active.invoice_id = Set(Some(inv.id));
    active.paid_minor = Set(0);
    let inst = active.update(tx).await?;
    Ok(Some(Ok((inst, inv))))
}

/// After an invoice's payments changed (`inv` re-totalled and still
/// locked): its installment takes the paid amount and the status it
/// implies. A voided invoice no longer collects anything.
pub(crate) async fn follow(tx: &impl ConnectionTrait, inv: &invoice::Model) -> Result<()> {
    if crate::billing::status(inv)? == InvoiceStatus::Void {
        return Ok(());
    }
    for inst in linked(tx, inv).await? {
        let to = status(&inst)?.settle(inv.paid_minor, inst.amount_minor);
        let mut active = inst.into_active_model();
        active.paid_minor = Set(inv.paid_minor);
        active.status = Set(to.as_str().to_owned());
        active.update(tx).await?;
    }
    Ok(())
}

/// After an invoice was voided: its installment is uninvoiced again, so
/// the office can collect it with a new invoice.
pub(crate) async fn release(tx: &impl ConnectionTrait, inv: &invoice::Model) -> Result<()> {
    row::Entity::update_many()
        .col_expr(
            row::Column::InvoiceId,
            sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            row::Column::PaidMinor,
            sea_orm::sea_query::Expr::value(0i64),
        )
        .filter(row::Column::SchoolId.eq(inv.school_id))
        .filter(row::Column::InvoiceId.eq(inv.id))
        .exec(tx)
        .await?;
    Ok(())
}

async fn linked(tx: &impl ConnectionTrait, inv: &invoice::Model) -> Result<Vec<row::Model>> {
    Ok(row::Entity::find()
        .filter(row::Column::SchoolId.eq(inv.school_id))
        .filter(row::Column::InvoiceId.eq(inv.id))
        .all(tx)
        .await?)
}

/// Locks the live invoices collecting a subscription's unpaid
/// installments, before those installments move (a freeze): invoice
/// first, then installment, the order payments take.
pub(crate) async fn lock_invoices_of(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    subscription: Uuid,
) -> Result<Vec<invoice::Model>> {
    let ids: Vec<Option<Uuid>> = row::Entity::find()
        .select_only()
        .column(row::Column::InvoiceId)
        .filter(row::Column::SchoolId.eq(school.uuid()))
        .filter(row::Column::SubscriptionId.eq(subscription))
        .filter(row::Column::InvoiceId.is_not_null())
        .filter(row::Column::Status.ne(InstallmentStatus::Paid.as_str()))
        .into_tuple()
        .all(tx)
        .await?;
    let ids: Vec<Uuid> = ids.into_iter().flatten().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(invoice::Entity::find()
        .filter(invoice::Column::SchoolId.eq(school.uuid()))
        .filter(invoice::Column::Id.is_in(ids))
        .order_by_asc(invoice::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?)
}

fn gone(table: &'static str, id: Uuid) -> InfraError {
    InfraError::Corrupt {
        table,
        detail: format!("{id} is referenced but gone"),
    }
}
