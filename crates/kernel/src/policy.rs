//! Who may do what: the one place permission decisions are made.
//!
//! Resolvers describe what they are about to do as an [`Action`] (with the
//! facts that matter: whose session, which student) and ask [`authorize`].
//! The [`Actor`] carries the viewer's roles plus the relationships the rules
//! need (their teacher profile, the students they act for, the students they
//! teach), loaded once per request by `infra`. Nothing here reads a
//! database, so the whole table is unit-tested below and mirrored in the
//! README.
//!
//! The rules (SPEC §4):
//! - ADMIN: everything in the school, including users and the audit log.
//! - STAFF: everything in the school except managing users and reading the
//!   audit log.
//! - TEACHER: the catalogue; their own sessions, series, availability; the
//!   students they teach.
//! - PARENT: the catalogue; their family's students and those students'
//!   sessions; managing the family they administer.
//! - STUDENT: the catalogue; themselves and their own sessions.
//!
//! Tenant isolation is not decided here: repositories filter every query by
//! the actor's school, so an action about another school's row never
//! reaches this module with that row.

use std::collections::BTreeSet;
use std::fmt;

use crate::{FamilyId, SchoolId, StudentId, TeacherId, UserId};

/// A role a user holds in their school. A user may hold several (a staff
/// member who also teaches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Runs the school: everything.
    Admin,
    /// Office staff: everything in the school but users and the audit log.
    Staff,
    /// Teaches: own sessions, rosters, availability.
    Teacher,
    /// Acts for their family's students.
    Parent,
    /// Sees their own lessons.
    Student,
}

impl Role {
    /// Every role, in order of reach.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Staff,
        Role::Teacher,
        Role::Parent,
        Role::Student,
    ];

    /// Stable stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::Staff => "STAFF",
            Self::Teacher => "TEACHER",
            Self::Parent => "PARENT",
            Self::Student => "STUDENT",
        }
    }

    /// The role with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The viewer, with the relationships permission rules depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user: UserId,
    /// Their school: the tenant scope of everything they do.
    pub school: SchoolId,
    /// Their roles in it.
    pub roles: BTreeSet<Role>,
    /// Their teacher profile, if they hold TEACHER and one is linked.
    pub teacher: Option<TeacherId>,
    /// Students they act for: their own student profile (STUDENT) and their
    /// families' students (PARENT).
    pub acts_for: BTreeSet<StudentId>,
    /// Students in the series they teach (TEACHER).
    pub teaches: BTreeSet<StudentId>,
    /// Families they administer or belong to (PARENT).
    pub families: BTreeSet<FamilyId>,
}

impl Actor {
    /// Whether the actor holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Admins and staff run the school.
    pub fn is_staff(&self) -> bool {
        self.has(Role::Admin) || self.has(Role::Staff)
    }

    fn is_teacher(&self, teacher: Option<TeacherId>) -> bool {
        self.has(Role::Teacher) && teacher.is_some() && self.teacher == teacher
    }

    fn acts_for(&self, student: Option<StudentId>) -> bool {
        (self.has(Role::Parent) || self.has(Role::Student))
            && student.is_some_and(|s| self.acts_for.contains(&s))
    }

    fn teaches(&self, student: StudentId) -> bool {
        self.has(Role::Teacher) && self.teaches.contains(&student)
    }

    /// Which students the actor may list or read.
    pub fn student_scope(&self) -> Scope<StudentId> {
        if self.is_staff() {
            return Scope::All;
        }
        let mut ids = BTreeSet::new();
        if self.has(Role::Parent) || self.has(Role::Student) {
            ids.extend(self.acts_for.iter().copied());
        }
        if self.has(Role::Teacher) {
            ids.extend(self.teaches.iter().copied());
        }
        Scope::Only(ids)
    }
}

/// The rows of a kind an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope<T> {
    /// Every row of the school.
    All,
    /// Only these.
    Only(BTreeSet<T>),
}

impl<T: Ord> Scope<T> {
    /// Whether `id` is in scope.
    pub fn contains(&self, id: &T) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.contains(id),
        }
    }
}

