//! Editing schedules after they exist, over HTTP: a series moved "this and
//! following" around booked sessions, a sick teacher's cancelled session,
//! hand edits and one-offs, and the PostgreSQL exclusion constraint.

use serde_json::{Value, json};

use crate::booking_flow::student;
use crate::helpers::{GENERATE, TestApp, school, spawn_app};

const BOOK: &str = "mutation($i: BookSessionInput!) { bookSession(input: $i) {
  booking { id status } waitlistEntry { id status } userErrors { field message code } } }";

const UPDATE: &str = "mutation($i: UpdateClassSeriesInput!) { updateClassSeries(input: $i) {
  series { id startDate rrule startTime splitFrom { id endDate } }
  splitFrom { id endDate lastGeneratedThrough }
  session { id startsAt detached }
  moved { session { id startsAt endsAt status series { id } } previousStartsAt }
  created { id startsAt status }
  cancelled { id status }
  kept { session { id startsAt } reason }
  conflicts { kind }
  userErrors { field message code } } }";

const PREVIEW: &str = "query($i: UpdateClassSeriesInput!) { previewSeriesUpdate(input: $i) {
  moved { session { id startsAt } previousStartsAt }
  created { startsAt }
  cancelled { id }
  kept { session { id } reason }
  conflicts { kind } } }";

