//! Billing: invoices numbered per school without gaps (a counter row per
//! school, incremented in the creating transaction), their lines, payments
//! (partial, refundable, Stripe PaymentIntents unique), and the Stripe
//! events already processed (keyed by Stripe's event id, so a replayed or
//! concurrent delivery finds its id taken and changes nothing).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InvoiceCounters {
    Table,
    SchoolId,
    LastNumber,
}

#[derive(DeriveIden)]
enum Invoices {
    Table,
    Id,
    SchoolId,
    Number,
    FamilyId,
    StudentId,
    Currency,
    Status,
    IssueDate,
    DueDate,
    TotalMinor,
    PaidMinor,
    Notes,
    CreatedAt,
    IssuedAt,
    VoidedAt,
}

#[derive(DeriveIden)]
enum InvoiceLines {
    Table,
    Id,
    SchoolId,
    InvoiceId,
    Position,
    Description,
    Quantity,
    UnitMinor,
    AmountMinor,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    SchoolId,
    InvoiceId,
    AmountMinor,
    RefundedMinor,
    Currency,
    Method,
    Status,
    Reference,
    StripePaymentIntentId,
    StripeClientSecret,
    RecordedBy,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum StripeEvents {
    Table,
    Id,
    Kind,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum Families {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Students {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InvoiceCounters::Table)
                    .col(uuid(InvoiceCounters::SchoolId).primary_key())
                    .col(big_integer(InvoiceCounters::LastNumber))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InvoiceCounters::Table, InvoiceCounters::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invoices::Table)
                    .col(pk_uuid(Invoices::Id))
                    .col(uuid(Invoices::SchoolId))
                    .col(big_integer(Invoices::Number))
                    .col(uuid_null(Invoices::FamilyId))
                    .col(uuid_null(Invoices::StudentId))
                    .col(string(Invoices::Currency))
                    .col(string(Invoices::Status))
                    .col(date_null(Invoices::IssueDate))
                    .col(date(Invoices::DueDate))
                    .col(big_integer(Invoices::TotalMinor))
                    .col(big_integer(Invoices::PaidMinor))
                    .col(text_null(Invoices::Notes))
                    .col(timestamp_with_time_zone(Invoices::CreatedAt))
                    .col(timestamp_with_time_zone_null(Invoices::IssuedAt))
                    .col(timestamp_with_time_zone_null(Invoices::VoidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invoices::Table, Invoices::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invoices::Table, Invoices::FamilyId)
                            .to(Families::Table, Families::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invoices::Table, Invoices::StudentId)
                            .to(Students::Table, Students::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_invoices_school_number")
                    .table(Invoices::Table)
                    .col(Invoices::SchoolId)
                    .col(Invoices::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invoices_family")
                    .table(Invoices::Table)
                    .col(Invoices::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InvoiceLines::Table)
                    .col(pk_uuid(InvoiceLines::Id))
                    .col(uuid(InvoiceLines::SchoolId))
                    .col(uuid(InvoiceLines::InvoiceId))
                    .col(integer(InvoiceLines::Position))
                    .col(text(InvoiceLines::Description))
                    .col(integer(InvoiceLines::Quantity))
                    .col(big_integer(InvoiceLines::UnitMinor))
                    .col(big_integer(InvoiceLines::AmountMinor))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InvoiceLines::Table, InvoiceLines::InvoiceId)
                            .to(Invoices::Table, Invoices::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invoice_lines_invoice")
                    .table(InvoiceLines::Table)
                    .col(InvoiceLines::InvoiceId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Payments::Table)
                    .col(pk_uuid(Payments::Id))
                    .col(uuid(Payments::SchoolId))
                    .col(uuid(Payments::InvoiceId))
                    .col(big_integer(Payments::AmountMinor))
                    .col(big_integer(Payments::RefundedMinor))
                    .col(string(Payments::Currency))
                    .col(string(Payments::Method))
                    .col(string(Payments::Status))
                    .col(string_null(Payments::Reference))
                    .col(string_null(Payments::StripePaymentIntentId))
                    .col(string_null(Payments::StripeClientSecret))
                    .col(uuid_null(Payments::RecordedBy))
                    .col(timestamp_with_time_zone(Payments::CreatedAt))
                    .col(timestamp_with_time_zone_null(Payments::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Payments::Table, Payments::InvoiceId)
                            .to(Invoices::Table, Invoices::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col, unique) in [
            ("idx_payments_invoice", Payments::InvoiceId, false),
            ("ux_payments_intent", Payments::StripePaymentIntentId, true),
        ] {
            let mut index = Index::create();
            index.name(name).table(Payments::Table).col(col);
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(StripeEvents::Table)
                    .col(string(StripeEvents::Id).primary_key())
                    .col(string(StripeEvents::Kind))
                    .col(timestamp_with_time_zone(StripeEvents::ReceivedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StripeEvents::Table.into_iden(),
            Payments::Table.into_iden(),
            InvoiceLines::Table.into_iden(),
            Invoices::Table.into_iden(),
            InvoiceCounters::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
