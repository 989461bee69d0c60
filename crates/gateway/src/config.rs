//! Runtime configuration: the API's limits and what it exposes, from
//! environment variables (README "Configuration").

use chrono::Duration;
use kernel::throttle::Limit;

/// Requests per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: u32,
    /// Requests allowed in a burst above the sustained rate.
    pub burst: u32,
}

/// Where learning materials' files are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesAt {
    /// A local directory (created on first upload).
    Dir(std::path::PathBuf),
    /// An object store URL (`s3://bucket/prefix`, `file:///srv/files`).
    Url(String),
}

/// The largest upload accepted by default (25 MiB).
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = resources::material::DEFAULT_MAX_FILE_BYTES;

/// What the server exposes and how much it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Whether `__schema`/`__type` queries are answered (GraphiQL needs it).
    pub introspection: bool,
    /// Whether GraphiQL is served at `/`.
    pub graphiql: bool,
    /// Per-address request limit on `/graphql`; `None` disables it.
    pub rate_limit: Option<RateLimit>,
    /// Failed logins allowed per account.
    pub login_per_account: Limit,
    /// Failed logins allowed per client address.
    pub login_per_address: Limit,
    /// Where materials' files go.
    pub files_at: FilesAt,
    /// Largest material file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Key signing download links; random per process when unset (links
    /// then work only on the instance that made them).
    pub download_key: Option<String>,
    /// Stripe's API base (`https://api.stripe.com` when a key is set).
    pub stripe_api_base: Option<String>,
    /// Stripe secret key; card payments are off without it.
    pub stripe_secret_key: Option<String>,
    /// The webhook endpoint's signing secret; `/webhooks/stripe` answers
    /// 404 without it.
    pub stripe_webhook_secret: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            introspection: true,
            graphiql: true,
            rate_limit: Some(RateLimit {
                per_second: 20,
                burst: 100,
            }),
            login_per_account: Limit {
                max_failures: 5,
                window: Duration::minutes(15),
            },
            login_per_address: Limit {
                max_failures: 20,
                window: Duration::minutes(15),
            },
            files_at: FilesAt::Dir("ostinato-files".into()),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            download_key: None,
            stripe_api_base: None,
            stripe_secret_key: None,
            stripe_webhook_secret: None,
        }
    }
}

