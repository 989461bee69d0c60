//! The booking that replaced each rescheduled booking.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::booking;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the replacements of many bookings in one statement.
pub struct Replacements {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for Replacements {
    type Value = booking::Model;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::booking::read::replacements(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
