//! The `invoice_lines` table.

use sea_orm::entity::prelude::*;

/// One row of `invoice_lines`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub invoice_id: Uuid,
    pub position: i32,
    pub description: String,
    pub quantity: i32,
    pub unit_minor: i64,
    pub amount_minor: i64,
    pub booking_id: Option<Uuid>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
