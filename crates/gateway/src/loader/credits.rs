//! Students' make-up credits, grouped by student: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the make-up credits of many students at once.
pub struct CreditsByStudent {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for CreditsByStudent {
    type Value = Vec<infra::entity::makeup_credit::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::credits::credits_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
