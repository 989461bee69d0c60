//! The `class_series` table.

use sea_orm::entity::prelude::*;

/// One row of `class_series`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "class_series")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub offering_id: Uuid,
    pub teacher_id: Option<Uuid>,
    pub location_id: Uuid,
    pub room_id: Option<Uuid>,
    pub student_id: Option<Uuid>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub count: Option<i32>,
    pub start_time: Time,
    pub duration_minutes: i32,
    pub timezone: String,
    pub rrule: String,
    pub exdates: String,
    pub capacity: i32,
    pub conflict_policy: String,
    pub generation_mode: String,
    pub status: String,
    pub last_generated_through: Option<Date>,
    pub hybrid_cycle_weeks: Option<i32>,
    pub hybrid_cycle_start: Option<Date>,
    pub hybrid_one_on_one_weeks: Option<String>,
    pub hybrid_price_minor: Option<i64>,
    pub split_from_id: Option<Uuid>,
    pub rdates: String,
    pub notes: Option<String>,
    pub meeting_provider: Option<String>,
    pub meeting_link: Option<String>,
    pub meeting_id: Option<String>,
    pub meeting_passcode: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
