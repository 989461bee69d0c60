//! The school's setup: locations, rooms, teachers, students, offerings.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use infra::entity::{location, offering, student, teacher};
use infra::repo::people::{self, NewStudent, NewTeacher};
use infra::repo::{self, places};
use kernel::error::{email, required_text};
use kernel::{FieldError, SchoolId, TimeZone, UserErrorCode};
use resources::RoomSpec;
use scheduling::{AvailabilityWindow, OfferingSpec};
use sea_orm::ConnectionTrait;

use super::{Location, Offering, OfferingKind, Room, RoomKind, Student, Teacher, require_staff};
use crate::context::app;
use crate::error::{UserError, internal};
use crate::ids::{Kind, decode};
use crate::scalars::{LocalDate, LocalTime};

/// Input of `createLocation`.
#[derive(InputObject)]
pub struct CreateLocationInput {
    /// Name, e.g. "Downtown Branch".
    pub name: String,
    /// Street address.
    pub address: Option<String>,
    /// IANA zone if it differs from the school's.
    pub timezone: Option<String>,
}

/// Result of `createLocation`.
#[derive(SimpleObject, Default)]
pub struct CreateLocationPayload {
    /// The new location.
    pub location: Option<Location>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `createRoom`.
#[derive(InputObject)]
pub struct CreateRoomInput {
    /// The location it belongs to.
    pub location_id: ID,
    /// Name, e.g. "Studio A".
    pub name: String,
    /// How many people fit (at least 1).
    pub capacity: i32,
    /// Kind of space (default ROOM).
    pub kind: Option<RoomKind>,
}

/// Result of `createRoom`.
#[derive(SimpleObject, Default)]
pub struct CreateRoomPayload {
    /// The new room.
    pub room: Option<Room>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// A weekly availability window.
#[derive(InputObject)]
pub struct AvailabilityInput {
    /// ISO day of week, 1 = Monday … 7 = Sunday.
    pub day_of_week: i32,
    /// Local start, e.g. `09:00`.
    pub start_time: LocalTime,
    /// Local end, e.g. `17:00`.
    pub end_time: LocalTime,
}

/// Input of `createTeacher`.
#[derive(InputObject)]
pub struct CreateTeacherInput {
    /// Contact email.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Weekly availability; omit or leave empty for "not restricted".
    #[graphql(default)]
    pub availability: Vec<AvailabilityInput>,
}

/// Result of `createTeacher`.
#[derive(SimpleObject, Default)]
pub struct CreateTeacherPayload {
    /// The new teacher.
    pub teacher: Option<Teacher>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `createStudent`.
#[derive(InputObject)]
pub struct CreateStudentInput {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email, if the student has one.
    pub email: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<LocalDate>,
}

/// Result of `createStudent`.
#[derive(SimpleObject, Default)]
pub struct CreateStudentPayload {
    /// The new student.
    pub student: Option<Student>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `createOffering`.
#[derive(InputObject)]
pub struct CreateOfferingInput {
    /// Title, e.g. "Piano (30 min)".
    pub title: String,
    /// Kind.
    pub kind: OfferingKind,
    /// Default lesson length in minutes.
    pub default_duration_minutes: i32,
    /// Default seats per session.
    pub default_capacity: i32,
}

/// Result of `createOffering`.
#[derive(SimpleObject, Default)]
pub struct CreateOfferingPayload {
    /// The new offering.
    pub offering: Option<Offering>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

fn errors<T: Default>(e: FieldError, build: impl FnOnce(Vec<UserError>) -> T) -> Result<T> {
    Ok(build(vec![e.into()]))
}

#[derive(Default)]
pub struct SetupMutation;

#[Object]
impl SetupMutation {
    /// Adds a location (branch).
    async fn create_location(
        &self,
        ctx: &Context<'_>,
        input: CreateLocationInput,
    ) -> Result<CreateLocationPayload> {
        let viewer = require_staff(ctx)?;
        let fail = |e| {
            errors(e, |user_errors| CreateLocationPayload {
                user_errors,
                ..Default::default()
            })
        };
        let name = match required_text("name", &input.name) {
            Ok(n) => n,
            Err(e) => return fail(e),
        };
        let timezone = match input.timezone.as_deref().map(TimeZone::parse).transpose() {
            Ok(tz) => tz,
            Err(e) => {
                return Ok(CreateLocationPayload {
                    user_errors: vec![UserError::input(
                        "timezone",
                        UserErrorCode::UnknownTimeZone,
                        e.to_string(),
                    )],
                    ..Default::default()
                });
            }
        };
        let address = input
            .address
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let location =
            places::create_location(&tx, viewer.school, name, address, timezone, app.clock.now())
                .await
                .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(CreateLocationPayload {
            location: Some(Location(location)),
            user_errors: vec![],
        })
    }

