//! CRM over GraphQL: leads and their conversion, programmes and student
//! subscriptions with freezes, students' QR codes and check-in scans.
//! Resolvers authorize, call `infra::crm` (which asks `crm` for every
//! decision) and map the result.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use crm::checkin::{Arrival, ScanKind};
use crm::lead::{LeadError, LeadStatus as DomainLeadStatus, NewLead};
use crm::qr::{QrClaims, QrError};
use crm::subscription::FreezeError;
use infra::crm::{ConvertRefused, EvaluationRefused, FreezeRequest, Scan, ScanRefused};
use infra::entity::{
    check_in, lead, programme, session, student, subscription, subscription_freeze,
    subscription_installment,
};
use kernel::policy::Action;
use kernel::{StudentId, TeacherId};

use crate::context::{app, loaders};
use crate::error::{Code, FieldError, UserError, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::{DateTime, LocalDate};
use crate::schema::page::{Page, PageArgs, page_of};
use crate::schema::{
    Done, Family, Session, Student, User, allow, authorize, find_in_school, load, load_opt,
    mutation, payloads, refused,
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
        let Some(id) = self.0.duplicate_of_id else {
            return Ok(None);
        };
        let viewer = crate::context::viewer(ctx)?;
        Ok(
            infra::repo::find::<lead::Entity>(app(ctx).db.conn(), viewer.school, id)
                .await
                .map_err(internal)?
                .map(Lead),
        )
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

/// A programme students subscribe to.
pub struct Programme(pub programme::Model);

#[Object]
impl Programme {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Programme, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// A freeze of a subscription.
#[derive(SimpleObject)]
pub struct SubscriptionFreeze {
    /// First frozen day.
    pub from: LocalDate,
    /// Frozen days.
    pub days: i32,
    /// Why.
    pub reason: Option<String>,
}

impl From<subscription_freeze::Model> for SubscriptionFreeze {
    fn from(f: subscription_freeze::Model) -> Self {
        Self {
            from: LocalDate(f.from_date),
            days: f.days,
            reason: f.reason,
        }
    }
}

/// An installment of a subscription.
#[derive(SimpleObject)]
pub struct Installment {
    /// When it is due (moves with freezes while unpaid).
    pub due_date: LocalDate,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO-4217 currency.
    pub currency: String,
    /// Paid.
    pub paid: bool,
}

impl From<subscription_installment::Model> for Installment {
    fn from(i: subscription_installment::Model) -> Self {
        Self {
            due_date: LocalDate(i.due_date),
            amount_minor: i.amount_minor,
            currency: i.currency,
            paid: i.paid,
        }
    }
}

/// A student's subscription to a programme (named so: `Subscription` is
/// the root type of live updates).
pub struct StudentSubscription(pub subscription::Model);

#[Object]
impl StudentSubscription {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::StudentSubscription, self.0.id)
    }
    /// The student.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
    /// The programme.
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<Programme>> {
        let viewer = crate::context::viewer(ctx)?;
        Ok(infra::repo::find::<programme::Entity>(
            app(ctx).db.conn(),
            viewer.school,
            self.0.programme_id,
        )
        .await
        .map_err(internal)?
        .map(Programme))
    }
    /// First day.
    async fn start_date(&self) -> LocalDate {
        LocalDate(self.0.start_date)
    }
    /// Last day (moves with freezes).
    async fn end_date(&self) -> LocalDate {
        LocalDate(self.0.end_date)
    }
    /// Freeze days allowed in all.
    async fn freeze_days_allowed(&self) -> i32 {
        self.0.freeze_days_allowed
    }
    /// Freeze days used.
    async fn freeze_days_used(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.details(ctx).await?.0.iter().map(|f| f.days).sum())
    }
    /// Its freezes, by date.
    async fn freezes(&self, ctx: &Context<'_>) -> Result<Vec<SubscriptionFreeze>> {
        Ok(self
            .details(ctx)
            .await?
            .0
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Its installments, by due date.
    async fn installments(&self, ctx: &Context<'_>) -> Result<Vec<Installment>> {
        Ok(self
            .details(ctx)
            .await?
            .1
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

impl StudentSubscription {
    async fn details(
        &self,
        ctx: &Context<'_>,
    ) -> Result<(
        Vec<subscription_freeze::Model>,
        Vec<subscription_installment::Model>,
    )> {
        let viewer = crate::context::viewer(ctx)?;
        infra::crm::subscription_details(app(ctx).db.conn(), viewer.school, self.0.id)
            .await
            .map_err(internal)
    }
}

/// What a scan recorded.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CheckInKind {
    /// Arriving at the centre.
    CenterCheckIn,
    /// Leaving it.
    CenterCheckOut,
    /// Arriving at a session (takes attendance).
    SessionCheckIn,
}

impl From<CheckInKind> for ScanKind {
    fn from(k: CheckInKind) -> Self {
        match k {
            CheckInKind::CenterCheckIn => Self::CenterCheckIn,
            CheckInKind::CenterCheckOut => Self::CenterCheckOut,
            CheckInKind::SessionCheckIn => Self::SessionCheckIn,
        }
    }
}

impl From<ScanKind> for CheckInKind {
    fn from(k: ScanKind) -> Self {
        match k {
            ScanKind::CenterCheckIn => Self::CenterCheckIn,
            ScanKind::CenterCheckOut => Self::CenterCheckOut,
            ScanKind::SessionCheckIn => Self::SessionCheckIn,
        }
    }
}

/// One scan of a student's code.
pub struct CheckIn(pub check_in::Model);

#[Object]
impl CheckIn {
    /// What it recorded.
    async fn kind(&self) -> Result<CheckInKind> {
        infra::stored("check_ins", &self.0.kind, ScanKind::parse)
            .map(Into::into)
            .map_err(internal)
    }
    /// When.
    async fn at(&self) -> DateTime {
        DateTime(self.0.at)
    }
    /// The session (session check-ins).
    async fn session(&self, ctx: &Context<'_>) -> Result<Option<Session>> {
        Ok(load_opt(&loaders(ctx)?.sessions, self.0.session_id)
            .await?
            .map(Session))
    }
    /// The student.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
    /// Which scanner.
    async fn device(&self) -> Option<&str> {
        self.0.device.as_deref()
    }
}

/// A student's subscriptions (for whoever may read the student).
pub(crate) async fn student_subscriptions(
    ctx: &Context<'_>,
    s: &student::Model,
) -> Result<Vec<StudentSubscription>> {
    let viewer = authorize(ctx, Action::ReadStudent(StudentId::from_uuid(s.id)))?;
    Ok(
        infra::crm::subscriptions_of(app(ctx).db.conn(), viewer.school, [s.id])
            .await
            .map_err(internal)?
            .remove(&s.id)
            .unwrap_or_default()
            .into_iter()
            .map(StudentSubscription)
            .collect(),
    )
}

/// The token a student's QR code carries: for the office and those who
/// act for the student (null for others).
pub(crate) fn qr_token(ctx: &Context<'_>, s: &student::Model) -> Result<Option<String>> {
    let viewer = crate::context::viewer(ctx)?;
    if !crate::qr_image::may_see(viewer, StudentId::from_uuid(s.id)) {
        return Ok(None);
    }
    Ok(Some(crate::qr_image::token(app(ctx), viewer.school, s)))
}

/// A student's latest scans (the office and teachers).
pub(crate) async fn student_check_ins(
    ctx: &Context<'_>,
    s: &student::Model,
) -> Result<Option<Vec<CheckIn>>> {
    let viewer = crate::context::viewer(ctx)?;
    if kernel::policy::authorize(viewer, Action::ScanCheckIn).is_err() {
        return Ok(None);
    }
    Ok(Some(
        infra::crm::check_ins_of(app(ctx).db.conn(), viewer.school, s.id, 50)
            .await
            .map_err(internal)?
            .into_iter()
            .map(CheckIn)
            .collect(),
    ))
}

/// CRM queries.
#[derive(Default)]
pub struct CrmQuery;

#[Object]
impl CrmQuery {
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

    /// The school's programmes, by name.
    async fn programmes(&self, ctx: &Context<'_>) -> Result<Vec<Programme>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        Ok(infra::crm::programmes(app(ctx).db.conn(), viewer.school)
            .await
            .map_err(internal)?
            .into_iter()
            .map(Programme)
            .collect())
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

/// Input of `createProgramme`.
#[derive(InputObject)]
pub struct CreateProgrammeInput {
    /// Name.
    pub name: String,
}

/// Result of `createProgramme`.
#[derive(SimpleObject, Default)]
pub struct ProgrammePayload {
    /// The programme.
    pub programme: Option<Programme>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// An installment of a new subscription.
#[derive(InputObject)]
pub struct InstallmentInput {
    /// Due date.
    pub due_date: LocalDate,
    /// Amount in the school currency's minor units.
    pub amount_minor: i64,
}

/// Input of `createSubscription`.
#[derive(InputObject)]
pub struct CreateSubscriptionInput {
    /// The student.
    pub student_id: ID,
    /// The programme.
    pub programme_id: ID,
    /// First day.
    pub start_date: LocalDate,
    /// Last day.
    pub end_date: LocalDate,
    /// Freeze days allowed in all (0 to 366).
    #[graphql(default)]
    pub freeze_days_allowed: i32,
    /// The installment plan.
    #[graphql(default)]
    pub installments: Vec<InstallmentInput>,
}

/// Result of the subscription mutations.
#[derive(SimpleObject, Default)]
pub struct SubscriptionPayload {
    /// The subscription.
    pub subscription: Option<StudentSubscription>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `freezeSubscription`.
#[derive(InputObject)]
pub struct FreezeSubscriptionInput {
    /// The subscription.
    pub subscription_id: ID,
    /// First frozen day (today or later).
    pub from: LocalDate,
    /// Days.
    pub days: i32,
    /// Why.
    pub reason: Option<String>,
}

/// Input of `unfreezeSubscription`.
#[derive(InputObject)]
pub struct UnfreezeSubscriptionInput {
    /// The subscription.
    pub subscription_id: ID,
    /// The first day that is not frozen any more (default today).
    pub on: Option<LocalDate>,
}

/// Input of `rotateQrCode`.
#[derive(InputObject)]
pub struct RotateQrCodeInput {
    /// The student whose printed codes stop working.
    pub student_id: ID,
}

/// Result of `rotateQrCode`.
#[derive(SimpleObject, Default)]
pub struct RotateQrCodePayload {
    /// The student (read `qrCode` for the new code).
    pub student: Option<Student>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `checkIn`.
#[derive(InputObject)]
pub struct CheckInInput {
    /// The scanned code's text.
    pub code: String,
    /// What the scan records.
    pub kind: CheckInKind,
    /// The session, for SESSION_CHECK_IN.
    pub session_id: Option<ID>,
    /// Which scanner.
    pub device: Option<String>,
}

/// Attendance a session check-in took.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CheckInArrival {
    /// On time.
    Present,
    /// Late.
    Late,
}

/// Result of `checkIn`.
#[derive(SimpleObject, Default)]
pub struct CheckInPayload {
    /// The scan.
    pub check_in: Option<CheckIn>,
    /// For a session check-in: the attendance taken.
    pub attendance: Option<CheckInArrival>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(
    LeadPayload,
    ConvertLeadPayload,
    ProgrammePayload,
    SubscriptionPayload,
    RotateQrCodePayload,
    CheckInPayload
);

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

fn freeze_error(e: FreezeError) -> UserError {
    let (field, code) = match e {
        FreezeError::NoDays => ("days", Code::Invalid),
        FreezeError::PastAllowance { .. } => ("days", Code::LimitExceeded),
        FreezeError::InThePast(_) | FreezeError::Outside { .. } => ("from", Code::Invalid),
        FreezeError::Overlaps { .. } => ("from", Code::Conflict),
        FreezeError::NotFrozen(_) => ("on", Code::InvalidState),
    };
    UserError::input(field, code, e.to_string())
}

fn qr_error(e: QrError) -> UserError {
    UserError::input("code", Code::Forbidden, e.to_string())
}

/// CRM mutations.
#[derive(Default)]
pub struct CrmMutation;

#[Object]
impl CrmMutation {
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
            if to == DomainLeadStatus::Registered {
                return Ok(Done::refuse(UserError::input(
                    "status",
                    Code::Invalid,
                    "a lead becomes REGISTERED by convertLead, which creates the student",
                )));
            }
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
            let Some(s) = find_in_school::<session::Entity>(
                tx,
                viewer.school,
                Kind::Session,
                &input.session_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("sessionId", "session")));
            };
            match infra::crm::attach_evaluation(tx, viewer.school, id, &s)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(FieldError::not_found("leadId", "lead"))),
                Some(Err(EvaluationRefused::NoTeacher)) => Ok(Done::refuse(UserError::input(
                    "sessionId",
                    Code::Invalid,
                    "an evaluation needs a teacher: give the session one first",
                ))),
                Some(Err(EvaluationRefused::NotEvaluation)) => Ok(Done::refuse(UserError::input(
                    "sessionId",
                    Code::Invalid,
                    "an evaluation is a session of an EVALUATION offering; create one with createSession",
                ))),
                Some(Err(EvaluationRefused::Step(e))) => Ok(Done::refuse(UserError::input(
                    "leadId",
                    Code::InvalidState,
                    e.to_string(),
                ))),
                Some(Ok(row)) => Ok(Done::Commit(
                    LeadPayload {
                        lead: Some(Lead(row.clone())),
                        user_errors: vec![],
                    },
                    vec![(Kind::Lead, row.id), (Kind::Session, s.id)],
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

    /// Adds a programme.
    async fn create_programme(
        &self,
        ctx: &Context<'_>,
        input: CreateProgrammeInput,
    ) -> Result<ProgrammePayload> {
        authorize(ctx, Action::ManageSchool)?;
        let name = match crate::error::required_text("name", &input.name) {
            Ok(n) => n,
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let row = infra::crm::create_programme(tx, viewer.school, name, app(ctx).clock.now())
                .await
                .map_err(internal)?;
            let id = row.id;
            Ok(Done::Commit(
                ProgrammePayload {
                    programme: Some(Programme(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Programme, id)],
            ))
        })
        .await
    }

    /// Subscribes a student to a programme, with an installment plan.
    async fn create_subscription(
        &self,
        ctx: &Context<'_>,
        input: CreateSubscriptionInput,
    ) -> Result<SubscriptionPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let t = match crm::subscription::new_terms(
            input.start_date.0,
            input.end_date.0,
            i64::from(input.freeze_days_allowed),
        ) {
            Ok(t) => t,
            Err(e) => {
                let field = match e {
                    crm::subscription::SubscriptionError::Allowance => "freezeDaysAllowed",
                    _ => "endDate",
                };
                return refused(UserError::input(field, Code::Invalid, e.to_string()));
            }
        };
        if input.installments.iter().any(|i| i.amount_minor <= 0) {
            return refused(UserError::input(
                "installments",
                Code::Invalid,
                "each installment has a positive amount",
            ));
        }
        let plan: infra::crm::Installments = input
            .installments
            .iter()
            .map(|i| (i.due_date.0, i.amount_minor))
            .collect();
        mutation(ctx, async |tx, viewer| {
            let Some(s) = find_in_school::<student::Entity>(
                tx,
                viewer.school,
                Kind::Student,
                &input.student_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("studentId", "student")));
            };
            let Some(p) = find_in_school::<programme::Entity>(
                tx,
                viewer.school,
                Kind::Programme,
                &input.programme_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "programmeId",
                    "programme",
                )));
            };
            let row = infra::crm::create_subscription(
                tx,
                viewer.school,
                s.id,
                p.id,
                &t,
                &plan,
                app(ctx).clock.now(),
            )
            .await
            .map_err(internal)?;
            let id = row.id;
            Ok(Done::Commit(
                SubscriptionPayload {
                    subscription: Some(StudentSubscription(row)),
                    user_errors: vec![],
                },
                vec![(Kind::StudentSubscription, id)],
            ))
        })
        .await
    }

    /// Freezes a subscription: its end date and its unpaid installments
    /// from that day on move by the frozen days. Refused past the
    /// allowance or overlapping another freeze.
    async fn freeze_subscription(
        &self,
        ctx: &Context<'_>,
        input: FreezeSubscriptionInput,
    ) -> Result<SubscriptionPayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(id) = decode(Kind::StudentSubscription, &input.subscription_id) else {
                return Ok(Done::refuse(FieldError::not_found(
                    "subscriptionId",
                    "subscription",
                )));
            };
            let now = app(ctx).clock.now();
            let zone = infra::booking::rows::school_zone(tx, viewer.school)
                .await
                .map_err(internal)?;
            let ask = FreezeRequest {
                from: input.from.0,
                days: i64::from(input.days),
                reason: crate::schema::notes(input.reason.clone()),
                by: viewer.user,
                today: zone.local_date(now),
            };
            match infra::crm::freeze(tx, viewer.school, id, ask, now)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(FieldError::not_found(
                    "subscriptionId",
                    "subscription",
                ))),
                Some(Err(e)) => Ok(Done::Refuse(freeze_error(e))),
                Some(Ok(row)) => Ok(Done::Commit(
                    SubscriptionPayload {
                        subscription: Some(StudentSubscription(row.clone())),
                        user_errors: vec![],
                    },
                    vec![(Kind::StudentSubscription, row.id)],
                )),
            }
        })
        .await
    }

    /// Ends a running freeze early: the unused days return to the
    /// allowance, and the end date and installments move back.
    async fn unfreeze_subscription(
        &self,
        ctx: &Context<'_>,
        input: UnfreezeSubscriptionInput,
    ) -> Result<SubscriptionPayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(id) = decode(Kind::StudentSubscription, &input.subscription_id) else {
                return Ok(Done::refuse(FieldError::not_found(
                    "subscriptionId",
                    "subscription",
                )));
            };
            let on = match input.on {
                Some(d) => d.0,
                None => infra::booking::rows::school_zone(tx, viewer.school)
                    .await
                    .map_err(internal)?
                    .local_date(app(ctx).clock.now()),
            };
            match infra::crm::unfreeze(tx, viewer.school, id, on)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(FieldError::not_found(
                    "subscriptionId",
                    "subscription",
                ))),
                Some(Err(e)) => Ok(Done::Refuse(freeze_error(e))),
                Some(Ok(row)) => Ok(Done::Commit(
                    SubscriptionPayload {
                        subscription: Some(StudentSubscription(row.clone())),
                        user_errors: vec![],
                    },
                    vec![(Kind::StudentSubscription, row.id)],
                )),
            }
        })
        .await
    }

    /// Replaces a student's QR code: codes printed before stop working.
    async fn rotate_qr_code(
        &self,
        ctx: &Context<'_>,
        input: RotateQrCodeInput,
    ) -> Result<RotateQrCodePayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(id) = decode(Kind::Student, &input.student_id) else {
                return Ok(Done::refuse(FieldError::not_found("studentId", "student")));
            };
            match infra::crm::rotate_qr(tx, viewer.school, StudentId::from_uuid(id))
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(FieldError::not_found("studentId", "student"))),
                Some(s) => Ok(Done::Commit(
                    RotateQrCodePayload {
                        student: Some(Student(s.clone())),
                        user_errors: vec![],
                    },
                    vec![(Kind::Student, s.id)],
                )),
            }
        })
        .await
    }

    /// Records a scan of a student's QR code: into or out of the centre
    /// (check-out needs an open check-in), or into a session of today
    /// (from an hour before its start until its end; takes attendance,
    /// PRESENT or LATE). A forged, expired, replaced or another school's
    /// code is refused.
    async fn check_in(&self, ctx: &Context<'_>, input: CheckInInput) -> Result<CheckInPayload> {
        authorize(ctx, Action::ScanCheckIn)?;
        mutation(ctx, async |tx, viewer| {
            let state = app(ctx);
            let now = state.clock.now();
            let claims =
                match QrClaims::verify(&state.download_key, &input.code, viewer.school, now) {
                    Ok(c) => c,
                    Err(e) => return Ok(Done::Refuse(qr_error(e))),
                };
            let Some(s) = infra::crm::lock_student(tx, viewer.school, claims.student)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::Refuse(qr_error(QrError::Forged)));
            };
            if let Err(e) = claims.current(s.qr_version.max(0) as u32) {
                return Ok(Done::Refuse(qr_error(e)));
            }
            let session = match &input.session_id {
                Some(id) => {
                    let Some(found) =
                        find_in_school::<session::Entity>(tx, viewer.school, Kind::Session, id)
                            .await?
                    else {
                        return Ok(Done::refuse(FieldError::not_found("sessionId", "session")));
                    };
                    allow(
                        viewer,
                        Action::RecordAttendance(found.teacher_id.map(TeacherId::from_uuid)),
                    )?;
                    Some(kernel::SessionId::from_uuid(found.id))
                }
                None => None,
            };
            let scan = Scan {
                student: claims.student,
                kind: input.kind.into(),
                session,
                device: crate::schema::notes(input.device.clone()),
                by: viewer.user,
            };
            let (row, arrival) = match infra::crm::record_scan(tx, viewer.school, scan, now)
                .await
                .map_err(internal)?
            {
                Ok(done) => done,
                Err(ScanRefused::NoSession) => {
                    return Ok(Done::refuse(UserError::input(
                        "sessionId",
                        Code::Invalid,
                        "a session check-in names the session",
                    )));
                }
                Err(ScanRefused::Rule(e)) => {
                    return Ok(Done::refuse(UserError::input(
                        "kind",
                        Code::InvalidState,
                        e.to_string(),
                    )));
                }
                Err(ScanRefused::Attendance(e)) => return Ok(Done::refuse(e)),
            };
            Ok(Done::Commit(
                CheckInPayload {
                    check_in: Some(CheckIn(row)),
                    attendance: arrival.map(|a| match a {
                        Arrival::Present => CheckInArrival::Present,
                        Arrival::Late => CheckInArrival::Late,
                    }),
                    user_errors: vec![],
                },
                vec![(Kind::Student, s.id)],
            ))
        })
        .await
    }
}
