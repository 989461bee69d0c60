//! Relay object identification: `node(id:)` for every type with a global id.

use async_graphql::{Context, ID, Interface, Object, Result};
use infra::entity::{
    booking, class_series, equipment, exam_request, family, invoice, lead, location, material,
    offering, programme, room, session, student, subscription, subscription_installment, teacher,
    user, waitlist_entry,
};
use infra::repo;
use kernel::policy::{Action, Lesson};
use kernel::{FamilyId, StudentId, TeacherId, UserId};

use super::{
    Booking, ClassSeries, Family, Location, Offering, Room, Session, Student, Teacher, User,
    WaitlistEntry, allow,
};
use crate::context::{app, viewer};
use crate::error::internal;
use crate::ids::{Kind, decode_any};

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id."))]
pub enum Node {
    /// A location.
    Location(Location),
    /// A room.
    Room(Room),
    /// A teacher.
    Teacher(Teacher),
    /// A student.
    Student(Student),
    /// An offering.
    Offering(Offering),
    /// A class series.
    ClassSeries(ClassSeries),
    /// A session.
    Session(Session),
    /// A user.
    User(User),
    /// A family.
    Family(Family),
    /// A booking.
    Booking(Booking),
    /// A waitlist entry.
    WaitlistEntry(WaitlistEntry),
    /// A pool of equipment.
    Equipment(super::resources::Equipment),
    /// A learning material.
    Material(super::resources::Material),
    /// A lead.
    Lead(super::crm::Lead),
    /// A programme.
    Programme(super::crm::Programme),
    /// A student's subscription.
    StudentSubscription(super::crm::StudentSubscription),
    /// An exam request.
    ExamRequest(super::crm::ExamRequest),
    /// An invoice.
    Invoice(super::billing::Invoice),
    /// An installment of a subscription.
    Installment(super::crm::subscriptions::Installment),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object of your school by global id; null for unknown ids and for
    /// ids of other schools.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let viewer = viewer(ctx)?;
        let Some((kind, uuid)) = decode_any(&id) else {
            return Ok(None);
        };
        let conn = app(ctx).db.conn();
        let school = viewer.school;
        macro_rules! get {
            ($entity:ident) => {
                match repo::find::<$entity::Entity>(conn, school, uuid)
                    .await
                    .map_err(internal)?
                {
                    Some(found) => found,
                    None => return Ok(None),
                }
            };
        }
        // Found in the viewer's school: now ask the policy about this row.
        let node = match kind {
            Kind::Location => {
                allow(viewer, Action::ReadCatalogue)?;
                Node::Location(Location(get!(location)))
            }
            Kind::Room => {
                allow(viewer, Action::ReadCatalogue)?;
                Node::Room(Room(get!(room)))
            }
            Kind::Teacher => {
                allow(viewer, Action::ReadCatalogue)?;
                Node::Teacher(Teacher(get!(teacher)))
            }
            Kind::Offering => {
                allow(viewer, Action::ReadCatalogue)?;
                Node::Offering(Offering(get!(offering)))
            }
            Kind::Student => {
                let found = get!(student);
                allow(viewer, Action::ReadStudent(StudentId::from_uuid(found.id)))?;
                Node::Student(Student(found))
            }
            Kind::ClassSeries => {
                let found = get!(class_series);
                allow(
                    viewer,
                    Action::ReadLesson(lesson(found.teacher_id, found.student_id)),
                )?;
                Node::ClassSeries(ClassSeries(found))
            }
            Kind::Session => {
                let found = get!(session);
                let mut facts = lesson(found.teacher_id, found.student_id);
                if kernel::policy::authorize(viewer, Action::ReadLesson(facts)).is_err()
                    && !viewer.acts_for.is_empty()
                {
                    // A group session is also "for" each student booked or
                    // waiting in it.
                    let family: Vec<StudentId> = viewer.acts_for.iter().copied().collect();
                    let student = infra::booking::read::student_in_session(
                        conn,
                        school,
                        kernel::SessionId::from_uuid(found.id),
                        &family,
                    )
                    .await
                    .map_err(internal)?;
                    if let Some(st) = student {
                        facts.student = Some(st);
                    }
                }
                allow(viewer, Action::ReadLesson(facts))?;
                Node::Session(Session(found))
            }
            Kind::User => {
                let found = get!(user);
                allow(viewer, Action::ReadUser(UserId::from_uuid(found.id)))?;
                Node::User(User(found))
            }
            Kind::Family => {
                let found = get!(family);
                allow(viewer, Action::ReadFamily(FamilyId::from_uuid(found.id)))?;
                Node::Family(Family { model: found })
            }
            Kind::Booking => {
                let found = get!(booking);
                allow(
                    viewer,
                    Action::ReadLesson(lesson(found.teacher_id, Some(found.student_id))),
                )?;
                Node::Booking(Booking(found))
            }
            Kind::WaitlistEntry => {
                let found = get!(waitlist_entry);
                let s = repo::find::<session::Entity>(conn, school, found.session_id)
                    .await
                    .map_err(internal)?;
                allow(
                    viewer,
                    Action::ReadLesson(lesson(
                        s.and_then(|s| s.teacher_id),
                        Some(found.student_id),
                    )),
                )?;
                Node::WaitlistEntry(WaitlistEntry(found))
            }
            Kind::Equipment => {
                allow(viewer, Action::ReadCatalogue)?;
                Node::Equipment(super::resources::Equipment(get!(equipment)))
            }
            Kind::Material => {
                // Like the list: what the viewer may not see now does
                // not exist for them.
                match super::resources::materials::as_seen(ctx, get!(material)).await? {
                    Some(m) => Node::Material(m),
                    None => return Ok(None),
                }
            }
            Kind::Lead => {
                allow(viewer, Action::ManageSchool)?;
                Node::Lead(super::crm::Lead(get!(lead)))
            }
            Kind::Programme => {
                allow(viewer, Action::ReadCatalogue)?;
                Node::Programme(super::crm::Programme(get!(programme)))
            }
            Kind::StudentSubscription => {
                let found = get!(subscription);
                allow(
                    viewer,
                    Action::ReadPrivate(StudentId::from_uuid(found.student_id)),
                )?;
                Node::StudentSubscription(super::crm::StudentSubscription(found))
            }
            Kind::ExamRequest => {
                let found = get!(exam_request);
                allow(
                    viewer,
                    Action::ReadStudent(StudentId::from_uuid(found.student_id)),
                )?;
                Node::ExamRequest(super::crm::ExamRequest(found))
            }
            Kind::Invoice => {
                let found = get!(invoice);
                super::billing::may_read(viewer, &found)?;
                Node::Invoice(super::billing::Invoice(found))
            }
            Kind::Installment => {
                let found = get!(subscription_installment);
                let Some(sub) =
                    repo::find::<subscription::Entity>(conn, school, found.subscription_id)
                        .await
                        .map_err(internal)?
                else {
                    return Ok(None);
                };
                allow(
                    viewer,
                    Action::ReadPrivate(StudentId::from_uuid(sub.student_id)),
                )?;
                Node::Installment(super::crm::subscriptions::Installment(found))
            }
            Kind::School
            | Kind::Payment
            | Kind::MakeupCredit
            | Kind::Payout
            | Kind::Registration
            | Kind::BookingSeries
            | Kind::TeachingRole
            | Kind::Enrolment => {
                return Ok(None);
            }
        };
        Ok(Some(node))
    }
}

/// The policy facts of a session or series.
pub(crate) fn lesson(teacher: Option<uuid::Uuid>, student: Option<uuid::Uuid>) -> Lesson {
    Lesson {
        teacher: teacher.map(TeacherId::from_uuid),
        student: student.map(StudentId::from_uuid),
    }
}
