//! The `booking_series` table.

use sea_orm::entity::prelude::*;

/// One row of `booking_series`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "booking_series")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub teacher_id: Uuid,
    pub student_id: Uuid,
    pub offering_id: Option<Uuid>,
    pub rule: String,
    pub created_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
