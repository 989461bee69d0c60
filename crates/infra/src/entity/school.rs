//! The `schools` table.

use sea_orm::entity::prelude::*;

/// One row of `schools`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schools")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub contact_email: String,
    pub timezone: String,
    pub currency: String,
    pub created_at: DateTimeUtc,
    pub qr_key: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub logo_url: Option<String>,
    pub brand_color: Option<String>,
    pub custom_domain: Option<String>,
    pub makeup_expiry_days: i32,
    pub makeup_max_per_term: Option<i32>,
    pub makeup_on_cancellation: bool,
}

/// Relations are not modelled: repositories join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
