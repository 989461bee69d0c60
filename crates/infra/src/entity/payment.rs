//! The `payments` table.

use sea_orm::entity::prelude::*;

/// One row of `payments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub invoice_id: Uuid,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub currency: String,
    pub method: String,
    pub status: String,
    pub reference: Option<String>,
    pub stripe_payment_intent_id: Option<String>,
    pub stripe_client_secret: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
