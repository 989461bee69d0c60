//! The booking engine over HTTP (issue 4): the approval-to-attendance
//! scenario, races for the last seats and for one 1-on-1 slot, waitlist
//! order and offer expiry, registrations, recurring 1-on-1 series.

use serde_json::{Value, json};

use crate::helpers::{GENERATE, TestApp, spawn_app};
use crate::roles::cast;

const BOOK: &str = "mutation($i: BookSessionInput!) { bookSession(input: $i) {
  booking { id status seats price { amountMinor currency } }
  waitlistEntry { id position status }
  userErrors { field message code } } }";
const ONE_ON_ONE: &str = "mutation($i: BookOneOnOneInput!) { bookOneOnOne(input: $i) { booking { id status startsAt } userErrors { field message code } } }";
const CANCEL: &str = "mutation($i: CancelBookingInput!) { cancelBooking(input: $i) { cancelled { id status } userErrors { field message code } } }";
const SESSION: &str = "query($id: ID!) { node(id: $id) { ... on Session {
  capacity seatsTaken seatsLeft
  roster { student { firstName } booking { id status } attendance attendanceNote }
  waitlist { id position status offerExpiresAt student { firstName } }
} } }";

pub(crate) async fn student(app: &TestApp, token: &str, name: &str) -> String {
    app.ok(
        token,
        "mutation($n: String!) { createStudent(input: {firstName: $n, lastName: \"Test\"}) { student { id } userErrors { code } } }",
        json!({"n": name}),
    )
    .await["student"]["id"]
    .as_str()
    .unwrap()
    .to_owned()
}

