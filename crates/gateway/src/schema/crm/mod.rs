//! CRM over GraphQL: leads and their conversion (`leads`), programmes
//! and student subscriptions with freezes (`subscriptions`), students' QR
//! codes and check-in scans (`checkin`), progression awards and exam
//! requests (`progress`). Resolvers authorize, call `infra::crm` or
//! `infra::progress` (which ask the `crm` crate for every decision) and
//! map the result.

pub(crate) mod checkin;
pub(crate) mod leads;
pub(crate) mod progress;
pub(crate) mod subscriptions;

pub use checkin::{CheckIn, CheckInMutation};
pub use leads::{Lead, LeadMutation, LeadQuery};
pub use progress::{ExamRequest, ProgressMutation};
pub use subscriptions::{Programme, StudentSubscription, SubscriptionMutation, SubscriptionQuery};
