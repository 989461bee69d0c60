//! The `invoices` table.

use sea_orm::entity::prelude::*;

/// One row of `invoices`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub school_id: Uuid,
    pub number: i64,
    pub family_id: Option<Uuid>,
    pub student_id: Option<Uuid>,
    pub currency: String,
    pub status: String,
    pub issue_date: Option<Date>,
    pub due_date: Date,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub issued_at: Option<DateTimeUtc>,
    pub voided_at: Option<DateTimeUtc>,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
