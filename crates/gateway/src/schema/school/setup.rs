//! The school's setup: locations, rooms, teachers, students, offerings.

use crate::error::FieldError;
use crate::error::{email, required_text};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use infra::entity::{location, offering, student, teacher};
use infra::repo::people::{self, NewStudent, NewTeacher};
use infra::repo::{self, places};
use kernel::policy::Scope;
use kernel::{SchoolId, TimeZone};
use resources::RoomSpec;
use scheduling::OfferingSpec;

use crate::context::app;
use crate::error::{UserError, internal};
use crate::ids::{Kind, decode};
use crate::scalars::{LocalDate, LocalTime};
use crate::schema::idempotency::{self, Next};
use crate::schema::page::{Page, PageArgs, paginate};
use crate::schema::{
    Done, Location, Offering, OfferingKind, Room, RoomKind, Student, Teacher, allow, authorize,
    mutation, payloads, refused,
};
use kernel::policy::Action;

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
    /// First date the window applies (inclusive); omit for "always".
    pub valid_from: Option<LocalDate>,
    /// Last date the window applies (inclusive); omit for "open-ended".
    pub valid_until: Option<LocalDate>,
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

/// Input of `setTeacherAvailability`.
#[derive(InputObject)]
pub struct SetTeacherAvailabilityInput {
    /// The teacher.
    pub teacher_id: ID,
    /// The new weekly windows (replacing the old; empty = unrestricted).
    pub availability: Vec<AvailabilityInput>,
}

