//! The CRM shell: leads (duplicates flagged by `crm::lead`), converting a
//! lead into a student, a parent login and a family in one transaction,
//! programmes and subscriptions with freezes (`crm::subscription`
//! decides; installments move with the end date), and the check-in log of
//! QR scans (`crm::checkin` decides; a session check-in takes attendance).
//! Rows are locked before a decision reads them: the lead, the
//! subscription, the student.

use std::collections::HashMap;

use ::billing::InstallmentStatus;
use chrono::{DateTime, NaiveDate, Utc};
use crm::checkin::{self, Arrival, ScanKind};
use crm::lead::{Contact, EvaluationError, EvaluationSession, LeadStatus, LeadStep, NewLead};
use crm::subscription::{self as terms, Freeze, FreezeError, Terms};
use kernel::{FamilyId, Role, SchoolId, SessionId, StudentId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::{
    booking, check_in, invoice, lead, programme, session, student, subscription,
    subscription_freeze, subscription_installment as installment,
};
use crate::repo::families::{self, Member, NewFamily};
use crate::repo::organisation::{self, NewUser};
use crate::repo::people::{self, NewStudent};
use crate::{Result, new_id};

/// The stored status of a lead.
pub fn lead_status(l: &lead::Model) -> Result<LeadStatus> {
    crate::stored("leads", &l.status, LeadStatus::parse)
}

/// Records a lead, flagged with the earliest lead of the same parent email
/// or phone, if any.
pub async fn create_lead(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    new: NewLead,
    now: DateTime<Utc>,
) -> Result<lead::Model> {
    // Two calls from one parent at once must not both miss each other:
    // leads of a school are taken one after the other.
    crate::entity::school::Entity::find()
        .filter(crate::entity::school::Column::Id.eq(school.uuid()))
        .lock_exclusive()
        .one(tx)
        .await?;
    let mut same = sea_orm::sea_query::Condition::any();
    if let Some(e) = &new.parent_email {
        same = same.add(lead::Column::ParentEmail.eq(e.clone()));
    }
    if let Some(p) = &new.parent_phone {
        same = same.add(lead::Column::ParentPhone.eq(p.clone()));
    }
    let earlier: Vec<Contact<Uuid>> = lead::Entity::find()
        .filter(lead::Column::SchoolId.eq(school.uuid()))
        .filter(same)
        .order_by_asc(lead::Column::CreatedAt)
        .order_by_asc(lead::Column::Id)
        .all(tx)
        .await?
        .into_iter()
        .map(|l| Contact {
            id: l.id,
            email: l.parent_email,
            phone: l.parent_phone,
        })
        .collect();
    let duplicate = crm::lead::duplicate_of(&new, &earlier);
    Ok(lead::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        parent_name: Set(new.parent_name),
        parent_email: Set(new.parent_email),
        parent_phone: Set(new.parent_phone),
        child_first_name: Set(new.child_first_name),
        child_last_name: Set(new.child_last_name),
        child_birth_date: Set(new.child_birth_date),
        source: Set(new.source),
        notes: Set(new.notes),
        status: Set(LeadStatus::NewBooking.as_str().to_owned()),
        duplicate_of_id: Set(duplicate),
        evaluation_session_id: Set(None),
        student_id: Set(None),
        parent_user_id: Set(None),
        family_id: Set(None),
        created_at: Set(now),
    }
    .insert(tx)
    .await?)
}

