//! Leads, subscriptions and freezes, QR check-ins, awards and exams
//! (SPEC §3.7).
//!
//! `lead` (the lead lifecycle, validation, duplicate detection by parent
//! email or phone), `subscription` (freeze arithmetic: the end date and
//! unpaid installments move by the frozen days; allowance and overlap),
//! `qr` (the signed token a student's code carries), `checkin` (centre
//! and session scans; session check-in takes attendance, on time or late),
//! `progress` (progression awards; the exam request lifecycle), `profile`
//! (student profiles, who may change consents, school branding).
//! Pure: no database, no clock, keys and `now` come in as arguments.

#![warn(missing_docs)]

pub mod checkin;
pub mod lead;
pub mod profile;
pub mod progress;
pub mod qr;
pub mod subscription;