/// Result of `setTeacherAvailability`.
#[derive(SimpleObject, Default)]
pub struct SetTeacherAvailabilityPayload {
    /// The teacher, with the new availability.
    pub teacher: Option<Teacher>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `addTeacherTimeOff`.
#[derive(InputObject)]
pub struct AddTeacherTimeOffInput {
    /// The teacher.
    pub teacher_id: ID,
    /// Start of the absence.
    pub starts_at: crate::scalars::DateTime,
    /// End of the absence (after the start, at most a year later).
    pub ends_at: crate::scalars::DateTime,
    /// Why (holiday, sick leave…), for the office.
    pub reason: Option<String>,
}

/// Result of `addTeacherTimeOff`.
#[derive(SimpleObject, Default)]
pub struct AddTeacherTimeOffPayload {
    /// The teacher, with their time off.
    pub teacher: Option<Teacher>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `createStudent`.
#[derive(InputObject, Debug)]
pub struct CreateStudentInput {
    /// Makes the request safe to retry: a repeat with the same key returns
    /// the student the first one created (see README "Idempotency").
    pub idempotency_key: Option<String>,
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
    /// Price of one session (or 1-on-1 lesson) per seat, in the school
    /// currency's minor units (e.g. cents); bookings copy it.
    pub price_minor: Option<i32>,
    /// The teaching role its instructors must hold (see `assignStaff`).
    pub required_role_id: Option<ID>,
}

/// Result of `createOffering`.
#[derive(SimpleObject, Default)]
pub struct CreateOfferingPayload {
    /// The new offering.
    pub offering: Option<Offering>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
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
        authorize(ctx, Action::ManageSchool)?;
        let name = match required_text("name", &input.name) {
            Ok(n) => n,
            Err(e) => return refused(e),
        };
        let timezone = match input.timezone.as_deref().map(TimeZone::parse).transpose() {
            Ok(tz) => tz,
            Err(e) => return refused(e),
        };
        let address = input
            .address
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let location = places::create_location(tx, viewer.school, name, address, timezone, now)
                .await
                .map_err(internal)?;
            let id = location.id;
            Ok(Done::Commit(
                CreateLocationPayload {
                    location: Some(Location(location)),
                    user_errors: vec![],
                },
                vec![(Kind::Location, id)],
            ))
        })
        .await
    }

    /// Adds a room or booth to a location.
    async fn create_room(
        &self,
        ctx: &Context<'_>,
        input: CreateRoomInput,
    ) -> Result<CreateRoomPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let spec = match RoomSpec::parse(
            &input.name,
            i64::from(input.capacity),
            input.kind.unwrap_or(RoomKind::Room).into(),
        ) {
            Ok(spec) => spec,
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let location = match find_usable::<location::Entity>(
                tx,
                viewer.school,
                Kind::Location,
                &input.location_id,
                "locationId",
            )
            .await?
            {
                Ok(l) => l,
                Err(e) => return Ok(Done::refuse(e)),
            };
            let location = kernel::LocationId::from_uuid(location.id);
            let now = app(ctx).clock.now();
            let room = places::create_room(tx, viewer.school, location, spec, now)
                .await
                .map_err(internal)?;
            let id = room.id;
            Ok(Done::Commit(
                CreateRoomPayload {
                    room: Some(Room(room)),
                    user_errors: vec![],
                },
                vec![(Kind::Room, id)],
            ))
        })
        .await
    }

    /// Adds a teacher with weekly availability (none: unrestricted for the
    /// office, no self-service slots for families until windows are set).
    async fn create_teacher(
        &self,
        ctx: &Context<'_>,
        input: CreateTeacherInput,
    ) -> Result<CreateTeacherPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let parsed = (|| {
            Ok::<_, FieldError>(NewTeacher {
                email: email("email", &input.email)?,
                first_name: required_text("firstName", &input.first_name)?,
                last_name: required_text("lastName", &input.last_name)?,
                availability: windows(&input.availability)?,
            })
        })();
        let new = match parsed {
            Ok(new) => new,
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let teacher = people::create_teacher(tx, viewer.school, new, now)
                .await
                .map_err(internal)?;
            let id = teacher.id;
            Ok(Done::Commit(
                CreateTeacherPayload {
                    teacher: Some(Teacher(teacher)),
                    user_errors: vec![],
                },
                vec![(Kind::Teacher, id)],
            ))
        })
        .await
    }

    /// Replaces a teacher's weekly availability. Admins and staff, or the
    /// teacher themself.
    async fn set_teacher_availability(
        &self,
        ctx: &Context<'_>,
        input: SetTeacherAvailabilityInput,
    ) -> Result<SetTeacherAvailabilityPayload> {
        crate::context::viewer(ctx)?;
        let windows = match windows(&input.availability) {
            Ok(w) => w,
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let Some(teacher) = find_in_school::<teacher::Entity>(
                tx,
                viewer.school,
                Kind::Teacher,
                &input.teacher_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("teacherId", "teacher")));
            };
            let teacher_id = kernel::TeacherId::from_uuid(teacher.id);
            allow(viewer, Action::EditAvailability(teacher_id))?;
            people::replace_availability(tx, viewer.school, teacher_id, &windows)
                .await
                .map_err(internal)?;
            let id = teacher.id;
            Ok(Done::Commit(
                SetTeacherAvailabilityPayload {
                    teacher: Some(Teacher(teacher)),
                    user_errors: vec![],
                },
                vec![(Kind::Teacher, id)],
            ))
        })
        .await
    }

    /// Records a teacher's time off: no 1-on-1 slot is offered or booked in
    /// it and they are not eligible staff then. Admins and staff, or the
    /// teacher themself.
    async fn add_teacher_time_off(
        &self,
        ctx: &Context<'_>,
        input: AddTeacherTimeOffInput,
    ) -> Result<AddTeacherTimeOffPayload> {
        crate::context::viewer(ctx)?;
        if input.ends_at.0 <= input.starts_at.0 {
            return refused(FieldError::invalid(
                "endsAt",
                "the end must be after the start",
            ));
        }
        if input.ends_at.0 - input.starts_at.0 > chrono::Duration::days(366) {
            return refused(FieldError::invalid(
                "endsAt",
                "time off spans at most a year; add several periods",
            ));
        }
        mutation(ctx, async |tx, viewer| {
            let Some(teacher) = find_in_school::<teacher::Entity>(
                tx,
                viewer.school,
                Kind::Teacher,
                &input.teacher_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found("teacherId", "teacher")));
            };
            let teacher_id = kernel::TeacherId::from_uuid(teacher.id);
            allow(viewer, Action::EditAvailability(teacher_id))?;
            infra::booking::add_time_off(
                tx,
                viewer.school,
                teacher_id,
                (input.starts_at.0, input.ends_at.0),
                input.reason.clone().filter(|r| !r.trim().is_empty()),
                app(ctx).clock.now(),
            )
            .await
            .map_err(internal)?;
            let id = teacher.id;
            Ok(Done::Commit(
                AddTeacherTimeOffPayload {
                    teacher: Some(Teacher(teacher)),
                    user_errors: vec![],
                },
                vec![(Kind::Teacher, id)],
            ))
        })
        .await
    }

    /// Adds a student (registration). Accepts an idempotency key.
    async fn create_student(
        &self,
        ctx: &Context<'_>,
        input: CreateStudentInput,
    ) -> Result<CreateStudentPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let canonical = idempotency::canonical(&input);
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
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let key = input.idempotency_key.clone();
            let key = match idempotency::claim(ctx, tx, viewer, key, &canonical).await? {
                Err(e) => return Ok(Done::refuse(e)),
                Ok(Next::Replay(id)) => {
                    let student = repo::find::<student::Entity>(tx, viewer.school, id)
                        .await
                        .map_err(internal)?;
                    return Ok(Done::Answer(CreateStudentPayload {
                        student: student.map(Student),
                        user_errors: vec![],
                    }));
                }
                Ok(Next::Proceed(key)) => key,
            };
            let now = app(ctx).clock.now();
            let student = people::create_student(tx, viewer.school, new, now)
                .await
                .map_err(internal)?;
            idempotency::complete(tx, viewer, key, student.id).await?;
            let id = student.id;
            Ok(Done::Commit(
                CreateStudentPayload {
                    student: Some(Student(student)),
                    user_errors: vec![],
                },
                vec![(Kind::Student, id)],
            ))
        })
        .await
    }

    /// Adds an offering to the catalogue.
    async fn create_offering(
        &self,
        ctx: &Context<'_>,
        input: CreateOfferingInput,
    ) -> Result<CreateOfferingPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let spec = match OfferingSpec::parse(
            &input.title,
            input.kind.into(),
            i64::from(input.default_duration_minutes),
            i64::from(input.default_capacity),
        ) {
            Ok(spec) => spec,
            Err(e) => return refused(e),
        };
        if input.price_minor.is_some_and(|p| p < 0) {
            return refused(FieldError::invalid(
                "priceMinor",
                "a price cannot be negative",
            ));
        }
        let price = input.price_minor.map(i64::from);
        mutation(ctx, async |tx, viewer| {
            let role = match &input.required_role_id {
                None => None,
                Some(id) => match find_in_school::<infra::entity::teaching_role::Entity>(
                    tx,
                    viewer.school,
                    Kind::TeachingRole,
                    id,
                )
                .await?
                {
                    Some(r) => Some(r.id),
                    None => {
                        return Ok(Done::refuse(FieldError::not_found(
                            "requiredRoleId",
                            "teaching role",
                        )));
                    }
                },
            };
            let now = app(ctx).clock.now();
            let offering = people::create_offering(tx, viewer.school, spec, price, role, now)
                .await
                .map_err(internal)?;
            let id = offering.id;
            Ok(Done::Commit(
                CreateOfferingPayload {
                    offering: Some(Offering(offering)),
                    user_errors: vec![],
                },
                vec![(Kind::Offering, id)],
            ))
        })
        .await
    }
}

