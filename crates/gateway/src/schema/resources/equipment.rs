//! Equipment: pools at locations, what offerings need per student,
//! maintenance blocks, the timeline of what is free, and what sessions and
//! bookings hold. Resolvers authorize, call `infra::equipment` (which asks
//! `resources` for every decision) and map the result.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::Duration;
use infra::entity::{equipment, equipment_allocation, offering, offering_requirement, session};
use infra::equipment::{Booked, ChangeRefused};
use kernel::policy::Action;
use kernel::{EquipmentId, LocationId, StudentId, TeacherId};
use resources::{EquipmentSpec, MaintenanceBlock};

use crate::context::{app, loaders};
use crate::error::{Code, FieldError, UserError, bad_input, internal, items_error};
use crate::ids::{Kind, decode, encode};
use crate::scalars::DateTime;
use crate::schema::{
    Booking, Done, Location, Offering, allow, authorize, find_in_school, load, load_opt, mutation,
    payloads, refused,
};

/// The longest window `equipmentAvailability` draws.
pub const MAX_TIMELINE_DAYS: i64 = 62;

/// A pool of identical equipment at a location: 8 potter's wheels, 50 kg
/// of clay. What is free at a time is computed from bookings and
/// maintenance, never stored.
pub struct Equipment(pub equipment::Model);

#[Object]
impl Equipment {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Equipment, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Units in all.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    /// Used up by a booking (clay) rather than handed back after the
    /// session (a wheel).
    async fn consumable(&self) -> bool {
        self.0.consumable
    }
    /// The unit a quantity counts ("kg"); null for pieces.
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
    /// Where the pool is.
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<Location>> {
        Ok(load(&loaders(ctx)?.locations, self.0.location_id)
            .await?
            .map(Location))
    }
}

async fn equipment_of(ctx: &Context<'_>, id: uuid::Uuid) -> Result<Option<Equipment>> {
    Ok(load(&loaders(ctx)?.equipment, id).await?.map(Equipment))
}

/// What one student of an offering needs of one pool.
pub struct OfferingRequirement(pub offering_requirement::Model);

#[Object]
impl OfferingRequirement {
    /// The pool.
    async fn equipment(&self, ctx: &Context<'_>) -> Result<Option<Equipment>> {
        equipment_of(ctx, self.0.equipment_id).await
    }
    /// Units per student (guests need theirs too).
    async fn per_student(&self) -> i32 {
        self.0.per_student
    }
}

/// Units of a pool a booking holds while it holds its place.
pub struct EquipmentAllocation(pub equipment_allocation::Model);

#[Object]
impl EquipmentAllocation {
    /// The pool.
    async fn equipment(&self, ctx: &Context<'_>) -> Result<Option<Equipment>> {
        equipment_of(ctx, self.0.equipment_id).await
    }
    /// Units held.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
}

/// What a session needs of one pool, and what is left over its time.
#[derive(SimpleObject)]
pub struct EquipmentNeed {
    /// The pool.
    pub equipment: Equipment,
    /// Units one more seat needs (the offering's units per student).
    pub needed: i32,
    /// Units free over the session's time, after every overlapping
    /// booking at the location and maintenance.
    pub available: i32,
    /// Seats this pool still allows (`available / needed`).
    pub seats_allowed: i32,
}

/// The equipment a session's offering requires at its location, with the
/// units left: through the request's outlook loader, so a calendar or the
/// class browser pays a constant number of statements.
pub(crate) async fn session_outlook(
    ctx: &Context<'_>,
    s: &session::Model,
) -> Result<Vec<infra::equipment::Outlook>> {
    let l = loaders(ctx)?;
    let offering = match s.offering_id {
        Some(o) => Some(o),
        None => load_opt(&l.series, s.series_id)
            .await?
            .map(|x| x.offering_id),
    };
    let Some(offering) = offering else {
        return Ok(Vec::new());
    };
    let key = Booked {
        offering,
        location: s.location_id,
        from: s.starts_at,
        to: s.ends_at,
    };
    Ok(l.outlook
        .load_one(key)
        .await
        .map_err(internal)?
        .unwrap_or_default())
}

