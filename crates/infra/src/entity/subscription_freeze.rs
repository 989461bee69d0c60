//! The `subscription_freezes` table.

use sea_orm::entity::prelude::*;

/// One row of `subscription_freezes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription_freezes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub subscription_id: Uuid,
    pub from_date: Date,
    pub days: i32,
    pub reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
