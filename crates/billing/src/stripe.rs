//! Stripe's webhook signature (`Stripe-Signature: t=…,v1=…`): HMAC-SHA256
//! of `"{t}.{payload}"` under the endpoint's signing secret, accepted only
//! within a tolerance of the timestamp, so a captured request cannot be
//! replayed later. Pure: the clock and the secret come in as arguments.
//!
//! [`event_change`] decides what an event does to a payment: a
//! PaymentIntent's progress, a refund (ours or one made in Stripe's
//! dashboard), a dispute opened or closed. Processing each event exactly
//! once is the caller's (a table keyed by event id, written in the same
//! transaction as the payment).

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How old (or how far in the future) a signed timestamp may be. Stripe's
/// own libraries use five minutes.
pub const TOLERANCE: Duration = Duration::minutes(5);

/// Why a webhook was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No usable `t=` or `v1=` in the header.
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    /// The timestamp is outside the tolerance.
    #[error("the signature's timestamp is too old or in the future")]
    Stale,
    /// No `v1` signature matches.
    #[error("no signature matches the payload")]
    Mismatch,
}

/// The signature Stripe sends for `payload` at `timestamp` (also what the
/// tests' fake Stripe signs with).
pub fn sign(secret: &[u8], timestamp: i64, payload: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    hex::encode(mac.finalize().into_bytes())
}

/// Verifies a `Stripe-Signature` header for `payload` at `now`. Any of
/// several `v1` signatures may match (Stripe sends two while a secret is
/// rolled); comparison is constant-time.
pub fn verify(
    header: &str,
    payload: &[u8],
    secret: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let (Some(t), false) = (timestamp, signatures.is_empty()) else {
        return Err(SignatureError::Malformed);
    };
    let signed_at = DateTime::from_timestamp(t, 0).ok_or(SignatureError::Malformed)?;
    if (now - signed_at).abs() > TOLERANCE {
        return Err(SignatureError::Stale);
    }
    let matches = signatures.iter().any(|sig| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac.verify_slice(sig).is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The payment status a Stripe PaymentIntent event reports, for the
/// events we act on.
pub fn event_status(kind: &str) -> Option<crate::PaymentStatus> {
    use crate::PaymentStatus as P;
    match kind {
        "payment_intent.succeeded" => Some(P::Completed),
        "payment_intent.payment_failed" => Some(P::Failed),
        "payment_intent.processing" => Some(P::Processing),
        _ => None,
    }
}

/// The parts of an event's `data.object` the payment's change depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventObject<'a> {
    /// `object` (`payment_intent`, `refund`, `dispute`).
    pub object: &'a str,
    /// Its `id`.
    pub id: &'a str,
    /// Its `status` (a refund's `succeeded`, a dispute's `won` / `lost`).
    pub status: &'a str,
    /// Its `amount`, in minor units.
    pub amount: Option<i64>,
}

/// What a Stripe event does to the payment of its PaymentIntent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventChange {
    /// The PaymentIntent moved on.
    Status(crate::PaymentStatus),
    /// Money went back at Stripe (by our API or in Stripe's dashboard):
    /// recorded once per refund id.
    Refund {
        /// `re_…`.
        id: String,
        /// Minor units.
        amount: i64,
    },
    /// The card holder disputed it: the money is held, the invoice owes it.
    DisputeOpened,
    /// The dispute ended: won, the money is back; lost, it is refunded.
    DisputeClosed {
        /// Whether the school won.
        won: bool,
        /// `dp_…` (the ledger's reference for a lost dispute).
        id: String,
    },
}

