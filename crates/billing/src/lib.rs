//! Prices, invoices, payments, installment plans and teacher payouts
//! (SPEC §3.6).
//!
//! Nothing lives here yet. Money will always be integer minor units plus a
//! currency (`kernel::Money`), never floats.
