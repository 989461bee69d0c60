//! Billing over GraphQL: invoices numbered per school without gaps,
//! issued and voided by the office; payments recorded by the office
//! (idempotent by `Idempotency-Key`) or paid by card through a Stripe
//! PaymentIntent, completed by Stripe's webhook (`crate::webhook`).
//! `billing` decides amounts and statuses; `infra::billing` stores them.

pub mod credits;
pub mod installments;
pub mod monthly;
pub mod objects;
pub mod payouts;
pub mod quote;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use billing::invoice::LineInput;
use infra::billing::{BillTo, CardAttempt, NewInvoice, NewPayment};
use infra::entity::{family, invoice, payment, student};
use infra::repo::organisation::Viewer;
use kernel::policy::Action;
use kernel::{FamilyId, StudentId};

pub use objects::{Invoice, Payment, PaymentMethod};

use crate::context::app;
use crate::error::{Code, FieldError, UserError, internal};
use crate::ids::{Kind, decode};
use crate::scalars::LocalDate;
use crate::schema::idempotency::{self, Next};
use crate::schema::page::{Page, PageArgs, paginate};
use crate::schema::{
    Done, allow, authorize, find_in_school, find_usable, mutation, page_args, payloads, refused,
};

/// The `Idempotency-Key` HTTP header of the request, if it had one.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyHeader(pub Option<String>);

/// Who may see an invoice (and pay it): the office; the billed family's
/// parents; the billed student and their family.
pub(crate) fn may_read(viewer: &Viewer, inv: &invoice::Model) -> Result<()> {
    match (inv.family_id, inv.student_id) {
        (Some(f), _) => allow(viewer, Action::ReadFamily(FamilyId::from_uuid(f))),
        (None, Some(s)) => allow(viewer, Action::ReadPrivate(StudentId::from_uuid(s))),
        (None, None) => allow(viewer, Action::ManageSchool),
    }
}

/// One line as typed.
#[derive(InputObject, Clone)]
pub struct InvoiceLineInput {
    /// What it is for.
    pub description: String,
    /// How many (1–10000).
    #[graphql(default = 1)]
    pub quantity: i32,
    /// Price of one, in minor units (negative for a discount).
    pub unit_minor: i64,
}

/// Input of `createInvoice`: a family or a student, lines, a due date.
#[derive(InputObject)]
pub struct CreateInvoiceInput {
    /// Bill a family group…
    pub family_id: Option<ID>,
    /// …or one student.
    pub student_id: Option<ID>,
    /// At least one line.
    pub lines: Vec<InvoiceLineInput>,
    /// When it is due.
    pub due_date: LocalDate,
    /// A note printed on it.
    pub notes: Option<String>,
    /// Makes retries safe: the same key and input return the first
    /// invoice instead of numbering a second one.
    pub idempotency_key: Option<String>,
}

