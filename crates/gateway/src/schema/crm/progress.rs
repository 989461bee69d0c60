//! Progression awards and exam requests over GraphQL (seed 001's flows):
//! teachers of a student and the office grant awards and move exam
//! requests along; families ask for exams; everyone who may read the
//! student sees both.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use crm::progress::{
    AwardError, AwardType as DomainAwardType, ExamError, ExamStatus as DomainExamStatus, ExamStep,
    NewAward,
};
use infra::entity::{exam_request, progression_award, student};
use infra::progress::NewExamRequest;
use kernel::StudentId;
use kernel::policy::Action;

use crate::context::{app, loaders};
use crate::error::{Code, FieldError, UserError, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::{DateTime, LocalDate};
use crate::schema::{
    Done, Student, allow, authorize, find_in_school, load, mutation, payloads, refused,
};

/// What an award is for.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AwardType {
    /// A section of a method book or course.
    SectionComplete,
    /// A grade.
    GradeMilestone,
    /// Days of practice in a row.
    PracticeStreak,
    /// A concert or recital.
    Performance,
    /// An exam passed.
    ExaminationPass,
    /// Anything else.
    Custom,
}

impl From<AwardType> for DomainAwardType {
    fn from(t: AwardType) -> Self {
        match t {
            AwardType::SectionComplete => Self::SectionComplete,
            AwardType::GradeMilestone => Self::GradeMilestone,
            AwardType::PracticeStreak => Self::PracticeStreak,
            AwardType::Performance => Self::Performance,
            AwardType::ExaminationPass => Self::ExaminationPass,
            AwardType::Custom => Self::Custom,
        }
    }
}

impl From<DomainAwardType> for AwardType {
    fn from(t: DomainAwardType) -> Self {
        match t {
            DomainAwardType::SectionComplete => Self::SectionComplete,
            DomainAwardType::GradeMilestone => Self::GradeMilestone,
            DomainAwardType::PracticeStreak => Self::PracticeStreak,
            DomainAwardType::Performance => Self::Performance,
            DomainAwardType::ExaminationPass => Self::ExaminationPass,
            DomainAwardType::Custom => Self::Custom,
        }
    }
}

/// Where an exam request stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExamRequestStatus {
    /// Asked for.
    Pending,
    /// Agreed.
    Approved,
    /// Turned down.
    Rejected,
    /// Has a date.
    Scheduled,
    /// Sat.
    Completed,
    /// The result is in.
    ResultsReceived,
}

impl From<ExamRequestStatus> for DomainExamStatus {
    fn from(s: ExamRequestStatus) -> Self {
        match s {
            ExamRequestStatus::Pending => Self::Pending,
            ExamRequestStatus::Approved => Self::Approved,
            ExamRequestStatus::Rejected => Self::Rejected,
            ExamRequestStatus::Scheduled => Self::Scheduled,
            ExamRequestStatus::Completed => Self::Completed,
            ExamRequestStatus::ResultsReceived => Self::ResultsReceived,
        }
    }
}

impl From<DomainExamStatus> for ExamRequestStatus {
    fn from(s: DomainExamStatus) -> Self {
        match s {
            DomainExamStatus::Pending => Self::Pending,
            DomainExamStatus::Approved => Self::Approved,
            DomainExamStatus::Rejected => Self::Rejected,
            DomainExamStatus::Scheduled => Self::Scheduled,
            DomainExamStatus::Completed => Self::Completed,
            DomainExamStatus::ResultsReceived => Self::ResultsReceived,
        }
    }
}

/// Something a student achieved.
pub struct ProgressionAward(pub progression_award::Model);

#[Object]
impl ProgressionAward {
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it is for.
    async fn r#type(&self) -> Result<AwardType> {
        infra::stored("progression_awards", &self.0.kind, DomainAwardType::parse)
            .map(Into::into)
            .map_err(internal)
    }
    /// More words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The badge's colour.
    async fn badge_color(&self) -> Option<&str> {
        self.0.badge_color.as_deref()
    }
    /// When it was earned.
    async fn earned_at(&self) -> DateTime {
        DateTime(self.0.earned_at)
    }
}

/// An exam asked for, and what became of it.
pub struct ExamRequest(pub exam_request::Model);

