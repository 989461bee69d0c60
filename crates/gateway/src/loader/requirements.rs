//! Offerings' equipment requirements, grouped by offering: one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::offering_requirement;
use infra::equipment;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the requirements of many offerings in one statement.
pub struct RequirementsByOffering {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for RequirementsByOffering {
    type Value = Vec<offering_requirement::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        equipment::requirements_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