/// The calendar of a location through the API, as (id, startsAt, status).
async fn calendar(app: &TestApp, token: &str, filter: Value, from: &str, to: &str) -> Vec<Value> {
    let body = app
        .ok(
            token,
            "query($f: CalendarFilter!, $from: DateTime!, $to: DateTime!) { calendar(filter: $f, from: $from, to: $to) { id startsAt status series { id } } }",
            json!({"f": filter, "from": from, "to": to}),
        )
        .await;
    body.as_array().unwrap().clone()
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v.get("session")
                .map_or(&v["id"], |s| &s["id"])
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_term_moved_this_and_following_keeps_the_past_and_reports_the_booked_sessions() {
    let app = spawn_app().await;
    let s = school(&app, "edits@example.org").await;
    let t = &s.token;
    // A weekly Tuesday 17:00 class for the term, taught by Ada (available
    // weekdays 9–19), generated through the end of March.
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location, "roomId": s.room_a,
                   "startDate": "2026-01-06", "endDate": "2026-03-31", "startTime": "17:00",
                   "durationMinutes": 60, "daysOfWeek": [2], "capacity": 8}),
        )
        .await;
    let generated = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    let sessions: Vec<(String, String)> = generated["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["occurrenceDate"].as_str().unwrap().to_owned(),
                s["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(sessions.len(), 13);
    let on = |date: &str| sessions.iter().find(|(d, _)| d == date).unwrap().1.clone();
    // Six students book: three on 10 March, three on 24 March.
    for (i, date) in ["2026-03-10", "2026-03-24"].iter().enumerate() {
        for n in 0..3 {
            let kid = student(&app, t, &format!("Kid{i}{n}")).await;
            app.ok(
                t,
                BOOK,
                json!({"i": {"sessionId": on(date), "studentId": kid}}),
            )
            .await;
        }
    }
    let before = calendar(
        &app,
        t,
        json!({"locationId": s.location}),
        "2026-01-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
    )
    .await;
    assert_eq!(before.len(), 8, "January and February sessions");

    // From 1 March: Wednesdays at 16:30, this and following.
    let input = json!({"i": {"seriesId": series, "scope": "THIS_AND_FOLLOWING", "fromSessionId": on("2026-03-03"),
        "changes": {"daysOfWeek": [3], "startTime": "16:30"}}});
    let preview = app.ok(t, PREVIEW, input.clone()).await;
    let done = app.ok(t, UPDATE, input).await;

    // Booked sessions are kept where they are, and reported.
    assert_eq!(ids(&done["kept"]), {
        let mut v = vec![on("2026-03-10"), on("2026-03-24")];
        v.sort();
        v
    });
    assert!(
        done["kept"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["reason"] == "BOOKED")
    );
    // Free sessions move to Wednesdays at 16:30 (GMT until 29 March, then
    // BST: the wall-clock time stays 16:30).
    let moved: Vec<(String, String)> = done["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["previousStartsAt"].as_str().unwrap().to_owned(),
                m["session"]["startsAt"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        moved,
        vec![
            (
                "2026-03-03T17:00:00Z".to_owned(),
                "2026-03-04T16:30:00Z".to_owned()
            ),
            (
                "2026-03-17T17:00:00Z".to_owned(),
                "2026-03-11T16:30:00Z".to_owned()
            ),
            (
                "2026-03-31T16:00:00Z".to_owned(),
                "2026-03-18T16:30:00Z".to_owned()
            ),
        ]
    );
    assert_eq!(done["created"][0]["startsAt"], "2026-03-25T16:30:00Z");
    assert_eq!(done["cancelled"], json!([]));
    // Two linked series: the first ends the day before the split.
    assert_eq!(done["splitFrom"]["id"], series);
    assert_eq!(done["splitFrom"]["endDate"], "2026-03-02");
    assert_eq!(done["series"]["splitFrom"]["id"], series);
    assert_eq!(done["series"]["startDate"], "2026-03-03");
    let new_series = done["series"]["id"].as_str().unwrap();
    assert!(
        done["moved"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["session"]["series"]["id"] == new_series)
    );

    // Preview and commit agree.
    let pairs = |v: &Value| -> Vec<(Value, Value)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["previousStartsAt"].clone(),
                    m["session"]["startsAt"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(pairs(&preview["moved"]), pairs(&done["moved"]));
    assert_eq!(ids(&preview["kept"]), ids(&done["kept"]));
    assert_eq!(
        preview["created"][0]["startsAt"],
        done["created"][0]["startsAt"]
    );
    assert_eq!(preview["cancelled"], json!([]));

    // Earlier sessions are untouched.
    let after = calendar(
        &app,
        t,
        json!({"locationId": s.location}),
        "2026-01-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
    )
    .await;
    assert_eq!(before, after);
    // The booked students still have their Tuesday lessons.
    let march = calendar(
        &app,
        t,
        json!({"locationId": s.location}),
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    )
    .await;
    let starts: Vec<&str> = march
        .iter()
        .map(|s| s["startsAt"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-03-04T16:30:00Z",
            "2026-03-10T17:00:00Z",
            "2026-03-11T16:30:00Z",
            "2026-03-18T16:30:00Z",
            "2026-03-24T17:00:00Z",
            "2026-03-25T16:30:00Z",
        ]
    );
    // The new series keeps the term's end: generating again adds nothing,
    // and the kept Tuesdays are not duplicated on Wednesdays.
    let again = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": new_series, "through": "2026-04-30"}}),
        )
        .await;
    assert_eq!(again["created"], json!([]));
}

#[tokio::test]
async fn editing_all_regenerates_free_sessions_and_this_detaches_one() {
    let app = spawn_app().await;
    let s = school(&app, "edit-all@example.org").await;
    let t = &s.token;
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                   "startDate": "2026-03-02", "count": 4, "startTime": "10:00",
                   "durationMinutes": 45, "daysOfWeek": [1], "capacity": 5}),
        )
        .await;
    let generated = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-04-30"}}),
        )
        .await;
    let first = generated["created"][0]["id"].as_str().unwrap().to_owned();
    // THIS: one session moves by hand and becomes detached.
    let this = app
        .ok(
            t,
            UPDATE,
            json!({"i": {"seriesId": series, "scope": "THIS", "fromSessionId": first,
                   "changes": {"startTime": "11:00"}}}),
        )
        .await;
    assert_eq!(this["session"]["startsAt"], "2026-03-02T11:00:00Z");
    assert_eq!(this["session"]["detached"], true);
    // A new rule with THIS is refused: it is a pattern change.
    let body = app
        .gql(
            Some(t),
            UPDATE,
            json!({"i": {"seriesId": series, "scope": "THIS", "fromSessionId": first,
                   "changes": {"daysOfWeek": [2]}}}),
        )
        .await;
    assert_eq!(
        body["data"]["updateClassSeries"]["userErrors"][0]["field"],
        json!(["input", "scope"])
    );
    // ALL: a new end time; the detached one is kept, the rest follow.
    let all = app
        .ok(
            t,
            UPDATE,
            json!({"i": {"seriesId": series, "scope": "ALL", "changes": {"endTime": "10:30", "notes": "Bring music stands"}}}),
        )
        .await;
    assert_eq!(all["kept"][0]["session"]["id"], first);
    assert_eq!(all["kept"][0]["reason"], "DETACHED");
    let ends: Vec<&str> = all["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["session"]["endsAt"].as_str().unwrap())
        .collect();
    assert_eq!(
        ends,
        [
            "2026-03-09T10:30:00Z",
            "2026-03-16T10:30:00Z",
            "2026-03-23T10:30:00Z"
        ]
    );
    // A bad rule names the nested field and says how to fix it.
    let body = app
        .gql(
            Some(t),
            UPDATE,
            json!({"i": {"seriesId": series, "scope": "ALL", "changes": {"rrule": "FREQ=FORTNIGHTLY"}}}),
        )
        .await;
    let err = &body["data"]["updateClassSeries"]["userErrors"][0];
    assert_eq!(err["field"], json!(["input", "changes", "rrule"]));
    assert_eq!(err["code"], "INVALID_RRULE");
    // An end time before the start time.
    let body = app
        .gql(
            Some(t),
            UPDATE,
            json!({"i": {"seriesId": series, "scope": "ALL", "changes": {"endTime": "09:00"}}}),
        )
        .await;
    assert_eq!(
        body["data"]["updateClassSeries"]["userErrors"][0]["field"],
        json!(["input", "changes", "endTime"])
    );
}

