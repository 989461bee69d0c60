//! Subscriptions' installments, grouped by subscription: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::subscription_installment;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the rows of many subscriptions at once.
pub struct InstallmentsBySubscription {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for InstallmentsBySubscription {
    type Value = Vec<subscription_installment::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::crm::installments_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
