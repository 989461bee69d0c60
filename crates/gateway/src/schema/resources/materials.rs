//! Learning materials: upload (GraphQL multipart), grants, the list each
//! viewer may see, signed download links and access statistics.
//!
//! Who sees what is `resources::material::visible`, asked per material
//! with the facts `infra::materials::relations` loads for the viewer's
//! students (three statements, whatever the number of materials).

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Upload};
use infra::entity::{material, material_access};
use infra::materials::{Filter, Relations};
use kernel::policy::Action;
use kernel::{MaterialId, StudentId};
use resources::material::{self as rules, MaterialKind, NewMaterial, Visibility};

use crate::context::{app, loaders};
use crate::error::{Code, FieldError, UserError, bad_input, forbidden, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::DateTime;
use crate::schema::page::{Page, PageArgs, page_of};
use crate::schema::{
    ClassSeries, Done, Student, authorize, load, load_opt, mutation, payloads, refused,
};

/// What a material is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "MaterialType")]
pub enum MaterialType {
    /// Sheet music.
    MusicScore,
    /// A track to play along with.
    BackingTrack,
    /// A click track.
    MetronomeClick,
    /// How it should sound.
    ExampleRecording,
    /// How to practise.
    PracticeGuide,
    /// The teacher's notes from a lesson.
    LessonNote,
    /// Anything else.
    Other,
}

impl From<MaterialType> for MaterialKind {
    fn from(t: MaterialType) -> Self {
        match t {
            MaterialType::MusicScore => Self::MusicScore,
            MaterialType::BackingTrack => Self::BackingTrack,
            MaterialType::MetronomeClick => Self::MetronomeClick,
            MaterialType::ExampleRecording => Self::ExampleRecording,
            MaterialType::PracticeGuide => Self::PracticeGuide,
            MaterialType::LessonNote => Self::LessonNote,
            MaterialType::Other => Self::Other,
        }
    }
}

impl From<MaterialKind> for MaterialType {
    fn from(k: MaterialKind) -> Self {
        match k {
            MaterialKind::MusicScore => Self::MusicScore,
            MaterialKind::BackingTrack => Self::BackingTrack,
            MaterialKind::MetronomeClick => Self::MetronomeClick,
            MaterialKind::ExampleRecording => Self::ExampleRecording,
            MaterialKind::PracticeGuide => Self::PracticeGuide,
            MaterialKind::LessonNote => Self::LessonNote,
            MaterialKind::Other => Self::Other,
        }
    }
}

/// Which students see a released material.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MaterialVisibility {
    /// Only students granted it (`grantMaterial`).
    Private,
    /// Students of its series (enrolled, or booked into one of its sessions).
    LessonGroup,
    /// Every student of the school.
    PublicSchool,
}

impl From<MaterialVisibility> for Visibility {
    fn from(v: MaterialVisibility) -> Self {
        match v {
            MaterialVisibility::Private => Self::Private,
            MaterialVisibility::LessonGroup => Self::LessonGroup,
            MaterialVisibility::PublicSchool => Self::PublicSchool,
        }
    }
}

impl From<Visibility> for MaterialVisibility {
    fn from(v: Visibility) -> Self {
        match v {
            Visibility::Private => Self::Private,
            Visibility::LessonGroup => Self::LessonGroup,
            Visibility::PublicSchool => Self::PublicSchool,
        }
    }
}

fn visibility_of(m: &material::Model) -> Result<Visibility> {
    infra::stored("materials", &m.visibility, Visibility::parse).map_err(internal)
}

/// A learning material: a score, a backing track, a practice guide; with
/// whether the viewer prepares it (the office, its uploader, its series'
/// teacher), decided when it was loaded for them.
pub struct Material(pub material::Model, pub bool);

/// One student's use of a material.
pub struct StudentAccess(material_access::Model);

