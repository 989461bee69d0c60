//! Students' subscriptions, grouped by student: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the subscriptions of many students at once.
pub struct SubscriptionsByStudent {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for SubscriptionsByStudent {
    type Value = Vec<infra::entity::subscription::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::crm::subscriptions_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