const CANCEL: &str = "mutation($i: CancelSessionInput!) { cancelSession(input: $i) {
  session { id status cancelReason seatsTaken waitlist { status } }
  cancelledBookings { id status }
  closedWaitlistEntries
  userErrors { field message code } } }";

#[tokio::test]
async fn a_sick_teacher_cancels_a_session_with_its_bookings_and_waitlist() {
    let app = spawn_app().await;
    let s = school(&app, "sick@example.org").await;
    let t = &s.token;
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                   "startDate": "2026-03-03", "count": 2, "startTime": "17:00",
                   "durationMinutes": 60, "daysOfWeek": [2], "capacity": 2}),
        )
        .await;
    let generated = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    let session = generated["created"][0]["id"].as_str().unwrap().to_owned();
    let kids = [
        student(&app, t, "Ana").await,
        student(&app, t, "Ben").await,
        student(&app, t, "Cy").await,
    ];
    for kid in &kids {
        app.ok(
            t,
            BOOK,
            json!({"i": {"sessionId": session, "studentId": kid, "joinWaitlistIfFull": true}}),
        )
        .await;
    }
    let done = app
        .ok(
            t,
            CANCEL,
            json!({"i": {"sessionId": session, "byTeacher": true, "reason": "Ada is ill"}}),
        )
        .await;
    assert_eq!(done["session"]["status"], "CANCELLED_BY_TEACHER");
    assert_eq!(done["session"]["cancelReason"], "Ada is ill");
    assert_eq!(done["session"]["seatsTaken"], 0);
    assert_eq!(done["cancelledBookings"].as_array().unwrap().len(), 2);
    assert!(
        done["cancelledBookings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["status"] == "CANCELLED")
    );
    assert_eq!(done["closedWaitlistEntries"], 1);
    assert_eq!(done["session"]["waitlist"], json!([]));
    // The family's calendar shows the lesson as cancelled.
    let cal = calendar(
        &app,
        t,
        json!({"studentId": kids[0]}),
        "2026-03-01T00:00:00Z",
        "2026-03-08T00:00:00Z",
    )
    .await;
    assert_eq!(cal.len(), 1, "{cal:?}");
    assert_eq!(cal[0]["status"], "CANCELLED_BY_TEACHER");
    // Cancelling again is refused, and so is booking the cancelled session.
    let again = app
        .gql(Some(t), CANCEL, json!({"i": {"sessionId": session}}))
        .await;
    assert_eq!(
        again["data"]["cancelSession"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let late = app
        .gql(
            Some(t),
            BOOK,
            json!({"i": {"sessionId": session, "studentId": kids[2]}}),
        )
        .await;
    assert_eq!(
        late["data"]["bookSession"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
}

const UPDATE_SESSION: &str = "mutation($i: UpdateSessionInput!) { updateSession(input: $i) {
  session { id startsAt endsAt capacity seatsTaken detached status waitlist { status } meeting { provider link } }
  conflicts { kind otherSessionId }
  userErrors { field message code } } }";

#[tokio::test]
async fn hand_edits_detach_open_waitlist_seats_and_refuse_conflicts() {
    let app = spawn_app().await;
    let s = school(&app, "hand@example.org").await;
    let t = &s.token;
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location, "roomId": s.room_a,
                   "startDate": "2026-03-03", "count": 2, "startTime": "10:00",
                   "durationMinutes": 60, "daysOfWeek": [2, 4], "capacity": 1}),
        )
        .await;
    let generated = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    let tue = generated["created"][0]["id"].as_str().unwrap().to_owned();
    let thu = generated["created"][1]["id"].as_str().unwrap().to_owned();
    let kids = [
        student(&app, t, "Ana").await,
        student(&app, t, "Ben").await,
        student(&app, t, "Cy").await,
    ];
    for kid in &kids {
        app.ok(
            t,
            BOOK,
            json!({"i": {"sessionId": tue, "studentId": kid, "joinWaitlistIfFull": true}}),
        )
        .await;
    }
    // Lowering below the seats taken is refused with the numbers.
    let low = app
        .gql(
            Some(t),
            UPDATE_SESSION,
            json!({"i": {"sessionId": tue, "capacity": 0}}),
        )
        .await;
    assert_eq!(
        low["data"]["updateSession"]["userErrors"][0]["field"],
        json!(["input", "capacity"])
    );
    // Raising capacity by 2 offers both seats to the waitlist at once.
    let raised = app
        .ok(
            t,
            UPDATE_SESSION,
            json!({"i": {"sessionId": tue, "capacity": 3, "meeting": {"provider": "ZOOM", "link": "https://zoom.us/j/42"}}}),
        )
        .await;
    assert_eq!(raised["session"]["detached"], true);
    assert_eq!(raised["session"]["seatsTaken"], 3);
    assert_eq!(
        raised["session"]["waitlist"],
        json!([{"status": "OFFERED"}, {"status": "OFFERED"}])
    );
    assert_eq!(raised["session"]["meeting"]["provider"], "ZOOM");
    let below = app
        .gql(
            Some(t),
            UPDATE_SESSION,
            json!({"i": {"sessionId": tue, "capacity": 2}}),
        )
        .await;
    let message = below["data"]["updateSession"]["userErrors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("3 seats are taken") && message.contains("asked for 2"),
        "{message}"
    );
    // Moving Thursday onto Tuesday's time clashes with the teacher and room.
    let clash = app
        .gql(
            Some(t),
            UPDATE_SESSION,
            json!({"i": {"sessionId": thu, "startsAt": "2026-03-03T10:30:00Z"}}),
        )
        .await;
    let payload = &clash["data"]["updateSession"];
    assert_eq!(payload["userErrors"][0]["code"], "CONFLICT");
    let kinds: Vec<&str> = payload["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["TEACHER_DOUBLE_BOOKED", "ROOM_DOUBLE_BOOKED"]);
    assert!(
        payload["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["otherSessionId"] == tue)
    );
    // Allowed on purpose, it is saved as CONFLICTED.
    let marked = app
        .ok(
            t,
            UPDATE_SESSION,
            json!({"i": {"sessionId": thu, "startsAt": "2026-03-03T10:30:00Z", "allowConflicts": true}}),
        )
        .await;
    assert_eq!(marked["session"]["status"], "CONFLICTED");
    assert_eq!(marked["session"]["endsAt"], "2026-03-03T11:30:00Z");
}

const CREATE_SESSION: &str = "mutation($i: CreateSessionInput!) { createSession(input: $i) {
  session { id status startsAt endsAt capacity series { id } offering { id } }
  conflicts { kind }
  userErrors { field message code } } }";

