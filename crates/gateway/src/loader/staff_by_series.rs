//! Staff assignments grouped by class series.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::staff_assignment;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the assignments of many series in one statement.
pub struct StaffBySeries {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for StaffBySeries {
    type Value = Vec<staff_assignment::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::staff::assignments_by_series(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
