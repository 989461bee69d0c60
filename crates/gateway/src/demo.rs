//! The demo school (`--demo`, `seed-demo`): a realistic music school so a
//! newcomer can click around GraphiQL at once. Seeding is idempotent: if the
//! demo admin exists, it only logs in again.
//!
//! It goes through the same validation and services as the API, so the demo
//! can never hold data the API would refuse.

use chrono::{Datelike, Duration, NaiveTime};
use infra::InfraError;
use infra::repo::families::{self, Member, NewFamily};
use infra::repo::organisation::{self, NewSchool, NewUser, Role, SignUp};
use infra::repo::people::{self, NewStudent, NewTeacher};
use infra::repo::places;
use infra::scheduling::{self as service, NewSeries};
use kernel::{Currency, LocationId, OfferingId, RoomId, StudentId, TeacherId, TimeZone};
use resources::{RoomKind, RoomSpec};
use scheduling::{
    AvailabilityWindow, ConflictPolicy, GenerationMode, OfferingKind, OfferingSpec, Schedule,
    ScheduleInput,
};

use crate::AppState;

/// The demo admin's login.
pub const DEMO_EMAIL: &str = "admin@allegro.demo";
/// The demo admin's password (every demo login uses it).
pub const DEMO_PASSWORD: &str = "allegro-demo";
/// The demo teacher's login (Clara, who needs to approve 1-on-1 bookings).
pub const DEMO_TEACHER_EMAIL: &str = "clara@allegro.demo";
/// The demo parent's login (a family of two students).
pub const DEMO_PARENT_EMAIL: &str = "parent@allegro.demo";

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid demo time")
}

fn window(day: i64, from: NaiveTime, to: NaiveTime) -> AvailabilityWindow {
    scheduling::parse_window(day, from, to, scheduling::Validity::default())
        .expect("valid demo window")
}

