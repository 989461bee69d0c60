//! Refunds as a ledger: one row per refund of a payment, with Stripe's
//! refund id for card payments (unique, so a refund Stripe made once is
//! recorded once however often the request is retried or raced).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PaymentRefunds {
    Table,
    Id,
    SchoolId,
    PaymentId,
    AmountMinor,
    StripeRefundId,
    RefundedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PaymentRefunds::Table)
                    .col(pk_uuid(PaymentRefunds::Id))
                    .col(uuid(PaymentRefunds::SchoolId))
                    .col(uuid(PaymentRefunds::PaymentId))
                    .col(big_integer(PaymentRefunds::AmountMinor))
                    .col(string_null(PaymentRefunds::StripeRefundId))
                    .col(uuid_null(PaymentRefunds::RefundedBy))
                    .col(timestamp_with_time_zone(PaymentRefunds::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PaymentRefunds::Table, PaymentRefunds::PaymentId)
                            .to(Payments::Table, Payments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col, unique) in [
            (
                "idx_payment_refunds_payment",
                PaymentRefunds::PaymentId,
                false,
            ),
            (
                "ux_payment_refunds_stripe",
                PaymentRefunds::StripeRefundId,
                true,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(PaymentRefunds::Table).col(col);
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PaymentRefunds::Table).to_owned())
            .await
    }
}
