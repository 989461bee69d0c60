//! The `rooms` table.

use sea_orm::entity::prelude::*;

/// One row of `rooms`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rooms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub location_id: Uuid,
    pub name: String,
    pub capacity: i32,
    pub kind: String,
    pub created_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    pub archived_with_location: bool,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
