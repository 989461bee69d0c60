//! The family's view over HTTP: browsing classes, booking, enrolling, and
//! the sessions generated later appearing on the family's calendar; 1-on-1
//! lessons on calendars and in the teacher's inbox; statement counts that
//! do not grow with the answer.

use serde_json::{Value, json};

use crate::helpers::{GENERATE, TestApp, spawn_app};
use crate::roles::cast;

const BROWSE: &str = "query($f: ClassBrowserFilter) { classBrowser(filter: $f) {
  sessions { id startsAt seatsLeft capacity offering { title kind priceMinor } teacher { firstName } roster { student { firstName } } series { id } }
  series { id startTime }
} }";

const CALENDAR: &str = "query($s: ID!, $from: DateTime!, $to: DateTime!) { node(id: $s) { ... on Student {
  calendar(from: $from, to: $to) { kind startsAt session { id status series { id } } lesson { id status } }
  enrolments { id status series { id } }
} } }";

async fn student_calendar(
    app: &TestApp,
    token: &str,
    student: &str,
    from: &str,
    to: &str,
) -> Value {
    let body = app
        .gql(
            Some(token),
            CALENDAR,
            json!({"s": student, "from": from, "to": to}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["node"].clone()
}

#[tokio::test]
async fn a_family_browses_books_enrols_and_sees_next_months_sessions_appear() {
    let app = spawn_app().await;
    let c = cast(&app, "family.example").await;
    let s = &c.school;
    let office = &s.token;
    // A priced weekly ensemble on Wednesdays 18:00 with Bob, open-ended,
    // generated through March.
    let offering = app
        .ok(office, "mutation { createOffering(input: {title: \"Piano Ensemble\", kind: ENSEMBLE, defaultDurationMinutes: 60, defaultCapacity: 6, priceMinor: 1800}) { offering { id } userErrors { code } } }", json!({}))
        .await["offering"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let weekly = app
        .create_series(
            office,
            json!({"offeringId": offering, "teacherId": s.bob, "locationId": s.location, "startDate": "2026-03-04",
                   "startTime": "18:00", "daysOfWeek": [3], "capacity": 6}),
        )
        .await;
    app.ok(
        office,
        GENERATE,
        json!({"input": {"seriesId": weekly, "through": "2026-03-31"}}),
    )
    .await;
    // Sam (another family's child) books the first one.
    let browse = app
        .ok(
            &c.parent,
            BROWSE,
            json!({"f": {"subject": "piano", "offeringKind": "ENSEMBLE"}}),
        )
        .await;
    let sessions = browse["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 4, "{browse}");
    assert_eq!(browse["series"][0]["id"], weekly);
    let first = sessions[0]["id"].as_str().unwrap().to_owned();
    app.ok(
        office,
        "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code } } }",
        json!({"i": {"sessionId": first, "studentId": c.sam}}),
    )
    .await;
    // The parent sees seats left, the price and the teacher, never Sam.
    let browse = app
        .ok(&c.parent, BROWSE, json!({"f": {"subject": "PIANO"}}))
        .await;
    let first_seen = &browse["sessions"][0];
    assert_eq!(first_seen["seatsLeft"], 5);
    assert_eq!(first_seen["offering"]["priceMinor"], 1800);
    assert_eq!(first_seen["teacher"]["firstName"], "Bob");
    assert_eq!(
        first_seen["roster"],
        json!([]),
        "another family's child is not shown"
    );
    // Nothing outside the filter.
    let none = app
        .ok(&c.parent, BROWSE, json!({"f": {"subject": "violin"}}))
        .await;
    assert_eq!(none["sessions"], json!([]));

    // The parent enrols Lily for the full schedule.
    let registered = app
        .ok(
            &c.parent,
            "mutation($i: RegisterInput!) { register(input: $i) { registration { id bookings { id } } userErrors { field code message } } }",
            json!({"i": {"seriesId": weekly, "studentId": s.student, "type": "FULL_SCHEDULE"}}),
        )
        .await;
    assert_eq!(
        registered["registration"]["bookings"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let march = student_calendar(
        &app,
        &c.parent,
        &s.student,
        "2026-03-04T00:00:00Z",
        "2026-04-01T00:00:00Z",
    )
    .await;
    let weekly_entries = |cal: &Value| -> Vec<String> {
        cal["calendar"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["session"]["series"]["id"] == weekly.as_str())
            .filter(|e| e["session"]["status"] == "SCHEDULED")
            .map(|e| e["startsAt"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(weekly_entries(&march).len(), 4, "{march}");
    assert_eq!(march["enrolments"][0]["status"], "ACTIVE");
    assert_eq!(march["enrolments"][0]["series"]["id"], weekly);

    // Next month is generated: Lily's standing place fills it.
    app.ok(
        office,
        GENERATE,
        json!({"input": {"seriesId": weekly, "through": "2026-04-30"}}),
    )
    .await;
    let april = student_calendar(
        &app,
        &c.parent,
        &s.student,
        "2026-04-01T00:00:00Z",
        "2026-05-01T00:00:00Z",
    )
    .await;
    assert_eq!(
        weekly_entries(&april),
        [
            "2026-04-01T17:00:00Z",
            "2026-04-08T17:00:00Z",
            "2026-04-15T17:00:00Z",
            "2026-04-22T17:00:00Z",
            "2026-04-29T17:00:00Z"
        ],
        "{april}"
    );
    // Her bookings list them too, by lesson time.
    let bookings = app
        .gql(
            Some(&c.parent),
            "query($s: ID!) { node(id: $s) { ... on Student { bookings(filter: {from: \"2026-04-01T00:00:00Z\"}, first: 10) { totalCount edges { node { status session { startsAt } } } } } } }",
            json!({"s": s.student}),
        )
        .await;
    assert_eq!(
        bookings["data"]["node"]["bookings"]["totalCount"], 5,
        "{bookings}"
    );

    // She leaves from mid-April: the later bookings are cancelled, and the
    // next generation no longer includes her.
    const UNENROL: &str = "mutation($i: UnenrolInput!) { unenrol(input: $i) { enrolment { status endsOn } cancelledBookings { id } userErrors { code message } } }";
    let enrolment = april["enrolments"][0]["id"].as_str().unwrap().to_owned();
    let left = app
        .ok(
            &c.parent,
            UNENROL,
            json!({"i": {"enrolmentId": enrolment, "from": "2026-04-15"}}),
        )
        .await;
    assert_eq!(left["enrolment"]["status"], "UNENROLLED");
    assert_eq!(left["cancelledBookings"].as_array().unwrap().len(), 3);
    let again = app
        .gql(
            Some(&c.parent),
            UNENROL,
            json!({"i": {"enrolmentId": enrolment, "from": "2026-04-15"}}),
        )
        .await;
    assert_eq!(
        again["data"]["unenrol"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    app.ok(
        office,
        GENERATE,
        json!({"input": {"seriesId": weekly, "through": "2026-05-31"}}),
    )
    .await;
    let may = student_calendar(
        &app,
        &c.parent,
        &s.student,
        "2026-05-01T00:00:00Z",
        "2026-06-01T00:00:00Z",
    )
    .await;
    assert_eq!(weekly_entries(&may), Vec::<String>::new());
    // Another family may not read Lily's calendar.
    let sam_user = app
        .gql(
            Some(&c.teacher),
            CALENDAR,
            json!({"s": c.sam, "from": "2026-04-01T00:00:00Z", "to": "2026-05-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(sam_user["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn one_on_one_lessons_reach_calendars_and_the_teachers_inbox() {
    let app = spawn_app().await;
    let c = cast(&app, "lessons.example").await;
    let s = &c.school;
    app.ok(
        &s.token,
        "mutation($t: ID!) { setBookingPolicy(input: {teacherId: $t, requiresApprovalOneOnOne: true}) { userErrors { code } } }",
        json!({"t": s.ada}),
    )
    .await;
    let lesson = app
        .ok(
            &c.parent,
            "mutation($i: BookOneOnOneInput!) { bookOneOnOne(input: $i) { booking { id status } userErrors { field code message } } }",
            json!({"i": {"teacherId": s.ada, "studentId": s.student, "startsAt": "2026-03-03T14:00:00Z", "durationMinutes": 30}}),
        )
        .await;
    assert_eq!(lesson["booking"]["status"], "PENDING");
    let id = lesson["booking"]["id"].as_str().unwrap().to_owned();
    // Ada's inbox has the request; Bob's does not.
    const INBOX: &str = "{ pendingBookings(first: 10) { totalCount edges { node { id kind student { firstName } } } } }";
    let inbox = app.ok(&c.teacher, INBOX, json!({})).await;
    assert_eq!(inbox["totalCount"], 1);
    assert_eq!(inbox["edges"][0]["node"]["id"], id);
    assert_eq!(inbox["edges"][0]["node"]["kind"], "ONE_ON_ONE");
    let office = app.ok(&s.token, INBOX, json!({})).await;
    assert_eq!(office["totalCount"], 1);
    let parent = app.gql(Some(&c.parent), INBOX, json!({})).await;
    assert_eq!(parent["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // The lesson is on Lily's calendar and on Ada's, beside sessions.
    let cal = student_calendar(
        &app,
        &c.parent,
        &s.student,
        "2026-03-01T00:00:00Z",
        "2026-03-08T00:00:00Z",
    )
    .await;
    let kinds: Vec<(&str, &str)> = cal["calendar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["startsAt"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("SESSION", "2026-03-02T10:00:00Z"),
            ("LESSON", "2026-03-03T14:00:00Z"),
            ("SESSION", "2026-03-04T17:00:00Z"),
        ]
    );
    let ada = app
        .gql(
            Some(&c.teacher),
            "query($t: ID!) { node(id: $t) { ... on Teacher { calendar(from: \"2026-03-01T00:00:00Z\", to: \"2026-03-08T00:00:00Z\") { kind lesson { id } session { id } } } } }",
            json!({"t": s.ada}),
        )
        .await;
    let entries = ada["data"]["node"]["calendar"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["lesson"]["id"] == id), "{ada}");
    // Attendance can be recorded for a plain 1-on-1 lesson once approved.
    app.ok(
        &c.teacher,
        "mutation($b: ID!) { approveBooking(input: {bookingId: $b}) { booking { status } userErrors { code } } }",
        json!({"b": id}),
    )
    .await;
    app.clock.advance(chrono::Duration::days(2));
    let marked = app
        .ok(
            &c.teacher,
            "mutation($b: ID!) { recordLessonAttendance(input: {bookingId: $b, status: PRESENT}) { booking { status } userErrors { code message } } }",
            json!({"b": id}),
        )
        .await;
    assert_eq!(marked["booking"]["status"], "ATTENDED");
}

/// Statements per request: the same for a week of one class and a week of
/// many, for the class browser, a student's calendar and the inbox.
#[tokio::test]
async fn family_lists_cost_constant_statements() {
    let app = spawn_app().await;
    let c = cast(&app, "counts.example").await;
    let s = &c.school;
    let office = &s.token;
    let count = async |token: &str, query: &str, vars: Value| -> u64 {
        let before = app.db.statements();
        let body = app.gql(Some(token), query, vars).await;
        assert!(body.get("errors").is_none(), "{body}");
        app.db.statements() - before
    };
    const CAL: &str = "query($s: ID!) { node(id: $s) { ... on Student { calendar(from: \"2026-03-01T00:00:00Z\", to: \"2026-05-01T00:00:00Z\") {
      kind session { id teacher { firstName } room { name } offering { title } series { id } } lesson { id }
    } } } }";
    const INBOX: &str = "{ pendingBookings(first: 50) { totalCount edges { node { id session { startsAt } student { firstName } } } } }";
    let measure = async || {
        (
            count(
                &c.parent,
                BROWSE,
                json!({"f": {"to": "2026-05-01T00:00:00Z"}}),
            )
            .await,
            count(&c.parent, CAL, json!({"s": s.student})).await,
            count(office, INBOX, json!({})).await,
            count(&c.teacher, INBOX, json!({})).await,
        )
    };
    // Ada approves 1-on-1 requests; Lily asks for lessons.
    app.ok(
        office,
        "mutation($t: ID!) { setBookingPolicy(input: {teacherId: $t, requiresApprovalOneOnOne: true}) { userErrors { code } } }",
        json!({"t": s.ada}),
    )
    .await;
    let lesson = async |day: u32| {
        app.ok(
            &c.parent,
            "mutation($i: BookOneOnOneInput!) { bookOneOnOne(input: $i) { booking { status } userErrors { code message } } }",
            json!({"i": {"teacherId": s.ada, "studentId": s.student, "startsAt": format!("2026-04-{day:02}T16:00:00Z"), "durationMinutes": 30}}),
        )
        .await;
    };
    // One of each kind first: a session with a room for Lily, a pending
    // group request, so every related table is touched in both runs.
    app.ok(
        office,
        "mutation($t: ID!) { setBookingPolicy(input: {teacherId: $t, requiresApprovalGroup: true}) { userErrors { code } } }",
        json!({"t": s.bob}),
    )
    .await;
    let add = async |hour: u32, days: Value, count: Option<u32>| {
        let series = app
            .create_series(
                office,
                json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location, "roomId": s.room_a,
                       "startDate": "2026-03-09", "startTime": format!("{hour:02}:00"), "durationMinutes": 60,
                       "daysOfWeek": days, "count": count, "capacity": 8}),
            )
            .await;
        app.ok(
            office,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-04-30"}}),
        )
        .await;
        app.ok(
            &c.parent,
            "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code message } } }",
            json!({"i": {"seriesId": series, "studentId": s.student, "type": "FULL_SCHEDULE"}}),
        )
        .await;
    };
    let requests = async |start: &str, count: u32| {
        let series = app
            .create_series(
                office,
                json!({"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location,
                       "startDate": start, "startTime": "18:00", "durationMinutes": 60,
                       "daysOfWeek": [2], "count": count, "capacity": 8}),
            )
            .await;
        let created = app
            .ok(
                office,
                GENERATE,
                json!({"input": {"seriesId": series, "through": "2026-04-30"}}),
            )
            .await;
        for session in created["created"].as_array().unwrap() {
            app.ok(
                office,
                "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id status } userErrors { code } } }",
                json!({"i": {"sessionId": session["id"], "studentId": c.sam}}),
            )
            .await;
        }
    };
    add(9, json!([1]), Some(1)).await;
    requests("2026-03-10", 1).await;
    lesson(1).await;
    let small = measure().await;
    // Many more sessions, enrolments and requests.
    for hour in [11, 13] {
        add(hour, json!([1, 2, 3, 4, 5]), None).await;
    }
    requests("2026-03-17", 6).await;
    for day in [2, 3, 6, 7] {
        lesson(day).await;
    }
    let large = measure().await;
    assert_eq!(
        small, large,
        "(browser, calendar, office inbox, teacher inbox) statements"
    );
    // And the larger run really had more to show.
    let inbox = app.ok(office, INBOX, json!({})).await;
    assert_eq!(inbox["totalCount"], 12);
    let ada = app.ok(&c.teacher, INBOX, json!({})).await;
    assert_eq!(ada["totalCount"], 5);
}

#[tokio::test]
async fn the_office_pauses_resumes_and_drops_a_standing_place() {
    let app = spawn_app().await;
    let c = cast(&app, "pause.example").await;
    let s = &c.school;
    let office = &s.token;
    let weekly = app
        .create_series(
            office,
            json!({"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location, "startDate": "2026-03-04",
                   "startTime": "18:00", "daysOfWeek": [3], "capacity": 6}),
        )
        .await;
    app.ok(
        office,
        GENERATE,
        json!({"input": {"seriesId": weekly, "through": "2026-03-15"}}),
    )
    .await;
    app.ok(
        &c.parent,
        "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code message } } }",
        json!({"i": {"seriesId": weekly, "studentId": s.student, "type": "FULL_SCHEDULE"}}),
    )
    .await;
    let enrolment = app
        .ok(
            office,
            "query($s: ID!) { node(id: $s) { ... on Student { enrolments { id } } } }",
            json!({"s": s.student}),
        )
        .await["enrolments"][0]["id"]
        .clone();
    const SET: &str = "mutation($i: SetEnrolmentStatusInput!) { setEnrolmentStatus(input: $i) { enrolment { status endsOn } cancelledBookings { id } userErrors { code message } } }";
    let count_in = async |through: &str| -> usize {
        let generated = app
            .ok(
                office,
                GENERATE,
                json!({"input": {"seriesId": weekly, "through": through}}),
            )
            .await;
        let ids: Vec<Value> = generated["created"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].clone())
            .collect();
        let mut booked = 0;
        for id in ids {
            let roster = app
                .ok(
                    office,
                    "query($id: ID!) { node(id: $id) { ... on Session { roster { student { firstName } } } } }",
                    json!({"id": id}),
                )
                .await;
            booked += roster["roster"].as_array().unwrap().len();
        }
        booked
    };
    // Paused: the next sessions leave Lily out.
    let paused = app
        .ok(
            office,
            SET,
            json!({"i": {"enrolmentId": enrolment, "status": "PAUSED"}}),
        )
        .await;
    assert_eq!(paused["enrolment"]["status"], "PAUSED");
    assert_eq!(count_in("2026-03-22").await, 0);
    // Resumed: they include her again.
    app.ok(
        office,
        SET,
        json!({"i": {"enrolmentId": enrolment, "status": "ACTIVE"}}),
    )
    .await;
    assert_eq!(count_in("2026-03-29").await, 1);
    // Dropped from 20 March: her bookings from then on are cancelled.
    let dropped = app
        .ok(
            office,
            SET,
            json!({"i": {"enrolmentId": enrolment, "status": "DROPPED", "from": "2026-03-20"}}),
        )
        .await;
    assert_eq!(dropped["enrolment"]["status"], "DROPPED");
    assert_eq!(dropped["enrolment"]["endsOn"], "2026-03-20");
    assert_eq!(dropped["cancelledBookings"].as_array().unwrap().len(), 1);
    let again = app
        .gql(
            Some(office),
            SET,
            json!({"i": {"enrolmentId": enrolment, "status": "ACTIVE"}}),
        )
        .await;
    assert_eq!(
        again["data"]["setEnrolmentStatus"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
}

#[tokio::test]
async fn students_a_new_session_has_no_seat_for_are_reported_and_ending_completes_places() {
    let app = spawn_app().await;
    let c = cast(&app, "unplaced.example").await;
    let s = &c.school;
    let office = &s.token;
    let weekly = app
        .create_series(
            office,
            json!({"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location, "startDate": "2026-03-04",
                   "startTime": "18:00", "daysOfWeek": [3], "capacity": 2}),
        )
        .await;
    app.ok(
        office,
        GENERATE,
        json!({"input": {"seriesId": weekly, "through": "2026-03-08"}}),
    )
    .await;
    for kid in [s.student.clone(), c.sam.clone()] {
        app.ok(
            office,
            "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code message } } }",
            json!({"i": {"seriesId": weekly, "studentId": kid, "type": "FULL_SCHEDULE"}}),
        )
        .await;
    }
    // After the first lesson, the class shrinks to one seat.
    app.clock.advance(chrono::Duration::days(4));
    app.ok(
        office,
        "mutation($i: UpdateClassSeriesInput!) { updateClassSeries(input: $i) { series { capacity } userErrors { code message } } }",
        json!({"i": {"seriesId": weekly, "scope": "ALL", "changes": {"capacity": 1}}}),
    )
    .await;
    let next = app
        .ok(
            office,
            "mutation($input: GenerateSessionsInput!) { generateSessions(input: $input) { created { id seatsTaken } unplaced { sessionId studentId } userErrors { code } } }",
            json!({"input": {"seriesId": weekly, "through": "2026-03-15"}}),
        )
        .await;
    assert_eq!(next["created"][0]["seatsTaken"], 1);
    assert_eq!(next["unplaced"].as_array().unwrap().len(), 1, "{next}");
    assert_eq!(next["unplaced"][0]["sessionId"], next["created"][0]["id"]);
    // Ending the series completes the standing places.
    app.ok(
        office,
        "mutation($i: SetClassSeriesStatusInput!) { setClassSeriesStatus(input: $i) { series { status } userErrors { code } } }",
        json!({"i": {"seriesId": weekly, "status": "ENDED"}}),
    )
    .await;
    let places = app
        .ok(
            office,
            "query($s: ID!) { node(id: $s) { ... on Student { enrolments { status } } } }",
            json!({"s": s.student}),
        )
        .await;
    assert_eq!(places["enrolments"], json!([{"status": "COMPLETED"}]));
}
