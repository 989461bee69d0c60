//! Attendance that drives money and make-up credits over GraphQL: the
//! school's attendance statuses (`setAttendanceStatuses`), a student's
//! credits and balance, and `bookMakeup`.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use billing::credit::{self, CreditPolicy, StatusInput, StatusRule};
use infra::entity::{makeup_credit, student};
use kernel::StudentId;
use kernel::policy::Action;

use crate::context::app;
use crate::context::loaders;
use crate::error::{Code, FieldError, UserError, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::{DateTime, LocalDate};
use crate::schema::booking::AttendanceStatus as Mark;
use crate::schema::{Booking, Done, Offering, Session, allow, authorize, load, mutation, payloads};

/// One attendance status of the school.
#[derive(SimpleObject)]
pub struct AttendanceStatusRule {
    /// A built-in mark's name or the school's own code.
    pub code: String,
    /// What people read.
    pub label: String,
    /// The mark it counts as.
    pub counts_as: Mark,
    /// The student pays for the session.
    pub billed: bool,
    /// The teacher is paid for the student.
    pub teacher_paid: bool,
    /// A make-up credit is granted.
    pub grants_credit: bool,
}

/// The school's statuses and make-up policy.
#[derive(SimpleObject)]
pub struct AttendancePolicy {
    /// Every status: the built-ins (with the school's changes) and its own.
    pub statuses: Vec<AttendanceStatusRule>,
    /// Days a credit may be used.
    pub credit_expiry_days: i32,
    /// Most credits per student and term (series); null = no limit.
    pub max_credits_per_term: Option<i32>,
    /// Whether a session cancelled by the school or teacher grants credits.
    pub credit_on_cancellation: bool,
}

/// One status as the office sets it.
#[derive(InputObject)]
pub struct AttendanceStatusInput {
    /// A built-in mark's name (to change its rule) or a new code (`SICK`).
    pub code: String,
    /// What people read (the code if blank).
    #[graphql(default)]
    pub label: String,
    /// The built-in mark it counts as.
    pub counts_as: Mark,
    /// The student pays for the session.
    pub billed: bool,
    /// The teacher is paid for the student.
    pub teacher_paid: bool,
    /// A make-up credit is granted.
    pub grants_credit: bool,
}

/// Input of `setAttendanceStatuses` (replaces the school's list).
#[derive(InputObject)]
pub struct SetAttendanceStatusesInput {
    /// The school's statuses; built-ins not listed keep their defaults.
    pub statuses: Vec<AttendanceStatusInput>,
    /// Days a credit may be used (1–730).
    #[graphql(default = 60)]
    pub credit_expiry_days: i32,
    /// Most credits per student and term (series); omit for no limit.
    pub max_credits_per_term: Option<i32>,
    /// Whether a session cancelled by the school or teacher grants credits.
    #[graphql(default = true)]
    pub credit_on_cancellation: bool,
}

/// Result of `setAttendanceStatuses`.
#[derive(SimpleObject, Default)]
pub struct SetAttendanceStatusesPayload {
    /// The policy now.
    pub policy: Option<AttendancePolicy>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Where a credit stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CreditState {
    /// May book a make-up.
    Available,
    /// Booked one.
    Used,
    /// Lapsed.
    Expired,
    /// The school paid the missed lesson back instead.
    Refunded,
    /// Withdrawn: the mark that granted it was corrected.
    Revoked,
}

impl From<credit::CreditState> for CreditState {
    fn from(s: credit::CreditState) -> Self {
        match s {
            credit::CreditState::Available => Self::Available,
            credit::CreditState::Used => Self::Used,
            credit::CreditState::Expired => Self::Expired,
            credit::CreditState::Refunded => Self::Refunded,
            credit::CreditState::Revoked => Self::Revoked,
        }
    }
}

/// A make-up credit: a missed session that may be made up in another
/// session of the same offering.
pub struct MakeupCredit {
    pub(crate) model: makeup_credit::Model,
    pub(crate) state: credit::CreditState,
}

#[Object]
impl MakeupCredit {
    /// Global id.
    async fn id(&self) -> ID {
        encode(Kind::MakeupCredit, self.model.id)
    }
    /// Where it stands (read from its ledger entries).
    async fn state(&self) -> CreditState {
        self.state.into()
    }
    /// The last day it may be used.
    async fn expires_on(&self) -> LocalDate {
        LocalDate(self.model.expires_on)
    }
    /// Why it was granted: ATTENDANCE or CANCELLATION.
    async fn reason(&self) -> &str {
        &self.model.reason
    }
    /// When it was granted.
    async fn granted_at(&self) -> DateTime {
        DateTime(self.model.granted_at)
    }
    /// The offering a make-up must be of.
    async fn offering(&self, ctx: &Context<'_>) -> Result<Option<Offering>> {
        let Some(id) = self.model.offering_id else {
            return Ok(None);
        };
        Ok(load(&loaders(ctx)?.offerings, id).await?.map(Offering))
    }
    /// The session missed.
    async fn missed_session(&self, ctx: &Context<'_>) -> Result<Option<Session>> {
        Ok(load(&loaders(ctx)?.sessions, self.model.session_id)
            .await?
            .map(Session))
    }
    /// Its ledger, oldest first: the state and the balance are read from
    /// these entries, never from a counter.
    async fn entries(&self, ctx: &Context<'_>) -> Result<Vec<CreditEntry>> {
        let rows = loaders(ctx)?
            .credit_entries
            .load_one(self.model.id)
            .await
            .map_err(internal)?
            .unwrap_or_default();
        rows.into_iter()
            .map(|e| {
                let kind =
                    credit::EntryKind::parse(&e.kind).ok_or_else(|| corrupt_kind(&e.kind))?;
                Ok(CreditEntry {
                    kind: kind.into(),
                    amount: e.amount,
                    at: DateTime(e.at),
                    booking: e.booking_id.map(|b| encode(Kind::Booking, b)),
                })
            })
            .collect()
    }
}

/// One entry of a make-up credit's ledger.
#[derive(SimpleObject)]
pub struct CreditEntry {
    /// What happened.
    pub kind: CreditEntryKind,
    /// Its effect on the balance: +1 or −1.
    pub amount: i32,
    /// When.
    pub at: DateTime,
    /// The make-up booking it concerns (USED, RETURNED).
    pub booking: Option<ID>,
}

/// What a ledger entry records.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CreditEntryKind {
    /// Granted (+1).
    Granted,
    /// Booked a make-up (−1).
    Used,
    /// Its make-up was cancelled or declined (+1).
    Returned,
    /// Lapsed unused (−1).
    Expired,
    /// Paid back as money (−1).
    Refunded,
    /// Its mark was corrected (−1).
    Revoked,
}

impl From<credit::EntryKind> for CreditEntryKind {
    fn from(k: credit::EntryKind) -> Self {
        match k {
            credit::EntryKind::Granted => Self::Granted,
            credit::EntryKind::Used => Self::Used,
            credit::EntryKind::Returned => Self::Returned,
            credit::EntryKind::Expired => Self::Expired,
            credit::EntryKind::Refunded => Self::Refunded,
            credit::EntryKind::Revoked => Self::Revoked,
        }
    }
}

/// A ledger entry of a kind this build does not know.
fn corrupt_kind(kind: &str) -> async_graphql::Error {
    internal(infra::InfraError::Corrupt {
        table: "credit_entries",
        detail: format!("unknown kind {kind}"),
    })
}

/// A student's credits with their states (for whoever may read the
/// student's private details).
pub(crate) async fn student_credits(
    ctx: &Context<'_>,
    s: &student::Model,
) -> Result<Vec<MakeupCredit>> {
    authorize(ctx, Action::ReadPrivate(StudentId::from_uuid(s.id)))?;
    let loaders = loaders(ctx)?;
    let credits = loaders
        .credits
        .load_one(s.id)
        .await
        .map_err(internal)?
        .unwrap_or_default();
    // Every credit's entries in one batch (shared with `entries`).
    let mut entries = loaders
        .credit_entries
        .load_many(credits.iter().map(|c| c.id))
        .await
        .map_err(internal)?;
    credits
        .into_iter()
        .map(|model| {
            let kinds = entries
                .remove(&model.id)
                .unwrap_or_default()
                .iter()
                .map(|e| credit::EntryKind::parse(&e.kind).ok_or_else(|| corrupt_kind(&e.kind)))
                .collect::<Result<Vec<_>>>()?;
            Ok(MakeupCredit {
                state: credit::state(&kinds),
                model,
            })
        })
        .collect()
}

/// A student's credit balance: the sum of their ledger entries (read
/// through the same batched loaders as their credits).
pub(crate) async fn student_credit_balance(ctx: &Context<'_>, s: &student::Model) -> Result<i64> {
    authorize(ctx, Action::ReadPrivate(StudentId::from_uuid(s.id)))?;
    let loaders = loaders(ctx)?;
    let credits = loaders
        .credits
        .load_one(s.id)
        .await
        .map_err(internal)?
        .unwrap_or_default();
    let entries = loaders
        .credit_entries
        .load_many(credits.iter().map(|c| c.id))
        .await
        .map_err(internal)?;
    Ok(entries
        .values()
        .flatten()
        .map(|e| i64::from(e.amount))
        .sum())
}

/// The school's policy as the API shows it.
pub(crate) async fn policy_of(
    conn: &impl infra::Handle,
    school: kernel::SchoolId,
) -> Result<AttendancePolicy> {
    let own = infra::credits::statuses(conn, school)
        .await
        .map_err(internal)?;
    let policy = infra::credits::policy(conn, school)
        .await
        .map_err(internal)?;
    let mut statuses: Vec<AttendanceStatusRule> = booking::attendance::Mark::ALL
        .into_iter()
        .filter(|m| !own.iter().any(|s| s.code == m.as_str()))
        .map(|m| {
            let rule = StatusRule::default_for(m);
            AttendanceStatusRule {
                code: m.as_str().to_owned(),
                label: m.as_str().to_owned(),
                counts_as: m.into(),
                billed: rule.billed,
                teacher_paid: rule.teacher_paid,
                grants_credit: rule.grants_credit,
            }
        })
        .collect();
    statuses.extend(own.into_iter().map(|s| AttendanceStatusRule {
        counts_as: s.counts_as.into(),
        code: s.code,
        label: s.label,
        billed: s.rule.billed,
        teacher_paid: s.rule.teacher_paid,
        grants_credit: s.rule.grants_credit,
    }));
    Ok(AttendancePolicy {
        statuses,
        credit_expiry_days: policy.expiry_days as i32,
        max_credits_per_term: policy.max_per_term.map(|m| m as i32),
        credit_on_cancellation: policy.on_cancellation,
    })
}

/// Input of `bookMakeup`.
#[derive(InputObject)]
pub struct BookMakeupInput {
    /// An available credit.
    pub credit_id: ID,
    /// A session of the same offering, with room.
    pub session_id: ID,
}

/// Result of `bookMakeup`.
#[derive(SimpleObject, Default)]
pub struct BookMakeupPayload {
    /// The make-up booking (at no charge).
    pub booking: Option<Booking>,
    /// The credit, now USED.
    pub credit: Option<MakeupCredit>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `refundCredit`.
#[derive(InputObject)]
pub struct RefundCreditInput {
    /// An available credit.
    pub credit_id: ID,
    /// A completed payment to give the lesson's money back from, in the
    /// same step (omit when the money goes back another way).
    pub payment_id: Option<ID>,
    /// How much of that payment, in minor units (all that is left if
    /// omitted).
    pub amount_minor: Option<i64>,
}

/// Result of `refundCredit`.
#[derive(SimpleObject, Default)]
pub struct RefundCreditPayload {
    /// The credit, now REFUNDED.
    pub credit: Option<MakeupCredit>,
    /// The payment refunded, if one was named.
    pub payment: Option<super::Payment>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(
    SetAttendanceStatusesPayload,
    BookMakeupPayload,
    RefundCreditPayload
);

#[derive(Default)]
pub struct CreditQuery;

#[Object]
impl CreditQuery {
    /// The school's attendance statuses (what each does to money) and its
    /// make-up policy.
    async fn attendance_statuses(&self, ctx: &Context<'_>) -> Result<AttendancePolicy> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        policy_of(app(ctx).db.conn(), viewer.school).await
    }
}

#[derive(Default)]
pub struct CreditMutation;

#[Object]
impl CreditMutation {
    /// Sets the school's attendance statuses (built-in overrides and its
    /// own codes) and its make-up policy, replacing the previous ones.
    async fn set_attendance_statuses(
        &self,
        ctx: &Context<'_>,
        input: SetAttendanceStatusesInput,
    ) -> Result<SetAttendanceStatusesPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let parsed = credit::parse_statuses(
            input
                .statuses
                .iter()
                .map(|s| StatusInput {
                    code: s.code.clone(),
                    label: s.label.clone(),
                    counts_as: s.counts_as.into(),
                    rule: StatusRule {
                        billed: s.billed,
                        teacher_paid: s.teacher_paid,
                        grants_credit: s.grants_credit,
                    },
                })
                .collect(),
        );
        let statuses = match parsed {
            Ok(s) => s,
            Err(e) => {
                return crate::schema::refused(FieldError::invalid("statuses", e.to_string()));
            }
        };
        let expiry = match credit::expiry_days(i64::from(input.credit_expiry_days)) {
            Ok(d) => d,
            Err(e) => {
                return crate::schema::refused(FieldError::invalid(
                    "creditExpiryDays",
                    e.to_string(),
                ));
            }
        };
        let max = match input.max_credits_per_term {
            Some(m) if m < 0 => {
                return crate::schema::refused(FieldError::invalid(
                    "maxCreditsPerTerm",
                    "maxCreditsPerTerm cannot be negative; omit it for no limit",
                ));
            }
            m => m.map(|m| m as u32),
        };
        let policy = CreditPolicy {
            expiry_days: expiry,
            max_per_term: max,
            on_cancellation: input.credit_on_cancellation,
        };
        mutation(ctx, async |tx, viewer| {
            infra::credits::set_statuses(tx, viewer.school, &statuses, policy)
                .await
                .map_err(internal)?;
            let shown = policy_of(tx, viewer.school).await?;
            Ok(Done::Commit(
                SetAttendanceStatusesPayload {
                    policy: Some(shown),
                    user_errors: vec![],
                },
                vec![(Kind::School, viewer.school.uuid())],
            ))
        })
        .await
    }

    /// Pays a missed lesson back instead of a make-up: an available credit
    /// becomes REFUNDED, and with `paymentId` that payment is refunded by
    /// `amountMinor` in the same step (or neither happens).
    async fn refund_credit(
        &self,
        ctx: &Context<'_>,
        input: RefundCreditInput,
    ) -> Result<RefundCreditPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let not_found = || FieldError::not_found("creditId", "make-up credit");
        let Some(credit_id) = decode(Kind::MakeupCredit, &input.credit_id) else {
            return crate::schema::refused(not_found());
        };
        let payment_id = match &input.payment_id {
            None => None,
            Some(id) => match decode(Kind::Payment, id) {
                Some(p) => Some(p),
                None => {
                    return crate::schema::refused(FieldError::not_found("paymentId", "payment"));
                }
            },
        };
        let viewer = crate::context::viewer(ctx)?;
        let conn = app(ctx).db.conn();
        // Only a credit that may be refunded, against a payment made for
        // that student, reaches Stripe: a card payment is refunded there
        // first, then recorded with the credit below.
        let stripe_refund_id = match payment_id {
            None => None,
            Some(p) => {
                let c = match infra::credits::refundable(conn, viewer.school, credit_id)
                    .await
                    .map_err(internal)?
                {
                    None => return crate::schema::refused(not_found()),
                    Some(Err(e)) => {
                        return crate::schema::refused(UserError::input(
                            "creditId",
                            Code::InvalidState,
                            e.to_string(),
                        ));
                    }
                    Some(Ok(c)) => c,
                };
                match infra::refunds::paid_for(conn, viewer.school, p, c.student_id)
                    .await
                    .map_err(internal)?
                {
                    None => {
                        return crate::schema::refused(FieldError::not_found(
                            "paymentId",
                            "payment",
                        ));
                    }
                    Some(false) => {
                        return crate::schema::refused(UserError::input(
                            "paymentId",
                            Code::Invalid,
                            "this payment was not made for this student's lessons; pick one of their family's payments",
                        ));
                    }
                    Some(true) => {}
                }
                // A credit is paid back once: its own id keys Stripe's
                // refund, whatever happened to the payment meanwhile.
                let purpose = format!("credit:{credit_id}");
                match super::refund_at_provider(
                    ctx,
                    viewer.school,
                    p,
                    input.amount_minor,
                    (&purpose, Some(&purpose)),
                )
                .await?
                {
                    Ok(id) => id,
                    Err(e) => return crate::schema::refused(e),
                }
            }
        };
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            // The money first: a refund Stripe made is recorded even if
            // the credit was used meanwhile (then reported, not undone).
            let mut targets = Vec::new();
            let payment = match payment_id {
                None => None,
                Some(p) => {
                    let new = infra::refunds::NewRefund {
                        ask: stripe_refund_id
                            .as_ref()
                            .map(|(_, amount)| *amount)
                            .or(input.amount_minor),
                        stripe_refund_id: stripe_refund_id.as_ref().map(|(id, _)| id.clone()),
                        by: Some(viewer.user),
                    };
                    match infra::refunds::record(tx, viewer.school, p, new, now)
                        .await
                        .map_err(internal)?
                    {
                        None => {
                            return Ok(Done::refuse(FieldError::not_found(
                                "paymentId",
                                "payment",
                            )));
                        }
                        Some(Err(e)) => return Ok(Done::Refuse(super::payment_error(e))),
                        Some(Ok((p, inv))) => {
                            targets.push((Kind::Payment, p.id));
                            targets.push((Kind::Invoice, inv.id));
                            Some(super::Payment(p))
                        }
                    }
                }
            };
            let c = match infra::credits::refund(tx, viewer.school, credit_id, now)
                .await
                .map_err(internal)?
            {
                None => return Ok(Done::refuse(not_found())),
                Some(Err(e)) if stripe_refund_id.is_some() => {
                    let error = UserError::input(
                        "creditId",
                        Code::InvalidState,
                        format!(
                            "{e}; the card refund was already made at Stripe and is recorded on the payment"
                        ),
                    );
                    return Ok(Done::Commit(
                        RefundCreditPayload {
                            credit: None,
                            payment,
                            user_errors: vec![error],
                        },
                        targets,
                    ));
                }
                Some(Err(e)) => {
                    return Ok(Done::Refuse(UserError::input(
                        "creditId",
                        Code::InvalidState,
                        e.to_string(),
                    )));
                }
                Some(Ok(c)) => c,
            };
            targets.insert(0, (Kind::MakeupCredit, c.id));
            Ok(Done::Commit(
                RefundCreditPayload {
                    credit: Some(MakeupCredit {
                        model: c,
                        state: credit::CreditState::Refunded,
                    }),
                    payment,
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }

    /// Books a make-up with an available credit: a seat in another session
    /// of the same offering that has room, at no charge. The credit is
    /// used once, however many requests race for it.
    async fn book_makeup(
        &self,
        ctx: &Context<'_>,
        input: BookMakeupInput,
    ) -> Result<BookMakeupPayload> {
        crate::context::viewer(ctx)?;
        let not_found = || FieldError::not_found("creditId", "make-up credit");
        let Some(credit_id) = decode(Kind::MakeupCredit, &input.credit_id) else {
            return crate::schema::refused(not_found());
        };
        let Some(session_id) = decode(Kind::Session, &input.session_id) else {
            return crate::schema::refused(FieldError::not_found("sessionId", "session"));
        };
        mutation(ctx, async |tx, viewer| {
            let Some(c) = infra::repo::find::<makeup_credit::Entity>(tx, viewer.school, credit_id)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::refuse(not_found()));
            };
            allow(viewer, Action::Book(StudentId::from_uuid(c.student_id)))?;
            let now = app(ctx).clock.now();
            let sid = kernel::SessionId::from_uuid(session_id);
            match infra::credits::book_makeup(tx, viewer.school, credit_id, sid, viewer.user, now)
                .await
                .map_err(internal)?
            {
                None => Ok(Done::refuse(not_found())),
                Some(Err(infra::credits::MakeupError::Booking(e))) => Ok(Done::refuse(e)),
                Some(Err(infra::credits::MakeupError::Credit(e))) => Ok(Done::Refuse(
                    UserError::input("creditId", Code::InvalidState, e.to_string()),
                )),
                Some(Ok((c, b))) => {
                    let (cid, bid) = (c.id, b.id);
                    Ok(Done::Commit(
                        BookMakeupPayload {
                            booking: Some(Booking(b)),
                            credit: Some(MakeupCredit {
                                model: c,
                                state: credit::CreditState::Used,
                            }),
                            user_errors: vec![],
                        },
                        vec![(Kind::MakeupCredit, cid), (Kind::Booking, bid)],
                    ))
                }
            }
        })
        .await
    }
}
