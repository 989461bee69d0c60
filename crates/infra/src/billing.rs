//! Billing storage: invoices with gap-free numbers, lines, payments, the
//! family account, and Stripe events processed once (`billing` decides
//! amounts and statuses; this module counts, locks and writes).
//!
//! Numbers come from one counter row per school, incremented by an upsert
//! in the creating transaction: concurrent creations queue on that row,
//! and a rolled-back creation gives its number back, so the sequence has
//! no gap and no duplicate on either database.

use std::collections::HashMap;

use ::billing::invoice::{self as rules, InvoiceError, InvoiceStatus, Line, Step};
use ::billing::payment::{self as money, Entry, PaymentError, PaymentMethod, PaymentStatus};
use ::billing::stripe::EventChange;
use chrono::{DateTime, NaiveDate, Utc};
use kernel::{Currency, FamilyId, SchoolId, StudentId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use uuid::Uuid;

use crate::entity::{invoice, invoice_line, payment, stripe_event};
use crate::{InfraError, Result, new_id};

/// The next invoice number of `school` (1, 2, 3, …), taken inside `tx`.
pub async fn next_number(tx: &impl ConnectionTrait, school: SchoolId) -> Result<i64> {
    let backend = tx.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "INSERT INTO invoice_counters (school_id, last_number) VALUES ($1, 1) \
             ON CONFLICT (school_id) DO UPDATE SET last_number = invoice_counters.last_number + 1 \
             RETURNING last_number"
        }
        _ => {
            "INSERT INTO invoice_counters (school_id, last_number) VALUES (?, 1) \
             ON CONFLICT (school_id) DO UPDATE SET last_number = invoice_counters.last_number + 1 \
             RETURNING last_number"
        }
    };
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [school.uuid().into()],
        ))
        .await?
        .ok_or_else(|| InfraError::Corrupt {
            table: "invoice_counters",
            detail: "the counter upsert returned no row".into(),
        })?;
    Ok(row.try_get::<i64>("", "last_number")?)
}

/// Who an invoice is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillTo {
    /// A family group.
    Family(FamilyId),
    /// One student.
    Student(StudentId),
}

/// A new invoice, validated.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    /// Addressee.
    pub bill_to: BillTo,
    /// Validated lines.
    pub lines: Vec<Line>,
    /// The booking each line bills, if any (parallel to `lines`; empty
    /// for an invoice typed by the office).
    pub bookings: Vec<Option<Uuid>>,
    /// Their total.
    pub total_minor: i64,
    /// When it is due.
    pub due: NaiveDate,
    /// A note printed on it.
    pub notes: Option<String>,
    /// The school's currency.
    pub currency: Currency,
}

/// Creates a DRAFT invoice with the school's next number, and its lines.
pub async fn create_invoice(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    new: NewInvoice,
    now: DateTime<Utc>,
) -> Result<invoice::Model> {
    let number = next_number(tx, school).await?;
    let id: Uuid = new_id();
    let (family, student) = match new.bill_to {
        BillTo::Family(f) => (Some(f.uuid()), None),
        BillTo::Student(s) => (None, Some(s.uuid())),
    };
    let row = invoice::ActiveModel {
        id: Set(id),
        school_id: Set(school.uuid()),
        number: Set(number),
        family_id: Set(family),
        student_id: Set(student),
        currency: Set(new.currency.as_str().to_owned()),
        status: Set(InvoiceStatus::Draft.as_str().to_owned()),
        issue_date: Set(None),
        due_date: Set(new.due),
        total_minor: Set(new.total_minor),
        paid_minor: Set(0),
        notes: Set(new.notes),
        created_at: Set(now),
        issued_at: Set(None),
        voided_at: Set(None),
    }
    .insert(tx)
    .await?;
    let bookings = new.bookings;
    invoice_line::Entity::insert_many(new.lines.into_iter().enumerate().map(|(i, l)| {
        invoice_line::ActiveModel {
            booking_id: Set(bookings.get(i).copied().flatten()),
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            invoice_id: Set(id),
            position: Set(i as i32),
            description: Set(l.description),
            quantity: Set(l.quantity as i32),
            unit_minor: Set(l.unit_minor),
            amount_minor: Set(l.amount_minor),
        }
    }))
    .exec(tx)
    .await?;
    Ok(row)
}

