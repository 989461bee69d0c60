//! The `waitlist_entries` table.

use sea_orm::entity::prelude::*;

/// One row of `waitlist_entries`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "waitlist_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub session_id: Uuid,
    pub student_id: Uuid,
    pub position: i32,
    pub status: String,
    pub offer_expires_at: Option<DateTimeUtc>,
    pub booking_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub offered_at: Option<DateTimeUtc>,
    pub accepted_at: Option<DateTimeUtc>,
    pub expired_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
