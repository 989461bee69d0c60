//! Per-process and per-request context, and the one way resolvers read it.

use std::sync::Arc;

use async_graphql::Context;
use infra::repo::organisation::Viewer;
use infra::{Clock, Db};

use crate::error::unauthenticated;
use crate::loader::Loaders;

/// What every request shares: the database and the clock.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: Db,
    /// Where `now` comes from.
    pub clock: Arc<dyn Clock>,
    /// The schema, built once.
    pub schema: crate::OstinatoSchema,
}

impl AppState {
    /// State over `db` with the system clock.
    pub fn new(db: Db) -> Self {
        Self::with_clock(db, Arc::new(infra::SystemClock))
    }

    /// State with a given clock (tests, demos).
    pub fn with_clock(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            schema: crate::build_schema(),
        }
    }
}

/// Who the request runs as, decided once in the HTTP handler.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No `Authorization` header.
    Missing,
    /// A token that is unknown, expired or revoked.
    Invalid,
    /// A valid token.
    Viewer(Viewer),
}

/// The process state. Attached to every request by the handler; absence is a bug.
pub fn app<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data::<AppState>()
        .expect("BUG: AppState is attached to every request")
}

/// The authenticated viewer, or an `UNAUTHENTICATED` error.
pub fn viewer<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Viewer> {
    match ctx
        .data::<Auth>()
        .expect("BUG: Auth is attached to every request")
    {
        Auth::Viewer(v) => Ok(v),
        Auth::Missing => Err(unauthenticated(
            "this operation needs a login: send `Authorization: Bearer <token>` (from signUp or login)",
        )),
        Auth::Invalid => Err(unauthenticated(
            "the bearer token is invalid, expired or revoked; log in again",
        )),
    }
}

/// The request's dataloaders, scoped to the viewer's school.
pub fn loaders<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Loaders> {
    viewer(ctx)?;
    Ok(ctx
        .data::<Loaders>()
        .expect("BUG: loaders are attached for every viewer"))
}
