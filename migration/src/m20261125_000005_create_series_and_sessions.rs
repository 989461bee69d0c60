//! Class series (schedule patterns) and sessions (their occurrences).

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
}

#[derive(DeriveIden)]
enum Locations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ClassSeries {
    Table,
    Id,
    SchoolId,
    OfferingId,
    TeacherId,
    LocationId,
    RoomId,
    StudentId,
    StartDate,
    EndDate,
    Count,
    StartTime,
    DurationMinutes,
    Timezone,
    Rrule,
    Exdates,
    Capacity,
    ConflictPolicy,
    GenerationMode,
    Status,
    LastGeneratedThrough,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    SchoolId,
    SeriesId,
    OccurrenceDate,
    OccurrenceIndex,
    StartsAt,
    EndsAt,
    Timezone,
    TeacherId,
    RoomId,
    LocationId,
    StudentId,
    Capacity,
    Status,
    Conflicts,
    Detached,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClassSeries::Table)
                    .col(pk_uuid(ClassSeries::Id))
                    .col(uuid(ClassSeries::SchoolId))
                    .col(uuid(ClassSeries::OfferingId))
                    .col(uuid_null(ClassSeries::TeacherId))
                    .col(uuid(ClassSeries::LocationId))
                    .col(uuid_null(ClassSeries::RoomId))
                    .col(uuid_null(ClassSeries::StudentId))
                    .col(date(ClassSeries::StartDate))
                    .col(date_null(ClassSeries::EndDate))
                    .col(integer_null(ClassSeries::Count))
                    .col(time(ClassSeries::StartTime))
                    .col(integer(ClassSeries::DurationMinutes))
                    .col(string(ClassSeries::Timezone))
                    .col(string(ClassSeries::Rrule))
                    // JSON array of local dates, e.g. ["2026-12-24"].
                    .col(text(ClassSeries::Exdates))
                    .col(integer(ClassSeries::Capacity))
                    .col(string(ClassSeries::ConflictPolicy))
                    .col(string(ClassSeries::GenerationMode))
                    .col(string(ClassSeries::Status))
                    .col(date_null(ClassSeries::LastGeneratedThrough))
                    .col(timestamp_with_time_zone(ClassSeries::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClassSeries::Table, ClassSeries::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClassSeries::Table, ClassSeries::OfferingId)
                            .to(Offerings::Table, Offerings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClassSeries::Table, ClassSeries::LocationId)
                            .to(Locations::Table, Locations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_uuid(Sessions::Id))
                    .col(uuid(Sessions::SchoolId))
                    .col(uuid_null(Sessions::SeriesId))
                    .col(date(Sessions::OccurrenceDate))
                    .col(integer(Sessions::OccurrenceIndex))
                    .col(timestamp_with_time_zone(Sessions::StartsAt))
                    .col(timestamp_with_time_zone(Sessions::EndsAt))
                    .col(string(Sessions::Timezone))
                    .col(uuid_null(Sessions::TeacherId))
                    .col(uuid_null(Sessions::RoomId))
                    .col(uuid(Sessions::LocationId))
                    .col(uuid_null(Sessions::StudentId))
                    .col(integer(Sessions::Capacity))
                    .col(string(Sessions::Status))
                    // JSON array of conflict reasons for CONFLICTED sessions.
                    .col(text(Sessions::Conflicts))
                    .col(boolean(Sessions::Detached))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::SeriesId)
                            .to(ClassSeries::Table, ClassSeries::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The idempotency key of generation: one session per series and local date.
        manager
            .create_index(
                Index::create()
                    .name("uq_sessions_series_occurrence")
                    .table(Sessions::Table)
                    .col(Sessions::SeriesId)
                    .col(Sessions::OccurrenceDate)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Calendar views: by school/location, teacher, room, student, in time order.
        for (name, col) in [
            ("idx_sessions_school_starts", Sessions::SchoolId),
            ("idx_sessions_location_starts", Sessions::LocationId),
            ("idx_sessions_teacher_starts", Sessions::TeacherId),
            ("idx_sessions_room_starts", Sessions::RoomId),
            ("idx_sessions_student_starts", Sessions::StudentId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Sessions::Table)
                        .col(col)
                        .col(Sessions::StartsAt)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_class_series_school")
                    .table(ClassSeries::Table)
                    .col(ClassSeries::SchoolId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ClassSeries::Table).to_owned())
            .await
    }
}
