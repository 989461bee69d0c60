//! Progression awards and exam requests (seed 001): what a student
//! achieved, and exams asked for, decided, scheduled, sat and graded.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Students {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProgressionAwards {
    Table,
    Id,
    SchoolId,
    StudentId,
    Title,
    Kind,
    Description,
    BadgeColor,
    EarnedAt,
    AwardedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ExamRequests {
    Table,
    Id,
    SchoolId,
    StudentId,
    ExamType,
    RequestedDate,
    Status,
    Notes,
    RequestedBy,
    DecidedBy,
    DecidedAt,
    ExamDate,
    ExamResult,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgressionAwards::Table)
                    .col(pk_uuid(ProgressionAwards::Id))
                    .col(uuid(ProgressionAwards::SchoolId))
                    .col(uuid(ProgressionAwards::StudentId))
                    .col(string(ProgressionAwards::Title))
                    .col(string(ProgressionAwards::Kind))
                    .col(text_null(ProgressionAwards::Description))
                    .col(string_null(ProgressionAwards::BadgeColor))
                    .col(timestamp_with_time_zone(ProgressionAwards::EarnedAt))
                    .col(uuid(ProgressionAwards::AwardedBy))
                    .col(timestamp_with_time_zone(ProgressionAwards::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProgressionAwards::Table, ProgressionAwards::StudentId)
                            .to(Students::Table, Students::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_progression_awards_student")
                    .table(ProgressionAwards::Table)
                    .col(ProgressionAwards::StudentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExamRequests::Table)
                    .col(pk_uuid(ExamRequests::Id))
                    .col(uuid(ExamRequests::SchoolId))
                    .col(uuid(ExamRequests::StudentId))
                    .col(string(ExamRequests::ExamType))
                    .col(date_null(ExamRequests::RequestedDate))
                    .col(string(ExamRequests::Status))
                    .col(text_null(ExamRequests::Notes))
                    .col(uuid(ExamRequests::RequestedBy))
                    .col(uuid_null(ExamRequests::DecidedBy))
                    .col(timestamp_with_time_zone_null(ExamRequests::DecidedAt))
                    .col(timestamp_with_time_zone_null(ExamRequests::ExamDate))
                    .col(string_null(ExamRequests::ExamResult))
                    .col(timestamp_with_time_zone(ExamRequests::CreatedAt))
                    .col(timestamp_with_time_zone(ExamRequests::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExamRequests::Table, ExamRequests::StudentId)
                            .to(Students::Table, Students::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_exam_requests_student")
                    .table(ExamRequests::Table)
                    .col(ExamRequests::StudentId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExamRequests::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProgressionAwards::Table).to_owned())
            .await?;
        Ok(())
    }
}
