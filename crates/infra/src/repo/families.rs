//! Family groups: an admin parent, member users (other guardians) and the
//! students they act for.

use chrono::{DateTime, Utc};
use kernel::{FamilyId, SchoolId, StudentId, UserId};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entity::{family, family_member};
use crate::{Result, new_id};

/// A new family.
#[derive(Debug, Clone)]
pub struct NewFamily {
    /// Display name, e.g. "The Okafors".
    pub name: String,
    /// The admin parent (a user of the school).
    pub admin: UserId,
    /// Where invoices go.
    pub billing_email: Option<String>,
}

/// Someone joining a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// A guardian's login.
    User(UserId),
    /// A student the family acts for.
    Student(StudentId),
}

/// Creates a family.
pub async fn create_family(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    input: NewFamily,
    now: DateTime<Utc>,
) -> Result<family::Model> {
    let id: FamilyId = new_id();
    Ok(family::ActiveModel {
        id: Set(id.uuid()),
        school_id: Set(school.uuid()),
        name: Set(input.name),
        admin_user_id: Set(input.admin.uuid()),
        billing_email: Set(input.billing_email),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?)
}

/// Adds a member unless they already belong; returns whether it was added.
pub async fn add_member(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    family: FamilyId,
    member: Member,
) -> Result<bool> {
    let (user, student) = match member {
        Member::User(u) => (Some(u.uuid()), None),
        Member::Student(s) => (None, Some(s.uuid())),
    };
    let mut existing = family_member::Entity::find()
        .filter(family_member::Column::SchoolId.eq(school.uuid()))
        .filter(family_member::Column::FamilyId.eq(family.uuid()));
    existing = match member {
        Member::User(u) => existing.filter(family_member::Column::UserId.eq(u.uuid())),
        Member::Student(s) => existing.filter(family_member::Column::StudentId.eq(s.uuid())),
    };
    if existing.one(tx).await?.is_some() {
        return Ok(false);
    }
    family_member::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        family_id: Set(family.uuid()),
        user_id: Set(user),
        student_id: Set(student),
    }
    .insert(tx)
    .await?;
    Ok(true)
}

/// The members of a family.
pub async fn members(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    family: FamilyId,
) -> Result<Vec<family_member::Model>> {
    Ok(family_member::Entity::find()
        .filter(family_member::Column::SchoolId.eq(school.uuid()))
        .filter(family_member::Column::FamilyId.eq(family.uuid()))
        .all(conn)
        .await?)
}
