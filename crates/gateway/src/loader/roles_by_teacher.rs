//! The teaching roles each teacher holds.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::teaching_role;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the roles of many teachers in two statements (who holds what,
/// then the roles).
pub struct RolesByTeacher {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for RolesByTeacher {
    type Value = Vec<teaching_role::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let conn = self.db.conn();
        let held = infra::staff::roles_of(conn, self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)?;
        let roles = infra::repo::by_ids::<teaching_role::Entity>(
            conn,
            self.school,
            held.values().flatten().copied(),
        )
        .await
        .map_err(Arc::new)?;
        Ok(held
            .into_iter()
            .map(|(teacher, ids)| {
                let found = ids.iter().filter_map(|id| roles.get(id).cloned()).collect();
                (teacher, found)
            })
            .collect())
    }
}