impl Config {
    /// Reads `OSTINATO_INTROSPECTION`, `OSTINATO_GRAPHIQL` (`true`/`false`),
    /// `OSTINATO_RATE_LIMIT_PER_SECOND` and `OSTINATO_RATE_LIMIT_BURST`
    /// (`0` per second disables the limit), `OSTINATO_FILES_DIR` or
    /// `OSTINATO_FILES_URL` (materials' files), `OSTINATO_MAX_UPLOAD_BYTES`
    /// and `OSTINATO_DOWNLOAD_KEY` (at least 32 characters), and
    /// `STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET` and `STRIPE_API_BASE`
    /// over the defaults.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Config::from_env`] over any lookup (testable).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut config = Self::default();
        let flag = |name: &str, default: bool| -> Result<bool, String> {
            match get(name).as_deref().map(str::trim) {
                None | Some("") => Ok(default),
                Some("true" | "1" | "yes") => Ok(true),
                Some("false" | "0" | "no") => Ok(false),
                Some(other) => Err(format!("{name}={other}: use true or false")),
            }
        };
        let number = |name: &str| -> Result<Option<u32>, String> {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<u32>()
                        .map_err(|_| format!("{name}={v}: use a whole number"))
                })
                .transpose()
        };
        config.introspection = flag("OSTINATO_INTROSPECTION", config.introspection)?;
        config.graphiql = flag("OSTINATO_GRAPHIQL", config.graphiql)?;
        let default = config.rate_limit.expect("the default has a rate limit");
        let per_second = number("OSTINATO_RATE_LIMIT_PER_SECOND")?.unwrap_or(default.per_second);
        let burst = number("OSTINATO_RATE_LIMIT_BURST")?.unwrap_or(default.burst);
        config.rate_limit = (per_second > 0).then_some(RateLimit {
            per_second,
            burst: burst.max(1),
        });
        let set = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        match (set("OSTINATO_FILES_URL"), set("OSTINATO_FILES_DIR")) {
            (Some(_), Some(_)) => {
                return Err("set OSTINATO_FILES_URL or OSTINATO_FILES_DIR, not both".into());
            }
            (Some(url), None) => {
                infra::files::FileStore::from_url(&url).map_err(|e| e.to_string())?;
                config.files_at = FilesAt::Url(url);
            }
            (None, Some(dir)) => config.files_at = FilesAt::Dir(dir.into()),
            (None, None) => {}
        }
        if let Some(raw) = set("OSTINATO_MAX_UPLOAD_BYTES") {
            config.max_upload_bytes = raw
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=1 << 30).contains(n))
                .ok_or_else(|| {
                    format!("OSTINATO_MAX_UPLOAD_BYTES={raw}: use a number of bytes from 1 to 1073741824")
                })?;
        }
        if let Some(key) = set("OSTINATO_DOWNLOAD_KEY") {
            if key.len() < 32 {
                return Err("OSTINATO_DOWNLOAD_KEY must be at least 32 characters".into());
            }
            config.download_key = Some(key);
        }
        config.stripe_secret_key = set("STRIPE_SECRET_KEY");
        config.stripe_webhook_secret = set("STRIPE_WEBHOOK_SECRET");
        config.stripe_api_base = set("STRIPE_API_BASE");
        if let Some(base) = &config.stripe_api_base
            && !(base.starts_with("https://") || base.starts_with("http://"))
        {
            return Err(format!("STRIPE_API_BASE={base}: use an http(s) URL"));
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_expose_graphiql_and_limit_rates() {
        let c = Config::from_lookup(env(&[])).unwrap();
        assert_eq!(c, Config::default());
        assert!(c.introspection && c.graphiql && c.rate_limit.is_some());
    }

    #[test]
    fn production_can_hide_the_schema_and_tune_limits() {
        let c = Config::from_lookup(env(&[
            ("OSTINATO_INTROSPECTION", "false"),
            ("OSTINATO_GRAPHIQL", "0"),
            ("OSTINATO_RATE_LIMIT_PER_SECOND", "5"),
            ("OSTINATO_RATE_LIMIT_BURST", "10"),
        ]))
        .unwrap();
        assert!(!c.introspection && !c.graphiql);
        assert_eq!(
            c.rate_limit,
            Some(RateLimit {
                per_second: 5,
                burst: 10
            })
        );
        let off = Config::from_lookup(env(&[("OSTINATO_RATE_LIMIT_PER_SECOND", "0")])).unwrap();
        assert_eq!(off.rate_limit, None);
    }

    #[test]
    fn files_go_to_a_directory_or_a_store_url() {
        let c = Config::from_lookup(env(&[("OSTINATO_FILES_URL", "s3://scores/school")])).unwrap();
        assert_eq!(c.files_at, FilesAt::Url("s3://scores/school".into()));
        let c = Config::from_lookup(env(&[("OSTINATO_FILES_DIR", "/srv/files")])).unwrap();
        assert_eq!(c.files_at, FilesAt::Dir("/srv/files".into()));
        assert!(Config::from_lookup(env(&[("OSTINATO_FILES_URL", "ftp://x/y")])).is_err());
        assert!(Config::from_lookup(env(&[("OSTINATO_MAX_UPLOAD_BYTES", "0")])).is_err());
        assert!(Config::from_lookup(env(&[("OSTINATO_DOWNLOAD_KEY", "short")])).is_err());
    }

    #[test]
    fn bad_values_say_what_to_write() {
        let e = Config::from_lookup(env(&[("OSTINATO_GRAPHIQL", "maybe")])).unwrap_err();
        assert!(e.contains("true or false"), "{e}");
        let e = Config::from_lookup(env(&[("OSTINATO_RATE_LIMIT_BURST", "-1")])).unwrap_err();
        assert!(e.contains("whole number"), "{e}");
    }
}
