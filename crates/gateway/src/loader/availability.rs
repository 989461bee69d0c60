//! Teachers' weekly availability windows, grouped by teacher.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::repo::people;
use infra::{Db, InfraError};
use kernel::SchoolId;
use scheduling::AvailabilityWindow;
use uuid::Uuid;

/// Loads availability windows of many teachers in one statement.
pub struct AvailabilityByTeacher {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for AvailabilityByTeacher {
    type Value = Vec<AvailabilityWindow>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let found = people::availability(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)?;
        Ok(found
            .into_iter()
            .map(|(teacher, windows)| (teacher.uuid(), windows))
            .collect())
    }
}
