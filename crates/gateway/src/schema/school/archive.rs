//! `archive` and `unarchive`: the only way to retire a location, room,
//! teacher, student or offering. Nothing that history refers to is ever
//! deleted; an archived row keeps answering wherever history points at it
//! (sessions, bookings, invoices), drops out of lists, and is refused for
//! new use with `ARCHIVED`. Archiving is refused with `IN_USE` while
//! upcoming sessions, series, bookings or enrolments still depend on it.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use infra::archive::Row;
use kernel::Archivable;
use kernel::policy::Action;

use crate::context::app;
use crate::error::{FieldError, UserError, internal};
use crate::ids::{Kind, decode_any};
use crate::schema::node::Node;
use crate::schema::{
    Done, Location, Offering, Room, Student, Teacher, authorize, mutation, payloads,
};

/// Input of `archive` and `unarchive`.
#[derive(InputObject)]
pub struct ArchiveInput {
    /// A location, room, teacher, student or offering.
    pub id: ID,
}

/// Result of `archive` and `unarchive`.
#[derive(SimpleObject, Default)]
pub struct ArchivePayload {
    /// The row, with its new `archivedAt`.
    pub node: Option<Node>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(ArchivePayload);

/// The archivable kind an id names, if it names one.
fn archivable(id: &ID) -> Option<(Archivable, Kind, uuid::Uuid)> {
    let (kind, uuid) = decode_any(id)?;
    let a = match kind {
        Kind::Location => Archivable::Location,
        Kind::Room => Archivable::Room,
        Kind::Teacher => Archivable::Teacher,
        Kind::Student => Archivable::Student,
        Kind::Offering => Archivable::Offering,
        _ => return None,
    };
    Some((a, kind, uuid))
}

fn node(row: Row) -> Node {
    match row {
        Row::Location(l) => Node::Location(Location(l)),
        Row::Room(r) => Node::Room(Room(r)),
        Row::Teacher(t) => Node::Teacher(Teacher(t)),
        Row::Student(s) => Node::Student(Student(s)),
        Row::Offering(o) => Node::Offering(Offering(o)),
    }
}

fn not_archivable() -> FieldError {
    FieldError::not_found("id", "location, room, teacher, student or offering")
}

#[derive(Default)]
pub struct ArchiveMutation;

#[Object]
impl ArchiveMutation {
    /// Archives a location (with its rooms), room, teacher, student or
    /// offering: hidden from lists and refused for new use, kept wherever
    /// history refers to it. Refused with `IN_USE` while upcoming
    /// sessions, active series, bookings or enrolments depend on it (the
    /// message counts them). Archiving an archived row changes nothing.
    async fn archive(&self, ctx: &Context<'_>, input: ArchiveInput) -> Result<ArchivePayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some((what, kind, uuid)) = archivable(&input.id) else {
                return Ok(Done::refuse(not_archivable()));
            };
            let Some(row) = infra::archive::find(tx, viewer.school, what, uuid)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::refuse(not_archivable()));
            };
            let now = app(ctx).clock.now();
            match infra::archive::archive(tx, viewer.school, row, now)
                .await
                .map_err(internal)?
            {
                Err(e) => Ok(Done::refuse(FieldError::archive("id", e))),
                Ok(row) => Ok(Done::Commit(
                    ArchivePayload {
                        node: Some(node(row)),
                        user_errors: vec![],
                    },
                    vec![(kind, uuid)],
                )),
            }
        })
        .await
    }

    /// Restores an archived row to lists and new use (a location's rooms
    /// archived with it come back with it; a room of a location still
    /// archived is refused with `ARCHIVED`).
    async fn unarchive(&self, ctx: &Context<'_>, input: ArchiveInput) -> Result<ArchivePayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some((what, kind, uuid)) = archivable(&input.id) else {
                return Ok(Done::refuse(not_archivable()));
            };
            let Some(row) = infra::archive::find(tx, viewer.school, what, uuid)
                .await
                .map_err(internal)?
            else {
                return Ok(Done::refuse(not_archivable()));
            };
            match infra::archive::unarchive(tx, viewer.school, row)
                .await
                .map_err(internal)?
            {
                Err(e) => Ok(Done::refuse(FieldError::archive("id", e))),
                Ok(row) => Ok(Done::Commit(
                    ArchivePayload {
                        node: Some(node(row)),
                        user_errors: vec![],
                    },
                    vec![(kind, uuid)],
                )),
            }
        })
        .await
    }
}
