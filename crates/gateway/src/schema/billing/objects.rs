//! Invoices and payments as the API shows them.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use billing::invoice::InvoiceStatus as DomainStatus;
use billing::payment::{PaymentMethod as DomainMethod, PaymentStatus as DomainPayment};
use infra::entity::{invoice, invoice_line, payment};

use crate::context::{app, loaders};
use crate::error::internal;
use crate::ids::{Kind, encode};
use crate::scalars::{DateTime, LocalDate};
use crate::schema::{Family, Student, load};

/// Where an invoice is in its life.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum InvoiceStatus {
    /// Being prepared; not yet owed.
    Draft,
    /// Issued and owed.
    Open,
    /// Fully paid.
    Paid,
    /// Cancelled.
    Void,
    /// Issued, owed and past its due date.
    Overdue,
}

impl From<DomainStatus> for InvoiceStatus {
    fn from(s: DomainStatus) -> Self {
        match s {
            DomainStatus::Draft => Self::Draft,
            DomainStatus::Open => Self::Open,
            DomainStatus::Paid => Self::Paid,
            DomainStatus::Void => Self::Void,
            DomainStatus::Overdue => Self::Overdue,
        }
    }
}

impl From<InvoiceStatus> for DomainStatus {
    fn from(s: InvoiceStatus) -> Self {
        match s {
            InvoiceStatus::Draft => Self::Draft,
            InvoiceStatus::Open => Self::Open,
            InvoiceStatus::Paid => Self::Paid,
            InvoiceStatus::Void => Self::Void,
            InvoiceStatus::Overdue => Self::Overdue,
        }
    }
}

/// How money came.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PaymentMethod {
    /// Card through Stripe.
    Stripe,
    /// Bank transfer.
    BankTransfer,
    /// Cash.
    Cash,
    /// Cheque.
    Check,
    /// Anything else.
    Other,
}

impl From<DomainMethod> for PaymentMethod {
    fn from(m: DomainMethod) -> Self {
        match m {
            DomainMethod::Stripe => Self::Stripe,
            DomainMethod::BankTransfer => Self::BankTransfer,
            DomainMethod::Cash => Self::Cash,
            DomainMethod::Check => Self::Check,
            DomainMethod::Other => Self::Other,
        }
    }
}

impl From<PaymentMethod> for DomainMethod {
    fn from(m: PaymentMethod) -> Self {
        match m {
            PaymentMethod::Stripe => Self::Stripe,
            PaymentMethod::BankTransfer => Self::BankTransfer,
            PaymentMethod::Cash => Self::Cash,
            PaymentMethod::Check => Self::Check,
            PaymentMethod::Other => Self::Other,
        }
    }
}

/// Where a payment is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Created, not yet paid.
    Pending,
    /// The provider is working on it.
    Processing,
    /// The money arrived.
    Completed,
    /// It did not.
    Failed,
    /// Fully refunded.
    Refunded,
    /// Disputed by the card holder.
    Disputed,
}

impl From<DomainPayment> for PaymentStatus {
    fn from(s: DomainPayment) -> Self {
        match s {
            DomainPayment::Pending => Self::Pending,
            DomainPayment::Processing => Self::Processing,
            DomainPayment::Completed => Self::Completed,
            DomainPayment::Failed => Self::Failed,
            DomainPayment::Refunded => Self::Refunded,
            DomainPayment::Disputed => Self::Disputed,
        }
    }
}

/// One line of an invoice.
#[derive(SimpleObject)]
pub struct InvoiceLine {
    /// What it is for.
    pub description: String,
    /// How many.
    pub quantity: i32,
    /// Price of one, in minor units.
    pub unit_minor: i64,
    /// `quantity × unitMinor`.
    pub amount_minor: i64,
}

impl From<invoice_line::Model> for InvoiceLine {
    fn from(l: invoice_line::Model) -> Self {
        Self {
            description: l.description,
            quantity: l.quantity,
            unit_minor: l.unit_minor,
            amount_minor: l.amount_minor,
        }
    }
}

/// An invoice, numbered per school without gaps.
pub struct Invoice(pub invoice::Model);

