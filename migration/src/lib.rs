//! Every schema change, numbered and reversible. The same migrations run on
//! SQLite and PostgreSQL.
//!
//! Rules (STYLE.md): one intent per file named `mYYYYMMDD_HHMMSS_<verb>_<noun>`,
//! each with its own `DeriveIden` enums (never infra's entities, which
//! describe today's schema, not the one the migration was written against),
//! a working `down`, and never edited once merged. Every table carries
//! `school_id`, the tenant key.

#![warn(missing_docs)]

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_schools_and_users;
mod m20261125_000002_create_locations_and_rooms;
mod m20261125_000003_create_teachers_and_students;
mod m20261125_000004_create_offerings;
mod m20261125_000005_create_series_and_sessions;
mod m20261125_000006_create_accounts_audit_idempotency;
mod m20261125_000007_create_bookings;
mod m20261125_000008_create_staff_and_hybrid;
mod m20261125_000009_create_teacher_time_off;
mod m20261129_000010_link_rescheduled_bookings;
mod m20261129_000011_schedule_edits;
mod m20261129_000012_create_equipment;
mod m20261129_000013_create_materials;
mod m20261129_000014_create_crm;
mod m20261129_000015_create_progress;
mod m20261129_000016_add_profiles;
mod m20261129_000017_archive;
mod m20261129_000018_dated_availability;
mod m20261129_000019_create_billing;
mod m20261129_000020_create_credits_and_payouts;
mod m20261129_000021_link_invoice_lines_to_bookings;
mod m20261129_000022_add_course_prices;
mod m20261129_000023_installment_payments;
mod m20261129_000024_create_payment_refunds;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_schools_and_users::Migration),
            Box::new(m20261125_000002_create_locations_and_rooms::Migration),
            Box::new(m20261125_000003_create_teachers_and_students::Migration),
            Box::new(m20261125_000004_create_offerings::Migration),
            Box::new(m20261125_000005_create_series_and_sessions::Migration),
            Box::new(m20261125_000006_create_accounts_audit_idempotency::Migration),
            Box::new(m20261125_000007_create_bookings::Migration),
            Box::new(m20261125_000008_create_staff_and_hybrid::Migration),
            Box::new(m20261125_000009_create_teacher_time_off::Migration),
            Box::new(m20261129_000010_link_rescheduled_bookings::Migration),
            Box::new(m20261129_000011_schedule_edits::Migration),
            Box::new(m20261129_000012_create_equipment::Migration),
            Box::new(m20261129_000013_create_materials::Migration),
            Box::new(m20261129_000014_create_crm::Migration),
            Box::new(m20261129_000015_create_progress::Migration),
            Box::new(m20261129_000016_add_profiles::Migration),
            Box::new(m20261129_000017_archive::Migration),
            Box::new(m20261129_000018_dated_availability::Migration),
            Box::new(m20261129_000019_create_billing::Migration),
            Box::new(m20261129_000020_create_credits_and_payouts::Migration),
            Box::new(m20261129_000021_link_invoice_lines_to_bookings::Migration),
            Box::new(m20261129_000022_add_course_prices::Migration),
            Box::new(m20261129_000023_installment_payments::Migration),
            Box::new(m20261129_000024_create_payment_refunds::Migration),
        ]
    }
}
