//! Attendance that drives money: a school's attendance statuses (built-in
//! overrides and its own codes, each billed / teacher paid / grants a
//! credit), the code on an attendance mark, the make-up policy on the
//! school; make-up credits and their ledger entries (a credit is granted
//! once per student and session: a unique key); teacher payouts per
//! period (one per teacher and period) and their lines.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
    MakeupExpiryDays,
    MakeupMaxPerTerm,
    MakeupOnCancellation,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum AttendanceStatuses {
    Table,
    Id,
    SchoolId,
    Code,
    Label,
    CountsAs,
    Billed,
    TeacherPaid,
    GrantsCredit,
    Position,
}

#[derive(DeriveIden)]
enum MakeupCredits {
    Table,
    Id,
    SchoolId,
    StudentId,
    OfferingId,
    SeriesId,
    SessionId,
    Reason,
    GrantedAt,
    ExpiresOn,
}

#[derive(DeriveIden)]
enum CreditEntries {
    Table,
    Id,
    SchoolId,
    StudentId,
    CreditId,
    Kind,
    Amount,
    BookingId,
    At,
}

#[derive(DeriveIden)]
enum Payouts {
    Table,
    Id,
    SchoolId,
    TeacherId,
    Period,
    AmountMinor,
    Currency,
    Status,
    CreatedAt,
    PaidAt,
}

#[derive(DeriveIden)]
enum PayoutLines {
    Table,
    Id,
    SchoolId,
    PayoutId,
    SessionId,
    BookingId,
    Description,
    Quantity,
    AmountMinor,
}

#[derive(DeriveIden)]
enum Students {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Teachers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER.
        let adds: Vec<(DynIden, ColumnDef)> = vec![
            (
                Schools::Table.into_iden(),
                integer(Schools::MakeupExpiryDays).default(60).to_owned(),
            ),
            (
                Schools::Table.into_iden(),
                integer_null(Schools::MakeupMaxPerTerm),
            ),
            (
                Schools::Table.into_iden(),
                boolean(Schools::MakeupOnCancellation)
                    .default(true)
                    .to_owned(),
            ),
            (Attendance::Table.into_iden(), string_null(Attendance::Code)),
        ];
        for (table, mut col) in adds {
            manager
                .alter_table(Table::alter().table(table).add_column(&mut col).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AttendanceStatuses::Table)
                    .col(pk_uuid(AttendanceStatuses::Id))
                    .col(uuid(AttendanceStatuses::SchoolId))
                    .col(string(AttendanceStatuses::Code))
                    .col(string(AttendanceStatuses::Label))
                    .col(string(AttendanceStatuses::CountsAs))
                    .col(boolean(AttendanceStatuses::Billed))
                    .col(boolean(AttendanceStatuses::TeacherPaid))
                    .col(boolean(AttendanceStatuses::GrantsCredit))
                    .col(integer(AttendanceStatuses::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttendanceStatuses::Table, AttendanceStatuses::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MakeupCredits::Table)
                    .col(pk_uuid(MakeupCredits::Id))
                    .col(uuid(MakeupCredits::SchoolId))
                    .col(uuid(MakeupCredits::StudentId))
                    .col(uuid_null(MakeupCredits::OfferingId))
                    .col(uuid_null(MakeupCredits::SeriesId))
                    .col(uuid(MakeupCredits::SessionId))
                    .col(string(MakeupCredits::Reason))
                    .col(timestamp_with_time_zone(MakeupCredits::GrantedAt))
                    .col(date(MakeupCredits::ExpiresOn))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MakeupCredits::Table, MakeupCredits::StudentId)
                            .to(Students::Table, Students::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CreditEntries::Table)
                    .col(pk_uuid(CreditEntries::Id))
                    .col(uuid(CreditEntries::SchoolId))
                    .col(uuid(CreditEntries::StudentId))
                    .col(uuid(CreditEntries::CreditId))
                    .col(string(CreditEntries::Kind))
                    .col(integer(CreditEntries::Amount))
                    .col(uuid_null(CreditEntries::BookingId))
                    .col(timestamp_with_time_zone(CreditEntries::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CreditEntries::Table, CreditEntries::CreditId)
                            .to(MakeupCredits::Table, MakeupCredits::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Payouts::Table)
                    .col(pk_uuid(Payouts::Id))
                    .col(uuid(Payouts::SchoolId))
                    .col(uuid(Payouts::TeacherId))
                    .col(string(Payouts::Period))
                    .col(big_integer(Payouts::AmountMinor))
                    .col(string(Payouts::Currency))
                    .col(string(Payouts::Status))
                    .col(timestamp_with_time_zone(Payouts::CreatedAt))
                    .col(timestamp_with_time_zone_null(Payouts::PaidAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Payouts::Table, Payouts::TeacherId)
                            .to(Teachers::Table, Teachers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PayoutLines::Table)
                    .col(pk_uuid(PayoutLines::Id))
                    .col(uuid(PayoutLines::SchoolId))
                    .col(uuid(PayoutLines::PayoutId))
                    .col(uuid_null(PayoutLines::SessionId))
                    .col(uuid_null(PayoutLines::BookingId))
                    .col(string(PayoutLines::Description))
                    .col(integer(PayoutLines::Quantity))
                    .col(big_integer(PayoutLines::AmountMinor))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PayoutLines::Table, PayoutLines::PayoutId)
                            .to(Payouts::Table, Payouts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "ux_attendance_statuses_code",
                AttendanceStatuses::Table.into_iden(),
                vec![
                    AttendanceStatuses::SchoolId.into_iden(),
                    AttendanceStatuses::Code.into_iden(),
                ],
            ),
            (
                "ux_makeup_credits_student_session",
                MakeupCredits::Table.into_iden(),
                vec![
                    MakeupCredits::StudentId.into_iden(),
                    MakeupCredits::SessionId.into_iden(),
                ],
            ),
            (
                "ux_payouts_teacher_period",
                Payouts::Table.into_iden(),
                vec![Payouts::TeacherId.into_iden(), Payouts::Period.into_iden()],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table).unique();
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        for (name, table, col) in [
            (
                "idx_credit_entries_student",
                CreditEntries::Table.into_iden(),
                CreditEntries::StudentId.into_iden(),
            ),
            (
                "idx_credit_entries_credit",
                CreditEntries::Table.into_iden(),
                CreditEntries::CreditId.into_iden(),
            ),
            (
                "idx_payout_lines_payout",
                PayoutLines::Table.into_iden(),
                PayoutLines::PayoutId.into_iden(),
            ),
        ] {
            manager
                .create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PayoutLines::Table.into_iden(),
            Payouts::Table.into_iden(),
            CreditEntries::Table.into_iden(),
            MakeupCredits::Table.into_iden(),
            AttendanceStatuses::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        let drops: Vec<(DynIden, DynIden)> = vec![
            (Attendance::Table.into_iden(), Attendance::Code.into_iden()),
            (
                Schools::Table.into_iden(),
                Schools::MakeupOnCancellation.into_iden(),
            ),
            (
                Schools::Table.into_iden(),
                Schools::MakeupMaxPerTerm.into_iden(),
            ),
            (
                Schools::Table.into_iden(),
                Schools::MakeupExpiryDays.into_iden(),
            ),
        ];
        for (table, col) in drops {
            manager
                .alter_table(Table::alter().table(table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
