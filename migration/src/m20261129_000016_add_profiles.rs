//! The profile fields the seeds name: a school's branding and contact, a
//! location's city, state and phone, a teacher's bio, specialties, pay
//! rate and Stripe Connect account, a student's instruments, level,
//! guardian, emergency contact and consents, a family's billing address,
//! an offering's description and subject; and the log of consent changes
//! (who changed which consent, from what, when).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Phone,
    Website,
    LogoUrl,
    BrandColor,
    CustomDomain,
}

#[derive(DeriveIden)]
enum Locations {
    Table,
    City,
    State,
    Phone,
}

#[derive(DeriveIden)]
enum Teachers {
    Table,
    Bio,
    Specialties,
    PayRateMinor,
    PayBasis,
    StripeConnectId,
}

#[derive(DeriveIden)]
enum Students {
    Table,
    Id,
    Instruments,
    SkillLevel,
    GuardianName,
    GuardianPhone,
    GuardianEmail,
    EmergencyName,
    EmergencyPhone,
    EmergencyRelation,
    ParentalConsent,
    SocialMediaConsent,
}

#[derive(DeriveIden)]
enum Families {
    Table,
    BillingAddress,
}

#[derive(DeriveIden)]
enum Offerings {
    Table,
    Description,
    Subject,
}

#[derive(DeriveIden)]
enum ConsentChanges {
    Table,
    Id,
    SchoolId,
    StudentId,
    Consent,
    FromValue,
    ToValue,
    ChangedBy,
    ChangedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER.
        let adds: Vec<(DynIden, ColumnDef)> = vec![
            (Schools::Table.into_iden(), string_null(Schools::Phone)),
            (Schools::Table.into_iden(), string_null(Schools::Website)),
            (Schools::Table.into_iden(), string_null(Schools::LogoUrl)),
            (Schools::Table.into_iden(), string_null(Schools::BrandColor)),
            (
                Schools::Table.into_iden(),
                string_null(Schools::CustomDomain),
            ),
            (Locations::Table.into_iden(), string_null(Locations::City)),
            (Locations::Table.into_iden(), string_null(Locations::State)),
            (Locations::Table.into_iden(), string_null(Locations::Phone)),
            (Teachers::Table.into_iden(), text_null(Teachers::Bio)),
            (
                Teachers::Table.into_iden(),
                text_null(Teachers::Specialties),
            ),
            (
                Teachers::Table.into_iden(),
                big_integer_null(Teachers::PayRateMinor),
            ),
            (Teachers::Table.into_iden(), string_null(Teachers::PayBasis)),
            (
                Teachers::Table.into_iden(),
                string_null(Teachers::StripeConnectId),
            ),
            (
                Students::Table.into_iden(),
                text_null(Students::Instruments),
            ),
            (
                Students::Table.into_iden(),
                string_null(Students::SkillLevel),
            ),
            (
                Students::Table.into_iden(),
                string_null(Students::GuardianName),
            ),
            (
                Students::Table.into_iden(),
                string_null(Students::GuardianPhone),
            ),
            (
                Students::Table.into_iden(),
                string_null(Students::GuardianEmail),
            ),
            (
                Students::Table.into_iden(),
                string_null(Students::EmergencyName),
            ),
            (
                Students::Table.into_iden(),
                string_null(Students::EmergencyPhone),
            ),
            (
                Students::Table.into_iden(),
                string_null(Students::EmergencyRelation),
            ),
            (
                Students::Table.into_iden(),
                boolean(Students::ParentalConsent).default(false).to_owned(),
            ),
            (
                Students::Table.into_iden(),
                boolean(Students::SocialMediaConsent)
                    .default(false)
                    .to_owned(),
            ),
            (
                Families::Table.into_iden(),
                text_null(Families::BillingAddress),
            ),
            (
                Offerings::Table.into_iden(),
                text_null(Offerings::Description),
            ),
            (
                Offerings::Table.into_iden(),
                string_null(Offerings::Subject),
            ),
        ];
        for (table, mut col) in adds {
            manager
                .alter_table(Table::alter().table(table).add_column(&mut col).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ConsentChanges::Table)
                    .col(pk_uuid(ConsentChanges::Id))
                    .col(uuid(ConsentChanges::SchoolId))
                    .col(uuid(ConsentChanges::StudentId))
                    .col(string(ConsentChanges::Consent))
                    .col(boolean(ConsentChanges::FromValue))
                    .col(boolean(ConsentChanges::ToValue))
                    .col(uuid(ConsentChanges::ChangedBy))
                    .col(timestamp_with_time_zone(ConsentChanges::ChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConsentChanges::Table, ConsentChanges::StudentId)
                            .to(Students::Table, Students::Id),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsentChanges::Table).to_owned())
            .await?;
        let drops: Vec<(DynIden, DynIden)> = vec![
            (Schools::Table.into_iden(), Schools::Phone.into_iden()),
            (Schools::Table.into_iden(), Schools::Website.into_iden()),
            (Schools::Table.into_iden(), Schools::LogoUrl.into_iden()),
            (Schools::Table.into_iden(), Schools::BrandColor.into_iden()),
            (
                Schools::Table.into_iden(),
                Schools::CustomDomain.into_iden(),
            ),
            (Locations::Table.into_iden(), Locations::City.into_iden()),
            (Locations::Table.into_iden(), Locations::State.into_iden()),
            (Locations::Table.into_iden(), Locations::Phone.into_iden()),
            (Teachers::Table.into_iden(), Teachers::Bio.into_iden()),
            (
                Teachers::Table.into_iden(),
                Teachers::Specialties.into_iden(),
            ),
            (
                Teachers::Table.into_iden(),
                Teachers::PayRateMinor.into_iden(),
            ),
            (Teachers::Table.into_iden(), Teachers::PayBasis.into_iden()),
            (
                Teachers::Table.into_iden(),
                Teachers::StripeConnectId.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::Instruments.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::SkillLevel.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::GuardianName.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::GuardianPhone.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::GuardianEmail.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::EmergencyName.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::EmergencyPhone.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::EmergencyRelation.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::ParentalConsent.into_iden(),
            ),
            (
                Students::Table.into_iden(),
                Students::SocialMediaConsent.into_iden(),
            ),
            (
                Families::Table.into_iden(),
                Families::BillingAddress.into_iden(),
            ),
            (
                Offerings::Table.into_iden(),
                Offerings::Description.into_iden(),
            ),
            (Offerings::Table.into_iden(), Offerings::Subject.into_iden()),
        ];
        for (table, col) in drops {
            manager
                .alter_table(Table::alter().table(table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
