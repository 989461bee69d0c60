//! The `sessions` table.

use sea_orm::entity::prelude::*;

/// One row of `sessions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub series_id: Option<Uuid>,
    pub occurrence_date: Date,
    pub occurrence_index: i32,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub timezone: String,
    pub teacher_id: Option<Uuid>,
    pub room_id: Option<Uuid>,
    pub location_id: Uuid,
    pub student_id: Option<Uuid>,
    pub capacity: i32,
    pub status: String,
    pub conflicts: String,
    pub detached: bool,
    pub seats_taken: i32,
    pub one_on_one_week: bool,
    pub created_at: DateTimeUtc,
    pub offering_id: Option<Uuid>,
    pub notes: Option<String>,
    pub meeting_provider: Option<String>,
    pub meeting_link: Option<String>,
    pub meeting_id: Option<String>,
    pub meeting_passcode: Option<String>,
    pub cancel_reason: Option<String>,
    pub cancelled_at: Option<DateTimeUtc>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
