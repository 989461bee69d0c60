//! Attendance that drives money, and make-up credits, over HTTP (issue
//! 12): school-defined statuses, a credit granted by an excused absence
//! or a cancelled session (once), used once by `bookMakeup` however many
//! requests race, and the ledger balance.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::roles::{Cast, cast};

const STATUSES: &str = "mutation($i: SetAttendanceStatusesInput!) { setAttendanceStatuses(input: $i) { policy { statuses { code countsAs grantsCredit } creditExpiryDays } userErrors { field code message } } }";
const MARK: &str = "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { field code message } } }";
const CREDITS: &str = "query($s: ID!) { node(id: $s) { ... on Student { makeupCreditBalance makeupCredits { id state reason expiresOn } } } }";
const MAKEUP: &str = "mutation($i: BookMakeupInput!) { bookMakeup(input: $i) { booking { id status price { amountMinor } } credit { state } userErrors { field code message } } }";

/// A one-off Choir session on `day` March 2026, 14:00–15:00 UTC.
async fn choir(app: &TestApp, c: &Cast, day: u32, capacity: i32) -> String {
    let s = &c.school;
    app.ok(
        &s.token,
        "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code message } } }",
        json!({"i": {"offeringId": s.offering, "locationId": s.location, "capacity": capacity,
                     "startsAt": format!("2026-03-{day:02}T14:00:00Z"), "endsAt": format!("2026-03-{day:02}T15:00:00Z")}}),
    )
    .await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn book(app: &TestApp, c: &Cast, session: &str) {
    app.ok(
        &c.parent,
        "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code message } } }",
        json!({"i": {"sessionId": session, "studentId": c.school.student}}),
    )
    .await;
}

async fn credits(app: &TestApp, c: &Cast) -> Value {
    app.ok(&c.parent, CREDITS, json!({"s": c.school.student}))
        .await
}

#[tokio::test]
async fn an_excused_absence_grants_one_credit_that_books_one_makeup() {
    let app = Arc::new(spawn_app().await);
    let c = Arc::new(cast(&app, "makeups.example").await);
    let t = &c.school.token;
    // The school's own status: SICK, an absence that grants a credit.
    let set = app
        .ok(
            t,
            STATUSES,
            json!({"i": {"statuses": [{"code": "SICK", "label": "Sick", "countsAs": "ABSENT", "billed": true, "teacherPaid": false, "grantsCredit": true}],
                         "creditExpiryDays": 30}}),
        )
        .await;
    assert_eq!(set["policy"]["creditExpiryDays"], 30);
    assert!(
        set["policy"]["statuses"]
            .as_array()
            .unwrap()
            .contains(&json!({"code": "EXCUSED", "countsAs": "EXCUSED", "grantsCredit": true}))
    );
    let missed = choir(&app, &c, 2, 6).await;
    book(&app, &c, &missed).await;
    // A school code must count as the mark it comes with.
    let wrong = app
        .gql(
            Some(t),
            MARK,
            json!({"i": {"sessionId": missed, "entries": [{"studentId": c.school.student, "status": "PRESENT", "code": "SICK"}]}}),
        )
        .await;
    assert_eq!(
        wrong["data"]["recordAttendance"]["userErrors"][0]["message"],
        "SICK counts as ABSENT, not PRESENT"
    );
    // Lily is off sick: one credit, however often the mark is saved.
    for _ in 0..2 {
        app.ok(
            t,
            MARK,
            json!({"i": {"sessionId": missed, "entries": [{"studentId": c.school.student, "status": "ABSENT", "code": "SICK"}]}}),
        )
        .await;
    }
    let mine = credits(&app, &c).await;
    assert_eq!(mine["makeupCreditBalance"], 1);
    let credit = &mine["makeupCredits"][0];
    assert_eq!(
        (&credit["state"], &credit["reason"], &credit["expiresOn"]),
        (
            &json!("AVAILABLE"),
            &json!("ATTENDANCE"),
            &json!("2026-03-31")
        )
    );
    let credit = credit["id"].as_str().unwrap().to_owned();

    // Ten requests race to spend it on a session with room: one wins.
    let makeup = choir(&app, &c, 9, 10).await;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (app, c, credit, makeup) = (app.clone(), c.clone(), credit.clone(), makeup.clone());
            tokio::spawn(async move {
                app.gql(
                    Some(&c.parent),
                    MAKEUP,
                    json!({"i": {"creditId": credit, "sessionId": makeup}}),
                )
                .await["data"]["bookMakeup"]
                    .clone()
            })
        })
        .collect();
    let mut booked = Vec::new();
    for t in tasks {
        let answer = t.await.unwrap();
        if answer["booking"].is_object() {
            booked.push(answer);
        } else {
            assert_eq!(answer["userErrors"][0]["code"], "INVALID_STATE", "{answer}");
        }
    }
    assert_eq!(booked.len(), 1, "the credit books one make-up");
    assert_eq!(booked[0]["booking"]["status"], "CONFIRMED");
    assert_eq!(
        booked[0]["booking"]["price"]["amountMinor"], 0,
        "already paid for"
    );
    assert_eq!(booked[0]["credit"]["state"], "USED");
    assert_eq!(credits(&app, &c).await["makeupCreditBalance"], 0);

    // A session the teacher cancels grants a credit to whoever was booked.
    let cancelled = choir(&app, &c, 16, 6).await;
    book(&app, &c, &cancelled).await;
    app.ok(
        t,
        "mutation($i: CancelSessionInput!) { cancelSession(input: $i) { session { id } userErrors { code } } }",
        json!({"i": {"sessionId": cancelled, "byTeacher": true, "reason": "teacher ill"}}),
    )
    .await;
    let mine = credits(&app, &c).await;
    assert_eq!(mine["makeupCreditBalance"], 1);
    assert_eq!(mine["makeupCredits"][1]["reason"], "CANCELLATION");

    // Unused past its expiry (30 days), the job writes it off, once.
    app.clock.advance(chrono::Duration::days(35));
    let later = crate::helpers::now() + chrono::Duration::days(35);
    assert_eq!(infra::credits::expire_due(&app.db, later).await.unwrap(), 1);
    assert_eq!(infra::credits::expire_due(&app.db, later).await.unwrap(), 0);
}
