//! Profiles over GraphQL: the school's branding, and `update*` mutations
//! for locations, teachers, students (consents: a parent or the office,
//! each change recorded), families' billing details and offerings. What a
//! role may not see is null for it: a teacher's pay for other teachers,
//! a student's consent history for their teachers.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use crm::profile::{
    Consent, ConsentGiver, ProfileForm, SkillLevel as DomainSkillLevel, StudentProfile,
};
use infra::entity::{consent_change, family, location, offering, student, teacher};
use kernel::policy::{Action, Role};
use kernel::{StudentId, TeacherId, UserId};

use crate::context::app;
use crate::error::{Code, FieldError, UserError, forbidden, internal};
use crate::ids::Kind;
use crate::scalars::DateTime;
use crate::schema::{
    Done, Family, Location, Offering, School, Student, Teacher, allow, authorize, find_in_school,
    mutation, payloads, refused,
};

/// How far a student has come.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SkillLevel {
    /// Just started.
    Beginner,
    /// Knows the basics.
    Elementary,
    /// Plays with ease.
    Intermediate,
    /// Plays well.
    Advanced,
    /// Plays for a living.
    Professional,
}

impl From<DomainSkillLevel> for SkillLevel {
    fn from(l: DomainSkillLevel) -> Self {
        match l {
            DomainSkillLevel::Beginner => Self::Beginner,
            DomainSkillLevel::Elementary => Self::Elementary,
            DomainSkillLevel::Intermediate => Self::Intermediate,
            DomainSkillLevel::Advanced => Self::Advanced,
            DomainSkillLevel::Professional => Self::Professional,
        }
    }
}

impl From<SkillLevel> for DomainSkillLevel {
    fn from(l: SkillLevel) -> Self {
        match l {
            SkillLevel::Beginner => Self::Beginner,
            SkillLevel::Elementary => Self::Elementary,
            SkillLevel::Intermediate => Self::Intermediate,
            SkillLevel::Advanced => Self::Advanced,
            SkillLevel::Professional => Self::Professional,
        }
    }
}

/// A student's stored level.
pub(crate) fn skill_level(s: &student::Model) -> Result<Option<SkillLevel>> {
    s.skill_level
        .as_deref()
        .map(|v| infra::stored("students", v, DomainSkillLevel::parse).map(Into::into))
        .transpose()
        .map_err(internal)
}

/// Who to call in an emergency.
#[derive(SimpleObject)]
pub struct EmergencyContact {
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// How they are related.
    pub relation: Option<String>,
}

/// A student's emergency contact, if any part is set.
pub(crate) fn emergency(s: &student::Model) -> Option<EmergencyContact> {
    (s.emergency_name.is_some() || s.emergency_phone.is_some()).then(|| EmergencyContact {
        name: s.emergency_name.clone(),
        phone: s.emergency_phone.clone(),
        relation: s.emergency_relation.clone(),
    })
}

/// A consent, as changed.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConsentKind {
    /// A parent agrees to the student taking part.
    Parental,
    /// Photos and videos may be posted.
    SocialMedia,
}

/// One change of a consent.
pub struct ConsentRecord(consent_change::Model);

#[Object]
impl ConsentRecord {
    /// Which consent.
    async fn consent(&self) -> Result<ConsentKind> {
        match infra::stored("consent_changes", &self.0.consent, Consent::parse) {
            Ok(Consent::Parental) => Ok(ConsentKind::Parental),
            Ok(Consent::SocialMedia) => Ok(ConsentKind::SocialMedia),
            Err(e) => Err(internal(e)),
        }
    }
    /// Its value before.
    async fn from(&self) -> bool {
        self.0.from_value
    }
    /// Its value after.
    async fn to(&self) -> bool {
        self.0.to_value
    }
    /// Who changed it (a user id).
    async fn changed_by(&self) -> ID {
        crate::ids::encode(Kind::User, self.0.changed_by)
    }
    /// When.
    async fn changed_at(&self) -> DateTime {
        DateTime(self.0.changed_at)
    }
}

