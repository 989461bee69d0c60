//! Profiles: the school's branding, locations', teachers', students',
//! families' and offerings' details, and the log of consent changes
//! (`crm::profile` decides who may change a consent; each change is a row).

use chrono::{DateTime, Utc};
use crm::profile::{Branding, ConsentChange, StudentProfile};
use kernel::{SchoolId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::entity::{consent_change, family, location, offering, school, student, teacher};
use crate::{Result, new_id};

/// Sets a school's name (if given) and branding.
pub async fn update_school(
    tx: &impl ConnectionTrait,
    id: SchoolId,
    name: Option<String>,
    b: Branding,
) -> Result<Option<school::Model>> {
    let Some(s) = school::Entity::find_by_id(id.uuid()).one(tx).await? else {
        return Ok(None);
    };
    let mut row = s.into_active_model();
    if let Some(n) = name {
        row.name = Set(n);
    }
    row.logo_url = Set(b.logo_url);
    row.brand_color = Set(b.brand_color);
    row.custom_domain = Set(b.custom_domain);
    row.phone = Set(b.phone);
    row.website = Set(b.website);
    Ok(Some(row.update(tx).await?))
}

/// A location's details to set (`None` keeps a field).
#[derive(Debug, Clone, Default)]
pub struct LocationChange {
    /// Name.
    pub name: Option<String>,
    /// Street address.
    pub address: Option<Option<String>>,
    /// City.
    pub city: Option<Option<String>>,
    /// State or region.
    pub state: Option<Option<String>>,
    /// Phone, normalised.
    pub phone: Option<Option<String>>,
}

/// Changes a location of the school.
pub async fn update_location(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
    c: LocationChange,
) -> Result<Option<location::Model>> {
    let Some(l) = crate::repo::find::<location::Entity>(tx, school, id).await? else {
        return Ok(None);
    };
    let mut row = l.into_active_model();
    if let Some(v) = c.name {
        row.name = Set(v);
    }
    if let Some(v) = c.address {
        row.address = Set(v);
    }
    if let Some(v) = c.city {
        row.city = Set(v);
    }
    if let Some(v) = c.state {
        row.state = Set(v);
    }
    if let Some(v) = c.phone {
        row.phone = Set(v);
    }
    Ok(Some(row.update(tx).await?))
}

/// A teacher's profile to set (`None` keeps a field).
#[derive(Debug, Clone, Default)]
pub struct TeacherChange {
    /// First name, validated.
    pub first_name: Option<String>,
    /// Last name, validated.
    pub last_name: Option<String>,
    /// Contact email, validated.
    pub email: Option<String>,
    /// Bio.
    pub bio: Option<Option<String>>,
    /// Specialties, one per entry.
    pub specialties: Option<Vec<String>>,
    /// Pay rate in minor units, and its basis (office only).
    pub pay: Option<Option<(i64, String)>>,
    /// Stripe Connect account id (office only).
    pub stripe_connect_id: Option<Option<String>>,
}

/// Changes a teacher of the school.
pub async fn update_teacher(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
    c: TeacherChange,
) -> Result<Option<teacher::Model>> {
    let Some(t) = crate::repo::find::<teacher::Entity>(tx, school, id).await? else {
        return Ok(None);
    };
    let mut row = t.into_active_model();
    if let Some(v) = c.first_name {
        row.first_name = Set(v);
    }
    if let Some(v) = c.last_name {
        row.last_name = Set(v);
    }
    if let Some(v) = c.email {
        row.email = Set(v);
    }
    if let Some(v) = c.bio {
        row.bio = Set(v);
    }
    if let Some(v) = c.specialties {
        row.specialties = Set(Some(serde_json::to_string(&v).expect("strings serialize")));
    }
    if let Some(v) = c.pay {
        row.pay_rate_minor = Set(v.as_ref().map(|(m, _)| *m));
        row.pay_basis = Set(v.map(|(_, b)| b));
    }
    if let Some(v) = c.stripe_connect_id {
        row.stripe_connect_id = Set(v);
    }
    Ok(Some(row.update(tx).await?))
}

/// A student's names and date of birth to set (`None` keeps a field).
#[derive(Debug, Clone, Default)]
pub struct StudentNames {
    /// First name, validated.
    pub first_name: Option<String>,
    /// Last name, validated.
    pub last_name: Option<String>,
    /// Date of birth (`Some(None)` clears it).
    pub date_of_birth: Option<Option<chrono::NaiveDate>>,
}

/// Renames a student (or changes the date of birth); no statement when
/// nothing changes.
pub async fn rename_student(
    tx: &impl ConnectionTrait,
    s: student::Model,
    n: StudentNames,
) -> Result<student::Model> {
    if n.first_name.is_none() && n.last_name.is_none() && n.date_of_birth.is_none() {
        return Ok(s);
    }
    let mut row = s.into_active_model();
    if let Some(v) = n.first_name {
        row.first_name = Set(v);
    }
    if let Some(v) = n.last_name {
        row.last_name = Set(v);
    }
    if let Some(v) = n.date_of_birth {
        row.date_of_birth = Set(v);
    }
    Ok(row.update(tx).await?)
}

/// A teacher's specialties as stored.
pub fn specialties(t: &teacher::Model) -> Result<Vec<String>> {
    list(t.specialties.as_deref(), "teachers")
}

/// A student's instruments as stored.
pub fn instruments(s: &student::Model) -> Result<Vec<String>> {
    list(s.instruments.as_deref(), "students")
}

fn list(v: Option<&str>, table: &'static str) -> Result<Vec<String>> {
    match v {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(text).map_err(|e| crate::InfraError::Corrupt {
            table,
            detail: format!("a list that is not a JSON array of strings: {e}"),
        }),
    }
}

/// Sets a student's profile and records each consent change; the student
/// is locked first, so two editors never both read the old consent.
pub async fn update_student(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    s: &student::Model,
    profile: StudentProfile,
    consents: &[ConsentChange],
    by: UserId,
    now: DateTime<Utc>,
) -> Result<student::Model> {
    let mut row = s.clone().into_active_model();
    row.instruments = Set(Some(
        serde_json::to_string(&profile.instruments).expect("strings serialize"),
    ));
    row.skill_level = Set(profile.skill_level.map(|l| l.as_str().to_owned()));
    row.guardian_name = Set(profile.guardian_name);
    row.guardian_phone = Set(profile.guardian_phone);
    row.guardian_email = Set(profile.guardian_email);
    row.emergency_name = Set(profile.emergency_name);
    row.emergency_phone = Set(profile.emergency_phone);
    row.emergency_relation = Set(profile.emergency_relation);
    for c in consents {
        match c.consent {
            crm::profile::Consent::Parental => row.parental_consent = Set(c.to),
            crm::profile::Consent::SocialMedia => row.social_media_consent = Set(c.to),
        }
        consent_change::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            student_id: Set(s.id),
            consent: Set(c.consent.as_str().to_owned()),
            from_value: Set(c.from),
            to_value: Set(c.to),
            changed_by: Set(by.uuid()),
            changed_at: Set(now),
        }
        .insert(tx)
        .await?;
    }
    Ok(row.update(tx).await?)
}