/// The seats equipment still allows a session, if it requires any.
pub(crate) async fn seats_equipment_allows(
    ctx: &Context<'_>,
    s: &session::Model,
) -> Result<Option<i32>> {
    Ok(infra::equipment::seats_allowed(&session_outlook(ctx, s).await?).map(|n| n as i32))
}

/// A session's equipment needs as GraphQL objects.
pub(crate) async fn session_needs(
    ctx: &Context<'_>,
    s: &session::Model,
) -> Result<Vec<EquipmentNeed>> {
    Ok(session_outlook(ctx, s)
        .await?
        .into_iter()
        .map(|o| EquipmentNeed {
            needed: o.per_student as i32,
            available: o.available as i32,
            seats_allowed: infra::equipment::seats_allowed(std::slice::from_ref(&o)).unwrap_or(0)
                as i32,
            equipment: Equipment(o.equipment),
        })
        .collect())
}

/// An offering's requirements, through the request's loader.
pub(crate) async fn requirements(
    ctx: &Context<'_>,
    o: &offering::Model,
) -> Result<Vec<OfferingRequirement>> {
    Ok(loaders(ctx)?
        .requirements
        .load_one(o.id)
        .await
        .map_err(internal)?
        .unwrap_or_default()
        .into_iter()
        .map(OfferingRequirement)
        .collect())
}

/// A booking's equipment, through the request's loader.
pub(crate) async fn allocations(
    ctx: &Context<'_>,
    booking: uuid::Uuid,
) -> Result<Vec<EquipmentAllocation>> {
    Ok(loaders(ctx)?
        .allocations
        .load_one(booking)
        .await
        .map_err(internal)?
        .unwrap_or_default()
        .into_iter()
        .map(EquipmentAllocation)
        .collect())
}

/// Free units over a stretch of time.
#[derive(SimpleObject)]
pub struct AvailabilitySpan {
    /// Start.
    pub from: DateTime,
    /// End.
    pub to: DateTime,
    /// Units free throughout.
    pub available: i32,
}

/// A pool's free units over a window, as consecutive spans.
#[derive(SimpleObject)]
pub struct EquipmentTimeline {
    /// The pool.
    pub equipment: Equipment,
    /// Spans in time order, each as long as the level stays the same.
    pub timeline: Vec<AvailabilitySpan>,
}

/// Equipment queries.
#[derive(Default)]
pub struct EquipmentQuery;

#[Object]
impl EquipmentQuery {
    /// The school's equipment, by name; only that of `locationId` if given.
    async fn equipment(
        &self,
        ctx: &Context<'_>,
        location_id: Option<ID>,
    ) -> Result<Vec<Equipment>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        let location = match location_id {
            Some(id) => match crate::ids::decode(Kind::Location, &id) {
                Some(uuid) => Some(LocationId::from_uuid(uuid)),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        Ok(
            infra::equipment::list(app(ctx).db.conn(), viewer.school, location)
                .await
                .map_err(internal)?
                .into_iter()
                .map(Equipment)
                .collect(),
        )
    }

    /// What each pool of a location has free from `from` to `to` (at most
    /// 62 days), after bookings and maintenance: a studio's timeline.
    async fn equipment_availability(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        from: DateTime,
        to: DateTime,
    ) -> Result<Vec<EquipmentTimeline>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        if to.0 <= from.0 {
            return Err(bad_input("to", Code::Invalid, "`to` must be after `from`"));
        }
        if to.0 - from.0 > Duration::days(MAX_TIMELINE_DAYS) {
            return Err(bad_input(
                "to",
                Code::LimitExceeded,
                format!("ask for at most {MAX_TIMELINE_DAYS} days at a time"),
            ));
        }
        let Some(location) = decode(Kind::Location, &location_id) else {
            return Err(bad_input(
                "locationId",
                Code::NotFound,
                "no location with this id exists in your school",
            ));
        };
        let rows = infra::equipment::timelines(
            app(ctx).db.conn(),
            viewer.school,
            LocationId::from_uuid(location),
            from.0,
            to.0,
        )
        .await
        .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|(row, spans)| EquipmentTimeline {
                equipment: Equipment(row),
                timeline: spans
                    .into_iter()
                    .map(|s| AvailabilitySpan {
                        from: DateTime(s.from),
                        to: DateTime(s.to),
                        available: s.available as i32,
                    })
                    .collect(),
            })
            .collect())
    }
}