/// Weekly windows from the API's form.
fn windows(input: &[AvailabilityInput]) -> std::result::Result<Vec<kernel::Window>, FieldError> {
    input
        .iter()
        .map(|w| {
            let validity = scheduling::Validity {
                from: w.valid_from.map(|d| d.0),
                until: w.valid_until.map(|d| d.0),
            };
            scheduling::parse_window(
                i64::from(w.day_of_week),
                w.start_time.0,
                w.end_time.0,
                validity,
            )
        })
        .collect::<Result<_, _>>()
        .map_err(FieldError::from)
}

payloads!(
    CreateLocationPayload,
    CreateRoomPayload,
    CreateTeacherPayload,
    SetTeacherAvailabilityPayload,
    AddTeacherTimeOffPayload,
    CreateStudentPayload,
    CreateOfferingPayload,
);

/// Decodes a global id of `kind` and loads it from the viewer's school.
/// A malformed id, an id of another type and another school's id all come
/// back as `None`, so the caller reports NOT_FOUND and leaks nothing.
pub(crate) async fn find_in_school<E: repo::Tenant>(
    conn: &impl infra::Handle,
    school: SchoolId,
    kind: Kind,
    id: &ID,
) -> Result<Option<E::Model>> {
    let Some(uuid) = decode(kind, id) else {
        return Ok(None);
    };
    repo::find::<E>(conn, school, uuid).await.map_err(internal)
}

