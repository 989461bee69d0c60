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
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

const TEACHERS: usize = 100;
const ROUNDS: usize = 40;

async fn database() -> String {
    let name = format!("ostinato_bench_{}", uuid::Uuid::new_v4().simple());
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let admin = sea_orm::Database::connect(url.as_str())
                .await
                .expect("connect");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            let (base, _) = url.rsplit_once('/').expect("a database name");
            format!("{base}/{name}")
        }
        _ => format!(
            "sqlite://{}?mode=rwc",
            std::env::temp_dir().join(format!("{name}.db")).display()
        ),
    }
}

#[tokio::main]
async fn main() {
    let url = database().await;
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

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(gateway::serve(listener, state, std::future::pending()));
    let client = reqwest::Client::new();
    let post = async |token: Option<&str>, query: &str, variables: Value| -> Value {
        let mut request = client
            .post(format!("{base}/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json")
    };
    let login = post(
        None,
        "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }",
        json!({"e": gateway::demo::DEMO_EMAIL, "p": gateway::demo::DEMO_PASSWORD}),
    )
    .await;
    let token = login["data"]["login"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let through = monday + Duration::days(6);
    let made = post(
        Some(&token),
        "mutation($t: LocalDate!) { generateTerm(input: {through: $t}) { sessionCount userErrors { message } } }",
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
            let body = post(Some(&token), &query, vars.clone()).await;
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
            if url.starts_with("postgres") {
                "PostgreSQL"
            } else {
                "SQLite"
            },
            median.as_secs_f64() * 1000.0,
            median.as_secs_f64() / base.as_secs_f64()
        );
    }
}
