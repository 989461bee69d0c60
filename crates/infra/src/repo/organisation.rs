//! Schools, users and login tokens.

use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

use kernel::{Actor, Currency, FamilyId, SchoolId, StudentId, TeacherId, TimeZone, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::auth::{TOKEN_LIFETIME_DAYS, hash_password, new_token, token_hash, verify_password};
use crate::entity::{
    auth_token, class_series, family, family_member, school, student, teacher, user,
};
use crate::{Result, new_id};

pub use kernel::Role;

/// Who is making a request: the policy's [`Actor`] plus the login token it
/// came with (so `logout` can revoke exactly that one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// Roles and relationships, for [`kernel::policy::authorize`].
    pub actor: Actor,
    /// The `auth_tokens` row of this request's token.
    pub token: Uuid,
}

impl std::ops::Deref for Viewer {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// Stored form of a role set.
pub fn roles_to_string(roles: &BTreeSet<Role>) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses a stored role set; an unknown name is a corrupt row (roles
/// decide permissions, so none is guessed or silently dropped).
pub fn roles_from_string(stored: &str) -> Result<BTreeSet<Role>> {
    stored
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| crate::stored("users", r, Role::parse))
        .collect()
}

/// A validated sign-up.
#[derive(Debug, Clone)]
pub struct NewSchool {
    /// School name.
    pub school_name: String,
    /// Admin's email (lower-cased).
    pub email: String,
    /// Admin's argon2id password hash (hash before opening the transaction:
    /// hashing takes tens of milliseconds and SQLite's write lock is held).
    pub password_hash: String,
    /// Admin's first name.
    pub first_name: String,
    /// Admin's last name.
    pub last_name: String,
    /// School time zone.
    pub timezone: TimeZone,
    /// School currency.
    pub currency: Currency,
}

/// Outcome of sign-up.
#[derive(Debug)]
pub enum SignUp {
    /// Created; the admin's bearer token.
    Created {
        /// The new school.
        school: SchoolId,
        /// Its admin.
        user: UserId,
        /// Bearer token for the admin.
        token: String,
    },
    /// The email already has an account.
    EmailTaken,
}

/// Creates a school and its admin, and logs the admin in. Runs inside the
/// caller's transaction.
pub async fn sign_up(
    tx: &impl ConnectionTrait,
    input: NewSchool,
    now: DateTime<Utc>,
) -> Result<SignUp> {
    if email_taken(tx, &input.email).await? {
        return Ok(SignUp::EmailTaken);
    }
    let school_id: SchoolId = new_id();
    school::ActiveModel {
        id: Set(school_id.uuid()),
        name: Set(input.school_name),
        contact_email: Set(input.email.clone()),
        timezone: Set(input.timezone.name().to_owned()),
        currency: Set(input.currency.as_str().to_owned()),
        created_at: Set(now),
        qr_key: Set(Some(crate::auth::new_secret())),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    let user_id: UserId = new_id();
    let inserted = user::ActiveModel {
        id: Set(user_id.uuid()),
        school_id: Set(school_id.uuid()),
        email: Set(input.email),
        password_hash: Set(input.password_hash),
        first_name: Set(input.first_name),
        last_name: Set(input.last_name),
        roles: Set(Role::Admin.as_str().to_owned()),
        created_at: Set(now),
    }
    .insert(tx)
    .await;
    // A racing sign-up with the same email may pass the check above; the
    // unique index decides, and the caller rolls back the school too.
    match inserted {
        Err(e) if crate::error::is_unique_violation(&e) => return Ok(SignUp::EmailTaken),
        other => other?,
    };
    let token = issue_token(tx, school_id, user_id, now).await?;
    Ok(SignUp::Created {
        school: school_id,
        user: user_id,
        token,
    })
}

/// Checks credentials; `None` for a wrong email or password (deliberately
/// indistinguishable). Read-only: call it before opening a write transaction.
pub async fn check_credentials(
    conn: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> Result<Option<(SchoolId, UserId)>> {
    let Some(found) = user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(conn)
        .await?
    else {
        // Verify anyway so a missing account takes as long as a wrong password.
        let _ = verify_password(password, dummy_hash());
        return Ok(None);
    };
    if !verify_password(password, &found.password_hash) {
        return Ok(None);
    }
    Ok(Some((
        SchoolId::from_uuid(found.school_id),
        UserId::from_uuid(found.id),
    )))
}

/// A real argon2id hash, verified against when the email is unknown so
/// timing does not reveal which emails have accounts.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

/// Issues a new bearer token for a user.
pub async fn issue_token(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<String> {
    let (token, hash) = new_token();
    auth_token::ActiveModel {
        id: Set(new_id::<uuid::Uuid>()),
        school_id: Set(school.uuid()),
        user_id: Set(user.uuid()),
        token_hash: Set(hash),
        expires_at: Set(now + Duration::days(TOKEN_LIFETIME_DAYS)),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(tx)
    .await?;
    Ok(token)
}

/// The viewer a bearer token stands for, if it is valid now, with the
/// relationships the permission policy needs. Admins and staff need none
/// (two statements); others cost one more per relationship they can have.
pub async fn viewer(
    conn: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Viewer>> {
    let Some(found) = auth_token::Entity::find()
        .filter(auth_token::Column::TokenHash.eq(token_hash(token)))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if found.revoked_at.is_some() || found.expires_at <= now {
        return Ok(None);
    }
    let Some(user) = user::Entity::find_by_id(found.user_id).one(conn).await? else {
        return Ok(None);
    };
    let school = SchoolId::from_uuid(user.school_id);
    let mut actor = Actor {
        user: UserId::from_uuid(user.id),
        school,
        roles: roles_from_string(&user.roles)?,
        teacher: None,
        acts_for: BTreeSet::new(),
        teaches: BTreeSet::new(),
        families: BTreeSet::new(),
    };
    if !actor.is_staff() {
        load_relationships(conn, &mut actor).await?;
    }
    Ok(Some(Viewer {
        actor,
        token: found.id,
    }))
}

async fn load_relationships(conn: &impl ConnectionTrait, actor: &mut Actor) -> Result<()> {
    let school = actor.school.uuid();
    let user = actor.user.uuid();
    if actor.has(Role::Teacher) {
        actor.teacher = teacher::Entity::find()
            .filter(teacher::Column::SchoolId.eq(school))
            .filter(teacher::Column::UserId.eq(user))
            .one(conn)
            .await?
            .map(|t| TeacherId::from_uuid(t.id));
        if let Some(t) = actor.teacher {
            let taught: Vec<Option<Uuid>> = class_series::Entity::find()
                .select_only()
                .column(class_series::Column::StudentId)
                .distinct()
                .filter(class_series::Column::SchoolId.eq(school))
                .filter(class_series::Column::TeacherId.eq(t.uuid()))
                .filter(class_series::Column::StudentId.is_not_null())
                .into_tuple()
                .all(conn)
                .await?;
            actor.teaches = taught
                .into_iter()
                .flatten()
                .map(StudentId::from_uuid)
                .collect();
        }
    }
    if actor.has(Role::Student) {
        let own: Vec<Uuid> = student::Entity::find()
            .select_only()
            .column(student::Column::Id)
            .filter(student::Column::SchoolId.eq(school))
            .filter(student::Column::UserId.eq(user))
            .into_tuple()
            .all(conn)
            .await?;
        actor
            .acts_for
            .extend(own.into_iter().map(StudentId::from_uuid));
    }
    if actor.has(Role::Parent) {
        // Students of every family the user administers or belongs to.
        let families: Vec<Uuid> = family::Entity::find()
            .select_only()
            .column(family::Column::Id)
            .filter(family::Column::SchoolId.eq(school))
            .filter(
                Condition::any()
                    .add(family::Column::AdminUserId.eq(user))
                    .add(
                        family::Column::Id.in_subquery(
                            sea_orm::sea_query::Query::select()
                                .column(family_member::Column::FamilyId)
                                .from(family_member::Entity)
                                .and_where(family_member::Column::UserId.eq(user))
                                .to_owned(),
                        ),
                    ),
            )
            .into_tuple()
            .all(conn)
            .await?;
        actor
            .families
            .extend(families.iter().copied().map(FamilyId::from_uuid));
        if !families.is_empty() {
            let students: Vec<Option<Uuid>> = family_member::Entity::find()
                .select_only()
                .column(family_member::Column::StudentId)
                .filter(family_member::Column::SchoolId.eq(school))
                .filter(family_member::Column::FamilyId.is_in(families))
                .filter(family_member::Column::StudentId.is_not_null())
                .into_tuple()
                .all(conn)
                .await?;
            actor
                .acts_for
                .extend(students.into_iter().flatten().map(StudentId::from_uuid));
        }
    }
    Ok(())
}

/// Revokes one login token (logout).
pub async fn revoke_token(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    token: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(now))
        .filter(auth_token::Column::SchoolId.eq(school.uuid()))
        .filter(auth_token::Column::Id.eq(token))
        .filter(auth_token::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// Revokes every live token of a user, except `keep` if given; returns how
/// many were revoked.
pub async fn revoke_all_tokens(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    user: UserId,
    keep: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut update = auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(now))
        .filter(auth_token::Column::SchoolId.eq(school.uuid()))
        .filter(auth_token::Column::UserId.eq(user.uuid()))
        .filter(auth_token::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        update = update.filter(auth_token::Column::Id.ne(keep));
    }
    Ok(update.exec(tx).await?.rows_affected)
}

/// A user created by an admin.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Email (lower-cased); the login.
    pub email: String,
    /// argon2id hash of the initial password.
    pub password_hash: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Roles in the school.
    pub roles: BTreeSet<Role>,
    /// The teacher profile this login is for.
    pub teacher: Option<TeacherId>,
    /// The student profile this login is for.
    pub student: Option<StudentId>,
}

/// Creates a user in `school`, linking the teacher or student profile if
/// given (the caller has checked both belong to the school). `None` if the
/// email is taken.
pub async fn create_user(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    input: NewUser,
    now: DateTime<Utc>,
) -> Result<Option<user::Model>> {
    if email_taken(tx, &input.email).await? {
        return Ok(None);
    }
    let id: UserId = new_id();
    let model = match (user::ActiveModel {
        id: Set(id.uuid()),
        school_id: Set(school.uuid()),
        email: Set(input.email),
        password_hash: Set(input.password_hash),
        first_name: Set(input.first_name),
        last_name: Set(input.last_name),
        roles: Set(roles_to_string(&input.roles)),
        created_at: Set(now),
    }
    .insert(tx)
    .await)
    {
        // The unique index decides between racing creations.
        Err(e) if crate::error::is_unique_violation(&e) => return Ok(None),
        other => other?,
    };
    if let Some(t) = input.teacher {
        teacher::Entity::update_many()
            .col_expr(teacher::Column::UserId, Expr::value(id.uuid()))
            .filter(teacher::Column::SchoolId.eq(school.uuid()))
            .filter(teacher::Column::Id.eq(t.uuid()))
            .exec(tx)
            .await?;
    }
    if let Some(s) = input.student {
        student::Entity::update_many()
            .col_expr(student::Column::UserId, Expr::value(id.uuid()))
            .filter(student::Column::SchoolId.eq(school.uuid()))
            .filter(student::Column::Id.eq(s.uuid()))
            .exec(tx)
            .await?;
    }
    Ok(Some(model))
}

async fn email_taken(conn: &impl ConnectionTrait, email: &str) -> Result<bool> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(conn)
        .await?
        .is_some())
}

/// Replaces a user's roles unless that would leave the school without an
/// admin (`kernel::policy::keeps_an_admin`). The school's row is locked
/// first, so two admins demoting each other at once are decided one after
/// the other: the second sees one admin left and is refused.
pub async fn set_roles_keeping_an_admin(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    target: &user::Model,
    roles: &BTreeSet<Role>,
) -> Result<Result<(), kernel::policy::LastAdmin>> {
    school::Entity::find()
        .filter(school::Column::Id.eq(school.uuid()))
        .lock_exclusive()
        .one(tx)
        .await?;
    let fresh = crate::repo::find::<user::Entity>(tx, school, target.id)
        .await?
        .unwrap_or_else(|| target.clone());
    let was_admin = roles_from_string(&fresh.roles)?.contains(&Role::Admin);
    let admins = admin_count(tx, school).await?;
    if let Err(refusal) =
        kernel::policy::keeps_an_admin(admins, was_admin, roles.contains(&Role::Admin))
    {
        return Ok(Err(refusal));
    }
    set_roles(tx, school, UserId::from_uuid(target.id), roles).await?;
    Ok(Ok(()))
}

/// Replaces a user's roles.
pub async fn set_roles(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    user: UserId,
    roles: &BTreeSet<Role>,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::Roles, Expr::value(roles_to_string(roles)))
        .filter(user::Column::SchoolId.eq(school.uuid()))
        .filter(user::Column::Id.eq(user.uuid()))
        .exec(tx)
        .await?;
    Ok(())
}

/// How many users of the school hold ADMIN.
pub async fn admin_count(conn: &impl ConnectionTrait, school: SchoolId) -> Result<usize> {
    let users = user::Entity::find()
        .filter(user::Column::SchoolId.eq(school.uuid()))
        .filter(user::Column::Roles.contains(Role::Admin.as_str()))
        .all(conn)
        .await?;
    let mut admins = 0;
    for u in &users {
        if roles_from_string(&u.roles)?.contains(&Role::Admin) {
            admins += 1;
        }
    }
    Ok(admins)
}

/// Stores a new password hash.
pub async fn set_password(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    user: UserId,
    password_hash: String,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .filter(user::Column::SchoolId.eq(school.uuid()))
        .filter(user::Column::Id.eq(user.uuid()))
        .exec(tx)
        .await?;
    Ok(())
}

/// Loads a school.
pub async fn school(conn: &impl ConnectionTrait, id: SchoolId) -> Result<Option<school::Model>> {
    Ok(school::Entity::find_by_id(id.uuid()).one(conn).await?)
}

/// Whether `password` is the user's current password.
pub async fn verify_user_password(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    user: UserId,
    password: &str,
) -> Result<bool> {
    let found = user::Entity::find()
        .filter(user::Column::SchoolId.eq(school.uuid()))
        .filter(user::Column::Id.eq(user.uuid()))
        .one(conn)
        .await?;
    Ok(found.is_some_and(|u| verify_password(password, &u.password_hash)))
}
