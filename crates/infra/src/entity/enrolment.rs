//! The `enrolments` table: a student's standing place in a series.

use sea_orm::entity::prelude::*;

/// One row of `enrolments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub series_id: Uuid,
    pub student_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub status: String,
    pub enrolled_by: Uuid,
    pub enrolled_at: DateTimeUtc,
    pub ends_on: Option<Date>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