/// Result of the invoice mutations.
#[derive(SimpleObject, Default)]
pub struct InvoicePayload {
    /// The invoice.
    pub invoice: Option<Invoice>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `issueInvoice` and `voidInvoice`.
#[derive(InputObject)]
pub struct InvoiceActionInput {
    /// The invoice.
    pub invoice_id: ID,
}

/// Input of `recordPayment`.
#[derive(InputObject)]
pub struct RecordPaymentInput {
    /// The invoice paid.
    pub invoice_id: ID,
    /// Amount in minor units (at most what is still owed).
    pub amount_minor: i64,
    /// How it came (not STRIPE: card payments go through `payInvoice`).
    pub method: PaymentMethod,
    /// A transfer reference or cheque number.
    pub reference: Option<String>,
    /// Makes retries safe (or send the `Idempotency-Key` header).
    pub idempotency_key: Option<String>,
}

/// Result of the payment mutations.
#[derive(SimpleObject, Default)]
pub struct PaymentPayload {
    /// The payment.
    pub payment: Option<Payment>,
    /// Its invoice, with the new paid amount and status.
    pub invoice: Option<Invoice>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `refundPayment`.
#[derive(InputObject)]
pub struct RefundPaymentInput {
    /// The payment.
    pub payment_id: ID,
    /// How much to give back, in minor units (all that is left if omitted).
    pub amount_minor: Option<i64>,
    /// Makes retries safe (or send the `Idempotency-Key` header): a retry
    /// answers with the payment and refunds nothing more.
    pub idempotency_key: Option<String>,
}

/// Input of `payInvoice`.
#[derive(InputObject)]
pub struct PayInvoiceInput {
    /// The invoice to pay by card.
    pub invoice_id: ID,
}

payloads!(InvoicePayload, PaymentPayload);

fn invoice_not_found() -> FieldError {
    FieldError::not_found("invoiceId", "invoice")
}

/// Loads and locks an invoice of the viewer's school by global id.
async fn locked_invoice(
    tx: &infra::Tx,
    viewer: &Viewer,
    id: &ID,
) -> Result<Option<invoice::Model>> {
    let Some(uuid) = decode(Kind::Invoice, id) else {
        return Ok(None);
    };
    infra::billing::lock_invoice(tx, viewer.school, uuid)
        .await
        .map_err(internal)
}

pub(crate) fn invoice_error(e: billing::InvoiceError) -> UserError {
    use billing::InvoiceError as E;
    let (field, code) = match &e {
        E::Transition { .. } | E::HasPayments(_) | E::PaymentInProgress => {
            ("invoiceId", Code::InvalidState)
        }
        E::NoLines
        | E::Description(..)
        | E::Quantity(..)
        | E::Overflow(_)
        | E::NotPositive(_)
        | E::TooManyLines
        | E::Unit(_) => ("lines", Code::Invalid),
        E::DueBeforeIssue { .. } => ("dueDate", Code::Invalid),
    };
    UserError::input(field, code, e.to_string())
}

pub(crate) fn payment_error(e: billing::PaymentError) -> UserError {
    use billing::PaymentError as E;
    let (field, code) = match &e {
        E::NotPositive(_) | E::Overpay { .. } | E::RefundTooLarge { .. } => {
            ("amountMinor", Code::Invalid)
        }
        E::NotPayable => ("invoiceId", Code::InvalidState),
        E::CardRefundNotSent => ("paymentId", Code::ProviderUnavailable),
        E::Transition { .. } => ("paymentId", Code::InvalidState),
    };
    UserError::input(field, code, e.to_string())
}

#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// Creates a DRAFT invoice with the school's next number (gap-free,
    /// also under concurrency), billed to a family or a student.
    async fn create_invoice(
        &self,
        ctx: &Context<'_>,
        input: CreateInvoiceInput,
    ) -> Result<InvoicePayload> {
        authorize(ctx, Action::ManageSchool)?;
        let raw: Vec<LineInput> = input
            .lines
            .iter()
            .map(|l| LineInput {
                description: l.description.clone(),
                quantity: i64::from(l.quantity),
                unit_minor: l.unit_minor,
            })
            .collect();
        let lines = match billing::invoice::lines(&raw) {
            Ok(l) => l,
            Err(e) => return refused(invoice_error(e)),
        };
        let total = match billing::invoice::billable_total(&lines) {
            Ok(t) => t,
            Err(e) => return refused(invoice_error(e)),
        };
        let notes = crate::schema::notes(input.notes.clone());
        let canonical = idempotency::canonical(&input);
        mutation(ctx, async |tx, viewer| {
            let key = input.idempotency_key.clone();
            let key = match idempotency::claim(ctx, tx, viewer, key, &canonical).await? {
                Err(e) => return Ok(Done::refuse(e)),
                Ok(Next::Replay(id)) => {
                    let found = infra::repo::find::<invoice::Entity>(tx, viewer.school, id)
                        .await
                        .map_err(internal)?;
                    return Ok(Done::Answer(InvoicePayload {
                        invoice: found.map(Invoice),
                        user_errors: vec![],
                    }));
                }
                Ok(Next::Proceed(key)) => key,
            };
            let bill_to = match (&input.family_id, &input.student_id) {
                (Some(f), None) => {
                    match find_in_school::<family::Entity>(tx, viewer.school, Kind::Family, f)
                        .await?
                    {
                        Some(f) => BillTo::Family(FamilyId::from_uuid(f.id)),
                        None => {
                            return Ok(Done::refuse(FieldError::not_found("familyId", "family")));
                        }
                    }
                }
                (None, Some(s)) => {
                    match find_usable::<student::Entity>(
                        tx,
                        viewer.school,
                        Kind::Student,
                        s,
                        "studentId",
                    )
                    .await?
                    {
                        Ok(s) => BillTo::Student(StudentId::from_uuid(s.id)),
                        Err(e) => return Ok(Done::refuse(e)),
                    }
                }
                _ => {
                    return Ok(Done::refuse(FieldError::invalid(
                        "familyId",
                        "bill either a family (familyId) or a student (studentId), exactly one",
                    )));
                }
            };
            let currency = infra::booking::rows::school_currency(tx, viewer.school)
                .await
                .map_err(internal)?;
            let new = NewInvoice {
                bill_to,
                lines,
                bookings: Vec::new(),
                total_minor: total,
                due: input.due_date.0,
                notes,
                currency,
            };
            let now = app(ctx).clock.now();
            let row = infra::billing::create_invoice(tx, viewer.school, new, now)
                .await
                .map_err(internal)?;
            idempotency::complete(tx, viewer, key, row.id).await?;
            Ok(invoiced(row))
        })
        .await
    }

