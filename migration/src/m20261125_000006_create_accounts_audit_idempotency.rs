//! Identity and hardening: student logins, family groups, the audit log and
//! idempotency keys.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Students {
    Table,
    Id,
    UserId,
}

#[derive(DeriveIden)]
enum Families {
    Table,
    Id,
    SchoolId,
    Name,
    AdminUserId,
    BillingEmail,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FamilyMembers {
    Table,
    Id,
    SchoolId,
    FamilyId,
    UserId,
    StudentId,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    SchoolId,
    UserId,
    Action,
    Targets,
    At,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    SchoolId,
    UserId,
    Key,
    Operation,
    RequestHash,
    Response,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A student may get their own login (role STUDENT).
        manager
            .alter_table(
                Table::alter()
                    .table(Students::Table)
                    .add_column(uuid_null(Students::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Families::Table)
                    .col(pk_uuid(Families::Id))
                    .col(uuid(Families::SchoolId))
                    .col(string(Families::Name))
                    .col(uuid(Families::AdminUserId))
                    .col(string_null(Families::BillingEmail))
                    .col(timestamp_with_time_zone(Families::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Families::Table, Families::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Families::Table, Families::AdminUserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A member is a user (a second guardian) or a student; exactly one.
        manager
            .create_table(
                Table::create()
                    .table(FamilyMembers::Table)
                    .col(pk_uuid(FamilyMembers::Id))
                    .col(uuid(FamilyMembers::SchoolId))
                    .col(uuid(FamilyMembers::FamilyId))
                    .col(uuid_null(FamilyMembers::UserId))
                    .col(uuid_null(FamilyMembers::StudentId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FamilyMembers::Table, FamilyMembers::FamilyId)
                            .to(Families::Table, Families::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FamilyMembers::Table, FamilyMembers::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FamilyMembers::Table, FamilyMembers::StudentId)
                            .to(Students::Table, Students::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("uq_family_members_user", FamilyMembers::UserId),
            ("uq_family_members_student", FamilyMembers::StudentId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(FamilyMembers::Table)
                        .col(FamilyMembers::FamilyId)
                        .col(col)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(uuid(AuditLog::SchoolId))
                    // None for the system (the ADVANCE job).
                    .col(uuid_null(AuditLog::UserId))
                    .col(string(AuditLog::Action))
                    // JSON array of affected row ids.
                    .col(text(AuditLog::Targets))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_school_at")
                    .table(AuditLog::Table)
                    .col(AuditLog::SchoolId)
                    .col(AuditLog::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(pk_uuid(IdempotencyKeys::Id))
                    .col(uuid(IdempotencyKeys::SchoolId))
                    .col(uuid(IdempotencyKeys::UserId))
                    .col(string(IdempotencyKeys::Key))
                    .col(string(IdempotencyKeys::Operation))
                    .col(string(IdempotencyKeys::RequestHash))
                    // What the first request produced, as JSON.
                    .col(text(IdempotencyKeys::Response))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_idempotency_keys_user_key")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::SchoolId)
                    .col(IdempotencyKeys::UserId)
                    .col(IdempotencyKeys::Key)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            AuditLog::Table.into_iden(),
            FamilyMembers::Table.into_iden(),
            Families::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Students::Table)
                    .drop_column(Students::UserId)
                    .to_owned(),
            )
            .await
    }
}
