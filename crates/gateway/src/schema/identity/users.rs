//! Users, roles, families, sessions of a login, and the audit log.

use std::collections::BTreeSet;

use crate::error::{Code, FieldError};
use crate::error::{email, required_text};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use infra::entity::{audit_entry, family, student, user};
use infra::repo::families::{self, Member, NewFamily};
use infra::repo::organisation::{self, NewUser, roles_from_string};
use infra::repo::{self, audit};
use kernel::policy::Action;
use kernel::{FamilyId, StudentId, TeacherId, UserId};

use super::account::{Role, check_password};
use crate::context::{app, loaders};
use crate::error::{UserError, internal};
use crate::ids::{Kind, encode};
use crate::scalars::DateTime;
use crate::schema::find_in_school;
use crate::schema::page::{Page, PageArgs, paginate};
use crate::schema::{Done, Student, allow, authorize, load, mutation, payloads, refused};

/// A login of the school.
pub struct User(pub user::Model);

#[Object]
impl User {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::User, self.0.id)
    }
    /// Email: the login.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// First name.
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    /// Last name.
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    /// Roles in the school.
    async fn roles(&self) -> Result<Vec<Role>> {
        Ok(roles_from_string(&self.0.roles)
            .map_err(internal)?
            .into_iter()
            .map(Role::from)
            .collect())
    }
}

/// A family group: an admin parent, other guardians, and the students they
/// act for.
pub struct Family {
    pub(crate) model: family::Model,
}

#[Object]
impl Family {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Family, self.model.id)
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.model.name
    }
    /// Where invoices go.
    async fn billing_email(&self) -> Option<&str> {
        self.model.billing_email.as_deref()
    }
    /// The billing address.
    async fn billing_address(&self) -> Option<&str> {
        self.model.billing_address.as_deref()
    }
    /// What the family owes, in minor units (negative: in credit): issued
    /// invoices, less payments, plus refunds.
    async fn balance_minor(&self, ctx: &Context<'_>) -> Result<i64> {
        crate::schema::billing::family_balance(ctx, &self.model).await
    }
    /// The admin parent.
    async fn admin(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(load(&loaders(ctx)?.users, self.model.admin_user_id)
            .await?
            .map(User))
    }
    /// Other guardians.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let ids: Vec<_> = self.members_raw(ctx).await?.0;
        let found = loaders(ctx)?
            .users
            .load_many(ids.iter().copied())
            .await
            .map_err(internal)?;
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id).cloned().map(User))
            .collect())
    }
    /// The students the family acts for.
    async fn students(&self, ctx: &Context<'_>) -> Result<Vec<Student>> {
        let ids: Vec<_> = self.members_raw(ctx).await?.1;
        let found = loaders(ctx)?
            .students
            .load_many(ids.iter().copied())
            .await
            .map_err(internal)?;
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id).cloned().map(Student))
            .collect())
    }
}

impl Family {
    async fn members_raw(&self, ctx: &Context<'_>) -> Result<(Vec<uuid::Uuid>, Vec<uuid::Uuid>)> {
        let viewer = crate::context::viewer(ctx)?;
        let rows = families::members(
            app(ctx).db.conn(),
            viewer.school,
            FamilyId::from_uuid(self.model.id),
        )
        .await
        .map_err(internal)?;
        Ok((
            rows.iter().filter_map(|m| m.user_id).collect(),
            rows.iter().filter_map(|m| m.student_id).collect(),
        ))
    }
}

/// One audit log entry: who changed what, when.
pub struct AuditEntry(pub audit_entry::Model);

#[Object]
impl AuditEntry {
    /// The mutation, e.g. `createRoom`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// When it committed.
    async fn at(&self) -> DateTime {
        DateTime(self.0.at)
    }
    /// Who did it; null for the system (the ADVANCE job).
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match self.0.user_id {
            Some(id) => Ok(load(&loaders(ctx)?.users, id).await?.map(User)),
            None => Ok(None),
        }
    }
    /// Global ids of the rows it created or changed.
    async fn target_ids(&self) -> Vec<ID> {
        audit::targets(&self.0).into_iter().map(ID).collect()
    }
}

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The school's users, by email. Admins only.
    async fn users(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<User>> {
        let viewer = authorize(ctx, Action::ManageUsers)?;
        paginate::<user::Entity, _>(
            ctx,
            viewer.school,
            infra::repo::list::users(),
            PageArgs {
                after,
                before,
                first,
                last,
            },
            User,
        )
        .await
    }

    /// The audit log, newest first, optionally of one action. Admins only.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        action: Option<String>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<AuditEntry>> {
        let viewer = authorize(ctx, Action::ReadAuditLog)?;
        let filter = infra::repo::list::audit_entries(action);
        paginate::<audit_entry::Entity, _>(
            ctx,
            viewer.school,
            filter,
            PageArgs {
                after,
                before,
                first,
                last,
            },
            AuditEntry,
        )
        .await
    }
}

