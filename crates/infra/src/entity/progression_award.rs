//! The `progression_awards` table.

use sea_orm::entity::prelude::*;

/// One row of `progression_awards`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "progression_awards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub student_id: Uuid,
    pub title: String,
    pub kind: String,
    pub description: Option<String>,
    pub badge_color: Option<String>,
    pub earned_at: DateTimeUtc,
    pub awarded_by: Uuid,
    pub created_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
