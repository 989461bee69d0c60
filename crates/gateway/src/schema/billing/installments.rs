//! Installment plans paid like everything else: `invoiceInstallment`
//! turns an installment into an OPEN invoice (once; again only after that
//! invoice is voided), which the family pays by any method, card
//! included; the installment's paid amount and status follow the invoice.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use billing::installment::InstallmentError;
use infra::entity::{subscription, subscription_installment};
use kernel::StudentId;
use kernel::policy::Action;

use crate::context::app;
use crate::error::{Code, FieldError, UserError, internal};
use crate::ids::{Kind, decode};
use crate::schema::billing::Invoice;
use crate::schema::crm::subscriptions::Installment;
use crate::schema::{Done, allow, mutation, payloads};

/// Input of `invoiceInstallment`.
#[derive(InputObject)]
pub struct InvoiceInstallmentInput {
    /// The installment.
    pub installment_id: ID,
}

/// Result of `invoiceInstallment`.
#[derive(SimpleObject, Default)]
pub struct InstallmentPayload {
    /// The installment, linked to its invoice.
    pub installment: Option<Installment>,
    /// The OPEN invoice that collects it.
    pub invoice: Option<Invoice>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(InstallmentPayload);

/// Installment mutations.
#[derive(Default)]
pub struct InstallmentMutation;

#[Object]
impl InstallmentMutation {
    /// Invoices an installment: an OPEN invoice issued today, due on the
    /// installment's date (today if that has passed), billed to the
    /// student's family or the student. Asking again returns the same
    /// invoice while it is live. The office, or a parent paying it.
    async fn invoice_installment(
        &self,
        ctx: &Context<'_>,
        input: InvoiceInstallmentInput,
    ) -> Result<InstallmentPayload> {
        crate::context::viewer(ctx)?;
        let not_found = || FieldError::not_found("installmentId", "installment");
        let Some(id) = decode(Kind::Installment, &input.installment_id) else {
            return crate::schema::refused(not_found());
        };
        mutation(ctx, async |tx, viewer| {
            let Some(inst) =
                infra::repo::find::<subscription_installment::Entity>(tx, viewer.school, id)
                    .await
                    .map_err(internal)?
            else {
                return Ok(Done::refuse(not_found()));
            };
            let Some(sub) =
                infra::repo::find::<subscription::Entity>(tx, viewer.school, inst.subscription_id)
                    .await
                    .map_err(internal)?
            else {
                return Ok(Done::refuse(not_found()));
            };
            allow(viewer, Action::PayFor(StudentId::from_uuid(sub.student_id)))?;
            let now = app(ctx).clock.now();
            match infra::installments::invoice(tx, viewer.school, id, now)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(not_found())),
                Some(Err(InstallmentError::Paid)) => Ok(Done::Refuse(UserError::input(
                    "installmentId",
                    Code::InvalidState,
                    InstallmentError::Paid.to_string(),
                ))),
                Some(Err(InstallmentError::Invoice(e))) => {
                    Ok(Done::Refuse(crate::schema::billing::invoice_error(e)))
                }
                Some(Ok((inst, inv))) => {
                    let targets = vec![(Kind::Installment, inst.id), (Kind::Invoice, inv.id)];
                    Ok(Done::Commit(
                        InstallmentPayload {
                            installment: Some(Installment(inst)),
                            invoice: Some(Invoice(inv)),
                            user_errors: vec![],
                        },
                        targets,
                    ))
                }
            }
        })
        .await
    }
}
