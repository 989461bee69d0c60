//! Equipment over HTTP (issue 11): a pottery studio's 4 wheels shared by
//! overlapping sessions are never oversold, whatever the clients do at
//! once; clay is used up across a registration; maintenance takes units
//! out only when they are free; bad input is refused with nothing written;
//! sessions show equipment left in a constant number of statements.

use serde_json::{Value, json};

use crate::booking_flow::{race, student};
use crate::helpers::{GENERATE, School, TestApp, school, spawn_app};

const CREATE_EQUIPMENT: &str = "mutation($i: CreateEquipmentInput!) { createEquipment(input: $i) { equipment { id name quantity consumable unit } userErrors { field code message } } }";
const REQUIRE: &str = "mutation($i: SetOfferingRequirementsInput!) { setOfferingRequirements(input: $i) { requirements { perStudent equipment { name } } userErrors { field code message } } }";
const CREATE_SESSION: &str = "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { field code message } } }";
const BOOK: &str = "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id seats equipment { quantity equipment { name } } } waitlistEntry { id } userErrors { field code message } } }";
const CANCEL: &str = "mutation($i: CancelBookingInput!) { cancelBooking(input: $i) { cancelled { id } userErrors { code message } } }";
const ACCEPT: &str = "mutation($i: AcceptWaitlistOfferInput!) { acceptWaitlistOffer(input: $i) { booking { id } userErrors { code message } } }";
const SESSION: &str = "query($id: ID!) { node(id: $id) { ... on Session { seatsTaken seatsLeft equipment { equipment { name } needed available seatsAllowed } } } }";
const MAINTENANCE: &str = "mutation($i: AddMaintenanceBlockInput!) { addMaintenanceBlock(input: $i) { block { quantity from to } userErrors { field code message } } }";
const CHANGE: &str = "mutation($i: ChangeBookingEquipmentInput!) { changeBookingEquipment(input: $i) { equipment { quantity } userErrors { field code message } } }";

/// A studio: the test school, a pool of `wheels` potter's wheels at its
/// location, and a "Wheel throwing" offering needing one per student.
struct Studio {
    s: School,
    wheels: String,
    offering: String,
}

