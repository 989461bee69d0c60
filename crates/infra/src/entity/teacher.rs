//! The `teachers` table.

use sea_orm::entity::prelude::*;

/// One row of `teachers`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "teachers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub user_id: Option<Uuid>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub created_at: DateTimeUtc,
    pub bio: Option<String>,
    pub specialties: Option<String>,
    pub pay_rate_minor: Option<i64>,
    pub pay_basis: Option<String>,
    pub stripe_connect_id: Option<String>,
    pub archived_at: Option<DateTimeUtc>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
