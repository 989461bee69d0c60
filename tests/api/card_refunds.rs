//! Card refunds over HTTP (issue 12): the money goes back at Stripe first
//! (through the fake Stripe on loopback), then the refund is recorded;
//! Stripe's refund id is on the books once, however often the request is
//! retried or raced, and a make-up credit paid back by card refunds at
//! Stripe in the same step.

use std::sync::Arc;

use serde_json::json;

use crate::billing::{WEBHOOK_SECRET, deliver, fake_stripe};
use crate::helpers::{spawn_app_with, test_config};
use crate::roles::cast;

const REFUND: &str = "mutation($i: RefundPaymentInput!) { refundPayment(input: $i) { payment { status refundedMinor } invoice { status paidMinor } userErrors { field code message } } }";
const PAYMENTS: &str =
    "query($id: ID!) { node(id: $id) { ... on Invoice { paidMinor payments { refundedMinor } } } }";

/// Refunds Stripe has made (its ids start `re_`).
fn refunds_at_stripe(
    keys: &std::sync::Mutex<std::collections::HashMap<String, (String, String)>>,
) -> usize {
    keys.lock()
        .unwrap()
        .values()
        .filter(|(_, id)| id.starts_with("re_"))
        .count()
}

#[tokio::test]
async fn a_card_refund_is_made_at_stripe_and_recorded_once() {
    let (stripe, keys) = fake_stripe().await;
    let app = Arc::new(
        spawn_app_with(gateway::Config {
            stripe_api_base: Some(stripe),
            stripe_secret_key: Some("sk_test_ostinato".into()),
            stripe_webhook_secret: Some(WEBHOOK_SECRET.into()),
            ..test_config()
        })
        .await,
    );
    let c = Arc::new(cast(&app, "card-refunds.example").await);
    let office = c.school.token.clone();
    let invoice = app
        .ok(
            &office,
            "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"familyId": c.family, "dueDate": "2026-03-31", "lines": [{"description": "Piano, March", "unitMinor": 9000}]}}),
        )
        .await["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        &office,
        "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
        json!({"i": {"invoiceId": invoice}}),
    )
    .await;
    let started = app
        .ok(
            &c.parent,
            "mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id stripePaymentIntentId } userErrors { code } } }",
            json!({"i": {"invoiceId": invoice}}),
        )
        .await["payment"]
        .clone();
    let payment = started["id"].as_str().unwrap().to_owned();
    let event = json!({"id": "evt_refund_1", "object": "event", "type": "payment_intent.succeeded",
        "data": {"object": {"id": started["stripePaymentIntentId"], "object": "payment_intent", "status": "succeeded"}}});
    let now = crate::helpers::now().timestamp();
    assert_eq!(deliver(&app, &event, WEBHOOK_SECRET, now).await.0, 200);

    // 30.00 back with a key, asked twice: one refund at Stripe, one here.
    let ask = json!({"i": {"paymentId": payment, "amountMinor": 3000, "idempotencyKey": "card-refund-1"}});
    let first = app.ok(&office, REFUND, ask.clone()).await;
    assert_eq!(first["payment"]["refundedMinor"], 3000);
    assert_eq!(
        first["invoice"],
        json!({"status": "OPEN", "paidMinor": 6000})
    );
    let again = app.ok(&office, REFUND, ask).await;
    assert_eq!(again["payment"], first["payment"]);
    assert_eq!(refunds_at_stripe(&keys), 1);
    // The same key for another amount is refused before Stripe is asked.
    let reused = app
        .gql(
            Some(&office),
            REFUND,
            json!({"i": {"paymentId": payment, "amountMinor": 1000, "idempotencyKey": "card-refund-1"}}),
        )
        .await["data"]["refundPayment"]
        .clone();
    assert_eq!(reused["userErrors"][0]["code"], "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(refunds_at_stripe(&keys), 1, "Stripe was not asked");

    // Ten identical refunds of 10.00 at once, without a key: however many
    // Stripe made, each is on the books exactly once.
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (app, office, payment) = (app.clone(), office.clone(), payment.clone());
            tokio::spawn(async move {
                app.gql(
                    Some(&office),
                    REFUND,
                    json!({"i": {"paymentId": payment, "amountMinor": 1000}}),
                )
                .await
            })
        })
        .collect();
    for t in tasks {
        let body = t.await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
    }
    let made = refunds_at_stripe(&keys) - 1;
    assert!((1..=6).contains(&made), "{made} refunds at Stripe");
    let books = app.ok(&office, PAYMENTS, json!({"id": invoice})).await;
    assert_eq!(
        books["payments"][0]["refundedMinor"],
        3000 + 1000 * made as i64,
        "each Stripe refund recorded once"
    );
    assert_eq!(books["paidMinor"], 6000 - 1000 * made as i64);

    // A missed lesson paid back by card: the credit closes and Stripe
    // refunds in the same step.
    let missed = crate::credits::choir(&app, &c, 2, 6).await;
    crate::credits::book(&app, &c, &missed).await;
    app.ok(
        &office,
        "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { code } } }",
        json!({"i": {"sessionId": missed, "entries": [{"studentId": c.school.student, "status": "EXCUSED"}]}}),
    )
    .await;
    let credit = app
        .ok(
            &office,
            "query($s: ID!) { node(id: $s) { ... on Student { makeupCredits { id } } } }",
            json!({"s": c.school.student}),
        )
        .await["makeupCredits"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = refunds_at_stripe(&keys);
    let refunded = app
        .ok(
            &office,
            "mutation($i: RefundCreditInput!) { refundCredit(input: $i) { credit { state } payment { refundedMinor } userErrors { field code message } } }",
            json!({"i": {"creditId": credit, "paymentId": payment, "amountMinor": 500}}),
        )
        .await;
    assert_eq!(refunded["credit"]["state"], "REFUNDED");
    assert_eq!(
        refunded["payment"]["refundedMinor"],
        3500 + 1000 * made as i64
    );
    assert_eq!(refunds_at_stripe(&keys), before + 1);
    // Refunded once: asking again reaches neither Stripe nor the books.
    let twice = app
        .gql(
            Some(&office),
            "mutation($i: RefundCreditInput!) { refundCredit(input: $i) { credit { state } userErrors { code } } }",
            json!({"i": {"creditId": credit, "paymentId": payment, "amountMinor": 500}}),
        )
        .await;
    assert_eq!(
        twice["data"]["refundCredit"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    assert_eq!(refunds_at_stripe(&keys), before + 1);
}

#[tokio::test]
async fn refunds_and_disputes_made_at_stripe_reach_the_books() {
    let (stripe, keys) = fake_stripe().await;
    let app = spawn_app_with(gateway::Config {
        stripe_api_base: Some(stripe),
        stripe_secret_key: Some("sk_test_ostinato".into()),
        stripe_webhook_secret: Some(WEBHOOK_SECRET.into()),
        ..test_config()
    })
    .await;
    let c = cast(&app, "dashboard.example").await;
    let office = c.school.token.as_str();
    let invoice = app
        .ok(
            office,
            "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"familyId": c.family, "dueDate": "2026-03-31", "lines": [{"description": "Piano, March", "unitMinor": 9000}]}}),
        )
        .await["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        office,
        "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
        json!({"i": {"invoiceId": invoice}}),
    )
    .await;
    let started = app
        .ok(
            &c.parent,
            "mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id stripePaymentIntentId } userErrors { code } } }",
            json!({"i": {"invoiceId": invoice}}),
        )
        .await["payment"]
        .clone();
    let intent = started["stripePaymentIntentId"]
        .as_str()
        .unwrap()
        .to_owned();
    let payment = started["id"].as_str().unwrap().to_owned();
    let now = crate::helpers::now().timestamp();
    let event = |id: &str, kind: &str, object: serde_json::Value| json!({"id": id, "object": "event", "type": kind, "data": {"object": object}});
    let send = async |e: serde_json::Value| {
        let (status, body) = deliver(&app, &e, WEBHOOK_SECRET, now).await;
        assert_eq!(status, 200, "{body}");
        body["message"].as_str().unwrap_or_default().to_owned()
    };
    send(event(
        "evt_d1",
        "payment_intent.succeeded",
        json!({"id": intent, "object": "payment_intent", "status": "succeeded"}),
    ))
    .await;
    const BOOKS: &str = "query($id: ID!) { node(id: $id) { ... on Invoice { status paidMinor payments { status refundedMinor } } } }";
    let books = async || app.ok(office, BOOKS, json!({"id": invoice})).await;

    // Our own refund, then Stripe's event about it: on the books once.
    app.ok(
        office,
        "mutation($i: RefundPaymentInput!) { refundPayment(input: $i) { payment { id } userErrors { code message } } }",
        json!({"i": {"paymentId": payment, "amountMinor": 2000}}),
    )
    .await;
    let ours = keys
        .lock()
        .unwrap()
        .values()
        .find(|(_, id)| id.starts_with("re_"))
        .unwrap()
        .1
        .clone();
    let refund = |id: &str, amount: i64| json!({"id": id, "object": "refund", "status": "succeeded", "amount": amount, "payment_intent": intent});
    send(event("evt_d2", "refund.created", refund(&ours, 2000))).await;
    assert_eq!(books().await["payments"][0]["refundedMinor"], 2000);

    // A refund made in Stripe's dashboard: recorded, once, whichever
    // events tell of it.
    send(event(
        "evt_d3",
        "refund.created",
        refund("re_dashboard_1", 1500),
    ))
    .await;
    assert_eq!(
        send(event(
            "evt_d3",
            "refund.created",
            refund("re_dashboard_1", 1500)
        ))
        .await,
        "already applied"
    );
    send(event(
        "evt_d4",
        "refund.updated",
        refund("re_dashboard_1", 1500),
    ))
    .await;
    let after = books().await;
    assert_eq!(after["payments"][0]["refundedMinor"], 3500);
    assert_eq!(after["paidMinor"], 5500);

    // A dispute holds the money (the invoice owes it again); won, it is
    // back; a second one lost refunds what was left.
    let dispute = |id: &str, status: &str| json!({"id": id, "object": "dispute", "status": status, "amount": 5500, "payment_intent": intent});
    send(event(
        "evt_d5",
        "charge.dispute.created",
        dispute("dp_1", "needs_response"),
    ))
    .await;
    let held = books().await;
    assert_eq!(held["payments"][0]["status"], "DISPUTED");
    assert_eq!(
        (&held["status"], &held["paidMinor"]),
        (&json!("OPEN"), &json!(0))
    );
    // A late "succeeded" (Stripe retries for days, in no order) does not
    // end the dispute; a refund of held money is refused for Stripe to
    // deliver again (503: the event is not stored).
    send(event(
        "evt_d5b",
        "payment_intent.succeeded",
        json!({"id": intent, "object": "payment_intent", "status": "succeeded"}),
    ))
    .await;
    assert_eq!(books().await["payments"][0]["status"], "DISPUTED");
    let held_refund = event("evt_d5c", "refund.created", refund("re_held", 100));
    let (status, _) = deliver(&app, &held_refund, WEBHOOK_SECRET, now).await;
    assert_eq!(status, 503);
    assert_eq!(books().await["payments"][0]["refundedMinor"], 3500);
    send(event(
        "evt_d6",
        "charge.dispute.closed",
        dispute("dp_1", "won"),
    ))
    .await;
    // An inquiry moves no money.
    send(event(
        "evt_d6b",
        "charge.dispute.created",
        dispute("dp_inquiry", "warning_needs_response"),
    ))
    .await;
    let won = books().await;
    assert_eq!(won["payments"][0]["status"], "COMPLETED");
    assert_eq!(won["paidMinor"], 5500);
    send(event(
        "evt_d7",
        "charge.dispute.created",
        dispute("dp_2", "needs_response"),
    ))
    .await;
    send(event(
        "evt_d8",
        "charge.dispute.closed",
        dispute("dp_2", "lost"),
    ))
    .await;
    let lost = books().await;
    assert_eq!(lost["payments"][0]["status"], "REFUNDED");
    assert_eq!(lost["payments"][0]["refundedMinor"], 9000);
    assert_eq!(lost["paidMinor"], 0);
    let balance = app
        .ok(
            office,
            "query($f: ID!) { node(id: $f) { ... on Family { balanceMinor } } }",
            json!({"f": c.family}),
        )
        .await;
    assert_eq!(
        balance["balanceMinor"], 9000,
        "the family owes it all again"
    );
}