#[Object]
impl Invoice {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Invoice, self.0.id)
    }
    /// The school's number for it: 1, 2, 3, … with no gap.
    async fn number(&self) -> i64 {
        self.0.number
    }
    /// Its status today, in the school's zone (an open invoice past its
    /// due date is OVERDUE).
    async fn status(&self, ctx: &Context<'_>) -> Result<InvoiceStatus> {
        let stored = infra::billing::status(&self.0).map_err(internal)?;
        let today = loaders(ctx)?
            .school_today(app(ctx).clock.now())
            .await
            .map_err(internal)?;
        Ok(stored.as_of(self.0.due_date, today).into())
    }
    /// The family billed, if a family is.
    async fn family(&self, ctx: &Context<'_>) -> Result<Option<Family>> {
        let Some(id) = self.0.family_id else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.families, id)
            .await?
            .map(|model| Family { model }))
    }
    /// The student billed, if a student is.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        let Some(id) = self.0.student_id else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.students, id).await?.map(Student))
    }
    /// ISO-4217 currency of every amount on it.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// The sum of its lines, in minor units.
    async fn total_minor(&self) -> i64 {
        self.0.total_minor
    }
    /// Paid so far (completed payments net of refunds).
    async fn paid_minor(&self) -> i64 {
        self.0.paid_minor
    }
    /// Still owed.
    async fn balance_minor(&self) -> i64 {
        self.0.total_minor - self.0.paid_minor
    }
    /// When it was issued (null for a draft).
    async fn issue_date(&self) -> Option<LocalDate> {
        self.0.issue_date.map(LocalDate)
    }
    /// When it is due.
    async fn due_date(&self) -> LocalDate {
        LocalDate(self.0.due_date)
    }
    /// A note printed on it.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// A printable page of it (school branding, lines, totals, balance):
    /// a signed link that works for ten minutes, for whoever may see the
    /// invoice.
    async fn print_url(&self, ctx: &Context<'_>) -> String {
        let app = app(ctx);
        crate::print::link(
            &app.download_key,
            self.0.id,
            kernel::SchoolId::from_uuid(self.0.school_id),
            app.clock.now(),
        )
    }
    /// Its lines, in order.
    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<InvoiceLine>> {
        Ok(loaders(ctx)?
            .invoice_lines
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Payments on it, oldest first.
    async fn payments(&self, ctx: &Context<'_>) -> Result<Vec<Payment>> {
        Ok(loaders(ctx)?
            .invoice_payments
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default()
            .into_iter()
            .map(Payment)
            .collect())
    }
}

/// A payment on an invoice.
pub struct Payment(pub payment::Model);

#[Object]
impl Payment {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Payment, self.0.id)
    }
    /// Amount in minor units.
    async fn amount_minor(&self) -> i64 {
        self.0.amount_minor
    }
    /// Refunded so far, in minor units.
    async fn refunded_minor(&self) -> i64 {
        self.0.refunded_minor
    }
    /// ISO-4217 currency.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// How it came.
    async fn method(&self) -> Result<PaymentMethod> {
        Ok(infra::billing::payment_method(&self.0)
            .map_err(internal)?
            .into())
    }
    /// Where it is.
    async fn status(&self) -> Result<PaymentStatus> {
        Ok(infra::billing::payment_status(&self.0)
            .map_err(internal)?
            .into())
    }
    /// The office's reference (a transfer reference, a cheque number).
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    /// Stripe's PaymentIntent id, for card payments.
    async fn stripe_payment_intent_id(&self) -> Option<&str> {
        self.0.stripe_payment_intent_id.as_deref()
    }
    /// What the browser confirms a pending card payment with (Stripe.js
    /// `confirmPayment`); null once it is no longer pending.
    async fn client_secret(&self) -> Option<&str> {
        match infra::billing::payment_status(&self.0) {
            Ok(DomainPayment::Pending) => self.0.stripe_client_secret.as_deref(),
            _ => None,
        }
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// When the money arrived.
    async fn completed_at(&self) -> Option<DateTime> {
        self.0.completed_at.map(DateTime)
    }
}