/// Decides what an event of `kind` about `object` changes, for the events
/// we act on (a refund counts once it has succeeded).
pub fn event_change(kind: &str, object: EventObject<'_>) -> Option<EventChange> {
    if let Some(status) = event_status(kind) {
        return (object.object == "payment_intent").then_some(EventChange::Status(status));
    }
    match (kind, object.object, object.status) {
        ("refund.created" | "refund.updated", "refund", "succeeded") => Some(EventChange::Refund {
            id: object.id.to_owned(),
            amount: object.amount.filter(|a| *a > 0)?,
        }),
        // An inquiry (`warning_*`) withdraws no money: nothing to book.
        ("charge.dispute.created", "dispute", s) if !s.starts_with("warning_") => {
            Some(EventChange::DisputeOpened)
        }
        ("charge.dispute.closed", "dispute", "won" | "lost") => Some(EventChange::DisputeClosed {
            won: object.status == "won",
            id: object.id.to_owned(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_772_366_400 + secs, 0).unwrap()
    }

    fn header(t: i64, secret: &[u8]) -> String {
        format!("t={t},v1={}", sign(secret, t, BODY))
    }

    #[test]
    fn the_signature_table() {
        let t = at(0).timestamp();
        // (header, now, result)
        let table = [
            (header(t, SECRET), at(0), Ok(())),
            (header(t, SECRET), at(299), Ok(())),
            (header(t, SECRET), at(-299), Ok(())),
            (header(t, SECRET), at(301), Err(SignatureError::Stale)),
            (
                header(t, b"whsec_other"),
                at(0),
                Err(SignatureError::Mismatch),
            ),
            // Rolling secrets: one of two v1 signatures matches.
            (
                format!(
                    "t={t},v1={},v1={}",
                    sign(b"old", t, BODY),
                    sign(SECRET, t, BODY)
                ),
                at(0),
                Ok(()),
            ),
            // The timestamp is signed: moving it breaks the signature.
            (
                format!("t={},v1={}", t + 1, sign(SECRET, t, BODY)),
                at(0),
                Err(SignatureError::Mismatch),
            ),
            (format!("t={t}"), at(0), Err(SignatureError::Malformed)),
            ("v1=abcd".to_owned(), at(0), Err(SignatureError::Malformed)),
            (String::new(), at(0), Err(SignatureError::Malformed)),
            (
                format!("t={t},v1=zz"),
                at(0),
                Err(SignatureError::Malformed),
            ),
        ];
        for (h, now, want) in table {
            assert_eq!(verify(&h, BODY, SECRET, now), want, "{h}");
        }
    }

    #[test]
    fn the_events_we_act_on() {
        use crate::PaymentStatus as P;
        let o = |object, id, status, amount| EventObject {
            object,
            id,
            status,
            amount,
        };
        let refund = |id: &str, amount| EventChange::Refund {
            id: id.into(),
            amount,
        };
        let table = [
            (
                "payment_intent.succeeded",
                o("payment_intent", "pi_1", "succeeded", Some(900)),
                Some(EventChange::Status(P::Completed)),
            ),
            (
                "payment_intent.succeeded",
                o("charge", "ch_1", "", None),
                None,
            ),
            (
                "refund.created",
                o("refund", "re_1", "succeeded", Some(300)),
                Some(refund("re_1", 300)),
            ),
            (
                "refund.created",
                o("refund", "re_1", "pending", Some(300)),
                None,
            ),
            (
                "refund.updated",
                o("refund", "re_1", "succeeded", Some(300)),
                Some(refund("re_1", 300)),
            ),
            (
                "refund.updated",
                o("refund", "re_1", "failed", Some(300)),
                None,
            ),
            (
                "refund.created",
                o("refund", "re_1", "succeeded", Some(0)),
                None,
            ),
            (
                "charge.dispute.created",
                o("dispute", "dp_1", "needs_response", Some(900)),
                Some(EventChange::DisputeOpened),
            ),
            (
                "charge.dispute.closed",
                o("dispute", "dp_1", "won", Some(900)),
                Some(EventChange::DisputeClosed {
                    won: true,
                    id: "dp_1".into(),
                }),
            ),
            (
                "charge.dispute.closed",
                o("dispute", "dp_1", "lost", Some(900)),
                Some(EventChange::DisputeClosed {
                    won: false,
                    id: "dp_1".into(),
                }),
            ),
            (
                "charge.dispute.created",
                o("dispute", "dp_2", "warning_needs_response", Some(900)),
                None,
            ),
            (
                "charge.dispute.closed",
                o("dispute", "dp_2", "warning_closed", Some(900)),
                None,
            ),
            ("customer.created", o("customer", "cus_1", "", None), None),
        ];
        for (kind, object, want) in table {
            assert_eq!(event_change(kind, object), want, "{kind} {object:?}");
        }
    }

    #[test]
    fn a_changed_payload_fails() {
        let t = at(0).timestamp();
        assert_eq!(
            verify(&header(t, SECRET), b"{}", SECRET, at(0)),
            Err(SignatureError::Mismatch)
        );
    }
}
