//! Equipment and material rows grouped by their owner, and the equipment outlook of
//! sessions: each a constant number of statements per batch, so rosters,
//! calendars and the class browser show equipment left without a query
//! per session.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::{equipment_allocation, offering_requirement};
use infra::equipment::{self, Booked, Outlook};
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