/// Input of `createEquipment`.
#[derive(InputObject)]
pub struct CreateEquipmentInput {
    /// Where the pool is.
    pub location_id: ID,
    /// Name ("Potter's wheel").
    pub name: String,
    /// Units in all (1 to 1,000,000).
    pub quantity: i32,
    /// Used up by bookings (clay) rather than handed back. Default false.
    #[graphql(default)]
    pub consumable: bool,
    /// The unit a quantity counts ("kg"); omit for pieces.
    pub unit: Option<String>,
}

/// Result of `createEquipment`.
#[derive(SimpleObject, Default)]
pub struct CreateEquipmentPayload {
    /// The new pool.
    pub equipment: Option<Equipment>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// One item of `setOfferingRequirements`.
#[derive(InputObject)]
pub struct RequirementInput {
    /// The pool.
    pub equipment_id: ID,
    /// Units one student needs (at least 1).
    pub per_student: i32,
}

/// Input of `setOfferingRequirements`.
#[derive(InputObject)]
pub struct SetOfferingRequirementsInput {
    /// The offering.
    pub offering_id: ID,
    /// Every requirement (replaces the old list; empty: none).
    pub items: Vec<RequirementInput>,
}

/// Result of `setOfferingRequirements`.
#[derive(SimpleObject, Default)]
pub struct SetOfferingRequirementsPayload {
    /// The offering.
    pub offering: Option<Offering>,
    /// Its requirements now.
    pub requirements: Vec<OfferingRequirement>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `addMaintenanceBlock`.
#[derive(InputObject)]
pub struct AddMaintenanceBlockInput {
    /// The pool.
    pub equipment_id: ID,
    /// Units out of use.
    pub quantity: i32,
    /// From.
    pub from: DateTime,
    /// Until.
    pub to: DateTime,
    /// Why (a repair, a kiln firing).
    pub note: Option<String>,
}

/// Units out of use over a time range.
#[derive(SimpleObject)]
pub struct MaintenanceBlockObject {
    /// Units out.
    pub quantity: i32,
    /// From.
    pub from: DateTime,
    /// Until.
    pub to: DateTime,
    /// Why.
    pub note: Option<String>,
}

/// Result of `addMaintenanceBlock`.
#[derive(SimpleObject, Default)]
pub struct AddMaintenanceBlockPayload {
    /// The block.
    pub block: Option<MaintenanceBlockObject>,
    /// The pool.
    pub equipment: Option<Equipment>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// One item of `changeBookingEquipment`.
#[derive(InputObject)]
pub struct BookingEquipmentInput {
    /// The pool.
    pub equipment_id: ID,
    /// Units the booking should hold (0 gives them back).
    pub quantity: i32,
}

/// Input of `changeBookingEquipment`.
#[derive(InputObject)]
pub struct ChangeBookingEquipmentInput {
    /// The booking (pending or confirmed).
    pub booking_id: ID,
    /// The pools to change; others stay as they are.
    pub items: Vec<BookingEquipmentInput>,
}

/// Result of `changeBookingEquipment`.
#[derive(SimpleObject, Default)]
pub struct ChangeBookingEquipmentPayload {
    /// The booking.
    pub booking: Option<Booking>,
    /// What it holds now.
    pub equipment: Vec<EquipmentAllocation>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(
    CreateEquipmentPayload,
    SetOfferingRequirementsPayload,
    AddMaintenanceBlockPayload,
    ChangeBookingEquipmentPayload
);

/// Decodes the items' equipment ids; `Err` names the first bad one.
fn item_ids<'a>(
    ids: impl Iterator<Item = &'a ID>,
) -> std::result::Result<Vec<EquipmentId>, UserError> {
    ids.enumerate()
        .map(|(i, id)| {
            decode(Kind::Equipment, id)
                .map(EquipmentId::from_uuid)
                .ok_or_else(|| unknown_item(i))
        })
        .collect()
}

fn unknown_item(i: usize) -> UserError {
    UserError {
        field: Some(vec![
            "input".into(),
            "items".into(),
            i.to_string(),
            "equipmentId".into(),
        ]),
        message: "no equipment with this id exists in your school (at this location)".into(),
        code: Code::NotFound,
    }
}

/// Equipment mutations.
#[derive(Default)]
pub struct EquipmentMutation;

#[Object]
impl EquipmentMutation {
    /// Adds a pool of equipment at a location.
    async fn create_equipment(
        &self,
        ctx: &Context<'_>,
        input: CreateEquipmentInput,
    ) -> Result<CreateEquipmentPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let spec = match EquipmentSpec::parse(
            &input.name,
            i64::from(input.quantity),
            input.consumable,
            input.unit.as_deref(),
        ) {
            Ok(spec) => spec,
            Err(e) => return refused(FieldError::from(e)),
        };
        mutation(ctx, async |tx, viewer| {
            let Some(location) = find_in_school::<infra::entity::location::Entity>(
                tx,
                viewer.school,
                Kind::Location,
                &input.location_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "locationId",
                    "location",
                )));
            };
            let now = app(ctx).clock.now();
            let row = infra::equipment::create(
                tx,
                viewer.school,
                LocationId::from_uuid(location.id),
                spec,
                now,
            )
            .await
            .map_err(internal)?;
            let id = row.id;
            Ok(Done::Commit(
                CreateEquipmentPayload {
                    equipment: Some(Equipment(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Equipment, id)],
            ))
        })
        .await
    }

