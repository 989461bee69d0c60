//! The `families` table.

use sea_orm::entity::prelude::*;

/// One row of `families`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "families")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub name: String,
    pub admin_user_id: Uuid,
    pub billing_email: Option<String>,
    pub created_at: DateTimeUtc,
    pub billing_address: Option<String>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
