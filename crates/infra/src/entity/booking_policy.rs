//! The `booking_policies` table.

use sea_orm::entity::prelude::*;

/// One row of `booking_policies`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "booking_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub teacher_id: Uuid,
    pub offering_id: Option<Uuid>,
    pub requires_approval_one_on_one: bool,
    pub requires_approval_group: bool,
    pub min_notice_hours: i32,
    pub cancel_window_hours: i32,
    pub buffer_before_minutes: i32,
    pub buffer_after_minutes: i32,
    pub max_bookings_per_day: Option<i32>,
    pub horizon_days: Option<i32>,
    pub waitlist_offer_minutes: i32,
    pub updated_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
