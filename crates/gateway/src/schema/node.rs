//! Relay object identification: `node(id:)` for every type with a global id.

use async_graphql::{Context, ID, Interface, Object, Result};
use infra::entity::{class_series, location, offering, room, session, student, teacher};
use infra::repo;

use super::{ClassSeries, Location, Offering, Room, Session, Student, Teacher};
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
            ($entity:ident, $variant:ident) => {
                repo::find::<$entity::Entity>(conn, school, uuid)
                    .await
                    .map_err(internal)?
                    .map(|m| Node::$variant($variant(m)))
            };
        }
        Ok(match kind {
            Kind::Location => get!(location, Location),
            Kind::Room => get!(room, Room),
            Kind::Teacher => get!(teacher, Teacher),
            Kind::Student => get!(student, Student),
            Kind::Offering => get!(offering, Offering),
            Kind::ClassSeries => get!(class_series, ClassSeries),
            Kind::Session => get!(session, Session),
            Kind::School | Kind::User => None,
        })
    }
}
