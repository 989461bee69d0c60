//! The calendar is served through dataloaders: its number of SQL statements
//! does not grow with the number of sessions in it.

use serde_json::json;

use crate::helpers::{GENERATE, TestApp, school, spawn_app};

const WEEK: &str = "query($l: ID!) { calendar(filter: {locationId: $l}, from: \"2026-03-09T00:00:00Z\", to: \"2026-03-16T00:00:00Z\") {
  id startsAt status conflicts { kind }
  teacher { id firstName availability { dayOfWeek } }
  room { id name location { id } }
  location { id }
  series { id rrule offering { title } }
} }";

async fn calendar_statements(app: &TestApp, token: &str, location: &str) -> (u64, usize) {
    let before = app.db.statements();
    let body = app.gql(Some(token), WEEK, json!({"l": location})).await;
    let after = app.db.statements();
    let sessions = body["data"]["calendar"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .len();
    (after - before, sessions)
}

#[tokio::test]
async fn a_week_of_200_sessions_costs_the_same_statements_as_a_week_of_7() {
    let app = spawn_app().await;
    let s = school(&app, "office@count.example").await;
    let add_series = async |hour: u32, minute: u32| {
        let teacher = app
            .ok(
                &s.token,
                "mutation($e: String!) { createTeacher(input: {email: $e, firstName: \"T\", lastName: \"T\", availability: [{dayOfWeek: 1, startTime: \"06:00\", endTime: \"23:00\"}]}) { teacher { id } userErrors { code } } }",
                json!({"e": format!("t{hour}{minute}@count.example")}),
            )
            .await["teacher"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let room = app
            .ok(
                &s.token,
                "mutation($l: ID!, $n: String!) { createRoom(input: {locationId: $l, name: $n, capacity: 20}) { room { id } userErrors { code } } }",
                json!({"l": s.location, "n": format!("Room {hour}:{minute}")}),
            )
            .await["room"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let series = app.create_series(&s.token, json!({"offeringId": s.offering, "teacherId": teacher, "locationId": s.location, "roomId": room,
                    "startDate": "2026-03-02", "startTime": format!("{hour:02}:{minute:02}"), "durationMinutes": 30,
                    "rrule": "FREQ=DAILY", "conflictPolicy": "MARK"})).await;
        app.ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-22"}}),
        )
        .await;
    };
    add_series(8, 0).await;
    let (small, seven) = calendar_statements(&app, &s.token, &s.location).await;
    assert_eq!(seven, 7);
    for i in 1..29 {
        add_series(8 + i / 2, (i % 2) * 30).await;
    }
    let (large, many) = calendar_statements(&app, &s.token, &s.location).await;
    assert!(many >= 200, "{many} sessions");
    assert_eq!(large, small, "statements for {many} sessions vs {seven}");
    // Auth (2) + calendar (1) + one per loader (teacher, availability,
    // room, location, series, offering): a fixed handful.
    assert!(small <= 10, "{small} statements");
}

const ROSTERS: &str = "query($l: ID!) { calendar(filter: {locationId: $l}, from: \"2026-03-09T00:00:00Z\", to: \"2026-03-16T00:00:00Z\") {
  id seatsTaken seatsLeft
  roster { student { id firstName } booking { id status } attendance }
  pendingBookings { id }
  waitlist { id position student { id } }
} }";

#[tokio::test]
async fn rosters_cost_the_same_statements_however_many_bookings() {
    let app = spawn_app().await;
    let s = school(&app, "office@rosters.example").await;
    let mut students = Vec::new();
    for i in 0..4 {
        students.push(
            app.ok(
                &s.token,
                "mutation($n: String!) { createStudent(input: {firstName: $n, lastName: \"R\"}) { student { id } userErrors { code } } }",
                json!({"n": format!("S{i}")}),
            )
            .await["student"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let add_series = async |hour: u32| -> Vec<String> {
        let series = app
            .create_series(&s.token, json!({"offeringId": s.offering, "locationId": s.location,
                "startDate": "2026-03-09", "startTime": format!("{hour:02}:00"), "durationMinutes": 30,
                "rrule": "FREQ=DAILY;COUNT=7", "capacity": 3}))
            .await;
        app.ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-22"}}),
        )
        .await["created"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    const BOOK: &str = "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } waitlistEntry { id } userErrors { code } } }";
    let measure = async || {
        let before = app.db.statements();
        let body = app
            .gql(Some(&s.token), ROSTERS, json!({"l": s.location}))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        (
            app.db.statements() - before,
            body["data"]["calendar"].as_array().unwrap().len(),
        )
    };
    let first = add_series(8).await;
    app.ok(
        &s.token,
        BOOK,
        json!({"i": {"sessionId": first[0], "studentId": students[0]}}),
    )
    .await;
    let (small, seven) = measure().await;
    assert_eq!(seven, 7);
    // Ten more series, each session with bookings and a waitlist.
    for hour in 9..19 {
        for session in add_series(hour).await {
            for st in &students {
                app.ok(&s.token, BOOK, json!({"i": {"sessionId": session, "studentId": st, "joinWaitlistIfFull": true}})).await;
            }
        }
    }
    let (large, many) = measure().await;
    assert_eq!(many, 77);
    assert_eq!(
        large, small,
        "statements for {many} sessions with 308 bookings vs {seven}"
    );
}

/// `availableSlots` without a teacher reads every qualified teacher's
/// policy, availability, lessons and busy time at once: the same
/// statements for 3 teachers as for 12.
#[tokio::test]
async fn slot_search_over_every_teacher_costs_the_same_statements_for_3_and_12() {
    let app = spawn_app().await;
    let s = school(&app, "slots@count.example").await;
    let add = async |from: usize, to: usize| {
        for i in from..to {
            let teacher = app
                .ok(
                    &s.token,
                    "mutation($e: String!) { createTeacher(input: {email: $e, firstName: \"T\", lastName: \"T\", availability: [{dayOfWeek: 2, startTime: \"09:00\", endTime: \"12:00\"}]}) { teacher { id } userErrors { code } } }",
                    json!({"e": format!("slot{i}@count.example")}),
                )
                .await["teacher"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            // Each teacher has a policy and a lesson, so every table is read.
            let kid = crate::booking_flow::student(&app, &s.token, &format!("Kid{i}")).await;
            app.ok(
                &s.token,
                "mutation($t: ID!) { setBookingPolicy(input: {teacherId: $t, bufferAfterMinutes: 15}) { userErrors { code } } }",
                json!({"t": teacher}),
            )
            .await;
            app.ok(
                &s.token,
                "mutation($t: ID!, $s: ID!) { bookOneOnOne(input: {teacherId: $t, studentId: $s, startsAt: \"2026-03-03T09:00:00Z\", durationMinutes: 30}) { booking { id } userErrors { code message } } }",
                json!({"t": teacher, "s": kid}),
            )
            .await;
        }
    };
    const SLOTS: &str = "{ availableSlots(from: \"2026-03-02T00:00:00Z\", to: \"2026-03-09T00:00:00Z\", durationMinutes: 30) { startsAt teacher { id } } }";
    let count = async || {
        let before = app.db.statements();
        let body = app.gql(Some(&s.token), SLOTS, json!({})).await;
        let slots = body["data"]["availableSlots"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .len();
        (app.db.statements() - before, slots)
    };
    add(0, 3).await;
    let (small, few) = count().await;
    add(3, 12).await;
    let (large, many) = count().await;
    assert!(many > few, "{few} then {many} slots");
    assert_eq!(small, large, "statements for 3 teachers and for 12");
}
