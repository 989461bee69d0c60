//! Teacher time-off exceptions (holidays, sick days): busy time that slot
//! search and 1-on-1 booking respect.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TeacherTimeOff {
    Table,
    Id,
    SchoolId,
    TeacherId,
    StartsAt,
    EndsAt,
    Reason,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TeacherTimeOff::Table)
                    .col(pk_uuid(TeacherTimeOff::Id))
                    .col(uuid(TeacherTimeOff::SchoolId))
                    .col(uuid(TeacherTimeOff::TeacherId))
                    .col(timestamp_with_time_zone(TeacherTimeOff::StartsAt))
                    .col(timestamp_with_time_zone(TeacherTimeOff::EndsAt))
                    .col(string_null(TeacherTimeOff::Reason))
                    .col(timestamp_with_time_zone(TeacherTimeOff::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_teacher_time_off_teacher")
                    .table(TeacherTimeOff::Table)
                    .col(TeacherTimeOff::TeacherId)
                    .col(TeacherTimeOff::StartsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TeacherTimeOff::Table).to_owned())
            .await
    }
}