#[Object]
impl StudentAccess {
    /// The student.
    async fn student(&self, ctx: &Context<'_>) -> Result<Option<Student>> {
        Ok(load(&loaders(ctx)?.students, self.0.student_id)
            .await?
            .map(Student))
    }
    /// Downloads so far.
    async fn count(&self) -> i32 {
        self.0.access_count
    }
    /// First download.
    async fn first_accessed_at(&self) -> DateTime {
        DateTime(self.0.first_accessed_at)
    }
    /// Latest download.
    async fn last_accessed_at(&self) -> DateTime {
        DateTime(self.0.last_accessed_at)
    }
}

/// How much a material is used.
#[derive(SimpleObject)]
pub struct AccessStats {
    /// Downloads by all students.
    pub total_count: i32,
    /// Students who downloaded it, most recent first.
    pub students: Vec<StudentAccess>,
}

#[Object]
impl Material {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Material, self.0.id)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it is.
    async fn r#type(&self) -> Result<MaterialType> {
        infra::stored("materials", &self.0.kind, MaterialKind::parse)
            .map(Into::into)
            .map_err(internal)
    }
    /// Who sees it once released.
    async fn visibility(&self) -> Result<MaterialVisibility> {
        visibility_of(&self.0).map(Into::into)
    }
    /// The series whose students see it (LESSON_GROUP).
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<ClassSeries>> {
        Ok(load_opt(&loaders(ctx)?.series, self.0.series_id)
            .await?
            .map(ClassSeries))
    }
    /// The file's name.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// The file's content type.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    /// The file's size in bytes.
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
    /// Students see it from this time (null: at once).
    async fn release_at(&self) -> Option<DateTime> {
        self.0.release_at.map(DateTime)
    }
    /// Students stop seeing it at this time (null: never).
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(DateTime)
    }
    /// Released and not expired now.
    async fn available(&self, ctx: &Context<'_>) -> bool {
        rules::is_out(self.0.release_at, self.0.expires_at, app(ctx).clock.now())
    }
    /// When it was uploaded.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    /// A link to download the file (`GET` it; it works for 10 minutes).
    /// A parent of several students names the one it is for, so the
    /// download is counted for them; a student's own is counted for them.
    async fn download_url(&self, ctx: &Context<'_>, for_student_id: Option<ID>) -> Result<String> {
        let viewer = crate::context::viewer(ctx)?;
        let prepares = self.1;
        let student = match for_student_id {
            Some(id) => {
                let Some(uuid) = decode(Kind::Student, &id) else {
                    return Err(bad_input(
                        "forStudentId",
                        Code::NotFound,
                        "no student with this id exists in your school",
                    ));
                };
                let s = StudentId::from_uuid(uuid);
                if !viewer.acts_for.contains(&s) {
                    return Err(forbidden(
                        "you may only download for yourself or your family's students",
                    ));
                }
                // Counted for a student who may see it, not a sibling.
                if !prepares && !seen_by_student(ctx, &self.0, s).await? {
                    return Err(forbidden(
                        "this material is not released to that student; name the student it is for",
                    ));
                }
                Some(s)
            }
            None if viewer.acts_for.len() == 1 && !prepares => {
                viewer.acts_for.iter().next().copied()
            }
            None => None,
        };
        let state = app(ctx);
        let ticket = crate::download::Ticket::new(
            self.0.id,
            viewer.school,
            student,
            prepares,
            state.clock.now(),
        );
        Ok(format!("/files/{}", ticket.sign(&state.download_key)))
    }
    /// Who downloaded it and how often (for those who prepare it; null
    /// for families and other teachers).
    async fn access_stats(&self, ctx: &Context<'_>) -> Result<Option<AccessStats>> {
        if !self.1 {
            return Ok(None);
        }
        let rows = loaders(ctx)?
            .material_accesses
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default();
        Ok(Some(AccessStats {
            total_count: rows.iter().map(|r| r.access_count).sum(),
            students: rows.into_iter().map(StudentAccess).collect(),
        }))
    }
    /// Students it was granted to (for those who prepare it; null for
    /// families and other teachers).
    async fn granted_to(&self, ctx: &Context<'_>) -> Result<Option<Vec<Student>>> {
        if !self.1 {
            return Ok(None);
        }
        let l = loaders(ctx)?;
        let grants = l
            .material_grants
            .load_one(self.0.id)
            .await
            .map_err(internal)?
            .unwrap_or_default();
        let students = l
            .students
            .load_many(grants.iter().map(|g| g.student_id))
            .await
            .map_err(internal)?;
        Ok(Some(
            grants
                .iter()
                .filter_map(|g| students.get(&g.student_id).cloned())
                .map(Student)
                .collect(),
        ))
    }
}