#[tokio::test]
async fn one_off_sessions_are_checked_like_generation_and_complete_after_they_start() {
    let app = spawn_app().await;
    let s = school(&app, "oneoff@example.org").await;
    let t = &s.token;
    let workshop = app
        .ok(
            t,
            CREATE_SESSION,
            json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada,
                   "roomId": s.room_a, "startsAt": "2026-03-09T10:00:00Z"}}),
        )
        .await;
    assert_eq!(workshop["session"]["series"], Value::Null);
    assert_eq!(workshop["session"]["offering"]["id"], s.offering);
    assert_eq!(workshop["session"]["endsAt"], "2026-03-09T11:00:00Z");
    assert_eq!(workshop["session"]["capacity"], 8);
    // Ada and Room A are taken then.
    let refused = app
        .gql(
            Some(t),
            CREATE_SESSION,
            json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada,
                   "roomId": s.room_a, "startsAt": "2026-03-09T10:30:00Z", "capacity": 4}}),
        )
        .await;
    let payload = &refused["data"]["createSession"];
    assert_eq!(payload["userErrors"][0]["code"], "CONFLICT");
    assert_eq!(payload["session"], Value::Null);
    let kinds: Vec<&str> = payload["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["TEACHER_DOUBLE_BOOKED", "ROOM_DOUBLE_BOOKED"]);
    let id = workshop["session"]["id"].as_str().unwrap().to_owned();
    const COMPLETE: &str = "mutation($i: CompleteSessionInput!) { completeSession(input: $i) { session { status } userErrors { code message } } }";
    let early = app
        .gql(Some(t), COMPLETE, json!({"i": {"sessionId": id}}))
        .await;
    assert_eq!(
        early["data"]["completeSession"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    app.clock.advance(chrono::Duration::days(8));
    let done = app.ok(t, COMPLETE, json!({"i": {"sessionId": id}})).await;
    assert_eq!(done["session"]["status"], "COMPLETED");
}

/// The last line of defence: on PostgreSQL, a teacher's live sessions
/// cannot overlap even when the application's check cannot see the other
/// one. The test writes that other session around the application (a raw
/// insert under another school, which the tenant-scoped check never
/// reads); creating an overlapping session for the same teacher then hits
/// the exclusion constraint, and the client gets the conflict, not an
/// internal error.
#[tokio::test]
async fn the_exclusion_constraint_is_mapped_to_a_conflict() {
    let app = spawn_app().await;
    if !app.database_url.starts_with("postgres") {
        return;
    }
    let s = school(&app, "exclusion@example.org").await;
    let t = &s.token;
    let other = school(&app, "exclusion-other@example.org").await;
    let ada = crate::helpers::uuid_of(&s.ada);
    let other_school: String = {
        let conn = sea_orm::Database::connect(&app.database_url).await.unwrap();
        use sea_orm::ConnectionTrait;
        let row = conn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                format!(
                    "SELECT school_id::text FROM locations WHERE id = '{}'",
                    crate::helpers::uuid_of(&other.location)
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        let school: String = row.try_get("", "school_id").unwrap();
        conn.execute_unprepared(&format!(
            "INSERT INTO sessions (id, school_id, series_id, occurrence_date, occurrence_index, starts_at, ends_at, timezone, \
             teacher_id, room_id, location_id, student_id, capacity, status, conflicts, detached, seats_taken, one_on_one_week, created_at) \
             VALUES (gen_random_uuid(), '{school}', NULL, '2026-03-10', 0, '2026-03-10T10:00:00Z', '2026-03-10T11:00:00Z', 'Europe/London', \
             '{ada}', NULL, '{}', NULL, 5, 'SCHEDULED', '[]', false, 0, false, now())",
            crate::helpers::uuid_of(&other.location)
        ))
        .await
        .unwrap();
        school
    };
    assert!(!other_school.is_empty());
    let body = app
        .gql(
            Some(t),
            CREATE_SESSION,
            json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada,
                   "startsAt": "2026-03-10T10:30:00Z"}}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let payload = &body["data"]["createSession"];
    assert_eq!(payload["session"], Value::Null);
    assert_eq!(payload["userErrors"][0]["code"], "CONFLICT");
    assert!(
        payload["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("overlaps")
    );
    // A CONFLICTED session does not count: the constraint is on live
    // sessions only, so the MARK policy (and allowConflicts) still works.
    let first = app
        .ok(
            t,
            CREATE_SESSION,
            json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada,
                   "startsAt": "2026-03-11T12:00:00Z"}}),
        )
        .await;
    assert_eq!(first["session"]["status"], "SCHEDULED");
    let marked = app
        .ok(
            t,
            CREATE_SESSION,
            json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada,
                   "startsAt": "2026-03-11T12:30:00Z", "allowConflicts": true}}),
        )
        .await;
    assert_eq!(marked["session"]["status"], "CONFLICTED");
    // Moving the hidden clash's neighbour onto it by hand is refused the
    // same way: the update meets the constraint too.
    let moved = app
        .gql(
            Some(t),
            "mutation($i: UpdateSessionInput!) { updateSession(input: $i) { session { id } userErrors { code message } } }",
            json!({"i": {"sessionId": first["session"]["id"], "startsAt": "2026-03-10T10:15:00Z"}}),
        )
        .await;
    assert_eq!(
        moved["data"]["updateSession"]["userErrors"][0]["code"], "CONFLICT",
        "{moved}"
    );
}

