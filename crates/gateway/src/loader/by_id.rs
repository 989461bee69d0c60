//! Any tenant-scoped row by id: one `WHERE school_id = ? AND id IN (…)`.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::repo::{self, Tenant};
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads rows of `E` in one school by id.
pub struct ById<E> {
    db: Db,
    school: SchoolId,
    entity: PhantomData<fn() -> E>,
}

impl<E> ById<E> {
    /// A loader for `school`.
    pub fn new(db: &Db, school: SchoolId) -> Self {
        Self {
            db: db.clone(),
            school,
            entity: PhantomData,
        }
    }
}

impl<E> Loader<Uuid> for ById<E>
where
    E: Tenant + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        repo::by_ids::<E>(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
