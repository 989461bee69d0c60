//! Editing schedules after they exist: a session's own offering (a
//! one-off has no series to take it from), extra dates, notes and meeting
//! details on series (copied to sessions, overridable there), the link of a
//! split series to its origin, the `SessionCancelled` fact, enrolments as
//! standing places, the waitlist's timestamps, and, on PostgreSQL, the
//! exclusion constraints that make a teacher's or a room's overlapping
//! live sessions impossible whatever the application does.
//!
//! "Live" excludes cancelled sessions and CONFLICTED ones: a session
//! created under the MARK policy overlaps by design, and is shown as such.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ClassSeries {
    Table,
    SplitFromId,
    Rdates,
    Notes,
    MeetingProvider,
    MeetingLink,
    MeetingId,
    MeetingPasscode,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    OfferingId,
    Notes,
    MeetingProvider,
    MeetingLink,
    MeetingId,
    MeetingPasscode,
    CancelReason,
    CancelledAt,
}

#[derive(DeriveIden)]
enum SessionCancellations {
    Table,
    Id,
    SchoolId,
    SessionId,
    ByTeacher,
    Reason,
    CancelledBy,
    CancelledAt,
    BookingsCancelled,
    WaitlistClosed,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    Id,
    SchoolId,
    SeriesId,
    StudentId,
    RegistrationId,
    Status,
    EnrolledBy,
    EnrolledAt,
    EndsOn,
}

#[derive(DeriveIden)]
enum Bookings {
    Table,
    AttendanceMark,
    AttendanceNote,
}

#[derive(DeriveIden)]
enum WaitlistEntries {
    Table,
    OfferedAt,
    AcceptedAt,
    ExpiredAt,
    WithdrawnAt,
}

const LIVE: &str = "status NOT IN ('CANCELLED', 'CANCELLED_BY_TEACHER', 'CONFLICTED')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            uuid_null(ClassSeries::SplitFromId),
            text(ClassSeries::Rdates).default("[]").to_owned(),
            text_null(ClassSeries::Notes),
            string_null(ClassSeries::MeetingProvider),
            text_null(ClassSeries::MeetingLink),
            string_null(ClassSeries::MeetingId),
            string_null(ClassSeries::MeetingPasscode),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ClassSeries::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        for col in [
            uuid_null(Sessions::OfferingId),
            text_null(Sessions::Notes),
            string_null(Sessions::MeetingProvider),
            text_null(Sessions::MeetingLink),
            string_null(Sessions::MeetingId),
            string_null(Sessions::MeetingPasscode),
            text_null(Sessions::CancelReason),
            timestamp_with_time_zone_null(Sessions::CancelledAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        for col in [
            WaitlistEntries::OfferedAt,
            WaitlistEntries::AcceptedAt,
            WaitlistEntries::ExpiredAt,
            WaitlistEntries::WithdrawnAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(WaitlistEntries::Table)
                        .add_column(timestamp_with_time_zone_null(col))
                        .to_owned(),
                )
                .await?;
        }
        // A plain 1-on-1 lesson has no session to hang an attendance row
        // on: its mark lives on the booking.
        for col in [
            string_null(Bookings::AttendanceMark),
            text_null(Bookings::AttendanceNote),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Bookings::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SessionCancellations::Table)
                    .col(pk_uuid(SessionCancellations::Id))
                    .col(uuid(SessionCancellations::SchoolId))
                    .col(uuid(SessionCancellations::SessionId))
                    .col(boolean(SessionCancellations::ByTeacher))
                    .col(text_null(SessionCancellations::Reason))
                    .col(uuid_null(SessionCancellations::CancelledBy))
                    .col(timestamp_with_time_zone(SessionCancellations::CancelledAt))
                    .col(integer(SessionCancellations::BookingsCancelled))
                    .col(integer(SessionCancellations::WaitlistClosed))
                    .to_owned(),
            )
            .await?;
        // A session is cancelled once: the fact is unique per session.
        manager
            .create_index(
                Index::create()
                    .name("uq_session_cancellations_session")
                    .table(SessionCancellations::Table)
                    .col(SessionCancellations::SessionId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Enrolments::Table)
                    .col(pk_uuid(Enrolments::Id))
                    .col(uuid(Enrolments::SchoolId))
                    .col(uuid(Enrolments::SeriesId))
                    .col(uuid(Enrolments::StudentId))
                    .col(uuid_null(Enrolments::RegistrationId))
                    .col(string(Enrolments::Status))
                    .col(uuid(Enrolments::EnrolledBy))
                    .col(timestamp_with_time_zone(Enrolments::EnrolledAt))
                    .col(date_null(Enrolments::EndsOn))
                    .to_owned(),
            )
            .await?;
        // One standing place per student and series.
        manager
            .create_index(
                Index::create()
                    .name("uq_enrolments_series_student")
                    .table(Enrolments::Table)
                    .col(Enrolments::SeriesId)
                    .col(Enrolments::StudentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolments_student")
                    .table(Enrolments::Table)
                    .col(Enrolments::StudentId)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist")
                .await?;
            for (name, column) in [
                ("ex_sessions_teacher", "teacher_id"),
                ("ex_sessions_room", "room_id"),
            ] {
                // Rows written before the constraint may already overlap
                // (a race the application check lost): the later of each
                // overlapping pair is marked CONFLICTED, as the MARK policy
                // would have, so the constraint can be added and the office
                // sees the clash instead of the migration failing.
                db.execute_unprepared(&format!(
                    "UPDATE sessions s SET status = 'CONFLICTED' WHERE s.{column} IS NOT NULL AND s.{LIVE} \
                     AND EXISTS (SELECT 1 FROM sessions o WHERE o.{column} = s.{column} AND o.id <> s.id \
                     AND o.{LIVE} AND tstzrange(o.starts_at, o.ends_at) && tstzrange(s.starts_at, s.ends_at) \
                     AND (o.created_at, o.id) < (s.created_at, s.id))"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "ALTER TABLE sessions ADD CONSTRAINT {name} EXCLUDE USING gist \
                     ({column} WITH =, tstzrange(starts_at, ends_at) WITH &&) \
                     WHERE ({column} IS NOT NULL AND {LIVE})"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            let db = manager.get_connection();
            for name in ["ex_sessions_teacher", "ex_sessions_room"] {
                db.execute_unprepared(&format!("ALTER TABLE sessions DROP CONSTRAINT {name}"))
                    .await?;
            }
        }
        manager
            .drop_table(Table::drop().table(Enrolments::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SessionCancellations::Table).to_owned())
            .await?;
        for col in [Bookings::AttendanceMark, Bookings::AttendanceNote] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Bookings::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        for col in [
            WaitlistEntries::OfferedAt,
            WaitlistEntries::AcceptedAt,
            WaitlistEntries::ExpiredAt,
            WaitlistEntries::WithdrawnAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(WaitlistEntries::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        for col in [
            Sessions::OfferingId,
            Sessions::Notes,
            Sessions::MeetingProvider,
            Sessions::MeetingLink,
            Sessions::MeetingId,
            Sessions::MeetingPasscode,
            Sessions::CancelReason,
            Sessions::CancelledAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        for col in [
            ClassSeries::SplitFromId,
            ClassSeries::Rdates,
            ClassSeries::Notes,
            ClassSeries::MeetingProvider,
            ClassSeries::MeetingLink,
            ClassSeries::MeetingId,
            ClassSeries::MeetingPasscode,
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
        Ok(())
    }
}
