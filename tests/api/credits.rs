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
pub async fn choir(app: &TestApp, c: &Cast, day: u32, capacity: i32) -> String {
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

pub async fn book(app: &TestApp, c: &Cast, session: &str) {
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

const REFUND: &str = "mutation($i: RefundCreditInput!) { refundCredit(input: $i) { credit { state } payment { status refundedMinor } userErrors { field code message } } }";

/// The states of Lily's credits, oldest first, and her balance.
async fn ledger(app: &TestApp, c: &Cast) -> (Vec<String>, i64) {
    let mine = credits(app, c).await;
    let states = mine["makeupCredits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap().to_owned())
        .collect();
    (states, mine["makeupCreditBalance"].as_i64().unwrap())
}

#[tokio::test]
async fn a_credit_comes_back_with_its_cancelled_makeup_and_goes_with_a_corrected_mark() {
    let app = spawn_app().await;
    let c = cast(&app, "returns.example").await;
    let t = &c.school.token;
    let lily = &c.school.student;
    let missed = choir(&app, &c, 2, 6).await;
    book(&app, &c, &missed).await;
    let excused =
        json!({"i": {"sessionId": missed, "entries": [{"studentId": lily, "status": "EXCUSED"}]}});
    let present =
        json!({"i": {"sessionId": missed, "entries": [{"studentId": lily, "status": "PRESENT"}]}});
    app.ok(t, MARK, excused.clone()).await;
    assert_eq!(ledger(&app, &c).await, (vec!["AVAILABLE".into()], 1));

    // The teacher corrects the mark: the credit is revoked, and marking
    // the absence again grants it again (one credit per missed session).
    app.ok(t, MARK, present.clone()).await;
    assert_eq!(ledger(&app, &c).await, (vec!["REVOKED".into()], 0));
    app.ok(t, MARK, excused.clone()).await;
    let (states, balance) = ledger(&app, &c).await;
    assert_eq!((states, balance), (vec!["AVAILABLE".into()], 1));
    let credit = credits(&app, &c).await["makeupCredits"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The parent books a make-up, then cancels it: the credit comes back
    // and books another, which the school then cancels: back again, and
    // no second credit for that session.
    let first = choir(&app, &c, 9, 6).await;
    let booking = app
        .ok(
            &c.parent,
            MAKEUP,
            json!({"i": {"creditId": credit, "sessionId": first}}),
        )
        .await["booking"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(ledger(&app, &c).await.1, 0);
    app.ok(
        &c.parent,
        "mutation($i: CancelBookingInput!) { cancelBooking(input: $i) { cancelled { status } userErrors { field code message } } }",
        json!({"i": {"bookingId": booking}}),
    )
    .await;
    assert_eq!(
        ledger(&app, &c).await,
        (vec!["AVAILABLE".into()], 1),
        "a cancelled make-up gives its credit back"
    );
    let second = choir(&app, &c, 16, 6).await;
    app.ok(
        &c.parent,
        MAKEUP,
        json!({"i": {"creditId": credit, "sessionId": second}}),
    )
    .await;
    app.ok(
        t,
        "mutation($i: CancelSessionInput!) { cancelSession(input: $i) { session { id } userErrors { code } } }",
        json!({"i": {"sessionId": second, "byTeacher": true, "reason": "teacher ill"}}),
    )
    .await;
    assert_eq!(
        ledger(&app, &c).await,
        (vec!["AVAILABLE".into()], 1),
        "the same credit back, not a second one"
    );
    let entries = app
        .ok(
            &c.parent,
            "query($s: ID!) { node(id: $s) { ... on Student { makeupCredits { entries { kind amount } } } } }",
            json!({"s": lily}),
        )
        .await["makeupCredits"][0]["entries"]
        .clone();
    let kinds: Vec<(&str, i64)> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["amount"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("GRANTED", 1),
            ("REVOKED", -1),
            ("GRANTED", 1),
            ("USED", -1),
            ("RETURNED", 1),
            ("USED", -1),
            ("RETURNED", 1),
        ],
        "the ledger says what happened, in order"
    );

    // A make-up moved to another session stays free and paid for by the
    // credit; cancelling the moved one gives the credit back.
    let fourth = choir(&app, &c, 20, 6).await;
    let fifth = choir(&app, &c, 21, 6).await;
    let booked = app
        .ok(
            &c.parent,
            MAKEUP,
            json!({"i": {"creditId": credit, "sessionId": fourth}}),
        )
        .await["booking"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = app
        .ok(
            &c.parent,
            "mutation($i: RescheduleBookingInput!) { rescheduleBooking(input: $i) { booking { id price { amountMinor } } userErrors { field code message } } }",
            json!({"i": {"bookingId": booked, "sessionId": fifth}}),
        )
        .await["booking"]
        .clone();
    assert_eq!(moved["price"]["amountMinor"], 0, "still a free make-up");
    assert_eq!(ledger(&app, &c).await, (vec!["USED".into()], 0));
    app.ok(
        &c.parent,
        "mutation($i: CancelBookingInput!) { cancelBooking(input: $i) { cancelled { status } userErrors { field code message } } }",
        json!({"i": {"bookingId": moved["id"]}}),
    )
    .await;
    assert_eq!(
        ledger(&app, &c).await,
        (vec!["AVAILABLE".into()], 1),
        "the moved make-up gives the credit back"
    );

    // Used for a make-up that happened, a corrected mark keeps it: the
    // lesson was given.
    let third = choir(&app, &c, 23, 6).await;
    app.ok(
        &c.parent,
        MAKEUP,
        json!({"i": {"creditId": credit, "sessionId": third}}),
    )
    .await;
    app.ok(t, MARK, present).await;
    assert_eq!(ledger(&app, &c).await, (vec!["USED".into()], 0));
}

#[tokio::test]
async fn the_office_pays_a_missed_lesson_back_instead_of_a_makeup() {
    let app = spawn_app().await;
    let c = cast(&app, "refunds.example").await;
    let t = &c.school.token;
    let lily = &c.school.student;
    let missed = choir(&app, &c, 2, 6).await;
    book(&app, &c, &missed).await;
    app.ok(
        t,
        MARK,
        json!({"i": {"sessionId": missed, "entries": [{"studentId": lily, "status": "EXCUSED"}]}}),
    )
    .await;
    let credit = credits(&app, &c).await["makeupCredits"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The family paid 30.00 for the month in cash.
    let invoice = app
        .ok(
            t,
            "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"familyId": c.family, "dueDate": "2026-03-31", "lines": [{"description": "Choir, March", "unitMinor": 3000}]}}),
        )
        .await["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        t,
        "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
        json!({"i": {"invoiceId": invoice}}),
    )
    .await;
    let payment = app
        .ok(
            t,
            "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } userErrors { code } } }",
            json!({"i": {"invoiceId": invoice, "amountMinor": 3000, "method": "CASH"}}),
        )
        .await["payment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Sam's family paid nothing on that invoice: Sam's payment is not
    // Lily's to refund.
    let sams = app
        .ok(
            t,
            "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"studentId": c.sam, "dueDate": "2026-03-31", "lines": [{"description": "Guitar", "unitMinor": 2000}]}}),
        )
        .await["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        t,
        "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
        json!({"i": {"invoiceId": sams}}),
    )
    .await;
    let sams_payment = app
        .ok(
            t,
            "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } userErrors { code } } }",
            json!({"i": {"invoiceId": sams, "amountMinor": 2000, "method": "CASH"}}),
        )
        .await["payment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app
        .gql(
            Some(t),
            REFUND,
            json!({"i": {"creditId": credit, "paymentId": sams_payment, "amountMinor": 1000}}),
        )
        .await["data"]["refundCredit"]
        .clone();
    assert_eq!(
        other["userErrors"][0]["field"],
        json!(["input", "paymentId"]),
        "{other}"
    );

    // The parent may not; asking for more than was paid changes nothing.
    let parent = app
        .gql(Some(&c.parent), REFUND, json!({"i": {"creditId": credit}}))
        .await;
    assert_eq!(parent["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let too_much = app
        .gql(
            Some(t),
            REFUND,
            json!({"i": {"creditId": credit, "paymentId": payment, "amountMinor": 5000}}),
        )
        .await["data"]["refundCredit"]
        .clone();
    assert_eq!(
        too_much["userErrors"][0]["field"],
        json!(["input", "amountMinor"])
    );
    assert_eq!(
        ledger(&app, &c).await,
        (vec!["AVAILABLE".into()], 1),
        "all or nothing"
    );

    // One lesson's worth (10.00) back, and the credit closed with it.
    let refunded = app
        .ok(
            t,
            REFUND,
            json!({"i": {"creditId": credit, "paymentId": payment, "amountMinor": 1000}}),
        )
        .await;
    assert_eq!(refunded["credit"]["state"], "REFUNDED");
    assert_eq!(refunded["payment"]["refundedMinor"], 1000);
    assert_eq!(ledger(&app, &c).await, (vec!["REFUNDED".into()], 0));
    // Refunded once; it books nothing.
    let again = app
        .gql(Some(t), REFUND, json!({"i": {"creditId": credit}}))
        .await["data"]["refundCredit"]
        .clone();
    assert_eq!(again["userErrors"][0]["code"], "INVALID_STATE");
    let makeup = choir(&app, &c, 9, 6).await;
    let used = app
        .gql(
            Some(&c.parent),
            MAKEUP,
            json!({"i": {"creditId": credit, "sessionId": makeup}}),
        )
        .await["data"]["bookMakeup"]
        .clone();
    assert_eq!(used["userErrors"][0]["code"], "INVALID_STATE");
}

/// Statements per request do not grow with the credits, entries, invoices
/// and installments listed: each is read in one batch.
#[tokio::test]
async fn money_lists_cost_the_same_statements_for_one_row_or_many() {
    let app = spawn_app().await;
    let c = cast(&app, "money-counts.example").await;
    let t = &c.school.token;
    const LIST: &str = "{ students(first: 50) { nodes { makeupCreditBalance makeupCredits { state entries { kind } } subscriptions { installments { status invoice { id status } } } } }
                        invoices(first: 50) { nodes { number status lines { description } payments { amountMinor } family { id } } } }";
    let excuse = async |day: u32, students: &[&str]| {
        let s = choir(&app, &c, day, 6).await;
        for st in students {
            app.ok(
                t,
                "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code message } } }",
                json!({"i": {"sessionId": s, "studentId": st}}),
            )
            .await;
        }
        let entries: Vec<Value> = students
            .iter()
            .map(|st| json!({"studentId": st, "status": "EXCUSED"}))
            .collect();
        app.ok(t, MARK, json!({"i": {"sessionId": s, "entries": entries}}))
            .await;
    };
    let invoice = async || {
        let id = app
            .ok(
                t,
                "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
                json!({"i": {"familyId": c.family, "dueDate": "2026-03-31", "lines": [{"description": "Piano", "unitMinor": 5000}]}}),
            )
            .await["invoice"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.ok(
            t,
            "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"invoiceId": id}}),
        )
        .await;
        app.ok(
            t,
            "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } userErrors { code } } }",
            json!({"i": {"invoiceId": id, "amountMinor": 1000, "method": "CASH"}}),
        )
        .await;
    };
    let programme = app
        .ok(
            t,
            "mutation { createProgramme(input: {name: \"Little Mozarts\"}) { programme { id } userErrors { code } } }",
            json!({}),
        )
        .await["programme"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A subscription with two installments, the first invoiced.
    let subscribe = async |student: &str| {
        let installments = app
            .ok(
                t,
                "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { installments { id } } userErrors { code } } }",
                json!({"i": {"studentId": student, "programmeId": programme, "startDate": "2026-03-01", "endDate": "2026-06-30",
                             "installments": [{"dueDate": "2026-03-10", "amountMinor": 9000}, {"dueDate": "2026-04-10", "amountMinor": 9000}]}}),
            )
            .await["subscription"]["installments"]
            .clone();
        app.ok(
            t,
            "mutation($i: InvoiceInstallmentInput!) { invoiceInstallment(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"installmentId": installments[0]["id"]}}),
        )
        .await;
    };
    let count = async || {
        let before = app.db.statements();
        let body = app.gql(Some(t), LIST, json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
        app.db.statements() - before
    };
    excuse(2, &[&c.school.student]).await;
    invoice().await;
    subscribe(&c.school.student).await;
    let few = count().await;
    // More students, each with credits; more credits and invoices.
    for day in [9, 16, 23] {
        let extra = app
            .ok(
                t,
                "mutation($n: String!) { createStudent(input: {firstName: $n, lastName: \"Extra\"}) { student { id } userErrors { code } } }",
                json!({"n": format!("Pupil{day}")}),
            )
            .await["student"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        excuse(day, &[&c.school.student, &c.sam, &extra]).await;
        invoice().await;
        subscribe(&extra).await;
    }
    let many = count().await;
    assert_eq!(many, few, "statements for many rows vs one");
}

/// A make-up the teacher declines gives its credit back; one moved to a
/// session of another offering is charged as booked, and the credit is
/// available again.
#[tokio::test]
async fn a_declined_makeup_returns_its_credit_and_a_move_elsewhere_is_charged() {
    let app = spawn_app().await;
    let c = cast(&app, "declines.example").await;
    let s = &c.school;
    let t = &s.token;
    let missed = choir(&app, &c, 2, 6).await;
    book(&app, &c, &missed).await;
    app.ok(
        t,
        MARK,
        json!({"i": {"sessionId": missed, "entries": [{"studentId": s.student, "status": "EXCUSED"}]}}),
    )
    .await;
    let credit = credits(&app, &c).await["makeupCredits"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Bob approves group places himself; his Choir session on 9 March.
    app.ok(
        t,
        "mutation($t: ID!) { setBookingPolicy(input: {teacherId: $t, requiresApprovalGroup: true}) { userErrors { code } } }",
        json!({"t": s.bob}),
    )
    .await;
    let bobs = app
        .ok(
            t,
            "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code message } } }",
            json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.bob, "capacity": 6,
                         "startsAt": "2026-03-09T16:00:00Z", "endsAt": "2026-03-09T17:00:00Z", "allowConflicts": true}}),
        )
        .await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let asked = app
        .ok(
            &c.parent,
            MAKEUP,
            json!({"i": {"creditId": credit, "sessionId": bobs}}),
        )
        .await;
    assert_eq!(asked["booking"]["status"], "PENDING");
    assert_eq!(credits(&app, &c).await["makeupCreditBalance"], 0);
    app.ok(
        t,
        "mutation($b: ID!) { declineBooking(input: {bookingId: $b, reason: \"full that week\"}) { booking { status } userErrors { code } } }",
        json!({"b": asked["booking"]["id"]}),
    )
    .await;
    assert_eq!(
        credits(&app, &c).await["makeupCreditBalance"],
        1,
        "a declined make-up gives the credit back"
    );

    // Booked again, then moved to a session of another offering: that
    // place is charged, and the credit is free for a Choir session.
    let makeup = choir(&app, &c, 16, 6).await;
    let booked = app
        .ok(
            &c.parent,
            MAKEUP,
            json!({"i": {"creditId": credit, "sessionId": makeup}}),
        )
        .await["booking"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ensemble = app
        .ok(t, "mutation { createOffering(input: {title: \"Ensemble\", kind: GROUP, defaultDurationMinutes: 60, defaultCapacity: 10, priceMinor: 1500}) { offering { id } userErrors { code } } }", json!({}))
        .await["offering"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app
        .ok(
            t,
            "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code message } } }",
            json!({"i": {"offeringId": ensemble, "locationId": s.location, "capacity": 6,
                         "startsAt": "2026-03-17T14:00:00Z", "endsAt": "2026-03-17T15:00:00Z"}}),
        )
        .await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = app
        .ok(
            &c.parent,
            "mutation($i: RescheduleBookingInput!) { rescheduleBooking(input: $i) { booking { price { amountMinor } } userErrors { field code message } } }",
            json!({"i": {"bookingId": booked, "sessionId": other}}),
        )
        .await;
    assert_eq!(moved["booking"]["price"]["amountMinor"], 1500, "{moved}");
    assert_eq!(credits(&app, &c).await["makeupCreditBalance"], 1);
}