    /// Issues a draft today: it becomes OPEN (owed) and counts toward the
    /// family's balance.
    async fn issue_invoice(
        &self,
        ctx: &Context<'_>,
        input: InvoiceActionInput,
    ) -> Result<InvoicePayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(inv) = locked_invoice(tx, viewer, &input.invoice_id).await? else {
                return Ok(Done::refuse(invoice_not_found()));
            };
            let now = app(ctx).clock.now();
            let zone = infra::booking::school_zone(tx, viewer.school)
                .await
                .map_err(internal)?;
            let today = zone.local_date(now);
            match infra::billing::issue(tx, inv, today, now)
                .await
                .map_err(internal)?
            {
                Err(e) => Ok(Done::Refuse(invoice_error(e))),
                Ok(row) => Ok(invoiced(row)),
            }
        })
        .await
    }

    /// Voids a draft or an open invoice with nothing paid on it (its
    /// number stays used: numbers never have gaps).
    async fn void_invoice(
        &self,
        ctx: &Context<'_>,
        input: InvoiceActionInput,
    ) -> Result<InvoicePayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(inv) = locked_invoice(tx, viewer, &input.invoice_id).await? else {
                return Ok(Done::refuse(invoice_not_found()));
            };
            let now = app(ctx).clock.now();
            match infra::billing::void(tx, inv, now).await.map_err(internal)? {
                Err(e) => Ok(Done::Refuse(invoice_error(e))),
                Ok(row) => Ok(invoiced(row)),
            }
        })
        .await
    }

    /// Records money received outside Stripe (transfer, cash, cheque):
    /// partial payments add up; more than is owed is refused. Idempotent
    /// by `idempotencyKey` or the `Idempotency-Key` header: a retry returns
    /// the first payment and records nothing.
    async fn record_payment(
        &self,
        ctx: &Context<'_>,
        input: RecordPaymentInput,
    ) -> Result<PaymentPayload> {
        authorize(ctx, Action::ManageSchool)?;
        if input.method == PaymentMethod::Stripe {
            return refused(FieldError::invalid(
                "method",
                "card payments are taken with payInvoice and completed by Stripe; record transfers, cash and cheques here",
            ));
        }
        let reference = crate::schema::notes(input.reference.clone());
        let header = header_key(ctx);
        let canonical = idempotency::canonical(&input);
        mutation(ctx, async |tx, viewer| {
            let key = input.idempotency_key.clone().or(header.clone());
            let key = match idempotency::claim(ctx, tx, viewer, key, &canonical).await? {
                Err(e) => return Ok(Done::refuse(e)),
                Ok(Next::Replay(id)) => return Ok(Done::Answer(replay(tx, viewer, id).await?)),
                Ok(Next::Proceed(key)) => key,
            };
            let Some(inv) = locked_invoice(tx, viewer, &input.invoice_id).await? else {
                return Ok(Done::refuse(invoice_not_found()));
            };
            let new = NewPayment {
                amount_minor: input.amount_minor,
                method: input.method.into(),
                reference,
                by: viewer.user,
            };
            let now = app(ctx).clock.now();
            match infra::billing::record_payment(tx, inv, new, now)
                .await
                .map_err(internal)?
            {
                Err(e) => Ok(Done::Refuse(payment_error(e))),
                Ok((p, inv)) => {
                    idempotency::complete(tx, viewer, key, p.id).await?;
                    Ok(paid(p, inv))
                }
            }
        })
        .await
    }

    /// Gives back some or all of a completed payment. A card payment is
    /// refunded at Stripe first (Stripe's own `Idempotency-Key` derived
    /// from ours), then recorded; cash and transfers are recorded. The
    /// invoice owes the refunded amount again.
    async fn refund_payment(
        &self,
        ctx: &Context<'_>,
        input: RefundPaymentInput,
    ) -> Result<PaymentPayload> {
        let viewer = authorize(ctx, Action::ManageSchool)?;
        let Some(uuid) = decode(Kind::Payment, &input.payment_id) else {
            return refused(FieldError::not_found("paymentId", "payment"));
        };
        let header = header_key(ctx);
        let client_key = input.idempotency_key.clone().or(header.clone());
        let canonical = idempotency::canonical(&input);
        // A key already used decides before Stripe is asked for money: a
        // replay asks nothing (Stripe forgets keys after a day), a key of
        // another request is refused.
        let replayed =
            match idempotency::seen(ctx, viewer, client_key.as_deref(), &canonical).await? {
                Ok(r) => r,
                Err(e) => return refused(e),
            };
        let stripe = if replayed {
            None
        } else {
            match refund_at_provider(
                ctx,
                viewer.school,
                uuid,
                input.amount_minor,
                ("payment", client_key.as_deref()),
            )
            .await?
            {
                Ok(refund) => refund,
                Err(e) => return refused(e),
            }
        };
        mutation(ctx, async |tx, viewer| {
            let key = client_key.clone();
            // Once Stripe has given the money back, the refund is recorded
            // whatever the key says (a twin request may have claimed it
            // since): the refusal is reported beside it, never instead.
            let mut key_refused = None;
            let key = match idempotency::claim(ctx, tx, viewer, key, &canonical).await? {
                Err(e) if stripe.is_none() => return Ok(Done::refuse(e)),
                Err(e) => {
                    key_refused = Some(UserError::from(e));
                    None
                }
                Ok(Next::Replay(id)) => return Ok(Done::Answer(replay(tx, viewer, id).await?)),
                Ok(Next::Proceed(key)) => key,
            };
            let new = infra::refunds::NewRefund {
                // What Stripe refunded, when it did.
                ask: stripe.as_ref().map(|(_, amount)| *amount).or(input.amount_minor),
                stripe_refund_id: stripe.as_ref().map(|(id, _)| id.clone()),
                by: Some(viewer.user),
            };
            let now = app(ctx).clock.now();
            match infra::refunds::record(tx, viewer.school, uuid, new, now)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(FieldError::not_found("paymentId", "payment"))),
                Some(Err(e)) => {
                    if let Some((id, _)) = &stripe {
                        tracing::error!(refund = %id, payment = %uuid, error = %e, "Stripe refunded a payment the books refused; reconcile it");
                    }
                    Ok(Done::Refuse(payment_error(e)))
                }
                Some(Ok((p, inv))) => {
                    idempotency::complete(tx, viewer, key, p.id).await?;
                    match paid(p, inv) {
                        Done::Commit(mut payload, targets) => {
                            payload.user_errors.extend(key_refused);
                            Ok(Done::Commit(payload, targets))
                        }
                        other => Ok(other),
                    }
                }
            }
        })
        .await
    }

    /// Starts a card payment of what an invoice still owes: creates a
    /// Stripe PaymentIntent and a PENDING payment holding its
    /// `clientSecret` for Stripe.js. Stripe's webhook completes it. Asking
    /// again for the same amount returns the same intent.
    async fn pay_invoice(
        &self,
        ctx: &Context<'_>,
        input: PayInvoiceInput,
    ) -> Result<PaymentPayload> {
        let viewer = crate::context::viewer(ctx)?;
        let app = app(ctx);
        let Some(uuid) = decode(Kind::Invoice, &input.invoice_id) else {
            return refused(invoice_not_found());
        };
        // Read without locks: the provider is asked outside any
        // transaction, and the transaction below checks the amount again.
        let Some(inv) = infra::repo::find::<invoice::Entity>(app.db.conn(), viewer.school, uuid)
            .await
            .map_err(internal)?
        else {
            return refused(invoice_not_found());
        };
        may_read(viewer, &inv)?;
        let Some(provider) = app.payments.clone() else {
            return refused(UserError::input(
                "invoiceId",
                Code::InvalidState,
                "card payments are not set up for this school; pay by transfer or ask the office",
            ));
        };
        let (amount, key) = match infra::billing::card_attempt(app.db.conn(), &inv)
            .await
            .map_err(internal)?
        {
            Err(e) => return refused(payment_error(e)),
            Ok(CardAttempt::Pending(p)) => {
                return Ok(PaymentPayload {
                    payment: Some(Payment(*p)),
                    invoice: Some(Invoice(inv)),
                    user_errors: vec![],
                });
            }
            Ok(CardAttempt::New { amount, key }) => (amount, key),
        };
        let request = infra::payments::IntentRequest {
            amount_minor: amount,
            currency: inv.currency.clone(),
            invoice_id: inv.id,
            idempotency_key: key,
        };
        let intent = match provider.create_intent(request).await {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(error = %e, invoice = %inv.id, "payment provider refused an intent");
                return refused(UserError::input(
                    "invoiceId",
                    Code::ProviderUnavailable,
                    "the card payment could not be started; try again in a moment",
                ));
            }
        };
        mutation(ctx, async |tx, viewer| {
            let Some(inv) = infra::billing::lock_invoice(tx, viewer.school, uuid)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::refuse(invoice_not_found()));
            };
            let now = app.clock.now();
            let stored =
                infra::billing::intent_payment(tx, &inv, amount, intent.clone(), viewer.user, now)
                    .await
                    .map_err(internal)?;
            let p = match stored {
                Ok(p) => p,
                Err(e) => return Ok(Done::Refuse(payment_error(e))),
            };
            Ok(paid(p, inv))
        })
        .await
    }
}

