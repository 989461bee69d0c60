//! Stripe's webhook signature (`Stripe-Signature: t=…,v1=…`): HMAC-SHA256
//! of `"{t}.{payload}"` under the endpoint's signing secret, accepted only
//! within a tolerance of the timestamp, so a captured request cannot be
//! replayed later. Pure: the clock and the secret come in as arguments.
//!
//! Which events are processed, and exactly once, is the caller's (a table
//! keyed by event id, written in the same transaction as the payment).

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
    fn a_changed_payload_fails() {
        let t = at(0).timestamp();
        assert_eq!(
            verify(&header(t, SECRET), b"{}", SECRET, at(0)),
            Err(SignatureError::Mismatch)
        );
    }
}