#[tokio::test]
async fn enrolled_students_follow_a_split_and_booked_sessions_get_the_new_link() {
    let app = spawn_app().await;
    let s = school(&app, "follow@example.org").await;
    let t = &s.token;
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                   "startDate": "2026-03-03", "endDate": "2026-03-31", "startTime": "15:00",
                   "durationMinutes": 60, "daysOfWeek": [2], "capacity": 6,
                   "meeting": {"provider": "ZOOM", "link": "https://zoom.us/j/1"}}),
        )
        .await;
    let generated = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    let first = generated["created"][0]["id"].as_str().unwrap().to_owned();
    let third = generated["created"][2]["id"].as_str().unwrap().to_owned();
    // Ana holds a standing place; Ben booked only the third session.
    let ana = student(&app, t, "Ana").await;
    let ben = student(&app, t, "Ben").await;
    app.ok(
        t,
        "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code message } } }",
        json!({"i": {"seriesId": series, "studentId": ana, "type": "FULL_SCHEDULE"}}),
    )
    .await;
    app.ok(
        t,
        BOOK,
        json!({"i": {"sessionId": third, "studentId": ben}}),
    )
    .await;
    // From the second Tuesday: Thursdays, and a new link for everyone.
    let second = generated["created"][1]["id"].as_str().unwrap().to_owned();
    let done = app
        .ok(
            t,
            UPDATE,
            json!({"i": {"seriesId": series, "scope": "THIS_AND_FOLLOWING", "fromSessionId": second,
                   "changes": {"daysOfWeek": [4], "meeting": {"provider": "GOOGLE_MEET", "link": "https://meet.google.com/abc"}}}}),
        )
        .await;
    // Ben's session is kept on its Tuesday, with the new link.
    assert_eq!(done["kept"][0]["session"]["id"], third);
    let kept = app
        .ok(
            t,
            "query($id: ID!) { node(id: $id) { ... on Session { startsAt meeting { provider link } } } }",
            json!({"id": third}),
        )
        .await;
    assert_eq!(kept["startsAt"], "2026-03-17T15:00:00Z");
    assert_eq!(kept["meeting"]["link"], "https://meet.google.com/abc");
    // Ana's place moved to the new series and follows the new pattern.
    const ANA: &str = "query($s: ID!) { node(id: $s) { ... on Student {
      enrolments { status series { id } }
      calendar(from: \"2026-03-01T00:00:00Z\", to: \"2026-04-01T00:00:00Z\") { startsAt session { id meeting { link } } }
    } } }";
    let cal = app.ok(t, ANA, json!({"s": ana})).await;
    let new_series = done["series"]["id"].as_str().unwrap();
    let statuses: Vec<(&str, &str)> = cal["enrolments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["status"].as_str().unwrap(),
                e["series"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(statuses.contains(&("ACTIVE", new_series)), "{cal}");
    assert!(statuses.contains(&("COMPLETED", series.as_str())), "{cal}");
    let starts: Vec<&str> = cal["calendar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["startsAt"].as_str().unwrap())
        .collect();
    // The first Tuesday, the kept Tuesday (her seat there stays), and the
    // Thursdays: moved ones with her seat carried, the created one with a
    // seat given by her standing place.
    assert_eq!(
        starts,
        [
            "2026-03-03T15:00:00Z",
            "2026-03-12T15:00:00Z",
            "2026-03-17T15:00:00Z",
            "2026-03-19T15:00:00Z",
            "2026-03-26T15:00:00Z",
        ],
        "{cal}"
    );
    assert_eq!(cal["calendar"][0]["session"]["id"], first);
    assert_eq!(
        cal["calendar"][3]["session"]["meeting"]["link"],
        "https://meet.google.com/abc"
    );
}

#[tokio::test]
async fn leaving_a_waitlist_passes_an_offered_seat_on() {
    let app = spawn_app().await;
    let s = school(&app, "leave@example.org").await;
    let t = &s.token;
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                   "startDate": "2026-03-03", "count": 1, "startTime": "15:00",
                   "durationMinutes": 60, "daysOfWeek": [2], "capacity": 1}),
        )
        .await;
    let generated = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    let session = generated["created"][0]["id"].as_str().unwrap().to_owned();
    let kids = [
        student(&app, t, "Ana").await,
        student(&app, t, "Ben").await,
        student(&app, t, "Cy").await,
    ];
    let mut entries = Vec::new();
    for kid in &kids {
        let booked = app
            .ok(
                t,
                BOOK,
                json!({"i": {"sessionId": session, "studentId": kid, "joinWaitlistIfFull": true}}),
            )
            .await;
        entries.push(booked["waitlistEntry"]["id"].clone());
    }
    // Ana cancels: Ben is offered her seat.
    const CANCEL_BOOKING: &str = "mutation($b: ID!) { cancelBooking(input: {bookingId: $b}) { cancelled { id } userErrors { code } } }";
    let ana_booking = app
        .ok(
            t,
            "query($s: ID!) { node(id: $s) { ... on Student { bookings(first: 1) { edges { node { id } } } } } }",
            json!({"s": kids[0]}),
        )
        .await["bookings"]["edges"][0]["node"]["id"]
        .clone();
    app.ok(t, CANCEL_BOOKING, json!({"b": ana_booking})).await;
    const LEAVE: &str = "mutation($e: ID!) { leaveWaitlist(input: {entryId: $e}) { entry { status } userErrors { code } } }";
    let left = app.ok(t, LEAVE, json!({"e": entries[1]})).await;
    assert_eq!(left["entry"]["status"], "WITHDRAWN");
    // The seat Ben held goes to Cy at once.
    let line = app
        .ok(
            t,
            "query($id: ID!) { node(id: $id) { ... on Session { seatsTaken waitlist { status student { firstName } } } } }",
            json!({"id": session}),
        )
        .await;
    assert_eq!(line["seatsTaken"], 1);
    assert_eq!(
        line["waitlist"],
        json!([{"status": "OFFERED", "student": {"firstName": "Cy"}}])
    );
    let again = app.gql(Some(t), LEAVE, json!({"e": entries[1]})).await;
    assert_eq!(
        again["data"]["leaveWaitlist"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
}

#[tokio::test]
async fn assistants_see_the_sessions_they_staff_on_their_calendar() {
    let app = spawn_app().await;
    let s = school(&app, "assist@example.org").await;
    let t = &s.token;
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                   "startDate": "2026-03-03", "count": 2, "startTime": "17:00",
                   "durationMinutes": 60, "daysOfWeek": [2]}),
        )
        .await;
    let generated = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    let session = generated["created"][0]["id"].as_str().unwrap().to_owned();
    app.ok(
        t,
        "mutation($i: AssignStaffInput!) { assignStaff(input: $i) { session { id } userErrors { code message } } }",
        json!({"i": {"sessionId": session, "assistantIds": [s.bob]}}),
    )
    .await;
    let bob = app
        .ok(
            t,
            "query($t: ID!) { node(id: $t) { ... on Teacher { calendar(from: \"2026-03-01T00:00:00Z\", to: \"2026-04-01T00:00:00Z\") { kind session { id } } } } }",
            json!({"t": s.bob}),
        )
        .await;
    assert_eq!(
        bob["calendar"],
        json!([{"kind": "SESSION", "session": {"id": session}}])
    );
    let cal = calendar(
        &app,
        t,
        json!({"teacherId": s.bob}),
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    )
    .await;
    assert_eq!(cal.len(), 1);
}

