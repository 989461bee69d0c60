//! The `leads` table.

use sea_orm::entity::prelude::*;

/// One row of `leads`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub parent_name: String,
    pub parent_email: Option<String>,
    pub parent_phone: Option<String>,
    pub child_first_name: String,
    pub child_last_name: String,
    pub child_birth_date: Option<Date>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub status: String,
    pub duplicate_of_id: Option<Uuid>,
    pub evaluation_session_id: Option<Uuid>,
    pub student_id: Option<Uuid>,
    pub parent_user_id: Option<Uuid>,
    pub family_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