/// Who a session or series is for: the facts its permission depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lesson {
    /// The teacher, if assigned.
    pub teacher: Option<TeacherId>,
    /// The student of a 1-on-1 lesson.
    pub student: Option<StudentId>,
}

/// Whose calendar a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarOf {
    /// A whole location: every teacher's and student's sessions.
    Location,
    /// A room: every session in it.
    Room,
    /// One teacher.
    Teacher(TeacherId),
    /// One student.
    Student(StudentId),
}

/// Something a resolver is about to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create users and change their roles.
    ManageUsers,
    /// Read the audit log.
    ReadAuditLog,
    /// Change the school's setup and schedule: locations, rooms, teachers,
    /// students, offerings, families, series and generation.
    ManageSchool,
    /// Read the catalogue: locations, rooms, teachers, offerings.
    ReadCatalogue,
    /// Read one student's profile.
    ReadStudent(StudentId),
    /// Read a session or series.
    ReadLesson(Lesson),
    /// Read a calendar.
    ReadCalendar(CalendarOf),
    /// Preview a schedule before creating it.
    PreviewSchedule,
    /// Change a teacher's weekly availability.
    EditAvailability(TeacherId),
    /// Read a family group.
    ReadFamily(FamilyId),
    /// Read a user's account (name, email, roles).
    ReadUser(UserId),
    /// Add members to a family; `admin` is the family's admin parent.
    ManageFamily {
        /// The family's admin parent.
        admin: UserId,
    },
    /// Change one's own password or sessions.
    ManageOwnAccount,
    /// Book a seat or lesson (or join a waitlist) for a student.
    Book(StudentId),
    /// Cancel or reschedule a booking of `student` with `teacher`.
    ManageBooking {
        /// The booking's teacher.
        teacher: Option<TeacherId>,
        /// The booking's student.
        student: StudentId,
    },
    /// Approve or decline a booking with this teacher.
    DecideBooking(Option<TeacherId>),
    /// Cancel or move a booking with this teacher inside its cancellation
    /// window (families are held to the window; the office and the
    /// lesson's teacher are not).
    CancelInsideWindow(Option<TeacherId>),
    /// Mark attendance in a session of this teacher.
    RecordAttendance(Option<TeacherId>),
    /// Set this teacher's booking policy.
    EditBookingPolicy(TeacherId),
    /// See the whole roster and waitlist of a session.
    ReadRoster(Lesson),
    /// Cancel or complete a session taught by this teacher (the office may
    /// do it for any session; a teacher for their own, e.g. when ill).
    RunSession(Option<TeacherId>),
    /// Upload and grant learning materials, and see every material of the
    /// school whatever its release, expiry and visibility (the people who
    /// prepare them).
    ManageMaterials,
    /// Scan students' QR codes in and out of the centre (a session
    /// check-in also needs `RecordAttendance` for its session).
    ScanCheckIn,
    /// A student's private records: subscriptions and what they cost,
    /// their QR code. The office and those who act for the student; not
    /// their teachers.
    ReadPrivate(StudentId),
    /// Create what a family then owes for a student (invoice an
    /// installment to pay it now): the office and the student's parents;
    /// not the student, not their teachers.
    PayFor(StudentId),
    /// Grant a student awards and move their exam requests along: the
    /// office and the student's teachers.
    RecordProgress(StudentId),
}

/// Changing roles would leave the school without an admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastAdmin;

impl fmt::Display for LastAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("this is the school's last admin; make someone else admin first")
    }
}

/// Whether a user who `was_admin` may end up with or without ADMIN
/// (`stays_admin`) while the school has `admins` admins: a school always
/// keeps at least one.
pub fn keeps_an_admin(admins: usize, was_admin: bool, stays_admin: bool) -> Result<(), LastAdmin> {
    if was_admin && !stays_admin && admins <= 1 {
        Err(LastAdmin)
    } else {
        Ok(())
    }
}

/// A refusal, with a sentence for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied(pub &'static str);

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Denied {}