/// What the viewer is to the school's materials: through the students
/// they act for (`students`) and the series they teach.
async fn relations_for(ctx: &Context<'_>, students: &[StudentId]) -> Result<Relations> {
    let viewer = crate::context::viewer(ctx)?;
    infra::materials::relations(app(ctx).db.conn(), viewer.school, students, viewer.teacher)
        .await
        .map_err(internal)
}

/// A viewer's reach to one material.
fn reach_of(
    viewer: &infra::repo::organisation::Viewer,
    relations: &Relations,
    m: &material::Model,
) -> rules::Reach {
    relations.reach(viewer.is_staff(), viewer.user, m)
}

/// Whether one student (not the viewer) sees a material now.
async fn seen_by_student(ctx: &Context<'_>, m: &material::Model, s: StudentId) -> Result<bool> {
    let viewer = crate::context::viewer(ctx)?;
    let relations = infra::materials::relations(app(ctx).db.conn(), viewer.school, &[s], None)
        .await
        .map_err(internal)?;
    let as_student = relations.reach(false, kernel::UserId::from_uuid(uuid::Uuid::nil()), m);
    Ok(rules::visible(
        visibility_of(m)?,
        m.release_at,
        m.expires_at,
        as_student,
        app(ctx).clock.now(),
    ))
}

/// The material as the viewer sees it now, or `None` when they may not.
pub(crate) async fn as_seen(ctx: &Context<'_>, m: material::Model) -> Result<Option<Material>> {
    let viewer = crate::context::viewer(ctx)?;
    let students: Vec<StudentId> = viewer.acts_for.iter().copied().collect();
    let relations = relations_for(ctx, &students).await?;
    let reach = reach_of(viewer, &relations, &m);
    let seen = rules::visible(
        visibility_of(&m)?,
        m.release_at,
        m.expires_at,
        reach,
        app(ctx).clock.now(),
    );
    Ok(seen.then(|| Material(m, reach.prepares())))
}

/// Filter of `materials`.
#[derive(InputObject, Default)]
pub struct MaterialFilter {
    /// Only this series' materials.
    pub series_id: Option<ID>,
    /// Only this type.
    pub r#type: Option<MaterialType>,
    /// As this student sees them (a parent choosing a child; the office
    /// checking what a student sees).
    pub student_id: Option<ID>,
}

/// Material queries.
#[derive(Default)]
pub struct MaterialQuery;

#[Object]
impl MaterialQuery {
    /// The materials the viewer may see now, newest first: every one they
    /// prepare (the office: all; a teacher: their uploads and their
    /// series'); otherwise those released, not
    /// expired, and public, granted to one of their students or for one of
    /// their students' series.
    async fn materials(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        filter: Option<MaterialFilter>,
    ) -> Result<Page<Material>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        let args = PageArgs {
            after,
            before,
            first,
            last,
        };
        crate::schema::page::window(&args, 0)?;
        let filter = filter.unwrap_or_default();
        let series = match &filter.series_id {
            Some(id) => match decode(Kind::ClassSeries, id) {
                Some(uuid) => Some(uuid),
                None => return page_of(Vec::new(), &args),
            },
            None => None,
        };
        // Whose eyes: a named student (whom the viewer may read), else the
        // viewer's own.
        let as_student = match &filter.student_id {
            Some(id) => {
                let Some(uuid) = decode(Kind::Student, id) else {
                    return page_of(Vec::new(), &args);
                };
                let s = StudentId::from_uuid(uuid);
                crate::schema::allow(viewer, Action::ReadStudent(s))?;
                if load(&loaders(ctx)?.students, uuid).await?.is_none() {
                    return page_of(Vec::new(), &args);
                }
                Some(s)
            }
            None => None,
        };
        let conn = app(ctx).db.conn();
        let rows = infra::materials::list(
            conn,
            viewer.school,
            Filter {
                series,
                kind: filter.r#type.map(Into::into),
            },
        )
        .await
        .map_err(internal)?;
        let own: Vec<StudentId> = viewer.acts_for.iter().copied().collect();
        let mine = relations_for(ctx, &own).await?;
        let theirs = match as_student {
            Some(s) => Some(
                infra::materials::relations(conn, viewer.school, &[s], None)
                    .await
                    .map_err(internal)?,
            ),
            None => None,
        };
        let now = app(ctx).clock.now();
        let nobody = kernel::UserId::from_uuid(uuid::Uuid::nil());
        let mut seen = Vec::new();
        for m in rows {
            let reach = reach_of(viewer, &mine, &m);
            let looking = match &theirs {
                Some(r) => r.reach(false, nobody, &m),
                None => reach,
            };
            if rules::visible(visibility_of(&m)?, m.release_at, m.expires_at, looking, now) {
                seen.push(Material(m, reach.prepares()));
            }
        }
        page_of(seen, &args)
    }
}

