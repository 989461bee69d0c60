//! The edge: the async-graphql schema, dataloaders, the axum server, bearer
//! auth, and the `ostinato` binary's commands.
//!
//! The gateway holds no business rules. A resolver authorises, loads
//! (through a dataloader when it is a field), calls the domain or an infra
//! service, persists in one transaction and maps the result to a payload.
//! Start with [`http`] (routes and the GraphQL-over-HTTP handler) and
//! [`schema`] (types and resolvers).

#![warn(missing_docs)]

pub mod cli;
pub mod config;
pub mod context;
pub mod demo;
pub mod error;
pub mod http;
pub mod ids;
pub mod loader;
pub mod panic_guard;
pub mod rate_limit;
pub mod response_order;
pub mod scalars;
pub mod schema;
pub mod text_guard;
pub mod throttle;

pub use config::Config;
pub use context::AppState;
pub use http::{router, serve};
pub use schema::{OstinatoSchema, build_schema};
