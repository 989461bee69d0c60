//! The `payout_lines` table.

use sea_orm::entity::prelude::*;

/// One row of `payout_lines`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payout_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub payout_id: Uuid,
    pub session_id: Option<Uuid>,
    pub booking_id: Option<Uuid>,
    pub description: String,
    pub quantity: i32,
    pub amount_minor: i64,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
