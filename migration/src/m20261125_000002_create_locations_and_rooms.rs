//! Locations (branches) and their rooms / booths.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Locations {
    Table,
    Id,
    SchoolId,
    Name,
    Address,
    Timezone,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
    SchoolId,
    LocationId,
    Name,
    Capacity,
    Kind,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Locations::Table)
                    .col(pk_uuid(Locations::Id))
                    .col(uuid(Locations::SchoolId))
                    .col(string(Locations::Name))
                    .col(string_null(Locations::Address))
                    // Null: the school's zone applies.
                    .col(string_null(Locations::Timezone))
                    .col(timestamp_with_time_zone(Locations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Locations::Table, Locations::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Rooms::Table)
                    .col(pk_uuid(Rooms::Id))
                    .col(uuid(Rooms::SchoolId))
                    .col(uuid(Rooms::LocationId))
                    .col(string(Rooms::Name))
                    .col(integer(Rooms::Capacity))
                    .col(string(Rooms::Kind))
                    .col(timestamp_with_time_zone(Rooms::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Rooms::Table, Rooms::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Rooms::Table, Rooms::LocationId)
                            .to(Locations::Table, Locations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_locations_school")
                    .table(Locations::Table)
                    .col(Locations::SchoolId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rooms_school_location")
                    .table(Rooms::Table)
                    .col(Rooms::SchoolId)
                    .col(Rooms::LocationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Rooms::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Locations::Table).to_owned())
            .await
    }
}
