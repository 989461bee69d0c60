//! Schools (tenants), their users, and bearer tokens.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
    Name,
    ContactEmail,
    Timezone,
    Currency,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    SchoolId,
    Email,
    PasswordHash,
    FirstName,
    LastName,
    Roles,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthTokens {
    Table,
    Id,
    SchoolId,
    UserId,
    TokenHash,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Schools::Table)
                    .col(pk_uuid(Schools::Id))
                    .col(string(Schools::Name))
                    .col(string(Schools::ContactEmail))
                    .col(string(Schools::Timezone))
                    .col(string_len(Schools::Currency, 3))
                    .col(timestamp_with_time_zone(Schools::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(uuid(Users::SchoolId))
                    // Unique across schools: an email logs in to exactly one account.
                    .col(string_uniq(Users::Email))
                    .col(string(Users::PasswordHash))
                    .col(string(Users::FirstName))
                    .col(string(Users::LastName))
                    .col(string(Users::Roles))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuthTokens::Table)
                    .col(pk_uuid(AuthTokens::Id))
                    .col(uuid(AuthTokens::SchoolId))
                    .col(uuid(AuthTokens::UserId))
                    // SHA-256 of the token: a leaked table does not leak logins.
                    .col(string_uniq(AuthTokens::TokenHash))
                    .col(timestamp_with_time_zone(AuthTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthTokens::RevokedAt))
                    .col(timestamp_with_time_zone(AuthTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuthTokens::Table, AuthTokens::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_school")
                    .table(Users::Table)
                    .col(Users::SchoolId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthTokens::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Schools::Table).to_owned())
            .await
    }
}