/// An invoice's stored status.
pub fn status(i: &invoice::Model) -> Result<InvoiceStatus> {
    crate::stored("invoices", &i.status, InvoiceStatus::parse)
}

/// A payment's stored status.
pub fn payment_status(p: &payment::Model) -> Result<PaymentStatus> {
    crate::stored("payments", &p.status, PaymentStatus::parse)
}

/// A payment's stored method.
pub fn payment_method(p: &payment::Model) -> Result<PaymentMethod> {
    crate::stored("payments", &p.method, PaymentMethod::parse)
}

/// Loads and locks an invoice of the school.
pub async fn lock_invoice(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
) -> Result<Option<invoice::Model>> {
    Ok(invoice::Entity::find()
        .filter(invoice::Column::SchoolId.eq(school.uuid()))
        .filter(invoice::Column::Id.eq(id))
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// Issues a (locked) draft on `today`.
pub async fn issue(
    tx: &impl ConnectionTrait,
    inv: invoice::Model,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<std::result::Result<invoice::Model, InvoiceError>> {
    let to = match rules::step(status(&inv)?, Step::Issue, inv.paid_minor) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    if let Err(e) = rules::check_dates(today, inv.due_date) {
        return Ok(Err(e));
    }
    let mut row = inv.into_active_model();
    row.status = Set(to.as_str().to_owned());
    row.issue_date = Set(Some(today));
    row.issued_at = Set(Some(now));
    Ok(Ok(row.update(tx).await?))
}

/// Voids a (locked) invoice with nothing paid on it and no card payment
/// in progress (money arriving for a voided invoice is still recorded,
/// but the family should not be charged for it in the first place).
pub async fn void(
    tx: &impl ConnectionTrait,
    inv: invoice::Model,
    now: DateTime<Utc>,
) -> Result<std::result::Result<invoice::Model, InvoiceError>> {
    let to = match rules::step(status(&inv)?, Step::Void, inv.paid_minor) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let in_progress = payment::Entity::find()
        .filter(payment::Column::SchoolId.eq(inv.school_id))
        .filter(payment::Column::InvoiceId.eq(inv.id))
        .filter(payment::Column::Status.is_in([
            PaymentStatus::Pending.as_str(),
            PaymentStatus::Processing.as_str(),
        ]))
        .count(tx)
        .await?;
    if in_progress > 0 {
        return Ok(Err(InvoiceError::PaymentInProgress));
    }
    // A voided invoice gives its lessons back to monthly invoicing.
    invoice_line::Entity::update_many()
        .col_expr(
            invoice_line::Column::BookingId,
            sea_orm::sea_query::Expr::value(Option::<Uuid>::None),
        )
        .filter(invoice_line::Column::InvoiceId.eq(inv.id))
        .exec(tx)
        .await?;
    let mut row = inv.into_active_model();
    row.status = Set(to.as_str().to_owned());
    row.voided_at = Set(Some(now));
    let inv = row.update(tx).await?;
    crate::installments::release(tx, &inv).await?;
    Ok(Ok(inv))
}

/// Re-totals a (locked) invoice from its payments and moves its status.
pub(crate) async fn settle(
    tx: &impl ConnectionTrait,
    inv: invoice::Model,
) -> Result<invoice::Model> {
    let mut paid: i64 = 0;
    for p in payment::Entity::find()
        .filter(payment::Column::SchoolId.eq(inv.school_id))
        .filter(payment::Column::InvoiceId.eq(inv.id))
        .all(tx)
        .await?
    {
        let counted = money::counted(payment_status(&p)?, p.amount_minor, p.refunded_minor);
        paid = paid
            .checked_add(counted)
            .ok_or_else(|| InfraError::Corrupt {
                table: "payments",
                detail: format!("payments of invoice {} overflow", inv.id),
            })?;
    }
    let step = Step::Settle {
        paid,
        total: inv.total_minor,
    };
    let to = rules::step(status(&inv)?, step, inv.paid_minor).map_err(|e| InfraError::Corrupt {
        table: "invoices",
        detail: format!("payments on an invoice that takes none: {e}"),
    })?;
    let mut row = inv.into_active_model();
    row.paid_minor = Set(paid);
    row.status = Set(to.as_str().to_owned());
    let inv = row.update(tx).await?;
    // An installment collected by this invoice is paid as the invoice is.
    crate::installments::follow(tx, &inv).await?;
    Ok(inv)
}

/// A payment to record.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// Amount in minor units.
    pub amount_minor: i64,
    /// How it came.
    pub method: PaymentMethod,
    /// The office's reference (a transfer's reference, a cheque number).
    pub reference: Option<String>,
    /// Who recorded it.
    pub by: UserId,
}

/// Records a completed payment on a (locked) invoice, partial or whole.
pub async fn record_payment(
    tx: &impl ConnectionTrait,
    inv: invoice::Model,
    new: NewPayment,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(payment::Model, invoice::Model), PaymentError>> {
    if !status(&inv)?.takes_payments() {
        return Ok(Err(PaymentError::NotPayable));
    }
    if let Err(e) = money::check_payment(new.amount_minor, inv.total_minor - inv.paid_minor) {
        return Ok(Err(e));
    }
    let p = payment::ActiveModel {
        id: Set(new_id()),
        school_id: Set(inv.school_id),
        invoice_id: Set(inv.id),
        amount_minor: Set(new.amount_minor),
        refunded_minor: Set(0),
        currency: Set(inv.currency.clone()),
        method: Set(new.method.as_str().to_owned()),
        status: Set(PaymentStatus::Completed.as_str().to_owned()),
        reference: Set(new.reference),
        stripe_payment_intent_id: Set(None),
        stripe_client_secret: Set(None),
        recorded_by: Set(Some(new.by.uuid())),
        created_at: Set(now),
        completed_at: Set(Some(now)),
    }
    .insert(tx)
    .await?;
    let inv = settle(tx, inv).await?;
    Ok(Ok((p, inv)))
}

/// Locks a payment's invoice, then the payment (the order every writer
/// uses), and reads the payment again under its lock.
pub(crate) async fn lock_payment(
    tx: &impl ConnectionTrait,
    p: &payment::Model,
) -> Result<(invoice::Model, payment::Model)> {
    let school = SchoolId::from_uuid(p.school_id);
    let inv = lock_invoice(tx, school, p.invoice_id)
        .await?
        .ok_or_else(|| InfraError::Corrupt {
            table: "payments",
            detail: "a payment without its invoice".into(),
        })?;
    let p = payment::Entity::find_by_id(p.id)
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| InfraError::Corrupt {
            table: "payments",
            detail: "a payment vanished under its lock".into(),
        })?;
    Ok((inv, p))
}

/// Lines of these invoices, in order, grouped by invoice (one statement).
pub async fn lines_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    invoices: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<invoice_line::Model>>> {
    crate::repo::grouped::<invoice_line::Entity>(
        conn,
        school,
        invoice_line::Column::InvoiceId,
        |l| l.invoice_id,
        invoices,
        (invoice_line::Column::Position, sea_orm::Order::Asc),
    )
    .await
}

/// Payments of these invoices, oldest first, grouped by invoice.
pub async fn payments_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    invoices: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<payment::Model>>> {
    crate::repo::grouped::<payment::Entity>(
        conn,
        school,
        payment::Column::InvoiceId,
        |p| p.invoice_id,
        invoices,
        (payment::Column::CreatedAt, sea_orm::Order::Asc),
    )
    .await
}

/// A family's account: the invoices billed to the family or to one of its
/// students, and their payments (`billing::payment::entries` decides what
/// counts).
pub async fn family_entries(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    family: FamilyId,
) -> Result<Vec<Entry>> {
    let students: Vec<Uuid> = crate::repo::families::members(conn, school, family)
        .await?
        .into_iter()
        .filter_map(|m| m.student_id)
        .collect();
    let invoices = invoice::Entity::find()
        .filter(invoice::Column::SchoolId.eq(school.uuid()))
        .filter(
            sea_orm::Condition::any()
                .add(invoice::Column::FamilyId.eq(family.uuid()))
                .add(invoice::Column::StudentId.is_in(students)),
        )
        .order_by_asc(invoice::Column::Number)
        .all(conn)
        .await?;
    let owed = invoices
        .iter()
        .map(|i| Ok((status(i)?.owed(), i.total_minor)))
        .collect::<Result<Vec<_>>>()?;
    let payments = payments_of(conn, school, invoices.iter().map(|i| i.id)).await?;
    let paid = payments
        .values()
        .flatten()
        .map(|p| Ok((payment_status(p)?, p.amount_minor, p.refunded_minor)))
        .collect::<Result<Vec<_>>>()?;
    Ok(money::entries(owed, paid))
}

/// A PaymentIntent the provider created for an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Stripe's `pi_…` id.
    pub id: String,
    /// The secret the browser confirms the payment with.
    pub client_secret: String,
}

/// A card payment to start: the amount to charge, and either the pending
/// payment that already charges it or the idempotency key of a new intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardAttempt {
    /// A pending card payment of this amount exists: hand it out again.
    Pending(Box<payment::Model>),
    /// Ask the provider for an intent of `amount` with this key (one per
    /// attempt, so a changed amount or a failed attempt gets a new intent).
    New {
        /// Amount to charge.
        amount: i64,
        /// Stripe's `Idempotency-Key`.
        key: String,
    },
}

