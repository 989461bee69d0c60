//! Staff assignment and hybrid lessons over HTTP (issue 4, items 9–10).

use serde_json::{Value, json};

use crate::helpers::{GENERATE, spawn_app};
use crate::roles::cast;

const ASSIGN: &str = "mutation($i: AssignStaffInput!) { assignStaff(input: $i) { series { id } session { id } userErrors { field message code } } }";
const STAFF_OF: &str = "query($id: ID!) { node(id: $id) { ... on Session { instructors { lastName } assistants { lastName } } } }";

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t["lastName"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn only_qualified_free_staff_are_eligible_and_assigned() {
    let app = spawn_app().await;
    let c = cast(&app, "staff.example").await;
    let s = &c.school;
    let role = app
        .ok(&s.token, "mutation { createTeachingRole(input: {name: \"Wheel instructor\"}) { role { id name } userErrors { code } } }", json!({}))
        .await["role"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let carl = app
        .ok(&s.token, "mutation { createTeacher(input: {email: \"carl@staff.example\", firstName: \"Carl\", lastName: \"Clay\"}) { teacher { id } userErrors { code } } }", json!({}))
        .await["teacher"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dora = app
        .ok(&s.token, "mutation { createTeacher(input: {email: \"dora@staff.example\", firstName: \"Dora\", lastName: \"Dish\"}) { teacher { id } userErrors { code } } }", json!({}))
        .await["teacher"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for t in [&s.ada, &carl, &dora] {
        app.ok(&s.token, "mutation($t: ID!, $r: ID!) { grantTeachingRole(input: {teacherId: $t, roleId: $r}) { teacher { teachingRoles { name } } userErrors { code } } }", json!({"t": t, "r": role}))
            .await;
    }
    let wheel = app
        .ok(&s.token, "mutation($r: ID!) { createOffering(input: {title: \"Wheel\", kind: GROUP, defaultDurationMinutes: 120, defaultCapacity: 6, requiredRoleId: $r}) { offering { id requiredRole { name } } userErrors { code } } }", json!({"r": role}))
        .await;
    assert_eq!(
        wheel["offering"]["requiredRole"]["name"],
        "Wheel instructor"
    );
    let wheel = wheel["offering"]["id"].as_str().unwrap().to_owned();
    // "Any teacher qualified for the offering": Bob teaches Tuesday evenings
    // but lacks the role, so only Ada's slots come back.
    let any = app
        .ok(&s.token, "query($o: ID!) { availableSlots(offeringId: $o, from: \"2026-03-03T17:00:00Z\", to: \"2026-03-03T20:00:00Z\", durationMinutes: 60) { teacher { lastName } } }", json!({"o": wheel}))
        .await;
    let teachers: std::collections::BTreeSet<&str> = any
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["teacher"]["lastName"].as_str().unwrap())
        .collect();
    assert_eq!(teachers, ["Byron"].into(), "{any}");
    // Thursdays 10:00–12:00 with Ada; Dora already teaches Thursdays 11:00.
    let series = app
        .create_series(
            &s.token,
            json!({"offeringId": wheel, "teacherId": s.ada, "locationId": s.location,
            "startDate": "2026-03-05", "startTime": "10:00", "daysOfWeek": [4]}),
        )
        .await;
    let other = app
        .create_series(
            &s.token,
            json!({"offeringId": s.offering, "teacherId": dora, "locationId": s.location,
            "startDate": "2026-03-05", "startTime": "11:00", "daysOfWeek": [4], "count": 4}),
        )
        .await;
    app.ok(
        &s.token,
        GENERATE,
        json!({"input": {"seriesId": other, "through": "2026-03-31"}}),
    )
    .await;
    let first: Vec<String> = app
        .ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-12"}}),
        )
        .await["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    let eligible = app
        .ok(
            &s.token,
            "query($s: ID!) { eligibleStaff(sessionId: $s) { lastName } }",
            json!({"s": first[0]}),
        )
        .await;
    // Bob lacks the role; Dora is busy; Ada (its own teacher) and Carl are free.
    assert_eq!(names(&eligible), vec!["Byron", "Clay"]);
    let refused = app
        .gql(
            Some(&s.token),
            ASSIGN,
            json!({"i": {"seriesId": series, "instructorIds": [s.ada], "assistantIds": [s.bob]}}),
        )
        .await;
    assert_eq!(
        refused["data"]["assignStaff"]["userErrors"][0]["code"], "NOT_QUALIFIED",
        "{refused}"
    );
    app.ok(
        &s.token,
        ASSIGN,
        json!({"i": {"seriesId": series, "instructorIds": [s.ada], "assistantIds": [carl]}}),
    )
    .await;
    // Existing and newly generated sessions carry the series' staff.
    let later: Vec<String> = app
        .ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-26"}}),
        )
        .await["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    for id in first.iter().chain(&later) {
        let got = app.ok(&s.token, STAFF_OF, json!({"id": id})).await;
        assert_eq!(
            (names(&got["instructors"]), names(&got["assistants"])),
            (vec!["Byron".into()], vec!["Clay".into()]),
            "{id}"
        );
    }
    // One session changed on its own.
    app.ok(
        &s.token,
        ASSIGN,
        json!({"i": {"sessionId": first[0], "instructorIds": [carl]}}),
    )
    .await;
    let one = app.ok(&s.token, STAFF_OF, json!({"id": first[0]})).await;
    assert_eq!(names(&one["instructors"]), vec!["Clay"]);
    assert_eq!(names(&one["assistants"]), Vec::<String>::new());
    let two = app.ok(&s.token, STAFF_OF, json!({"id": first[1]})).await;
    assert_eq!(names(&two["instructors"]), vec!["Byron"]);
}

#[tokio::test]
async fn hybrid_weeks_become_bookable_one_on_one_slots_for_enrolled_students() {
    let app = spawn_app().await;
    let c = cast(&app, "hybrid.example").await;
    let s = &c.school;
    // Wednesdays 18:00–19:00 for four weeks; every second week is 1-on-1.
    let series = app
        .ok(
            &s.token,
            "mutation($input: CreateClassSeriesInput!) { createClassSeries(input: $input) { series { id hybrid { cycleLengthWeeks cycleStartDate oneOnOneWeeks oneOnOnePriceMinor } } userErrors { field message code } } }",
            json!({"input": {"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location, "startDate": "2026-03-04",
                "count": 4, "startTime": "18:00", "durationMinutes": 60, "daysOfWeek": [3],
                "hybrid": {"cycleLengthWeeks": 2, "cycleStartDate": "2026-03-04", "oneOnOneWeeks": [2], "oneOnOnePriceMinor": 2500}}}),
        )
        .await;
    assert_eq!(
        series["series"]["hybrid"],
        json!({"cycleLengthWeeks": 2, "cycleStartDate": "2026-03-02", "oneOnOneWeeks": [2], "oneOnOnePriceMinor": 2500})
    );
    let series = series["series"]["id"].as_str().unwrap().to_owned();
    let created = app
        .ok(&s.token, "mutation($input: GenerateSessionsInput!) { generateSessions(input: $input) { created { id oneOnOneWeek } userErrors { code } } }",
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}))
        .await["created"]
        .clone();
    let weeks: Vec<bool> = created
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["oneOnOneWeek"].as_bool().unwrap())
        .collect();
    assert_eq!(weeks, vec![false, true, false, true]);
    let hybrid_session = created[1]["id"].as_str().unwrap().to_owned();
    let group_session = created[0]["id"].as_str().unwrap().to_owned();
    app.ok(&c.parent, "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code } } }",
        json!({"i": {"seriesId": series, "studentId": s.student, "type": "FULL_SCHEDULE"}}))
        .await;
    const SLOTS: &str =
        "query($s: ID!) { hybridSlots(sessionId: $s, durationMinutes: 30) { startsAt } }";
    const BOOK: &str = "mutation($i: BookHybridSlotInput!) { bookHybridSlot(input: $i) { booking { kind status price { amountMinor } } userErrors { field code message } } }";
    let slots = app.ok(&c.parent, SLOTS, json!({"s": hybrid_session})).await;
    assert_eq!(
        slots,
        json!([{"startsAt": "2026-03-11T18:00:00Z"}, {"startsAt": "2026-03-11T18:30:00Z"}])
    );
    let booked = app
        .ok(&c.parent, BOOK, json!({"i": {"sessionId": hybrid_session, "studentId": s.student, "startsAt": "2026-03-11T18:30:00Z", "durationMinutes": 30}}))
        .await;
    assert_eq!(
        booked["booking"],
        json!({"kind": "ONE_ON_ONE", "status": "CONFIRMED", "price": {"amountMinor": 2500}})
    );
    let slots = app.ok(&c.parent, SLOTS, json!({"s": hybrid_session})).await;
    assert_eq!(slots, json!([{"startsAt": "2026-03-11T18:00:00Z"}]));
    // Sam is not enrolled; group weeks have no slots.
    let sam = app
        .gql(Some(&s.token), BOOK, json!({"i": {"sessionId": hybrid_session, "studentId": c.sam, "startsAt": "2026-03-11T18:00:00Z", "durationMinutes": 30}}))
        .await;
    assert_eq!(
        sam["data"]["bookHybridSlot"]["userErrors"][0]["field"],
        json!(["input", "studentId"]),
        "{sam}"
    );
    let group = app
        .gql(Some(&s.token), BOOK, json!({"i": {"sessionId": group_session, "studentId": s.student, "startsAt": "2026-03-04T18:00:00Z", "durationMinutes": 30}}))
        .await;
    assert_eq!(
        group["data"]["bookHybridSlot"]["userErrors"][0]["code"], "INVALID_STATE",
        "{group}"
    );
    assert_eq!(
        app.ok(&s.token, SLOTS, json!({"s": group_session})).await,
        json!([])
    );
}
