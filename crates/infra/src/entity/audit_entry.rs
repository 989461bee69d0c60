//! The `audit_log` table.

use sea_orm::entity::prelude::*;

/// One row of `audit_log`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub user_id: Option<Uuid>,
    pub action: String,
    pub targets: String,
    pub at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