/// What a card payment of `inv` should do now (read without locks: the
/// transaction that stores the intent checks again).
pub async fn card_attempt(
    conn: &impl ConnectionTrait,
    inv: &invoice::Model,
) -> Result<std::result::Result<CardAttempt, PaymentError>> {
    let amount = match money::card_charge(
        status(inv)?.takes_payments(),
        inv.total_minor,
        inv.paid_minor,
    ) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    let cards = payment::Entity::find()
        .filter(payment::Column::SchoolId.eq(inv.school_id))
        .filter(payment::Column::InvoiceId.eq(inv.id))
        .filter(payment::Column::Method.eq(PaymentMethod::Stripe.as_str()))
        .all(conn)
        .await?;
    for p in &cards {
        if payment_status(p)? == PaymentStatus::Pending && p.amount_minor == amount {
            return Ok(Ok(CardAttempt::Pending(Box::new(p.clone()))));
        }
    }
    Ok(Ok(CardAttempt::New {
        amount,
        key: format!("ostinato-invoice-{}-attempt-{}", inv.id, cards.len() + 1),
    }))
}

/// Stores a PENDING card payment of `amount` for a (locked) invoice, if the
/// invoice still owes exactly that; returns the stored one when the
/// provider answered a repeated key with the same intent.
pub async fn intent_payment(
    tx: &impl ConnectionTrait,
    inv: &invoice::Model,
    amount_minor: i64,
    intent: Intent,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<std::result::Result<payment::Model, PaymentError>> {
    match money::card_charge(
        status(inv)?.takes_payments(),
        inv.total_minor,
        inv.paid_minor,
    ) {
        Ok(owed) if owed == amount_minor => {}
        // Paid, voided or paid in part while the intent was made.
        _ => return Ok(Err(PaymentError::NotPayable)),
    }
    if let Some(p) = payment::Entity::find()
        .filter(payment::Column::StripePaymentIntentId.eq(intent.id.clone()))
        .one(tx)
        .await?
    {
        if p.invoice_id != inv.id {
            return Err(InfraError::Corrupt {
                table: "payments",
                detail: format!("intent {} answered for two invoices", intent.id),
            });
        }
        return Ok(Ok(p));
    }
    Ok(Ok(payment::ActiveModel {
        id: Set(new_id()),
        school_id: Set(inv.school_id),
        invoice_id: Set(inv.id),
        amount_minor: Set(amount_minor),
        refunded_minor: Set(0),
        currency: Set(inv.currency.clone()),
        method: Set(PaymentMethod::Stripe.as_str().to_owned()),
        status: Set(PaymentStatus::Pending.as_str().to_owned()),
        reference: Set(None),
        stripe_payment_intent_id: Set(Some(intent.id)),
        stripe_client_secret: Set(Some(intent.client_secret)),
        recorded_by: Set(Some(by.uuid())),
        created_at: Set(now),
        completed_at: Set(None),
    }
    .insert(tx)
    .await?))
}

/// What a Stripe event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// Processed now.
    Applied,
    /// Its id was processed before: nothing changed.
    Duplicate,
    /// Recorded, but about nothing we hold (another intent, another type).
    Ignored,
    /// Money moved at Stripe that the books refuse (a refund of a payment
    /// in a state that takes none): not recorded, so the caller rolls back
    /// and answers 5xx for Stripe to deliver it again, and people look.
    Refused(String),
}

