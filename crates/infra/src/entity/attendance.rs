//! The `attendance` table.

use sea_orm::entity::prelude::*;

/// One row of `attendance`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub session_id: Uuid,
    pub student_id: Uuid,
    pub status: String,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTimeUtc,
    pub code: Option<String>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
