//! Leads over GraphQL: taking a call, booking the evaluation, moving
//! the lead along, converting it into a student, a parent login and a
//! family.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use crm::lead::{LeadError, LeadStatus as DomainLeadStatus, NewLead};
use infra::crm::ConvertRefused;
use infra::entity::lead;
use kernel::policy::Action;

use crate::context::{app, loaders};
use crate::error::{Code, FieldError, UserError, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::{DateTime, LocalDate};
use crate::schema::page::{Page, PageArgs, page_of};
use crate::schema::{
    Done, Family, Session, Student, User, authorize, load_opt, mutation, payloads, refused,
};

/// Where a lead stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LeadStatus {
    /// A parent asked for an evaluation.
    NewBooking,
    /// The evaluation is agreed (`bookEvaluation`).
    Confirmed,
    /// The evaluation happened.
    EvaluationComplete,
    /// Converted into a student (`convertLead`).
    Registered,
    /// Closed.
    Archived,
}

impl From<DomainLeadStatus> for LeadStatus {
    fn from(s: DomainLeadStatus) -> Self {
        match s {
            DomainLeadStatus::NewBooking => Self::NewBooking,
            DomainLeadStatus::Confirmed => Self::Confirmed,
            DomainLeadStatus::EvaluationComplete => Self::EvaluationComplete,
            DomainLeadStatus::Registered => Self::Registered,
            DomainLeadStatus::Archived => Self::Archived,
        }
    }
}

impl From<LeadStatus> for DomainLeadStatus {
    fn from(s: LeadStatus) -> Self {
        match s {
            LeadStatus::NewBooking => Self::NewBooking,
            LeadStatus::Confirmed => Self::Confirmed,
            LeadStatus::EvaluationComplete => Self::EvaluationComplete,
            LeadStatus::Registered => Self::Registered,
            LeadStatus::Archived => Self::Archived,
        }
    }
}

/// A family's first contact: a parent and a child, before anyone is a
/// student.
pub struct Lead(pub lead::Model);

#[Object]
impl Lead {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Lead, self.0.id)
    }
    /// The parent's name.
    async fn parent_name(&self) -> &str {
        &self.0.parent_name
    }
    /// The parent's email.
    async fn parent_email(&self) -> Option<&str> {
        self.0.parent_email.as_deref()
    }
    /// The parent's phone (digits, with a leading + if given).
    async fn parent_phone(&self) -> Option<&str> {
        self.0.parent_phone.as_deref()
    }
    /// The child's first name.
    async fn child_first_name(&self) -> &str {
        &self.0.child_first_name
    }
    /// The child's last name.
    async fn child_last_name(&self) -> &str {
        &self.0.child_last_name
    }
    /// The child's date of birth.
    async fn child_birth_date(&self) -> Option<LocalDate> {
        self.0.child_birth_date.map(LocalDate)
    }
    /// How they heard of the school.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Where it stands.
    async fn status(&self) -> Result<LeadStatus> {
        infra::crm::lead_status(&self.0)
            .map(Into::into)
            .map_err(internal)
    }
    /// The earlier lead with the same parent email or phone, if any: a
    /// possible duplicate for the office to look at (never merged).
    async fn duplicate_of(&self, ctx: &Context<'_>) -> Result<Option<Lead>> {
        Ok(load_opt(&loaders(ctx)?.leads, self.0.duplicate_of_id)
            .await?
            .map(Lead))
    }
    /// The evaluation session.
    async fn evaluation_session(&self, ctx: &Context<'_>) -> Result<Option<Session>> {
        Ok(
            load_opt(&loaders(ctx)?.sessions, self.0.evaluation_session_id)
                .await?
                .map(Session),
        )
    }
    /// The student it became.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load_opt(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
    /// When it was taken.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// Lead queries.
#[derive(Default)]
pub struct LeadQuery;

#[Object]
impl LeadQuery {
    /// The school's leads, newest first (the office).
    async fn leads(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        status: Option<LeadStatus>,
    ) -> Result<Page<Lead>> {
        let viewer = authorize(ctx, Action::ManageSchool)?;
        let args = PageArgs {
            after,
            before,
            first,
            last,
        };
        crate::schema::page::window(&args, 0)?;
        let rows = infra::crm::leads(app(ctx).db.conn(), viewer.school, status.map(Into::into))
            .await
            .map_err(internal)?;
        page_of(rows.into_iter().map(Lead).collect(), &args)
    }
}

