//! Connecting, migrating, and write transactions.
//!
//! SQLite needs care to be a correct multi-writer database (SPEC §6): WAL,
//! `synchronous=NORMAL`, a busy timeout, foreign keys on, and every write
//! transaction started `IMMEDIATE`, because a deferred `BEGIN` that later
//! writes fails with "database is locked" at once instead of waiting.
//! [`Db::begin_write`] is the one way services start a write.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::Result;

/// A write transaction, as callers above infra hold it: they pass it to
/// infra functions and commit it, and cannot query through it.
pub type Tx = DatabaseTransaction;

/// Anything infra functions read through: the pool or a transaction.
/// Callers above infra name this bound instead of sea-orm's.
pub trait Handle: ConnectionTrait + Sync {}

impl<T: ConnectionTrait + Sync> Handle for T {}

/// The default database: an SQLite file next to the binary's working dir.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ostinato.db?mode=rwc";

/// A connection pool plus a counter of executed SQL statements.
///
/// The counter exists so tests can assert that a query's statement count
/// does not grow with its result size (the dataloader guarantee). It costs
/// one atomic increment per statement.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    statements: Arc<AtomicU64>,
}

/// How many connections the pool opens for `url`: SQLite writes one at a
/// time anyway; PostgreSQL serves more readers.
pub fn pool_size(url: &str) -> u32 {
    if url.starts_with("sqlite:") { 8 } else { 16 }
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str) -> Result<Self> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(pool_size(url))
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        let mut conn = Database::connect(options).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        conn.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self { conn, statements })
    }

    /// Applies all pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// The pool, for reads.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Which database this is.
    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Number of SQL statements executed through this pool so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (takes the
    /// write lock up front, waiting up to the busy timeout), a plain
    /// READ COMMITTED transaction on PostgreSQL, where services take row
    /// locks for what they must serialise.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions {
            isolation_level: None,
            access_mode: None,
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        };
        Ok(self.conn.begin_with_options(options).await?)
    }

    /// Checks the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.conn.ping().await?)
    }
}
