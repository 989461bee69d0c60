//! The `attendance_statuses` table.

use sea_orm::entity::prelude::*;

/// One row of `attendance_statuses`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance_statuses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub code: String,
    pub label: String,
    pub counts_as: String,
    pub billed: bool,
    pub teacher_paid: bool,
    pub grants_credit: bool,
    pub position: i32,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
