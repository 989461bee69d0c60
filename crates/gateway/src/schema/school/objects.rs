//! The school's own things as GraphQL objects: the school, locations,
//! rooms, teachers (with availability and time off), students and
//! offerings. Each wraps an infra row privately and exposes explicit fields,
//! so tables can change without changing the contract; related objects
//! resolve through the request's dataloaders.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use infra::entity::{location, offering, room, school, student, teacher};
use scheduling::AvailabilityWindow;

use crate::context::loaders;
use crate::error::internal;
use crate::ids::{Kind, encode};
use crate::scalars::{DateTime, LocalDate, LocalTime};
use crate::schema::{load, load_opt};

/// A school (tenant).
pub struct School(pub school::Model);

#[Object]
impl School {
    /// Phone.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// Logo (an https URL).
    async fn logo_url(&self) -> Option<&str> {
        self.0.logo_url.as_deref()
    }
    /// Brand colour, `#rrggbb`.
    async fn brand_color(&self) -> Option<&str> {
        self.0.brand_color.as_deref()
    }
    /// The host name families reach the school at.
    async fn custom_domain(&self) -> Option<&str> {
        self.0.custom_domain.as_deref()
    }
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::School, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// IANA time zone, the default for locations and series.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }
    /// ISO-4217 currency.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
}

/// A branch of the school.
pub struct Location(pub location::Model);

#[Object]
impl Location {
    /// When the location was archived (hidden from lists, refused for new
    /// use, still shown wherever history refers to it); null while in use.
    async fn archived_at(&self) -> Option<DateTime> {
        self.0.archived_at.map(DateTime)
    }
    /// City.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }
    /// State or region.
    async fn state(&self) -> Option<&str> {
        self.0.state.as_deref()
    }
    /// Phone.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Location, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Street address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// IANA time zone; null means the school's.
    async fn timezone(&self) -> Option<&str> {
        self.0.timezone.as_deref()
    }
    /// Rooms and booths here, by name (archived ones only if asked).
    async fn rooms(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_archived: bool,
    ) -> Result<Vec<Room>> {
        let rooms = loaders(ctx)?
            .rooms_by_location
            .load_one(self.0.id)
            .await
            .map_err(internal)?;
        Ok(rooms
            .unwrap_or_default()
            .into_iter()
            .filter(|r| include_archived || r.archived_at.is_none())
            .map(Room)
            .collect())
    }
}

/// Kind of room.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RoomKind {
    /// A physical room.
    Room,
    /// A booth.
    Booth,
    /// An online space.
    Online,
}

impl From<RoomKind> for resources::RoomKind {
    fn from(k: RoomKind) -> Self {
        match k {
            RoomKind::Room => Self::Room,
            RoomKind::Booth => Self::Booth,
            RoomKind::Online => Self::Online,
        }
    }
}

/// A room, booth or online space.
pub struct Room(pub room::Model);

#[Object]
impl Room {
    /// When the room was archived (hidden from lists, refused for new
    /// use, still shown wherever history refers to it); null while in use.
    async fn archived_at(&self) -> Option<DateTime> {
        self.0.archived_at.map(DateTime)
    }
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Room, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// How many people fit.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// Kind of space.
    async fn kind(&self) -> Result<RoomKind> {
        Ok(
            match infra::stored("rooms", &self.0.kind, resources::RoomKind::parse)
                .map_err(crate::error::internal)?
            {
                resources::RoomKind::Booth => RoomKind::Booth,
                resources::RoomKind::Online => RoomKind::Online,
                resources::RoomKind::Room => RoomKind::Room,
            },
        )
    }
    /// Where it is.
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<Location>> {
        Ok(load(&loaders(ctx)?.locations, self.0.location_id)
            .await?
            .map(Location))
    }
}

/// A weekly availability window.
#[derive(SimpleObject)]
pub struct Availability {
    /// ISO day of week, 1 = Monday … 7 = Sunday.
    pub day_of_week: i32,
    /// Local start.
    pub start_time: LocalTime,
    /// Local end.
    pub end_time: LocalTime,
    /// First date the window applies (inclusive); null = always.
    pub valid_from: Option<LocalDate>,
    /// Last date the window applies (inclusive); null = open-ended.
    pub valid_until: Option<LocalDate>,
}

