//! The `exam_requests` table.

use sea_orm::entity::prelude::*;

/// One row of `exam_requests`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub student_id: Uuid,
    pub exam_type: String,
    pub requested_date: Option<Date>,
    pub status: String,
    pub notes: Option<String>,
    pub requested_by: Uuid,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub exam_date: Option<DateTimeUtc>,
    pub exam_result: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
