//! Turns a panicking resolver into a masked GraphQL error.
//!
//! Without this a panic unwinds through the whole request: the client gets
//! a bare 500 (tower-http's `CatchPanicLayer` still keeps the server alive)
//! and loses the other fields. Here the panic is caught at the field, logged
//! with an error id, and answered like any internal error; a mutation's
//! transaction is dropped and so rolled back.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerError, ServerResult, Value};
use futures_util::FutureExt;

/// The extension factory to register on the schema.
pub struct PanicGuard;

impl ExtensionFactory for PanicGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PanicGuardExtension)
    }
}

struct PanicGuardExtension;

#[async_trait::async_trait]
impl Extension for PanicGuardExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // The path is only spelled out if the field panics: building it for
        // every field cost one Vec<String> per field of every response.
        let path_node = info.path_node;
        match AssertUnwindSafe(next.run(ctx, info)).catch_unwind().await {
            Ok(result) => result,
            Err(panic) => {
                let path = path_node.to_string_vec();
                let error_id = uuid::Uuid::new_v4();
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(%error_id, field = %path.join("."), panic = %what, "resolver panicked");
                let mut error = ServerError::new(
                    format!("internal error; quote error id {error_id} when reporting it"),
                    None,
                );
                error.path = path
                    .iter()
                    .map(|segment| match segment.parse::<usize>() {
                        Ok(index) => async_graphql::PathSegment::Index(index),
                        Err(_) => async_graphql::PathSegment::Field(segment.clone()),
                    })
                    .collect();
                let mut extensions = async_graphql::ErrorExtensionValues::default();
                extensions.set("code", "INTERNAL");
                extensions.set("errorId", error_id.to_string());
                error.extensions = Some(extensions);
                Err(error)
            }
        }
    }
}