    /// Adds a room or booth to a location.
    async fn create_room(
        &self,
        ctx: &Context<'_>,
        input: CreateRoomInput,
    ) -> Result<CreateRoomPayload> {
        let viewer = require_staff(ctx)?;
        let fail = |e| {
            errors(e, |user_errors| CreateRoomPayload {
                user_errors,
                ..Default::default()
            })
        };
        let spec = match RoomSpec::parse(
            &input.name,
            i64::from(input.capacity),
            input.kind.unwrap_or(RoomKind::Room).into(),
        ) {
            Ok(spec) => spec,
            Err(e) => return fail(e),
        };
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let Some(location) = find_in_school::<location::Entity>(
            &tx,
            viewer.school,
            Kind::Location,
            &input.location_id,
        )
        .await?
        else {
            return fail(FieldError::not_found("locationId", "location"));
        };
        let room = places::create_room(
            &tx,
            viewer.school,
            kernel::LocationId::from_uuid(location.id),
            spec,
            app.clock.now(),
        )
        .await
        .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(CreateRoomPayload {
            room: Some(Room(room)),
            user_errors: vec![],
        })
    }

    /// Adds a teacher with weekly availability.
    async fn create_teacher(
        &self,
        ctx: &Context<'_>,
        input: CreateTeacherInput,
    ) -> Result<CreateTeacherPayload> {
        let viewer = require_staff(ctx)?;
        let fail = |e| {
            errors(e, |user_errors| CreateTeacherPayload {
                user_errors,
                ..Default::default()
            })
        };
        let parsed = (|| {
            Ok::<_, FieldError>(NewTeacher {
                email: email("email", &input.email)?,
                first_name: required_text("firstName", &input.first_name)?,
                last_name: required_text("lastName", &input.last_name)?,
                availability: input
                    .availability
                    .iter()
                    .map(|w| {
                        AvailabilityWindow::parse(
                            i64::from(w.day_of_week),
                            w.start_time.0,
                            w.end_time.0,
                        )
                    })
                    .collect::<Result<_, _>>()?,
            })
        })();
        let new = match parsed {
            Ok(new) => new,
            Err(e) => return fail(e),
        };
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let teacher = people::create_teacher(&tx, viewer.school, new, app.clock.now())
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(CreateTeacherPayload {
            teacher: Some(Teacher(teacher)),
            user_errors: vec![],
        })
    }

    /// Adds a student.
    async fn create_student(
        &self,
        ctx: &Context<'_>,
        input: CreateStudentInput,
    ) -> Result<CreateStudentPayload> {
        let viewer = require_staff(ctx)?;
        let fail = |e| {
            errors(e, |user_errors| CreateStudentPayload {
                user_errors,
                ..Default::default()
            })
        };
        let parsed = (|| {
            Ok::<_, FieldError>(NewStudent {
                first_name: required_text("firstName", &input.first_name)?,
                last_name: required_text("lastName", &input.last_name)?,
                email: input
                    .email
                    .as_deref()
                    .filter(|e| !e.trim().is_empty())
                    .map(|e| email("email", e))
                    .transpose()?,
                date_of_birth: input.date_of_birth.map(|d| d.0),
            })
        })();
        let new = match parsed {
            Ok(new) => new,
            Err(e) => return fail(e),
        };
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let student = people::create_student(&tx, viewer.school, new, app.clock.now())
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(CreateStudentPayload {
            student: Some(Student(student)),
            user_errors: vec![],
        })
    }

