//! An offering's other prices: the whole course (prorated for a late
//! join) and a drop-in session, beside the per-session price.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Offerings {
    Table,
    CoursePriceMinor,
    DropInPriceMinor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER.
        for col in [
            big_integer_null(Offerings::CoursePriceMinor),
            big_integer_null(Offerings::DropInPriceMinor),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Offerings::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Offerings::CoursePriceMinor, Offerings::DropInPriceMinor] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Offerings::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
