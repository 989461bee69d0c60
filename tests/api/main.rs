//! Black-box tests: the real `ostinato` server on a free port over a fresh
//! database (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set), driven
//! with GraphQL over HTTP like any client.

mod archive;
mod bad_input;
mod billing;
mod booking_core;
mod booking_flow;
mod card_refunds;
mod credits;
mod crm;
mod equipment;
mod family_view;
mod hardening;
mod helpers;
mod http_contract;
mod installments;
mod isolation;
mod materials;
mod payouts;
mod profiles;
mod roles;
mod schedule_edits;
mod scheduling_flow;
mod schema_drift;
mod staff_and_hybrid;
mod statement_count;
mod term;
mod term_billing;
mod tidy;