async fn lock_lead(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
) -> Result<Option<lead::Model>> {
    Ok(lead::Entity::find()
        .filter(lead::Column::SchoolId.eq(school.uuid()))
        .filter(lead::Column::Id.eq(id))
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// Moves a lead to `to`, if legal.
pub async fn set_lead_status(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
    to: LeadStatus,
) -> Result<Option<std::result::Result<lead::Model, LeadStep>>> {
    let Some(l) = lock_lead(tx, school, id).await? else {
        return Ok(None);
    };
    let status = match lead_status(&l)?.transition(to) {
        Ok(s) => s,
        Err(e) => return Ok(Some(Err(e))),
    };
    let mut row = l.into_active_model();
    row.status = Set(status.as_str().to_owned());
    Ok(Some(Ok(row.update(tx).await?)))
}

/// Attaches an evaluation session to a lead, as `crm::lead::book_evaluation`
/// decides (an EVALUATION session with a teacher, still to come). The
/// session is locked, then the lead.
pub async fn attach_evaluation(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
    session_id: SessionId,
    now: DateTime<Utc>,
) -> Result<Option<std::result::Result<lead::Model, Option<EvaluationError>>>> {
    let Some(s) = crate::booking::rows::lock_session(tx, school, session_id).await? else {
        return Ok(Some(Err(None)));
    };
    let Some(l) = lock_lead(tx, school, id).await? else {
        return Ok(None);
    };
    let kind = match crate::booking::rows::offering_of(tx, school, &s).await? {
        Some(o) => Some(crate::stored(
            "offerings",
            &o.kind,
            scheduling::OfferingKind::parse,
        )?),
        None => None,
    };
    let facts = EvaluationSession {
        has_teacher: s.teacher_id.is_some(),
        is_evaluation: kind == Some(scheduling::OfferingKind::Evaluation),
        cancelled: crate::booking::rows::session_cancelled(&s)?,
        starts_at: s.starts_at,
    };
    let status = match crm::lead::book_evaluation(lead_status(&l)?, facts, now) {
        Ok(st) => st,
        Err(e) => return Ok(Some(Err(Some(e)))),
    };
    let mut row = l.into_active_model();
    row.status = Set(status.as_str().to_owned());
    row.evaluation_session_id = Set(Some(s.id));
    Ok(Some(Ok(row.update(tx).await?)))
}

/// What converting a lead needs beyond the lead.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// The parent login's password hash.
    pub password_hash: String,
    /// The parent's first name.
    pub parent_first_name: String,
    /// The parent's last name.
    pub parent_last_name: String,
}

/// Why a lead could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvertRefused {
    /// Not after its evaluation.
    Step(LeadStep),
    /// No email for the parent's login.
    NoEmail,
    /// A login with the parent's email exists.
    EmailTaken,
}

/// What a conversion created.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The lead, now REGISTERED and linked.
    pub lead: lead::Model,
    /// The student.
    pub student: student::Model,
    /// The parent's login.
    pub parent: crate::entity::user::Model,
    /// The family.
    pub family: crate::entity::family::Model,
}

/// Converts a lead after its evaluation: creates the student, the parent's
/// login (PARENT) and their family, and links all three to the lead, in
/// the caller's transaction.
pub async fn convert_lead(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
    c: Conversion,
    now: DateTime<Utc>,
) -> Result<Option<std::result::Result<Converted, ConvertRefused>>> {
    let Some(l) = lock_lead(tx, school, id).await? else {
        return Ok(None);
    };
    let status = match crm::lead::convert(lead_status(&l)?) {
        Ok(s) => s,
        Err(e) => return Ok(Some(Err(ConvertRefused::Step(e)))),
    };
    let Some(email) = l.parent_email.clone() else {
        return Ok(Some(Err(ConvertRefused::NoEmail)));
    };
    let parent = organisation::create_user(
        tx,
        school,
        NewUser {
            email,
            password_hash: c.password_hash,
            first_name: c.parent_first_name,
            last_name: c.parent_last_name.clone(),
            roles: [Role::Parent].into(),
            teacher: None,
            student: None,
        },
        now,
    )
    .await?;
    let Some(parent) = parent else {
        return Ok(Some(Err(ConvertRefused::EmailTaken)));
    };
    let student = people::create_student(
        tx,
        school,
        NewStudent {
            first_name: l.child_first_name.clone(),
            last_name: l.child_last_name.clone(),
            email: None,
            date_of_birth: l.child_birth_date,
        },
        now,
    )
    .await?;
    let family = families::create_family(
        tx,
        school,
        NewFamily {
            name: format!("The {} family", c.parent_last_name),
            admin: UserId::from_uuid(parent.id),
            billing_email: Some(parent.email.clone()),
        },
        now,
    )
    .await?;
    let family_id = FamilyId::from_uuid(family.id);
    families::add_member(
        tx,
        school,
        family_id,
        Member::User(UserId::from_uuid(parent.id)),
    )
    .await?;
    families::add_member(
        tx,
        school,
        family_id,
        Member::Student(StudentId::from_uuid(student.id)),
    )
    .await?;
    let mut row = l.into_active_model();
    row.status = Set(status.as_str().to_owned());
    row.student_id = Set(Some(student.id));
    row.parent_user_id = Set(Some(parent.id));
    row.family_id = Set(Some(family.id));
    let lead = row.update(tx).await?;
    Ok(Some(Ok(Converted {
        lead,
        student,
        parent,
        family,
    })))
}

