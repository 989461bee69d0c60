//! The `makeup_credits` table.

use sea_orm::entity::prelude::*;

/// One row of `makeup_credits`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "makeup_credits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub student_id: Uuid,
    pub offering_id: Option<Uuid>,
    pub series_id: Option<Uuid>,
    pub session_id: Uuid,
    pub reason: String,
    pub granted_at: DateTimeUtc,
    pub expires_on: Date,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
