//! The `locations` table.

use sea_orm::entity::prelude::*;

/// One row of `locations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "locations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub name: String,
    pub address: Option<String>,
    pub timezone: Option<String>,
    pub created_at: DateTimeUtc,
    pub city: Option<String>,
    pub state: Option<String>,
    pub phone: Option<String>,
    pub archived_at: Option<DateTimeUtc>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
