//! Refunds as a ledger: one row per refund of a payment, with Stripe's
//! refund id for card payments (unique, so a refund Stripe made once is
//! recorded once however often the request is retried or raced). Refunds
//! made before are carried over, one row per refunded payment.

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
        // Refunds recorded before the ledger existed: one row per payment
        // with its refunded total, so the ledger sums to `refunded_minor`
        // (the payment's id serves as the row's: one such row per payment).
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO payment_refunds \
                 (id, school_id, payment_id, amount_minor, stripe_refund_id, refunded_by, created_at) \
                 SELECT id, school_id, id, refunded_minor, NULL, NULL, created_at \
                 FROM payments WHERE refunded_minor > 0",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PaymentRefunds::Table).to_owned())
            .await
    }
}
