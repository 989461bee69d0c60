//! Benchmark: a school year for 1,000 weekly series, expanded,
//! conflict-checked and persisted by one `generateTerm` request through
//! the real HTTP API, on a fresh SQLite file or (with `BENCH_DATABASE_URL`)
//! a fresh PostgreSQL database. The series are set up directly through
//! infra (100 teachers, 10 series each at distinct times, so the sweep has
//! real work and no conflicts); only the generation is timed. Run with
//! `just bench` (or `cargo bench -p ostinato-blackbox --bench term_generation`).

use std::time::Instant;

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

const SERIES: usize = 1_000;
const TEACHERS: usize = 100;

#[tokio::main]
async fn main() {
    let url = common::database().await;
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let state = AppState::new(db.clone());
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
    let through = monday + Duration::days(363);

    let tx = db.begin_write().await.expect("tx");
    let mut teachers = Vec::new();
    for t in 0..TEACHERS {
        let teacher = people::create_teacher(
            &tx,
            school,
            NewTeacher {
                email: format!("bench{t}@term.bench"),
                first_name: "Bench".into(),
                last_name: format!("Teacher{t}"),
                availability: Vec::new(),
            },
            now,
        )
        .await
        .expect("teacher");
        teachers.push(TeacherId::from_uuid(teacher.id));
    }
    for i in 0..SERIES {
        // Each teacher's ten series: five weekdays, at 08:00 and 09:00.
        let day = (i / TEACHERS) % 5 + 1;
        let hour = 8 + (i / (TEACHERS * 5)) as u32;
        let schedule = Schedule::parse(ScheduleInput {
            start_date: Some(monday),
            start_time: NaiveTime::from_hms_opt(hour, 0, 0),
            duration_minutes: Some(45),
            timezone: zone.name().into(),
            days_of_week: Some(vec![day as u32]),
            ..Default::default()
        })
        .expect("schedule");
        service::create_series(
            &tx,
            school,
            NewSeries {
                offering: OfferingId::from_uuid(offering.id),
                teacher: Some(teachers[i % TEACHERS]),
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
    tx.commit().await.expect("commit");

    let api = common::Api::serve(state).await;
    // The preview does every read and the sweep, and writes nothing: the
    // difference to the generation is the cost of writing.
    let start = Instant::now();
    let preview = api
        .post(
            "query($t: LocalDate!) { previewTerm(through: $t) { sessionCount } }",
            json!({"t": through.to_string()}),
        )
        .await;
    let previewed = start.elapsed();
    assert!(
        preview["data"]["previewTerm"]["sessionCount"].as_i64() > Some(0),
        "{preview}"
    );
    let start = Instant::now();
    let body = api.post("mutation($t: LocalDate!) { generateTerm(input: {through: $t}) { sessionCount conflicts { kind } userErrors { message } } }",
        json!({"t": through.to_string()}),
    )
    .await;
    let elapsed = start.elapsed();
    let created = body["data"]["generateTerm"]["sessionCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("{body}"));
    println!(
        "term generation ({}): {SERIES} weekly series through {through}, {created} sessions, {} conflicts, in {:.2} s ({:.0} sessions/s); its preview (reads and sweep, no writes) {:.2} s",
        common::backend(&url),
        body["data"]["generateTerm"]["conflicts"]
            .as_array()
            .map_or(0, Vec::len),
        elapsed.as_secs_f64(),
        created as f64 / elapsed.as_secs_f64(),
        previewed.as_secs_f64()
    );
}
