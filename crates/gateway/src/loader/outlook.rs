//! What sessions need of equipment and have left: at most four statements per batch
//! (`infra::equipment::outlook`), so rosters, calendars and the class browser show
//! equipment left without a query per session.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::equipment;
use infra::equipment::{Booked, Outlook};
use infra::{Db, InfraError};
use kernel::SchoolId;

/// Loads what many sessions need and have left of equipment, in at most
/// four statements per batch (`infra::equipment::outlook`).
pub struct EquipmentOutlook {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Booked> for EquipmentOutlook {
    type Value = Vec<Outlook>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Booked]) -> Result<HashMap<Booked, Self::Value>, Self::Error> {
        equipment::outlook(self.db.conn(), self.school, keys)
            .await
            .map_err(Arc::new)
    }
}