/// Commits an invoice mutation, auditing the invoice.
fn invoiced(row: invoice::Model) -> Done<InvoicePayload> {
    let id = row.id;
    Done::Commit(
        InvoicePayload {
            invoice: Some(Invoice(row)),
            user_errors: vec![],
        },
        vec![(Kind::Invoice, id)],
    )
}

/// Commits a payment mutation, auditing the payment and its invoice.
fn paid(p: payment::Model, inv: invoice::Model) -> Done<PaymentPayload> {
    let targets = vec![(Kind::Payment, p.id), (Kind::Invoice, inv.id)];
    Done::Commit(
        PaymentPayload {
            payment: Some(Payment(p)),
            invoice: Some(Invoice(inv)),
            user_errors: vec![],
        },
        targets,
    )
}

/// Refunds a card payment at Stripe before anything is recorded (no
/// transaction holds a lock across the network): Stripe's refund id and
/// the amount it refunded, or `None` for money given back by hand. `purpose` names what the refund
/// is for (see `infra::refunds::stripe_key`). A refusal that a retry with
/// an idempotency key may still replay is left to the transaction.
pub(crate) async fn refund_at_provider(
    ctx: &Context<'_>,
    school: kernel::SchoolId,
    payment: uuid::Uuid,
    ask: Option<i64>,
    (purpose, client_key): (&str, Option<&str>),
) -> Result<std::result::Result<Option<(String, i64)>, UserError>> {
    let app = app(ctx);
    let attempt = match infra::refunds::attempt(app.db.conn(), school, payment, ask)
        .await
        .map_err(internal)?
    {
        None => return Ok(Err(FieldError::not_found("paymentId", "payment").into())),
        Some(Err(_)) if client_key.is_some() => return Ok(Ok(None)),
        Some(Err(e)) => return Ok(Err(payment_error(e))),
        Some(Ok(a)) => a,
    };
    let infra::refunds::Attempt::Card { intent, amount, .. } = &attempt else {
        return Ok(Ok(None));
    };
    let Some(provider) = app.payments.clone() else {
        return Ok(Err(UserError::input(
            "paymentId",
            Code::InvalidState,
            "card refunds are not set up for this school (no Stripe key); refund it in Stripe's dashboard",
        )));
    };
    let request = infra::payments::RefundRequest {
        payment_intent: intent.clone(),
        amount_minor: *amount,
        idempotency_key: infra::refunds::stripe_key(payment, purpose, client_key, &attempt),
    };
    match provider.refund(request).await {
        Ok(id) => Ok(Ok(Some((id, *amount)))),
        Err(e) => {
            tracing::warn!(error = %e, %payment, "payment provider refused a refund");
            Ok(Err(UserError::input(
                "paymentId",
                Code::ProviderUnavailable,
                "Stripe could not refund the card payment; nothing was refunded, try again in a moment",
            )))
        }
    }
}

