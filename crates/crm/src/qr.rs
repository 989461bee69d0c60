//! The signed token a student's QR code carries.
//!
//! The token names the school, the student and the code's version, and
//! expires; it is signed with HMAC-SHA256 under its school's own key
//! (with a context of its own, so no other signed token can pass as one).
//! Rotating a student's code bumps the version: older printed codes
//! stop working. Pure: the key and `now` come in as arguments.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use kernel::{SchoolId, StudentId};
use sha2::Sha256;
use uuid::Uuid;

/// How long a printed code works.
pub const VALID_DAYS: i64 = 366;

const CONTEXT: &[u8] = b"ostinato-qr-v1";
const PAYLOAD: usize = 16 + 16 + 4 + 8;

/// What a code says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QrClaims {
    /// The school.
    pub school: SchoolId,
    /// The student.
    pub student: StudentId,
    /// The code's version (rotation bumps it).
    pub version: u32,
    /// When it stops working.
    pub expires: DateTime<Utc>,
}

/// Why a scanned code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// Not a code this school's server made, or altered.
    #[error("this QR code is not valid")]
    Forged,
    /// Too old.
    #[error("this QR code has expired; print the student's new code")]
    Expired,
    /// Another school's student.
    #[error("this QR code belongs to another school")]
    OtherSchool,
    /// Replaced by a newer code.
    #[error("this QR code was replaced by a newer one; print the student's new code")]
    Rotated,
}

fn mac(key: &[u8], payload: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(CONTEXT);
    m.update(payload);
    m
}

impl QrClaims {
    /// A code for a student, made at `now`.
    pub fn new(school: SchoolId, student: StudentId, version: u32, now: DateTime<Utc>) -> Self {
        Self {
            school,
            student,
            version,
            expires: now + Duration::days(VALID_DAYS),
        }
    }

    /// The signed token.
    pub fn sign(&self, key: &[u8]) -> String {
        let mut payload = Vec::with_capacity(PAYLOAD);
        payload.extend_from_slice(self.school.uuid().as_bytes());
        payload.extend_from_slice(self.student.uuid().as_bytes());
        payload.extend_from_slice(&self.version.to_be_bytes());
        payload.extend_from_slice(&self.expires.timestamp().to_be_bytes());
        let tag = mac(key, &payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Checks a scanned token for `school` at `now`, under that school's
    /// key: a code naming another school is refused as such (each school
    /// signs with its own key, so its signature could not be checked
    /// here anyway), then the signature (in constant time), then expiry.
    pub fn verify(
        key: &[u8],
        token: &str,
        school: SchoolId,
        now: DateTime<Utc>,
    ) -> Result<Self, QrError> {
        let (payload, tag) = token.trim().split_once('.').ok_or(QrError::Forged)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| QrError::Forged)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| QrError::Forged)?;
        if payload.len() != PAYLOAD {
            return Err(QrError::Forged);
        }
        let uuid = |at: usize| Uuid::from_slice(&payload[at..at + 16]).expect("16 bytes");
        if SchoolId::from_uuid(uuid(0)) != school {
            return Err(QrError::OtherSchool);
        }
        mac(key, &payload)
            .verify_slice(&tag)
            .map_err(|_| QrError::Forged)?;
        let version = u32::from_be_bytes(payload[32..36].try_into().expect("4 bytes"));
        let seconds = i64::from_be_bytes(payload[36..44].try_into().expect("8 bytes"));
        let claims = Self {
            school,
            student: StudentId::from_uuid(uuid(16)),
            version,
            expires: DateTime::from_timestamp(seconds, 0).ok_or(QrError::Forged)?,
        };
        if now >= claims.expires {
            return Err(QrError::Expired);
        }
        Ok(claims)
    }

    /// Whether the code is the student's current one.
    pub fn current(&self, version: u32) -> Result<(), QrError> {
        if self.version == version {
            Ok(())
        } else {
            Err(QrError::Rotated)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn school(n: u128) -> SchoolId {
        SchoolId::from_uuid(Uuid::from_u128(n))
    }

    fn claims() -> QrClaims {
        QrClaims::new(
            school(1),
            StudentId::from_uuid(Uuid::from_u128(2)),
            3,
            now(),
        )
    }

    #[test]
    fn a_code_is_checked_for_signature_school_expiry_and_version() {
        let token = claims().sign(b"key");
        assert_eq!(
            QrClaims::verify(b"key", &token, school(1), now()),
            Ok(claims())
        );
        assert_eq!(
            QrClaims::verify(b"other key", &token, school(1), now()),
            Err(QrError::Forged)
        );
        assert_eq!(
            QrClaims::verify(b"key", &token, school(9), now()),
            Err(QrError::OtherSchool)
        );
        let later = now() + Duration::days(VALID_DAYS);
        assert_eq!(
            QrClaims::verify(b"key", &token, school(1), later),
            Err(QrError::Expired)
        );
        assert_eq!(claims().current(3), Ok(()));
        assert_eq!(claims().current(4), Err(QrError::Rotated));
        for junk in ["", "x", "a.b", "!!.??"] {
            assert_eq!(
                QrClaims::verify(b"key", junk, school(1), now()),
                Err(QrError::Forged)
            );
        }
    }
}
