//! The `offerings` table.

use sea_orm::entity::prelude::*;

/// One row of `offerings`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offerings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub title: String,
    pub kind: String,
    pub default_duration_minutes: i32,
    pub default_capacity: i32,
    pub price_minor: Option<i64>,
    pub required_role_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub description: Option<String>,
    pub subject: Option<String>,
    pub archived_at: Option<DateTimeUtc>,
    pub course_price_minor: Option<i64>,
    pub drop_in_price_minor: Option<i64>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
