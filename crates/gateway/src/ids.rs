//! Relay global ids: `base64url("Type:uuid")`.
//!
//! A global id says which type it names, so a `Room` id passed where a
//! `Teacher` id is expected is refused before any query. It does not say
//! which school: every lookup is still filtered by the viewer's school, so
//! an id cannot be forged into another tenant's row. Encoding lives only here.

use async_graphql::ID;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// Types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A school.
    School,
    /// A user.
    User,
    /// A location.
    Location,
    /// A room.
    Room,
    /// A teacher.
    Teacher,
    /// A student.
    Student,
    /// An offering.
    Offering,
    /// A class series.
    ClassSeries,
    /// A session.
    Session,
    /// A family group.
    Family,
    /// A booking.
    Booking,
    /// A waitlist entry.
    WaitlistEntry,
    /// A registration.
    Registration,
    /// A recurring 1-on-1 booking series.
    BookingSeries,
    /// A teaching role.
    TeachingRole,
    /// A student's standing place in a series.
    Enrolment,
    /// A pool of equipment.
    Equipment,
    /// A learning material.
    Material,
    /// A lead (a family's first contact).
    Lead,
    /// A programme students subscribe to.
    Programme,
    /// A student's subscription to a programme.
    StudentSubscription,
    /// An exam request.
    ExamRequest,
    /// An invoice.
    Invoice,
    /// A payment.
    Payment,
    /// A make-up credit.
    MakeupCredit,
    /// A teacher's payout.
    Payout,
    /// An installment of a subscription.
    Installment,
}

impl Kind {
    const ALL: [Kind; 27] = [
        Kind::School,
        Kind::User,
        Kind::Location,
        Kind::Room,
        Kind::Teacher,
        Kind::Student,
        Kind::Offering,
        Kind::ClassSeries,
        Kind::Session,
        Kind::Family,
        Kind::Booking,
        Kind::WaitlistEntry,
        Kind::Registration,
        Kind::BookingSeries,
        Kind::TeachingRole,
        Kind::Enrolment,
        Kind::Equipment,
        Kind::Material,
        Kind::Lead,
        Kind::Programme,
        Kind::StudentSubscription,
        Kind::ExamRequest,
        Kind::Invoice,
        Kind::Payment,
        Kind::MakeupCredit,
        Kind::Payout,
        Kind::Installment,
    ];

    /// The GraphQL type name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::School => "School",
            Kind::User => "User",
            Kind::Location => "Location",
            Kind::Room => "Room",
            Kind::Teacher => "Teacher",
            Kind::Student => "Student",
            Kind::Offering => "Offering",
            Kind::ClassSeries => "ClassSeries",
            Kind::Session => "Session",
            Kind::Family => "Family",
            Kind::Booking => "Booking",
            Kind::WaitlistEntry => "WaitlistEntry",
            Kind::Registration => "Registration",
            Kind::BookingSeries => "BookingSeries",
            Kind::TeachingRole => "TeachingRole",
            Kind::Enrolment => "Enrolment",
            Kind::Equipment => "Equipment",
            Kind::Material => "Material",
            Kind::Lead => "Lead",
            Kind::Programme => "Programme",
            Kind::StudentSubscription => "StudentSubscription",
            Kind::ExamRequest => "ExamRequest",
            Kind::Invoice => "Invoice",
            Kind::Payment => "Payment",
            Kind::MakeupCredit => "MakeupCredit",
            Kind::Payout => "Payout",
            Kind::Installment => "Installment",
        }
    }
}

/// Encodes a global id.
pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Decodes any global id into its kind and UUID.
pub fn decode_any(id: &ID) -> Option<(Kind, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, raw) = text.split_once(':')?;
    let kind = Kind::ALL.into_iter().find(|k| k.name() == name)?;
    Some((kind, Uuid::parse_str(raw).ok()?))
}

/// Decodes a global id that must be of `kind`.
pub fn decode(kind: Kind, id: &ID) -> Option<Uuid> {
    decode_any(id).and_then(|(k, uuid)| (k == kind).then_some(uuid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_type() {
        let uuid = Uuid::now_v7();
        let id = encode(Kind::Room, uuid);
        assert_eq!(decode(Kind::Room, &id), Some(uuid));
        assert_eq!(decode(Kind::Teacher, &id), None);
        assert_eq!(decode(Kind::Room, &ID("garbage!".into())), None);
    }
}
