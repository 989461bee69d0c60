//! The `payouts` table.

use sea_orm::entity::prelude::*;

/// One row of `payouts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payouts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub teacher_id: Uuid,
    pub period: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