#[Object]
impl ExamRequest {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::ExamRequest, self.0.id)
    }
    /// Which exam.
    async fn exam_type(&self) -> &str {
        &self.0.exam_type
    }
    /// When the family would like it.
    async fn requested_date(&self) -> Option<LocalDate> {
        self.0.requested_date.map(LocalDate)
    }
    /// Where it stands.
    async fn status(&self) -> Result<ExamRequestStatus> {
        infra::progress::exam_status(&self.0)
            .map(Into::into)
            .map_err(internal)
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// When it was approved or rejected.
    async fn decided_at(&self) -> Option<DateTime> {
        self.0.decided_at.map(DateTime)
    }
    /// The exam's date and time.
    async fn exam_date(&self) -> Option<DateTime> {
        self.0.exam_date.map(DateTime)
    }
    /// The result.
    async fn exam_result(&self) -> Option<&str> {
        self.0.exam_result.as_deref()
    }
    /// The student.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
}

/// A student's awards (whoever may read the student).
pub(crate) async fn student_awards(
    ctx: &Context<'_>,
    s: &student::Model,
) -> Result<Vec<ProgressionAward>> {
    let viewer = authorize(ctx, Action::ReadStudent(StudentId::from_uuid(s.id)))?;
    Ok(
        infra::progress::awards_of(app(ctx).db.conn(), viewer.school, [s.id])
            .await
            .map_err(internal)?
            .remove(&s.id)
            .unwrap_or_default()
            .into_iter()
            .map(ProgressionAward)
            .collect(),
    )
}

/// A student's exam requests (whoever may read the student).
pub(crate) async fn student_exams(
    ctx: &Context<'_>,
    s: &student::Model,
) -> Result<Vec<ExamRequest>> {
    let viewer = authorize(ctx, Action::ReadStudent(StudentId::from_uuid(s.id)))?;
    Ok(
        infra::progress::exams_of(app(ctx).db.conn(), viewer.school, [s.id])
            .await
            .map_err(internal)?
            .remove(&s.id)
            .unwrap_or_default()
            .into_iter()
            .map(ExamRequest)
            .collect(),
    )
}

/// Input of `grantAward`.
#[derive(InputObject)]
pub struct GrantAwardInput {
    /// The student.
    pub student_id: ID,
    /// Title ("Completed Grade 1").
    pub title: String,
    /// What it is for.
    pub r#type: AwardType,
    /// More words.
    pub description: Option<String>,
    /// A badge colour, `#rrggbb`.
    pub badge_color: Option<String>,
    /// When it was earned (default now).
    pub earned_at: Option<DateTime>,
}

/// Result of `grantAward`.
#[derive(SimpleObject, Default)]
pub struct GrantAwardPayload {
    /// The award.
    pub award: Option<ProgressionAward>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `requestExam`.
#[derive(InputObject)]
pub struct RequestExamInput {
    /// The student.
    pub student_id: ID,
    /// Which exam ("ABRSM Grade 1").
    pub exam_type: String,
    /// When the family would like it.
    pub requested_date: Option<LocalDate>,
    /// Notes.
    pub notes: Option<String>,
}

/// Input of `advanceExamRequest`.
#[derive(InputObject)]
pub struct AdvanceExamRequestInput {
    /// The request.
    pub request_id: ID,
    /// Its next status: APPROVED or REJECTED (from PENDING), SCHEDULED
    /// (with `examDate`), COMPLETED, RESULTS_RECEIVED (with `result`).
    pub status: ExamRequestStatus,
    /// The exam's date and time (SCHEDULED).
    pub exam_date: Option<DateTime>,
    /// The result (RESULTS_RECEIVED).
    pub result: Option<String>,
}

/// Result of the exam request mutations.
#[derive(SimpleObject, Default)]
pub struct ExamRequestPayload {
    /// The request.
    pub request: Option<ExamRequest>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(GrantAwardPayload, ExamRequestPayload);

fn exam_error(e: ExamError) -> UserError {
    let (field, code) = match e {
        ExamError::Step { .. } => ("status", Code::InvalidState),
        ExamError::NeedsDate => ("examDate", Code::Invalid),
        ExamError::NeedsResult => ("result", Code::Invalid),
    };
    UserError::input(field, code, e.to_string())
}

/// Progress mutations.
#[derive(Default)]
pub struct ProgressMutation;

#[Object]
impl ProgressMutation {
    /// Grants a student an award (their teachers and the office).
    async fn grant_award(
        &self,
        ctx: &Context<'_>,
        input: GrantAwardInput,
    ) -> Result<GrantAwardPayload> {
        crate::context::viewer(ctx)?;
        let award = match NewAward::parse(
            &input.title,
            input.r#type.into(),
            input.description.as_deref(),
            input.badge_color.as_deref(),
        ) {
            Ok(a) => a,
            Err(e) => {
                let field = match e {
                    AwardError::Title(_) => "title",
                    AwardError::Color => "badgeColor",
                };
                return refused(UserError::input(field, Code::Invalid, e.to_string()));
            }
        };
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
            let sid = StudentId::from_uuid(s.id);
            allow(viewer, Action::RecordProgress(sid))?;
            let now = app(ctx).clock.now();
            let earned = input.earned_at.map_or(now, |t| t.0);
            let row = infra::progress::grant_award(
                tx,
                viewer.school,
                sid,
                award,
                earned,
                viewer.user,
                now,
            )
            .await
            .map_err(internal)?;
            Ok(Done::Commit(
                GrantAwardPayload {
                    award: Some(ProgressionAward(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Student, s.id)],
            ))
        })
        .await
    }