/// A group offering and one generated session of it with `capacity` seats,
/// taught by `teacher`, on Wednesday 4 March 2026 at 19:00 London (after
/// the cast's own group session, so nobody on it is busy elsewhere).
async fn group_session(
    app: &TestApp,
    token: &str,
    location: &str,
    teacher: &str,
    capacity: i32,
) -> String {
    let offering = app
        .ok(token, "mutation { createOffering(input: {title: \"Ensemble\", kind: GROUP, defaultDurationMinutes: 60, defaultCapacity: 10, priceMinor: 1500}) { offering { id } userErrors { code } } }", json!({}))
        .await["offering"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let series = app
        .create_series(
            token,
            json!({"offeringId": offering, "teacherId": teacher, "locationId": location, "startDate": "2026-03-04",
                   "count": 1, "startTime": "19:00", "daysOfWeek": [3], "capacity": capacity}),
        )
        .await;
    let generated = app
        .ok(
            token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    generated["created"][0]["id"].as_str().unwrap().to_owned()
}

/// Sends one request per `variables` at once, as concurrent clients, and
/// returns each response's `data.<field>`.
pub(crate) async fn race(
    app: &TestApp,
    token: &str,
    query: &'static str,
    field: &'static str,
    variables: impl Iterator<Item = Value>,
) -> Vec<Value> {
    let tasks: Vec<_> = variables
        .map(|vars| {
            let (url, client, token) = (app.url.clone(), app.client.clone(), token.to_owned());
            tokio::spawn(async move {
                let body: Value = client
                    .post(format!("{url}/graphql"))
                    .bearer_auth(token)
                    .json(&json!({"query": query, "variables": vars}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                body["data"][field].clone()
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn user_error(body: &Value, field: &str) -> Value {
    body["data"][field]["userErrors"].clone()
}

#[tokio::test]
async fn approval_cancellation_window_waitlist_offer_and_attendance() {
    let app = spawn_app().await;
    let c = cast(&app, "flow.example").await;
    let s = &c.school;
    // The teacher sets her own policy: 1-on-1 needs approval, families may
    // cancel up to 24 hours ahead.
    let policy = app
        .ok(
            &c.teacher,
            "mutation($i: SetBookingPolicyInput!) { setBookingPolicy(input: $i) { policy { requiresApprovalOneOnOne cancelWindowHours } userErrors { field message code } } }",
            json!({"i": {"teacherId": s.ada, "requiresApprovalOneOnOne": true, "cancelWindowHours": 24, "minNoticeHours": 2}}),
        )
        .await;
    assert_eq!(
        policy["policy"],
        json!({"requiresApprovalOneOnOne": true, "cancelWindowHours": 24})
    );

    // The parent looks for a slot on Monday and books Lily.
    let slots = app
        .gql(
            Some(&c.parent),
            "query($t: ID!) { availableSlots(teacherId: $t, from: \"2026-03-02T00:00:00Z\", to: \"2026-03-03T00:00:00Z\", durationMinutes: 30, timezone: \"Europe/London\") { startsAt endsAt localStart teacher { id } } }",
            json!({"t": s.ada}),
        )
        .await;
    let slots = slots["data"]["availableSlots"]
        .as_array()
        .unwrap_or_else(|| panic!("{slots}"))
        .clone();
    let starts: Vec<&str> = slots
        .iter()
        .map(|s| s["startsAt"].as_str().unwrap())
        .collect();
    // Ada teaches 09:00–19:00 and Lily's lesson 10:00–10:30 is taken.
    assert_eq!(starts.first(), Some(&"2026-03-02T09:00:00Z"));
    assert!(!starts.contains(&"2026-03-02T10:00:00Z"), "{starts:?}");
    assert!(
        !starts.contains(&"2026-03-02T09:45:00Z"),
        "overlaps 10:00: {starts:?}"
    );
    assert!(starts.contains(&"2026-03-02T10:30:00Z"));
    assert_eq!(slots[0]["localStart"], "2026-03-02T09:00");
    let booked = app
        .ok(
            &c.parent,
            ONE_ON_ONE,
            json!({"i": {"teacherId": s.ada, "studentId": s.student, "startsAt": "2026-03-02T09:00:00Z", "durationMinutes": 30, "note": "first lesson"}}),
        )
        .await;
    assert_eq!(booked["booking"]["status"], "PENDING");
    let booking = booked["booking"]["id"].as_str().unwrap().to_owned();
    // The slot is gone for everyone else.
    let again = app
        .gql(
            Some(&s.token),
            ONE_ON_ONE,
            json!({"i": {"teacherId": s.ada, "studentId": c.sam, "startsAt": "2026-03-02T09:15:00Z", "durationMinutes": 30}}),
        )
        .await;
    assert_eq!(
        user_error(&again, "bookOneOnOne")[0]["code"],
        "SLOT_TAKEN",
        "{again}"
    );

    // The parent cannot approve; the teacher does.
    let forbidden = app
        .gql(Some(&c.parent), "mutation($b: ID!) { approveBooking(input: {bookingId: $b}) { booking { status } userErrors { code } } }", json!({"b": booking}))
        .await;
    assert_eq!(forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let approved = app
        .ok(&c.teacher, "mutation($b: ID!) { approveBooking(input: {bookingId: $b}) { booking { status } userErrors { code } } }", json!({"b": booking}))
        .await;
    assert_eq!(approved["booking"]["status"], "CONFIRMED");

    // Now (Sunday 12:00) is inside the 24-hour window of Monday 09:00.
    let late = app
        .gql(
            Some(&c.parent),
            CANCEL,
            json!({"i": {"bookingId": booking, "reason": "ill"}}),
        )
        .await;
    assert_eq!(
        user_error(&late, "cancelBooking")[0]["code"],
        "CANCEL_WINDOW_PASSED",
        "{late}"
    );

    // A full group session: two seats, Sam and Xena hold them.
    let session = group_session(&app, &s.token, &s.location, &s.ada, 2).await;
    let xena = student(&app, &s.token, "Xena").await;
    let mut sam_booking = String::new();
    for st in [&c.sam, &xena] {
        let b = app
            .ok(
                &s.token,
                BOOK,
                json!({"i": {"sessionId": session, "studentId": st}}),
            )
            .await;
        assert_eq!(b["booking"]["status"], "CONFIRMED");
        assert_eq!(
            b["booking"]["price"],
            json!({"amountMinor": 1500, "currency": "GBP"})
        );
        if st == &c.sam {
            sam_booking = b["booking"]["id"].as_str().unwrap().to_owned();
        }
    }
    let full = app
        .gql(
            Some(&c.parent),
            BOOK,
            json!({"i": {"sessionId": session, "studentId": s.student}}),
        )
        .await;
    assert_eq!(
        user_error(&full, "bookSession")[0]["code"],
        "SESSION_FULL",
        "{full}"
    );
    assert!(
        user_error(&full, "bookSession")[0]["message"]
            .as_str()
            .unwrap()
            .contains("0 seat(s) left")
    );
    let waiting = app
        .ok(&c.parent, BOOK, json!({"i": {"sessionId": session, "studentId": s.student, "joinWaitlistIfFull": true}}))
        .await;
    assert_eq!(waiting["waitlistEntry"]["position"], 1);
    assert_eq!(waiting["waitlistEntry"]["status"], "WAITING");
    let entry = waiting["waitlistEntry"]["id"].as_str().unwrap().to_owned();

    // Sam's seat frees: Lily is offered it, and nobody else can take it.
    app.ok(
        &s.token,
        CANCEL,
        json!({"i": {"bookingId": sam_booking, "reason": "moved away"}}),
    )
    .await;
    let view = app.ok(&c.parent, SESSION, json!({"id": session})).await;
    assert_eq!(view["seatsLeft"], 0, "the offer holds the seat: {view}");
    assert_eq!(view["waitlist"][0]["status"], "OFFERED");
    assert_eq!(
        view["waitlist"][0]["offerExpiresAt"],
        "2026-03-02T12:00:00Z"
    );
    let accepted = app
        .ok(&c.parent, "mutation($e: ID!) { acceptWaitlistOffer(input: {entryId: $e}) { booking { id status } userErrors { code } } }", json!({"e": entry}))
        .await;
    assert_eq!(accepted["booking"]["status"], "CONFIRMED");

    // The teacher takes attendance; roster and bookings show it.
    app.ok(
        &c.teacher,
        "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { field message code } } }",
        json!({"i": {"sessionId": session, "entries": [
            {"studentId": s.student, "status": "PRESENT", "note": "sang well"},
            {"studentId": xena, "status": "ABSENT"}]}}),
    )
    .await;
    let view = app.ok(&c.teacher, SESSION, json!({"id": session})).await;
    assert_eq!(view["seatsTaken"], 2);
    assert_eq!(view["seatsLeft"], 0);
    let roster: Vec<(String, String, String)> = view["roster"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["student"]["firstName"].as_str().unwrap().to_owned(),
                r["booking"]["status"].as_str().unwrap().to_owned(),
                r["attendance"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roster,
        vec![
            ("Xena".to_owned(), "NO_SHOW".to_owned(), "ABSENT".to_owned()),
            (
                "Lily".to_owned(),
                "ATTENDED".to_owned(),
                "PRESENT".to_owned()
            ),
        ]
    );
    // The parent sees only Lily on the roster, and the session in her calendar.
    let mine = app.ok(&c.parent, SESSION, json!({"id": session})).await;
    assert_eq!(mine["roster"].as_array().unwrap().len(), 1);
    let cal = app
        .ok(&c.parent, "query($s: ID!) { calendar(filter: {studentId: $s}, from: \"2026-03-01T00:00:00Z\", to: \"2026-03-08T00:00:00Z\") { id } }", json!({"s": s.student}))
        .await;
    assert!(
        cal.as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == json!(session)),
        "{cal}"
    );
}

#[tokio::test]
async fn an_offer_that_lapses_passes_to_the_next_in_line() {
    let app = spawn_app().await;
    let c = cast(&app, "lapse.example").await;
    let s = &c.school;
    let session = group_session(&app, &s.token, &s.location, &s.bob, 1).await;
    let first = app
        .ok(
            &s.token,
            BOOK,
            json!({"i": {"sessionId": session, "studentId": c.sam}}),
        )
        .await;
    let mut entries = Vec::new();
    for name in ["Ann", "Ben", "Cy"] {
        let st = student(&app, &s.token, name).await;
        let w = app
            .ok(
                &s.token,
                BOOK,
                json!({"i": {"sessionId": session, "studentId": st, "joinWaitlistIfFull": true}}),
            )
            .await;
        entries.push(w["waitlistEntry"]["id"].as_str().unwrap().to_owned());
    }
    app.ok(
        &s.token,
        CANCEL,
        json!({"i": {"bookingId": first["booking"]["id"]}}),
    )
    .await;
    let line = |v: &Value| -> Vec<(String, String)> {
        v["waitlist"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["student"]["firstName"].as_str().unwrap().to_owned(),
                    e["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let view = app.ok(&s.token, SESSION, json!({"id": session})).await;
    assert_eq!(
        line(&view),
        vec![
            ("Ann".into(), "OFFERED".into()),
            ("Ben".into(), "WAITING".into()),
            ("Cy".into(), "WAITING".into())
        ]
    );
    // A day later Ann's offer (24 h by default) has lapsed; the job passes
    // her seat to Ben.
    app.clock.advance(chrono::Duration::hours(25));
    let touched = infra::booking::expire_due_offers(
        &app.db,
        crate::helpers::now() + chrono::Duration::hours(25),
    )
    .await
    .unwrap();
    assert_eq!(touched, 1);
    let view = app.ok(&s.token, SESSION, json!({"id": session})).await;
    assert_eq!(
        line(&view),
        vec![
            ("Ben".into(), "OFFERED".into()),
            ("Cy".into(), "WAITING".into())
        ]
    );
    let late = app
        .gql(Some(&s.token), "mutation($e: ID!) { acceptWaitlistOffer(input: {entryId: $e}) { booking { id } userErrors { code message } } }", json!({"e": entries[0]}))
        .await;
    assert_eq!(
        late["data"]["acceptWaitlistOffer"]["userErrors"][0]["code"], "INVALID_STATE",
        "{late}"
    );
    let view = app.ok(&s.token, SESSION, json!({"id": session})).await;
    assert_eq!(
        line(&view),
        vec![
            ("Ben".into(), "OFFERED".into()),
            ("Cy".into(), "WAITING".into())
        ]
    );
    assert_eq!(view["seatsLeft"], 0);
    let ben = app
        .ok(&s.token, "mutation($e: ID!) { acceptWaitlistOffer(input: {entryId: $e}) { booking { status } userErrors { code } } }", json!({"e": entries[1]}))
        .await;
    assert_eq!(ben["booking"]["status"], "CONFIRMED");
}

#[tokio::test]
async fn fifty_clients_race_for_the_last_three_seats() {
    let app = spawn_app().await;
    let c = cast(&app, "race.example").await;
    let s = &c.school;
    let session = group_session(&app, &s.token, &s.location, &s.bob, 10).await;
    app.ok(
        &s.token,
        BOOK,
        json!({"i": {"sessionId": session, "studentId": c.sam, "seats": 7}}),
    )
    .await;
    let mut students = Vec::new();
    for i in 0..50 {
        students.push(student(&app, &s.token, &format!("Racer{i}")).await);
    }
    let results = race(
        &app,
        &s.token,
        BOOK,
        "bookSession",
        students.iter().map(
            |st| json!({"i": {"sessionId": session, "studentId": st, "joinWaitlistIfFull": true}}),
        ),
    )
    .await;
    let mut booked = 0;
    let mut positions = Vec::new();
    for r in results {
        assert_eq!(r["userErrors"], json!([]), "{r}");
        if r["booking"].is_object() {
            booked += 1;
        } else {
            positions.push(r["waitlistEntry"]["position"].as_i64().unwrap());
        }
    }
    assert_eq!(booked, 3);
    positions.sort_unstable();
    assert_eq!(
        positions,
        (1..=47).collect::<Vec<i64>>(),
        "one place each, in arrival order"
    );
    let view = app.ok(&s.token, SESSION, json!({"id": session})).await;
    assert_eq!(view["seatsTaken"], 10);
    assert_eq!(view["seatsLeft"], 0);
    assert_eq!(view["roster"].as_array().unwrap().len(), 4);
    assert_eq!(view["waitlist"].as_array().unwrap().len(), 47);
}

#[tokio::test]
async fn twenty_clients_race_for_one_lesson_slot() {
    let app = spawn_app().await;
    let c = cast(&app, "slot.example").await;
    let s = &c.school;
    let mut students = Vec::new();
    for i in 0..20 {
        students.push(student(&app, &s.token, &format!("Kid{i}")).await);
    }
    let results = race(
        &app,
        &s.token,
        ONE_ON_ONE,
        "bookOneOnOne",
        students.iter().map(|st| json!({"i": {"teacherId": s.ada, "studentId": st, "startsAt": "2026-03-03T15:00:00Z", "durationMinutes": 45}})),
    )
    .await;
    let mut booked = 0;
    for r in results {
        if r["booking"].is_object() {
            booked += 1;
        } else {
            assert_eq!(r["userErrors"][0]["code"], "SLOT_TAKEN", "{r}");
        }
    }
    assert_eq!(booked, 1);
}

#[tokio::test]
async fn registrations_are_all_or_nothing_and_series_report_their_conflicts() {
    let app = spawn_app().await;
    let c = cast(&app, "reg.example").await;
    let s = &c.school;
    // A weekly group series of four Wednesdays, two seats.
    let series = app
        .create_series(
            &s.token,
            json!({"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location, "startDate": "2026-03-04",
                   "count": 4, "startTime": "19:00", "daysOfWeek": [3], "capacity": 2}),
        )
        .await;
    let generated = app
        .ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-04-30"}}),
        )
        .await;
    let sessions: Vec<String> = generated["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { registration { id type bookings { id status } } userErrors { field message code } } }";
    let full = app
        .ok(
            &s.token,
            REGISTER,
            json!({"i": {"seriesId": series, "studentId": c.sam, "type": "FULL_SCHEDULE"}}),
        )
        .await;
    assert_eq!(
        full["registration"]["bookings"].as_array().unwrap().len(),
        4
    );
    // Fill the third Wednesday, then a full-schedule registration fails
    // and books nothing.
    let other = student(&app, &s.token, "Olga").await;
    app.ok(&s.token, REGISTER, json!({"i": {"seriesId": series, "studentId": other, "type": "SINGLE_SESSION", "sessionIds": [sessions[2]]}})).await;
    let refused = app
        .gql(
            Some(&s.token),
            REGISTER,
            json!({"i": {"seriesId": series, "studentId": s.student, "type": "FULL_SCHEDULE"}}),
        )
        .await;
    assert_eq!(
        refused["data"]["register"]["userErrors"][0]["code"], "SESSION_FULL",
        "{refused}"
    );
    let count = |id: &str| {
        let id = id.to_owned();
        let app = &app;
        let token = s.token.clone();
        async move {
            app.ok(&token, SESSION, json!({"id": id})).await["seatsTaken"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(count(&sessions[0]).await, 1, "nothing half-booked");
    let drop_in = app
        .ok(&s.token, REGISTER, json!({"i": {"seriesId": series, "studentId": s.student, "type": "DROP_IN", "sessionIds": [sessions[0], sessions[3]]}}))
        .await;
    assert_eq!(drop_in["registration"]["type"], "DROP_IN");
    assert_eq!(count(&sessions[0]).await, 2);
    // Cancel Sam's second Wednesday and all following: three seats free.
    let sam_second = full["registration"]["bookings"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancelled = app
        .ok(
            &s.token,
            CANCEL,
            json!({"i": {"bookingId": sam_second, "scope": "THIS_AND_FOLLOWING"}}),
        )
        .await;
    assert_eq!(cancelled["cancelled"].as_array().unwrap().len(), 3);
    assert_eq!(count(&sessions[0]).await, 2);
    assert_eq!(count(&sessions[3]).await, 1);

    // A weekly 1-on-1 series: the week Ada already teaches Lily at that
    // time conflicts; the others are booked.
    let made = app
        .ok(
            &s.token,
            "mutation($i: CreateBookingSeriesInput!) { createBookingSeries(input: $i) { series { id } booked { startsAt status } conflicts { startsAt code reason } userErrors { field message code } } }",
            json!({"i": {"teacherId": s.ada, "studentId": c.sam, "firstStartsAt": "2026-02-23T10:00:00Z", "durationMinutes": 30,
                         "frequency": "WEEKLY", "interval": 1, "count": 4}}),
        )
        .await;
    // 23 Feb is in the past (notice), 2 March collides with Lily's lesson.
    let conflicts: Vec<(&str, &str)> = made["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["startsAt"].as_str().unwrap(), c["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        conflicts,
        vec![
            ("2026-02-23T10:00:00Z", "MIN_NOTICE"),
            ("2026-03-02T10:00:00Z", "SLOT_TAKEN")
        ]
    );
    let booked: Vec<&str> = made["booked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["startsAt"].as_str().unwrap())
        .collect();
    assert_eq!(booked, vec!["2026-03-09T10:00:00Z", "2026-03-16T10:00:00Z"]);
}

#[tokio::test]
async fn no_offer_goes_to_a_student_booked_at_that_time() {
    let app = spawn_app().await;
    let c = cast(&app, "overlap.example").await;
    let s = &c.school;
    // Lily holds a seat in the cast's Wednesday 17:00–18:00 session. A
    // 17:30 session of one seat is full; Lily, then Sam, wait for it.
    let offering = app
        .ok(&s.token, "mutation { createOffering(input: {title: \"Duo\", kind: GROUP, defaultDurationMinutes: 60, defaultCapacity: 1}) { offering { id } userErrors { code } } }", json!({}))
        .await["offering"]["id"].as_str().unwrap().to_owned();
    let series = app
        .create_series(
            &s.token,
            json!({"offeringId": offering, "locationId": s.location, "startDate": "2026-03-04",
            "count": 1, "startTime": "17:30", "daysOfWeek": [3]}),
        )
        .await;
    let session = app
        .ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await["created"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let xena = student(&app, &s.token, "Xena").await;
    let held = app
        .ok(
            &s.token,
            BOOK,
            json!({"i": {"sessionId": session, "studentId": xena}}),
        )
        .await;
    for st in [&s.student, &c.sam] {
        app.ok(
            &s.token,
            BOOK,
            json!({"i": {"sessionId": session, "studentId": st, "joinWaitlistIfFull": true}}),
        )
        .await;
    }
    app.ok(
        &s.token,
        CANCEL,
        json!({"i": {"bookingId": held["booking"]["id"]}}),
    )
    .await;
    let view = app.ok(&s.token, SESSION, json!({"id": session})).await;
    let line: Vec<(&str, &str)> = view["waitlist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["student"]["firstName"].as_str().unwrap(),
                e["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(line, vec![("Lily", "WAITING"), ("Sam", "OFFERED")]);
}

#[tokio::test]
async fn time_off_removes_slots_and_refuses_bookings() {
    let app = spawn_app().await;
    let c = cast(&app, "timeoff.example").await;
    let s = &c.school;
    app.ok(
        &c.teacher,
        "mutation($i: AddTeacherTimeOffInput!) { addTeacherTimeOff(input: $i) { teacher { timeOff { startsAt endsAt reason } } userErrors { field code } } }",
        json!({"i": {"teacherId": s.ada, "startsAt": "2026-03-02T12:00:00Z", "endsAt": "2026-03-02T15:00:00Z", "reason": "dentist"}}),
    )
    .await;
    let slots = app
        .ok(
            &c.parent,
            "query($t: ID!) { availableSlots(teacherId: $t, from: \"2026-03-02T11:00:00Z\", to: \"2026-03-02T16:00:00Z\", durationMinutes: 60) { startsAt } }",
            json!({"t": s.ada}),
        )
        .await;
    let starts: Vec<&str> = slots
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["startsAt"].as_str().unwrap())
        .collect();
    assert_eq!(starts, vec!["2026-03-02T11:00:00Z", "2026-03-02T15:00:00Z"]);
    let refused = app
        .gql(
            Some(&c.parent),
            ONE_ON_ONE,
            json!({"i": {"teacherId": s.ada, "studentId": s.student, "startsAt": "2026-03-02T13:00:00Z", "durationMinutes": 30}}),
        )
        .await;
    assert_eq!(
        user_error(&refused, "bookOneOnOne")[0]["code"],
        "SLOT_TAKEN",
        "{refused}"
    );
    let bad = app
        .gql(
            Some(&c.teacher),
            "mutation($i: AddTeacherTimeOffInput!) { addTeacherTimeOff(input: $i) { userErrors { field code } } }",
            json!({"i": {"teacherId": s.ada, "startsAt": "2026-03-02T15:00:00Z", "endsAt": "2026-03-02T12:00:00Z"}}),
        )
        .await;
    assert_eq!(
        bad["data"]["addTeacherTimeOff"]["userErrors"],
        json!([{"field": ["input", "endsAt"], "code": "INVALID"}])
    );
}

#[tokio::test]
async fn a_one_on_one_series_student_is_on_the_roster_and_the_lesson_is_not_for_sale() {
    let app = spawn_app().await;
    let c = cast(&app, "series.example").await;
    let s = &c.school;
    let view = app
        .ok(&c.teacher, SESSION, json!({"id": c.lily_session}))
        .await;
    assert_eq!(view["seatsLeft"], 0);
    assert_eq!(
        view["roster"],
        json!([{"student": {"firstName": "Lily"}, "booking": null, "attendance": null, "attendanceNote": null}])
    );
    app.ok(
        &c.teacher,
        "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { field message code } } }",
        json!({"i": {"sessionId": c.lily_session, "entries": [{"studentId": s.student, "status": "LATE", "note": "bus"}]}}),
    )
    .await;
    let view = app
        .ok(&c.parent, SESSION, json!({"id": c.lily_session}))
        .await;
    assert_eq!(view["roster"][0]["attendance"], "LATE");
    let sold = app
        .gql(
            Some(&s.token),
            BOOK,
            json!({"i": {"sessionId": c.lily_session, "studentId": c.sam}}),
        )
        .await;
    assert_eq!(
        user_error(&sold, "bookSession")[0]["code"],
        "INVALID_STATE",
        "{sold}"
    );
}

#[tokio::test]
async fn ending_a_series_keeps_its_booked_sessions() {
    let app = spawn_app().await;
    let c = cast(&app, "end.example").await;
    let s = &c.school;
    let series = app
        .create_series(
            &s.token,
            json!({"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location,
            "startDate": "2026-03-10", "count": 3, "startTime": "18:00", "daysOfWeek": [2]}),
        )
        .await;
    let sessions = app
        .ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await["created"]
        .clone();
    let booked = sessions[1]["id"].as_str().unwrap().to_owned();
    app.ok(
        &c.parent,
        BOOK,
        json!({"i": {"sessionId": booked, "studentId": s.student}}),
    )
    .await;
    let ended = app
        .ok(&s.token, "mutation($s: ID!) { setClassSeriesStatus(input: {seriesId: $s, status: ENDED}) { cancelledSessions keptBookedSessions userErrors { code } } }", json!({"s": series}))
        .await;
    assert_eq!(ended["cancelledSessions"], 2);
    assert_eq!(ended["keptBookedSessions"], 1);
    let status = |id: &Value| {
        let id = id.clone();
        let app = &app;
        let token = s.token.clone();
        async move {
            app.ok(
                &token,
                "query($id: ID!) { node(id: $id) { ... on Session { status } } }",
                json!({"id": id}),
            )
            .await["status"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(status(&sessions[0]["id"]).await, "CANCELLED");
    assert_eq!(status(&sessions[1]["id"]).await, "SCHEDULED");
    assert_eq!(status(&sessions[2]["id"]).await, "CANCELLED");
}

#[tokio::test]
async fn a_student_is_never_booked_twice_at_once_even_by_racing_requests() {
    let app = spawn_app().await;
    let c = cast(&app, "twice.example").await;
    let s = &c.school;
    // Ten one-off sessions, all Thursday 12:00–13:00.
    let mut sessions = Vec::new();
    for _ in 0..10 {
        let series = app
            .create_series(&s.token, json!({"offeringId": s.offering, "locationId": s.location,
                "startDate": "2026-03-05", "count": 1, "startTime": "12:00", "durationMinutes": 60, "daysOfWeek": [4]}))
            .await;
        sessions.push(
            app.ok(
                &s.token,
                GENERATE,
                json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
            )
            .await["created"][0]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let results = race(
        &app,
        &c.parent,
        BOOK,
        "bookSession",
        sessions
            .iter()
            .map(|session| json!({"i": {"sessionId": session, "studentId": s.student}})),
    )
    .await;
    let mut booked = 0;
    for r in results {
        if r["booking"].is_object() {
            booked += 1;
        } else {
            assert_eq!(r["userErrors"][0]["code"], "ALREADY_BOOKED", "{r}");
        }
    }
    assert_eq!(booked, 1);
    // Her 1-on-1 series lesson (Monday 10:00) also blocks that hour.
    let series_hour = app
        .gql(
            Some(&c.parent),
            ONE_ON_ONE,
            json!({"i": {"teacherId": s.bob, "studentId": s.student, "startsAt": "2026-03-03T17:00:00Z", "durationMinutes": 30}}),
        )
        .await;
    assert!(
        series_hour["data"]["bookOneOnOne"]["booking"].is_object(),
        "{series_hour}"
    );
}

#[tokio::test]
async fn a_declined_request_keeps_its_reason_and_frees_the_slot() {
    let app = spawn_app().await;
    let c = cast(&app, "decline.example").await;
    let s = &c.school;
    app.ok(
        &s.token,
        "mutation($t: ID!) { setBookingPolicy(input: {teacherId: $t, requiresApprovalOneOnOne: true}) { policy { requiresApprovalOneOnOne } userErrors { code } } }",
        json!({"t": s.ada}),
    )
    .await;
    let lesson = json!({"i": {"teacherId": s.ada, "studentId": s.student, "startsAt": "2026-03-03T15:00:00Z", "durationMinutes": 30}});
    let asked = app.ok(&c.parent, ONE_ON_ONE, lesson.clone()).await;
    assert_eq!(asked["booking"]["status"], "PENDING");
    let declined = app
        .ok(
            &c.teacher,
            "mutation($b: ID!) { declineBooking(input: {bookingId: $b, reason: \"away that day\"}) { booking { status cancelReason decidedBy { email } } userErrors { code } } }",
            json!({"b": asked["booking"]["id"]}),
        )
        .await;
    assert_eq!(
        declined["booking"],
        json!({"status": "DECLINED", "cancelReason": "away that day", "decidedBy": {"email": "ada@decline.example"}})
    );
    let again = app.ok(&c.parent, ONE_ON_ONE, lesson).await;
    assert_eq!(again["booking"]["status"], "PENDING");
}