/// Input of `uploadMaterial` (sent as a GraphQL multipart request).
#[derive(InputObject)]
pub struct UploadMaterialInput {
    /// The file: PDF, audio (MP3, WAV, OGG, FLAC, M4A, MIDI), PNG, JPEG,
    /// MusicXML or plain text, up to the server's limit (25 MiB by default).
    pub file: Upload,
    /// Title.
    pub title: String,
    /// What it is.
    pub r#type: MaterialType,
    /// Who sees it once released. Default PRIVATE (grant it to students).
    #[graphql(default_with = "MaterialVisibility::Private")]
    pub visibility: MaterialVisibility,
    /// The series whose students see it (LESSON_GROUP only).
    pub series_id: Option<ID>,
    /// Students see it from this time (omit: at once).
    pub release_at: Option<DateTime>,
    /// Students stop seeing it at this time (omit: never).
    pub expires_at: Option<DateTime>,
}

/// Result of `uploadMaterial` and `grantMaterial`.
#[derive(SimpleObject, Default)]
pub struct MaterialPayload {
    /// The material.
    pub material: Option<Material>,
    /// What was wrong (nothing is stored then).
    pub user_errors: Vec<UserError>,
}

/// Input of `grantMaterial`.
#[derive(InputObject)]
pub struct GrantMaterialInput {
    /// The material.
    pub material_id: ID,
    /// Students who may see it (PRIVATE materials), once released.
    pub student_ids: Vec<ID>,
}

payloads!(MaterialPayload);

fn material_error(e: rules::MaterialError) -> FieldError {
    let field = match e {
        rules::MaterialError::Title(_) => "title",
        rules::MaterialError::GroupNeedsSeries | rules::MaterialError::SeriesOnlyForGroup => {
            "seriesId"
        }
        rules::MaterialError::ExpiresBeforeRelease => "expiresAt",
    };
    FieldError::invalid(field, e.to_string())
}

fn file_error(e: rules::FileError) -> UserError {
    let code = match e {
        rules::FileError::TooLarge { .. } => Code::LimitExceeded,
        _ => Code::Invalid,
    };
    UserError::input("file", code, e.to_string())
}

/// Material mutations.
#[derive(Default)]
pub struct MaterialMutation;

