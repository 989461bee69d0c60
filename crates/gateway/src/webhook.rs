//! `POST /webhooks/stripe`: Stripe's events, verified and applied once.
//!
//! The `Stripe-Signature` header is checked against the raw body with the
//! endpoint's signing secret (`billing::stripe::verify`, five minutes of
//! tolerance), then the event is applied by `infra::billing` in one
//! transaction that also records its id, so a replay or twenty concurrent
//! deliveries of the same event change the payment once. Stripe retries
//! anything but a 2xx: a duplicate answers 200, a bad signature 400.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use infra::billing::{EventOutcome, StripeEvent};

use crate::context::AppState;

fn answer(status: StatusCode, message: &str) -> Response {
    (
        status,
        [("content-type", "application/json")],
        serde_json::json!({ "message": message }).to_string(),
    )
        .into_response()
}

/// Receives one Stripe event.
pub async fn stripe(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = state.config.stripe_webhook_secret.as_deref() else {
        return answer(
            StatusCode::NOT_FOUND,
            "Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)",
        );
    };
    let Some(signature) = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return answer(
            StatusCode::BAD_REQUEST,
            "the Stripe-Signature header is missing",
        );
    };
    let now = state.clock.now();
    if let Err(e) = billing::stripe::verify(signature, &body, secret.as_bytes(), now) {
        return answer(StatusCode::BAD_REQUEST, &e.to_string());
    }
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return answer(StatusCode::BAD_REQUEST, "the body is not a JSON event");
    };
    let (Some(id), Some(kind)) = (json["id"].as_str(), json["type"].as_str()) else {
        return answer(StatusCode::BAD_REQUEST, "the event has no id or type");
    };
    let object = &json["data"]["object"];
    let text = |field: &str| object[field].as_str().unwrap_or_default();
    // A PaymentIntent is its own id; a refund or a dispute names its own.
    let intent = match text("object") {
        "payment_intent" => object["id"].as_str(),
        _ => object["payment_intent"].as_str(),
    }
    .map(str::to_owned);
    let change = billing::stripe::event_change(
        kind,
        billing::stripe::EventObject {
            object: text("object"),
            id: text("id"),
            status: text("status"),
            amount: object["amount"].as_i64(),
        },
    );
    let event = StripeEvent {
        id: id.to_owned(),
        kind: kind.to_owned(),
        intent,
        change,
    };
    let fail = |e: &dyn std::fmt::Debug| {
        let error_id = uuid::Uuid::new_v4();
        tracing::error!(%error_id, error = ?e, "a Stripe event could not be applied");
        // 5xx: Stripe delivers it again later.
        answer(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("not applied; error id {error_id}"),
        )
    };
    let tx = match state.db.begin_write().await {
        Ok(tx) => tx,
        Err(e) => return fail(&e),
    };
    match infra::billing::apply_stripe_event(&tx, event, now).await {
        Err(e) => fail(&e),
        // Dropped uncommitted: the event id is not stored, so Stripe's
        // next delivery tries again.
        Ok(EventOutcome::Refused(why)) => fail(&why),
        Ok(outcome) => {
            if let Err(e) = tx.commit().await {
                return fail(&e);
            }
            let said = match outcome {
                EventOutcome::Applied => "applied",
                EventOutcome::Duplicate => "already applied",
                EventOutcome::Ignored => "recorded; nothing to apply",
                EventOutcome::Refused(_) => unreachable!("answered above"),
            };
            answer(StatusCode::OK, said)
        }
    }
}
