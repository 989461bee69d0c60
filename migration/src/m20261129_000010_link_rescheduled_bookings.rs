//! Rescheduling links the old booking to its replacement
//! (`bookings.rescheduled_from_id`), and one booking policy per teacher
//! (and offering) is a constraint, not a read-then-write.
//!
//! The policy constraint is two partial unique indexes because NULLs are
//! distinct in a plain unique index on both databases: one for a teacher's
//! general policy (`offering_id IS NULL`), one per teacher and offering.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Bookings {
    Table,
    RescheduledFromId,
}

const GENERAL: &str = "CREATE UNIQUE INDEX uq_booking_policies_teacher ON booking_policies (school_id, teacher_id) WHERE offering_id IS NULL";
const SPECIFIC: &str = "CREATE UNIQUE INDEX uq_booking_policies_teacher_offering ON booking_policies (school_id, teacher_id, offering_id) WHERE offering_id IS NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .add_column(uuid_null(Bookings::RescheduledFromId))
                    .to_owned(),
            )
            .await?;
        // A booking is replaced at most once: the index that serves
        // `rescheduledTo` is unique (NULLs, the bookings never moved, are
        // distinct on both databases).
        manager
            .create_index(
                Index::create()
                    .name("idx_bookings_rescheduled_from")
                    .table(Bookings::Table)
                    .col(Bookings::RescheduledFromId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(GENERAL).await?;
        db.execute_unprepared(SPECIFIC).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX uq_booking_policies_teacher_offering")
            .await?;
        db.execute_unprepared("DROP INDEX uq_booking_policies_teacher")
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_bookings_rescheduled_from")
                    .table(Bookings::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Bookings::Table)
                    .drop_column(Bookings::RescheduledFromId)
                    .to_owned(),
            )
            .await
    }
}
