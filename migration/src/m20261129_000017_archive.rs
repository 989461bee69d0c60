//! Archiving instead of deleting.
//!
//! Locations, rooms, teachers, students and offerings get `archived_at`:
//! history (sessions, bookings, attendance, invoices) keeps pointing at an
//! archived row, lists hide it, and nothing new may use it. A room
//! archived because its location was (`archived_with_location`) comes
//! back with it; one archived on its own does not.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Locations {
    Table,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    ArchivedWithLocation,
}

#[derive(DeriveIden)]
enum Teachers {
    Table,
}

#[derive(DeriveIden)]
enum Students {
    Table,
}

#[derive(DeriveIden)]
enum Offerings {
    Table,
}

#[derive(DeriveIden)]
enum Archive {
    ArchivedAt,
}

fn archivable() -> Vec<DynIden> {
    vec![
        Locations::Table.into_iden(),
        Rooms::Table.into_iden(),
        Teachers::Table.into_iden(),
        Students::Table.into_iden(),
        Offerings::Table.into_iden(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER.
        let mut adds: Vec<(DynIden, ColumnDef)> = archivable()
            .into_iter()
            .map(|t| (t, timestamp_with_time_zone_null(Archive::ArchivedAt)))
            .collect();
        adds.push((
            Rooms::Table.into_iden(),
            boolean(Rooms::ArchivedWithLocation)
                .default(false)
                .to_owned(),
        ));
        for (table, mut col) in adds {
            manager
                .alter_table(Table::alter().table(table).add_column(&mut col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut drops: Vec<(DynIden, DynIden)> = archivable()
            .into_iter()
            .map(|t| (t, Archive::ArchivedAt.into_iden()))
            .collect();
        drops.push((
            Rooms::Table.into_iden(),
            Rooms::ArchivedWithLocation.into_iden(),
        ));
        for (table, col) in drops {
            manager
                .alter_table(Table::alter().table(table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
