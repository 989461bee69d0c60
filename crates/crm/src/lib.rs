//! Leads, subscriptions and freezes, QR check-ins, families, progression
//! awards and exam requests (SPEC §3.7).
//!
//! Nothing lives here yet; lead conversion and subscription freezes will be
//! pure state machines here.