    /// Says what one student of an offering needs (1 wheel, 2 kg of clay):
    /// the list replaces the old one. Bookings already made keep what they
    /// hold; new ones take the new amounts.
    async fn set_offering_requirements(
        &self,
        ctx: &Context<'_>,
        input: SetOfferingRequirementsInput,
    ) -> Result<SetOfferingRequirementsPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let ids = match item_ids(input.items.iter().map(|i| &i.equipment_id)) {
            Ok(ids) => ids,
            Err(e) => return refused(e),
        };
        let pairs: Vec<(EquipmentId, i64)> = ids
            .into_iter()
            .zip(&input.items)
            .map(|(id, i)| (id, i64::from(i.per_student)))
            .collect();
        let items = match resources::equipment::parse_requirements(&pairs) {
            Ok(items) => items,
            Err(e) => return refused(items_error(e, "perStudent")),
        };
        mutation(ctx, async |tx, viewer| {
            let Some(o) = find_in_school::<offering::Entity>(
                tx,
                viewer.school,
                Kind::Offering,
                &input.offering_id,
            )
            .await?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "offeringId",
                    "offering",
                )));
            };
            let rows = match infra::equipment::set_requirements(tx, viewer.school, o.id, &items)
                .await
                .map_err(internal)?
            {
                Ok(rows) => rows,
                Err(i) => return Ok(Done::Refuse(unknown_item(i))),
            };
            let id = o.id;
            Ok(Done::Commit(
                SetOfferingRequirementsPayload {
                    offering: Some(Offering(o)),
                    requirements: rows.into_iter().map(OfferingRequirement).collect(),
                    user_errors: vec![],
                },
                vec![(Kind::Offering, id)],
            ))
        })
        .await
    }

    /// Takes units out of use for a while (a repair). Refused when
    /// bookings hold those units then: the message says how many are free.
    async fn add_maintenance_block(
        &self,
        ctx: &Context<'_>,
        input: AddMaintenanceBlockInput,
    ) -> Result<AddMaintenanceBlockPayload> {
        authorize(ctx, Action::ManageSchool)?;
        mutation(ctx, async |tx, viewer| {
            let Some(id) = decode(Kind::Equipment, &input.equipment_id) else {
                return Ok(Done::refuse(FieldError::not_found(
                    "equipmentId",
                    "equipment",
                )));
            };
            let Some(row) =
                infra::equipment::lock_one(tx, viewer.school, EquipmentId::from_uuid(id))
                    .await
                    .map_err(internal)?
            else {
                return Ok(Done::refuse(FieldError::not_found(
                    "equipmentId",
                    "equipment",
                )));
            };
            let block = match MaintenanceBlock::parse(
                row.quantity.max(0) as u32,
                i64::from(input.quantity),
                input.from.0,
                input.to.0,
            ) {
                Ok(b) => b,
                Err(e) => return Ok(Done::refuse(FieldError::from(e))),
            };
            let now = app(ctx).clock.now();
            let note = crate::schema::notes(input.note.clone());
            let saved = match infra::equipment::add_maintenance(
                tx,
                viewer.school,
                &row,
                block,
                note,
                viewer.user,
                now,
            )
            .await
            .map_err(internal)?
            {
                Ok(b) => b,
                Err(short) => return Ok(Done::refuse(short)),
            };
            Ok(Done::Commit(
                AddMaintenanceBlockPayload {
                    block: Some(MaintenanceBlockObject {
                        quantity: saved.quantity,
                        from: DateTime(saved.starts_at),
                        to: DateTime(saved.ends_at),
                        note: saved.note,
                    }),
                    equipment: Some(Equipment(row)),
                    user_errors: vec![],
                },
                vec![(Kind::Equipment, id)],
            ))
        })
        .await
    }

    /// Changes what a pending or confirmed booking holds of some pools
    /// (a student brings their own tools: 0; needs a second wheel: 2), if
    /// the units are free over its time.
    async fn change_booking_equipment(
        &self,
        ctx: &Context<'_>,
        input: ChangeBookingEquipmentInput,
    ) -> Result<ChangeBookingEquipmentPayload> {
        crate::context::viewer(ctx)?;
        let ids = match item_ids(input.items.iter().map(|i| &i.equipment_id)) {
            Ok(ids) => ids,
            Err(e) => return refused(e),
        };
        let pairs: Vec<(EquipmentId, i64)> = ids
            .into_iter()
            .zip(&input.items)
            .map(|(id, i)| (id, i64::from(i.quantity)))
            .collect();
        let items = match resources::equipment::parse_booking_quantities(&pairs) {
            Ok(items) => items,
            Err(e) => return refused(items_error(e, "quantity")),
        };
        mutation(ctx, async |tx, viewer| {
            let b = match decode(Kind::Booking, &input.booking_id) {
                Some(id) => infra::booking::rows::find_booking(
                    tx,
                    viewer.school,
                    kernel::BookingId::from_uuid(id),
                )
                .await
                .map_err(internal)?,
                None => None,
            };
            let Some(b) = b else {
                return Ok(Done::refuse(FieldError::not_found("bookingId", "booking")));
            };
            allow(
                viewer,
                Action::ManageBooking {
                    teacher: b.teacher_id.map(TeacherId::from_uuid),
                    student: StudentId::from_uuid(b.student_id),
                },
            )?;
            // The office and the lesson's teacher may give a booking more
            // than its share; a family may only give units back and take
            // them again.
            let office = kernel::policy::authorize(
                viewer,
                Action::DecideBooking(b.teacher_id.map(TeacherId::from_uuid)),
            )
            .is_ok();
            let now = app(ctx).clock.now();
            let held = match infra::equipment::change_booking(
                tx,
                viewer.school,
                &b,
                &items,
                office,
                now,
            )
            .await
            .map_err(internal)?
            {
                Ok(held) => held,
                Err(ChangeRefused::NotLive) => {
                    return Ok(Done::refuse(UserError::input(
                        "bookingId",
                        Code::InvalidState,
                        "this booking no longer holds a place (cancelled, declined, moved or over)",
                    )));
                }
                Err(ChangeRefused::Unknown(i)) => return Ok(Done::Refuse(unknown_item(i))),
                Err(ChangeRefused::BeyondShare(e)) => {
                    return Ok(Done::refuse(UserError::input(
                        "items",
                        Code::LimitExceeded,
                        e.to_string(),
                    )));
                }
                Err(ChangeRefused::Short(short)) => return Ok(Done::refuse(short)),
            };
            let id = b.id;
            Ok(Done::Commit(
                ChangeBookingEquipmentPayload {
                    booking: Some(Booking(b)),
                    equipment: held.into_iter().map(EquipmentAllocation).collect(),
                    user_errors: vec![],
                },
                vec![(Kind::Booking, id)],
            ))
        })
        .await
    }
}