async fn studio(app: &TestApp, email: &str, wheels: i32) -> Studio {
    let s = school(app, email).await;
    let pool = app
        .ok(
            &s.token,
            CREATE_EQUIPMENT,
            json!({"i": {"locationId": s.location, "name": "Potter's wheel", "quantity": wheels}}),
        )
        .await["equipment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let offering = app
        .ok(&s.token, "mutation { createOffering(input: {title: \"Wheel throwing\", kind: GROUP, defaultDurationMinutes: 120, defaultCapacity: 10}) { offering { id } userErrors { code } } }", json!({}))
        .await["offering"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let req = app
        .ok(
            &s.token,
            REQUIRE,
            json!({"i": {"offeringId": offering, "items": [{"equipmentId": pool, "perStudent": 1}]}}),
        )
        .await;
    assert_eq!(req["requirements"][0]["perStudent"], 1, "{req}");
    Studio {
        s,
        wheels: pool,
        offering,
    }
}

/// A one-off session of the studio's offering on Saturday 7 March 2026.
async fn session(app: &TestApp, st: &Studio, from: &str, to: &str, capacity: i32) -> String {
    app.ok(
        &st.s.token,
        CREATE_SESSION,
        json!({"i": {"offeringId": st.offering, "locationId": st.s.location, "capacity": capacity,
                     "startsAt": format!("2026-03-07T{from}:00Z"), "endsAt": format!("2026-03-07T{to}:00Z")}}),
    )
    .await["session"]["id"]
    .as_str()
    .unwrap()
    .to_owned()
}

async fn view(app: &TestApp, token: &str, session: &str) -> Value {
    app.ok(token, SESSION, json!({"id": session})).await
}

#[tokio::test]
async fn wheels_are_shared_by_overlapping_sessions_and_freed_by_cancelling() {
    let app = spawn_app().await;
    let st = studio(&app, "wheels@example.org", 4).await;
    let t = &st.s.token;
    let beginners = session(&app, &st, "09:00", "11:00", 8).await;
    let open_studio = session(&app, &st, "10:00", "12:00", 8).await;
    let afternoon = session(&app, &st, "11:00", "13:00", 8).await;
    let ben = student(&app, t, "Ben").await;
    let cat = student(&app, t, "Cat").await;

    // Lily brings two guests: three wheels for three seats.
    let lily = app
        .ok(
            t,
            BOOK,
            json!({"i": {"sessionId": beginners, "studentId": st.s.student, "seats": 3}}),
        )
        .await;
    assert_eq!(
        lily["booking"]["equipment"],
        json!([{"quantity": 3, "equipment": {"name": "Potter's wheel"}}])
    );
    let v = view(&app, t, &open_studio).await;
    assert_eq!(v["seatsTaken"], 0);
    assert_eq!(v["seatsLeft"], 1, "8 seats, but one wheel left: {v}");
    assert_eq!(
        v["equipment"],
        json!([{"equipment": {"name": "Potter's wheel"}, "needed": 1, "available": 1, "seatsAllowed": 1}])
    );
    assert_eq!(
        view(&app, t, &afternoon).await["seatsLeft"],
        4,
        "11:00 starts as the beginners end"
    );

    // Two more wheels at 10:00 are one too many: refused, nothing written.
    let refused = app
        .gql(
            Some(t),
            BOOK,
            json!({"i": {"sessionId": open_studio, "studentId": ben, "seats": 2}}),
        )
        .await;
    let errors = &refused["data"]["bookSession"]["userErrors"];
    assert_eq!(errors[0]["code"], "EQUIPMENT_UNAVAILABLE", "{refused}");
    assert_eq!(errors[0]["field"], json!(["input", "seats"]));
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("Potter's wheel") && message.contains("2 needed, 1 available"),
        "{message}"
    );
    assert_eq!(view(&app, t, &open_studio).await["seatsTaken"], 0);

    let ben_booking = app
        .ok(
            t,
            BOOK,
            json!({"i": {"sessionId": open_studio, "studentId": ben}}),
        )
        .await["booking"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(view(&app, t, &afternoon).await["seatsLeft"], 3);
    let full = app
        .gql(
            Some(t),
            BOOK,
            json!({"i": {"sessionId": open_studio, "studentId": cat}}),
        )
        .await;
    assert_eq!(
        full["data"]["bookSession"]["userErrors"][0]["code"],
        "EQUIPMENT_UNAVAILABLE"
    );

    // Cancelling gives the wheels back at once.
    let lily_booking = lily["booking"]["id"].as_str().unwrap();
    app.ok(t, CANCEL, json!({"i": {"bookingId": lily_booking}}))
        .await;
    assert_eq!(
        view(&app, t, &open_studio).await["equipment"][0]["available"],
        3
    );

    // Maintenance takes only wheels nobody holds.
    let too_many = app
        .gql(
            Some(t),
            MAINTENANCE,
            json!({"i": {"equipmentId": st.wheels, "quantity": 4, "from": "2026-03-07T10:00:00Z", "to": "2026-03-07T11:00:00Z"}}),
        )
        .await;
    let e = &too_many["data"]["addMaintenanceBlock"]["userErrors"][0];
    assert_eq!(e["code"], "EQUIPMENT_UNAVAILABLE", "{too_many}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("4 needed, 3 available")
    );
    app.ok(
        t,
        MAINTENANCE,
        json!({"i": {"equipmentId": st.wheels, "quantity": 3, "from": "2026-03-07T10:00:00Z", "to": "2026-03-07T11:00:00Z", "note": "Motor repair"}}),
    )
    .await;
    let timeline = app
        .ok(
            t,
            "query($l: ID!) { equipmentAvailability(locationId: $l, from: \"2026-03-07T08:00:00Z\", to: \"2026-03-07T14:00:00Z\") { equipment { name } timeline { from to available } } }",
            json!({"l": st.s.location}),
        )
        .await;
    assert_eq!(
        timeline[0]["timeline"],
        json!([
            {"from": "2026-03-07T08:00:00Z", "to": "2026-03-07T10:00:00Z", "available": 4},
            {"from": "2026-03-07T10:00:00Z", "to": "2026-03-07T11:00:00Z", "available": 0},
            {"from": "2026-03-07T11:00:00Z", "to": "2026-03-07T12:00:00Z", "available": 3},
            {"from": "2026-03-07T12:00:00Z", "to": "2026-03-07T14:00:00Z", "available": 4},
        ]),
        "{timeline}"
    );

    // Ben's booking may not take a second wheel while the repair runs, and
    // may give his back (he brings his own).
    let more = app
        .gql(
            Some(t),
            CHANGE,
            json!({"i": {"bookingId": ben_booking, "items": [{"equipmentId": st.wheels, "quantity": 2}]}}),
        )
        .await;
    assert_eq!(
        more["data"]["changeBookingEquipment"]["userErrors"][0]["code"], "EQUIPMENT_UNAVAILABLE",
        "{more}"
    );
    let none = app
        .ok(
            t,
            CHANGE,
            json!({"i": {"bookingId": ben_booking, "items": [{"equipmentId": st.wheels, "quantity": 0}]}}),
        )
        .await;
    assert_eq!(none["equipment"], json!([]));
    assert_eq!(
        view(&app, t, &open_studio).await["equipment"][0]["available"],
        1,
        "4 wheels, 3 in repair, none held"
    );
}

#[tokio::test]
async fn clay_is_used_up_across_a_registration() {
    let app = spawn_app().await;
    let st = studio(&app, "clay@example.org", 8).await;
    let t = &st.s.token;
    let clay = app
        .ok(
            t,
            CREATE_EQUIPMENT,
            json!({"i": {"locationId": st.s.location, "name": "Clay", "quantity": 10, "consumable": true, "unit": "kg"}}),
        )
        .await;
    assert_eq!(clay["equipment"]["unit"], "kg");
    let clay = clay["equipment"]["id"].as_str().unwrap().to_owned();
    app.ok(
        t,
        REQUIRE,
        json!({"i": {"offeringId": st.offering, "items": [{"equipmentId": st.wheels, "perStudent": 1}, {"equipmentId": clay, "perStudent": 2}]}}),
    )
    .await;
    let series = app
        .create_series(
            t,
            json!({"offeringId": st.offering, "teacherId": st.s.ada, "locationId": st.s.location, "startDate": "2026-03-02",
                   "count": 6, "startTime": "10:00", "durationMinutes": 120, "daysOfWeek": [1]}),
        )
        .await;
    let created = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-04-30"}}),
        )
        .await;
    assert_eq!(created["created"].as_array().unwrap().len(), 6);
    const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { registration { id bookings { id } } userErrors { field code message } } }";
    // Six weeks at 2 kg need 12 kg; there are 10: all or nothing.
    let refused = app
        .gql(
            Some(t),
            REGISTER,
            json!({"i": {"seriesId": series, "studentId": st.s.student, "type": "FULL_SCHEDULE"}}),
        )
        .await;
    let e = &refused["data"]["register"]["userErrors"][0];
    assert_eq!(e["code"], "EQUIPMENT_UNAVAILABLE", "{refused}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Clay at that time: 2 needed, 0 available"),
        "{e}"
    );
    let first = created["created"][0]["id"].as_str().unwrap();
    assert_eq!(
        view(&app, t, first).await["seatsTaken"],
        0,
        "nothing of the refused registration was written"
    );
    let five: Vec<&str> = created["created"].as_array().unwrap()[..5]
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let ok = app
        .ok(
            t,
            REGISTER,
            json!({"i": {"seriesId": series, "studentId": st.s.student, "type": "DROP_IN", "sessionIds": five}}),
        )
        .await;
    assert_eq!(ok["registration"]["bookings"].as_array().unwrap().len(), 5);
    // The clay is gone for every later session, though the wheels are free.
    let last = created["created"][5]["id"].as_str().unwrap();
    let v = view(&app, t, last).await;
    assert_eq!(v["seatsLeft"], 0, "{v}");
    assert_eq!(v["equipment"][1]["available"], 0);
    assert_eq!(v["equipment"][0]["available"], 8);
}