impl From<AvailabilityWindow> for Availability {
    fn from(w: AvailabilityWindow) -> Self {
        Self {
            day_of_week: w.weekday.iso() as i32,
            start_time: LocalTime(w.start),
            end_time: LocalTime(w.end),
            valid_from: w.valid_from.map(LocalDate),
            valid_until: w.valid_until.map(LocalDate),
        }
    }
}

/// A teacher.
pub struct Teacher(pub teacher::Model);

#[Object]
impl Teacher {
    /// When the teacher was archived (hidden from lists, refused for new
    /// use, still shown wherever history refers to it); null while in use.
    async fn archived_at(&self) -> Option<DateTime> {
        self.0.archived_at.map(DateTime)
    }
    /// Bio.
    async fn bio(&self) -> Option<&str> {
        self.0.bio.as_deref()
    }
    /// Specialties.
    async fn specialties(&self) -> Result<Vec<String>> {
        infra::profiles::specialties(&self.0).map_err(crate::error::internal)
    }
    /// Pay rate in the school currency's minor units (the office and the
    /// teacher themselves; null for others).
    async fn pay_rate_minor(&self, ctx: &Context<'_>) -> Result<Option<i64>> {
        Ok(
            crate::schema::school::profiles::own_or_office(ctx, self.0.id)?
                .then_some(self.0.pay_rate_minor)
                .flatten(),
        )
    }
    /// What the pay rate is per: PER_SESSION, PER_HOUR or PER_STUDENT (as
    /// `payRateMinor`).
    async fn pay_basis(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(
            crate::schema::school::profiles::own_or_office(ctx, self.0.id)?
                .then_some(self.0.pay_basis.as_deref())
                .flatten(),
        )
    }
    /// Stripe Connect account id (as `payRateMinor`).
    async fn stripe_connect_id(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(
            crate::schema::school::profiles::own_or_office(ctx, self.0.id)?
                .then_some(self.0.stripe_connect_id.as_deref())
                .flatten(),
        )
    }
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Teacher, self.0.id)
    }
    /// Contact email.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// First name.
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    /// Last name.
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    /// Time off that has not ended yet, in start order.
    async fn time_off(&self, ctx: &Context<'_>) -> Result<Vec<TimeOff>> {
        Ok(loaders(ctx)?
            .time_off
            .load_one(self.0.id)
            .await
            .map_err(crate::error::internal)?
            .unwrap_or_default()
            .into_iter()
            .map(|t| TimeOff {
                starts_at: DateTime(t.starts_at),
                ends_at: DateTime(t.ends_at),
                reason: t.reason,
            })
            .collect())
    }
    /// Teaching roles held.
    async fn teaching_roles(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::schema::staff::TeachingRole>> {
        Ok(loaders(ctx)?
            .roles_by_teacher
            .load_one(self.0.id)
            .await
            .map_err(crate::error::internal)?
            .unwrap_or_default()
            .into_iter()
            .map(crate::schema::staff::TeachingRole)
            .collect())
    }
    /// Weekly availability windows. Empty means the teacher published none:
    /// the office may schedule and book them at any time, and families see
    /// no self-service slots (`availableSlots`) until windows are published.
    async fn availability(&self, ctx: &Context<'_>) -> Result<Vec<Availability>> {
        let windows = loaders(ctx)?
            .availability
            .load_one(self.0.id)
            .await
            .map_err(internal)?;
        Ok(windows
            .unwrap_or_default()
            .into_iter()
            .map(Availability::from)
            .collect())
    }
    /// The teacher's calendar: sessions they teach or are assigned to as
    /// instructor or assistant, and their 1-on-1 lessons, in start order.
    async fn calendar(
        &self,
        ctx: &Context<'_>,
        from: DateTime,
        to: DateTime,
    ) -> Result<Vec<crate::schema::CalendarEntry>> {
        crate::schema::booking::family::teacher_calendar(ctx, self.0.id, from, to).await
    }
}

/// A student.
pub struct Student(pub student::Model);

