//! Billing (SPEC §3.6): prices, invoices, payments and the family account,
//! and Stripe's webhook signature. Pure: amounts are integer minor units
//! (`kernel::Money` where a currency travels with them), never floats;
//! dates and the clock come in as arguments.

#![warn(missing_docs)]

pub mod credit;
pub mod installment;
pub mod invoice;
pub mod monthly;
pub mod payment;
pub mod payout;
pub mod price;
pub mod stripe;

pub use installment::InstallmentStatus;
pub use invoice::{InvoiceError, InvoiceStatus, Line, LineInput};
pub use payment::{Entry, PaymentError, PaymentMethod, PaymentStatus};
pub use price::{PriceError, PriceList, Purchase, Quote};
pub use stripe::SignatureError;
