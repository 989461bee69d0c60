//! The `staff_assignments` table.

use sea_orm::entity::prelude::*;

/// One row of `staff_assignments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub series_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub teacher_id: Uuid,
    pub kind: String,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
