//! The `idempotency_keys` table.

use sea_orm::entity::prelude::*;

/// One row of `idempotency_keys`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub user_id: Uuid,
    pub key: String,
    pub operation: String,
    pub request_hash: String,
    pub response: String,
    pub created_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
