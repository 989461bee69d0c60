//! The booking engine: policies, bookings, registrations, booking series,
//! waitlists, attendance, a seat counter on sessions and offering prices.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    SeatsTaken,
}

#[derive(DeriveIden)]
enum Offerings {
    Table,
    PriceMinor,
}

#[derive(DeriveIden)]
enum BookingPolicies {
    Table,
    Id,
    SchoolId,
    TeacherId,
    OfferingId,
    RequiresApprovalOneOnOne,
    RequiresApprovalGroup,
    MinNoticeHours,
    CancelWindowHours,
    BufferBeforeMinutes,
    BufferAfterMinutes,
    MaxBookingsPerDay,
    HorizonDays,
    WaitlistOfferMinutes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Bookings {
    Table,
    Id,
    SchoolId,
    Kind,
    SessionId,
    TeacherId,
    OfferingId,
    StudentId,
    BookedBy,
    Seats,
    Status,
    StartsAt,
    EndsAt,
    Timezone,
    StudentNote,
    PriceMinor,
    Currency,
    DecidedAt,
    DecidedBy,
    CancelledAt,
    CancelledBy,
    CancelReason,
    RegistrationId,
    BookingSeriesId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Id,
    SchoolId,
    SeriesId,
    StudentId,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BookingSeries {
    Table,
    Id,
    SchoolId,
    TeacherId,
    StudentId,
    OfferingId,
    Rule,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WaitlistEntries {
    Table,
    Id,
    SchoolId,
    SessionId,
    StudentId,
    Position,
    Status,
    OfferExpiresAt,
    BookingId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    Id,
    SchoolId,
    SessionId,
    StudentId,
    Status,
    Note,
    RecordedBy,
    RecordedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Seats held by bookings and open waitlist offers; changed only by
        // a conditional UPDATE in the booking's transaction.
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(integer(Sessions::SeatsTaken).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Offerings::Table)
                    .add_column(big_integer_null(Offerings::PriceMinor))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BookingPolicies::Table)
                    .col(pk_uuid(BookingPolicies::Id))
                    .col(uuid(BookingPolicies::SchoolId))
                    .col(uuid(BookingPolicies::TeacherId))
                    .col(uuid_null(BookingPolicies::OfferingId))
                    .col(boolean(BookingPolicies::RequiresApprovalOneOnOne))
                    .col(boolean(BookingPolicies::RequiresApprovalGroup))
                    .col(integer(BookingPolicies::MinNoticeHours))
                    .col(integer(BookingPolicies::CancelWindowHours))
                    .col(integer(BookingPolicies::BufferBeforeMinutes))
                    .col(integer(BookingPolicies::BufferAfterMinutes))
                    .col(integer_null(BookingPolicies::MaxBookingsPerDay))
                    .col(integer_null(BookingPolicies::HorizonDays))
                    .col(integer(BookingPolicies::WaitlistOfferMinutes))
                    .col(timestamp_with_time_zone(BookingPolicies::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_booking_policies_teacher")
                    .table(BookingPolicies::Table)
                    .col(BookingPolicies::TeacherId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Registrations::Table)
                    .col(pk_uuid(Registrations::Id))
                    .col(uuid(Registrations::SchoolId))
                    .col(uuid(Registrations::SeriesId))
                    .col(uuid(Registrations::StudentId))
                    .col(string(Registrations::Kind))
                    .col(timestamp_with_time_zone(Registrations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BookingSeries::Table)
                    .col(pk_uuid(BookingSeries::Id))
                    .col(uuid(BookingSeries::SchoolId))
                    .col(uuid(BookingSeries::TeacherId))
                    .col(uuid(BookingSeries::StudentId))
                    .col(uuid_null(BookingSeries::OfferingId))
                    .col(string(BookingSeries::Rule))
                    .col(timestamp_with_time_zone(BookingSeries::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Bookings::Table)
                    .col(pk_uuid(Bookings::Id))
                    .col(uuid(Bookings::SchoolId))
                    .col(string(Bookings::Kind))
                    .col(uuid_null(Bookings::SessionId))
                    .col(uuid_null(Bookings::TeacherId))
                    .col(uuid_null(Bookings::OfferingId))
                    .col(uuid(Bookings::StudentId))
                    .col(uuid(Bookings::BookedBy))
                    .col(integer(Bookings::Seats))
                    .col(string(Bookings::Status))
                    .col(timestamp_with_time_zone(Bookings::StartsAt))
                    .col(timestamp_with_time_zone(Bookings::EndsAt))
                    .col(string(Bookings::Timezone))
                    .col(text_null(Bookings::StudentNote))
                    .col(big_integer_null(Bookings::PriceMinor))
                    .col(string_null(Bookings::Currency))
                    .col(timestamp_with_time_zone_null(Bookings::DecidedAt))
                    .col(uuid_null(Bookings::DecidedBy))
                    .col(timestamp_with_time_zone_null(Bookings::CancelledAt))
                    .col(uuid_null(Bookings::CancelledBy))
                    .col(text_null(Bookings::CancelReason))
                    .col(uuid_null(Bookings::RegistrationId))
                    .col(uuid_null(Bookings::BookingSeriesId))
                    .col(timestamp_with_time_zone(Bookings::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Bookings::Table, Bookings::SessionId)
                            .to(Sessions::Table, Sessions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_bookings_session", vec![Bookings::SessionId]),
            (
                "idx_bookings_teacher_start",
                vec![Bookings::TeacherId, Bookings::StartsAt],
            ),
            (
                "idx_bookings_student_start",
                vec![Bookings::StudentId, Bookings::StartsAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Bookings::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(WaitlistEntries::Table)
                    .col(pk_uuid(WaitlistEntries::Id))
                    .col(uuid(WaitlistEntries::SchoolId))
                    .col(uuid(WaitlistEntries::SessionId))
                    .col(uuid(WaitlistEntries::StudentId))
                    .col(integer(WaitlistEntries::Position))
                    .col(string(WaitlistEntries::Status))
                    .col(timestamp_with_time_zone_null(
                        WaitlistEntries::OfferExpiresAt,
                    ))
                    .col(uuid_null(WaitlistEntries::BookingId))
                    .col(timestamp_with_time_zone(WaitlistEntries::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_waitlist_session_student")
                    .table(WaitlistEntries::Table)
                    .col(WaitlistEntries::SessionId)
                    .col(WaitlistEntries::StudentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Attendance::Table)
                    .col(pk_uuid(Attendance::Id))
                    .col(uuid(Attendance::SchoolId))
                    .col(uuid(Attendance::SessionId))
                    .col(uuid(Attendance::StudentId))
                    .col(string(Attendance::Status))
                    .col(text_null(Attendance::Note))
                    .col(uuid(Attendance::RecordedBy))
                    .col(timestamp_with_time_zone(Attendance::RecordedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_attendance_session_student")
                    .table(Attendance::Table)
                    .col(Attendance::SessionId)
                    .col(Attendance::StudentId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Attendance::Table.into_iden(),
            WaitlistEntries::Table.into_iden(),
            Bookings::Table.into_iden(),
            BookingSeries::Table.into_iden(),
            Registrations::Table.into_iden(),
            BookingPolicies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Offerings::Table)
                    .drop_column(Offerings::PriceMinor)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::SeatsTaken)
                    .to_owned(),
            )
            .await
    }
}
