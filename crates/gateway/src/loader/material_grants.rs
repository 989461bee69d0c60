//! Materials' grants, grouped by material: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the grants of many materials in one statement.
pub struct GrantsByMaterial {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for GrantsByMaterial {
    type Value = Vec<infra::entity::material_grant::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::materials::grants(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