#[Object]
impl MaterialMutation {
    /// Uploads a learning material: the file is checked (size, type, and
    /// that its contents are what the type says) and stored; the material
    /// is seen by students from `releaseAt` until `expiresAt`, as its
    /// visibility says. Send as a GraphQL multipart request.
    async fn upload_material(
        &self,
        ctx: &Context<'_>,
        input: UploadMaterialInput,
    ) -> Result<MaterialPayload> {
        authorize(ctx, Action::ManageMaterials)?;
        let series = match &input.series_id {
            Some(id) => match decode(Kind::ClassSeries, id) {
                Some(uuid) => Some(kernel::ClassSeriesId::from_uuid(uuid)),
                None => {
                    return refused(FieldError::not_found("seriesId", "class series"));
                }
            },
            None => None,
        };
        let new = match NewMaterial::parse(
            &input.title,
            input.r#type.into(),
            input.visibility.into(),
            series,
            input.release_at.map(|t| t.0),
            input.expires_at.map(|t| t.0),
        ) {
            Ok(n) => n,
            Err(e) => return refused(material_error(e)),
        };
        let upload = input.file.value(ctx).map_err(internal)?;
        let bytes = upload.content;
        let checked = match rules::check_file(
            rules::Upload {
                name: &upload.filename,
                content_type: upload.content_type.as_deref(),
                size: bytes.len() as u64,
                head: &bytes[..bytes.len().min(64)],
            },
            app(ctx).config.max_upload_bytes,
        ) {
            Ok(c) => c,
            Err(e) => return refused(file_error(e)),
        };
        let state = app(ctx);
        let viewer = crate::context::viewer(ctx)?;
        let id = uuid::Uuid::now_v7();
        infra::materials::store_file(&state.files, viewer.school, id, bytes)
            .await
            .map_err(internal)?;
        let answer = mutation(ctx, async |tx, viewer| {
            let saved = infra::materials::create(
                tx,
                viewer.school,
                viewer.user,
                infra::materials::Upload {
                    id,
                    material: new,
                    file: checked,
                },
                state.clock.now(),
            )
            .await
            .map_err(internal)?;
            let row = match saved {
                Ok(row) => row,
                Err(infra::materials::Refused::UnknownSeries) => {
                    return Ok(Done::refuse(FieldError::not_found(
                        "seriesId",
                        "class series",
                    )));
                }
            };
            let id = row.id;
            Ok(Done::Commit(
                MaterialPayload {
                    material: Some(Material(row, true)),
                    user_errors: vec![],
                },
                vec![(Kind::Material, id)],
            ))
        })
        .await;
        if !matches!(&answer, Ok(p) if p.material.is_some()) {
            // Nothing names the file: take it away again.
            let key = infra::materials::key(viewer.school, id);
            if let Err(e) = state.files.delete(&key).await {
                tracing::warn!(error = %e, %key, "could not remove the file of a refused upload");
            }
        }
        answer
    }

    /// Lets students see a PRIVATE material once it is released (granting
    /// twice is harmless).
    async fn grant_material(
        &self,
        ctx: &Context<'_>,
        input: GrantMaterialInput,
    ) -> Result<MaterialPayload> {
        authorize(ctx, Action::ManageMaterials)?;
        let mut students = Vec::with_capacity(input.student_ids.len());
        for (i, id) in input.student_ids.iter().enumerate() {
            match decode(Kind::Student, id) {
                Some(uuid) => students.push(StudentId::from_uuid(uuid)),
                None => return refused(unknown_student(i)),
            }
        }
        mutation(ctx, async |tx, viewer| {
            let Some(m) = crate::schema::find_in_school::<material::Entity>(
                tx,
                viewer.school,
                Kind::Material,
                &input.material_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "materialId",
                    "material",
                )));
            };
            let relations = infra::materials::relations(tx, viewer.school, &[], viewer.teacher)
                .await
                .map_err(internal)?;
            if !reach_of(viewer, &relations, &m).prepares() {
                return Err(forbidden(
                    "only the material's uploader, its series' teacher or the office may grant it",
                ));
            }
            let now = app(ctx).clock.now();
            if let Err(i) = infra::materials::grant(
                tx,
                viewer.school,
                MaterialId::from_uuid(m.id),
                &students,
                viewer.user,
                now,
            )
            .await
            .map_err(internal)?
            {
                return Ok(Done::Refuse(unknown_student(i)));
            }
            let id = m.id;
            Ok(Done::Commit(
                MaterialPayload {
                    material: Some(Material(m, true)),
                    user_errors: vec![],
                },
                vec![(Kind::Material, id)],
            ))
        })
        .await
    }
}

fn unknown_student(i: usize) -> UserError {
    UserError {
        field: Some(vec!["input".into(), "studentIds".into(), i.to_string()]),
        message: "no student with this id exists in your school".into(),
        code: Code::NotFound,
    }
}
