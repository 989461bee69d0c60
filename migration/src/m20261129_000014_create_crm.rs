//! CRM: leads (with the lead they duplicate, their evaluation session and,
//! once converted, the student, parent and family they became),
//! programmes and subscriptions with their freezes and installments, the
//! check-in log of QR scans, the version of each student's QR code
//! (rotating it bumps the version, so older printed codes stop working),
//! and each school's QR signing key, stored so printed codes outlive
//! restarts and work on every instance. An installment keeps its original
//! due date: the current one is recomputed from it and the freezes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
    QrKey,
}

#[derive(DeriveIden)]
enum Students {
    Table,
    Id,
    QrVersion,
}

#[derive(DeriveIden)]
enum Leads {
    Table,
    Id,
    SchoolId,
    ParentName,
    ParentEmail,
    ParentPhone,
    ChildFirstName,
    ChildLastName,
    ChildBirthDate,
    Source,
    Notes,
    Status,
    DuplicateOfId,
    EvaluationSessionId,
    StudentId,
    ParentUserId,
    FamilyId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Programmes {
    Table,
    Id,
    SchoolId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    SchoolId,
    StudentId,
    ProgrammeId,
    StartDate,
    EndDate,
    FreezeDaysAllowed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SubscriptionFreezes {
    Table,
    Id,
    SchoolId,
    SubscriptionId,
    FromDate,
    Days,
    Reason,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SubscriptionInstallments {
    Table,
    Id,
    SchoolId,
    SubscriptionId,
    DueDate,
    OriginalDueDate,
    AmountMinor,
    Currency,
    Paid,
}

#[derive(DeriveIden)]
enum CheckIns {
    Table,
    Id,
    SchoolId,
    StudentId,
    Kind,
    SessionId,
    At,
    Device,
    RecordedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Students::Table)
                    .add_column(integer(Students::QrVersion).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Schools::Table)
                    .add_column(string_null(Schools::QrKey))
                    .to_owned(),
            )
            .await?;
        // Existing schools get a random key now; new ones at sign-up.
        let fill = match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => {
                "UPDATE schools SET qr_key = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') WHERE qr_key IS NULL"
            }
            _ => "UPDATE schools SET qr_key = lower(hex(randomblob(32))) WHERE qr_key IS NULL",
        };
        manager.get_connection().execute_unprepared(fill).await?;
        manager
            .create_table(
                Table::create()
                    .table(Leads::Table)
                    .col(pk_uuid(Leads::Id))
                    .col(uuid(Leads::SchoolId))
                    .col(string(Leads::ParentName))
                    .col(string_null(Leads::ParentEmail))
                    .col(string_null(Leads::ParentPhone))
                    .col(string(Leads::ChildFirstName))
                    .col(string(Leads::ChildLastName))
                    .col(date_null(Leads::ChildBirthDate))
                    .col(string_null(Leads::Source))
                    .col(text_null(Leads::Notes))
                    .col(string(Leads::Status))
                    .col(uuid_null(Leads::DuplicateOfId))
                    .col(uuid_null(Leads::EvaluationSessionId))
                    .col(uuid_null(Leads::StudentId))
                    .col(uuid_null(Leads::ParentUserId))
                    .col(uuid_null(Leads::FamilyId))
                    .col(timestamp_with_time_zone(Leads::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Leads::Table, Leads::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_leads_email", Leads::ParentEmail),
            ("idx_leads_phone", Leads::ParentPhone),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Leads::Table)
                        .col(Leads::SchoolId)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Programmes::Table)
                    .col(pk_uuid(Programmes::Id))
                    .col(uuid(Programmes::SchoolId))
                    .col(string(Programmes::Name))
                    .col(timestamp_with_time_zone(Programmes::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .col(pk_uuid(Subscriptions::Id))
                    .col(uuid(Subscriptions::SchoolId))
                    .col(uuid(Subscriptions::StudentId))
                    .col(uuid(Subscriptions::ProgrammeId))
                    .col(date(Subscriptions::StartDate))
                    .col(date(Subscriptions::EndDate))
                    .col(integer(Subscriptions::FreezeDaysAllowed))
                    .col(timestamp_with_time_zone(Subscriptions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscriptions::Table, Subscriptions::StudentId)
                            .to(Students::Table, Students::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscriptions::Table, Subscriptions::ProgrammeId)
                            .to(Programmes::Table, Programmes::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SubscriptionFreezes::Table)
                    .col(pk_uuid(SubscriptionFreezes::Id))
                    .col(uuid(SubscriptionFreezes::SchoolId))
                    .col(uuid(SubscriptionFreezes::SubscriptionId))
                    .col(date(SubscriptionFreezes::FromDate))
                    .col(integer(SubscriptionFreezes::Days))
                    .col(text_null(SubscriptionFreezes::Reason))
                    .col(uuid(SubscriptionFreezes::CreatedBy))
                    .col(timestamp_with_time_zone(SubscriptionFreezes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                SubscriptionFreezes::Table,
                                SubscriptionFreezes::SubscriptionId,
                            )
                            .to(Subscriptions::Table, Subscriptions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SubscriptionInstallments::Table)
                    .col(pk_uuid(SubscriptionInstallments::Id))
                    .col(uuid(SubscriptionInstallments::SchoolId))
                    .col(uuid(SubscriptionInstallments::SubscriptionId))
                    .col(date(SubscriptionInstallments::DueDate))
                    .col(date(SubscriptionInstallments::OriginalDueDate))
                    .col(big_integer(SubscriptionInstallments::AmountMinor))
                    .col(string(SubscriptionInstallments::Currency))
                    .col(boolean(SubscriptionInstallments::Paid))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                SubscriptionInstallments::Table,
                                SubscriptionInstallments::SubscriptionId,
                            )
                            .to(Subscriptions::Table, Subscriptions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CheckIns::Table)
                    .col(pk_uuid(CheckIns::Id))
                    .col(uuid(CheckIns::SchoolId))
                    .col(uuid(CheckIns::StudentId))
                    .col(string(CheckIns::Kind))
                    .col(uuid_null(CheckIns::SessionId))
                    .col(timestamp_with_time_zone(CheckIns::At))
                    .col(string_null(CheckIns::Device))
                    .col(uuid(CheckIns::RecordedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckIns::Table, CheckIns::StudentId)
                            .to(Students::Table, Students::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_check_ins_student_at")
                    .table(CheckIns::Table)
                    .col(CheckIns::StudentId)
                    .col(CheckIns::At)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CheckIns::Table).to_owned())
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(SubscriptionInstallments::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(SubscriptionFreezes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Subscriptions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Programmes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Leads::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Students::Table)
                    .drop_column(Students::QrVersion)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Schools::Table)
                    .drop_column(Schools::QrKey)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
