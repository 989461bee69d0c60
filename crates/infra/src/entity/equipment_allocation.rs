//! The `equipment_allocations` table.

use sea_orm::entity::prelude::*;

/// One row of `equipment_allocations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "equipment_allocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub equipment_id: Uuid,
    pub booking_id: Uuid,
    pub quantity: i32,
    pub created_at: DateTimeUtc,
}

/// The booking whose time and status decide whether the units are held.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::booking::Entity",
        from = "Column::BookingId",
        to = "super::booking::Column::Id"
    )]
    Booking,
}

impl ActiveModelBehavior for ActiveModel {}
