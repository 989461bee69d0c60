//! Programmes and student subscriptions over GraphQL, with freezes that
//! move the end date and the unpaid installments.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use crm::subscription::FreezeError;
use infra::crm::FreezeRequest;
use infra::entity::{
    programme, student, subscription, subscription_freeze, subscription_installment,
};
use kernel::StudentId;
use kernel::policy::Action;

use crate::context::{app, loaders};
use crate::error::{Code, FieldError, UserError, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::LocalDate;
use crate::schema::{
    Done, Student, authorize, find_in_school, find_usable, load, mutation, payloads, refused,
};

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

/// An installment of a subscription, collected through an invoice
/// (`invoiceInstallment`): its paid amount and status follow that
/// invoice's payments.
pub struct Installment(pub subscription_installment::Model);

#[Object]
impl Installment {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Installment, self.0.id)
    }
    /// When it is due (moves with freezes while unpaid).
    async fn due_date(&self) -> LocalDate {
        LocalDate(self.0.due_date)
    }
    /// The due date of the plan, before any freeze.
    async fn original_due_date(&self) -> LocalDate {
        LocalDate(self.0.original_due_date)
    }
    /// Amount in minor units.
    async fn amount_minor(&self) -> i64 {
        self.0.amount_minor
    }
    /// ISO-4217 currency.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// Paid so far, in minor units (its invoice's payments, net of refunds).
    async fn paid_minor(&self) -> i64 {
        self.0.paid_minor
    }
    /// PENDING, PAID, or OVERDUE (not paid in full, past its due date in
    /// the school's zone).
    async fn status(&self, ctx: &Context<'_>) -> Result<InstallmentStatus> {
        let stored = infra::installments::status(&self.0).map_err(internal)?;
        let today = loaders(ctx)?
            .school_today(app(ctx).clock.now())
            .await
            .map_err(internal)?;
        Ok(stored.as_of(self.0.due_date, today).into())
    }
    /// Paid in full.
    async fn paid(&self) -> Result<bool> {
        let stored = infra::installments::status(&self.0).map_err(internal)?;
        Ok(stored == billing::InstallmentStatus::Paid)
    }
    /// The invoice collecting it (null until `invoiceInstallment`, or if
    /// the viewer may not read that invoice).
    async fn invoice(&self, ctx: &Context<'_>) -> Result<Option<crate::schema::billing::Invoice>> {
        let Some(id) = self.0.invoice_id else {
            return Ok(None);
        };
        let Some(inv) = load(&loaders(ctx)?.invoices, id).await? else {
            return Ok(None);
        };
        let viewer = crate::context::viewer(ctx)?;
        Ok(crate::schema::billing::may_read(viewer, &inv)
            .is_ok()
            .then_some(crate::schema::billing::Invoice(inv)))
    }
}

/// Where an installment stands.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
pub enum InstallmentStatus {
    /// Not fully paid, not yet due.
    Pending,
    /// Paid in full.
    Paid,
    /// Not fully paid and past its due date.
    Overdue,
}

impl From<billing::InstallmentStatus> for InstallmentStatus {
    fn from(s: billing::InstallmentStatus) -> Self {
        match s {
            billing::InstallmentStatus::Pending => Self::Pending,
            billing::InstallmentStatus::Paid => Self::Paid,
            billing::InstallmentStatus::Overdue => Self::Overdue,
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
        Ok(load(&loaders(ctx)?.programmes, self.0.programme_id)
            .await?
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
        Ok(self.freeze_rows(ctx).await?.iter().map(|f| f.days).sum())
    }
    /// Its freezes, by date.
    async fn freezes(&self, ctx: &Context<'_>) -> Result<Vec<SubscriptionFreeze>> {
        Ok(self
            .freeze_rows(ctx)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Its installments, by due date.
    async fn installments(&self, ctx: &Context<'_>) -> Result<Vec<Installment>> {
        Ok(loaders(ctx)?
            .installments
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default()
            .into_iter()
            .map(Installment)
            .collect())
    }
}

impl StudentSubscription {
    /// Its freeze rows, through the request's loader (one statement for
    /// every subscription on the page).
    async fn freeze_rows(&self, ctx: &Context<'_>) -> Result<Vec<subscription_freeze::Model>> {
        Ok(loaders(ctx)?
            .freezes
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default())
    }
}

/// A student's subscriptions (for whoever may read the student).
pub(crate) async fn student_subscriptions(
    ctx: &Context<'_>,
    s: &student::Model,
) -> Result<Vec<StudentSubscription>> {
    authorize(ctx, Action::ReadPrivate(StudentId::from_uuid(s.id)))?;
    Ok(loaders(ctx)?
        .subscriptions
        .load_one(s.id)
        .await
        .map_err(internal)?
        .unwrap_or_default()
        .into_iter()
        .map(StudentSubscription)
        .collect())
}

/// Subscription queries.
#[derive(Default)]
pub struct SubscriptionQuery;

#[Object]
impl SubscriptionQuery {
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

payloads!(ProgrammePayload, SubscriptionPayload);

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

/// Subscription mutations.
#[derive(Default)]
pub struct SubscriptionMutation;

#[Object]
impl SubscriptionMutation {
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
        let asked: infra::crm::Installments = input
            .installments
            .iter()
            .map(|i| (i.due_date.0, i.amount_minor))
            .collect();
        let plan = match crm::subscription::parse_installments(&t, &asked) {
            Ok(p) => p,
            Err(e) => {
                let index = match e {
                    crm::subscription::InstallmentError::Amount { index }
                    | crm::subscription::InstallmentError::Outside { index } => index,
                };
                return refused(UserError {
                    field: Some(vec![
                        "input".into(),
                        "installments".into(),
                        index.to_string(),
                    ]),
                    message: e.to_string(),
                    code: Code::Invalid,
                });
            }
        };
        mutation(ctx, async |tx, viewer| {
            let s = match find_usable::<student::Entity>(
                tx,
                viewer.school,
                Kind::Student,
                &input.student_id,
                "studentId",
            )
            .await?
            {
                Ok(s) => s,
                Err(e) => return Ok(Done::refuse(e)),
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
            let today = infra::booking::rows::school_zone(tx, viewer.school)
                .await
                .map_err(internal)?
                .local_date(app(ctx).clock.now());
            let on = input.on.map_or(today, |d| d.0);
            match infra::crm::unfreeze(tx, viewer.school, id, on, today)
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
}
