//! Benchmark: one week's calendar of 500 sessions over HTTP, at five
//! depths of selection: ids only; then plain columns (no more SQL); then
//! `seatsLeft` (reads equipment); then teacher and room; then roster and
//! attendance. So the cost of resolving fields shows beside the cost of
//! the SQL. The school is the demo plus 100 teachers with five daily
//! series each, generated through `generateTerm`; each query is asked
//! `ROUNDS` times one after the other and the median is reported. Run with
//! `cargo bench -p ostinato-blackbox --bench calendar_week` (SQLite;
//! `BENCH_DATABASE_URL=postgres://…` for PostgreSQL).

use std::time::{Duration as Elapsed, Instant};

use chrono::{Datelike, Duration, NaiveTime};
use gateway::AppState;
use infra::Db;
use infra::repo::people::{self, NewTeacher};
use infra::scheduling::{self as service, NewSeries};
use kernel::{LocationId, OfferingId, SchoolId, TeacherId, TimeZone};
use scheduling::{ConflictPolicy, GenerationMode, Schedule, ScheduleInput};
use sea_orm::EntityTrait;
use serde_json::json;

// Each bench uses part of what they share.
#[allow(dead_code)]
mod common;

const TEACHERS: usize = 100;
const ROUNDS: usize = 40;

#[tokio::main]
async fn main() {
    let url = common::database().await;
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    // No per-address rate limit: one client asks 200 times in a row.
    let state = AppState::with_config(
        db.clone(),
        std::sync::Arc::new(infra::clock::SystemClock),
        gateway::Config {
            rate_limit: None,
            ..gateway::Config::default()
        },
    );
    gateway::demo::seed(&state).await.expect("demo school");
    let now = state.clock.now();
    let location = infra::entity::location::Entity::find()
        .one(db.conn())
        .await
        .expect("query")
        .expect("the demo has a location");
    let offering = infra::entity::offering::Entity::find()
        .one(db.conn())
        .await
        .expect("query")
        .expect("the demo has an offering");
    let school = SchoolId::from_uuid(location.school_id);
    let zone = TimeZone::parse("Europe/London").expect("zone");
    let today = zone.local_date(now);
    let monday = today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));

    let tx = db.begin_write().await.expect("tx");
    for t in 0..TEACHERS {
        let teacher = people::create_teacher(
            &tx,
            school,
            NewTeacher {
                email: format!("bench{t}@calendar.bench"),
                first_name: "Bench".into(),
                last_name: format!("Teacher{t}"),
                availability: Vec::new(),
            },
            now,
        )
        .await
        .expect("teacher");
        // Five daily series (08:00 … 12:00) on weekdays: 25 a week each.
        for hour in 8..13 {
            let schedule = Schedule::parse(ScheduleInput {
                start_date: Some(monday),
                start_time: NaiveTime::from_hms_opt(hour, 0, 0),
                duration_minutes: Some(45),
                timezone: zone.name().into(),
                days_of_week: Some(vec![1]),
                ..Default::default()
            })
            .expect("schedule");
            service::create_series(
                &tx,
                school,
                NewSeries {
                    offering: OfferingId::from_uuid(offering.id),
                    teacher: Some(TeacherId::from_uuid(teacher.id)),
                    location: LocationId::from_uuid(location.id),
                    room: None,
                    student: None,
                    schedule,
                    capacity: 8,
                    policy: ConflictPolicy::Mark,
                    mode: GenerationMode::OnDemand,
                    hybrid: None,
                    meeting: None,
                    notes: None,
                },
                now,
            )
            .await
            .expect("series");
        }
    }
    tx.commit().await.expect("commit");

    let api = common::Api::serve(state).await;
    let through = monday + Duration::days(6);
    let made = api.post("mutation($t: LocalDate!) { generateTerm(input: {through: $t}) { sessionCount userErrors { message } } }",
        json!({"t": through.to_string()}),
    )
    .await;
    assert!(
        made["data"]["generateTerm"]["sessionCount"].as_i64() >= Some(500),
        "{made}"
    );
    let from = kernel::resolve_local(monday, NaiveTime::MIN, zone).to_rfc3339();
    let to = kernel::resolve_local(monday + Duration::days(7), NaiveTime::MIN, zone).to_rfc3339();
    let depths = [
        ("ids only", "id"),
        // Plain columns: no SQL beyond the ids-only request.
        (
            "+ plain columns",
            "id startsAt endsAt timezone status capacity seatsTaken occurrenceIndex",
        ),
        // `seatsLeft` also reads the equipment the offering needs.
        (
            "+ seatsLeft",
            "id startsAt endsAt status capacity seatsTaken seatsLeft",
        ),
        (
            "+ teacher, room",
            "id startsAt endsAt status capacity seatsTaken seatsLeft teacher { id firstName lastName } room { id name } location { id name }",
        ),
        (
            "+ roster",
            "id startsAt endsAt status capacity seatsTaken seatsLeft teacher { id firstName lastName } room { id name } location { id name } roster { student { id firstName } booking { id status } attendance }",
        ),
    ];
    let mut first = None;
    for (name, fields) in depths {
        let query = format!(
            "query($l: ID!, $f: DateTime!, $t: DateTime!) {{ calendar(filter: {{locationId: $l}}, from: $f, to: $t) {{ {fields} }} }}"
        );
        let vars = json!({"l": gateway::ids::encode(gateway::ids::Kind::Location, location.id).to_string(), "f": from, "t": to});
        let mut times: Vec<Elapsed> = Vec::with_capacity(ROUNDS);
        let mut sessions = 0;
        for _ in 0..ROUNDS {
            let start = Instant::now();
            let body = api.post(&query, vars.clone()).await;
            times.push(start.elapsed());
            sessions = body["data"]["calendar"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .len();
        }
        times.sort();
        let median = times[ROUNDS / 2];
        let base = *first.get_or_insert(median);
        println!(
            "calendar week ({}), {sessions} sessions, {name}: median {:.1} ms over {ROUNDS} requests ({:.2}x ids only)",
            common::backend(&url),
            median.as_secs_f64() * 1000.0,
            median.as_secs_f64() / base.as_secs_f64()
        );
    }
}