/// A student's consent changes, newest first.
pub async fn consent_history(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    student: Uuid,
) -> Result<Vec<consent_change::Model>> {
    Ok(consent_change::Entity::find()
        .filter(consent_change::Column::SchoolId.eq(school.uuid()))
        .filter(consent_change::Column::StudentId.eq(student))
        .order_by_desc(consent_change::Column::ChangedAt)
        .order_by_desc(consent_change::Column::Id)
        .all(conn)
        .await?)
}

/// Sets a family's billing email and address.
pub async fn update_family(
    tx: &impl ConnectionTrait,
    f: &family::Model,
    billing_email: Option<String>,
    billing_address: Option<String>,
) -> Result<family::Model> {
    let mut row = f.clone().into_active_model();
    row.billing_email = Set(billing_email);
    row.billing_address = Set(billing_address);
    Ok(row.update(tx).await?)
}

/// The subjects the school's offerings in use name, in name order (what a
/// family filters the class browser by).
pub async fn subjects(conn: &impl ConnectionTrait, school: SchoolId) -> Result<Vec<String>> {
    use sea_orm::QuerySelect;
    let mut names: Vec<Option<String>> = offering::Entity::find()
        .select_only()
        .column(offering::Column::Subject)
        .distinct()
        .filter(offering::Column::SchoolId.eq(school.uuid()))
        .filter(offering::Column::Subject.is_not_null())
        .filter(offering::Column::ArchivedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    names.sort();
    Ok(names.into_iter().flatten().collect())
}

/// An offering's details to set (the whole new state).
#[derive(Debug, Clone)]
pub struct OfferingChange {
    /// Title and defaults, validated (the kind is kept).
    pub spec: scheduling::OfferingSpec,
    /// What it is about.
    pub description: Option<String>,
    /// The subject.
    pub subject: Option<String>,
    /// Price per seat for new bookings, in minor units.
    pub price_minor: Option<i64>,
    /// Price of the whole course per seat (prorated for late joins).
    pub course_price_minor: Option<i64>,
    /// Price of one drop-in session per seat.
    pub drop_in_price_minor: Option<i64>,
}

/// Sets an offering's title, defaults, price, description and subject.
pub async fn update_offering(
    tx: &impl ConnectionTrait,
    o: &offering::Model,
    c: OfferingChange,
) -> Result<offering::Model> {
    let mut row = o.clone().into_active_model();
    row.title = Set(c.spec.title);
    row.default_duration_minutes = Set(c.spec.default_duration_minutes as i32);
    row.default_capacity = Set(c.spec.default_capacity as i32);
    row.price_minor = Set(c.price_minor);
    row.course_price_minor = Set(c.course_price_minor);
    row.drop_in_price_minor = Set(c.drop_in_price_minor);
    row.description = Set(c.description);
    row.subject = Set(c.subject);
    Ok(row.update(tx).await?)
}
