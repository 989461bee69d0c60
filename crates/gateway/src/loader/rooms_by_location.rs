//! Rooms grouped by location.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::room;
use infra::repo::places;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the rooms of many locations in one statement.
pub struct RoomsByLocation {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for RoomsByLocation {
    type Value = Vec<room::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        places::rooms_by_location(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