/// Creates a programme.
pub async fn create_programme(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    name: String,
    now: DateTime<Utc>,
) -> Result<programme::Model> {
    Ok(programme::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        name: Set(name),
        created_at: Set(now),
    }
    .insert(tx)
    .await?)
}

/// A new subscription's installments: due date and amount (minor units).
pub type Installments = Vec<(NaiveDate, i64)>;

/// Creates a subscription with its installments in the school's currency.
pub async fn create_subscription(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    student: Uuid,
    programme: Uuid,
    t: &Terms,
    installments: &Installments,
    now: DateTime<Utc>,
) -> Result<subscription::Model> {
    let row = subscription::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        student_id: Set(student),
        programme_id: Set(programme),
        start_date: Set(t.start),
        end_date: Set(t.end),
        freeze_days_allowed: Set(t.freeze_allowed as i32),
        created_at: Set(now),
    }
    .insert(tx)
    .await?;
    let currency = crate::repo::organisation::school(tx, school)
        .await?
        .map(|s| s.currency)
        .ok_or_else(|| crate::InfraError::Corrupt {
            table: "schools",
            detail: format!("school {school} is gone"),
        })?;
    if !installments.is_empty() {
        installment::Entity::insert_many(installments.iter().map(|(due, amount)| {
            installment::ActiveModel {
                id: Set(new_id()),
                school_id: Set(school.uuid()),
                subscription_id: Set(row.id),
                due_date: Set(*due),
                original_due_date: Set(*due),
                amount_minor: Set(*amount),
                currency: Set(currency.clone()),
                paid_minor: Set(0),
                status: Set(InstallmentStatus::Pending.as_str().to_owned()),
                invoice_id: Set(None),
            }
        }))
        .exec(tx)
        .await?;
    }
    Ok(row)
}

async fn lock_subscription(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
) -> Result<Option<(subscription::Model, Vec<subscription_freeze::Model>, Terms)>> {
    let Some(s) = subscription::Entity::find()
        .filter(subscription::Column::SchoolId.eq(school.uuid()))
        .filter(subscription::Column::Id.eq(id))
        .lock_exclusive()
        .one(tx)
        .await?
    else {
        return Ok(None);
    };
    let freezes = subscription_freeze::Entity::find()
        .filter(subscription_freeze::Column::SchoolId.eq(school.uuid()))
        .filter(subscription_freeze::Column::SubscriptionId.eq(s.id))
        .order_by_asc(subscription_freeze::Column::FromDate)
        .order_by_asc(subscription_freeze::Column::Id)
        .all(tx)
        .await?;
    let t = Terms {
        start: s.start_date,
        end: s.end_date,
        freeze_allowed: s.freeze_days_allowed.max(0) as u32,
        freezes: freezes.iter().map(as_freeze).collect(),
    };
    Ok(Some((s, freezes, t)))
}

fn as_freeze(f: &subscription_freeze::Model) -> Freeze {
    Freeze {
        from: f.from_date,
        days: f.days.max(0) as u32,
    }
}

