//! The `teacher_availability` table.

use sea_orm::entity::prelude::*;

/// One row of `teacher_availability`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "teacher_availability")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub teacher_id: Uuid,
    pub weekday: i16,
    pub start_time: Time,
    pub end_time: Time,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
