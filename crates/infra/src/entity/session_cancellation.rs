//! The `session_cancellations` table: the `SessionCancelled` fact.

use sea_orm::entity::prelude::*;

/// One row of `session_cancellations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session_cancellations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub session_id: Uuid,
    pub by_teacher: bool,
    pub reason: Option<String>,
    pub cancelled_by: Option<Uuid>,
    pub cancelled_at: DateTimeUtc,
    pub bookings_cancelled: i32,
    pub waitlist_closed: i32,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
