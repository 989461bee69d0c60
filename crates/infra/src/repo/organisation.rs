//! Schools, users and login tokens.

use chrono::{DateTime, Duration, Utc};
use kernel::{Currency, SchoolId, TimeZone, UserId};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::auth::{TOKEN_LIFETIME_DAYS, hash_password, new_token, token_hash, verify_password};
use crate::entity::{auth_token, school, user};
use crate::{Result, new_id};

/// A role a user holds in their school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Runs the school: everything.
    Admin,
    /// Office staff: everything in the school.
    Staff,
    /// Teaches: own sessions, rosters, availability.
    Teacher,
    /// Acts for their family's students.
    Parent,
    /// Sees their own lessons.
    Student,
}

impl Role {
    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::Staff => "STAFF",
            Self::Teacher => "TEACHER",
            Self::Parent => "PARENT",
            Self::Student => "STUDENT",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::Admin,
            Self::Staff,
            Self::Teacher,
            Self::Parent,
            Self::Student,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The user.
    pub user: UserId,
    /// Their school: the tenant scope of everything they do.
    pub school: SchoolId,
    /// Their roles in it.
    pub roles: Vec<Role>,
}

impl Viewer {
    /// Whether the viewer holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
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
    if user::Entity::find()
        .filter(user::Column::Email.eq(&input.email))
        .one(tx)
        .await?
        .is_some()
    {
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
    }
    .insert(tx)
    .await?;
    let user_id: UserId = new_id();
    user::ActiveModel {
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
    .await?;
    let token = issue_token(tx, school_id, user_id, now).await?;
    Ok(SignUp::Created {
        school: school_id,
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

/// The viewer a bearer token stands for, if it is valid now.
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
    let user = user::Entity::find_by_id(found.user_id).one(conn).await?;
    Ok(user.map(|u| Viewer {
        user: UserId::from_uuid(u.id),
        school: SchoolId::from_uuid(u.school_id),
        roles: u.roles.split(',').filter_map(Role::parse).collect(),
    }))
}

/// Loads a school.
pub async fn school(conn: &impl ConnectionTrait, id: SchoolId) -> Result<Option<school::Model>> {
    Ok(school::Entity::find_by_id(id.uuid()).one(conn).await?)
}
