//! The `subscription_installments` table.

use sea_orm::entity::prelude::*;

/// One row of `subscription_installments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription_installments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub subscription_id: Uuid,
    pub due_date: Date,
    pub original_due_date: Date,
    pub amount_minor: i64,
    pub currency: String,
    pub paid_minor: i64,
    pub status: String,
    pub invoice_id: Option<Uuid>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
