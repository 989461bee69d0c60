//! The `check_ins` table.

use sea_orm::entity::prelude::*;

/// One row of `check_ins`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "check_ins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub student_id: Uuid,
    pub kind: String,
    pub session_id: Option<Uuid>,
    pub at: DateTimeUtc,
    pub device: Option<String>,
    pub recorded_by: Uuid,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
