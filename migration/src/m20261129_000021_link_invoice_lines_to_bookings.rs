//! An invoice line may stand for one booking (monthly invoicing); a
//! booking is on at most one line (a unique index: billing the same month
//! twice, or twice at once, cannot bill a lesson twice). Lines of a voided
//! invoice give their bookings back (`infra::billing` unlinks them).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InvoiceLines {
    Table,
    BookingId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(InvoiceLines::Table)
                    .add_column(uuid_null(InvoiceLines::BookingId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_invoice_lines_booking")
                    .table(InvoiceLines::Table)
                    .col(InvoiceLines::BookingId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_invoice_lines_booking")
                    .table(InvoiceLines::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(InvoiceLines::Table)
                    .drop_column(InvoiceLines::BookingId)
                    .to_owned(),
            )
            .await
    }
}
