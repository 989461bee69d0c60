//! The GraphQL schema: types, queries and mutations.
//!
//! Conventions (SPEC §4): Relay global ids and `node(id:)`; one input object
//! and one payload per mutation; expected failures as `userErrors` in the
//! payload; every query scoped to the viewer's school. Depth and complexity
//! are limited (introspection included, so the limits leave room for
//! GraphiQL's schema query).

mod account;
mod calendar;
mod node;
mod objects;
mod series;
mod setup;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{EmptySubscription, MergedObject, Schema};
use infra::repo::Tenant;
use infra::repo::organisation::{Role, Viewer};
use uuid::Uuid;

use crate::error::{forbidden, internal};
use crate::loader::ById;

pub use objects::*;

/// Deepest query accepted. GraphiQL's introspection query needs 13.
pub const MAX_DEPTH: usize = 15;
/// Most complex query accepted (each field counts 1).
pub const MAX_COMPLEXITY: usize = 2_000;

/// All queries.
#[derive(MergedObject, Default)]
pub struct Query(
    account::AccountQuery,
    node::NodeQuery,
    calendar::CalendarQuery,
    series::SeriesQuery,
    setup::SetupQuery,
);

/// All mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    account::AccountMutation,
    setup::SetupMutation,
    series::SeriesMutation,
);

/// The schema type.
pub type OstinatoSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema with its limits.
pub fn build_schema() -> OstinatoSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema().sdl()
}

/// Admins and staff manage the school's setup and schedule.
fn require_staff<'a>(ctx: &async_graphql::Context<'a>) -> async_graphql::Result<&'a Viewer> {
    let viewer = crate::context::viewer(ctx)?;
    if viewer.has(Role::Admin) || viewer.has(Role::Staff) {
        Ok(viewer)
    } else {
        Err(forbidden("only admins and staff may do this"))
    }
}

/// Loads one row through a request's loader, masking infra errors.
async fn load<E>(
    loader: &DataLoader<ById<E>, HashMapCache>,
    id: Uuid,
) -> async_graphql::Result<Option<E::Model>>
where
    E: Tenant + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
{
    loader.load_one(id).await.map_err(internal)
}
