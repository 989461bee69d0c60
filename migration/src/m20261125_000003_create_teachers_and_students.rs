//! Teacher profiles with weekly availability windows, and students.

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
enum Teachers {
    Table,
    Id,
    SchoolId,
    UserId,
    Email,
    FirstName,
    LastName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TeacherAvailability {
    Table,
    Id,
    SchoolId,
    TeacherId,
    Weekday,
    StartTime,
    EndTime,
}

#[derive(DeriveIden)]
enum Students {
    Table,
    Id,
    SchoolId,
    FirstName,
    LastName,
    Email,
    DateOfBirth,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Teachers::Table)
                    .col(pk_uuid(Teachers::Id))
                    .col(uuid(Teachers::SchoolId))
                    // A teacher may exist before they get a login.
                    .col(uuid_null(Teachers::UserId))
                    .col(string(Teachers::Email))
                    .col(string(Teachers::FirstName))
                    .col(string(Teachers::LastName))
                    .col(timestamp_with_time_zone(Teachers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Teachers::Table, Teachers::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Teachers::Table, Teachers::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TeacherAvailability::Table)
                    .col(pk_uuid(TeacherAvailability::Id))
                    .col(uuid(TeacherAvailability::SchoolId))
                    .col(uuid(TeacherAvailability::TeacherId))
                    // ISO weekday, 1 = Monday.
                    .col(small_integer(TeacherAvailability::Weekday))
                    .col(time(TeacherAvailability::StartTime))
                    .col(time(TeacherAvailability::EndTime))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TeacherAvailability::Table, TeacherAvailability::TeacherId)
                            .to(Teachers::Table, Teachers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Students::Table)
                    .col(pk_uuid(Students::Id))
                    .col(uuid(Students::SchoolId))
                    .col(string(Students::FirstName))
                    .col(string(Students::LastName))
                    .col(string_null(Students::Email))
                    .col(date_null(Students::DateOfBirth))
                    .col(timestamp_with_time_zone(Students::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Students::Table, Students::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, col) in [
            (
                "idx_teachers_school",
                Teachers::Table.into_iden(),
                Teachers::SchoolId.into_iden(),
            ),
            (
                "idx_teacher_availability_teacher",
                TeacherAvailability::Table.into_iden(),
                TeacherAvailability::TeacherId.into_iden(),
            ),
            (
                "idx_students_school",
                Students::Table.into_iden(),
                Students::SchoolId.into_iden(),
            ),
        ] {
            manager
                .create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Students::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TeacherAvailability::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Teachers::Table).to_owned())
            .await
    }
}
