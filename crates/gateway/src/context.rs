//! Per-process and per-request context, and the one way resolvers read it.

use std::sync::Arc;

use async_graphql::Context;
use infra::repo::organisation::Viewer;
use infra::{Clock, Db};

use crate::config::Config;
use crate::error::unauthenticated;
use crate::loader::Loaders;
use crate::rate_limit::Limiter;
use crate::throttle::LoginThrottle;

/// What every request shares: the database, the clock, the configuration
/// and the in-memory limiters.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: Db,
    /// Where `now` comes from.
    pub clock: Arc<dyn Clock>,
    /// The schema, built once.
    pub schema: crate::OstinatoSchema,
    /// Limits and exposure.
    pub config: Arc<Config>,
    /// Failed-login counters.
    pub login_throttle: Arc<LoginThrottle>,
    /// Per-address request buckets, if rate limiting is on.
    pub limiter: Option<Limiter>,
    /// Where materials' files are.
    pub files: infra::files::FileStore,
    /// The key that signs download links.
    pub download_key: Arc<[u8]>,
    /// Card payments (Stripe), when a secret key is configured.
    pub payments: Option<Arc<dyn infra::payments::PaymentProvider>>,
}

impl AppState {
    /// State over `db` with the system clock and default configuration.
    pub fn new(db: Db) -> Self {
        Self::with_clock(db, Arc::new(infra::SystemClock))
    }

    /// State with a given clock (tests, demos) and default configuration.
    pub fn with_clock(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self::with_config(db, clock, Config::default())
    }

    /// State with a given clock and configuration.
    pub fn with_config(db: Db, clock: Arc<dyn Clock>, config: Config) -> Self {
        Self {
            db,
            clock,
            schema: crate::schema::build_schema_with(&config),
            login_throttle: Arc::new(LoginThrottle::new(
                config.login_per_account,
                config.login_per_address,
            )),
            limiter: config.rate_limit.map(crate::rate_limit::limiter),
            files: match &config.files_at {
                crate::config::FilesAt::Dir(dir) => infra::files::FileStore::local(dir),
                crate::config::FilesAt::Url(url) => infra::files::FileStore::from_url(url),
            }
            .expect("BUG: Config::from_lookup checks the file store location"),
            download_key: match &config.download_key {
                Some(key) => Arc::from(key.as_bytes()),
                // Two v4 UUIDs: 244 random bits from the OS.
                None => Arc::from(
                    [
                        uuid::Uuid::new_v4().into_bytes(),
                        uuid::Uuid::new_v4().into_bytes(),
                    ]
                    .concat()
                    .as_slice(),
                ),
            },
            payments: config.stripe_secret_key.as_deref().map(|key| {
                let base = config
                    .stripe_api_base
                    .as_deref()
                    .unwrap_or("https://api.stripe.com");
                let client = infra::payments::StripeClient::new(base, key)
                    .expect("BUG: a reqwest client with rustls always builds");
                Arc::new(client) as Arc<dyn infra::payments::PaymentProvider>
            }),
            config: Arc::new(config),
        }
    }
}

/// The client's address, when the server knows it (attached per request).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

/// Who the request runs as, decided once in the HTTP handler.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No `Authorization` header.
    Missing,
    /// A token that is unknown, expired or revoked.
    Invalid,
    /// A valid token.
    Viewer(Viewer),
}

/// The process state. Attached to every request by the handler; absence is a bug.
pub fn app<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data::<AppState>()
        .expect("BUG: AppState is attached to every request")
}

/// The authenticated viewer, or an `UNAUTHENTICATED` error.
pub fn viewer<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Viewer> {
    match ctx
        .data::<Auth>()
        .expect("BUG: Auth is attached to every request")
    {
        Auth::Viewer(v) => Ok(v),
        Auth::Missing => Err(unauthenticated(
            "this operation needs a login: send `Authorization: Bearer <token>` (from signUp or login)",
        )),
        Auth::Invalid => Err(unauthenticated(
            "the bearer token is invalid, expired or revoked; log in again",
        )),
    }
}

/// The request's dataloaders, scoped to the viewer's school.
pub fn loaders<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Loaders> {
    viewer(ctx)?;
    Ok(ctx
        .data::<Loaders>()
        .expect("BUG: loaders are attached for every viewer"))
}
