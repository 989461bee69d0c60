//! Sign-up, login, and who am I.

use crate::error::Code;
use crate::error::{email, required_text};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use infra::entity::user;
use infra::repo;
use infra::repo::organisation::{self, NewSchool, Role as DomainRole, SignUp};
use kernel::{Currency, TimeZone};

use crate::context::{ClientAddr, app, viewer};
use crate::error::{UserError, internal};
use crate::ids::{Kind, encode};
use crate::schema::{School, commit};

/// Shortest password accepted (NIST SP 800-63B).
pub const MIN_PASSWORD_LEN: usize = 8;

/// Input of `signUp`.
#[derive(InputObject)]
pub struct SignUpInput {
    /// The school's name.
    pub school_name: String,
    /// The admin's email; it is the login.
    pub email: String,
    /// At least 8 characters.
    pub password: String,
    /// The admin's first name.
    pub first_name: String,
    /// The admin's last name.
    pub last_name: String,
    /// IANA time zone of the school, e.g. `Europe/London`.
    pub timezone: String,
    /// ISO-4217 currency, e.g. `EUR`.
    pub currency: String,
}

/// Result of `signUp`.
#[derive(SimpleObject, Default)]
pub struct SignUpPayload {
    /// Bearer token for the new admin.
    pub token: Option<String>,
    /// The new school.
    pub school: Option<School>,
    /// What was wrong with the input.
    pub user_errors: Vec<UserError>,
}

/// Input of `login`.
#[derive(InputObject)]
pub struct LoginInput {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Result of `login`.
#[derive(SimpleObject, Default)]
pub struct LoginPayload {
    /// Bearer token: send it as `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Why login failed.
    pub user_errors: Vec<UserError>,
}

/// A role in the school.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything in the school.
    Admin,
    /// Everything in the school.
    Staff,
    /// Own sessions, rosters and availability.
    Teacher,
    /// Their family's students.
    Parent,
    /// Themselves.
    Student,
}

impl From<Role> for DomainRole {
    fn from(r: Role) -> Self {
        match r {
            Role::Admin => Self::Admin,
            Role::Staff => Self::Staff,
            Role::Teacher => Self::Teacher,
            Role::Parent => Self::Parent,
            Role::Student => Self::Student,
        }
    }
}

/// Checks a new password's length (at least 8 characters, at most 1 KiB).
pub fn check_password(field: &'static str, password: &str) -> Result<(), crate::error::FieldError> {
    if password.chars().count() < MIN_PASSWORD_LEN || password.len() > 1024 {
        return Err(crate::error::FieldError::invalid(
            field,
            format!(
                "the password must have at least {MIN_PASSWORD_LEN} characters (and at most 1024 bytes)"
            ),
        ));
    }
    Ok(())
}

impl From<DomainRole> for Role {
    fn from(r: DomainRole) -> Self {
        match r {
            DomainRole::Admin => Self::Admin,
            DomainRole::Staff => Self::Staff,
            DomainRole::Teacher => Self::Teacher,
            DomainRole::Parent => Self::Parent,
            DomainRole::Student => Self::Student,
        }
    }
}

