//! Money rows grouped by their parent, one statement per batch: make-up
//! credits' ledger entries, students' credits, payouts' lines.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::credit_entry;
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the entries of many credits at once.
pub struct EntriesByCredit {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for EntriesByCredit {
    type Value = Vec<credit_entry::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::credits::entry_rows_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}

/// Loads the make-up credits of many students at once.
pub struct CreditsByStudent {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for CreditsByStudent {
    type Value = Vec<infra::entity::makeup_credit::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::credits::credits_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}

/// Loads the lines of many payouts at once.
pub struct LinesByPayout {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for LinesByPayout {
    type Value = Vec<infra::entity::payout_line::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::payouts::lines_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
