//! The `payment_refunds` table: every refund of a payment.

use sea_orm::entity::prelude::*;

/// One row of `payment_refunds`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_refunds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub payment_id: Uuid,
    pub amount_minor: i64,
    pub stripe_refund_id: Option<String>,
    pub refunded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