/// The logged-in user.
#[derive(SimpleObject)]
pub struct Me {
    /// Global id of the user.
    pub id: ID,
    /// Email.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Roles in the school.
    pub roles: Vec<Role>,
    /// The school.
    pub school: School,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The logged-in user and their school.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let viewer = viewer(ctx)?;
        let conn = app(ctx).db.conn();
        let user = repo::find::<user::Entity>(conn, viewer.school, viewer.user.uuid())
            .await
            .map_err(internal)?
            .ok_or_else(|| crate::error::unauthenticated("the account no longer exists"))?;
        let school = organisation::school(conn, viewer.school)
            .await
            .map_err(internal)?
            .ok_or_else(|| crate::error::unauthenticated("the school no longer exists"))?;
        Ok(Me {
            id: encode(Kind::User, user.id),
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            roles: viewer.roles.iter().copied().map(Role::from).collect(),
            school: School(school),
        })
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates a school and its admin account, and logs the admin in.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<SignUpPayload> {
        let mut errors = Vec::new();
        let mut check = |r: Result<_, crate::error::FieldError>| {
            r.map_err(|e| errors.push(UserError::from(e))).ok()
        };
        let school_name = check(required_text("schoolName", &input.school_name));
        let email = check(email("email", &input.email));
        let first_name = check(required_text("firstName", &input.first_name));
        let last_name = check(required_text("lastName", &input.last_name));
        let timezone = TimeZone::parse(&input.timezone)
            .map_err(|e| errors.push(e.into()))
            .ok();
        let currency = Currency::parse(&input.currency)
            .map_err(|e| errors.push(e.into()))
            .ok();
        if let Err(e) = check_password("password", &input.password) {
            errors.push(e.into());
        }
        let (
            Some(school_name),
            Some(email),
            Some(first_name),
            Some(last_name),
            Some(timezone),
            Some(currency),
            true,
        ) = (
            school_name,
            email,
            first_name,
            last_name,
            timezone,
            currency,
            errors.is_empty(),
        )
        else {
            return Ok(SignUpPayload {
                user_errors: errors,
                ..Default::default()
            });
        };
        let app = app(ctx);
        let now = app.clock.now();
        let password_hash = infra::auth::hash_password(&input.password).map_err(internal)?;
        let tx = app.db.begin_write().await.map_err(internal)?;
        let new = NewSchool {
            school_name,
            email,
            password_hash,
            first_name,
            last_name,
            timezone,
            currency,
        };
        match organisation::sign_up(&tx, new, now)
            .await
            .map_err(internal)?
        {
            SignUp::EmailTaken => Ok(SignUpPayload {
                user_errors: vec![UserError::input(
                    "email",
                    Code::Taken,
                    "an account with this email already exists; log in instead",
                )],
                ..Default::default()
            }),
            SignUp::Created {
                school: school_id,
                user,
                token,
            } => {
                let school = organisation::school(&tx, school_id)
                    .await
                    .map_err(internal)?
                    .map(School);
                commit(
                    ctx,
                    tx,
                    school_id,
                    Some(user),
                    &[(Kind::School, school_id.uuid()), (Kind::User, user.uuid())],
                )
                .await?;
                Ok(SignUpPayload {
                    token: Some(token),
                    school,
                    user_errors: vec![],
                })
            }
        }
    }

    /// Exchanges email and password for a bearer token. After 5 failures
    /// for one account, or 20 from one address, within 15 minutes, login
    /// is refused with `TOO_MANY_ATTEMPTS` until the window passes.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<LoginPayload> {
        let app = app(ctx);
        let now = app.clock.now();
        let account = input.email.trim().to_lowercase();
        let address = ctx.data::<ClientAddr>().ok().and_then(|a| a.0);
        if let Some(until) = app.login_throttle.blocked_until(&account, address, now) {
            let minutes = (until - now).num_minutes() + 1;
            return Ok(LoginPayload {
                token: None,
                user_errors: vec![UserError::general(
                    Code::TooManyAttempts,
                    format!(
                        "too many failed logins for this account or from your address; try again in {minutes} minute(s), or reset your password"
                    ),
                )],
            });
        }
        let found = organisation::check_credentials(app.db.conn(), &account, &input.password)
            .await
            .map_err(internal)?;
        match found {
            Some((school, user)) => {
                let tx = app.db.begin_write().await.map_err(internal)?;
                let token = organisation::issue_token(&tx, school, user, now)
                    .await
                    .map_err(internal)?;
                commit(ctx, tx, school, Some(user), &[(Kind::User, user.uuid())]).await?;
                Ok(LoginPayload {
                    token: Some(token),
                    user_errors: vec![],
                })
            }
            None => {
                app.login_throttle.record_failure(&account, address, now);
                Ok(LoginPayload {
                    token: None,
                    user_errors: vec![UserError::general(
                        Code::InvalidCredentials,
                        "wrong email or password",
                    )],
                })
            }
        }
    }
}