#[Object]
impl Student {
    /// Make-up credits, oldest first, with their states (the office and
    /// the family).
    async fn makeup_credits(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::schema::billing::credits::MakeupCredit>> {
        crate::schema::billing::credits::student_credits(ctx, &self.0).await
    }
    /// Make-up credits available: the sum of the ledger's entries.
    async fn makeup_credit_balance(&self, ctx: &Context<'_>) -> Result<i64> {
        crate::schema::billing::credits::student_credit_balance(ctx, &self.0).await
    }
    /// When the student was archived (hidden from lists, refused for new
    /// use, still shown wherever history refers to it); null while in use.
    async fn archived_at(&self) -> Option<DateTime> {
        self.0.archived_at.map(DateTime)
    }
    /// Instruments, the main one first.
    async fn instruments(&self) -> Result<Vec<String>> {
        infra::profiles::instruments(&self.0).map_err(crate::error::internal)
    }
    /// Level.
    async fn skill_level(&self) -> Result<Option<crate::schema::school::profiles::SkillLevel>> {
        crate::schema::school::profiles::skill_level(&self.0)
    }
    /// The guardian's name.
    async fn guardian_name(&self) -> Option<&str> {
        self.0.guardian_name.as_deref()
    }
    /// The guardian's phone.
    async fn guardian_phone(&self) -> Option<&str> {
        self.0.guardian_phone.as_deref()
    }
    /// The guardian's email.
    async fn guardian_email(&self) -> Option<&str> {
        self.0.guardian_email.as_deref()
    }
    /// Who to call in an emergency (teachers see it too).
    async fn emergency_contact(&self) -> Option<crate::schema::school::profiles::EmergencyContact> {
        crate::schema::school::profiles::emergency(&self.0)
    }
    /// A parent agrees to the student taking part.
    async fn parental_consent(&self) -> bool {
        self.0.parental_consent
    }
    /// Photos and videos of the student may be posted.
    async fn social_media_consent(&self) -> bool {
        self.0.social_media_consent
    }
    /// Every change of a consent: who, from what, when (the office and
    /// the family; null for others).
    async fn consent_history(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<crate::schema::school::profiles::ConsentRecord>>> {
        crate::schema::school::profiles::consent_history(ctx, &self.0).await
    }
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Student, self.0.id)
    }
    /// First name.
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    /// Last name.
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    /// Email, if any.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Date of birth.
    async fn date_of_birth(&self) -> Option<LocalDate> {
        self.0.date_of_birth.map(LocalDate)
    }
    /// The student's calendar: sessions they are booked or enrolled in
    /// (those the school cancelled shown as cancelled), their 1-on-1
    /// series' lessons and booked 1-on-1 lessons, in start order.
    async fn calendar(
        &self,
        ctx: &Context<'_>,
        from: DateTime,
        to: DateTime,
    ) -> Result<Vec<crate::schema::CalendarEntry>> {
        crate::schema::booking::family::student_calendar(ctx, self.0.id, from, to).await
    }
    /// The student's subscriptions to programmes.
    async fn subscriptions(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::schema::crm::StudentSubscription>> {
        crate::schema::crm::subscriptions::student_subscriptions(ctx, &self.0).await
    }
    /// The text of the student's QR code, for their card or a scanner
    /// (the office and those who act for the student; null for others).
    /// `GET /students/{id}/qr.png` draws it for printing.
    async fn qr_code(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        crate::schema::crm::checkin::qr_token(ctx, &self.0).await
    }
    /// The student's latest 50 scans, newest first (teachers and the
    /// office; null for families).
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<crate::schema::crm::CheckIn>>> {
        crate::schema::crm::checkin::student_check_ins(ctx, &self.0).await
    }
    /// The student's progression awards, newest first.
    async fn awards(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::schema::crm::progress::ProgressionAward>> {
        crate::schema::crm::progress::student_awards(ctx, &self.0).await
    }
    /// The student's exam requests, newest first.
    async fn exam_requests(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::schema::crm::ExamRequest>> {
        crate::schema::crm::progress::student_exams(ctx, &self.0).await
    }
    /// The student's standing places in series, newest first.
    async fn enrolments(&self, ctx: &Context<'_>) -> Result<Vec<crate::schema::Enrolment>> {
        crate::schema::booking::family::student_enrolments(ctx, self.0.id).await
    }
    /// The student's bookings by lesson time.
    #[allow(clippy::too_many_arguments)]
    async fn bookings(
        &self,
        ctx: &Context<'_>,
        filter: Option<crate::schema::booking::family::StudentBookingsFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<crate::schema::page::Page<crate::schema::Booking>> {
        use crate::schema::page::PageArgs;
        crate::schema::booking::family::student_bookings(
            ctx,
            self.0.id,
            filter,
            crate::schema::page_args!(after, before, first, last),
        )
        .await
    }
}

/// Kind of offering.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OfferingKind {
    /// 1-on-1 lessons.
    Individual,
    /// Group classes.
    Group,
    /// Group classes with 1-on-1 weeks.
    Hybrid,
    /// Band rehearsals.
    BandRehearsal,
    /// Ensembles.
    Ensemble,
    /// Workshops.
    Workshop,
    /// Evaluations for leads.
    Evaluation,
}

impl From<OfferingKind> for scheduling::OfferingKind {
    fn from(k: OfferingKind) -> Self {
        use scheduling::OfferingKind as D;
        match k {
            OfferingKind::Individual => D::Individual,
            OfferingKind::Group => D::Group,
            OfferingKind::Hybrid => D::Hybrid,
            OfferingKind::BandRehearsal => D::BandRehearsal,
            OfferingKind::Ensemble => D::Ensemble,
            OfferingKind::Workshop => D::Workshop,
            OfferingKind::Evaluation => D::Evaluation,
        }
    }
}

impl From<scheduling::OfferingKind> for OfferingKind {
    fn from(k: scheduling::OfferingKind) -> Self {
        use scheduling::OfferingKind as D;
        match k {
            D::Individual => Self::Individual,
            D::Group => Self::Group,
            D::Hybrid => Self::Hybrid,
            D::BandRehearsal => Self::BandRehearsal,
            D::Ensemble => Self::Ensemble,
            D::Workshop => Self::Workshop,
            D::Evaluation => Self::Evaluation,
        }
    }
}

/// A catalogue offering (class type).
pub struct Offering(pub offering::Model);

#[Object]
impl Offering {
    /// Price of the whole course per seat, in minor units (prorated by
    /// the sessions left for a late join); null when not sold as a course.
    async fn course_price_minor(&self) -> Option<i64> {
        self.0.course_price_minor
    }
    /// Price of one drop-in session per seat, in minor units (the session
    /// price when null).
    async fn drop_in_price_minor(&self) -> Option<i64> {
        self.0.drop_in_price_minor
    }
    /// When the offering was archived (hidden from lists, refused for new
    /// use, still shown wherever history refers to it); null while in use.
    async fn archived_at(&self) -> Option<DateTime> {
        self.0.archived_at.map(DateTime)
    }
    /// What it is about.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The subject (piano, maths, wheel throwing).
    async fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Offering, self.0.id)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Kind.
    async fn kind(&self) -> Result<OfferingKind> {
        infra::stored("offerings", &self.0.kind, scheduling::OfferingKind::parse)
            .map(Into::into)
            .map_err(crate::error::internal)
    }
    /// Default lesson length in minutes.
    async fn default_duration_minutes(&self) -> i32 {
        self.0.default_duration_minutes
    }
    /// Default seats per session.
    async fn default_capacity(&self) -> i32 {
        self.0.default_capacity
    }
    /// Price per seat of a session, in the school currency's minor units.
    async fn price_minor(&self) -> Option<i64> {
        self.0.price_minor
    }
    /// What one student needs of the school's equipment (1 wheel, 2 kg of
    /// clay): every booking takes it for each seat.
    async fn requirements(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::schema::resources::OfferingRequirement>> {
        crate::schema::resources::equipment::requirements(ctx, &self.0).await
    }
    /// The teaching role its instructors must hold.
    async fn required_role(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::schema::staff::TeachingRole>> {
        Ok(
            load_opt(&loaders(ctx)?.teaching_roles, self.0.required_role_id)
                .await?
                .map(crate::schema::staff::TeachingRole),
        )
    }
}

/// A teacher's absence.
#[derive(async_graphql::SimpleObject)]
pub struct TimeOff {
    /// Start.
    pub starts_at: DateTime,
    /// End.
    pub ends_at: DateTime,
    /// Why.
    pub reason: Option<String>,
}
