//! sea-orm entities, one per table. They describe rows, nothing more: no
//! business rules, and they never leave `infra` as GraphQL types.
//!
//! Columns are not documented one by one: their meaning is in the
//! migration that created them, and the derive macros generate items that
//! could not carry docs anyway.

#![allow(missing_docs)]

pub mod attendance;
pub mod attendance_status;
pub mod audit_entry;
pub mod auth_token;
pub mod booking;
pub mod booking_policy;
pub mod booking_series;
pub mod check_in;
pub mod class_series;
pub mod consent_change;
pub mod credit_entry;
pub mod enrolment;
pub mod equipment;
pub mod equipment_allocation;
pub mod exam_request;
pub mod family;
pub mod family_member;
pub mod idempotency_key;
pub mod invoice;
pub mod invoice_line;
pub mod lead;
pub mod location;
pub mod maintenance_block;
pub mod makeup_credit;
pub mod material;
pub mod material_access;
pub mod material_grant;
pub mod offering;
pub mod offering_requirement;
pub mod payment;
pub mod payment_refund;
pub mod payout;
pub mod payout_line;
pub mod programme;
pub mod progression_award;
pub mod registration;
pub mod room;
pub mod school;
pub mod session;
pub mod session_cancellation;
pub mod staff_assignment;
pub mod stripe_event;
pub mod student;
pub mod subscription;
pub mod subscription_freeze;
pub mod subscription_installment;
pub mod teacher;
pub mod teacher_availability;
pub mod teacher_role;
pub mod teacher_time_off;
pub mod teaching_role;
pub mod user;
pub mod waitlist_entry;
