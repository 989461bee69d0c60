//! Refunds of payments, each a row of the `payment_refunds` ledger beside
//! the payment's refunded total (`billing::payment::refund` decides the
//! amount and the status). A card payment is refunded at Stripe first,
//! outside any transaction ([`attempt`] says what to ask for); Stripe's
//! refund id is unique in the ledger, so a refund Stripe made once is
//! recorded once however often the request is retried or raced.

use ::billing::payment::{self as money, PaymentError, PaymentMethod};
use chrono::{DateTime, Utc};
use kernel::{SchoolId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use uuid::Uuid;

use crate::billing::{lock_payment, payment_method, payment_status, settle};
use crate::entity::{family_member, invoice, payment, payment_refund};
use crate::{Result, new_id};

/// What refunding a payment takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Money given back by hand (cash, transfer): recorded here only.
    Local,
    /// A card payment: Stripe refunds `amount` of `intent` first.
    Card {
        /// The PaymentIntent.
        intent: String,
        /// The amount to refund, in minor units.
        amount: i64,
        /// What was refunded before (part of Stripe's idempotency key, so
        /// two identical requests made at once ask Stripe for one refund).
        refunded_before: i64,
    },
}

/// Reads (without locking) what refunding `ask` of a payment takes, or
/// why it may not; the transaction that records it checks again.
/// `Ok(None)` when the payment is not the school's.
pub async fn attempt(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    payment_id: Uuid,
    ask: Option<i64>,
) -> Result<Option<std::result::Result<Attempt, PaymentError>>> {
    let Some(p) = crate::repo::find::<payment::Entity>(conn, school, payment_id).await? else {
        return Ok(None);
    };
    let refunded = match money::refund(payment_status(&p)?, p.amount_minor, p.refunded_minor, ask) {
        Ok((refunded, _)) => refunded,
        Err(e) => return Ok(Some(Err(e))),
    };
    Ok(Some(Ok(
        match (payment_method(&p)?, p.stripe_payment_intent_id) {
            (PaymentMethod::Stripe, Some(intent)) => Attempt::Card {
                intent,
                amount: refunded - p.refunded_minor,
                refunded_before: p.refunded_minor,
            },
            _ => Attempt::Local,
        },
    )))
}

/// The `Idempotency-Key` Stripe gets for a refund: from the client's own
/// key when it sent one (a retry gets Stripe's first refund back), else
/// from the payment's state and the amount (two identical requests made
/// at once get one refund). `purpose` keeps apart refunds made for
/// different reasons from the same payment in the same state (a plain
/// refund, each credit paid back), which must not share one.
pub fn stripe_key(
    payment: Uuid,
    purpose: &str,
    client_key: Option<&str>,
    attempt: &Attempt,
) -> String {
    use sha2::{Digest, Sha256};
    let seed = match (client_key, attempt) {
        (Some(k), _) => format!("{purpose}|key:{k}"),
        (
            None,
            Attempt::Card {
                amount,
                refunded_before,
                ..
            },
        ) => format!("{purpose}|state:{refunded_before}:{amount}"),
        (None, Attempt::Local) => format!("{purpose}|local"),
    };
    let digest = hex::encode(Sha256::digest(seed.as_bytes()));
    format!("ostinato-refund-{payment}-{}", &digest[..32])
}

/// Whether a payment of the school was made on an invoice billed to
/// `student` or to a family `student` belongs to (money for one child is
/// not paid back against another's lesson). `Ok(None)` when the payment
/// is not the school's.
pub async fn paid_for(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    payment_id: Uuid,
    student: Uuid,
) -> Result<Option<bool>> {
    let Some(p) = crate::repo::find::<payment::Entity>(conn, school, payment_id).await? else {
        return Ok(None);
    };
    let Some(inv) = crate::repo::find::<invoice::Entity>(conn, school, p.invoice_id).await? else {
        return Ok(None);
    };
    if inv.student_id == Some(student) {
        return Ok(Some(true));
    }
    let Some(family) = inv.family_id else {
        return Ok(Some(false));
    };
    Ok(Some(
        family_member::Entity::find()
            .filter(family_member::Column::SchoolId.eq(school.uuid()))
            .filter(family_member::Column::FamilyId.eq(family))
            .filter(family_member::Column::StudentId.eq(student))
            .one(conn)
            .await?
            .is_some(),
    ))
}

/// A refund to record.
#[derive(Debug, Clone)]
pub struct NewRefund {
    /// How much (all that is left if `None`).
    pub ask: Option<i64>,
    /// Stripe's refund id, for a card payment refunded there.
    pub stripe_refund_id: Option<String>,
    /// Who asked.
    pub by: Option<UserId>,
}

/// Records a refund of a payment of the school, re-totals its invoice and
/// writes a ledger row. A Stripe refund already recorded answers with the
/// payment as it stands. `Ok(None)` when the payment is not the school's.
pub async fn record(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    payment_id: Uuid,
    new: NewRefund,
    now: DateTime<Utc>,
) -> Result<Option<std::result::Result<(payment::Model, invoice::Model), PaymentError>>> {
    let Some(p) = crate::repo::find::<payment::Entity>(tx, school, payment_id).await? else {
        return Ok(None);
    };
    let (inv, p) = lock_payment(tx, &p).await?;
    // Under the payment's lock, a twin request that recorded the same
    // Stripe refund has committed: answer with what it did.
    if let Some(id) = &new.stripe_refund_id {
        let seen = payment_refund::Entity::find()
            .filter(payment_refund::Column::SchoolId.eq(school.uuid()))
            .filter(payment_refund::Column::StripeRefundId.eq(id.as_str()))
            .one(tx)
            .await?;
        if seen.is_some() {
            return Ok(Some(Ok((p, inv))));
        }
    }
    let (refunded, to) = match money::refund(
        payment_status(&p)?,
        p.amount_minor,
        p.refunded_minor,
        new.ask,
    ) {
        Ok(r) => r,
        Err(e) => return Ok(Some(Err(e))),
    };
    // Card money goes back through Stripe, never on our books alone.
    if new.stripe_refund_id.is_none() && payment_method(&p)? == PaymentMethod::Stripe {
        return Ok(Some(Err(PaymentError::CardRefundNotSent)));
    }
    // ON CONFLICT DO NOTHING rather than catching the violation: a
    // PostgreSQL transaction that hit an error is unusable.
    let inserted = payment_refund::Entity::insert(payment_refund::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        payment_id: Set(p.id),
        amount_minor: Set(refunded - p.refunded_minor),
        stripe_refund_id: Set(new.stripe_refund_id.clone()),
        refunded_by: Set(new.by.map(UserId::uuid)),
        created_at: Set(now),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(payment_refund::Column::StripeRefundId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    if inserted == 0 {
        // Recorded by a twin after all: answer as the twin did.
        return Ok(Some(Ok((p, inv))));
    }
    let mut row = p.into_active_model();
    row.refunded_minor = Set(refunded);
    row.status = Set(to.as_str().to_owned());
    let p = row.update(tx).await?;
    let inv = settle(tx, inv).await?;
    Ok(Some(Ok((p, inv))))
}