/// Like [`find_in_school`], for a row something new is about to use (read
/// under a row lock, so an archive cannot slip in between): an unknown
/// id is NOT_FOUND on `field`, an archived row ARCHIVED.
pub(crate) async fn find_usable<E: repo::Tenant>(
    conn: &impl infra::Handle,
    school: SchoolId,
    kind: Kind,
    id: &ID,
    field: &'static str,
) -> Result<std::result::Result<E::Model, FieldError>>
where
    E::Model: infra::archive::Usable,
{
    use infra::archive::Usable as _;
    let what = kind.name().to_lowercase();
    let found = match decode(kind, id) {
        Some(uuid) => infra::archive::find_for_use::<E>(conn, school, uuid)
            .await
            .map_err(internal)?,
        None => None,
    };
    let Some(row) = found else {
        return Ok(Err(FieldError::not_found(field, &what)));
    };
    Ok(match row.usable() {
        Ok(()) => Ok(row),
        Err(e) => Err(FieldError::archive(field, e)),
    })
}

#[derive(Default)]
pub struct SetupQuery;

/// The four Relay arguments of a list field.
macro_rules! page_args {
    ($after:ident, $before:ident, $first:ident, $last:ident) => {
        PageArgs {
            after: $after,
            before: $before,
            first: $first,
            last: $last,
        }
    };
}
pub(crate) use page_args;

#[Object]
impl SetupQuery {
    /// The school's locations, by name.
    async fn locations(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Also list archived ones (hidden by default).", default = false)]
        include_archived: bool,
    ) -> Result<Page<Location>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        paginate::<location::Entity, _>(
            ctx,
            viewer.school,
            infra::repo::list::locations(include_archived),
            page_args!(after, before, first, last),
            Location,
        )
        .await
    }

    /// The school's teachers, by last name.
    async fn teachers(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Also list archived ones (hidden by default).", default = false)]
        include_archived: bool,
    ) -> Result<Page<Teacher>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        paginate::<teacher::Entity, _>(
            ctx,
            viewer.school,
            infra::repo::list::teachers(include_archived),
            page_args!(after, before, first, last),
            Teacher,
        )
        .await
    }

    /// The students you may see, by last name: all of them for admins and
    /// staff; those you teach, your family's, or yourself otherwise.
    async fn students(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Also list archived ones (hidden by default).", default = false)]
        include_archived: bool,
    ) -> Result<Page<Student>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        let only = match viewer.student_scope() {
            Scope::All => None,
            Scope::Only(ids) => Some(ids.into_iter().collect()),
        };
        let filter = infra::repo::list::students(only, include_archived);
        paginate::<student::Entity, _>(
            ctx,
            viewer.school,
            filter,
            page_args!(after, before, first, last),
            Student,
        )
        .await
    }

    /// The catalogue, by title.
    async fn offerings(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Also list archived ones (hidden by default).", default = false)]
        include_archived: bool,
    ) -> Result<Page<Offering>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        paginate::<offering::Entity, _>(
            ctx,
            viewer.school,
            infra::repo::list::offerings(include_archived),
            page_args!(after, before, first, last),
            Offering,
        )
        .await
    }
}
