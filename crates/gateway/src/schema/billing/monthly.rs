//! Monthly invoicing over GraphQL: a preview of the drafts a month's
//! lessons make, and `createMonthlyInvoices` writing them (office only).

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use billing::monthly::{Draft, Payer};
use billing::payout::Period;
use kernel::policy::Action;

use super::objects::{Invoice, InvoiceLine};
use crate::context::{app, loaders};
use crate::error::{FieldError, UserError, internal};
use crate::ids::Kind;
use crate::scalars::LocalDate;
use crate::schema::{Done, Family, Student, authorize, load, mutation, payloads, refused};

/// An invoice monthly invoicing would create.
pub struct InvoiceDraft(Draft);

#[Object]
impl InvoiceDraft {
    /// The family billed, if a family is.
    async fn family(&self, ctx: &Context<'_>) -> Result<Option<Family>> {
        let Payer::Family(id) = self.0.payer else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.families, id)
            .await?
            .map(|model| Family { model }))
    }
    /// The student billed, if no family is.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        let Payer::Student(id) = self.0.payer else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.students, id).await?.map(Student))
    }
    /// One line per lesson, by time.
    async fn lines(&self) -> Vec<InvoiceLine> {
        self.0
            .lines
            .iter()
            .map(|(_, l)| InvoiceLine {
                description: l.description.clone(),
                quantity: l.quantity as i32,
                unit_minor: l.unit_minor,
                amount_minor: l.amount_minor,
            })
            .collect()
    }
    /// The sum of the lines, in minor units.
    async fn total_minor(&self) -> i64 {
        self.0.total_minor
    }
}

/// Input of `createMonthlyInvoices`.
#[derive(InputObject)]
pub struct CreateMonthlyInvoicesInput {
    /// The month, `YYYY-MM`.
    pub period: String,
    /// When the invoices are due.
    pub due_date: LocalDate,
}

/// Result of `createMonthlyInvoices`.
#[derive(SimpleObject, Default)]
pub struct MonthlyInvoicesPayload {
    /// The DRAFT invoices created (none when everything was billed).
    pub invoices: Vec<Invoice>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(MonthlyInvoicesPayload);

fn period(raw: &str) -> std::result::Result<Period, FieldError> {
    Period::parse(raw).map_err(|e| FieldError::invalid("period", e.to_string()))
}

#[derive(Default)]
pub struct MonthlyQuery;

#[Object]
impl MonthlyQuery {
    /// The invoices `createMonthlyInvoices` would create for a month: one
    /// per family (or student without one), a line per lesson booked and
    /// billed by its attendance status, lessons already invoiced left out.
    /// Writes nothing.
    async fn monthly_invoice_preview(
        &self,
        ctx: &Context<'_>,
        period: String,
    ) -> Result<Vec<InvoiceDraft>> {
        let viewer = authorize(ctx, Action::ManageSchool)?;
        let p = period_or_error(&period)?;
        Ok(
            infra::invoicing::preview(app(ctx).db.conn(), viewer.school, p)
                .await
                .map_err(internal)?
                .into_iter()
                .map(InvoiceDraft)
                .collect(),
        )
    }
}

fn period_or_error(raw: &str) -> Result<Period> {
    period(raw).map_err(|e| crate::error::bad_input("period", e.code, e.message))
}

#[derive(Default)]
pub struct MonthlyMutation;

#[Object]
impl MonthlyMutation {
    /// Creates the month's DRAFT invoices (what the preview shows); each
    /// lesson is billed once, however often this runs.
    async fn create_monthly_invoices(
        &self,
        ctx: &Context<'_>,
        input: CreateMonthlyInvoicesInput,
    ) -> Result<MonthlyInvoicesPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let p = match period(&input.period) {
            Ok(p) => p,
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let made =
                infra::invoicing::create_monthly(tx, viewer.school, p, input.due_date.0, now)
                    .await
                    .map_err(internal)?;
            let targets = made.iter().map(|i| (Kind::Invoice, i.id)).collect();
            Ok(Done::Commit(
                MonthlyInvoicesPayload {
                    invoices: made.into_iter().map(Invoice).collect(),
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }
}
