//! Invoices' lines and payments, grouped by invoice: one statement per
//! batch each.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use infra::entity::{invoice_line, payment};
use infra::{Db, InfraError};
use kernel::SchoolId;
use uuid::Uuid;

/// Loads the lines of many invoices at once.
pub struct LinesByInvoice {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for LinesByInvoice {
    type Value = Vec<invoice_line::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::billing::lines_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}

/// Loads the payments of many invoices at once.
pub struct PaymentsByInvoice {
    pub(super) db: Db,
    pub(super) school: SchoolId,
}

impl Loader<Uuid> for PaymentsByInvoice {
    type Value = Vec<payment::Model>;
    type Error = Arc<InfraError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        infra::billing::payments_of(self.db.conn(), self.school, keys.iter().copied())
            .await
            .map_err(Arc::new)
    }
}
