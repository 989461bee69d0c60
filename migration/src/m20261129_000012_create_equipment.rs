//! Equipment pools at locations, offerings' per-student requirements,
//! maintenance blocks and bookings' allocations.
//!
//! Nothing here stores how many units are free: that is computed from the
//! allocations of live bookings and the maintenance blocks overlapping a
//! time (SPEC §3.5). An allocation stores no time and no status of its
//! own: it holds units over its booking's time (from its start on, for a
//! consumable) while its booking holds its place, so cancelling, declining
//! or rescheduling a booking frees its equipment with no second write that
//! could be forgotten (a moved session's bookings are re-checked at their
//! new time).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Locations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Offerings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Bookings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Equipment {
    Table,
    Id,
    SchoolId,
    LocationId,
    Name,
    Quantity,
    Consumable,
    Unit,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OfferingRequirements {
    Table,
    Id,
    SchoolId,
    OfferingId,
    EquipmentId,
    PerStudent,
}

#[derive(DeriveIden)]
enum MaintenanceBlocks {
    Table,
    Id,
    SchoolId,
    EquipmentId,
    Quantity,
    StartsAt,
    EndsAt,
    Note,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EquipmentAllocations {
    Table,
    Id,
    SchoolId,
    EquipmentId,
    BookingId,
    Quantity,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Equipment::Table)
                    .col(pk_uuid(Equipment::Id))
                    .col(uuid(Equipment::SchoolId))
                    .col(uuid(Equipment::LocationId))
                    .col(string(Equipment::Name))
                    .col(integer(Equipment::Quantity))
                    .col(boolean(Equipment::Consumable))
                    .col(string_null(Equipment::Unit))
                    .col(timestamp_with_time_zone(Equipment::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Equipment::Table, Equipment::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Equipment::Table, Equipment::LocationId)
                            .to(Locations::Table, Locations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_equipment_location")
                    .table(Equipment::Table)
                    .col(Equipment::LocationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OfferingRequirements::Table)
                    .col(pk_uuid(OfferingRequirements::Id))
                    .col(uuid(OfferingRequirements::SchoolId))
                    .col(uuid(OfferingRequirements::OfferingId))
                    .col(uuid(OfferingRequirements::EquipmentId))
                    .col(integer(OfferingRequirements::PerStudent))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                OfferingRequirements::Table,
                                OfferingRequirements::OfferingId,
                            )
                            .to(Offerings::Table, Offerings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                OfferingRequirements::Table,
                                OfferingRequirements::EquipmentId,
                            )
                            .to(Equipment::Table, Equipment::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_offering_requirements")
                    .table(OfferingRequirements::Table)
                    .col(OfferingRequirements::OfferingId)
                    .col(OfferingRequirements::EquipmentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MaintenanceBlocks::Table)
                    .col(pk_uuid(MaintenanceBlocks::Id))
                    .col(uuid(MaintenanceBlocks::SchoolId))
                    .col(uuid(MaintenanceBlocks::EquipmentId))
                    .col(integer(MaintenanceBlocks::Quantity))
                    .col(timestamp_with_time_zone(MaintenanceBlocks::StartsAt))
                    .col(timestamp_with_time_zone(MaintenanceBlocks::EndsAt))
                    .col(text_null(MaintenanceBlocks::Note))
                    .col(uuid_null(MaintenanceBlocks::CreatedBy))
                    .col(timestamp_with_time_zone(MaintenanceBlocks::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MaintenanceBlocks::Table, MaintenanceBlocks::EquipmentId)
                            .to(Equipment::Table, Equipment::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_maintenance_equipment_time")
                    .table(MaintenanceBlocks::Table)
                    .col(MaintenanceBlocks::EquipmentId)
                    .col(MaintenanceBlocks::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EquipmentAllocations::Table)
                    .col(pk_uuid(EquipmentAllocations::Id))
                    .col(uuid(EquipmentAllocations::SchoolId))
                    .col(uuid(EquipmentAllocations::EquipmentId))
                    .col(uuid(EquipmentAllocations::BookingId))
                    .col(integer(EquipmentAllocations::Quantity))
                    .col(timestamp_with_time_zone(EquipmentAllocations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                EquipmentAllocations::Table,
                                EquipmentAllocations::EquipmentId,
                            )
                            .to(Equipment::Table, Equipment::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EquipmentAllocations::Table, EquipmentAllocations::BookingId)
                            .to(Bookings::Table, Bookings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A booking holds a pool once; a change of quantity updates it.
        manager
            .create_index(
                Index::create()
                    .name("uq_equipment_allocations_booking")
                    .table(EquipmentAllocations::Table)
                    .col(EquipmentAllocations::BookingId)
                    .col(EquipmentAllocations::EquipmentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_equipment_allocations_equipment")
                    .table(EquipmentAllocations::Table)
                    .col(EquipmentAllocations::EquipmentId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EquipmentAllocations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MaintenanceBlocks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OfferingRequirements::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Equipment::Table).to_owned())
            .await?;
        Ok(())
    }
}
