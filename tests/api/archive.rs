//! Archiving instead of deleting, and dated availability (issue 13, item
//! 0), over HTTP: archived rows leave lists, refuse new use, keep history;
//! archiving is refused while upcoming work depends on a row; a location's
//! rooms follow it; a teacher's windows apply only between their dates.

use serde_json::{Value, json};

use crate::helpers::{School, TestApp, school, spawn_app};

const ARCHIVE: &str = "mutation($i: ArchiveInput!) { archive(input: $i) { node { id ... on Room { archivedAt } ... on Teacher { archivedAt } ... on Student { archivedAt } ... on Location { archivedAt } } userErrors { field code message } } }";
const UNARCHIVE: &str = "mutation($i: ArchiveInput!) { unarchive(input: $i) { node { id } userErrors { field code message } } }";
const CREATE_SESSION: &str = "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { field code message } } }";
const BOOK: &str = "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { field code message } } }";

async fn archive(app: &TestApp, s: &School, id: &str) -> Value {
    app.gql(Some(&s.token), ARCHIVE, json!({"i": {"id": id}}))
        .await["data"]["archive"]
        .clone()
}

/// A one-off Choir session on Monday 2 March 2026 at `hour` UTC.
fn session(s: &School, hour: u32, teacher: &str, room: &str) -> Value {
    json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": teacher, "roomId": room,
                 "capacity": 4, "startsAt": format!("2026-03-02T{hour:02}:00:00Z"),
                 "endsAt": format!("2026-03-02T{:02}:00:00Z", hour + 1)}})
}

