//! Teacher payouts over HTTP (issue 12): a month's delivered sessions,
//! the statuses that pay the teacher, the pay rate, the lifecycle, and who
//! sees a payslip.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::roles::cast;

const COMPUTE: &str = "mutation($i: ComputePayoutInput!) { computePayout(input: $i) { payout { id period amountMinor status lines { description quantity amountMinor } } userErrors { field code message } } }";
const STATUS: &str = "mutation($i: SetPayoutStatusInput!) { setPayoutStatus(input: $i) { payout { status paidAt } userErrors { field code message } } }";

#[tokio::test]
async fn a_months_payout_pays_the_students_the_teacher_taught() {
    let app = spawn_app().await;
    let c = cast(&app, "payroll.example").await;
    let s = &c.school;
    let t = &s.token;
    // Ada is paid 15.00 per student she teaches.
    app.ok(
        t,
        "mutation($i: UpdateTeacherProfileInput!) { updateTeacherProfile(input: $i) { teacher { id } userErrors { code } } }",
        json!({"i": {"teacherId": s.ada, "payRateMinor": 1500, "payBasis": "PER_STUDENT"}}),
    )
    .await;
    // Three Choir sessions with Ada in March; Lily and Sam booked in each.
    let mut sessions = Vec::new();
    for day in [2, 9, 16] {
        let id = app
            .ok(
                t,
                "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code message } } }",
                json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada, "capacity": 6,
                             "startsAt": format!("2026-03-{day:02}T14:00:00Z"), "endsAt": format!("2026-03-{day:02}T15:00:00Z")}}),
            )
            .await["session"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for student in [&s.student, &c.sam] {
            app.ok(
                t,
                "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code message } } }",
                json!({"i": {"sessionId": id, "studentId": student}}),
            )
            .await;
        }
        sessions.push(id);
    }
    // 2 March: both present. 9 March: Lily excused (the teacher is not
    // paid for her by default), Sam late. 16 March: nobody marked.
    let mark = |session: &str, entries: serde_json::Value| json!({"i": {"sessionId": session, "entries": entries}});
    const MARK: &str = "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { code message } } }";
    app.ok(t, MARK, mark(&sessions[0], json!([{"studentId": s.student, "status": "PRESENT"}, {"studentId": c.sam, "status": "PRESENT"}])))
        .await;
    app.ok(t, MARK, mark(&sessions[1], json!([{"studentId": s.student, "status": "EXCUSED"}, {"studentId": c.sam, "status": "LATE"}])))
        .await;
    app.clock.advance(chrono::Duration::days(19));
    let computed = app
        .ok(
            t,
            COMPUTE,
            json!({"i": {"teacherId": s.ada, "period": "2026-03"}}),
        )
        .await;
    assert_eq!(
        computed["payout"]["lines"],
        json!([
            {"description": "2026-03-02 14:00 Choir", "quantity": 2, "amountMinor": 3000},
            {"description": "2026-03-09 14:00 Choir", "quantity": 1, "amountMinor": 1500}
        ])
    );
    assert_eq!(computed["payout"]["amountMinor"], 4500);
    assert_eq!(computed["payout"]["status"], "PENDING");
    // Attendance taken late: computing again while PENDING picks it up.
    app.ok(
        t,
        MARK,
        mark(
            &sessions[2],
            json!([{"studentId": c.sam, "status": "PRESENT"}]),
        ),
    )
    .await;
    let again = app
        .ok(
            t,
            COMPUTE,
            json!({"i": {"teacherId": s.ada, "period": "2026-03"}}),
        )
        .await;
    assert_eq!(
        again["payout"]["id"], computed["payout"]["id"],
        "one payout per month"
    );
    assert_eq!(again["payout"]["amountMinor"], 6000);
    let id = again["payout"]["id"].as_str().unwrap().to_owned();
    // Ada reads her payslip; Lily's parent may not.
    let mine = app
        .ok(
            &c.teacher,
            "query($t: ID!) { payouts(teacherId: $t) { period amountMinor } }",
            json!({"t": s.ada}),
        )
        .await;
    assert_eq!(mine, json!([{"period": "2026-03", "amountMinor": 6000}]));
    let parent = app
        .gql(
            Some(&c.parent),
            "query($t: ID!) { payouts(teacherId: $t) { period } }",
            json!({"t": s.ada}),
        )
        .await;
    assert_eq!(parent["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // Paid: the lifecycle moves on, and a sent payout is not recomputed.
    let skip = app
        .gql(
            Some(t),
            STATUS,
            json!({"i": {"payoutId": id, "status": "COMPLETED"}}),
        )
        .await;
    assert_eq!(
        skip["data"]["setPayoutStatus"]["userErrors"][0]["message"],
        "a payout cannot go from PENDING to COMPLETED"
    );
    app.ok(
        t,
        STATUS,
        json!({"i": {"payoutId": id, "status": "PROCESSING"}}),
    )
    .await;
    let paid = app
        .ok(
            t,
            STATUS,
            json!({"i": {"payoutId": id, "status": "COMPLETED"}}),
        )
        .await;
    assert_eq!(paid["payout"]["status"], "COMPLETED");
    let late = app
        .gql(
            Some(t),
            COMPUTE,
            json!({"i": {"teacherId": s.ada, "period": "2026-03"}}),
        )
        .await;
    assert_eq!(
        late["data"]["computePayout"]["userErrors"][0]["message"],
        "the payout for 2026-03 is already COMPLETED; it can no longer be recomputed"
    );
    let bad = app
        .gql(
            Some(t),
            COMPUTE,
            json!({"i": {"teacherId": s.ada, "period": "March"}}),
        )
        .await;
    assert_eq!(
        bad["data"]["computePayout"]["userErrors"][0]["message"],
        "period `March` must be a month written YYYY-MM, e.g. 2026-03"
    );
}

#[tokio::test]
async fn assistants_and_one_on_one_lessons_are_on_the_payslip() {
    let app = spawn_app().await;
    let c = cast(&app, "assistants.example").await;
    let s = &c.school;
    let t = &s.token;
    for teacher in [&s.ada, &s.bob] {
        app.ok(
            t,
            "mutation($i: UpdateTeacherProfileInput!) { updateTeacherProfile(input: $i) { teacher { id } userErrors { code } } }",
            json!({"i": {"teacherId": teacher, "payRateMinor": 2000, "payBasis": "PER_SESSION"}}),
        )
        .await;
    }
    // Ada leads a Choir session on 2 March with Bob assisting; Lily is there.
    let session = app
        .ok(
            t,
            "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code message } } }",
            json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada, "capacity": 6,
                         "startsAt": "2026-03-02T14:00:00Z", "endsAt": "2026-03-02T15:00:00Z"}}),
        )
        .await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        t,
        "mutation($i: AssignStaffInput!) { assignStaff(input: $i) { userErrors { code message } } }",
        json!({"i": {"sessionId": session, "instructorIds": [s.ada], "assistantIds": [s.bob]}}),
    )
    .await;
    app.ok(
        t,
        "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code message } } }",
        json!({"i": {"sessionId": session, "studentId": s.student}}),
    )
    .await;
    // And a 30-minute 1-on-1 lesson with Lily on 3 March.
    let lesson = app
        .ok(
            &c.parent,
            "mutation($i: BookOneOnOneInput!) { bookOneOnOne(input: $i) { booking { id status } userErrors { field code message } } }",
            json!({"i": {"teacherId": s.ada, "studentId": s.student, "startsAt": "2026-03-03T14:00:00Z", "durationMinutes": 30}}),
        )
        .await["booking"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.advance(chrono::Duration::days(3));
    app.ok(
        t,
        "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { code message } } }",
        json!({"i": {"sessionId": session, "entries": [{"studentId": s.student, "status": "PRESENT"}]}}),
    )
    .await;
    app.ok(
        &c.teacher,
        "mutation($b: ID!) { recordLessonAttendance(input: {bookingId: $b, status: PRESENT}) { booking { status } userErrors { code message } } }",
        json!({"b": lesson}),
    )
    .await;
    const SLIP: &str = "mutation($i: ComputePayoutInput!) { computePayout(input: $i) { payout { amountMinor lines { description amountMinor session { id } lesson { id } } } userErrors { field code message } } }";
    let ada = app
        .ok(
            t,
            SLIP,
            json!({"i": {"teacherId": s.ada, "period": "2026-03"}}),
        )
        .await;
    let lines = &ada["payout"]["lines"];
    assert_eq!(ada["payout"]["amountMinor"], 4000, "{ada}");
    assert_eq!(lines[0]["description"], "2026-03-02 14:00 Choir");
    assert_eq!(lines[0]["session"]["id"], session);
    assert!(
        lines[1]["description"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-03 14:00 ")
            && lines[1]["description"]
                .as_str()
                .unwrap()
                .ends_with(" (1-on-1)"),
        "{lines}"
    );
    assert_eq!(lines[1]["lesson"]["id"], lesson);
    assert_eq!(lines[1]["session"], serde_json::Value::Null);
    let bob = app
        .ok(
            t,
            SLIP,
            json!({"i": {"teacherId": s.bob, "period": "2026-03"}}),
        )
        .await;
    assert_eq!(
        bob["payout"]["lines"],
        json!([{"description": "2026-03-02 14:00 Choir (assistant)", "amountMinor": 2000,
                "session": {"id": session}, "lesson": null}])
    );
}
