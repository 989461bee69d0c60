//! The `bookings` table.

use sea_orm::entity::prelude::*;

/// One row of `bookings`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub kind: String,
    pub session_id: Option<Uuid>,
    pub teacher_id: Option<Uuid>,
    pub offering_id: Option<Uuid>,
    pub student_id: Uuid,
    pub booked_by: Uuid,
    pub seats: i32,
    pub status: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub timezone: String,
    pub student_note: Option<String>,
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancelled_by: Option<Uuid>,
    pub cancel_reason: Option<String>,
    pub registration_id: Option<Uuid>,
    pub booking_series_id: Option<Uuid>,
    pub rescheduled_from_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub attendance_mark: Option<String>,
    pub attendance_note: Option<String>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