/// Input of `createUser`.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Email: the login.
    pub email: String,
    /// Initial password (at least 8 characters); pass it on privately.
    pub password: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Roles (at least one).
    pub roles: Vec<Role>,
    /// The teacher profile this login is for (role TEACHER).
    pub teacher_id: Option<ID>,
    /// The student profile this login is for (role STUDENT).
    pub student_id: Option<ID>,
}

/// Result of `createUser`.
#[derive(SimpleObject, Default)]
pub struct CreateUserPayload {
    /// The new user.
    pub user: Option<User>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `setUserRoles`.
#[derive(InputObject)]
pub struct SetUserRolesInput {
    /// The user.
    pub user_id: ID,
    /// Their new roles (replacing the old).
    pub roles: Vec<Role>,
}

/// Result of `setUserRoles`.
#[derive(SimpleObject, Default)]
pub struct SetUserRolesPayload {
    /// The user, with new roles.
    pub user: Option<User>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `changePassword`.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password in use now.
    pub current_password: String,
    /// The new one (at least 8 characters).
    pub new_password: String,
}

/// Result of `changePassword`, `logout` and `revokeAllSessions`.
#[derive(SimpleObject, Default)]
pub struct SessionsPayload {
    /// How many login tokens were revoked.
    pub revoked: i32,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `createFamily`.
#[derive(InputObject)]
pub struct CreateFamilyInput {
    /// Display name, e.g. "The Okafors".
    pub name: String,
    /// The admin parent: a user of the school holding role PARENT.
    pub admin_user_id: ID,
    /// Where invoices go.
    pub billing_email: Option<String>,
    /// The students the family acts for.
    #[graphql(default)]
    pub student_ids: Vec<ID>,
}

/// Result of `createFamily` and `addFamilyMember`.
#[derive(SimpleObject, Default)]
pub struct FamilyPayload {
    /// The family.
    pub family: Option<Family>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `addFamilyMember`: exactly one of `userId` and `studentId`.
#[derive(InputObject)]
pub struct AddFamilyMemberInput {
    /// The family.
    pub family_id: ID,
    /// Another guardian's login.
    pub user_id: Option<ID>,
    /// A student the family acts for.
    pub student_id: Option<ID>,
}

fn roles_of(input: &[Role]) -> Result<BTreeSet<kernel::Role>, FieldError> {
    if input.is_empty() {
        return Err(FieldError::invalid("roles", "give at least one role"));
    }
    Ok(input.iter().copied().map(kernel::Role::from).collect())
}

#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Creates a login in your school with an initial password, optionally
    /// linked to a teacher or student profile. Admins only.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> Result<CreateUserPayload> {
        authorize(ctx, Action::ManageUsers)?;
        let parsed = (|| {
            Ok::<_, FieldError>((
                email("email", &input.email)?,
                required_text("firstName", &input.first_name)?,
                required_text("lastName", &input.last_name)?,
                roles_of(&input.roles)?,
                check_password("password", &input.password)?,
            ))
        })();
        let (email, first_name, last_name, roles, ()) = match parsed {
            Ok(p) => p,
            Err(e) => return refused(e),
        };
        // Hashing is deliberately slow: done before the write transaction.
        let password_hash = infra::auth::hash_password(&input.password).map_err(internal)?;
        mutation(ctx, async |tx, viewer| {
            let mut teacher = None;
            if let Some(id) = &input.teacher_id {
                match find_in_school::<infra::entity::teacher::Entity>(
                    tx,
                    viewer.school,
                    Kind::Teacher,
                    id,
                )
                .await?
                {
                    Some(t) => teacher = Some(TeacherId::from_uuid(t.id)),
                    None => return Ok(Done::refuse(FieldError::not_found("teacherId", "teacher"))),
                }
            }
            let mut student = None;
            if let Some(id) = &input.student_id {
                match find_in_school::<student::Entity>(tx, viewer.school, Kind::Student, id)
                    .await?
                {
                    Some(s) => student = Some(StudentId::from_uuid(s.id)),
                    None => return Ok(Done::refuse(FieldError::not_found("studentId", "student"))),
                }
            }
            let new = NewUser {
                email,
                password_hash,
                first_name,
                last_name,
                roles,
                teacher,
                student,
            };
            let now = app(ctx).clock.now();
            let Some(created) = organisation::create_user(tx, viewer.school, new, now)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::Refuse(UserError::input(
                    "email",
                    Code::Taken,
                    "an account with this email already exists",
                )));
            };
            let id = created.id;
            Ok(Done::Commit(
                CreateUserPayload {
                    user: Some(User(created)),
                    user_errors: vec![],
                },
                vec![(Kind::User, id)],
            ))
        })
        .await
    }

    /// Replaces a user's roles. Admins only; the last admin cannot drop
    /// ADMIN.
    async fn set_user_roles(
        &self,
        ctx: &Context<'_>,
        input: SetUserRolesInput,
    ) -> Result<SetUserRolesPayload> {
        authorize(ctx, Action::ManageUsers)?;
        let roles = match roles_of(&input.roles) {
            Ok(r) => r,
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let Some(target) =
                find_in_school::<user::Entity>(tx, viewer.school, Kind::User, &input.user_id)
                    .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("userId", "user")));
            };
            if let Err(last) =
                organisation::set_roles_keeping_an_admin(tx, viewer.school, &target, &roles)
                    .await
                    .map_err(internal)?
            {
                return Ok(Done::refuse(last));
            }
            let updated = repo::find::<user::Entity>(tx, viewer.school, target.id)
                .await
                .map_err(internal)?;
            Ok(Done::Commit(
                SetUserRolesPayload {
                    user: updated.map(User),
                    user_errors: vec![],
                },
                vec![(Kind::User, target.id)],
            ))
        })
        .await
    }

    /// Changes your password and logs out every other session.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> Result<SessionsPayload> {
        let viewer = authorize(ctx, Action::ManageOwnAccount)?;
        if let Err(e) = check_password("newPassword", &input.new_password) {
            return refused(e);
        }
        let app = app(ctx);
        if !organisation::verify_user_password(
            app.db.conn(),
            viewer.school,
            viewer.user,
            &input.current_password,
        )
        .await
        .map_err(internal)?
        {
            return refused(UserError::input(
                "currentPassword",
                Code::InvalidCredentials,
                "the current password is wrong",
            ));
        }
        let hash = infra::auth::hash_password(&input.new_password).map_err(internal)?;
        mutation(ctx, async |tx, viewer| {
            organisation::set_password(tx, viewer.school, viewer.user, hash)
                .await
                .map_err(internal)?;
            let revoked = organisation::revoke_all_tokens(
                tx,
                viewer.school,
                viewer.user,
                Some(viewer.token),
                app.clock.now(),
            )
            .await
            .map_err(internal)?;
            Ok(Done::Commit(
                SessionsPayload {
                    revoked: i32::try_from(revoked).unwrap_or(i32::MAX),
                    user_errors: vec![],
                },
                vec![(Kind::User, viewer.user.uuid())],
            ))
        })
        .await
    }

    /// Revokes the token this request was sent with.
    async fn logout(&self, ctx: &Context<'_>) -> Result<SessionsPayload> {
        authorize(ctx, Action::ManageOwnAccount)?;
        mutation(ctx, async |tx, viewer| {
            organisation::revoke_token(tx, viewer.school, viewer.token, app(ctx).clock.now())
                .await
                .map_err(internal)?;
            Ok(Done::Commit(
                SessionsPayload {
                    revoked: 1,
                    user_errors: vec![],
                },
                vec![(Kind::User, viewer.user.uuid())],
            ))
        })
        .await
    }

    /// Revokes every token of your account, this one included ("log out
    /// everywhere").
    async fn revoke_all_sessions(&self, ctx: &Context<'_>) -> Result<SessionsPayload> {
        authorize(ctx, Action::ManageOwnAccount)?;
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let revoked =
                organisation::revoke_all_tokens(tx, viewer.school, viewer.user, None, now)
                    .await
                    .map_err(internal)?;
            Ok(Done::Commit(
                SessionsPayload {
                    revoked: i32::try_from(revoked).unwrap_or(i32::MAX),
                    user_errors: vec![],
                },
                vec![(Kind::User, viewer.user.uuid())],
            ))
        })
        .await
    }

    /// Creates a family group. Admins and staff.
    async fn create_family(
        &self,
        ctx: &Context<'_>,
        input: CreateFamilyInput,
    ) -> Result<FamilyPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let parsed = (|| {
            Ok::<_, FieldError>((
                required_text("name", &input.name)?,
                input
                    .billing_email
                    .as_deref()
                    .filter(|e| !e.trim().is_empty())
                    .map(|e| email("billingEmail", e))
                    .transpose()?,
            ))
        })();
        let (name, billing_email) = match parsed {
            Ok(p) => p,
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let Some(admin) =
                find_in_school::<user::Entity>(tx, viewer.school, Kind::User, &input.admin_user_id)
                    .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("adminUserId", "user")));
            };
            let mut students = Vec::new();
            for id in &input.student_ids {
                match find_in_school::<student::Entity>(tx, viewer.school, Kind::Student, id)
                    .await?
                {
                    Some(s) => students.push(StudentId::from_uuid(s.id)),
                    None => {
                        return Ok(Done::refuse(FieldError::not_found("studentIds", "student")));
                    }
                }
            }
            let family = NewFamily {
                name,
                admin: UserId::from_uuid(admin.id),
                billing_email,
            };
            let now = app(ctx).clock.now();
            let created = families::create_family(tx, viewer.school, family, now)
                .await
                .map_err(internal)?;
            let family_id = FamilyId::from_uuid(created.id);
            for s in &students {
                families::add_member(tx, viewer.school, family_id, Member::Student(*s))
                    .await
                    .map_err(internal)?;
            }
            let mut targets = vec![(Kind::Family, created.id)];
            targets.extend(students.iter().map(|s| (Kind::Student, s.uuid())));
            Ok(Done::Commit(
                FamilyPayload {
                    family: Some(Family { model: created }),
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }

    /// Adds a guardian or a student to a family. Staff, or the family's
    /// admin parent.
    async fn add_family_member(
        &self,
        ctx: &Context<'_>,
        input: AddFamilyMemberInput,
    ) -> Result<FamilyPayload> {
        mutation(ctx, async |tx, viewer| {
            let Some(found) =
                find_in_school::<family::Entity>(tx, viewer.school, Kind::Family, &input.family_id)
                    .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("familyId", "family")));
            };
            allow(
                viewer,
                Action::ManageFamily {
                    admin: UserId::from_uuid(found.admin_user_id),
                },
            )?;
            let (member, target) = match (&input.user_id, &input.student_id) {
                (Some(id), None) => {
                    match find_in_school::<user::Entity>(tx, viewer.school, Kind::User, id).await? {
                        Some(u) => (Member::User(UserId::from_uuid(u.id)), (Kind::User, u.id)),
                        None => return Ok(Done::refuse(FieldError::not_found("userId", "user"))),
                    }
                }
                (None, Some(id)) => {
                    match find_in_school::<student::Entity>(tx, viewer.school, Kind::Student, id)
                        .await?
                    {
                        Some(s) => (
                            Member::Student(StudentId::from_uuid(s.id)),
                            (Kind::Student, s.id),
                        ),
                        None => {
                            return Ok(Done::refuse(FieldError::not_found("studentId", "student")));
                        }
                    }
                }
                _ => {
                    return Ok(Done::refuse(FieldError::invalid(
                        "userId",
                        "give exactly one of userId and studentId",
                    )));
                }
            };
            families::add_member(tx, viewer.school, FamilyId::from_uuid(found.id), member)
                .await
                .map_err(internal)?;
            let targets = vec![(Kind::Family, found.id), target];
            Ok(Done::Commit(
                FamilyPayload {
                    family: Some(Family { model: found }),
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }
}

payloads!(
    CreateUserPayload,
    SetUserRolesPayload,
    SessionsPayload,
    FamilyPayload
);
