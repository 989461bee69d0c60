//! Students' QR codes and check-in scans over GraphQL.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use crm::checkin::{Arrival, ScanKind};
use crm::qr::{QrClaims, QrError};
use infra::crm::{Scan, ScanRefused};
use infra::entity::{check_in, student};
use kernel::policy::Action;
use kernel::{StudentId, TeacherId};

use crate::context::{app, loaders};
use crate::error::{Code, FieldError, UserError, internal};
use crate::ids::{Kind, decode};
use crate::scalars::DateTime;
use crate::schema::{Done, Session, Student, allow, authorize, load, load_opt, mutation, payloads};

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

/// The token a student's QR code carries: for the office and those who
/// act for the student (null for others).
pub(crate) async fn qr_token(ctx: &Context<'_>, s: &student::Model) -> Result<Option<String>> {
    let viewer = crate::context::viewer(ctx)?;
    if kernel::policy::authorize(viewer, Action::ReadPrivate(StudentId::from_uuid(s.id))).is_err() {
        return Ok(None);
    }
    let state = app(ctx);
    let key = infra::crm::qr_key(state.db.conn(), viewer.school)
        .await
        .map_err(internal)?;
    Ok(Some(crate::qr_image::token(
        &key,
        state.clock.now(),
        viewer.school,
        s,
    )))
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

payloads!(RotateQrCodePayload, CheckInPayload);

fn qr_error(e: QrError) -> UserError {
    UserError::input("code", Code::Forbidden, e.to_string())
}

/// Check-in mutations.
#[derive(Default)]
pub struct CheckInMutation;

#[Object]
impl CheckInMutation {
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
            let key = infra::crm::qr_key(tx, viewer.school)
                .await
                .map_err(internal)?;
            let claims = match QrClaims::verify(&key, &input.code, viewer.school, now) {
                Ok(c) => c,
                Err(e) => return Ok(Done::Refuse(qr_error(e))),
            };
            let session = match &input.session_id {
                Some(id) => match decode(Kind::Session, id) {
                    Some(uuid) => Some(kernel::SessionId::from_uuid(uuid)),
                    None => {
                        return Ok(Done::refuse(FieldError::not_found("sessionId", "session")));
                    }
                },
                None => None,
            };
            // The session first, then the student: the order bookings lock in.
            let Some((s, found)) =
                infra::crm::lock_for_scan(tx, viewer.school, claims.student, session)
                    .await
                    .map_err(internal)?
            else {
                return Ok(Done::Refuse(qr_error(QrError::Forged)));
            };
            if session.is_some() && found.is_none() {
                return Ok(Done::refuse(FieldError::not_found("sessionId", "session")));
            }
            if let Some(found) = &found {
                allow(
                    viewer,
                    Action::RecordAttendance(found.teacher_id.map(TeacherId::from_uuid)),
                )?;
            }
            if let Err(e) = claims.current(s.qr_version.max(0) as u32) {
                return Ok(Done::Refuse(qr_error(e)));
            }
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
