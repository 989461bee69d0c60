//! Subscriptions' freezes, grouped by subscription: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::subscription_freeze;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the rows of many subscriptions at once.
pub struct FreezesBySubscription {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for FreezesBySubscription {
    type Value = Vec<subscription_freeze::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::crm::freezes_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
