//! The booking-core issue over HTTP: rescheduling as a linked, legal step;
//! one meaning of "no availability windows" everywhere; races a constraint
//! or a lock decides; text a database would treat differently refused for
//! every text input; response keys in selection order.

use serde_json::{Value, json};

use crate::booking_flow::{race, student};
use crate::helpers::{GENERATE, TestApp, spawn_app};
use crate::roles::cast;

const BOOK: &str = "mutation($i: BookSessionInput!) { bookSession(input: $i) {
  booking { id status } waitlistEntry { id position status } userErrors { field message code } } }";
const ONE_ON_ONE: &str = "mutation($i: BookOneOnOneInput!) { bookOneOnOne(input: $i) {
  booking { id status } userErrors { field message code } } }";
const RESCHEDULE: &str = "mutation($i: RescheduleBookingInput!) { rescheduleBooking(input: $i) {
  booking { id status session { id } rescheduledFrom { id status rescheduledTo { id } } }
  userErrors { field message code } } }";
const SEATS: &str = "query($id: ID!) { node(id: $id) { ... on Session {
  seatsTaken waitlist { position status student { firstName } } } } }";

/// One generated group session of `capacity` seats on `date` at `time`
/// (London), taught by `teacher`.
async fn session_at(
    app: &TestApp,
    token: &str,
    c: &crate::roles::Cast,
    teacher: &str,
    (date, time): (&str, &str),
    capacity: i32,
) -> String {
    let series = app
        .create_series(
            token,
            json!({"offeringId": c.school.offering, "teacherId": teacher, "locationId": c.school.location,
                   "startDate": date, "count": 1, "startTime": time, "capacity": capacity,
                   "rrule": "FREQ=DAILY", "conflictPolicy": "MARK"}),
        )
        .await;
    app.ok(
        token,
        GENERATE,
        json!({"input": {"seriesId": series, "through": "2026-04-30"}}),
    )
    .await["created"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn code(body: &Value, field: &str) -> Value {
    body["data"][field]["userErrors"][0]["code"].clone()
}

#[tokio::test]
async fn rescheduling_links_both_bookings_and_offers_the_freed_seat() {
    let app = spawn_app().await;
    let c = cast(&app, "reschedule.example").await;
    let t = &c.school.token;
    let old_session = session_at(&app, t, &c, &c.school.bob, ("2026-03-05", "10:00"), 1).await;
    let new_session = session_at(&app, t, &c, &c.school.bob, ("2026-03-06", "10:00"), 3).await;
    let mia = student(&app, t, "Mia").await;
    let noah = student(&app, t, "Noah").await;

    // Mia takes the only seat (a note may span lines); Noah waits.
    let booked = app
        .ok(t, BOOK, json!({"i": {"sessionId": old_session, "studentId": mia, "note": "allergic to dust\nbrings own gloves"}}))
        .await;
    assert_eq!(booked["booking"]["status"], "CONFIRMED");
    let old_booking = booked["booking"]["id"].as_str().unwrap().to_owned();
    let waiting = app
        .ok(
            t,
            BOOK,
            json!({"i": {"sessionId": old_session, "studentId": noah, "joinWaitlistIfFull": true}}),
        )
        .await;
    assert_eq!(waiting["waitlistEntry"]["status"], "WAITING");

    let moved = app
        .ok(
            t,
            RESCHEDULE,
            json!({"i": {"bookingId": old_booking, "sessionId": new_session}}),
        )
        .await["booking"]
        .clone();
    assert_eq!(moved["status"], "CONFIRMED", "{moved}");
    assert_eq!(moved["session"]["id"], new_session);
    assert_eq!(moved["rescheduledFrom"]["id"], old_booking);
    assert_eq!(moved["rescheduledFrom"]["status"], "RESCHEDULED");
    assert_eq!(moved["rescheduledFrom"]["rescheduledTo"]["id"], moved["id"]);

    // The old seat went to the first in line (held by the offer); the new
    // session counts Mia once.
    let old = app.ok(t, SEATS, json!({"id": old_session})).await;
    assert_eq!(old["seatsTaken"], 1, "{old}");
    assert_eq!(old["waitlist"][0]["status"], "OFFERED");
    assert_eq!(old["waitlist"][0]["student"]["firstName"], "Noah");
    let new = app.ok(t, SEATS, json!({"id": new_session})).await;
    assert_eq!(new["seatsTaken"], 1, "{new}");

    // A RESCHEDULED booking cannot move again: only CONFIRMED ones can.
    let again = app
        .gql(
            Some(t),
            RESCHEDULE,
            json!({"i": {"bookingId": old_booking, "sessionId": new_session}}),
        )
        .await;
    assert_eq!(
        code(&again, "rescheduleBooking"),
        "INVALID_STATE",
        "{again}"
    );
    // A refused move changes nothing: the new session still holds one seat.
    let new = app.ok(t, SEATS, json!({"id": new_session})).await;
    assert_eq!(new["seatsTaken"], 1);
}

#[tokio::test]
async fn racing_cancels_and_moves_of_one_booking_free_its_seats_once() {
    let app = spawn_app().await;
    let c = cast(&app, "cancel-race.example").await;
    let t = &c.school.token;
    let from = session_at(&app, t, &c, &c.school.bob, ("2026-03-05", "10:00"), 10).await;
    let to = session_at(&app, t, &c, &c.school.bob, ("2026-03-06", "10:00"), 10).await;
    let mia = student(&app, t, "Mia").await;
    let booking = |seats: i32| {
        let (app, mia, from) = (&app, mia.clone(), from.clone());
        async move {
            app.ok(
                t,
                BOOK,
                json!({"i": {"sessionId": from, "studentId": mia, "seats": seats}}),
            )
            .await["booking"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    // Ten cancellations of one 3-seat booking at once: one cancels it.
    let first = booking(3).await;
    let cancelled = race(
        &app,
        t,
        "mutation($i: CancelBookingInput!) { cancelBooking(input: $i) { cancelled { id } userErrors { code } } }",
        "cancelBooking",
        (0..10).map(|_| json!({"i": {"bookingId": first}})),
    )
    .await;
    let won = cancelled
        .iter()
        .filter(|r| r["cancelled"][0]["id"].is_string())
        .count();
    assert_eq!(won, 1, "{cancelled:?}");
    assert!(
        cancelled
            .iter()
            .filter(|r| !r["cancelled"][0]["id"].is_string())
            .all(|r| r["userErrors"][0]["code"] == "INVALID_STATE")
    );
    assert_eq!(app.ok(t, SEATS, json!({"id": from})).await["seatsTaken"], 0);
    // Ten moves of one booking at once: one replacement, seats counted once.
    let second = booking(2).await;
    let moved = race(
        &app,
        t,
        RESCHEDULE,
        "rescheduleBooking",
        (0..10).map(|_| json!({"i": {"bookingId": second, "sessionId": to}})),
    )
    .await;
    let won = moved
        .iter()
        .filter(|r| r["booking"]["id"].is_string())
        .count();
    assert_eq!(won, 1, "{moved:?}");
    assert_eq!(app.ok(t, SEATS, json!({"id": from})).await["seatsTaken"], 0);
    assert_eq!(app.ok(t, SEATS, json!({"id": to})).await["seatsTaken"], 2);
}

#[tokio::test]
async fn an_unknown_stored_status_is_an_error_not_a_guess() {
    let app = spawn_app().await;
    let c = cast(&app, "corrupt.example").await;
    // A row edited by hand (or by a newer version) to a status this one
    // does not know: the booking must not read as CANCELLED or any other
    // status, and the stored text must not reach the client.
    use sea_orm::ConnectionTrait;
    let conn = app.db.conn();
    conn.execute_unprepared("UPDATE bookings SET status = 'ON_HOLD_XYZ'")
        .await
        .unwrap();
    let body = app
        .gql(
            Some(&c.school.token),
            "query($id: ID!) { node(id: $id) { ... on Booking { status } } }",
            json!({"id": c.lily_booking}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INTERNAL",
        "{body}"
    );
    assert!(!body.to_string().contains("ON_HOLD_XYZ"), "{body}");
    // Deciding on it refuses too, rather than treating it as some status.
    let decided = app
        .gql(
            Some(&c.school.token),
            "mutation($b: ID!) { cancelBooking(input: {bookingId: $b}) { cancelled { id } userErrors { code } } }",
            json!({"b": c.lily_booking}),
        )
        .await;
    assert_eq!(
        decided["errors"][0]["extensions"]["code"], "INTERNAL",
        "{decided}"
    );
}

#[tokio::test]
async fn a_teacher_without_windows_means_the_same_everywhere() {
    let app = spawn_app().await;
    let c = cast(&app, "windows.example").await;
    let t = &c.school.token;
    let cleo = app
        .ok(
            t,
            "mutation { createTeacher(input: {email: \"cleo@example.org\", firstName: \"Cleo\", lastName: \"Free\"}) { teacher { id availability { dayOfWeek } } userErrors { code } } }",
            json!({}),
        )
        .await["teacher"]
        .clone();
    assert_eq!(cleo["availability"], json!([]));
    let cleo = cleo["id"].as_str().unwrap().to_owned();

    // Generation: Sunday 07:00 is fine for an unrestricted teacher, while
    // Ada (weekdays 09:00-19:00) is marked unavailable at that time.
    let early = ("2026-03-08", "07:00");
    let free = session_at(&app, t, &c, &cleo, early, 4).await;
    let state = |id: String| {
        let app = &app;
        async move {
            app.ok(t, "query($id: ID!) { node(id: $id) { ... on Session { status conflicts { kind } } } }", json!({"id": id}))
                .await
        }
    };
    assert_eq!(
        state(free.clone()).await,
        json!({"status": "SCHEDULED", "conflicts": []})
    );
    let bound = session_at(&app, t, &c, &c.school.ada, ("2026-03-15", "07:00"), 4).await;
    assert_eq!(
        state(bound.clone()).await["conflicts"][0]["kind"],
        "TEACHER_UNAVAILABLE"
    );

    // Staff eligibility: Cleo is eligible at that hour, Ada is not.
    let eligible = app
        .ok(
            t,
            "query($s: ID!) { eligibleStaff(sessionId: $s) { lastName } }",
            json!({"s": bound}),
        )
        .await;
    let names: Vec<&str> = eligible
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["lastName"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Free") && !names.contains(&"Byron"),
        "{names:?}"
    );

    // Slot search: an unrestricted teacher publishes no self-service slots.
    let slots = app
        .ok(
            t,
            "query($t: ID!) { availableSlots(teacherId: $t, from: \"2026-03-09T00:00:00Z\", to: \"2026-03-14T00:00:00Z\", durationMinutes: 30) { startsAt } }",
            json!({"t": cleo}),
        )
        .await;
    assert_eq!(slots, json!([]));

    // 1-on-1: the office books Cleo at any hour; a family cannot book her
    // until she publishes windows, and gets its own code for it.
    let lesson = |teacher: &str, at: &str| json!({"i": {"teacherId": teacher, "studentId": c.school.student, "startsAt": at, "durationMinutes": 30}});
    let office = app
        .ok(t, ONE_ON_ONE, lesson(&cleo, "2026-03-10T06:00:00Z"))
        .await;
    assert_eq!(office["booking"]["status"], "CONFIRMED");
    let family = app
        .gql(
            Some(&c.parent),
            ONE_ON_ONE,
            lesson(&cleo, "2026-03-11T06:00:00Z"),
        )
        .await;
    assert_eq!(
        code(&family, "bookOneOnOne"),
        "OUTSIDE_AVAILABILITY",
        "{family}"
    );
    // Outside published windows is refused for everyone with that code,
    // not SLOT_TAKEN.
    for token in [t.as_str(), c.parent.as_str()] {
        let outside = app
            .gql(
                Some(token),
                ONE_ON_ONE,
                lesson(&c.school.ada, "2026-03-12T06:00:00Z"),
            )
            .await;
        assert_eq!(
            code(&outside, "bookOneOnOne"),
            "OUTSIDE_AVAILABILITY",
            "{outside}"
        );
    }
}

#[tokio::test]
async fn racing_sign_ups_with_one_email_get_one_school_and_taken() {
    let app = spawn_app().await;
    const SIGN_UP: &str =
        "mutation($i: SignUpInput!) { signUp(input: $i) { token userErrors { code } } }";
    let tasks: Vec<_> = (0..12)
        .map(|n| {
            let (url, client) = (app.url.clone(), app.client.clone());
            tokio::spawn(async move {
                let body: Value = client
                    .post(format!("{url}/graphql"))
                    .json(&json!({"query": SIGN_UP, "variables": {"i": {
                        "schoolName": format!("School {n}"), "email": "same@example.org",
                        "password": "correct horse battery", "firstName": "A", "lastName": "B",
                        "timezone": "Europe/London", "currency": "GBP"}}}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                body
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let body = t.await.unwrap();
        assert!(body.get("errors").is_none(), "no masked error: {body}");
        let out = &body["data"]["signUp"];
        if out["token"].is_string() {
            created += 1;
        } else {
            assert_eq!(out["userErrors"][0]["code"], "TAKEN", "{body}");
        }
    }
    assert_eq!(created, 1);
}

async fn login(app: &TestApp, email: &str) -> String {
    let body = app
        .gql(
            None,
            "mutation($e: String!) { login(input: {email: $e, password: \"s3cret-pass\"}) { token } }",
            json!({"e": email}),
        )
        .await;
    body["data"]["login"]["token"].as_str().unwrap().to_owned()
}

const SET_ROLES: &str = "mutation($i: SetUserRolesInput!) { setUserRoles(input: $i) { user { id } userErrors { code } } }";

#[tokio::test]
async fn two_admins_demoting_each_other_leave_one_admin() {
    let app = spawn_app().await;
    let mut admin = app.sign_up("first@admins.example").await;
    for round in 0..4 {
        let email = format!("admin{round}@admins.example");
        let other = app
            .ok(
                &admin,
                "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { code } } }",
                json!({"i": {"email": email, "password": "s3cret-pass", "firstName": "A", "lastName": "B", "roles": ["ADMIN"]}}),
            )
            .await["user"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let other_token = login(&app, &email).await;
        let me = app.ok(&admin, "query { me { id } }", json!({})).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Each demotes the other at the same moment.
        let (a, b) = tokio::join!(
            app.gql(
                Some(&admin),
                SET_ROLES,
                json!({"i": {"userId": other, "roles": ["STAFF"]}})
            ),
            app.gql(
                Some(&other_token),
                SET_ROLES,
                json!({"i": {"userId": me, "roles": ["STAFF"]}})
            ),
        );
        let won = |b: &Value| b["data"]["setUserRoles"]["user"]["id"].is_string();
        assert!(won(&a) ^ won(&b), "exactly one demotion: {a} {b}");
        for body in [&a, &b] {
            if !won(body) {
                // Refused as the last admin, or no longer an admin at all.
                let refused = body["data"]["setUserRoles"]["userErrors"][0]["code"]
                    == "INVALID_STATE"
                    || body["errors"][0]["extensions"]["code"] == "FORBIDDEN";
                assert!(refused, "{body}");
            }
        }
        admin = if won(&a) { admin } else { other_token };
        let users = app
            .ok(
                &admin,
                "query { users(first: 100) { nodes { roles } } }",
                json!({}),
            )
            .await;
        let admins = users["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["roles"].as_array().unwrap().contains(&json!("ADMIN")))
            .count();
        assert_eq!(admins, 1, "round {round}: {users}");
    }
}

#[tokio::test]
async fn racing_policy_saves_keep_one_policy_per_teacher() {
    let app = spawn_app().await;
    let c = cast(&app, "policy.example").await;
    let saved = race(
        &app,
        &c.school.token,
        "mutation($i: SetBookingPolicyInput!) { setBookingPolicy(input: $i) { policy { minNoticeHours } userErrors { code } } }",
        "setBookingPolicy",
        (1..=10).map(|h| json!({"i": {"teacherId": c.school.ada, "minNoticeHours": h}})),
    )
    .await;
    assert!(saved.iter().all(|s| s["policy"].is_object()), "{saved:?}");
    use sea_orm::ConnectionTrait;
    let conn = app.db.conn();
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM booking_policies",
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    assert_eq!(n, 1, "one general policy for the teacher");
}

/// Every root field argument that is text (a `String`, or a `String` field
/// of an input object, at any depth), found by introspection.
async fn text_inputs(app: &TestApp, token: &str) -> Vec<(String, String, String, Vec<String>)> {
    const TYPE: &str = "name kind ofType { name kind ofType { name kind ofType { name kind } } }";
    let query = format!(
        "{{ __schema {{ queryType {{ name }} mutationType {{ name }}
           types {{ name kind fields {{ name args {{ name type {{ {TYPE} }} }} }} inputFields {{ name type {{ {TYPE} }} }} }} }} }}"
    );
    let schema = app.ok(token, &query, json!({})).await;
    let types = schema["types"].as_array().unwrap().clone();
    let named = |t: &Value| -> (String, String) {
        let mut t = t.clone();
        while t["name"].is_null() {
            t = t["ofType"].clone();
        }
        (
            t["name"].as_str().unwrap().to_owned(),
            t["kind"].as_str().unwrap().to_owned(),
        )
    };
    let printed = |t: &Value| -> String {
        fn go(t: &Value) -> String {
            match t["kind"].as_str().unwrap() {
                "NON_NULL" => format!("{}!", go(&t["ofType"])),
                "LIST" => format!("[{}]", go(&t["ofType"])),
                _ => t["name"].as_str().unwrap().to_owned(),
            }
        }
        go(t)
    };
    // Paths to String leaves inside an input type.
    fn leaves(
        types: &[Value],
        name: &str,
        depth: usize,
        out: &mut Vec<Vec<String>>,
        prefix: Vec<String>,
    ) {
        if depth > 4 {
            return;
        }
        let Some(t) = types.iter().find(|t| t["name"] == name) else {
            return;
        };
        for f in t["inputFields"].as_array().into_iter().flatten() {
            let mut inner = f["type"].clone();
            while inner["name"].is_null() {
                inner = inner["ofType"].clone();
            }
            let mut path = prefix.clone();
            path.push(f["name"].as_str().unwrap().to_owned());
            match (
                inner["kind"].as_str().unwrap(),
                inner["name"].as_str().unwrap(),
            ) {
                ("SCALAR", "String") => out.push(path),
                ("INPUT_OBJECT", n) => leaves(types, n, depth + 1, out, path),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for (root, op) in [
        (schema["queryType"]["name"].as_str().unwrap(), "query"),
        (schema["mutationType"]["name"].as_str().unwrap(), "mutation"),
    ] {
        let root = types.iter().find(|t| t["name"] == root).unwrap();
        for field in root["fields"].as_array().unwrap() {
            for arg in field["args"].as_array().unwrap() {
                let (name, kind) = named(&arg["type"]);
                let decl = printed(&arg["type"]);
                let mut paths = Vec::new();
                match (kind.as_str(), name.as_str()) {
                    ("SCALAR", "String") => paths.push(vec![]),
                    ("INPUT_OBJECT", n) => leaves(&types, n, 0, &mut paths, vec![]),
                    _ => {}
                }
                for path in paths {
                    out.push((
                        format!(
                            "{op}($v: {decl}) {{ {}({}: $v) {{ __typename }} }}",
                            field["name"].as_str().unwrap(),
                            arg["name"].as_str().unwrap()
                        ),
                        field["name"].as_str().unwrap().to_owned(),
                        arg["name"].as_str().unwrap().to_owned(),
                        path,
                    ));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_text_input_refuses_nul_and_control_characters() {
    let app = spawn_app().await;
    let token = app.sign_up("text@inputs.example").await;
    let inputs = text_inputs(&app, &token).await;
    assert!(inputs.len() > 40, "found {} text inputs", inputs.len());
    for (query, field, arg, path) in &inputs {
        for bad in ["a\u{0}b", "bell\u{7}", "esc\u{1b}[2J"] {
            let mut value = json!(bad);
            for key in path.iter().rev() {
                value = json!({ key: value });
            }
            let body = app.gql(Some(&token), query, json!({"v": value})).await;
            assert!(
                body.get("data").is_none(),
                "{field}.{arg}: no data for a refused request: {body}"
            );
            let error = &body["errors"][0]["extensions"];
            assert_eq!(
                error["code"], "INVALID",
                "{field}.{arg}.{path:?} {bad:?}: {body}"
            );
            let mut want = vec![field.clone(), arg.clone()];
            want.extend(path.iter().cloned());
            assert_eq!(error["field"], want.join("."), "{body}");
        }
    }
    // A variable's default counts, and its name does not make text free.
    let body = app
        .gql(
            Some(&token),
            "mutation($note: String = \"Main\\nHall\") { createLocation(input: {name: $note}) { location { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "createLocation.input.name"
    );
    // Inline literals are refused alike, and a line break only fits free text.
    let body = app
        .gql(
            Some(&token),
            "mutation { createLocation(input: {name: \"Main\\nHall\"}) { location { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "createLocation.input.name"
    );
}

#[tokio::test]
async fn response_keys_follow_the_selection_order() {
    let app = spawn_app().await;
    let token = app.sign_up("order@keys.example").await;
    // (query, its response keys in selection order)
    let table = [
        (
            "{ me { email roles } teachers { totalCount } classSeries { totalCount } locations { totalCount } }",
            vec![
                "me",
                "email",
                "roles",
                "teachers",
                "classSeries",
                "locations",
            ],
        ),
        (
            "{ locations { totalCount } classSeries { totalCount } teachers { totalCount } me { roles email } }",
            vec![
                "locations",
                "classSeries",
                "teachers",
                "me",
                "roles",
                "email",
            ],
        ),
        (
            "{ b: teachers { totalCount } a: me { email } ...F } fragment F on Query { c: locations { totalCount } }",
            vec!["b", "a", "email", "c"],
        ),
    ];
    for (query, keys) in table {
        // The raw body: a parsed JSON map would not keep the order.
        let body = app
            .client
            .post(format!("{}/graphql", app.url))
            .bearer_auth(&token)
            .json(&json!({"query": query}))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let at: Vec<usize> = keys
            .iter()
            .map(|k| {
                body.find(&format!("\"{k}\":"))
                    .unwrap_or_else(|| panic!("{k} in {body}"))
            })
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "keys out of selection order for {query}: {body}"
        );
    }
}
