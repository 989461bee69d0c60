//! Per-client request limit on `/graphql`: a token bucket per client
//! address (`governor`), as axum middleware. Over the limit a client gets
//! 429 with `Retry-After` and a GraphQL-shaped error body.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::RateLimit;

/// Addresses remembered before idle buckets are dropped.
const RETAIN_ABOVE: usize = 10_000;

/// The shared limiter.
pub type Limiter = Arc<DefaultKeyedRateLimiter<IpAddr>>;

/// A limiter for `limit`.
pub fn limiter(limit: RateLimit) -> Limiter {
    let per_second = NonZeroU32::new(limit.per_second.max(1)).expect("at least 1");
    let burst = NonZeroU32::new(limit.burst.max(1)).expect("at least 1");
    Arc::new(RateLimiter::keyed(
        Quota::per_second(per_second).allow_burst(burst),
    ))
}

/// The middleware: refuses a request when its address's bucket is empty.
pub async fn enforce(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let Some(ConnectInfo(addr)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        // Served without peer addresses (an embedding, not `serve`).
        return next.run(request).await;
    };
    if limiter.len() > RETAIN_ABOVE {
        limiter.retain_recent();
    }
    match limiter.check_key(&addr.ip()) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(limiter.clock().now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let body = serde_json::json!({
                "errors": [{
                    "message": format!(
                        "too many requests from your address; retry in {seconds} s"
                    ),
                    "extensions": { "code": "RATE_LIMITED", "retryAfterSeconds": seconds }
                }]
            });
            (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (header::RETRY_AFTER, seconds.to_string()),
                ],
                body.to_string(),
            )
                .into_response()
        }
    }
}
