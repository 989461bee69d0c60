//! The `family_members` table.

use sea_orm::entity::prelude::*;

/// One row of `family_members`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "family_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub family_id: Uuid,
    pub user_id: Option<Uuid>,
    pub student_id: Option<Uuid>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