fn id_of(v: &Value) -> String {
    v.as_str().expect("an id").to_owned()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| n[key].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn archived_rows_leave_lists_refuse_new_use_and_keep_history() {
    let app = &spawn_app().await;
    let s = school(app, "admin@archive.example").await;
    let t = &s.token;
    // Ada teaches Lily in Room A tomorrow.
    let lesson = id_of(
        &app.ok(t, CREATE_SESSION, session(&s, 10, &s.ada, &s.room_a))
            .await["session"]["id"],
    );
    app.ok(
        t,
        BOOK,
        json!({"i": {"sessionId": lesson, "studentId": s.student}}),
    )
    .await;

    // Nothing that tomorrow's lesson depends on may be archived, and the
    // refusal counts what depends on it.
    for (id, message) in [
        (
            &s.ada,
            "teacher Ada Byron still has 1 upcoming session; cancel them or move them elsewhere first, then archive the teacher",
        ),
        (
            &s.student,
            "student Lily Chen still has 1 upcoming booking; cancel them or move them elsewhere first, then archive the student",
        ),
        (
            &s.room_a,
            "room Room A still has 1 upcoming session; cancel them or move them elsewhere first, then archive the room",
        ),
        (
            &s.offering,
            "offering Choir still has 1 upcoming session; cancel them or move them elsewhere first, then archive the offering",
        ),
    ] {
        let refused = archive(app, &s, id).await;
        assert_eq!(
            refused["userErrors"],
            json!([{"field": ["input", "id"], "code": "IN_USE", "message": message}])
        );
    }

    // Room B is free: archived, it leaves the location's rooms.
    let archived = archive(app, &s, &s.room_b).await;
    assert_eq!(archived["userErrors"], json!([]));
    assert!(archived["node"]["archivedAt"].is_string(), "{archived}");
    const ROOMS: &str = "query($all: Boolean!) { locations(first: 5) { nodes { rooms(includeArchived: $all) { name } } } }";
    let rooms = |all: bool| async move {
        let body = app.ok(t, ROOMS, json!({"all": all})).await;
        names(&body["nodes"][0]["rooms"], "name")
    };
    assert_eq!(rooms(false).await, ["Room A"]);
    assert_eq!(rooms(true).await, ["Room A", "Room B"]);
    // Nothing new may use it, and the refusal says how to get it back.
    let refused = app
        .gql(Some(t), CREATE_SESSION, session(&s, 14, &s.ada, &s.room_b))
        .await;
    assert_eq!(
        refused["data"]["createSession"]["userErrors"],
        json!([{"field": ["input", "roomId"], "code": "ARCHIVED",
                "message": "room Room B is archived; restore it with unarchive, or choose another room"}])
    );
    let restored = app.ok(t, UNARCHIVE, json!({"i": {"id": s.room_b}})).await;
    assert_eq!(restored["userErrors"], json!([]));
    app.ok(t, CREATE_SESSION, session(&s, 14, &s.ada, &s.room_b))
        .await;

    // Bob teaches nothing: archived, he leaves the teachers list and may
    // not be given a session.
    assert_eq!(archive(app, &s, &s.bob).await["userErrors"], json!([]));
    const TEACHERS: &str = "query($all: Boolean!) { teachers(first: 10, includeArchived: $all) { nodes { lastName archivedAt } } }";
    let listed = app.ok(t, TEACHERS, json!({"all": false})).await;
    assert_eq!(names(&listed["nodes"], "lastName"), ["Byron"]);
    let listed = app.ok(t, TEACHERS, json!({"all": true})).await;
    assert_eq!(names(&listed["nodes"], "lastName"), ["Byron", "Marley"]);
    let refused = app
        .gql(Some(t), CREATE_SESSION, session(&s, 16, &s.bob, &s.room_a))
        .await;
    assert_eq!(
        refused["data"]["createSession"]["userErrors"][0]["code"],
        "ARCHIVED"
    );

    // An archived student cannot be booked, but stays readable.
    let max = id_of(
        &app.ok(
            t,
            "mutation { createStudent(input: {firstName: \"Max\", lastName: \"Archer\"}) { student { id } userErrors { code } } }",
            json!({}),
        )
        .await["student"]["id"],
    );
    assert_eq!(archive(app, &s, &max).await["userErrors"], json!([]));
    let refused = app
        .gql(
            Some(t),
            BOOK,
            json!({"i": {"sessionId": lesson, "studentId": max}}),
        )
        .await;
    assert_eq!(
        refused["data"]["bookSession"]["userErrors"],
        json!([{"field": ["input", "studentId"], "code": "ARCHIVED",
                "message": "student Max Archer is archived; restore it with unarchive, or choose another student"}])
    );
    let students = app
        .ok(
            t,
            "{ students(first: 10) { nodes { firstName } } }",
            json!({}),
        )
        .await;
    assert_eq!(names(&students["nodes"], "firstName"), ["Lily"]);
    let node = app
        .ok(
            t,
            "query($id: ID!) { node(id: $id) { ... on Student { firstName archivedAt } } }",
            json!({"id": max}),
        )
        .await;
    assert_eq!(node["firstName"], "Max");
    assert!(node["archivedAt"].is_string());

    // Once the lesson is history, Ada may retire; the lesson still names her.
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(archive(app, &s, &s.ada).await["userErrors"], json!([]));
    let past = app
        .ok(
            t,
            "query($id: ID!) { node(id: $id) { ... on Session { teacher { firstName archivedAt } } } }",
            json!({"id": lesson}),
        )
        .await;
    assert_eq!(past["teacher"]["firstName"], "Ada");
    assert!(past["teacher"]["archivedAt"].is_string());

    // Only the five kinds archive; a session's id names none of them.
    let wrong = archive(app, &s, &lesson).await;
    assert_eq!(wrong["userErrors"][0]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn a_location_takes_its_rooms_with_it_and_brings_back_only_those() {
    let app = &spawn_app().await;
    let s = school(app, "admin@annex.example").await;
    let t = &s.token;
    let annex = id_of(
        &app.ok(
            t,
            "mutation { createLocation(input: {name: \"Annex\"}) { location { id } userErrors { code } } }",
            json!({}),
        )
        .await["location"]["id"],
    );
    let room = |name: &'static str| {
        let annex = annex.clone();
        async move {
            id_of(
                &app.ok(
                    t,
                    "mutation($i: CreateRoomInput!) { createRoom(input: $i) { room { id } userErrors { code } } }",
                    json!({"i": {"locationId": annex, "name": name, "capacity": 4}}),
                )
                .await["room"]["id"],
            )
        }
    };
    let kiln = room("Kiln").await;
    let shed = room("Shed").await;
    // The shed was retired on its own before the annex closed.
    assert_eq!(archive(app, &s, &shed).await["userErrors"], json!([]));
    assert_eq!(archive(app, &s, &annex).await["userErrors"], json!([]));
    const ROOM: &str = "query($id: ID!) { node(id: $id) { ... on Room { archivedAt } } }";
    let archived = |id: String| async move {
        app.ok(t, ROOM, json!({"id": id})).await["archivedAt"].is_string()
    };
    assert!(
        archived(kiln.clone()).await,
        "the kiln closed with the annex"
    );
    let locations = app
        .ok(t, "{ locations(first: 5) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(names(&locations["nodes"], "name"), ["Main"]);
    // No new room in a closed annex.
    let refused = app
        .gql(
            Some(t),
            "mutation($i: CreateRoomInput!) { createRoom(input: $i) { room { id } userErrors { code } } }",
            json!({"i": {"locationId": annex, "name": "Porch", "capacity": 2}}),
        )
        .await;
    assert_eq!(
        refused["data"]["createRoom"]["userErrors"][0]["code"],
        "ARCHIVED"
    );
    // Reopened: the kiln comes back, the shed stays retired.
    app.ok(t, UNARCHIVE, json!({"i": {"id": annex}})).await;
    assert!(!archived(kiln).await);
    assert!(archived(shed).await);
}

#[tokio::test]
async fn a_teachers_windows_apply_only_between_their_dates() {
    let app = &spawn_app().await;
    let s = school(app, "admin@summer.example").await;
    let t = &s.token;
    const SET: &str = "mutation($i: SetTeacherAvailabilityInput!) { setTeacherAvailability(input: $i) { teacher { availability { dayOfWeek validFrom validUntil } } userErrors { field code message } } }";
    // Bob's Tuesday evenings, for two Tuesdays only.
    let set = app
        .ok(
            t,
            SET,
            json!({"i": {"teacherId": s.bob, "availability": [
                {"dayOfWeek": 2, "startTime": "17:00", "endTime": "18:00", "validFrom": "2026-03-10", "validUntil": "2026-03-17"}]}}),
        )
        .await;
    assert_eq!(
        set["teacher"]["availability"],
        json!([{"dayOfWeek": 2, "validFrom": "2026-03-10", "validUntil": "2026-03-17"}])
    );
    let slots = app
        .ok(
            t,
            "query($t: ID!) { availableSlots(teacherId: $t, from: \"2026-03-02T00:00:00Z\", to: \"2026-03-28T00:00:00Z\", durationMinutes: 60) { startsAt } }",
            json!({"t": s.bob}),
        )
        .await;
    // The school's zone is UTC: 17:00 on the 10th and the 17th, not on
    // the 3rd or the 24th.
    assert_eq!(
        slots,
        json!([{"startsAt": "2026-03-10T17:00:00Z"}, {"startsAt": "2026-03-17T17:00:00Z"}])
    );
    // Reversed dates are refused with what to change.
    let refused = app
        .gql(
            Some(t),
            SET,
            json!({"i": {"teacherId": s.bob, "availability": [
                {"dayOfWeek": 2, "startTime": "17:00", "endTime": "18:00", "validFrom": "2026-03-17", "validUntil": "2026-03-10"}]}}),
        )
        .await;
    assert_eq!(
        refused["data"]["setTeacherAvailability"]["userErrors"],
        json!([{"field": ["input", "availability"], "code": "INVALID",
                "message": "validUntil 2026-03-10 must not be before validFrom 2026-03-17"}])
    );
}

#[tokio::test]
async fn a_waiting_student_a_dormant_series_and_a_closed_location_guard_their_rows() {
    let app = &spawn_app().await;
    let s = school(app, "admin@guards.example").await;
    let t = &s.token;
    // A full one-seat session, and Lily waiting for it.
    let mut full = session(&s, 10, &s.ada, &s.room_a);
    full["i"]["capacity"] = json!(1);
    let lesson = id_of(&app.ok(t, CREATE_SESSION, full).await["session"]["id"]);
    let max = id_of(
        &app.ok(
            t,
            "mutation { createStudent(input: {firstName: \"Max\", lastName: \"Archer\"}) { student { id } userErrors { code } } }",
            json!({}),
        )
        .await["student"]["id"],
    );
    app.ok(
        t,
        BOOK,
        json!({"i": {"sessionId": lesson, "studentId": max}}),
    )
    .await;
    let waiting = app
        .ok(
            t,
            "mutation($i: BookSessionInput!) { bookSession(input: $i) { waitlistEntry { id } userErrors { code } } }",
            json!({"i": {"sessionId": lesson, "studentId": s.student, "joinWaitlistIfFull": true}}),
        )
        .await;
    assert!(waiting["waitlistEntry"]["id"].is_string(), "{waiting}");
    let refused = archive(app, &s, &s.student).await;
    assert_eq!(refused["userErrors"][0]["code"], "IN_USE");
    assert_eq!(
        refused["userErrors"][0]["message"],
        "student Lily Chen still has 1 waitlist place; cancel them or move them elsewhere first, then archive the student"
    );

    // Bob's series is disabled, so Bob may be archived; the series may not
    // then come back to generate sessions for him.
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location,
                   "startDate": "2026-03-03", "count": 4, "startTime": "17:00",
                   "durationMinutes": 60, "daysOfWeek": [2], "capacity": 5}),
        )
        .await;
    const STATUS: &str = "mutation($i: SetClassSeriesStatusInput!) { setClassSeriesStatus(input: $i) { series { status } userErrors { field code message } } }";
    let refused = archive(app, &s, &s.bob).await;
    assert_eq!(
        refused["userErrors"][0]["message"],
        "teacher Bob Marley still has 1 active series; cancel them or move them elsewhere first, then archive the teacher"
    );
    app.ok(
        t,
        STATUS,
        json!({"i": {"seriesId": series, "status": "DISABLED"}}),
    )
    .await;
    assert_eq!(archive(app, &s, &s.bob).await["userErrors"], json!([]));
    let back = app
        .gql(
            Some(t),
            STATUS,
            json!({"i": {"seriesId": series, "status": "ACTIVE"}}),
        )
        .await;
    assert_eq!(
        back["data"]["setClassSeriesStatus"]["userErrors"],
        json!([{"field": ["input", "status"], "code": "ARCHIVED",
                "message": "teacher Bob Marley is archived; restore it with unarchive, or choose another teacher"}])
    );

    // A room cannot reopen inside a closed location.
    let annex = id_of(
        &app.ok(
            t,
            "mutation { createLocation(input: {name: \"Annex\"}) { location { id } userErrors { code } } }",
            json!({}),
        )
        .await["location"]["id"],
    );
    let kiln = id_of(
        &app.ok(
            t,
            "mutation($i: CreateRoomInput!) { createRoom(input: $i) { room { id } userErrors { code } } }",
            json!({"i": {"locationId": annex, "name": "Kiln", "capacity": 4}}),
        )
        .await["room"]["id"],
    );
    assert_eq!(archive(app, &s, &annex).await["userErrors"], json!([]));
    let refused = app
        .gql(Some(t), UNARCHIVE, json!({"i": {"id": kiln}}))
        .await;
    assert_eq!(
        refused["data"]["unarchive"]["userErrors"][0]["message"],
        "location Annex is archived; restore it with unarchive, or choose another location"
    );
}
