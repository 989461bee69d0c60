//! Teacher payouts over GraphQL: `computePayout` for a teacher and month,
//! `setPayoutStatus`, and `payouts` (the payslip view: the office sees
//! every teacher's, a teacher their own).

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use billing::payout::{PayoutStatus as DomainStatus, Period};
use infra::entity::{payout, payout_line, teacher};
use infra::payouts::PayoutError;
use kernel::policy::Action;

use crate::context::{app, loaders};
use crate::error::{Code, FieldError, UserError, forbidden, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::DateTime;
use crate::schema::{
    Booking, Done, Session, Teacher, authorize, find_in_school, load, mutation, payloads,
};

/// Where a payout is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PayoutStatus {
    /// Computed, not yet sent (may be recomputed).
    Pending,
    /// Being paid.
    Processing,
    /// Paid.
    Completed,
    /// The transfer failed (may be processed again).
    Failed,
}

impl From<DomainStatus> for PayoutStatus {
    fn from(s: DomainStatus) -> Self {
        match s {
            DomainStatus::Pending => Self::Pending,
            DomainStatus::Processing => Self::Processing,
            DomainStatus::Completed => Self::Completed,
            DomainStatus::Failed => Self::Failed,
        }
    }
}

impl From<PayoutStatus> for DomainStatus {
    fn from(s: PayoutStatus) -> Self {
        match s {
            PayoutStatus::Pending => Self::Pending,
            PayoutStatus::Processing => Self::Processing,
            PayoutStatus::Completed => Self::Completed,
            PayoutStatus::Failed => Self::Failed,
        }
    }
}

/// One line of a payslip: a session led or assisted, or a 1-on-1 lesson.
pub struct PayoutLine(pub payout_line::Model);

#[Object]
impl PayoutLine {
    /// When and what ("2026-03-02 10:00 Choir").
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Sessions, minutes or students, as the pay basis counts.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    /// Amount in minor units.
    async fn amount_minor(&self) -> i64 {
        self.0.amount_minor
    }
    /// The session led or assisted (null for a 1-on-1 lesson).
    async fn session(&self, ctx: &Context<'_>) -> Result<Option<Session>> {
        let Some(id) = self.0.session_id else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.sessions, id).await?.map(Session))
    }
    /// The 1-on-1 lesson (null for a session).
    async fn lesson(&self, ctx: &Context<'_>) -> Result<Option<Booking>> {
        let Some(id) = self.0.booking_id else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.booking_by_id, id).await?.map(Booking))
    }
}

/// A teacher's payout for one month.
pub struct Payout(pub payout::Model);

#[Object]
impl Payout {
    /// Global id.
    async fn id(&self) -> ID {
        encode(Kind::Payout, self.0.id)
    }
    /// The teacher.
    async fn teacher(&self, ctx: &Context<'_>) -> Result<Option<Teacher>> {
        Ok(load(&loaders(ctx)?.teachers, self.0.teacher_id)
            .await?
            .map(Teacher))
    }
    /// The month, `YYYY-MM`.
    async fn period(&self) -> &str {
        &self.0.period
    }
    /// The sum of its lines, in minor units.
    async fn amount_minor(&self) -> i64 {
        self.0.amount_minor
    }
    /// ISO-4217 currency.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// Where it is.
    async fn status(&self) -> Result<PayoutStatus> {
        Ok(infra::payouts::status(&self.0).map_err(internal)?.into())
    }
    /// When it was paid.
    async fn paid_at(&self) -> Option<DateTime> {
        self.0.paid_at.map(DateTime)
    }
    /// The payslip: one line per paid session, by date.
    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<PayoutLine>> {
        Ok(loaders(ctx)?
            .payout_lines
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default()
            .into_iter()
            .map(PayoutLine)
            .collect())
    }
}

