//! CRM over HTTP (issue 13): a lead from a phone call to a student who
//! checks in with a QR code; duplicate leads flagged; subscription freezes
//! moving the end date and the installments; forged, rotated and another
//! school's codes refused.

use serde_json::{Value, json};

use crate::booking_flow::student;
use crate::helpers::{TestApp, spawn_app};
use crate::roles::{Cast, cast};

pub const CREATE_LEAD: &str = "mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id status parentPhone duplicateOf { id } } userErrors { field code message } } }";
const SET_STATUS: &str = "mutation($i: SetLeadStatusInput!) { setLeadStatus(input: $i) { lead { id status } userErrors { field code message } } }";
const CONVERT: &str = "mutation($i: ConvertLeadInput!) { convertLead(input: $i) { lead { status student { id } } student { id firstName dateOfBirth } parent { id email roles } family { id students { id } } userErrors { field code message } } }";
pub const CHECK_IN: &str = "mutation($i: CheckInInput!) { checkIn(input: $i) { checkIn { kind at } attendance userErrors { field code message } } }";
const FREEZE: &str = "mutation($i: FreezeSubscriptionInput!) { freezeSubscription(input: $i) { subscription { endDate freezeDaysUsed installments { dueDate paid } freezes { from days reason } } userErrors { field code message } } }";
const QR: &str = "query($s: ID!) { node(id: $s) { ... on Student { qrCode } } }";

async fn qr(app: &TestApp, token: &str, student: &str) -> String {
    app.ok(token, QR, json!({"s": student})).await["qrCode"]
        .as_str()
        .unwrap_or_else(|| panic!("no code for {student}"))
        .to_owned()
}

/// A one-off session today (Sunday 1 March 2026, the tests' "now" is
/// 12:00 UTC) from 12:30 to 13:30, with `who` booked into it.
async fn session_today(app: &TestApp, c: &Cast, who: &str) -> String {
    let s = &c.school;
    let id = app
        .ok(
            &s.token,
            "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code message } } }",
            json!({"i": {"offeringId": s.offering, "locationId": s.location, "capacity": 6,
                         "startsAt": "2026-03-01T12:30:00Z", "endsAt": "2026-03-01T13:30:00Z"}}),
        )
        .await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        &s.token,
        "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code message } } }",
        json!({"i": {"sessionId": id, "studentId": who}}),
    )
    .await;
    id
}

fn user_error(body: &Value, field: &str) -> Value {
    body["data"][field]["userErrors"][0].clone()
}

