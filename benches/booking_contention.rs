//! Benchmark: booking throughput under contention.
//!
//! 32 concurrent clients book seats in the same group session (one row
//! every transaction locks and updates) through the real booking service,
//! on a fresh SQLite file, or on PostgreSQL when `BENCH_DATABASE_URL`
//! points at a server (a fresh database is created there). Run with
//! `just bench` (or `cargo bench -p ostinato-blackbox --bench booking_contention`).

use std::sync::Arc;
use std::time::Instant;

use gateway::AppState;
use infra::Db;
use infra::booking::{self, GroupOutcome, SeatRequest};
use infra::entity::session;
use infra::repo::people::{self, NewStudent};
use kernel::{SchoolId, StudentId, UserId};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

// Each bench uses part of what they share.
#[allow(dead_code)]
mod common;

const CLIENTS: usize = 32;
const PER_CLIENT: usize = 25;

#[tokio::main]
async fn main() {
    let url = common::database().await;
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let state = AppState::new(db.clone());
    gateway::demo::seed(&state).await.expect("demo school");
    let now = state.clock.now();
    // The earliest future group session of the demo school, made big
    // enough for every request.
    let target = session::Entity::find()
        .filter(session::Column::StartsAt.gt(now + chrono::Duration::days(1)))
        // A group session: a 1-on-1 series' lessons are not for sale.
        .filter(session::Column::StudentId.is_null())
        .order_by_asc(session::Column::StartsAt)
        .one(db.conn())
        .await
        .expect("query")
        .expect("the demo has sessions");
    let school = SchoolId::from_uuid(target.school_id);
    session::Entity::update_many()
        .col_expr(
            session::Column::Capacity,
            sea_orm::sea_query::Expr::value(100_000),
        )
        .filter(session::Column::Id.eq(target.id))
        .exec(db.conn())
        .await
        .expect("widen");
    let admin: UserId = infra::repo::organisation::check_credentials(
        db.conn(),
        gateway::demo::DEMO_EMAIL,
        gateway::demo::DEMO_PASSWORD,
    )
    .await
    .expect("login")
    .expect("demo admin")
    .1;
    let tx = db.begin_write().await.expect("tx");
    let mut students = Vec::new();
    for i in 0..CLIENTS * PER_CLIENT {
        let s = people::create_student(
            &tx,
            school,
            NewStudent {
                first_name: format!("Bench{i}"),
                last_name: "Student".into(),
                email: None,
                date_of_birth: None,
            },
            now,
        )
        .await
        .expect("student");
        students.push(StudentId::from_uuid(s.id));
    }
    tx.commit().await.expect("commit");
    let students = Arc::new(students);
    let start = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (db, students) = (db.clone(), students.clone());
            tokio::spawn(async move {
                for k in 0..PER_CLIENT {
                    let tx = db.begin_write().await.expect("tx");
                    let outcome = booking::book_session(
                        &tx,
                        school,
                        SeatRequest {
                            session: kernel::SessionId::from_uuid(target.id),
                            student: students[c * PER_CLIENT + k],
                            by: admin,
                            seats: 1,
                            note: None,
                            join_waitlist: false,
                            registration: None,
                            rescheduled_from: None,
                        },
                        now,
                    )
                    .await
                    .expect("book");
                    assert!(
                        matches!(outcome, Ok(GroupOutcome::Booked(_))),
                        "{outcome:?}"
                    );
                    tx.commit().await.expect("commit");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    let elapsed = start.elapsed();
    let total = CLIENTS * PER_CLIENT;
    let taken = session::Entity::find_by_id(target.id)
        .one(db.conn())
        .await
        .expect("query")
        .expect("session")
        .seats_taken;
    // The demo already booked a few seats; count only this run's.
    assert_eq!(
        (taken - target.seats_taken) as usize,
        total,
        "every seat counted once"
    );
    println!(
        "booking contention ({}): {total} bookings of one session by {CLIENTS} clients in {:.2} s = {:.0} bookings/s",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
}