/// Input of `computePayout`.
#[derive(InputObject)]
pub struct ComputePayoutInput {
    /// The teacher.
    pub teacher_id: ID,
    /// The month, `YYYY-MM`.
    pub period: String,
}

/// Input of `setPayoutStatus`.
#[derive(InputObject)]
pub struct SetPayoutStatusInput {
    /// The payout.
    pub payout_id: ID,
    /// PROCESSING, COMPLETED or FAILED.
    pub status: PayoutStatus,
}

/// Result of the payout mutations.
#[derive(SimpleObject, Default)]
pub struct PayoutPayload {
    /// The payout.
    pub payout: Option<Payout>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(PayoutPayload);

fn payout_error(e: PayoutError) -> UserError {
    let field = match e {
        PayoutError::NoRate(_) => "teacherId",
        PayoutError::Sent(..) => "period",
        PayoutError::Transition(_) => "status",
    };
    UserError::input(field, Code::InvalidState, e.to_string())
}

#[derive(Default)]
pub struct PayoutMutation;

#[Object]
impl PayoutMutation {
    /// Computes a teacher's payout for a month from the sessions they
    /// delivered (ended, not cancelled, attendance taken: each student whose
    /// status says the teacher is paid counts) and their pay rate. While
    /// PENDING it may be computed again (late attendance); once sent, not.
    async fn compute_payout(
        &self,
        ctx: &Context<'_>,
        input: ComputePayoutInput,
    ) -> Result<PayoutPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let period = match Period::parse(&input.period) {
            Ok(p) => p,
            Err(e) => return crate::schema::refused(FieldError::invalid("period", e.to_string())),
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
            let now = app(ctx).clock.now();
            match infra::payouts::compute(tx, viewer.school, &t, period, now)
                .await
                .map_err(internal)?
            {
                Err(e) => Ok(Done::Refuse(payout_error(e))),
                Ok((p, _)) => {
                    let id = p.id;
                    Ok(Done::Commit(
                        PayoutPayload {
                            payout: Some(Payout(p)),
                            user_errors: vec![],
                        },
                        vec![(Kind::Payout, id)],
                    ))
                }
            }
        })
        .await
    }

    /// Moves a payout: PENDING → PROCESSING → COMPLETED or FAILED; a
    /// failed one may be processed again.
    async fn set_payout_status(
        &self,
        ctx: &Context<'_>,
        input: SetPayoutStatusInput,
    ) -> Result<PayoutPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let not_found = || FieldError::not_found("payoutId", "payout");
        let Some(id) = decode(Kind::Payout, &input.payout_id) else {
            return crate::schema::refused(not_found());
        };
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            match infra::payouts::set_status(tx, viewer.school, id, input.status.into(), now)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(not_found())),
                Some(Err(e)) => Ok(Done::Refuse(payout_error(e))),
                Some(Ok(p)) => Ok(Done::Commit(
                    PayoutPayload {
                        payout: Some(Payout(p)),
                        user_errors: vec![],
                    },
                    vec![(Kind::Payout, id)],
                )),
            }
        })
        .await
    }
}

#[derive(Default)]
pub struct PayoutQuery;

#[Object]
impl PayoutQuery {
    /// A teacher's payouts, newest month first (the office for anyone, a
    /// teacher for themselves).
    async fn payouts(&self, ctx: &Context<'_>, teacher_id: ID) -> Result<Vec<Payout>> {
        let viewer = crate::context::viewer(ctx)?;
        let Some(t) = decode(Kind::Teacher, &teacher_id) else {
            return Ok(Vec::new());
        };
        if !crate::schema::school::profiles::own_or_office(ctx, t)? {
            return Err(forbidden(
                "only the office and the teacher see a teacher's pay",
            ));
        }
        Ok(
            infra::payouts::of_teacher(app(ctx).db.conn(), viewer.school, t)
                .await
                .map_err(internal)?
                .into_iter()
                .map(Payout)
                .collect(),
        )
    }
}