/// Seeds the demo school (once) and returns a text telling how to log in.
pub async fn seed(state: &AppState) -> Result<String, InfraError> {
    let now = state.clock.now();
    let db = &state.db;
    let zone = TimeZone::parse("Europe/London").expect("known zone");
    if organisation::check_credentials(db.conn(), DEMO_EMAIL, DEMO_PASSWORD)
        .await?
        .is_none()
    {
        let password_hash = infra::auth::hash_password(DEMO_PASSWORD)?;
        let tx = db.begin_write().await?;
        let signed_up = organisation::sign_up(
            &tx,
            NewSchool {
                school_name: "Allegro Music School".into(),
                email: DEMO_EMAIL.into(),
                password_hash,
                first_name: "Alma".into(),
                last_name: "Mahler".into(),
                timezone: zone,
                currency: Currency::parse("GBP").expect("valid currency"),
            },
            now,
        )
        .await?;
        let SignUp::Created {
            school,
            user: admin,
            ..
        } = signed_up
        else {
            // The email exists with another password: leave it alone.
            return Ok(format!(
                "demo: {DEMO_EMAIL} exists with a changed password; not seeding"
            ));
        };
        let main = places::create_location(
            &tx,
            school,
            "Main Studio".into(),
            Some("12 Harmony Lane, London".into()),
            None,
            now,
        )
        .await?;
        let main_id = LocationId::from_uuid(main.id);
        let room = |name: &str, capacity, kind| {
            RoomSpec::parse(name, capacity, kind).expect("valid demo room")
        };
        let studio_a = places::create_room(
            &tx,
            school,
            main_id,
            room("Studio A", 12, RoomKind::Room),
            now,
        )
        .await?;
        let studio_b = places::create_room(
            &tx,
            school,
            main_id,
            room("Studio B", 6, RoomKind::Room),
            now,
        )
        .await?;
        let booth = places::create_room(
            &tx,
            school,
            main_id,
            room("Piano Booth 1", 2, RoomKind::Booth),
            now,
        )
        .await?;
        let weekdays = |from, to| (1..=5).map(|d| window(d, from, to)).collect::<Vec<_>>();
        let teacher = |email: &str, first: &str, last: &str, availability| NewTeacher {
            email: email.into(),
            first_name: first.into(),
            last_name: last.into(),
            availability,
        };
        let clara = people::create_teacher(
            &tx,
            school,
            teacher(
                "clara@allegro.demo",
                "Clara",
                "Schumann",
                weekdays(t(14, 0), t(20, 0)),
            ),
            now,
        )
        .await?;
        let miles = people::create_teacher(
            &tx,
            school,
            teacher(
                "miles@allegro.demo",
                "Miles",
                "Davis",
                vec![
                    window(2, t(15, 0), t(21, 0)),
                    window(4, t(15, 0), t(21, 0)),
                    window(6, t(9, 0), t(13, 0)),
                ],
            ),
            now,
        )
        .await?;
        let nadia = people::create_teacher(
            &tx,
            school,
            teacher("nadia@allegro.demo", "Nadia", "Boulanger", vec![]),
            now,
        )
        .await?;
        let mut students = Vec::new();
        for (first, last) in [
            ("Lily", "Chen"),
            ("Omar", "Haddad"),
            ("Sofia", "Rossi"),
            ("Ben", "Okafor"),
        ] {
            let s = people::create_student(
                &tx,
                school,
                NewStudent {
                    first_name: first.into(),
                    last_name: last.into(),
                    email: None,
                    date_of_birth: None,
                },
                now,
            )
            .await?;
            students.push(s);
        }
        let offering = |title: &str, kind, minutes, capacity| {
            OfferingSpec::parse(title, kind, minutes, capacity).expect("valid demo offering")
        };
        let piano = people::create_offering(
            &tx,
            school,
            offering("Piano 1-on-1 (30 min)", OfferingKind::Individual, 30, 1),
            Some(3_500),
            None,
            now,
        )
        .await?;
        let choir = people::create_offering(
            &tx,
            school,
            offering("Junior Choir", OfferingKind::Group, 60, 12),
            Some(1_200),
            None,
            now,
        )
        .await?;
        let jazz = people::create_offering(
            &tx,
            school,
            offering("Jazz Ensemble", OfferingKind::Ensemble, 90, 6),
            Some(1_800),
            None,
            now,
        )
        .await?;
        let theory = people::create_offering(
            &tx,
            school,
            offering("Theory Masterclass", OfferingKind::Workshop, 120, 12),
            Some(4_000),
            None,
            now,
        )
        .await?;

        // The term starts on the Monday of this week.
        let today = zone.local_date(now);
        let term_start = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let term_end = term_start + Duration::weeks(12);
        let schedule = |time, minutes, rrule: Option<&str>, days: Option<Vec<u32>>| {
            Schedule::parse(ScheduleInput {
                start_date: Some(term_start),
                end_date: Some(term_end),
                start_time: Some(time),
                duration_minutes: Some(minutes),
                timezone: zone.name().into(),
                rrule: rrule.map(str::to_owned),
                days_of_week: days,
                ..Default::default()
            })
            .expect("valid demo schedule")
        };
        let series = |offering: &infra::entity::offering::Model,
                      teacher: &infra::entity::teacher::Model,
                      room: &infra::entity::room::Model,
                      student: Option<StudentId>,
                      schedule,
                      capacity| NewSeries {
            offering: OfferingId::from_uuid(offering.id),
            teacher: Some(TeacherId::from_uuid(teacher.id)),
            location: main_id,
            room: Some(RoomId::from_uuid(room.id)),
            student,
            schedule,
            capacity,
            policy: ConflictPolicy::Mark,
            mode: GenerationMode::OnDemand,
            hybrid: None,
            meeting: None,
            notes: None,
        };
        let all = [
            series(
                &choir,
                &clara,
                &studio_a,
                None,
                schedule(t(17, 0), 60, None, Some(vec![2])),
                12,
            ),
            series(
                &jazz,
                &miles,
                &studio_b,
                None,
                schedule(t(18, 0), 90, None, Some(vec![4])),
                6,
            ),
            series(
                &piano,
                &clara,
                &booth,
                Some(StudentId::from_uuid(students[0].id)),
                schedule(t(16, 0), 30, None, Some(vec![1, 3])),
                1,
            ),
            series(
                &piano,
                &nadia,
                &booth,
                Some(StudentId::from_uuid(students[1].id)),
                schedule(t(16, 30), 30, None, Some(vec![1])),
                1,
            ),
            series(
                &theory,
                &nadia,
                &studio_a,
                None,
                schedule(t(10, 0), 120, Some("FREQ=MONTHLY;BYDAY=2SA"), None),
                12,
            ),
        ];
        let mut generated = Vec::new();
        for new in all {
            let created = service::create_series(&tx, school, new, now).await?;
            let sessions = service::generate(
                &tx,
                school,
                kernel::ClassSeriesId::from_uuid(created.id),
                term_end,
                now,
            )
            .await?;
            generated.push(match sessions {
                Some(Ok(g)) => g.created,
                _ => Vec::new(),
            });
        }
        // Logins for the other roles, a family, a booking policy and a few
        // choir bookings, so every part of the API has something to show.
        let hash = infra::auth::hash_password(DEMO_PASSWORD)?;
        let login = |email: &str, first: &str, role, teacher: Option<TeacherId>| NewUser {
            email: email.into(),
            password_hash: hash.clone(),
            first_name: first.into(),
            last_name: "Demo".into(),
            roles: [role].into(),
            teacher,
            student: None,
        };
        organisation::create_user(
            &tx,
            school,
            login(
                DEMO_TEACHER_EMAIL,
                "Clara",
                Role::Teacher,
                Some(TeacherId::from_uuid(clara.id)),
            ),
            now,
        )
        .await?;
        if let Some(parent) = organisation::create_user(
            &tx,
            school,
            login(DEMO_PARENT_EMAIL, "Pat", Role::Parent, None),
            now,
        )
        .await?
        {
            let family = families::create_family(
                &tx,
                school,
                NewFamily {
                    name: "The Demo Family".into(),
                    admin: kernel::UserId::from_uuid(parent.id),
                    billing_email: Some(DEMO_PARENT_EMAIL.into()),
                },
                now,
            )
            .await?;
            for st in students.iter().take(2) {
                families::add_member(
                    &tx,
                    school,
                    kernel::FamilyId::from_uuid(family.id),
                    Member::Student(StudentId::from_uuid(st.id)),
                )
                .await?;
            }
        }
        infra::booking::set_policy(
            &tx,
            school,
            TeacherId::from_uuid(clara.id),
            None,
            ::booking::policy::PolicyInput {
                requires_approval_one_on_one: true,
                min_notice_hours: 12,
                cancel_window_hours: 24,
                buffer_after_minutes: 10,
                horizon_days: Some(60),
                ..Default::default()
            },
            now,
        )
        .await?;
        for session in generated[0].iter().filter(|s| s.starts_at > now).take(2) {
            for st in students.iter().skip(2) {
                infra::booking::book_session(
                    &tx,
                    school,
                    infra::booking::SeatRequest {
                        session: kernel::SessionId::from_uuid(session.id),
                        student: StudentId::from_uuid(st.id),
                        by: admin,
                        seats: 1,
                        note: None,
                        join_waitlist: true,
                        registration: None,
                        rescheduled_from: None,
                    },
                    now,
                )
                .await?
                .ok();
            }
        }
        tx.commit().await?;
    }
    let (school, user) = organisation::check_credentials(db.conn(), DEMO_EMAIL, DEMO_PASSWORD)
        .await?
        .expect("the demo admin exists now");
    let tx = db.begin_write().await?;
    let token = organisation::issue_token(&tx, school, user, now).await?;
    tx.commit().await?;
    Ok(format!(
        "Demo school ready. Log in as {DEMO_EMAIL} / {DEMO_PASSWORD} (admin; also {DEMO_TEACHER_EMAIL} and {DEMO_PARENT_EMAIL}, same password), or paste this into GraphiQL's Headers tab:\n  {{\"Authorization\": \"Bearer {token}\"}}"
    ))
}