/// Input of `createLead`.
#[derive(InputObject)]
pub struct CreateLeadInput {
    /// The parent's name.
    pub parent_name: String,
    /// The parent's email (this or a phone).
    pub parent_email: Option<String>,
    /// The parent's phone.
    pub parent_phone: Option<String>,
    /// The child's first name.
    pub child_first_name: String,
    /// The child's last name.
    pub child_last_name: String,
    /// The child's date of birth.
    pub child_birth_date: Option<LocalDate>,
    /// How they heard of the school.
    pub source: Option<String>,
    /// Notes from the call.
    pub notes: Option<String>,
}

/// Result of the lead mutations.
#[derive(SimpleObject, Default)]
pub struct LeadPayload {
    /// The lead.
    pub lead: Option<Lead>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `setLeadStatus`.
#[derive(InputObject)]
pub struct SetLeadStatusInput {
    /// The lead.
    pub lead_id: ID,
    /// Its new status (REGISTERED only through `convertLead`).
    pub status: LeadStatus,
}

/// Input of `bookEvaluation`.
#[derive(InputObject)]
pub struct BookEvaluationInput {
    /// The lead.
    pub lead_id: ID,
    /// The evaluation session (create it with `createSession`, with a
    /// teacher and an EVALUATION offering).
    pub session_id: ID,
}

/// Input of `convertLead`.
#[derive(InputObject)]
pub struct ConvertLeadInput {
    /// The lead (after its evaluation).
    pub lead_id: ID,
    /// The parent's first name for their login.
    pub parent_first_name: String,
    /// The parent's last name.
    pub parent_last_name: String,
    /// The parent login's initial password (at least 8 characters).
    pub parent_password: String,
}

/// Result of `convertLead`.
#[derive(SimpleObject, Default)]
pub struct ConvertLeadPayload {
    /// The lead, now REGISTERED.
    pub lead: Option<Lead>,
    /// The new student.
    pub student: Option<Student>,
    /// The parent's new login.
    pub parent: Option<User>,
    /// The new family.
    pub family: Option<Family>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(LeadPayload, ConvertLeadPayload);

fn lead_error(e: LeadError) -> UserError {
    let field = match e {
        LeadError::ParentName(_) => "parentName",
        LeadError::ChildFirstName(_) => "childFirstName",
        LeadError::ChildLastName(_) => "childLastName",
        LeadError::NoContact | LeadError::Email => "parentEmail",
        LeadError::Phone => "parentPhone",
    };
    UserError::input(field, Code::Invalid, e.to_string())
}

/// Lead mutations.
#[derive(Default)]
pub struct LeadMutation;

#[Object]
impl LeadMutation {
    /// Takes a lead from a call. A lead with the same parent email or
    /// phone as an earlier one is saved and flagged (`duplicateOf`).
    async fn create_lead(&self, ctx: &Context<'_>, input: CreateLeadInput) -> Result<LeadPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let new = match NewLead::parse(
            &input.parent_name,
            input.parent_email.as_deref(),
            input.parent_phone.as_deref(),
            &input.child_first_name,
            &input.child_last_name,
            input.child_birth_date.map(|d| d.0),
            input.source.as_deref(),
            input.notes.as_deref(),
        ) {
            Ok(n) => n,
            Err(e) => return refused(lead_error(e)),
        };
        mutation(ctx, async |tx, viewer| {
            let row = infra::crm::create_lead(tx, viewer.school, new, app(ctx).clock.now())
                .await
                .map_err(internal)?;
            let id = row.id;
            Ok(Done::Commit(
                LeadPayload {
                    lead: Some(Lead(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Lead, id)],
            ))
        })
        .await
    }
    /// Moves a lead along (NEW_BOOKING → CONFIRMED → EVALUATION_COMPLETE),
    /// or archives it.
    async fn set_lead_status(
        &self,
        ctx: &Context<'_>,
        input: SetLeadStatusInput,
    ) -> Result<LeadPayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(id) = decode(Kind::Lead, &input.lead_id) else {
                return Ok(Done::refuse(FieldError::not_found("leadId", "lead")));
            };
            let to: DomainLeadStatus = input.status.into();
            match infra::crm::set_lead_status(tx, viewer.school, id, to)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(FieldError::not_found("leadId", "lead"))),
                Some(Err(e)) => Ok(Done::refuse(UserError::input(
                    "status",
                    Code::InvalidState,
                    e.to_string(),
                ))),
                Some(Ok(row)) => Ok(Done::Commit(
                    LeadPayload {
                        lead: Some(Lead(row.clone())),
                        user_errors: vec![],
                    },
                    vec![(Kind::Lead, row.id)],
                )),
            }
        })
        .await
    }
    /// Books a lead's evaluation: links the session (with a teacher) and
    /// confirms the lead.
    async fn book_evaluation(
        &self,
        ctx: &Context<'_>,
        input: BookEvaluationInput,
    ) -> Result<LeadPayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(id) = decode(Kind::Lead, &input.lead_id) else {
                return Ok(Done::refuse(FieldError::not_found("leadId", "lead")));
            };
            let Some(sid) = decode(Kind::Session, &input.session_id) else {
                return Ok(Done::refuse(FieldError::not_found("sessionId", "session")));
            };
            let now = app(ctx).clock.now();
            let sid = kernel::SessionId::from_uuid(sid);
            match infra::crm::attach_evaluation(tx, viewer.school, id, sid, now)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(FieldError::not_found("leadId", "lead"))),
                Some(Err(None)) => Ok(Done::refuse(FieldError::not_found("sessionId", "session"))),
                Some(Err(Some(e))) => {
                    let (field, code) = match e {
                        crm::lead::EvaluationError::Step(_) => ("leadId", Code::InvalidState),
                        _ => ("sessionId", Code::Invalid),
                    };
                    Ok(Done::refuse(UserError::input(field, code, e.to_string())))
                }
                Some(Ok(row)) => Ok(Done::Commit(
                    LeadPayload {
                        lead: Some(Lead(row.clone())),
                        user_errors: vec![],
                    },
                    vec![(Kind::Lead, row.id), (Kind::Session, sid.uuid())],
                )),
            }
        })
        .await
    }
    /// Converts a lead after its evaluation into a student, a parent login
    /// and their family, in one transaction.
    async fn convert_lead(
        &self,
        ctx: &Context<'_>,
        input: ConvertLeadInput,
    ) -> Result<ConvertLeadPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let parsed = (|| {
            Ok::<_, FieldError>((
                crate::error::required_text("parentFirstName", &input.parent_first_name)?,
                crate::error::required_text("parentLastName", &input.parent_last_name)?,
                crate::schema::identity::account::check_password(
                    "parentPassword",
                    &input.parent_password,
                )?,
            ))
        })();
        let (first, last, ()) = match parsed {
            Ok(p) => p,
            Err(e) => return refused(e),
        };
        let hash = infra::auth::hash_password(&input.parent_password).map_err(internal)?;
        mutation(ctx, async |tx, viewer| {
            let Some(id) = decode(Kind::Lead, &input.lead_id) else {
                return Ok(Done::refuse(FieldError::not_found("leadId", "lead")));
            };
            let conversion = infra::crm::Conversion {
                password_hash: hash,
                parent_first_name: first,
                parent_last_name: last,
            };
            let now = app(ctx).clock.now();
            match infra::crm::convert_lead(tx, viewer.school, id, conversion, now)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(FieldError::not_found("leadId", "lead"))),
                Some(Err(ConvertRefused::Step(e))) => Ok(Done::refuse(UserError::input(
                    "leadId",
                    Code::InvalidState,
                    format!("{e}; mark the evaluation complete first"),
                ))),
                Some(Err(ConvertRefused::NoEmail)) => Ok(Done::refuse(UserError::input(
                    "leadId",
                    Code::InvalidState,
                    "the lead has no parent email for the parent's login; take a new lead with one",
                ))),
                Some(Err(ConvertRefused::EmailTaken)) => Ok(Done::refuse(UserError::input(
                    "leadId",
                    Code::Taken,
                    "a login with the parent's email already exists; add the student to that parent's family instead",
                ))),
                Some(Ok(done)) => {
                    let targets = vec![
                        (Kind::Lead, done.lead.id),
                        (Kind::Student, done.student.id),
                        (Kind::User, done.parent.id),
                        (Kind::Family, done.family.id),
                    ];
                    Ok(Done::Commit(
                        ConvertLeadPayload {
                            lead: Some(Lead(done.lead)),
                            student: Some(Student(done.student)),
                            parent: Some(User(done.parent)),
                            family: Some(Family {
                                model: done.family,
                            }),
                            user_errors: vec![],
                        },
                        targets,
                    ))
                }
            }
        })
        .await
    }
}