/// The `Idempotency-Key` header of this request (attached by `http`).
fn header_key(ctx: &Context<'_>) -> Option<String> {
    ctx.data::<IdempotencyHeader>()
        .expect("BUG: the HTTP handler attaches the idempotency header to every request")
        .0
        .clone()
}

/// The answer to a replayed payment mutation: the payment the key stored,
/// and its invoice as it is now.
async fn replay(tx: &infra::Tx, viewer: &Viewer, id: uuid::Uuid) -> Result<PaymentPayload> {
    let p = infra::repo::find::<payment::Entity>(tx, viewer.school, id)
        .await
        .map_err(internal)?;
    let inv = match &p {
        Some(p) => infra::repo::find::<invoice::Entity>(tx, viewer.school, p.invoice_id)
            .await
            .map_err(internal)?,
        None => None,
    };
    Ok(PaymentPayload {
        payment: p.map(Payment),
        invoice: inv.map(Invoice),
        user_errors: vec![],
    })
}

#[derive(Default)]
pub struct BillingQuery;

#[Object]
impl BillingQuery {
    /// The school's invoices, newest number first (the office), optionally
    /// of one status as stored (OVERDUE is read from `status`).
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only invoices of this family.")] family_id: Option<ID>,
    ) -> Result<Page<Invoice>> {
        let viewer = crate::context::viewer(ctx)?;
        let family = match &family_id {
            Some(id) => match decode(Kind::Family, id) {
                Some(f) => {
                    allow(viewer, Action::ReadFamily(FamilyId::from_uuid(f)))?;
                    Some(FamilyId::from_uuid(f))
                }
                None => return Err(crate::error::forbidden("no such family")),
            },
            None => {
                allow(viewer, Action::ManageSchool)?;
                None
            }
        };
        paginate::<invoice::Entity, _>(
            ctx,
            viewer.school,
            infra::repo::list::invoices(family),
            page_args!(after, before, first, last),
            Invoice,
        )
        .await
    }
}

/// A family's running balance: issued invoices minus payments plus
/// refunds (what the family owes; negative is credit).
pub(crate) async fn family_balance(ctx: &Context<'_>, family: &family::Model) -> Result<i64> {
    let entries = infra::billing::family_entries(
        app(ctx).db.conn(),
        kernel::SchoolId::from_uuid(family.school_id),
        FamilyId::from_uuid(family.id),
    )
    .await
    .map_err(internal)?;
    Ok(billing::payment::balance(&entries))
}
