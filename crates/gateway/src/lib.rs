//! The edge: the async-graphql schema, dataloaders, the axum server, bearer
//! auth, and the `ostinato` binary's commands.
//!
//! The gateway cannot reach the database (no sea-orm dependency) and owns
//! the wire: GraphQL names, codes, the HTTP contract. A resolver authorises,
//! loads through infra or a dataloader, calls an infra service (which asks
//! the domain), and maps the result to a payload; data-changing mutations
//! run in `schema::mutation`, one transaction each. Input checks that are
//! about the wire (id decoding, text without control characters, page
//! sizes, query ranges) live here; rules about lessons live in the domain.
//! Start with [`http`] (routes and the GraphQL-over-HTTP handler) and
//! [`schema`] (types and resolvers).

#![warn(missing_docs)]

pub mod cli;
pub mod config;
pub mod context;
pub mod demo;
pub mod download;
pub mod error;
pub mod http;
pub mod ids;
pub mod loader;
pub mod panic_guard;
pub mod print;
pub mod qr_image;
pub mod rate_limit;
pub mod response_order;
pub mod scalars;
pub mod schema;
pub mod text_guard;
pub mod throttle;
pub mod webhook;

pub use config::Config;
pub use context::AppState;
pub use http::{router, serve};
pub use schema::{OstinatoSchema, build_schema};
