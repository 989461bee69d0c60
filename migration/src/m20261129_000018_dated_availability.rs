//! Dated availability: a teacher's weekly window may apply only from a
//! local date and/or until one (both inclusive), so a summer timetable
//! replaces the term's without anyone editing it on the day.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TeacherAvailability {
    Table,
    ValidFrom,
    ValidUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER.
        for mut col in [
            date_null(TeacherAvailability::ValidFrom),
            date_null(TeacherAvailability::ValidUntil),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TeacherAvailability::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            TeacherAvailability::ValidFrom,
            TeacherAvailability::ValidUntil,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TeacherAvailability::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
