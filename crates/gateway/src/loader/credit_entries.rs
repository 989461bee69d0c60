//! Make-up credits' ledger entries, grouped by credit: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::credit_entry;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the entries of many credits at once.
pub struct EntriesByCredit {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for EntriesByCredit {
    type Value = Vec<credit_entry::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::credits::entry_rows_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