#[tokio::test]
async fn generation_sees_time_off_lessons_buffers_staff_and_roles() {
    let app = spawn_app().await;
    let s = school(&app, "kinds@example.org").await;
    let t = &s.token;
    let lily = &s.student;
    // Ada: off on 10 March, a 1-on-1 with Lily on 17 March, a one-off
    // ending 16:45 on 24 March with 30 minutes kept after each lesson.
    app.ok(
        t,
        "mutation($t: ID!) { addTeacherTimeOff(input: {teacherId: $t, startsAt: \"2026-03-10T16:00:00Z\", endsAt: \"2026-03-10T18:00:00Z\", reason: \"dentist\"}) { teacher { id } userErrors { code } } }",
        json!({"t": s.ada}),
    )
    .await;
    app.ok(
        t,
        "mutation($i: BookOneOnOneInput!) { bookOneOnOne(input: $i) { booking { id } userErrors { code message } } }",
        json!({"i": {"teacherId": s.ada, "studentId": lily, "startsAt": "2026-03-17T17:30:00Z", "durationMinutes": 30}}),
    )
    .await;
    app.ok(
        t,
        CREATE_SESSION,
        json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada,
               "startsAt": "2026-03-24T15:00:00Z", "endsAt": "2026-03-24T16:45:00Z"}}),
    )
    .await;
    app.ok(
        t,
        "mutation($t: ID!) { setBookingPolicy(input: {teacherId: $t, bufferAfterMinutes: 30}) { userErrors { code } } }",
        json!({"t": s.ada}),
    )
    .await;
    // Bob assists the series, and teaches a one-off on 31 March.
    app.ok(
        t,
        CREATE_SESSION,
        json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.bob,
               "startsAt": "2026-03-31T16:30:00Z"}}),
    )
    .await;
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                   "startDate": "2026-03-03", "count": 5, "startTime": "17:00",
                   "durationMinutes": 60, "daysOfWeek": [2], "conflictPolicy": "MARK"}),
        )
        .await;
    app.ok(
        t,
        "mutation($i: AssignStaffInput!) { assignStaff(input: $i) { series { id } userErrors { code message } } }",
        json!({"i": {"seriesId": series, "assistantIds": [s.bob]}}),
    )
    .await;
    let generated = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    let kinds: Vec<(String, Vec<String>)> = generated["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["occurrenceDate"].as_str().unwrap().to_owned(),
                s["conflicts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["kind"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    let want = |d: &str, k: &[&str]| (d.to_owned(), k.iter().map(|s| s.to_string()).collect());
    assert_eq!(
        kinds,
        vec![
            want("2026-03-03", &[]),
            want("2026-03-10", &["TEACHER_ON_TIME_OFF"]),
            want("2026-03-17", &["TEACHER_HAS_LESSON"]),
            want("2026-03-24", &["TEACHER_BUFFER"]),
            want("2026-03-31", &["STAFF_DOUBLE_BOOKED"]),
        ]
    );
    // A teacher without the offering's role is a conflict of its own.
    let role = app
        .ok(t, "mutation { createTeachingRole(input: {name: \"Kiln safety\"}) { role { id } userErrors { code } } }", json!({}))
        .await["role"]["id"]
        .clone();
    let kiln = app
        .ok(
            t,
            "mutation($r: ID!) { createOffering(input: {title: \"Kiln\", kind: WORKSHOP, defaultDurationMinutes: 60, defaultCapacity: 4, requiredRoleId: $r}) { offering { id } userErrors { code } } }",
            json!({"r": role}),
        )
        .await["offering"]["id"]
        .clone();
    let refused = app
        .gql(
            Some(t),
            CREATE_SESSION,
            json!({"i": {"offeringId": kiln, "locationId": s.location, "teacherId": s.ada,
                   "startsAt": "2026-04-07T10:00:00Z"}}),
        )
        .await;
    assert_eq!(
        refused["data"]["createSession"]["conflicts"],
        json!([{"kind": "TEACHER_NOT_QUALIFIED"}])
    );
}

/// Bookings racing series edits: every seat counted stays a booking, every
/// booking keeps its seat and its session's time, whatever the
/// interleaving (the edit locks the sessions it plans over; both databases).
#[tokio::test]
async fn bookings_racing_series_edits_lose_no_seat_and_leave_no_booking_at_a_stale_time() {
    let app = spawn_app().await;
    let s = school(&app, "race-edit@example.org").await;
    let t = &s.token;
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                   "startDate": "2026-03-02", "count": 8, "startTime": "10:00",
                   "durationMinutes": 60, "daysOfWeek": [1, 3], "capacity": 20}),
        )
        .await;
    let generated = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-04-30"}}),
        )
        .await;
    let sessions: Vec<String> = generated["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let mut kids = Vec::new();
    for n in 0..16 {
        kids.push(student(&app, t, &format!("Racer{n}")).await);
    }
    // 16 bookings and 6 edits (10:00 ⇄ 11:00), all at once.
    let mut tasks = Vec::new();
    for (n, kid) in kids.iter().enumerate() {
        let vars = json!({"i": {"sessionId": sessions[n % sessions.len()], "studentId": kid}});
        let (url, client, token) = (app.url.clone(), app.client.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            client
                .post(format!("{url}/graphql"))
                .bearer_auth(token)
                .json(&json!({"query": BOOK, "variables": vars}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }));
    }
    for n in 0..6 {
        let time = if n % 2 == 0 { "11:00" } else { "10:00" };
        let vars =
            json!({"i": {"seriesId": series, "scope": "ALL", "changes": {"startTime": time}}});
        let (url, client, token) = (app.url.clone(), app.client.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            client
                .post(format!("{url}/graphql"))
                .bearer_auth(token)
                .json(&json!({"query": UPDATE, "variables": vars}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        let body = task.await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
    }
    // Every session's counter equals its bookings, and every booking
    // carries its session's time.
    let mut booked = 0;
    for id in &sessions {
        let body = app
            .ok(
                t,
                "query($id: ID!) { node(id: $id) { ... on Session { startsAt seatsTaken roster { student { id } } } } }",
                json!({"id": id}),
            )
            .await;
        let roster = body["roster"].as_array().unwrap().len();
        assert_eq!(body["seatsTaken"], roster, "{id}: {body}");
        booked += roster;
    }
    assert_eq!(booked, 16);
    for kid in &kids {
        let body = app
            .ok(
                t,
                "query($s: ID!) { node(id: $s) { ... on Student { bookings(first: 1) { edges { node { startsAt session { startsAt } } } } } } }",
                json!({"s": kid}),
            )
            .await;
        let node = &body["bookings"]["edges"][0]["node"];
        assert_eq!(node["startsAt"], node["session"]["startsAt"], "{body}");
    }
}