/// A Stripe event, as far as we read it.
#[derive(Debug, Clone)]
pub struct StripeEvent {
    /// `evt_…`.
    pub id: String,
    /// e.g. `payment_intent.succeeded`.
    pub kind: String,
    /// The PaymentIntent `data.object` is, or belongs to.
    pub intent: Option<String>,
    /// What it does to that payment (`billing::stripe::event_change`).
    pub change: Option<EventChange>,
}

/// Applies a verified Stripe event exactly once: its id is inserted in the
/// same transaction as its effect, so a replay, or a delivery racing this
/// one, finds the id taken (the unique key decides) and changes nothing.
pub async fn apply_stripe_event(
    tx: &impl ConnectionTrait,
    event: StripeEvent,
    now: DateTime<Utc>,
) -> Result<EventOutcome> {
    // ON CONFLICT DO NOTHING rather than catching the violation: a
    // PostgreSQL transaction that hit an error is unusable.
    let inserted = stripe_event::Entity::insert(stripe_event::ActiveModel {
        id: Set(event.id.clone()),
        kind: Set(event.kind.clone()),
        received_at: Set(now),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(stripe_event::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    if inserted == 0 {
        return Ok(EventOutcome::Duplicate);
    }
    let (Some(change), Some(intent)) = (event.change, event.intent) else {
        return Ok(EventOutcome::Ignored);
    };
    let Some(p) = payment::Entity::find()
        .filter(payment::Column::StripePaymentIntentId.eq(intent))
        .one(tx)
        .await?
    else {
        return Ok(EventOutcome::Ignored);
    };
    let (to, change_kind) = match change {
        EventChange::Status(to) => (to, ChangeKind::Intent),
        EventChange::DisputeOpened => (PaymentStatus::Disputed, ChangeKind::Intent),
        EventChange::DisputeClosed { won: true, .. } => {
            (PaymentStatus::Completed, ChangeKind::DisputeWon)
        }
        EventChange::DisputeClosed { won: false, id } => {
            return lose_dispute(tx, &p, id, now).await;
        }
        EventChange::Refund { id, amount } => {
            // Ours (already on the books: nothing changes) or one made in
            // Stripe's dashboard (recorded now), once per refund id.
            let new = crate::refunds::NewRefund {
                ask: Some(amount),
                stripe_refund_id: Some(id),
                by: None,
            };
            let school = SchoolId::from_uuid(p.school_id);
            return Ok(
                match crate::refunds::record(tx, school, p.id, new, now).await? {
                    Some(Ok(_)) => EventOutcome::Applied,
                    Some(Err(e)) => EventOutcome::Refused(format!(
                        "refund of payment {} refused by the books: {e}",
                        p.id
                    )),
                    None => EventOutcome::Ignored,
                },
            );
        }
    };
    // Two events of one intent delivered at once apply one after the other.
    let (inv, p) = lock_payment(tx, &p).await?;
    // Events may arrive out of order (processing after succeeded): a step
    // the lifecycle refuses is recorded and ignored. Only the dispute's
    // own end leaves DISPUTED: a late `payment_intent.succeeded` does not.
    let from = payment_status(&p)?;
    let dispute_ends = matches!(change_kind, ChangeKind::DisputeWon);
    if money::transition(from, to).is_err() || (from == PaymentStatus::Disputed && !dispute_ends) {
        return Ok(EventOutcome::Ignored);
    }
    let mut row = p.into_active_model();
    row.status = Set(to.as_str().to_owned());
    if to == PaymentStatus::Completed && row.completed_at.as_ref().is_none() {
        row.completed_at = Set(Some(now));
    }
    row.update(tx).await?;
    // Completed money counts toward the invoice; disputed money does not.
    settle(tx, inv).await?;
    Ok(EventOutcome::Applied)
}

/// Which kind of step an event's status change is.
enum ChangeKind {
    /// The PaymentIntent's own progress, or a dispute opening.
    Intent,
    /// A won dispute: the only way out of DISPUTED but a loss.
    DisputeWon,
}

/// A lost dispute: what was left of the payment went back to the card
/// holder, as a refund under the dispute's id in the refunds ledger.
async fn lose_dispute(
    tx: &impl ConnectionTrait,
    p: &payment::Model,
    dispute: String,
    now: DateTime<Utc>,
) -> Result<EventOutcome> {
    let (inv, p) = lock_payment(tx, p).await?;
    // Only a disputed payment can lose its dispute (Disputed → Refunded).
    if payment_status(&p)? != PaymentStatus::Disputed {
        return Ok(EventOutcome::Ignored);
    }
    let amount = p.amount_minor;
    let lost = amount - p.refunded_minor;
    crate::entity::payment_refund::ActiveModel {
        id: Set(new_id()),
        school_id: Set(p.school_id),
        payment_id: Set(p.id),
        amount_minor: Set(lost),
        stripe_refund_id: Set(Some(dispute)),
        refunded_by: Set(None),
        created_at: Set(now),
    }
    .insert(tx)
    .await?;
    let mut row = p.into_active_model();
    row.status = Set(PaymentStatus::Refunded.as_str().to_owned());
    row.refunded_minor = Set(amount);
    row.update(tx).await?;
    settle(tx, inv).await?;
    Ok(EventOutcome::Applied)
}

/// What a registration for `series` of `kind` costs now (`Ok(None)` when
/// the catalogue does not sell it that way, e.g. a free class): the
/// offering's prices and the series' 1-on-1 price, the sessions of the
/// course and those still ahead, through `billing::price`.
pub async fn registration_quote(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: &crate::entity::class_series::Model,
    kind: ::booking::RegistrationKind,
    chosen: u32,
    seats: u32,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Option<::billing::Quote>, ::billing::PriceError>> {
    use crate::entity::{offering, session};
    use ::billing::price::{PriceList, Purchase};
    let o = crate::repo::find::<offering::Entity>(conn, school, series.offering_id).await?;
    let prices = PriceList {
        per_session: o.as_ref().and_then(|o| o.price_minor),
        full_course: o.as_ref().and_then(|o| o.course_price_minor),
        drop_in: o.as_ref().and_then(|o| o.drop_in_price_minor),
        hybrid_one_on_one: series.hybrid_price_minor,
    };
    let live = || {
        session::Entity::find()
            .filter(session::Column::SchoolId.eq(school.uuid()))
            .filter(session::Column::SeriesId.eq(series.id))
            .filter(session::Column::Status.is_not_in(scheduling::SessionStatus::cancelled_names()))
    };
    let purchase = match kind {
        ::booking::RegistrationKind::SingleSession => Purchase::Single,
        ::booking::RegistrationKind::DropIn => Purchase::DropIn { sessions: chosen },
        ::booking::RegistrationKind::FullSchedule => Purchase::FullCourse {
            total: live().count(conn).await? as u32,
            remaining: live()
                .filter(session::Column::StartsAt.gt(now))
                .count(conn)
                .await? as u32,
        },
    };
    let currency = crate::booking::rows::school_currency(conn, school).await?;
    Ok(::billing::price::quote(prices, currency, purchase, seats))
}

/// Prices a registration's bookings by its quote: the total spread over
/// them (`billing::price::allocate`), so what the family was shown is
/// what its bookings add up to. Nothing changes for a free registration.
pub async fn price_registration(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series: &crate::entity::class_series::Model,
    kind: ::booking::RegistrationKind,
    bookings: Vec<crate::entity::booking::Model>,
    seats: u32,
    now: DateTime<Utc>,
) -> Result<Vec<crate::entity::booking::Model>> {
    let chosen = bookings.len() as u32;
    let quote = match registration_quote(tx, school, series, kind, chosen, seats, now).await? {
        Ok(Some(q)) => q,
        // Free, or a course with no session left: the per-session prices
        // the bookings already carry stand.
        Ok(None) | Err(_) => return Ok(bookings),
    };
    let parts = ::billing::price::allocate(quote.total.minor, bookings.len());
    let mut out = Vec::with_capacity(bookings.len());
    for (b, part) in bookings.into_iter().zip(parts) {
        let mut row = b.into_active_model();
        row.price_minor = Set(Some(part));
        row.currency = Set(Some(quote.total.currency.as_str().to_owned()));
        out.push(row.update(tx).await?);
    }
    Ok(out)
}