/// A student's consent history, for the office and the family.
pub(crate) async fn consent_history(
    ctx: &Context<'_>,
    s: &student::Model,
) -> Result<Option<Vec<ConsentRecord>>> {
    let viewer = crate::context::viewer(ctx)?;
    if kernel::policy::authorize(viewer, Action::ReadPrivate(StudentId::from_uuid(s.id))).is_err() {
        return Ok(None);
    }
    Ok(Some(
        infra::profiles::consent_history(app(ctx).db.conn(), viewer.school, s.id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(ConsentRecord)
            .collect(),
    ))
}

/// Whether the viewer is the office or this teacher (pay and payout
/// details are for them only).
pub(crate) fn own_or_office(ctx: &Context<'_>, teacher: uuid::Uuid) -> Result<bool> {
    let viewer = crate::context::viewer(ctx)?;
    Ok(viewer.is_staff() || viewer.teacher == Some(TeacherId::from_uuid(teacher)))
}

/// Input of `updateSchool`: branding and contact (blank clears a field).
#[derive(InputObject)]
pub struct UpdateSchoolInput {
    /// A new name.
    pub name: Option<String>,
    /// Logo (an https URL).
    pub logo_url: Option<String>,
    /// Brand colour, `#rrggbb`.
    pub brand_color: Option<String>,
    /// Host name families reach the school at.
    pub custom_domain: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Website.
    pub website: Option<String>,
}

/// Result of `updateSchool`.
#[derive(SimpleObject, Default)]
pub struct UpdateSchoolPayload {
    /// The school.
    pub school: Option<School>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateLocation` (omitted fields are kept, blank ones cleared).
#[derive(InputObject)]
pub struct UpdateLocationInput {
    /// The location.
    pub location_id: ID,
    /// Name.
    pub name: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// Input of `updateRoom` (omitted fields are kept).
#[derive(InputObject)]
pub struct UpdateRoomInput {
    /// The room.
    pub room_id: ID,
    /// Name.
    pub name: Option<String>,
    /// How many people fit (1 to 10,000).
    pub capacity: Option<i32>,
    /// Room, booth or online.
    pub kind: Option<crate::schema::RoomKind>,
}

/// Result of `updateRoom`.
#[derive(SimpleObject, Default)]
pub struct UpdateRoomPayload {
    /// The room.
    pub room: Option<crate::schema::Room>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Result of `updateLocation`.
#[derive(SimpleObject, Default)]
pub struct UpdateLocationPayload {
    /// The location.
    pub location: Option<Location>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// How a teacher's pay rate counts.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
// PER_SESSION, PER_HOUR, PER_STUDENT are the names schools use.
#[allow(clippy::enum_variant_names)]
pub enum PayBasis {
    /// Per session taught.
    PerSession,
    /// Per hour taught.
    PerHour,
    /// Per student taught.
    PerStudent,
}

impl PayBasis {
    fn as_str(self) -> &'static str {
        match self {
            Self::PerSession => "PER_SESSION",
            Self::PerHour => "PER_HOUR",
            Self::PerStudent => "PER_STUDENT",
        }
    }
}

/// Input of `updateTeacherProfile` (omitted fields are kept).
#[derive(InputObject)]
pub struct UpdateTeacherProfileInput {
    /// The teacher.
    pub teacher_id: ID,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Bio (the teacher or the office; blank clears).
    pub bio: Option<String>,
    /// Specialties (the teacher or the office).
    pub specialties: Option<Vec<String>>,
    /// Pay rate in minor units (the office only), with `payBasis`.
    pub pay_rate_minor: Option<i64>,
    /// What the pay rate is per (the office only).
    pub pay_basis: Option<PayBasis>,
    /// Stripe Connect account id (the office only; blank clears).
    pub stripe_connect_id: Option<String>,
}

/// Result of `updateTeacherProfile`.
#[derive(SimpleObject, Default)]
pub struct UpdateTeacherProfilePayload {
    /// The teacher.
    pub teacher: Option<Teacher>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateStudentProfile` (omitted fields are kept, blank ones
/// cleared).
#[derive(InputObject)]
pub struct UpdateStudentProfileInput {
    /// The student.
    pub student_id: ID,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<crate::scalars::LocalDate>,
    /// Instruments, the main one first.
    pub instruments: Option<Vec<String>>,
    /// Level.
    pub skill_level: Option<SkillLevel>,
    /// The guardian's name.
    pub guardian_name: Option<String>,
    /// The guardian's phone.
    pub guardian_phone: Option<String>,
    /// The guardian's email.
    pub guardian_email: Option<String>,
    /// The emergency contact's name.
    pub emergency_name: Option<String>,
    /// The emergency contact's phone.
    pub emergency_phone: Option<String>,
    /// How the emergency contact is related.
    pub emergency_relation: Option<String>,
    /// Parental consent (a parent or the office only).
    pub parental_consent: Option<bool>,
    /// Social-media consent (a parent or the office only).
    pub social_media_consent: Option<bool>,
}

/// Result of `updateStudentProfile`.
#[derive(SimpleObject, Default)]
pub struct UpdateStudentProfilePayload {
    /// The student.
    pub student: Option<Student>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateFamilyBilling`.
#[derive(InputObject)]
pub struct UpdateFamilyBillingInput {
    /// The family.
    pub family_id: ID,
    /// Where invoices go (blank clears).
    pub billing_email: Option<String>,
    /// The billing address (blank clears).
    pub billing_address: Option<String>,
}

/// Result of `updateFamilyBilling`.
#[derive(SimpleObject, Default)]
pub struct UpdateFamilyBillingPayload {
    /// The family.
    pub family: Option<Family>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateOffering` (omitted fields are kept, blank ones cleared).
#[derive(InputObject)]
pub struct UpdateOfferingInput {
    /// The offering.
    pub offering_id: ID,
    /// Title.
    pub title: Option<String>,
    /// What it is about.
    pub description: Option<String>,
    /// The subject.
    pub subject: Option<String>,
    /// Default lesson length for new series and sessions.
    pub default_duration_minutes: Option<i32>,
    /// Default seats for new series and sessions.
    pub default_capacity: Option<i32>,
    /// Price per seat for new bookings, in minor units (existing bookings
    /// keep the price they were booked at).
    pub price_minor: Option<i32>,
    /// Price of the whole course per seat (prorated for a late join).
    pub course_price_minor: Option<i32>,
    /// Price of one drop-in session per seat.
    pub drop_in_price_minor: Option<i32>,
}

/// Result of `updateOffering`.
#[derive(SimpleObject, Default)]
pub struct UpdateOfferingPayload {
    /// The offering.
    pub offering: Option<Offering>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(
    UpdateRoomPayload,
    UpdateSchoolPayload,
    UpdateLocationPayload,
    UpdateTeacherProfilePayload,
    UpdateStudentProfilePayload,
    UpdateFamilyBillingPayload,
    UpdateOfferingPayload
);

/// A given text field: `None` keeps, blank clears, else trimmed.
fn change(v: &Option<String>) -> Option<Option<String>> {
    v.as_ref()
        .map(|t| Some(t.trim().to_owned()).filter(|t| !t.is_empty()))
}

/// Text as kept or changed, as the domain's form reads it.
fn merged<'a>(given: &'a Option<String>, stored: &'a Option<String>) -> Option<&'a str> {
    match given {
        Some(g) => Some(g.as_str()),
        None => stored.as_deref(),
    }
}

fn checked_text(field: &'static str, v: &Option<String>) -> Result<(), FieldError> {
    match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => crate::error::required_text(field, t).map(|_| ()),
        None => Ok(()),
    }
}

/// Profile queries.
#[derive(Default)]
pub struct ProfileQuery;

#[Object]
impl ProfileQuery {
    /// The subjects the school's offerings name (piano, maths, wheel
    /// throwing), in name order: what `classBrowser(filter: {subject})`
    /// matches.
    async fn subjects(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        infra::profiles::subjects(app(ctx).db.conn(), viewer.school)
            .await
            .map_err(internal)
    }
}

/// Profile mutations.
#[derive(Default)]
pub struct ProfileMutation;

#[Object]
impl ProfileMutation {
    /// Sets the school's name, branding and contact (the office).
    async fn update_school(
        &self,
        ctx: &Context<'_>,
        input: UpdateSchoolInput,
    ) -> Result<UpdateSchoolPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let name = match &input.name {
            Some(n) => match crate::error::required_text("name", n) {
                Ok(n) => Some(n),
                Err(e) => return refused(e),
            },
            None => None,
        };
        let branding = match crm::profile::branding(
            input.logo_url.as_deref(),
            input.brand_color.as_deref(),
            input.custom_domain.as_deref(),
            input.phone.as_deref(),
            input.website.as_deref(),
        ) {
            Ok(b) => b,
            Err(e) => {
                use crm::profile::BrandingError as B;
                let field = match e {
                    B::LogoUrl => "logoUrl",
                    B::Color => "brandColor",
                    B::Domain => "customDomain",
                    B::Phone => "phone",
                    B::Website => "website",
                };
                return refused(UserError::input(field, Code::Invalid, e.to_string()));
            }
        };
        mutation(ctx, async |tx, viewer| {
            let Some(s) = infra::profiles::update_school(tx, viewer.school, name, branding)
                .await
                .map_err(internal)?
            else {
                return Err(gone("schools"));
            };
            let id = s.id;
            Ok(Done::Commit(
                UpdateSchoolPayload {
                    school: Some(School(s)),
                    user_errors: vec![],
                },
                vec![(Kind::School, id)],
            ))
        })
        .await
    }

    /// Changes a location's name, address, city, state or phone.
    async fn update_location(
        &self,
        ctx: &Context<'_>,
        input: UpdateLocationInput,
    ) -> Result<UpdateLocationPayload> {
        authorize(ctx, Action::ManageSchool)?;
        for (field, v) in [
            ("address", &input.address),
            ("city", &input.city),
            ("state", &input.state),
        ] {
            if let Err(e) = checked_text(field, v) {
                return refused(e);
            }
        }
        let name = match &input.name {
            Some(n) => match crate::error::required_text("name", n) {
                Ok(n) => Some(n),
                Err(e) => return refused(e),
            },
            None => None,
        };
        let phone = match change(&input.phone) {
            Some(Some(p)) => match crm::lead::normalize_phone(&p) {
                Some(p) => Some(Some(p)),
                None => {
                    return refused(UserError::input(
                        "phone",
                        Code::Invalid,
                        "a phone number has 6 to 20 digits",
                    ));
                }
            },
            other => other,
        };
        mutation(ctx, async |tx, viewer| {
            let Some(l) = find_in_school::<location::Entity>(
                tx,
                viewer.school,
                Kind::Location,
                &input.location_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "locationId",
                    "location",
                )));
            };
            let c = infra::profiles::LocationChange {
                name,
                address: change(&input.address),
                city: change(&input.city),
                state: change(&input.state),
                phone,
            };
            let row = infra::profiles::update_location(tx, viewer.school, l.id, c)
                .await
                .map_err(internal)?
                .ok_or_else(|| gone("locations"))?;
            let id = row.id;
            Ok(Done::Commit(
                UpdateLocationPayload {
                    location: Some(Location(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Location, id)],
            ))
        })
        .await
    }

    /// Changes a room's name, capacity or kind (validated like a new room).
    async fn update_room(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoomInput,
    ) -> Result<UpdateRoomPayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(r) = find_in_school::<infra::entity::room::Entity>(
                tx,
                viewer.school,
                Kind::Room,
                &input.room_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("roomId", "room")));
            };
            let kind = match input.kind {
                Some(k) => k.into(),
                None => {
                    infra::stored("rooms", &r.kind, resources::RoomKind::parse).map_err(internal)?
                }
            };
            let spec = match resources::RoomSpec::parse(
                input.name.as_deref().unwrap_or(&r.name),
                input.capacity.map_or(i64::from(r.capacity), i64::from),
                kind,
            ) {
                Ok(spec) => spec,
                Err(e) => return Ok(Done::refuse(FieldError::from(e))),
            };
            let row = infra::repo::places::update_room(tx, &r, spec)
                .await
                .map_err(internal)?;
            let id = row.id;
            Ok(Done::Commit(
                UpdateRoomPayload {
                    room: Some(crate::schema::Room(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Room, id)],
            ))
        })
        .await
    }

    /// Changes a teacher's profile: bio and specialties (the teacher or
    /// the office), pay rate and Stripe Connect account (the office).
    async fn update_teacher_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdateTeacherProfileInput,
    ) -> Result<UpdateTeacherProfilePayload> {
        crate::context::viewer(ctx)?;
        if let Some(list) = &input.specialties {
            for s in list {
                if let Err(e) = crate::error::required_text("specialties", s) {
                    return refused(e);
                }
            }
        }
        let name = |field, v: &Option<String>| {
            v.as_deref()
                .map(|v| crate::error::required_text(field, v))
                .transpose()
        };
        let (first_name, last_name, email) = match (
            name("firstName", &input.first_name),
            name("lastName", &input.last_name),
            input
                .email
                .as_deref()
                .map(|e| crate::error::email("email", e))
                .transpose(),
        ) {
            (Ok(f), Ok(l), Ok(e)) => (f, l, e),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return refused(e),
        };
        let pay = match (input.pay_rate_minor, input.pay_basis) {
            (None, None) => None,
            (Some(m), Some(b)) if m >= 0 => Some(Some((m, b.as_str().to_owned()))),
            (Some(_), Some(_)) => {
                return refused(UserError::input(
                    "payRateMinor",
                    Code::Invalid,
                    "the pay rate cannot be negative",
                ));
            }
            _ => {
                return refused(UserError::input(
                    "payBasis",
                    Code::Invalid,
                    "give payRateMinor and payBasis together",
                ));
            }
        };
        mutation(ctx, async |tx, viewer| {
            let Some(t) = find_in_school::<teacher::Entity>(
                tx,
                viewer.school,
                Kind::Teacher,
                &input.teacher_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("teacherId", "teacher")));
            };
            allow(viewer, Action::EditAvailability(TeacherId::from_uuid(t.id)))?;
            if (pay.is_some() || input.stripe_connect_id.is_some()) && !viewer.is_staff() {
                return Err(forbidden("only the office sets a teacher's pay"));
            }
            let c = infra::profiles::TeacherChange {
                first_name,
                last_name,
                email,
                bio: change(&input.bio),
                specialties: input
                    .specialties
                    .as_ref()
                    .map(|l| l.iter().map(|s| s.trim().to_owned()).collect()),
                pay,
                stripe_connect_id: change(&input.stripe_connect_id),
            };
            let row = infra::profiles::update_teacher(tx, viewer.school, t.id, c)
                .await
                .map_err(internal)?
                .ok_or_else(|| gone("teachers"))?;
            let id = row.id;
            Ok(Done::Commit(
                UpdateTeacherProfilePayload {
                    teacher: Some(Teacher(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Teacher, id)],
            ))
        })
        .await
    }

    /// Changes a student's profile (the office and the family). Consents
    /// change only by a parent or the office, and each change is recorded
    /// (`consentHistory`).
    async fn update_student_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdateStudentProfileInput,
    ) -> Result<UpdateStudentProfilePayload> {
        crate::context::viewer(ctx)?;
        let name = |field, v: &Option<String>| {
            v.as_deref()
                .map(|v| crate::error::required_text(field, v))
                .transpose()
        };
        let names = match (
            name("firstName", &input.first_name),
            name("lastName", &input.last_name),
        ) {
            (Ok(first_name), Ok(last_name)) => infra::profiles::StudentNames {
                first_name,
                last_name,
                date_of_birth: input.date_of_birth.map(|d| Some(d.0)),
            },
            (Err(e), _) | (_, Err(e)) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let Some(found) = find_in_school::<student::Entity>(
                tx,
                viewer.school,
                Kind::Student,
                &input.student_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("studentId", "student")));
            };
            let sid = StudentId::from_uuid(found.id);
            allow(viewer, Action::ReadPrivate(sid))?;
            let Some(s) = infra::crm::lock_student(tx, viewer.school, sid)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::refuse(FieldError::not_found("studentId", "student")));
            };
            let stored = infra::profiles::instruments(&s).map_err(internal)?;
            let instruments = input.instruments.clone().unwrap_or(stored);
            let level = match input.skill_level {
                Some(l) => Some(l.into()),
                None => skill_level(&s)?.map(Into::into),
            };
            let form = ProfileForm {
                instruments: &instruments,
                skill_level: level,
                guardian_name: merged(&input.guardian_name, &s.guardian_name),
                guardian_phone: merged(&input.guardian_phone, &s.guardian_phone),
                guardian_email: merged(&input.guardian_email, &s.guardian_email),
                emergency_name: merged(&input.emergency_name, &s.emergency_name),
                emergency_phone: merged(&input.emergency_phone, &s.emergency_phone),
                emergency_relation: merged(&input.emergency_relation, &s.emergency_relation),
            };
            let profile = match StudentProfile::parse(form) {
                Ok(p) => p,
                Err(e) => {
                    use crm::profile::ProfileError as P;
                    let field = match e {
                        P::Instrument(_) | P::TooManyInstruments => "instruments",
                        P::Phone if input.emergency_phone.is_some() => "emergencyPhone",
                        P::Phone => "guardianPhone",
                        P::Email => "guardianEmail",
                        P::Name(_) => "guardianName",
                    };
                    return Ok(Done::refuse(UserError::input(
                        field,
                        Code::Invalid,
                        e.to_string(),
                    )));
                }
            };
            let giver = if viewer.is_staff() {
                ConsentGiver::Office
            } else if viewer.has(Role::Parent) && viewer.acts_for.contains(&sid) {
                ConsentGiver::Parent
            } else {
                ConsentGiver::Other
            };
            let mut changes = Vec::new();
            for (consent, now, to) in [
                (
                    Consent::Parental,
                    s.parental_consent,
                    input.parental_consent,
                ),
                (
                    Consent::SocialMedia,
                    s.social_media_consent,
                    input.social_media_consent,
                ),
            ] {
                let Some(to) = to else { continue };
                match crm::profile::set_consent(giver, consent, now, to) {
                    Ok(Some(c)) => changes.push(c),
                    Ok(None) => {}
                    Err(e) => return Err(forbidden(&e.to_string())),
                }
            }
            let now = app(ctx).clock.now();
            let row = infra::profiles::update_student(
                tx,
                viewer.school,
                &s,
                profile,
                &changes,
                viewer.user,
                now,
            )
            .await
            .map_err(internal)?;
            let row = infra::profiles::rename_student(tx, row, names.clone())
                .await
                .map_err(internal)?;
            let id = row.id;
            Ok(Done::Commit(
                UpdateStudentProfilePayload {
                    student: Some(Student(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Student, id)],
            ))
        })
        .await
    }

    /// Sets a family's billing email and address (the office or the
    /// family's admin parent).
    async fn update_family_billing(
        &self,
        ctx: &Context<'_>,
        input: UpdateFamilyBillingInput,
    ) -> Result<UpdateFamilyBillingPayload> {
        crate::context::viewer(ctx)?;
        let billing_email = match change(&input.billing_email) {
            Some(Some(e)) => match crate::error::email("billingEmail", &e) {
                Ok(e) => Some(e),
                Err(e) => return refused(e),
            },
            _ => None,
        };
        mutation(ctx, async |tx, viewer| {
            let Some(f) =
                find_in_school::<family::Entity>(tx, viewer.school, Kind::Family, &input.family_id)
                    .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("familyId", "family")));
            };
            allow(
                viewer,
                Action::ManageFamily {
                    admin: UserId::from_uuid(f.admin_user_id),
                },
            )?;
            let email = if input.billing_email.is_some() {
                billing_email.clone()
            } else {
                f.billing_email.clone()
            };
            let address = match change(&input.billing_address) {
                Some(v) => v,
                None => f.billing_address.clone(),
            };
            let row = infra::profiles::update_family(tx, &f, email, address)
                .await
                .map_err(internal)?;
            let id = row.id;
            Ok(Done::Commit(
                UpdateFamilyBillingPayload {
                    family: Some(Family { model: row }),
                    user_errors: vec![],
                },
                vec![(Kind::Family, id)],
            ))
        })
        .await
    }

    /// Changes an offering's title, description, subject, defaults and
    /// price (validated whole, like a new offering; its kind is fixed).
    async fn update_offering(
        &self,
        ctx: &Context<'_>,
        input: UpdateOfferingInput,
    ) -> Result<UpdateOfferingPayload> {
        authorize(ctx, Action::ManageSchool)?;
        if let Err(e) = checked_text("subject", &input.subject) {
            return refused(e);
        }
        for (field, price) in [
            ("priceMinor", input.price_minor),
            ("coursePriceMinor", input.course_price_minor),
            ("dropInPriceMinor", input.drop_in_price_minor),
        ] {
            if price.is_some_and(|p| p < 0) {
                return refused(FieldError::invalid(field, "a price cannot be negative"));
            }
        }
        mutation(ctx, async |tx, viewer| {
            let Some(o) = find_in_school::<offering::Entity>(
                tx,
                viewer.school,
                Kind::Offering,
                &input.offering_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "offeringId",
                    "offering",
                )));
            };
            let description = match change(&input.description) {
                Some(v) => v,
                None => o.description.clone(),
            };
            let subject = match change(&input.subject) {
                Some(v) => v,
                None => o.subject.clone(),
            };
            // The changed offering is validated whole, like a new one.
            let kind = infra::stored("offerings", &o.kind, scheduling::OfferingKind::parse)
                .map_err(internal)?;
            let spec = match scheduling::OfferingSpec::parse(
                input.title.as_deref().unwrap_or(&o.title),
                kind,
                input
                    .default_duration_minutes
                    .map_or(i64::from(o.default_duration_minutes), i64::from),
                input
                    .default_capacity
                    .map_or(i64::from(o.default_capacity), i64::from),
            ) {
                Ok(spec) => spec,
                Err(e) => return Ok(Done::refuse(FieldError::from(e))),
            };
            let c = infra::profiles::OfferingChange {
                spec,
                description,
                subject,
                price_minor: input.price_minor.map(i64::from).or(o.price_minor),
                course_price_minor: input
                    .course_price_minor
                    .map(i64::from)
                    .or(o.course_price_minor),
                drop_in_price_minor: input
                    .drop_in_price_minor
                    .map(i64::from)
                    .or(o.drop_in_price_minor),
            };
            let row = infra::profiles::update_offering(tx, &o, c)
                .await
                .map_err(internal)?;
            let id = row.id;
            Ok(Done::Commit(
                UpdateOfferingPayload {
                    offering: Some(Offering(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Offering, id)],
            ))
        })
        .await
    }
}

/// A row found earlier in the same transaction is gone: a bug.
fn gone(table: &'static str) -> async_graphql::Error {
    internal(infra::InfraError::Corrupt {
        table,
        detail: "a row vanished inside its own transaction".into(),
    })
}