/// Decides whether `actor` may perform `action`.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), Denied> {
    let allowed = match action {
        Action::ManageUsers | Action::ReadAuditLog => actor.has(Role::Admin),
        Action::ManageSchool | Action::PreviewSchedule => actor.is_staff(),
        Action::ReadCatalogue | Action::ManageOwnAccount => !actor.roles.is_empty(),
        Action::ReadStudent(student) => {
            actor.is_staff() || actor.acts_for(Some(student)) || actor.teaches(student)
        }
        Action::ReadLesson(lesson) => {
            actor.is_staff() || actor.is_teacher(lesson.teacher) || actor.acts_for(lesson.student)
        }
        Action::ReadCalendar(of) => match of {
            CalendarOf::Location | CalendarOf::Room => actor.is_staff(),
            CalendarOf::Teacher(t) => actor.is_staff() || actor.is_teacher(Some(t)),
            CalendarOf::Student(s) => {
                actor.is_staff() || actor.acts_for(Some(s)) || actor.teaches(s)
            }
        },
        Action::EditAvailability(t) => actor.is_staff() || actor.is_teacher(Some(t)),
        Action::ReadFamily(f) => {
            actor.is_staff() || (actor.has(Role::Parent) && actor.families.contains(&f))
        }
        Action::ReadUser(u) => actor.is_staff() || actor.user == u,
        Action::Book(student) => actor.is_staff() || actor.acts_for(Some(student)),
        Action::ManageBooking { teacher, student } => {
            actor.is_staff() || actor.acts_for(Some(student)) || actor.is_teacher(teacher)
        }
        Action::DecideBooking(teacher)
        | Action::RecordAttendance(teacher)
        | Action::CancelInsideWindow(teacher) => actor.is_staff() || actor.is_teacher(teacher),
        Action::EditBookingPolicy(teacher) => actor.is_staff() || actor.is_teacher(Some(teacher)),
        Action::ReadRoster(lesson) => actor.is_staff() || actor.is_teacher(lesson.teacher),
        Action::RunSession(teacher) => actor.is_staff() || actor.is_teacher(teacher),
        Action::ManageMaterials | Action::ScanCheckIn => {
            actor.is_staff() || actor.has(Role::Teacher)
        }
        Action::ReadPrivate(student) => actor.is_staff() || actor.acts_for(Some(student)),
        Action::PayFor(student) => {
            actor.is_staff() || (actor.has(Role::Parent) && actor.acts_for(Some(student)))
        }
        Action::RecordProgress(student) => actor.is_staff() || actor.teaches(student),
        Action::ManageFamily { admin } => {
            actor.is_staff() || (actor.has(Role::Parent) && actor.user == admin)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied(denial(action)))
    }
}

