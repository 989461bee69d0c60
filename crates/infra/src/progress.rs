//! Progression awards and exam requests: stored as the `crm::progress`
//! rules decide; an exam request is locked before its step is decided.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use crm::progress::{ExamError, ExamStatus, ExamStep, NewAward};
use kernel::{SchoolId, StudentId, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::{exam_request, progression_award};
use crate::{Result, new_id};

/// Records an award.
pub async fn grant_award(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    student: StudentId,
    award: NewAward,
    earned_at: DateTime<Utc>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<progression_award::Model> {
    Ok(progression_award::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        student_id: Set(student.uuid()),
        title: Set(award.title),
        kind: Set(award.kind.as_str().to_owned()),
        description: Set(award.description),
        badge_color: Set(award.badge_color),
        earned_at: Set(earned_at),
        awarded_by: Set(by.uuid()),
        created_at: Set(now),
    }
    .insert(tx)
    .await?)
}

/// An exam asked for.
#[derive(Debug, Clone)]
pub struct NewExamRequest {
    /// For whom.
    pub student: StudentId,
    /// Which exam ("ABRSM Grade 1").
    pub exam_type: String,
    /// When the family would like it.
    pub requested_date: Option<NaiveDate>,
    /// Notes.
    pub notes: Option<String>,
    /// Who asks.
    pub by: UserId,
}

/// Records an exam request, PENDING.
pub async fn request_exam(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    ask: NewExamRequest,
    now: DateTime<Utc>,
) -> Result<exam_request::Model> {
    Ok(exam_request::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        student_id: Set(ask.student.uuid()),
        exam_type: Set(ask.exam_type),
        requested_date: Set(ask.requested_date),
        status: Set(ExamStatus::Pending.as_str().to_owned()),
        notes: Set(ask.notes),
        requested_by: Set(ask.by.uuid()),
        decided_by: Set(None),
        decided_at: Set(None),
        exam_date: Set(None),
        exam_result: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?)
}

/// An exam request's stored status.
pub fn exam_status(r: &exam_request::Model) -> Result<ExamStatus> {
    crate::stored("exam_requests", &r.status, ExamStatus::parse)
}

/// Locks an exam request of the school.
pub async fn lock_exam(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
) -> Result<Option<exam_request::Model>> {
    Ok(exam_request::Entity::find()
        .filter(exam_request::Column::SchoolId.eq(school.uuid()))
        .filter(exam_request::Column::Id.eq(id))
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// Takes a step of a locked exam request.
pub async fn advance_exam(
    tx: &impl ConnectionTrait,
    r: exam_request::Model,
    step: ExamStep,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<std::result::Result<exam_request::Model, ExamError>> {
    let change = match crm::progress::advance(exam_status(&r)?, step) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let mut row = r.into_active_model();
    row.status = Set(change.status.as_str().to_owned());
    if change.decided {
        row.decided_by = Set(Some(by.uuid()));
        row.decided_at = Set(Some(now));
    }
    if let Some(d) = change.exam_date {
        row.exam_date = Set(Some(d));
    }
    if let Some(r) = change.result {
        row.exam_result = Set(Some(r));
    }
    row.updated_at = Set(now);
    Ok(Ok(row.update(tx).await?))
}

/// Awards of these students, newest first, by student.
pub async fn awards_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    students: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<progression_award::Model>>> {
    crate::repo::grouped::<progression_award::Entity>(
        conn,
        school,
        progression_award::Column::StudentId,
        |r| r.student_id,
        students,
        (progression_award::Column::EarnedAt, sea_orm::Order::Desc),
    )
    .await
}

/// Exam requests of these students, newest first, by student.
pub async fn exams_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    students: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<exam_request::Model>>> {
    crate::repo::grouped::<exam_request::Entity>(
        conn,
        school,
        exam_request::Column::StudentId,
        |r| r.student_id,
        students,
        (exam_request::Column::CreatedAt, sea_orm::Order::Desc),
    )
    .await
}