#[tokio::test]
async fn bad_equipment_input_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let st = studio(&app, "bad-equipment@example.org", 4).await;
    let t = &st.s.token;
    let before = app
        .ok(
            t,
            "query($o: ID!) { node(id: $o) { ... on Offering { requirements { perStudent } } } }",
            json!({"o": st.offering}),
        )
        .await;
    let cases = [
        (
            REQUIRE,
            json!({"i": {"offeringId": st.offering, "items": [{"equipmentId": st.wheels, "perStudent": 0}]}}),
            "setOfferingRequirements",
            json!(["input", "items", "0", "perStudent"]),
            "INVALID",
        ),
        (
            REQUIRE,
            json!({"i": {"offeringId": st.offering, "items": [{"equipmentId": st.wheels, "perStudent": 1}, {"equipmentId": st.offering, "perStudent": 1}]}}),
            "setOfferingRequirements",
            json!(["input", "items", "1", "equipmentId"]),
            "NOT_FOUND",
        ),
        (
            REQUIRE,
            json!({"i": {"offeringId": st.offering, "items": [{"equipmentId": st.wheels, "perStudent": 1}, {"equipmentId": st.wheels, "perStudent": 2}]}}),
            "setOfferingRequirements",
            json!(["input", "items", "1", "equipmentId"]),
            "INVALID",
        ),
        (
            CREATE_EQUIPMENT,
            json!({"i": {"locationId": st.s.location, "name": "Kiln", "quantity": 0}}),
            "createEquipment",
            json!(["input", "quantity"]),
            "INVALID",
        ),
        (
            CREATE_EQUIPMENT,
            json!({"i": {"locationId": st.s.location, "name": "  ", "quantity": 1}}),
            "createEquipment",
            json!(["input", "name"]),
            "INVALID",
        ),
        (
            MAINTENANCE,
            json!({"i": {"equipmentId": st.wheels, "quantity": 5, "from": "2026-03-07T10:00:00Z", "to": "2026-03-07T11:00:00Z"}}),
            "addMaintenanceBlock",
            json!(["input", "quantity"]),
            "INVALID",
        ),
        (
            MAINTENANCE,
            json!({"i": {"equipmentId": st.wheels, "quantity": 1, "from": "2026-03-07T10:00:00Z", "to": "2026-03-07T09:00:00Z"}}),
            "addMaintenanceBlock",
            json!(["input", "to"]),
            "INVALID",
        ),
        (
            MAINTENANCE,
            json!({"i": {"equipmentId": st.offering, "quantity": 1, "from": "2026-03-07T10:00:00Z", "to": "2026-03-07T11:00:00Z"}}),
            "addMaintenanceBlock",
            json!(["input", "equipmentId"]),
            "NOT_FOUND",
        ),
    ];
    for (query, vars, field, path, code) in cases {
        let body = app.gql(Some(t), query, vars.clone()).await;
        let e = &body["data"][field]["userErrors"][0];
        assert_eq!(e["code"], code, "{vars}: {body}");
        assert_eq!(e["field"], path, "{vars}: {body}");
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
    let after = app
        .ok(
            t,
            "query($o: ID!) { node(id: $o) { ... on Offering { requirements { perStudent } } } }",
            json!({"o": st.offering}),
        )
        .await;
    assert_eq!(before, after);
    let pools = app.ok(t, "{ equipment { name } }", json!({})).await;
    assert_eq!(pools, json!([{"name": "Potter's wheel"}]));
    let timeline = app
        .ok(
            t,
            "query($l: ID!) { equipmentAvailability(locationId: $l, from: \"2026-03-07T00:00:00Z\", to: \"2026-03-08T00:00:00Z\") { timeline { available } } }",
            json!({"l": st.s.location}),
        )
        .await;
    assert_eq!(
        timeline[0]["timeline"],
        json!([{"available": 4}]),
        "no block was written"
    );
}