#[tokio::test]
async fn a_lead_becomes_a_student_who_freezes_and_checks_in() {
    let app = spawn_app().await;
    let c = cast(&app, "therapy.example").await;
    let s = &c.school;
    let t = &s.token;

    // A call: a lead, and a second call from the same phone flagged.
    let lead = app
        .ok(
            t,
            CREATE_LEAD,
            json!({"i": {"parentName": "Mia Chen", "parentEmail": "mia@example.org", "parentPhone": "+44 20 7946 0958",
                         "childFirstName": "Leo", "childLastName": "Chen", "childBirthDate": "2018-04-01", "source": "phone"}}),
        )
        .await["lead"]
        .clone();
    assert_eq!(lead["status"], "NEW_BOOKING");
    assert_eq!(lead["parentPhone"], "+442079460958");
    assert_eq!(lead["duplicateOf"], Value::Null);
    let lead_id = lead["id"].as_str().unwrap().to_owned();
    let again = app
        .ok(
            t,
            CREATE_LEAD,
            json!({"i": {"parentName": "M. Chen", "parentEmail": "mia.chen@example.org", "parentPhone": "+44 (20) 7946-0958",
                         "childFirstName": "Leo", "childLastName": "Chen"}}),
        )
        .await;
    assert_eq!(
        again["lead"]["duplicateOf"]["id"], lead_id,
        "the same phone written differently is the same phone: {again}"
    );
    assert_ne!(again["lead"]["id"], lead_id, "flagged, never merged");
    // The same email in other letters, from another phone, is flagged too.
    let by_email = app
        .ok(
            t,
            CREATE_LEAD,
            json!({"i": {"parentName": "Mia", "parentEmail": "MIA@Example.org", "parentPhone": "+44 20 7000 0000",
                         "childFirstName": "Ava", "childLastName": "Chen"}}),
        )
        .await;
    assert_eq!(by_email["lead"]["duplicateOf"]["id"], lead_id, "{by_email}");

    // The evaluation: an EVALUATION session with Ada.
    let evaluation = app
        .ok(t, "mutation { createOffering(input: {title: \"Evaluation\", kind: EVALUATION, defaultDurationMinutes: 45, defaultCapacity: 1}) { offering { id } userErrors { code } } }", json!({}))
        .await["offering"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let eval_session = app
        .ok(
            t,
            "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code message } } }",
            json!({"i": {"offeringId": evaluation, "locationId": s.location, "teacherId": s.ada, "capacity": 1,
                         "startsAt": "2026-03-03T10:00:00Z"}}),
        )
        .await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let booked = app
        .ok(
            t,
            "mutation($i: BookEvaluationInput!) { bookEvaluation(input: $i) { lead { status evaluationSession { id teacher { id } } } userErrors { code message } } }",
            json!({"i": {"leadId": lead_id, "sessionId": eval_session}}),
        )
        .await;
    assert_eq!(booked["lead"]["status"], "CONFIRMED");
    assert_eq!(
        booked["lead"]["evaluationSession"]["teacher"]["id"],
        json!(s.ada)
    );
    app.ok(
        t,
        SET_STATUS,
        json!({"i": {"leadId": lead_id, "status": "EVALUATION_COMPLETE"}}),
    )
    .await;

    // Convert: student, parent login and family in one go.
    let converted = app
        .ok(
            t,
            CONVERT,
            json!({"i": {"leadId": lead_id, "parentFirstName": "Mia", "parentLastName": "Chen", "parentPassword": "s3cret-pass"}}),
        )
        .await;
    assert_eq!(converted["lead"]["status"], "REGISTERED");
    assert_eq!(converted["student"]["firstName"], "Leo");
    assert_eq!(converted["student"]["dateOfBirth"], "2018-04-01");
    assert_eq!(converted["parent"]["email"], "mia@example.org");
    assert_eq!(converted["parent"]["roles"], json!(["PARENT"]));
    let leo = converted["student"]["id"].as_str().unwrap().to_owned();
    assert_eq!(converted["family"]["students"], json!([{"id": leo}]));
    assert_eq!(converted["lead"]["student"]["id"], json!(leo));
    let mia = app
        .gql(
            None,
            "mutation { login(input: {email: \"mia@example.org\", password: \"s3cret-pass\"}) { token } }",
            json!({}),
        )
        .await["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.ok(
            &mia,
            "query($s: ID!) { node(id: $s) { ... on Student { firstName } } }",
            json!({"s": leo})
        )
        .await["firstName"],
        "Leo",
        "the parent acts for their child"
    );

    // A subscription with three installments; a 10-day freeze moves the
    // end and the unpaid installments due from the freeze on.
    let programme = app
        .ok(t, "mutation { createProgramme(input: {name: \"Speech therapy\"}) { programme { id } userErrors { code } } }", json!({}))
        .await["programme"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub = app
        .ok(
            t,
            "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { id endDate } userErrors { field code message } } }",
            json!({"i": {"studentId": leo, "programmeId": programme, "startDate": "2026-03-02", "endDate": "2026-06-30",
                         "freezeDaysAllowed": 14, "installments": [
                             {"dueDate": "2026-03-02", "amountMinor": 12000},
                             {"dueDate": "2026-04-01", "amountMinor": 12000},
                             {"dueDate": "2026-05-01", "amountMinor": 12000}]}}),
        )
        .await["subscription"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let frozen = app
        .ok(
            t,
            FREEZE,
            json!({"i": {"subscriptionId": sub, "from": "2026-03-20", "days": 10, "reason": "family travel"}}),
        )
        .await["subscription"]
        .clone();
    assert_eq!(frozen["endDate"], "2026-07-10");
    assert_eq!(frozen["freezeDaysUsed"], 10);
    assert_eq!(
        frozen["installments"],
        json!([
            {"dueDate": "2026-03-02", "paid": false},
            {"dueDate": "2026-04-11", "paid": false},
            {"dueDate": "2026-05-11", "paid": false}
        ])
    );
    assert_eq!(
        frozen["freezes"],
        json!([{"from": "2026-03-20", "days": 10, "reason": "family travel"}])
    );
    let over = app
        .gql(
            Some(t),
            FREEZE,
            json!({"i": {"subscriptionId": sub, "from": "2026-05-01", "days": 5}}),
        )
        .await;
    let e = user_error(&over, "freezeSubscription");
    assert_eq!(e["code"], "LIMIT_EXCEEDED", "{over}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("only 4 freeze days are left")
    );
    let overlap = app
        .gql(
            Some(t),
            FREEZE,
            json!({"i": {"subscriptionId": sub, "from": "2026-03-25", "days": 2}}),
        )
        .await;
    assert_eq!(
        user_error(&overlap, "freezeSubscription")["code"],
        "CONFLICT"
    );
    // Back early on 25 March: 5 days kept, 5 given back.
    let back = app
        .ok(
            t,
            "mutation($i: UnfreezeSubscriptionInput!) { unfreezeSubscription(input: $i) { subscription { endDate freezeDaysUsed installments { dueDate } } userErrors { field code message } } }",
            json!({"i": {"subscriptionId": sub, "on": "2026-03-25"}}),
        )
        .await["subscription"]
        .clone();
    assert_eq!(back["endDate"], "2026-07-05");
    assert_eq!(back["freezeDaysUsed"], 5);
    assert_eq!(
        back["installments"],
        json!([{"dueDate": "2026-03-02"}, {"dueDate": "2026-04-06"}, {"dueDate": "2026-05-06"}])
    );
    let seen = app
        .ok(
            &mia,
            "query($s: ID!) { node(id: $s) { ... on Student { subscriptions { endDate programme { name } } } } }",
            json!({"s": leo}),
        )
        .await;
    assert_eq!(
        seen["subscriptions"],
        json!([{"endDate": "2026-07-05", "programme": {"name": "Speech therapy"}}])
    );

    // Today Leo comes to a session and scans his code at the desk.
    let today = session_today(&app, &c, &leo).await;
    let code = qr(&app, &mia, &leo).await;
    let scanned = app
        .ok(
            t,
            CHECK_IN,
            json!({"i": {"code": code, "kind": "SESSION_CHECK_IN", "sessionId": today, "device": "desk"}}),
        )
        .await;
    assert_eq!(scanned["attendance"], "PRESENT");
    let log = app
        .ok(
            t,
            "query($s: ID!) { node(id: $s) { ... on Student { checkIns { kind session { id } } } } }",
            json!({"s": leo}),
        )
        .await;
    assert_eq!(
        log["checkIns"],
        json!([{"kind": "SESSION_CHECK_IN", "session": {"id": today}}])
    );
}

#[tokio::test]
async fn forged_rotated_and_other_schools_codes_are_refused() {
    let app = spawn_app().await;
    let a = cast(&app, "qr-a.example").await;
    let b = cast(&app, "qr-b.example").await;
    let t = &a.school.token;
    let code = qr(&app, t, &a.school.student).await;
    let scan =
        |code: &str, kind: &str| json!({"i": {"code": code, "kind": kind, "device": "front desk"}});

    // Check-out without a check-in.
    let out = app
        .gql(Some(t), CHECK_IN, scan(&code, "CENTER_CHECK_OUT"))
        .await;
    let e = user_error(&out, "checkIn");
    assert_eq!(e["code"], "INVALID_STATE", "{out}");
    assert!(e["message"].as_str().unwrap().contains("not checked in"));

    // A forged code: one character of the signature changed.
    let (payload, tag) = code.split_once('.').unwrap();
    let flipped = if tag.starts_with('A') { "B" } else { "A" };
    let forged = format!("{payload}.{flipped}{}", &tag[1..]);
    let body = app
        .gql(Some(t), CHECK_IN, scan(&forged, "CENTER_CHECK_IN"))
        .await;
    let e = user_error(&body, "checkIn");
    assert_eq!(e["code"], "FORBIDDEN", "{body}");
    assert_eq!(e["field"], json!(["input", "code"]));
    assert!(e["message"].as_str().unwrap().contains("not valid"));

    // Another school's student's code at A's desk.
    let theirs = qr(&app, &b.school.token, &b.school.student).await;
    let body = app
        .gql(Some(t), CHECK_IN, scan(&theirs, "CENTER_CHECK_IN"))
        .await;
    let e = user_error(&body, "checkIn");
    assert_eq!(e["code"], "FORBIDDEN", "{body}");
    assert!(e["message"].as_str().unwrap().contains("another school"));

    // A replaced code.
    app.ok(
        t,
        "mutation($i: RotateQrCodeInput!) { rotateQrCode(input: $i) { student { id } userErrors { code } } }",
        json!({"i": {"studentId": a.school.student}}),
    )
    .await;
    let body = app
        .gql(Some(t), CHECK_IN, scan(&code, "CENTER_CHECK_IN"))
        .await;
    let e = user_error(&body, "checkIn");
    assert_eq!(e["code"], "FORBIDDEN", "{body}");
    assert!(e["message"].as_str().unwrap().contains("replaced"));
    let fresh = qr(&app, t, &a.school.student).await;
    assert_ne!(fresh, code);
    let ok = app.ok(t, CHECK_IN, scan(&fresh, "CENTER_CHECK_IN")).await;
    assert_eq!(ok["checkIn"]["kind"], "CENTER_CHECK_IN");
    let twice = app
        .gql(Some(t), CHECK_IN, scan(&fresh, "CENTER_CHECK_IN"))
        .await;
    assert_eq!(user_error(&twice, "checkIn")["code"], "INVALID_STATE");
    assert_eq!(
        app.ok(t, CHECK_IN, scan(&fresh, "CENTER_CHECK_OUT")).await["checkIn"]["kind"],
        "CENTER_CHECK_OUT"
    );

    // Families may not scan; a parent may print their child's code, not
    // another student's.
    let parent = app
        .gql(Some(&a.parent), CHECK_IN, scan(&fresh, "CENTER_CHECK_IN"))
        .await;
    assert_eq!(
        parent["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{parent}"
    );
    let png = |token: Option<&str>, student: &str| {
        let mut r = app
            .client
            .get(format!("{}/students/{student}/qr.png", app.url));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let own = png(Some(&a.parent), &a.school.student).await.unwrap();
    assert_eq!(own.status(), 200);
    assert_eq!(own.headers()["content-type"], "image/png");
    assert!(own.bytes().await.unwrap().starts_with(b"\x89PNG"));
    assert_eq!(png(Some(&a.parent), &a.sam).await.unwrap().status(), 403);
    assert_eq!(png(None, &a.school.student).await.unwrap().status(), 401);
    assert_eq!(
        png(Some(&b.school.token), &a.school.student)
            .await
            .unwrap()
            .status(),
        404
    );
    // A year and a day later the printed code has expired (the desk logs
    // in again: sessions expire too).
    app.clock.advance(chrono::Duration::days(367));
    let desk = app
        .gql(
            None,
            "mutation { login(input: {email: \"admin@qr-a.example\", password: \"correct horse battery\"}) { token } }",
            json!({}),
        )
        .await["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let old = app
        .gql(Some(&desk), CHECK_IN, scan(&fresh, "CENTER_CHECK_IN"))
        .await;
    let e = user_error(&old, "checkIn");
    assert_eq!(e["code"], "FORBIDDEN", "{old}");
    assert!(e["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn session_check_in_takes_attendance_on_time_or_late() {
    let app = spawn_app().await;
    let c = cast(&app, "scan-session.example").await;
    let t = &c.school.token;
    let nora = student(&app, t, "Nora").await;
    let session = session_today(&app, &c, &nora).await;
    let code = qr(&app, t, &nora).await;
    let scan = json!({"i": {"code": code, "kind": "SESSION_CHECK_IN", "sessionId": session}});
    // 12:00 for 12:30: on time.
    let done = app.ok(t, CHECK_IN, scan.clone()).await;
    assert_eq!(done["attendance"], "PRESENT");
    let roster = app
        .ok(
            t,
            "query($s: ID!) { node(id: $s) { ... on Session { roster { student { id } attendance } } } }",
            json!({"s": session}),
        )
        .await;
    assert_eq!(
        roster["roster"],
        json!([{"student": {"id": nora}, "attendance": "PRESENT"}])
    );
    // A student without a place is refused.
    let sam_code = qr(&app, t, &c.sam).await;
    let body = app
        .gql(
            Some(t),
            CHECK_IN,
            json!({"i": {"code": sam_code, "kind": "SESSION_CHECK_IN", "sessionId": session}}),
        )
        .await;
    let e = user_error(&body, "checkIn");
    assert_eq!(e["code"], "INVALID_STATE", "{body}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("no confirmed place")
    );
    // 12:40: a second scan changes nothing; a latecomer is LATE.
    let omar = student(&app, t, "Omar").await;
    app.ok(
        t,
        "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code message } } }",
        json!({"i": {"sessionId": session, "studentId": omar}}),
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(40));
    let again = app.gql(Some(t), CHECK_IN, scan).await;
    let e = user_error(&again, "checkIn");
    assert_eq!(e["code"], "INVALID_STATE", "{again}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("already checked in")
    );
    let omar_code = qr(&app, t, &omar).await;
    let late = app
        .ok(
            t,
            CHECK_IN,
            json!({"i": {"code": omar_code, "kind": "SESSION_CHECK_IN", "sessionId": session}}),
        )
        .await;
    assert_eq!(late["attendance"], "LATE");
    // A teacher may scan only into their own sessions (this one has none).
    let by_teacher = app
        .gql(
            Some(&c.teacher),
            CHECK_IN,
            json!({"i": {"code": omar_code, "kind": "SESSION_CHECK_IN", "sessionId": session}}),
        )
        .await;
    assert_eq!(
        by_teacher["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{by_teacher}"
    );
}

#[tokio::test]
async fn bad_leads_and_illegal_steps_are_refused() {
    let app = spawn_app().await;
    let c = cast(&app, "bad-leads.example").await;
    let t = &c.school.token;
    for (input, field) in [
        (
            json!({"parentName": "Mia", "childFirstName": "Leo", "childLastName": "Chen"}),
            json!(["input", "parentEmail"]),
        ),
        (
            json!({"parentName": "Mia", "parentPhone": "call me", "childFirstName": "Leo", "childLastName": "Chen"}),
            json!(["input", "parentPhone"]),
        ),
        (
            json!({"parentName": " ", "parentEmail": "m@example.org", "childFirstName": "Leo", "childLastName": "Chen"}),
            json!(["input", "parentName"]),
        ),
    ] {
        let body = app.gql(Some(t), CREATE_LEAD, json!({"i": input})).await;
        let e = user_error(&body, "createLead");
        assert_eq!(e["code"], "INVALID", "{body}");
        assert_eq!(e["field"], field, "{body}");
    }
    let lead = app
        .ok(
            t,
            CREATE_LEAD,
            json!({"i": {"parentName": "Mia", "parentEmail": "mia@example.org", "childFirstName": "Leo", "childLastName": "Chen"}}),
        )
        .await["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Not evaluated yet: no conversion, no skipping ahead.
    let convert = app
        .gql(
            Some(t),
            CONVERT,
            json!({"i": {"leadId": lead, "parentFirstName": "Mia", "parentLastName": "Chen", "parentPassword": "s3cret-pass"}}),
        )
        .await;
    assert_eq!(
        user_error(&convert, "convertLead")["code"],
        "INVALID_STATE",
        "{convert}"
    );
    let skip = app
        .gql(
            Some(t),
            SET_STATUS,
            json!({"i": {"leadId": lead, "status": "EVALUATION_COMPLETE"}}),
        )
        .await;
    let e = user_error(&skip, "setLeadStatus");
    assert_eq!(e["code"], "INVALID_STATE", "{skip}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("NEW_BOOKING to EVALUATION_COMPLETE")
    );
    // An evaluation must be an EVALUATION session with a teacher.
    let not_eval = app
        .gql(
            Some(t),
            "mutation($i: BookEvaluationInput!) { bookEvaluation(input: $i) { lead { id } userErrors { field code message } } }",
            json!({"i": {"leadId": lead, "sessionId": c.group_session}}),
        )
        .await;
    assert_eq!(
        user_error(&not_eval, "bookEvaluation")["field"],
        json!(["input", "sessionId"]),
        "{not_eval}"
    );
    // Archived is final.
    app.ok(
        t,
        SET_STATUS,
        json!({"i": {"leadId": lead, "status": "ARCHIVED"}}),
    )
    .await;
    let back = app
        .gql(
            Some(t),
            SET_STATUS,
            json!({"i": {"leadId": lead, "status": "CONFIRMED"}}),
        )
        .await;
    assert_eq!(user_error(&back, "setLeadStatus")["code"], "INVALID_STATE");
    let leads = app
        .ok(
            t,
            "{ leads(status: ARCHIVED) { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(leads["nodes"], json!([{"id": lead}]));
}

const EXAM: &str = "mutation($i: AdvanceExamRequestInput!) { advanceExamRequest(input: $i) { request { status examDate examResult decidedAt } userErrors { field code message } } }";

#[tokio::test]
async fn teachers_record_progress_and_families_ask_for_exams() {
    let app = spawn_app().await;
    let c = cast(&app, "progress.example").await;
    let s = &c.school;
    // Ada teaches Lily: she grants her an award; not Sam, whom she does
    // not teach.
    const AWARD: &str = "mutation($i: GrantAwardInput!) { grantAward(input: $i) { award { title type badgeColor } userErrors { field code message } } }";
    let award = app
        .ok(
            &c.teacher,
            AWARD,
            json!({"i": {"studentId": s.student, "title": "Grade 1 pieces", "type": "GRADE_MILESTONE", "badgeColor": "#1F8A70"}}),
        )
        .await;
    assert_eq!(award["award"]["badgeColor"], "#1f8a70");
    let not_hers = app
        .gql(
            Some(&c.teacher),
            AWARD,
            json!({"i": {"studentId": c.sam, "title": "x", "type": "CUSTOM"}}),
        )
        .await;
    assert_eq!(
        not_hers["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{not_hers}"
    );
    // The parent asks for an exam; only a teacher or the office moves it.
    let request = app
        .ok(
            &c.parent,
            "mutation($i: RequestExamInput!) { requestExam(input: $i) { request { id status } userErrors { code message } } }",
            json!({"i": {"studentId": s.student, "examType": "ABRSM Grade 1", "requestedDate": "2026-06-01"}}),
        )
        .await["request"]
        .clone();
    assert_eq!(request["status"], "PENDING");
    let id = request["id"].as_str().unwrap().to_owned();
    let step = |status: &str, extra: Value| {
        let mut i = json!({"requestId": id, "status": status});
        i.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "i": i })
    };
    let by_parent = app
        .gql(Some(&c.parent), EXAM, step("APPROVED", json!({})))
        .await;
    assert_eq!(by_parent["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let approved = app.ok(&c.teacher, EXAM, step("APPROVED", json!({}))).await;
    assert_eq!(approved["request"]["status"], "APPROVED");
    assert!(approved["request"]["decidedAt"].is_string());
    let no_date = app
        .gql(Some(&c.teacher), EXAM, step("SCHEDULED", json!({})))
        .await;
    assert_eq!(
        user_error(&no_date, "advanceExamRequest")["field"],
        json!(["input", "examDate"])
    );
    app.ok(
        &s.token,
        EXAM,
        step("SCHEDULED", json!({"examDate": "2026-06-10T09:00:00Z"})),
    )
    .await;
    app.ok(&s.token, EXAM, step("COMPLETED", json!({}))).await;
    let skip_back = app
        .gql(Some(&s.token), EXAM, step("APPROVED", json!({})))
        .await;
    let e = user_error(&skip_back, "advanceExamRequest");
    assert_eq!(e["code"], "INVALID_STATE");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("COMPLETED to APPROVED")
    );
    let graded = app
        .ok(
            &c.teacher,
            EXAM,
            step("RESULTS_RECEIVED", json!({"result": "Merit"})),
        )
        .await;
    assert_eq!(graded["request"]["examResult"], "Merit");
    assert_eq!(graded["request"]["examDate"], "2026-06-10T09:00:00Z");
    // The family sees both; the teacher sees progress but not what the
    // family pays, nor the student's QR code.
    let family = app
        .ok(
            &c.parent,
            "query($s: ID!) { node(id: $s) { ... on Student { awards { title } examRequests { status } } } }",
            json!({"s": s.student}),
        )
        .await;
    assert_eq!(family["awards"], json!([{"title": "Grade 1 pieces"}]));
    assert_eq!(
        family["examRequests"],
        json!([{"status": "RESULTS_RECEIVED"}])
    );
    let teacher = app
        .gql(
            Some(&c.teacher),
            "query($s: ID!) { node(id: $s) { ... on Student { awards { title } qrCode } } }",
            json!({"s": s.student}),
        )
        .await;
    assert_eq!(teacher["data"]["node"]["qrCode"], Value::Null, "{teacher}");
    assert_eq!(
        teacher["data"]["node"]["awards"],
        json!([{"title": "Grade 1 pieces"}])
    );
    let money = app
        .gql(
            Some(&c.teacher),
            "query($s: ID!) { node(id: $s) { ... on Student { subscriptions { endDate } } } }",
            json!({"s": s.student}),
        )
        .await;
    assert_eq!(
        money["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{money}"
    );
}

#[tokio::test]
async fn a_refused_conversion_leaves_nothing_behind() {
    let app = spawn_app().await;
    let c = cast(&app, "convert-taken.example").await;
    let s = &c.school;
    let t = &s.token;
    // The caller's email already has a login (the cast's parent).
    let lead = app
        .ok(
            t,
            CREATE_LEAD,
            json!({"i": {"parentName": "P", "parentEmail": "parent@convert-taken.example", "childFirstName": "Kim", "childLastName": "Lee"}}),
        )
        .await["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let evaluation = app
        .ok(t, "mutation { createOffering(input: {title: \"Evaluation\", kind: EVALUATION, defaultDurationMinutes: 30, defaultCapacity: 1}) { offering { id } userErrors { code } } }", json!({}))
        .await["offering"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = app
        .ok(
            t,
            "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code message } } }",
            json!({"i": {"offeringId": evaluation, "locationId": s.location, "teacherId": s.ada, "capacity": 1, "startsAt": "2026-03-04T10:00:00Z"}}),
        )
        .await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        t,
        "mutation($i: BookEvaluationInput!) { bookEvaluation(input: $i) { lead { id } userErrors { code message } } }",
        json!({"i": {"leadId": lead, "sessionId": session}}),
    )
    .await;
    app.ok(
        t,
        SET_STATUS,
        json!({"i": {"leadId": lead, "status": "EVALUATION_COMPLETE"}}),
    )
    .await;
    let students =
        async || app.ok(t, "{ students { totalCount } }", json!({})).await["totalCount"].clone();
    let before = students().await;
    let body = app
        .gql(
            Some(t),
            CONVERT,
            json!({"i": {"leadId": lead, "parentFirstName": "P", "parentLastName": "Lee", "parentPassword": "s3cret-pass"}}),
        )
        .await;
    assert_eq!(user_error(&body, "convertLead")["code"], "TAKEN", "{body}");
    assert_eq!(students().await, before, "no student was left behind");
    let still = app
        .ok(
            t,
            "query($l: ID!) { node(id: $l) { ... on Lead { status student { id } } } }",
            json!({"l": lead}),
        )
        .await;
    assert_eq!(
        still,
        json!({"status": "EVALUATION_COMPLETE", "student": null})
    );
}
