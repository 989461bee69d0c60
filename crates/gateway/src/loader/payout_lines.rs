//! Payouts' lines, grouped by payout: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the lines of many payouts at once.
pub struct LinesByPayout {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for LinesByPayout {
    type Value = Vec<infra::entity::payout_line::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::payouts::lines_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