/// The wheels each session's roster holds, with its times, read back
/// through the API; then the most held at any instant.
async fn peak_wheels(app: &TestApp, st: &Studio) -> i64 {
    let cal = app
        .ok(
            &st.s.token,
            "query($l: ID!) { calendar(filter: {locationId: $l}, from: \"2026-03-07T00:00:00Z\", to: \"2026-03-08T00:00:00Z\") { startsAt endsAt roster { booking { equipment { quantity } } } pendingBookings { id } } }",
            json!({"l": st.s.location}),
        )
        .await;
    let sessions: Vec<(String, String, i64)> = cal
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let held: i64 = s["roster"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r["booking"]["equipment"].as_array().unwrap())
                .map(|a| a["quantity"].as_i64().unwrap())
                .sum();
            assert_eq!(s["pendingBookings"], json!([]));
            (
                s["startsAt"].as_str().unwrap().to_owned(),
                s["endsAt"].as_str().unwrap().to_owned(),
                held,
            )
        })
        .collect();
    sessions
        .iter()
        .map(|(at, ..)| {
            sessions
                .iter()
                .filter(|(from, to, _)| from <= at && at < to)
                .map(|(.., held)| held)
                .sum::<i64>()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn thirty_clients_racing_for_four_wheels_never_hold_more_than_four() {
    let app = spawn_app().await;
    let st = studio(&app, "wheel-race@example.org", 4).await;
    let t = &st.s.token;
    let sessions = [
        session(&app, &st, "09:00", "11:00", 10).await,
        session(&app, &st, "10:00", "12:00", 10).await,
        session(&app, &st, "11:00", "13:00", 10).await,
    ];
    let mut students = Vec::new();
    for i in 0..30 {
        students.push(student(&app, t, &format!("Potter{i}")).await);
    }
    let results = race(
        &app,
        t,
        BOOK,
        "bookSession",
        students
            .iter()
            .enumerate()
            .map(|(i, st)| json!({"i": {"sessionId": sessions[i % 3], "studentId": st}})),
    )
    .await;
    let mut booked = 0;
    for r in &results {
        if r["booking"].is_object() {
            booked += 1;
            assert_eq!(
                r["booking"]["equipment"],
                json!([{"quantity": 1, "equipment": {"name": "Potter's wheel"}}]),
                "every place holds its wheel"
            );
        } else {
            assert_eq!(r["userErrors"][0]["code"], "EQUIPMENT_UNAVAILABLE", "{r}");
        }
    }
    assert!(booked >= 4, "the first four at least get wheels: {booked}");
    assert!(peak_wheels(&app, &st).await <= 4);
}

#[tokio::test]
async fn thirty_clients_racing_to_register_for_four_wheels_never_hold_more_than_four() {
    let app = spawn_app().await;
    let st = studio(&app, "wheel-register@example.org", 4).await;
    let t = &st.s.token;
    // Three Saturday classes overlapping in turn, one session each.
    let mut classes = Vec::new();
    for start in ["09:00", "10:00", "11:00"] {
        let series = app
            .create_series(
                t,
                json!({"offeringId": st.offering, "locationId": st.s.location, "startDate": "2026-03-07",
                       "count": 1, "startTime": start, "durationMinutes": 120, "daysOfWeek": [6], "capacity": 10}),
            )
            .await;
        let session = app
            .ok(
                t,
                GENERATE,
                json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
            )
            .await["created"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        classes.push((series, session));
    }
    let mut students = Vec::new();
    for i in 0..30 {
        students.push(student(&app, t, &format!("Registrant{i}")).await);
    }
    const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { registration { bookings { equipment { quantity } } } userErrors { code message } } }";
    let results = race(
        &app,
        t,
        REGISTER,
        "register",
        students.iter().enumerate().map(|(i, who)| {
            let (series, session) = &classes[i % 3];
            json!({"i": {"seriesId": series, "studentId": who, "type": "SINGLE_SESSION", "sessionIds": [session]}})
        }),
    )
    .await;
    let mut registered = 0;
    for r in &results {
        if r["registration"].is_object() {
            registered += 1;
            assert_eq!(
                r["registration"]["bookings"],
                json!([{"equipment": [{"quantity": 1}]}]),
                "every place holds its wheel"
            );
        } else {
            assert_eq!(r["userErrors"][0]["code"], "EQUIPMENT_UNAVAILABLE", "{r}");
        }
    }
    assert!(
        registered >= 4,
        "the first four at least get wheels: {registered}"
    );
    assert!(peak_wheels(&app, &st).await <= 4);
}

#[tokio::test]
async fn cancellations_and_waitlist_acceptances_racing_bookings_never_oversell() {
    let app = spawn_app().await;
    let st = studio(&app, "wheel-mix@example.org", 4).await;
    let t = &st.s.token;
    // The morning class has two seats; the open studio overlaps it.
    let morning = session(&app, &st, "09:00", "11:00", 2).await;
    let open_studio = session(&app, &st, "10:00", "12:00", 10).await;
    let mut people = Vec::new();
    for i in 0..30 {
        people.push(student(&app, t, &format!("Mix{i}")).await);
    }
    let mut morning_bookings = Vec::new();
    for p in &people[..2] {
        let b = app
            .ok(
                t,
                BOOK,
                json!({"i": {"sessionId": morning, "studentId": p}}),
            )
            .await;
        morning_bookings.push(b["booking"]["id"].as_str().unwrap().to_owned());
    }
    let mut entries = Vec::new();
    for p in &people[2..5] {
        let w = app
            .ok(
                t,
                BOOK,
                json!({"i": {"sessionId": morning, "studentId": p, "joinWaitlistIfFull": true}}),
            )
            .await;
        entries.push(w["waitlistEntry"]["id"].as_str().unwrap().to_owned());
    }
    for p in &people[5..7] {
        app.ok(
            t,
            BOOK,
            json!({"i": {"sessionId": open_studio, "studentId": p}}),
        )
        .await;
    }
    assert_eq!(peak_wheels(&app, &st).await, 4);
    // One morning place frees: the first in line holds an offer.
    app.ok(t, CANCEL, json!({"i": {"bookingId": morning_bookings[0]}}))
        .await;

    // At once: the offer is accepted, the other morning booking is
    // cancelled, and 20 families book the open studio.
    let mut tasks = Vec::new();
    let spawn = |query: &'static str, vars: Value| {
        let (url, client, token) = (app.url.clone(), app.client.clone(), t.clone());
        tokio::spawn(async move {
            client
                .post(format!("{url}/graphql"))
                .bearer_auth(token)
                .json(&json!({"query": query, "variables": vars}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        })
    };
    tasks.push(spawn(ACCEPT, json!({"i": {"entryId": entries[0]}})));
    tasks.push(spawn(
        CANCEL,
        json!({"i": {"bookingId": morning_bookings[1]}}),
    ));
    for p in &people[10..30] {
        tasks.push(spawn(
            BOOK,
            json!({"i": {"sessionId": open_studio, "studentId": p}}),
        ));
    }
    for task in tasks {
        let body = task.await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
        let payload = body["data"].as_object().unwrap().values().next().unwrap();
        if let Some(e) = payload["userErrors"].as_array().and_then(|e| e.first()) {
            assert_eq!(e["code"], "EQUIPMENT_UNAVAILABLE", "{body}");
        }
    }
    assert!(peak_wheels(&app, &st).await <= 4);
}

#[tokio::test]
async fn sessions_show_equipment_left_in_constant_statements() {
    let app = spawn_app().await;
    let st = studio(&app, "wheel-count@example.org", 6).await;
    let t = &st.s.token;
    const WEEK: &str = "query($l: ID!) { calendar(filter: {locationId: $l}, from: \"2026-03-07T00:00:00Z\", to: \"2026-03-08T00:00:00Z\") { id seatsLeft equipment { available needed equipment { name } } roster { booking { equipment { quantity } } } } }";
    const BROWSE: &str = "query($l: ID!) { classBrowser(filter: {locationId: $l, from: \"2026-03-07T00:00:00Z\", to: \"2026-03-08T00:00:00Z\"}) { sessions { id seatsLeft equipment { available } } } }";
    let measure = async || {
        let before = app.db.statements();
        let body = app.gql(Some(t), WEEK, json!({"l": st.s.location})).await;
        assert!(body.get("errors").is_none(), "{body}");
        let calendar = (
            app.db.statements() - before,
            body["data"]["calendar"].as_array().unwrap().len(),
        );
        let before = app.db.statements();
        let body = app.gql(Some(t), BROWSE, json!({"l": st.s.location})).await;
        assert!(body.get("errors").is_none(), "{body}");
        let browser = (
            app.db.statements() - before,
            body["data"]["classBrowser"]["sessions"]
                .as_array()
                .unwrap()
                .len(),
        );
        (calendar, browser)
    };
    let mut hour = 8;
    let mut add = async |n: usize| {
        for _ in 0..n {
            let id = session(
                &app,
                &st,
                &format!("{hour:02}:00"),
                &format!("{:02}:00", hour + 2),
                4,
            )
            .await;
            let who = student(&app, t, &format!("Counted{hour}")).await;
            app.ok(t, BOOK, json!({"i": {"sessionId": id, "studentId": who}}))
                .await;
            hour += 1;
        }
    };
    add(2).await;
    let ((few, n_few), (few_browse, nb_few)) = measure().await;
    add(8).await;
    let ((many, n_many), (many_browse, nb_many)) = measure().await;
    assert_eq!((n_few, n_many, nb_few, nb_many), (2, 10, 2, 10));
    assert_eq!(
        few, many,
        "calendar: statements for 2 sessions ({few}) and 10 ({many}) must be the same"
    );
    assert_eq!(
        few_browse, many_browse,
        "class browser: statements for 2 sessions ({few_browse}) and 10 ({many_browse}) must be the same"
    );
}

#[tokio::test]
async fn a_session_cannot_be_moved_onto_wheels_another_holds() {
    let app = spawn_app().await;
    let st = studio(&app, "wheel-move@example.org", 4).await;
    let t = &st.s.token;
    let morning = session(&app, &st, "09:00", "11:00", 8).await;
    let noon = session(&app, &st, "12:00", "14:00", 8).await;
    let (a, b) = (student(&app, t, "Ann").await, student(&app, t, "Bea").await);
    app.ok(
        t,
        BOOK,
        json!({"i": {"sessionId": morning, "studentId": a, "seats": 3}}),
    )
    .await;
    app.ok(
        t,
        BOOK,
        json!({"i": {"sessionId": noon, "studentId": b, "seats": 2}}),
    )
    .await;
    const MOVE: &str = "mutation($i: UpdateSessionInput!) { updateSession(input: $i) { session { id startsAt } userErrors { field code message } } }";
    // Noon onto the morning: 3 + 2 wheels of 4.
    let refused = app
        .gql(
            Some(t),
            MOVE,
            json!({"i": {"sessionId": noon, "startsAt": "2026-03-07T10:00:00Z"}}),
        )
        .await;
    let e = &refused["data"]["updateSession"]["userErrors"][0];
    assert_eq!(e["code"], "EQUIPMENT_UNAVAILABLE", "{refused}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("2 needed, 1 available"),
        "{e}"
    );
    assert_eq!(
        view(&app, t, &morning).await["equipment"][0]["available"],
        1,
        "nothing moved"
    );
    // Next to it is fine.
    let moved = app
        .ok(
            t,
            MOVE,
            json!({"i": {"sessionId": noon, "startsAt": "2026-03-07T11:00:00Z"}}),
        )
        .await;
    assert_eq!(moved["session"]["startsAt"], "2026-03-07T11:00:00Z");
}

#[tokio::test]
async fn families_change_a_bookings_equipment_within_its_share() {
    let app = spawn_app().await;
    let c = crate::roles::cast(&app, "share.example").await;
    let s = &c.school;
    app.ok(
        &s.token,
        REQUIRE,
        json!({"i": {"offeringId": s.offering, "items": [{"equipmentId": c.wheels, "perStudent": 1}]}}),
    )
    .await;
    let change = |q: i32| json!({"i": {"bookingId": c.lily_booking, "items": [{"equipmentId": c.wheels, "quantity": q}]}});
    // Lily's one seat needs one wheel: the family may take it, not two.
    let two = app.gql(Some(&c.parent), CHANGE, change(2)).await;
    let e = &two["data"]["changeBookingEquipment"]["userErrors"][0];
    assert_eq!(e["code"], "LIMIT_EXCEEDED", "{two}");
    assert!(e["message"].as_str().unwrap().contains("at most 1"));
    let one = app.ok(&c.parent, CHANGE, change(1)).await;
    assert_eq!(one["equipment"], json!([{"quantity": 1}]));
    let none = app.ok(&c.student, CHANGE, change(0)).await;
    assert_eq!(none["equipment"], json!([]));
    // The office may give more while units are free.
    let office = app.ok(&s.token, CHANGE, change(3)).await;
    assert_eq!(office["equipment"], json!([{"quantity": 3}]));
    let five = app.gql(Some(&s.token), CHANGE, change(5)).await;
    assert_eq!(
        five["data"]["changeBookingEquipment"]["userErrors"][0]["code"],
        "EQUIPMENT_UNAVAILABLE"
    );
}
