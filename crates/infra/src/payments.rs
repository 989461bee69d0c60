//! The payment provider: a `PaymentProvider` trait (PaymentIntents and
//! refunds) and the Stripe client
//! behind it (a small typed client over `reqwest`: form-encoded requests,
//! Stripe's own `Idempotency-Key`, JSON answers read with `serde_json`).
//!
//! Called outside any database transaction: a network round trip never
//! holds a row lock. The idempotency key makes a retried call return the
//! same PaymentIntent, and the payment row is unique per intent.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::billing::Intent;

/// What to ask the provider for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentRequest {
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO-4217 code, lower case as Stripe expects.
    pub currency: String,
    /// Our invoice id, kept in the intent's metadata.
    pub invoice_id: uuid::Uuid,
    /// Sent as `Idempotency-Key`: the same key gets the same intent.
    pub idempotency_key: String,
}

/// Why the provider could not create an intent.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The request did not complete.
    #[error("the payment provider could not be reached: {0}")]
    Unreachable(#[from] reqwest::Error),
    /// The provider answered with an error.
    #[error("the payment provider refused the request ({status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Its error message.
        message: String,
    },
    /// The answer was not what Stripe sends.
    #[error("the payment provider answered in an unexpected shape: {0}")]
    Shape(String),
}

/// A refund to ask the provider for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The PaymentIntent whose charge is refunded.
    pub payment_intent: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Sent as `Idempotency-Key`: the same key gets the same refund.
    pub idempotency_key: String,
}

/// The future a provider returns (boxed: the provider is a trait object).
pub type IntentFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Intent, ProviderError>> + Send + 'a>>;

/// The future of a refund: the provider's refund id (`re_…`).
pub type RefundFuture<'a> =
    Pin<Box<dyn Future<Output = Result<String, ProviderError>> + Send + 'a>>;

/// Creates card payments and refunds them. Stripe in production, a fake
/// on loopback in tests (the same client, pointed elsewhere).
pub trait PaymentProvider: Send + Sync {
    /// Creates a PaymentIntent.
    fn create_intent(&self, request: IntentRequest) -> IntentFuture<'_>;
    /// Refunds part or all of a PaymentIntent's charge.
    fn refund(&self, request: RefundRequest) -> RefundFuture<'_>;
}

/// Stripe's API over HTTPS.
#[derive(Debug, Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base: String,
    secret_key: String,
}

impl StripeClient {
    /// A client for `base` (e.g. `https://api.stripe.com`) with a secret key.
    pub fn new(base: &str, secret_key: &str) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }
}

impl StripeClient {
    /// POSTs a form to Stripe with an `Idempotency-Key`; the JSON answer,
    /// or Stripe's error.
    async fn post(
        &self,
        path: &str,
        key: &str,
        form: &[(&str, String)],
    ) -> Result<serde_json::Value, ProviderError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", key)
            .form(form)
            .send()
            .await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        let json: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| ProviderError::Shape(e.to_string()))?;
        if !(200..300).contains(&status) {
            let message = json["error"]["message"]
                .as_str()
                .unwrap_or("no message")
                .to_owned();
            return Err(ProviderError::Refused { status, message });
        }
        Ok(json)
    }
}

impl PaymentProvider for StripeClient {
    fn create_intent(&self, request: IntentRequest) -> IntentFuture<'_> {
        Box::pin(async move {
            let form = [
                ("amount", request.amount_minor.to_string()),
                ("currency", request.currency.to_lowercase()),
                ("metadata[invoice_id]", request.invoice_id.to_string()),
                ("automatic_payment_methods[enabled]", "true".to_owned()),
            ];
            let json = self
                .post("/v1/payment_intents", &request.idempotency_key, &form)
                .await?;
            match (json["id"].as_str(), json["client_secret"].as_str()) {
                (Some(id), Some(secret)) => Ok(Intent {
                    id: id.to_owned(),
                    client_secret: secret.to_owned(),
                }),
                _ => Err(ProviderError::Shape("no id or client_secret".into())),
            }
        })
    }

    fn refund(&self, request: RefundRequest) -> RefundFuture<'_> {
        Box::pin(async move {
            let form = [
                ("payment_intent", request.payment_intent.clone()),
                ("amount", request.amount_minor.to_string()),
            ];
            let json = self
                .post("/v1/refunds", &request.idempotency_key, &form)
                .await?;
            json["id"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| ProviderError::Shape("a refund without an id".into()))
        })
    }
}