/// Sets the end date, and recomputes every unpaid installment's due date
/// from its original one and the freezes as they now stand; an invoice
/// collecting one moves with it, and both are PENDING/OPEN or OVERDUE
/// again as of `today`.
async fn settle(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    s: subscription::Model,
    end: NaiveDate,
    today: NaiveDate,
) -> Result<subscription::Model> {
    let freezes: Vec<Freeze> = subscription_freeze::Entity::find()
        .filter(subscription_freeze::Column::SchoolId.eq(school.uuid()))
        .filter(subscription_freeze::Column::SubscriptionId.eq(s.id))
        .all(tx)
        .await?
        .iter()
        .map(as_freeze)
        .collect();
    let invoices: HashMap<Uuid, invoice::Model> =
        crate::installments::lock_invoices_of(tx, school, s.id)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
    let dues = installment::Entity::find()
        .filter(installment::Column::SchoolId.eq(school.uuid()))
        .filter(installment::Column::SubscriptionId.eq(s.id))
        .filter(installment::Column::Status.ne(InstallmentStatus::Paid.as_str()))
        .all(tx)
        .await?;
    for i in dues {
        let due = terms::due_date(i.original_due_date, &freezes);
        if due == i.due_date {
            continue;
        }
        let status = crate::installments::status(&i)?.as_of(due, today);
        installment::Entity::update_many()
            .col_expr(installment::Column::DueDate, Expr::value(due))
            .col_expr(installment::Column::Status, Expr::value(status.as_str()))
            .filter(installment::Column::Id.eq(i.id))
            .exec(tx)
            .await?;
        let Some(inv) = i.invoice_id.and_then(|id| invoices.get(&id)) else {
            continue;
        };
        let stored = crate::billing::status(inv)?;
        if stored.takes_payments() {
            let issued = inv.issue_date.unwrap_or(due);
            let inv_due = ::billing::installment::invoice_due(due, issued);
            invoice::Entity::update_many()
                .col_expr(invoice::Column::DueDate, Expr::value(inv_due))
                .col_expr(
                    invoice::Column::Status,
                    Expr::value(stored.as_of(inv_due, today).as_str()),
                )
                .filter(invoice::Column::Id.eq(inv.id))
                .exec(tx)
                .await?;
        }
    }
    let mut row = s.into_active_model();
    row.end_date = Set(end);
    Ok(row.update(tx).await?)
}

/// A freeze asked for.
#[derive(Debug, Clone)]
pub struct FreezeRequest {
    /// First frozen day.
    pub from: NaiveDate,
    /// Days.
    pub days: i64,
    /// Why.
    pub reason: Option<String>,
    /// Who asks.
    pub by: UserId,
    /// Today, in the school's zone.
    pub today: NaiveDate,
}

/// Freezes a subscription.
pub async fn freeze(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
    ask: FreezeRequest,
    now: DateTime<Utc>,
) -> Result<Option<std::result::Result<subscription::Model, FreezeError>>> {
    let Some((s, _, t)) = lock_subscription(tx, school, id).await? else {
        return Ok(None);
    };
    let change = match terms::freeze(&t, ask.from, ask.days, ask.today) {
        Ok(c) => c,
        Err(e) => return Ok(Some(Err(e))),
    };
    subscription_freeze::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        subscription_id: Set(s.id),
        from_date: Set(change.freeze.from),
        days: Set(change.freeze.days as i32),
        reason: Set(ask.reason),
        created_by: Set(ask.by.uuid()),
        created_at: Set(now),
    }
    .insert(tx)
    .await?;
    Ok(Some(
        Ok(settle(tx, school, s, change.end, ask.today).await?),
    ))
}