    /// Asks for an exam for a student (their family, teachers or the
    /// office); it starts PENDING.
    async fn request_exam(
        &self,
        ctx: &Context<'_>,
        input: RequestExamInput,
    ) -> Result<ExamRequestPayload> {
        crate::context::viewer(ctx)?;
        let exam_type = match crate::error::required_text("examType", &input.exam_type) {
            Ok(t) => t,
            Err(e) => return refused(e),
        };
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
            let sid = StudentId::from_uuid(s.id);
            allow(viewer, Action::ReadStudent(sid))?;
            let ask = NewExamRequest {
                student: sid,
                exam_type,
                requested_date: input.requested_date.map(|d| d.0),
                notes: crate::schema::notes(input.notes.clone()),
                by: viewer.user,
            };
            let row = infra::progress::request_exam(tx, viewer.school, ask, app(ctx).clock.now())
                .await
                .map_err(internal)?;
            let id = row.id;
            Ok(Done::Commit(
                ExamRequestPayload {
                    request: Some(ExamRequest(row)),
                    user_errors: vec![],
                },
                vec![(Kind::ExamRequest, id)],
            ))
        })
        .await
    }

    /// Moves an exam request along (the student's teachers and the
    /// office): approve or reject it, schedule it, complete it, record
    /// the result.
    async fn advance_exam_request(
        &self,
        ctx: &Context<'_>,
        input: AdvanceExamRequestInput,
    ) -> Result<ExamRequestPayload> {
        crate::context::viewer(ctx)?;
        mutation(ctx, async |tx, viewer| {
            let Some(id) = decode(Kind::ExamRequest, &input.request_id) else {
                return Ok(Done::refuse(FieldError::not_found(
                    "requestId",
                    "exam request",
                )));
            };
            let Some(r) = infra::progress::lock_exam(tx, viewer.school, id)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "requestId",
                    "exam request",
                )));
            };
            allow(
                viewer,
                Action::RecordProgress(StudentId::from_uuid(r.student_id)),
            )?;
            let step = ExamStep {
                to: input.status.into(),
                exam_date: input.exam_date.map(|d| d.0),
                result: input.result.clone(),
            };
            let now = app(ctx).clock.now();
            match infra::progress::advance_exam(tx, r, step, viewer.user, now)
                .await
                .map_err(internal)?
            {
                Err(e) => Ok(Done::Refuse(exam_error(e))),
                Ok(row) => {
                    let id = row.id;
                    Ok(Done::Commit(
                        ExamRequestPayload {
                            request: Some(ExamRequest(row)),
                            user_errors: vec![],
                        },
                        vec![(Kind::ExamRequest, id)],
                    ))
                }
            }
        })
        .await
    }
}
