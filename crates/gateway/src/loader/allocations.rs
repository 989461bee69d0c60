//! Bookings' equipment allocations, grouped by booking: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::equipment_allocation;
use infra::equipment;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the equipment allocations of many bookings in one statement.
pub struct AllocationsByBooking {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for AllocationsByBooking {
    type Value = Vec<equipment_allocation::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        equipment::of_bookings(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
