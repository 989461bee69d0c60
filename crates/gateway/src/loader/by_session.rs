//! Rows that belong to sessions (bookings, waitlist entries, attendance),
//! grouped by session: one `WHERE school_id = ? AND session_id IN (…)`.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::repo::{self, SessionChild};
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the `E` rows of many sessions at once.
pub struct BySession<E> {
    db: Db,
    school: SchoolId,
    entity: PhantomData<fn() -> E>,
}

impl<E> BySession<E> {
    /// A loader for `school`.
    pub fn new(db: &Db, school: SchoolId) -> Self {
        Self {
            db: db.clone(),
            school,
            entity: PhantomData,
        }
    }
}

impl<E> Loader<Uuid> for BySession<E>
where
    E: SessionChild + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = Vec<E::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        repo::by_sessions::<E>(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
