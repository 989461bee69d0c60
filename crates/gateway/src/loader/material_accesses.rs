//! Materials' access rows, grouped by material: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the access rows of many materials in one statement.
pub struct AccessesByMaterial {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for AccessesByMaterial {
    type Value = Vec<infra::entity::material_access::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::materials::accesses(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
