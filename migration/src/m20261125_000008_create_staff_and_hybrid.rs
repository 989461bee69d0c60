//! Staff assignment (teaching roles, who holds them, instructors and
//! assistants per series and per session) and hybrid lesson cycles.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Offerings {
    Table,
    RequiredRoleId,
}

#[derive(DeriveIden)]
enum ClassSeries {
    Table,
    HybridCycleWeeks,
    HybridCycleStart,
    HybridOneOnOneWeeks,
    HybridPriceMinor,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    OneOnOneWeek,
}

#[derive(DeriveIden)]
enum TeachingRoles {
    Table,
    Id,
    SchoolId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TeacherRoles {
    Table,
    Id,
    SchoolId,
    TeacherId,
    RoleId,
}

#[derive(DeriveIden)]
enum StaffAssignments {
    Table,
    Id,
    SchoolId,
    SeriesId,
    SessionId,
    TeacherId,
    Kind,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Offerings::Table)
                    .add_column(uuid_null(Offerings::RequiredRoleId))
                    .to_owned(),
            )
            .await?;
        for col in [
            integer_null(ClassSeries::HybridCycleWeeks),
            date_null(ClassSeries::HybridCycleStart),
            // Comma-separated 1-based week numbers, e.g. "4,8".
            string_null(ClassSeries::HybridOneOnOneWeeks),
            big_integer_null(ClassSeries::HybridPriceMinor),
        ] {
            let mut col = col;
            manager
                .alter_table(
                    Table::alter()
                        .table(ClassSeries::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(boolean(Sessions::OneOnOneWeek).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TeachingRoles::Table)
                    .col(pk_uuid(TeachingRoles::Id))
                    .col(uuid(TeachingRoles::SchoolId))
                    .col(string(TeachingRoles::Name))
                    .col(timestamp_with_time_zone(TeachingRoles::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TeacherRoles::Table)
                    .col(pk_uuid(TeacherRoles::Id))
                    .col(uuid(TeacherRoles::SchoolId))
                    .col(uuid(TeacherRoles::TeacherId))
                    .col(uuid(TeacherRoles::RoleId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_teacher_roles")
                    .table(TeacherRoles::Table)
                    .col(TeacherRoles::TeacherId)
                    .col(TeacherRoles::RoleId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Exactly one of series_id and session_id is set.
        manager
            .create_table(
                Table::create()
                    .table(StaffAssignments::Table)
                    .col(pk_uuid(StaffAssignments::Id))
                    .col(uuid(StaffAssignments::SchoolId))
                    .col(uuid_null(StaffAssignments::SeriesId))
                    .col(uuid_null(StaffAssignments::SessionId))
                    .col(uuid(StaffAssignments::TeacherId))
                    .col(string(StaffAssignments::Kind))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_staff_assignments_series", StaffAssignments::SeriesId),
            ("idx_staff_assignments_session", StaffAssignments::SessionId),
            ("idx_staff_assignments_teacher", StaffAssignments::TeacherId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(StaffAssignments::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StaffAssignments::Table.into_iden(),
            TeacherRoles::Table.into_iden(),
            TeachingRoles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::OneOnOneWeek)
                    .to_owned(),
            )
            .await?;
        for col in [
            ClassSeries::HybridCycleWeeks,
            ClassSeries::HybridCycleStart,
            ClassSeries::HybridOneOnOneWeeks,
            ClassSeries::HybridPriceMinor,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ClassSeries::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Offerings::Table)
                    .drop_column(Offerings::RequiredRoleId)
                    .to_owned(),
            )
            .await
    }
}
