//! The catalogue: offerings (class types).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Offerings {
    Table,
    Id,
    SchoolId,
    Title,
    Kind,
    DefaultDurationMinutes,
    DefaultCapacity,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Offerings::Table)
                    .col(pk_uuid(Offerings::Id))
                    .col(uuid(Offerings::SchoolId))
                    .col(string(Offerings::Title))
                    .col(string(Offerings::Kind))
                    .col(integer(Offerings::DefaultDurationMinutes))
                    .col(integer(Offerings::DefaultCapacity))
                    .col(timestamp_with_time_zone(Offerings::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Offerings::Table, Offerings::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_offerings_school")
                    .table(Offerings::Table)
                    .col(Offerings::SchoolId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Offerings::Table).to_owned())
            .await
    }
}