    /// Adds an offering to the catalogue.
    async fn create_offering(
        &self,
        ctx: &Context<'_>,
        input: CreateOfferingInput,
    ) -> Result<CreateOfferingPayload> {
        let viewer = require_staff(ctx)?;
        let spec = match OfferingSpec::parse(
            &input.title,
            input.kind.into(),
            i64::from(input.default_duration_minutes),
            i64::from(input.default_capacity),
        ) {
            Ok(spec) => spec,
            Err(e) => {
                return errors(e, |user_errors| CreateOfferingPayload {
                    user_errors,
                    ..Default::default()
                });
            }
        };
        let app = app(ctx);
        let tx = app.db.begin_write().await.map_err(internal)?;
        let offering = people::create_offering(&tx, viewer.school, spec, app.clock.now())
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(CreateOfferingPayload {
            offering: Some(Offering(offering)),
            user_errors: vec![],
        })
    }
}

/// Decodes a global id of `kind` and loads it from the viewer's school.
/// A malformed id, an id of another type and another school's id all come
/// back as `None`, so the caller reports NOT_FOUND and leaks nothing.
pub(super) async fn find_in_school<E: repo::Tenant>(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    kind: Kind,
    id: &ID,
) -> Result<Option<E::Model>> {
    let Some(uuid) = decode(kind, id) else {
        return Ok(None);
    };
    repo::find::<E>(conn, school, uuid).await.map_err(internal)
}

#[derive(Default)]
pub struct SetupQuery;

/// Most rows a list query returns; larger schools page by calendar range.
pub const MAX_LIST: u64 = 500;

#[Object]
impl SetupQuery {
    /// The school's locations, by name.
    async fn locations(&self, ctx: &Context<'_>) -> Result<Vec<Location>> {
        let viewer = crate::context::viewer(ctx)?;
        Ok(
            list::<location::Entity>(ctx, viewer.school, location::Column::Name)
                .await?
                .into_iter()
                .map(Location)
                .collect(),
        )
    }

    /// The school's teachers, by last name.
    async fn teachers(&self, ctx: &Context<'_>) -> Result<Vec<Teacher>> {
        let viewer = crate::context::viewer(ctx)?;
        Ok(
            list::<teacher::Entity>(ctx, viewer.school, teacher::Column::LastName)
                .await?
                .into_iter()
                .map(Teacher)
                .collect(),
        )
    }

    /// The school's students, by last name.
    async fn students(&self, ctx: &Context<'_>) -> Result<Vec<Student>> {
        let viewer = super::require_staff(ctx)?;
        Ok(
            list::<student::Entity>(ctx, viewer.school, student::Column::LastName)
                .await?
                .into_iter()
                .map(Student)
                .collect(),
        )
    }

    /// The catalogue, by title.
    async fn offerings(&self, ctx: &Context<'_>) -> Result<Vec<Offering>> {
        let viewer = crate::context::viewer(ctx)?;
        Ok(
            list::<offering::Entity>(ctx, viewer.school, offering::Column::Title)
                .await?
                .into_iter()
                .map(Offering)
                .collect(),
        )
    }
}

async fn list<E: repo::Tenant>(
    ctx: &Context<'_>,
    school: SchoolId,
    order: E::Column,
) -> Result<Vec<E::Model>> {
    repo::list::<E>(app(ctx).db.conn(), school, order, MAX_LIST)
        .await
        .map_err(internal)
}
