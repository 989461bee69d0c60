//! Signed, short-lived download links for learning materials:
//! `GET /files/{token}`.
//!
//! A token carries the material, its school, the student the download
//! counts for (if any), whether the holder may see it outside its release
//! window (staff and teachers), and an expiry, signed with HMAC-SHA256
//! under the server's download key. Nothing is stored: a link is checked by
//! its signature and its expiry, and the material's release window is
//! checked again when it is used.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use kernel::{SchoolId, StudentId};
use sha2::Sha256;
use uuid::Uuid;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// How long a link works.
pub const LINK_LIFETIME_MINUTES: i64 = 10;

/// What a link grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// The material.
    pub material: Uuid,
    /// Its school.
    pub school: SchoolId,
    /// The student the download counts for.
    pub student: Option<StudentId>,
    /// Staff or teacher: served even outside the release window.
    pub staff: bool,
    /// When the link stops working.
    pub expires: DateTime<Utc>,
}

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketError {
    /// Not a link this server made (or altered).
    Invalid,
    /// Made here, but too old.
    Expired,
}

const PAYLOAD: usize = 16 + 16 + 16 + 8 + 1;

fn mac(key: &[u8], payload: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(payload);
    m
}

impl Ticket {
    /// A ticket for a link made at `now`.
    pub fn new(
        material: Uuid,
        school: SchoolId,
        student: Option<StudentId>,
        staff: bool,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            material,
            school,
            student,
            staff,
            expires: now + Duration::minutes(LINK_LIFETIME_MINUTES),
        }
    }

    /// The signed token.
    pub fn sign(&self, key: &[u8]) -> String {
        let mut payload = Vec::with_capacity(PAYLOAD);
        payload.extend_from_slice(self.material.as_bytes());
        payload.extend_from_slice(self.school.uuid().as_bytes());
        payload.extend_from_slice(self.student.map_or(Uuid::nil(), |s| s.uuid()).as_bytes());
        payload.extend_from_slice(&self.expires.timestamp().to_be_bytes());
        payload.push(u8::from(self.staff));
        let tag = mac(key, &payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Checks a token's signature (in constant time) and expiry.
    pub fn verify(key: &[u8], token: &str, now: DateTime<Utc>) -> Result<Self, TicketError> {
        let (payload, tag) = token.split_once('.').ok_or(TicketError::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TicketError::Invalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| TicketError::Invalid)?;
        mac(key, &payload)
            .verify_slice(&tag)
            .map_err(|_| TicketError::Invalid)?;
        if payload.len() != PAYLOAD {
            return Err(TicketError::Invalid);
        }
        let uuid = |at: usize| Uuid::from_slice(&payload[at..at + 16]).expect("16 bytes");
        let seconds = i64::from_be_bytes(payload[48..56].try_into().expect("8 bytes"));
        let expires = DateTime::from_timestamp(seconds, 0).ok_or(TicketError::Invalid)?;
        if now >= expires {
            return Err(TicketError::Expired);
        }
        let student = uuid(32);
        Ok(Self {
            material: uuid(0),
            school: SchoolId::from_uuid(uuid(16)),
            student: (!student.is_nil()).then(|| StudentId::from_uuid(student)),
            staff: payload[56] == 1,
            expires,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn ticket() -> Ticket {
        Ticket::new(
            Uuid::from_u128(1),
            SchoolId::from_uuid(Uuid::from_u128(2)),
            Some(StudentId::from_uuid(Uuid::from_u128(3))),
            false,
            now(),
        )
    }

    #[test]
    fn a_link_works_until_it_expires() {
        let token = ticket().sign(b"key-one");
        assert_eq!(Ticket::verify(b"key-one", &token, now()), Ok(ticket()));
        let later = now() + Duration::minutes(LINK_LIFETIME_MINUTES);
        assert_eq!(
            Ticket::verify(b"key-one", &token, later),
            Err(TicketError::Expired)
        );
    }

    #[test]
    fn forged_or_altered_links_are_refused() {
        let token = ticket().sign(b"key-one");
        assert_eq!(
            Ticket::verify(b"key-two", &token, now()),
            Err(TicketError::Invalid)
        );
        let staff = Ticket {
            staff: true,
            ..ticket()
        }
        .sign(b"key-one");
        let (payload, _) = staff.split_once('.').unwrap();
        let (_, tag) = token.split_once('.').unwrap();
        assert_eq!(
            Ticket::verify(b"key-one", &format!("{payload}.{tag}"), now()),
            Err(TicketError::Invalid)
        );
        for junk in ["", ".", "abc", "a.b.c", "!!!.???"] {
            assert_eq!(
                Ticket::verify(b"key-one", junk, now()),
                Err(TicketError::Invalid)
            );
        }
    }
}
