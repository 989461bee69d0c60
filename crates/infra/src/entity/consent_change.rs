//! The `consent_changes` table.

use sea_orm::entity::prelude::*;

/// One row of `consent_changes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub student_id: Uuid,
    pub consent: String,
    pub from_value: bool,
    pub to_value: bool,
    pub changed_by: Uuid,
    pub changed_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
