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
        }
    }
}

impl Config {
    /// Reads `OSTINATO_INTROSPECTION`, `OSTINATO_GRAPHIQL` (`true`/`false`),
    /// `OSTINATO_RATE_LIMIT_PER_SECOND` and `OSTINATO_RATE_LIMIT_BURST`
    /// (`0` per second disables the limit) over the defaults.
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
    fn bad_values_say_what_to_write() {
        let e = Config::from_lookup(env(&[("OSTINATO_GRAPHIQL", "maybe")])).unwrap_err();
        assert!(e.contains("true or false"), "{e}");
        let e = Config::from_lookup(env(&[("OSTINATO_RATE_LIMIT_BURST", "-1")])).unwrap_err();
        assert!(e.contains("whole number"), "{e}");
    }
}
