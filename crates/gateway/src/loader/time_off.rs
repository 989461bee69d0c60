//! Teachers' time off that has not ended yet, grouped by teacher.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use infra::entity::teacher_time_off;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the upcoming time off of many teachers in one statement.
pub struct TimeOffByTeacher {
    pub(super) db: Db,
    pub(super) school: SchoolId,
    /// The request's now: time off ending before it is history.
    pub(super) now: DateTime<Utc>,
}

impl Loader<Uuid> for TimeOffByTeacher {
    type Value = Vec<teacher_time_off::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::booking::read::time_off(self.db.conn(), self.school, keys.iter().copied(), self.now)
            .await
            .map_err(Arc::new)
    }
}