fn denial(action: Action) -> &'static str {
    match action {
        Action::ManageUsers => "only admins may manage users and roles",
        Action::ReadAuditLog => "only admins may read the audit log",
        Action::ManageSchool | Action::PreviewSchedule => {
            "only admins and staff may change the school's setup and schedule"
        }
        Action::ReadCatalogue | Action::ManageOwnAccount => {
            "your account has no role in this school"
        }
        Action::ReadStudent(_) => {
            "you may only see students you teach, your family's students, or yourself"
        }
        Action::ReadLesson(_) => {
            "you may only see your own lessons and those of students you act for"
        }
        Action::ReadCalendar(_) => {
            "you may only read your own calendar or that of a student you act for or teach"
        }
        Action::EditAvailability(_) => "teachers may only change their own availability",
        Action::ReadFamily(_) => "you may only see your own family",
        Action::Book(_) => "you may only book for yourself or your family's students",
        Action::ManageBooking { .. } => {
            "you may only change bookings of your family's students, your own, or your lessons'"
        }
        Action::DecideBooking(_) => {
            "only the lesson's teacher or the office may approve or decline"
        }
        Action::RecordAttendance(_) => {
            "only the lesson's teacher or the office may take attendance"
        }
        Action::CancelInsideWindow(_) => {
            "only the lesson's teacher or the office may cancel inside the cancellation window"
        }
        Action::EditBookingPolicy(_) => "teachers may only set their own booking policy",
        Action::ReadRoster(_) => "only the lesson's teacher or the office may see its roster",
        Action::RunSession(_) => {
            "only the session's teacher or the office may cancel or complete it"
        }
        Action::ReadUser(_) => "you may only see your own account",
        Action::ManageMaterials => "only teachers and the office may upload or grant materials",
        Action::ScanCheckIn => "only teachers and the office may scan check-ins",
        Action::ReadPrivate(_) => {
            "only the office and the student's family may see their subscriptions and QR code"
        }
        Action::RecordProgress(_) => {
            "only the student's teachers and the office may grant awards or decide exam requests"
        }
        Action::PayFor(_) => "only the office and the student's parents may invoice what they owe",
        Action::ManageFamily { .. } => "only staff or the family's admin parent may change it",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id<T: From<Uuid>>(n: u128) -> T {
        T::from(Uuid::from_u128(n))
    }

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user: id(1),
            school: id(100),
            roles: roles.iter().copied().collect(),
            teacher: roles.contains(&Role::Teacher).then(|| id(10)),
            acts_for: if roles.contains(&Role::Parent) || roles.contains(&Role::Student) {
                [id(20)].into()
            } else {
                BTreeSet::new()
            },
            teaches: if roles.contains(&Role::Teacher) {
                [id(30)].into()
            } else {
                BTreeSet::new()
            },
            families: if roles.contains(&Role::Parent) {
                [id(50)].into()
            } else {
                BTreeSet::new()
            },
        }
    }

    /// The README's permission table, row by row: (action, roles allowed).
    #[test]
    fn permission_table() {
        use Role::*;
        let own_teacher: TeacherId = id(10);
        let other_teacher: TeacherId = id(11);
        let family_student: StudentId = id(20);
        let taught_student: StudentId = id(30);
        let stranger: StudentId = id(40);
        let table: Vec<(Action, &[Role])> = vec![
            (Action::ManageUsers, &[Admin]),
            (Action::ReadAuditLog, &[Admin]),
            (Action::ManageSchool, &[Admin, Staff]),
            (Action::ManageMaterials, &[Admin, Staff, Teacher]),
            (Action::ScanCheckIn, &[Admin, Staff, Teacher]),
            (
                Action::ReadPrivate(family_student),
                &[Admin, Staff, Parent, Student],
            ),
            (Action::ReadPrivate(taught_student), &[Admin, Staff]),
            (Action::PayFor(family_student), &[Admin, Staff, Parent]),
            (Action::PayFor(taught_student), &[Admin, Staff]),
            (
                Action::RecordProgress(taught_student),
                &[Admin, Staff, Teacher],
            ),
            (Action::RecordProgress(family_student), &[Admin, Staff]),
            (Action::PreviewSchedule, &[Admin, Staff]),
            (
                Action::ReadCatalogue,
                &[Admin, Staff, Teacher, Parent, Student],
            ),
            (
                Action::ManageOwnAccount,
                &[Admin, Staff, Teacher, Parent, Student],
            ),
            (
                Action::ReadStudent(family_student),
                &[Admin, Staff, Parent, Student],
            ),
            (
                Action::ReadStudent(taught_student),
                &[Admin, Staff, Teacher],
            ),
            (Action::ReadStudent(stranger), &[Admin, Staff]),
            (
                Action::ReadLesson(Lesson {
                    teacher: Some(own_teacher),
                    student: None,
                }),
                &[Admin, Staff, Teacher],
            ),
            (
                Action::ReadLesson(Lesson {
                    teacher: Some(other_teacher),
                    student: Some(family_student),
                }),
                &[Admin, Staff, Parent, Student],
            ),
            (
                Action::ReadLesson(Lesson {
                    teacher: Some(other_teacher),
                    student: Some(stranger),
                }),
                &[Admin, Staff],
            ),
            (Action::ReadLesson(Lesson::default()), &[Admin, Staff]),
            (Action::ReadCalendar(CalendarOf::Location), &[Admin, Staff]),
            (Action::ReadCalendar(CalendarOf::Room), &[Admin, Staff]),
            (
                Action::ReadCalendar(CalendarOf::Teacher(own_teacher)),
                &[Admin, Staff, Teacher],
            ),
            (
                Action::ReadCalendar(CalendarOf::Teacher(other_teacher)),
                &[Admin, Staff],
            ),
            (
                Action::ReadCalendar(CalendarOf::Student(family_student)),
                &[Admin, Staff, Parent, Student],
            ),
            (
                Action::ReadCalendar(CalendarOf::Student(taught_student)),
                &[Admin, Staff, Teacher],
            ),
            (
                Action::EditAvailability(own_teacher),
                &[Admin, Staff, Teacher],
            ),
            (Action::EditAvailability(other_teacher), &[Admin, Staff]),
            (
                Action::ManageFamily { admin: id(1) },
                &[Admin, Staff, Parent],
            ),
            (Action::ManageFamily { admin: id(2) }, &[Admin, Staff]),
            (Action::ReadFamily(id(50)), &[Admin, Staff, Parent]),
            (Action::ReadFamily(id(51)), &[Admin, Staff]),
            (
                Action::ReadUser(id(1)),
                &[Admin, Staff, Teacher, Parent, Student],
            ),
            (Action::ReadUser(id(2)), &[Admin, Staff]),
            (
                Action::Book(family_student),
                &[Admin, Staff, Parent, Student],
            ),
            (Action::Book(stranger), &[Admin, Staff]),
            (
                Action::ManageBooking {
                    teacher: Some(own_teacher),
                    student: stranger,
                },
                &[Admin, Staff, Teacher],
            ),
            (
                Action::ManageBooking {
                    teacher: Some(other_teacher),
                    student: family_student,
                },
                &[Admin, Staff, Parent, Student],
            ),
            (
                Action::DecideBooking(Some(own_teacher)),
                &[Admin, Staff, Teacher],
            ),
            (Action::DecideBooking(Some(other_teacher)), &[Admin, Staff]),
            (Action::DecideBooking(None), &[Admin, Staff]),
            (
                Action::CancelInsideWindow(Some(own_teacher)),
                &[Admin, Staff, Teacher],
            ),
            (
                Action::CancelInsideWindow(Some(other_teacher)),
                &[Admin, Staff],
            ),
            (
                Action::RecordAttendance(Some(own_teacher)),
                &[Admin, Staff, Teacher],
            ),
            (
                Action::EditBookingPolicy(own_teacher),
                &[Admin, Staff, Teacher],
            ),
            (Action::EditBookingPolicy(other_teacher), &[Admin, Staff]),
            (
                Action::RunSession(Some(own_teacher)),
                &[Admin, Staff, Teacher],
            ),
            (Action::RunSession(Some(other_teacher)), &[Admin, Staff]),
            (Action::RunSession(None), &[Admin, Staff]),
            (
                Action::ReadRoster(Lesson {
                    teacher: Some(own_teacher),
                    student: Some(family_student),
                }),
                &[Admin, Staff, Teacher],
            ),
        ];
        for (action, allowed) in table {
            for role in Role::ALL {
                let got = authorize(&actor(&[role]), action).is_ok();
                assert_eq!(
                    got,
                    allowed.contains(&role),
                    "{role:?} on {action:?}: expected allowed={}",
                    allowed.contains(&role)
                );
            }
        }
    }

    #[test]
    fn no_roles_means_nothing() {
        let nobody = actor(&[]);
        for action in [
            Action::ReadCatalogue,
            Action::ManageSchool,
            Action::ReadStudent(id(20)),
        ] {
            assert!(authorize(&nobody, action).is_err(), "{action:?}");
        }
    }

    #[test]
    fn a_teacher_without_a_profile_owns_no_lesson() {
        let mut teacher = actor(&[Role::Teacher]);
        teacher.teacher = None;
        let unassigned = Lesson::default();
        assert!(authorize(&teacher, Action::ReadLesson(unassigned)).is_err());
    }

    #[test]
    fn roles_combine() {
        let both = actor(&[Role::Staff, Role::Teacher]);
        assert!(authorize(&both, Action::ManageSchool).is_ok());
        assert!(authorize(&both, Action::ManageUsers).is_err());
    }

    #[test]
    fn student_scope_is_the_union_of_relationships() {
        let mut both = actor(&[Role::Teacher, Role::Parent]);
        both.acts_for = [id(20)].into();
        assert_eq!(both.student_scope(), Scope::Only([id(20), id(30)].into()));
        assert_eq!(actor(&[Role::Staff]).student_scope(), Scope::All);
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("ROOT"), None);
    }
}
