//! Installments paid through invoices: the amount paid (the collecting
//! invoice's, net of refunds), a status PENDING / PAID / OVERDUE, and the
//! invoice that collects it. The old `paid` flag becomes the status.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SubscriptionInstallments {
    Table,
    Paid,
    PaidMinor,
    Status,
    InvoiceId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER.
        for col in [
            big_integer(SubscriptionInstallments::PaidMinor)
                .default(0)
                .to_owned(),
            string(SubscriptionInstallments::Status)
                .default("PENDING")
                .to_owned(),
            uuid_null(SubscriptionInstallments::InvoiceId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SubscriptionInstallments::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        // What was marked paid by hand was paid in full.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE subscription_installments \
                 SET status = 'PAID', paid_minor = amount_minor WHERE paid",
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SubscriptionInstallments::Table)
                    .drop_column(SubscriptionInstallments::Paid)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_installments_invoice")
                    .table(SubscriptionInstallments::Table)
                    .col(SubscriptionInstallments::InvoiceId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_installments_invoice")
                    .table(SubscriptionInstallments::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SubscriptionInstallments::Table)
                    .add_column(
                        boolean(SubscriptionInstallments::Paid)
                            .default(false)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("UPDATE subscription_installments SET paid = (status = 'PAID')")
            .await?;
        for col in [
            SubscriptionInstallments::PaidMinor,
            SubscriptionInstallments::Status,
            SubscriptionInstallments::InvoiceId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SubscriptionInstallments::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