/// Ends the freeze running on `on` early (today or later), giving its
/// unused days back; a freeze left with no days is removed.
pub async fn unfreeze(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<Option<std::result::Result<subscription::Model, FreezeError>>> {
    let Some((s, rows, t)) = lock_subscription(tx, school, id).await? else {
        return Ok(None);
    };
    let (i, change) = match terms::unfreeze(&t, on, today) {
        Ok(c) => c,
        Err(e) => return Ok(Some(Err(e))),
    };
    let row = &rows[i];
    if change.freeze.days == 0 {
        subscription_freeze::Entity::delete_many()
            .filter(subscription_freeze::Column::Id.eq(row.id))
            .exec(tx)
            .await?;
    } else {
        subscription_freeze::Entity::update_many()
            .col_expr(
                subscription_freeze::Column::Days,
                Expr::value(change.freeze.days as i32),
            )
            .filter(subscription_freeze::Column::Id.eq(row.id))
            .exec(tx)
            .await?;
    }
    Ok(Some(Ok(settle(tx, school, s, change.end, today).await?)))
}

/// Subscriptions of these students, by student.
pub async fn subscriptions_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    students: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<subscription::Model>>> {
    crate::repo::grouped::<subscription::Entity>(
        conn,
        school,
        subscription::Column::StudentId,
        |r| r.student_id,
        students,
        (subscription::Column::StartDate, sea_orm::Order::Asc),
    )
    .await
}

/// The freezes of these subscriptions, in date order, by subscription.
pub async fn freezes_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    subscriptions: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<subscription_freeze::Model>>> {
    crate::repo::grouped::<subscription_freeze::Entity>(
        conn,
        school,
        subscription_freeze::Column::SubscriptionId,
        |r| r.subscription_id,
        subscriptions,
        (subscription_freeze::Column::FromDate, sea_orm::Order::Asc),
    )
    .await
}

/// The installments of these subscriptions, by due date, by subscription.
pub async fn installments_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    subscriptions: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<installment::Model>>> {
    crate::repo::grouped::<installment::Entity>(
        conn,
        school,
        installment::Column::SubscriptionId,
        |r| r.subscription_id,
        subscriptions,
        (installment::Column::DueDate, sea_orm::Order::Asc),
    )
    .await
}

/// Locks what a scan decides on, in the order bookings lock: the session
/// (if any), then the student. `None` when the student is not the school's.
pub async fn lock_for_scan(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    student: StudentId,
    session: Option<SessionId>,
) -> Result<Option<(student::Model, Option<session::Model>)>> {
    let s = match session {
        Some(id) => crate::booking::rows::lock_session(tx, school, id).await?,
        None => None,
    };
    Ok(lock_student(tx, school, student).await?.map(|st| (st, s)))
}

/// The school's QR signing key (made at sign-up; the migration gave one
/// to schools that existed before).
pub async fn qr_key(conn: &impl ConnectionTrait, school: SchoolId) -> Result<Vec<u8>> {
    let key = crate::repo::organisation::school(conn, school)
        .await?
        .and_then(|s| s.qr_key)
        .ok_or_else(|| crate::InfraError::Corrupt {
            table: "schools",
            detail: format!("school {school} has no QR key"),
        })?;
    Ok(key.into_bytes())
}

/// Locks a student and reads their QR version.
pub async fn lock_student(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: StudentId,
) -> Result<Option<student::Model>> {
    Ok(student::Entity::find()
        .filter(student::Column::SchoolId.eq(school.uuid()))
        .filter(student::Column::Id.eq(id.uuid()))
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// Bumps a student's QR version: codes printed before stop working.
pub async fn rotate_qr(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: StudentId,
) -> Result<Option<student::Model>> {
    let Some(s) = lock_student(tx, school, id).await? else {
        return Ok(None);
    };
    let mut row = s.clone().into_active_model();
    row.qr_version = Set(s.qr_version.wrapping_add(1));
    Ok(Some(row.update(tx).await?))
}

/// Why a scan was refused beyond the check-in rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanRefused {
    /// The check-in rules refused it.
    Rule(checkin::ScanError),
    /// A session scan without a session, or of another school's.
    NoSession,
    /// Attendance could not be taken.
    Attendance(::booking::BookingError),
}

/// A scan to record.
#[derive(Debug, Clone)]
pub struct Scan {
    /// Whose code.
    pub student: StudentId,
    /// What kind.
    pub kind: ScanKind,
    /// The session, for a session check-in.
    pub session: Option<SessionId>,
    /// Which scanner.
    pub device: Option<String>,
    /// Who was logged in at the scanner.
    pub by: UserId,
}

/// Records a scan. The caller holds the locks (`lock_for_scan`): two
/// scanners at once are decided one after the other. A session check-in
/// marks attendance PRESENT or LATE.
pub async fn record_scan(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    scan: Scan,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(check_in::Model, Option<Arrival>), ScanRefused>> {
    let mut arrival = None;
    match scan.kind {
        ScanKind::CenterCheckIn | ScanKind::CenterCheckOut => {
            let last = check_in::Entity::find()
                .filter(check_in::Column::SchoolId.eq(school.uuid()))
                .filter(check_in::Column::StudentId.eq(scan.student.uuid()))
                .filter(check_in::Column::Kind.is_in([
                    ScanKind::CenterCheckIn.as_str(),
                    ScanKind::CenterCheckOut.as_str(),
                ]))
                .order_by_desc(check_in::Column::At)
                .order_by_desc(check_in::Column::Id)
                .one(tx)
                .await?;
            let inside = match last {
                Some(l) => {
                    crate::stored("check_ins", &l.kind, ScanKind::parse)? == ScanKind::CenterCheckIn
                }
                None => false,
            };
            if let Err(e) = checkin::center(scan.kind, inside) {
                return Ok(Err(ScanRefused::Rule(e)));
            }
        }
        ScanKind::SessionCheckIn => {
            let Some(sid) = scan.session else {
                return Ok(Err(ScanRefused::NoSession));
            };
            let Some(s) = crate::booking::rows::session(tx, school, sid).await? else {
                return Ok(Err(ScanRefused::NoSession));
            };
            let has_place = booking::Entity::find()
                .filter(booking::Column::SchoolId.eq(school.uuid()))
                .filter(booking::Column::SessionId.eq(s.id))
                .filter(booking::Column::StudentId.eq(scan.student.uuid()))
                .filter(booking::Column::Status.is_in(crate::booking::rows::on_roster()))
                .one(tx)
                .await?
                .is_some()
                || s.student_id == Some(scan.student.uuid());
            let already_in = check_in::Entity::find()
                .filter(check_in::Column::SchoolId.eq(school.uuid()))
                .filter(check_in::Column::StudentId.eq(scan.student.uuid()))
                .filter(check_in::Column::SessionId.eq(s.id))
                .one(tx)
                .await?
                .is_some();
            let facts = checkin::SessionFacts {
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                zone: crate::booking::rows::session_zone(&s)?,
                has_place,
                cancelled: crate::booking::rows::session_cancelled(&s)?,
                already_in,
            };
            let a = match checkin::session(now, facts) {
                Ok(a) => a,
                Err(e) => return Ok(Err(ScanRefused::Rule(e))),
            };
            let mark = match a {
                Arrival::Present => ::booking::attendance::Mark::Present,
                Arrival::Late => ::booking::attendance::Mark::Late,
            };
            if let Err(e) = crate::booking::attendance::record_attendance(
                tx,
                school,
                sid,
                &[crate::booking::MarkEntry {
                    student: scan.student,
                    mark,
                    note: None,
                    code: None,
                }],
                scan.by,
                now,
            )
            .await?
            {
                return Ok(Err(ScanRefused::Attendance(e)));
            }
            arrival = Some(a);
        }
    }
    let row = check_in::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        student_id: Set(scan.student.uuid()),
        kind: Set(scan.kind.as_str().to_owned()),
        session_id: Set(scan.session.map(SessionId::uuid)),
        at: Set(now),
        device: Set(scan.device),
        recorded_by: Set(scan.by.uuid()),
    }
    .insert(tx)
    .await?;
    Ok(Ok((row, arrival)))
}

/// A student's latest scans, newest first.
pub async fn check_ins_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    student: Uuid,
    limit: u64,
) -> Result<Vec<check_in::Model>> {
    Ok(check_in::Entity::find()
        .filter(check_in::Column::SchoolId.eq(school.uuid()))
        .filter(check_in::Column::StudentId.eq(student))
        .order_by_desc(check_in::Column::At)
        .order_by_desc(check_in::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// The school's leads, newest first; only those of `status` if given.
pub async fn leads(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    status: Option<LeadStatus>,
) -> Result<Vec<lead::Model>> {
    let mut q = lead::Entity::find().filter(lead::Column::SchoolId.eq(school.uuid()));
    if let Some(s) = status {
        q = q.filter(lead::Column::Status.eq(s.as_str()));
    }
    Ok(q.order_by_desc(lead::Column::CreatedAt)
        .order_by_desc(lead::Column::Id)
        .all(conn)
        .await?)
}

/// The school's programmes, by name.
pub async fn programmes(
    conn: &impl ConnectionTrait,
    school: SchoolId,
) -> Result<Vec<programme::Model>> {
    Ok(programme::Entity::find()
        .filter(programme::Column::SchoolId.eq(school.uuid()))
        .order_by_asc(programme::Column::Name)
        .all(conn)
        .await?)
}
