//! Billing over HTTP (issue 12): invoices numbered without gaps under
//! concurrency, issued, paid in parts, refunded, voided; the family's
//! running balance; card payments through a fake Stripe on loopback that
//! speaks Stripe's wire format, completed by webhooks signed like Stripe's
//! and applied exactly once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with, test_config};
use crate::roles::{Cast, cast};

const CREATE: &str = "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id number status totalMinor } userErrors { field code message } } }";
const ISSUE: &str = "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { status issueDate } userErrors { field code message } } }";
const VOID: &str = "mutation($i: InvoiceActionInput!) { voidInvoice(input: $i) { invoice { status } userErrors { field code message } } }";
const RECORD: &str = "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id amountMinor status } invoice { status paidMinor balanceMinor } userErrors { field code message } } }";
const REFUND: &str = "mutation($i: RefundPaymentInput!) { refundPayment(input: $i) { payment { status refundedMinor } invoice { status paidMinor } userErrors { field code message } } }";
const PAY: &str = "mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id amountMinor status clientSecret stripePaymentIntentId } userErrors { field code message } } }";
const INVOICE: &str = "query($id: ID!) { node(id: $id) { ... on Invoice { number status totalMinor paidMinor balanceMinor payments { amountMinor status method } } } }";
const BALANCE: &str = "query($f: ID!) { node(id: $f) { ... on Family { balanceMinor } } }";
pub const WEBHOOK_SECRET: &str = "whsec_ostinato_test";

fn lines() -> Value {
    json!([{"description": "Piano, 4 lessons in March", "quantity": 4, "unitMinor": 2500},
           {"description": "Sibling discount", "unitMinor": -1000}])
}

/// A draft for the cast's family, due on 15 March 2026.
async fn draft(app: &TestApp, c: &Cast) -> Value {
    app.ok(
        &c.school.token,
        CREATE,
        json!({"i": {"familyId": c.family, "lines": lines(), "dueDate": "2026-03-15"}}),
    )
    .await["invoice"]
        .clone()
}

async fn issued(app: &TestApp, c: &Cast) -> String {
    let id = draft(app, c).await["id"].as_str().unwrap().to_owned();
    app.ok(&c.school.token, ISSUE, json!({"i": {"invoiceId": id}}))
        .await;
    id
}

#[tokio::test]
async fn fifty_concurrent_invoices_are_numbered_one_to_fifty() {
    let app = Arc::new(spawn_app().await);
    let c = Arc::new(cast(&app, "numbers.example").await);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (app, c) = (app.clone(), c.clone());
            tokio::spawn(async move { draft(&app, &c).await["number"].as_i64().unwrap() })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=50).collect::<Vec<i64>>(),
        "no gap, no duplicate"
    );
}

#[tokio::test]
async fn an_invoice_is_issued_paid_in_parts_refunded_and_the_balance_follows() {
    let app = spawn_app().await;
    let c = cast(&app, "ledger.example").await;
    let t = &c.school.token;
    let d = draft(&app, &c).await;
    assert_eq!(
        (d["number"].as_i64(), d["status"].as_str()),
        (Some(1), Some("DRAFT"))
    );
    assert_eq!(d["totalMinor"], 9000, "4 × 25.00 − 10.00");
    let id = d["id"].as_str().unwrap().to_owned();
    // A draft is not owed, and takes no payment.
    assert_eq!(
        app.ok(t, BALANCE, json!({"f": c.family})).await["balanceMinor"],
        0
    );
    let early = app
        .gql(
            Some(t),
            RECORD,
            json!({"i": {"invoiceId": id, "amountMinor": 100, "method": "CASH"}}),
        )
        .await;
    assert_eq!(
        early["data"]["recordPayment"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let open = app.ok(t, ISSUE, json!({"i": {"invoiceId": id}})).await;
    assert_eq!(
        open["invoice"],
        json!({"status": "OPEN", "issueDate": "2026-03-01"})
    );
    assert_eq!(
        app.ok(t, BALANCE, json!({"f": c.family})).await["balanceMinor"],
        9000
    );

    // A transfer of 40.00, sent twice with one Idempotency-Key: one payment.
    let transfer = json!({"query": RECORD, "variables": {"i": {"invoiceId": id, "amountMinor": 4000, "method": "BANK_TRANSFER", "reference": "TR-881"}}});
    let mut ids = Vec::new();
    for _ in 0..2 {
        let body: Value = app
            .client
            .post(format!("{}/graphql", app.url))
            .bearer_auth(t)
            .header("Idempotency-Key", "transfer-TR-881")
            .json(&transfer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let paid = &body["data"]["recordPayment"];
        assert_eq!(paid["invoice"]["paidMinor"], 4000, "{body}");
        ids.push(paid["payment"]["id"].clone());
    }
    assert_eq!(ids[0], ids[1], "the retry answers with the first payment");
    // More than is owed is refused with what is owed.
    let over = app
        .gql(
            Some(t),
            RECORD,
            json!({"i": {"invoiceId": id, "amountMinor": 6000, "method": "CASH"}}),
        )
        .await;
    assert_eq!(
        over["data"]["recordPayment"]["userErrors"],
        json!([{"field": ["input", "amountMinor"], "code": "INVALID",
                "message": "the invoice only has 5000 (minor units) outstanding; record at most that"}])
    );
    let rest = app
        .ok(
            t,
            RECORD,
            json!({"i": {"invoiceId": id, "amountMinor": 5000, "method": "CASH"}}),
        )
        .await;
    assert_eq!(
        rest["invoice"],
        json!({"status": "PAID", "paidMinor": 9000, "balanceMinor": 0})
    );
    assert_eq!(
        app.ok(t, BALANCE, json!({"f": c.family})).await["balanceMinor"],
        0
    );

    // A paid invoice cannot be voided; a refund re-opens it and is owed.
    let void = app
        .gql(Some(t), VOID, json!({"i": {"invoiceId": id}}))
        .await;
    assert_eq!(
        void["data"]["voidInvoice"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let cash = rest["payment"]["id"].as_str().unwrap();
    // Sent twice with one key: refunded once.
    for _ in 0..2 {
        let refunded = app
            .ok(t, REFUND, json!({"i": {"paymentId": cash, "amountMinor": 1500, "idempotencyKey": "refund-1"}}))
            .await;
        assert_eq!(
            refunded,
            json!({"payment": {"status": "COMPLETED", "refundedMinor": 1500},
                   "invoice": {"status": "OPEN", "paidMinor": 7500}, "userErrors": []})
        );
    }
    assert_eq!(
        app.ok(t, BALANCE, json!({"f": c.family})).await["balanceMinor"],
        1500
    );

    // The family sees its invoice; after the due date it is overdue.
    let seen = app
        .ok(
            &c.parent,
            "query($f: ID!) { invoices(familyId: $f, first: 5) { nodes { number status } } }",
            json!({"f": c.family}),
        )
        .await;
    assert_eq!(seen["nodes"], json!([{"number": 1, "status": "OPEN"}]));
    app.clock.advance(chrono::Duration::days(20));
    assert_eq!(
        app.ok(t, INVOICE, json!({"id": id})).await["status"],
        "OVERDUE"
    );
    // A teacher sees no family's money.
    let teacher = app
        .gql(
            Some(&c.teacher),
            "query($f: ID!) { invoices(familyId: $f, first: 5) { nodes { number } } }",
            json!({"f": c.family}),
        )
        .await;
    assert_eq!(teacher["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // An unpaid draft may be voided; its number stays used.
    let second = draft(&app, &c).await;
    assert_eq!(second["number"], 2);
    let voided = app
        .ok(t, VOID, json!({"i": {"invoiceId": second["id"]}}))
        .await;
    assert_eq!(voided["invoice"]["status"], "VOID");
    assert_eq!(draft(&app, &c).await["number"], 3);
    // A discount larger than the charges is no invoice, and takes no number.
    let free = app
        .gql(
            Some(t),
            CREATE,
            json!({"i": {"familyId": c.family, "dueDate": "2026-03-31",
                         "lines": [{"description": "Piano", "unitMinor": 1000}, {"description": "Scholarship", "unitMinor": -1000}]}}),
        )
        .await;
    assert_eq!(
        free["data"]["createInvoice"]["userErrors"][0]["message"],
        "an invoice's total must be more than zero, got 0 (minor units)"
    );
    assert_eq!(draft(&app, &c).await["number"], 4);
}

/// A fake Stripe on loopback: `POST /v1/payment_intents` and
/// `POST /v1/refunds` answer like Stripe, the same `Idempotency-Key` with
/// the same object (and an error for the same key with other parameters).
/// The map is key → (form sent, id given).
pub async fn fake_stripe() -> (String, Arc<Mutex<HashMap<String, (String, String)>>>) {
    use axum::{Router, extract::State, http::HeaderMap, http::StatusCode, routing::post};
    type Keys = Arc<Mutex<HashMap<String, (String, String)>>>;
    let keys: Keys = Arc::default();
    /// The id for this key (`{prefix}_test_{n}`), or Stripe's error.
    fn remember(
        keys: &Keys,
        headers: &HeaderMap,
        body: &str,
        prefix: &str,
    ) -> Result<String, (StatusCode, String)> {
        if headers.get("authorization").and_then(|v| v.to_str().ok())
            != Some("Bearer sk_test_ostinato")
        {
            return Err((
                StatusCode::UNAUTHORIZED,
                json!({"error": {"message": "Invalid API Key provided"}}).to_string(),
            ));
        }
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let mut keys = keys.lock().unwrap();
        let n = keys.len();
        let (params, id) = keys
            .entry(key)
            .or_insert_with(|| (body.to_owned(), format!("{prefix}_test_{n}")))
            .clone();
        // Like Stripe: a key reused with other parameters is an error.
        if params != body {
            let error = json!({"error": {"type": "idempotency_error", "message": "Keys for idempotent requests can only be used with the same parameters they were first used with."}});
            return Err((StatusCode::BAD_REQUEST, error.to_string()));
        }
        Ok(id)
    }
    async fn create(
        State(keys): State<Keys>,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, String) {
        assert!(
            body.contains("amount=") && body.contains("currency="),
            "{body}"
        );
        match remember(&keys, &headers, &body, "pi") {
            Err(e) => e,
            Ok(id) => {
                let answer = json!({"id": id, "object": "payment_intent", "client_secret": format!("{id}_secret_abc"), "status": "requires_payment_method"});
                (StatusCode::OK, answer.to_string())
            }
        }
    }
    async fn refund(
        State(keys): State<Keys>,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, String) {
        assert!(
            body.contains("payment_intent=pi_") && body.contains("amount="),
            "{body}"
        );
        match remember(&keys, &headers, &body, "re") {
            Err(e) => e,
            Ok(id) => {
                let answer = json!({"id": id, "object": "refund", "status": "succeeded"});
                (StatusCode::OK, answer.to_string())
            }
        }
    }
    let router = Router::new()
        .route("/v1/payment_intents", post(create))
        .route("/v1/refunds", post(refund))
        .with_state(keys.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, keys)
}

/// Delivers `event` to the webhook, signed with `secret` at `timestamp`.
pub async fn deliver(app: &TestApp, event: &Value, secret: &str, timestamp: i64) -> (u16, Value) {
    let body = event.to_string();
    let signature = billing::stripe::sign(secret.as_bytes(), timestamp, body.as_bytes());
    let response = app
        .client
        .post(format!("{}/webhooks/stripe", app.url))
        .header("Stripe-Signature", format!("t={timestamp},v1={signature}"))
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn succeeded(event: &str, intent: &str) -> Value {
    json!({"id": event, "object": "event", "type": "payment_intent.succeeded",
           "data": {"object": {"id": intent, "object": "payment_intent", "status": "succeeded"}}})
}

#[tokio::test]
async fn a_card_payment_is_completed_once_by_a_verified_webhook() {
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
    let c = cast(&app, "cards.example").await;
    let id = issued(&app, &c).await;
    // The parent starts a card payment; asking twice gives one intent.
    let started = app
        .ok(&c.parent, PAY, json!({"i": {"invoiceId": id}}))
        .await;
    let again = app
        .ok(&c.parent, PAY, json!({"i": {"invoiceId": id}}))
        .await;
    assert_eq!(started["payment"]["status"], "PENDING");
    assert_eq!(started["payment"]["id"], again["payment"]["id"]);
    let intent = started["payment"]["stripePaymentIntentId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        started["payment"]["clientSecret"],
        format!("{intent}_secret_abc")
    );
    assert_eq!(
        keys.lock().unwrap().len(),
        1,
        "one Idempotency-Key sent to Stripe"
    );

    let now = crate::helpers::now().timestamp();
    let event = succeeded("evt_1", &intent);
    // Wrong secret, stale timestamp: refused, nothing changes.
    assert_eq!(deliver(&app, &event, "whsec_wrong", now).await.0, 400);
    let stale = deliver(&app, &event, WEBHOOK_SECRET, now - 600).await;
    assert_eq!(
        stale,
        (
            400,
            json!({"message": "the signature's timestamp is too old or in the future"})
        )
    );
    assert_eq!(
        app.ok(&c.school.token, INVOICE, json!({"id": id})).await["status"],
        "OPEN"
    );
    let future = deliver(&app, &event, WEBHOOK_SECRET, now + 600).await;
    assert_eq!(future.0, 400, "{future:?}");
    let unsigned = app
        .client
        .post(format!("{}/webhooks/stripe", app.url))
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 400);
    // While the card payment is in progress the office may not void it.
    let void = app
        .gql(Some(&c.school.token), VOID, json!({"i": {"invoiceId": id}}))
        .await;
    assert_eq!(
        void["data"]["voidInvoice"]["userErrors"][0]["message"],
        "a card payment on this invoice is in progress; wait for it to complete or fail"
    );
    // The first card is declined; the family tries another on the same
    // intent, and it goes through.
    let declined = json!({"id": "evt_0", "object": "event", "type": "payment_intent.payment_failed",
                          "data": {"object": {"id": intent, "object": "payment_intent"}}});
    assert_eq!(deliver(&app, &declined, WEBHOOK_SECRET, now).await.0, 200);
    // The real delivery completes it; a replay is acknowledged and ignored.
    assert_eq!(
        deliver(&app, &event, WEBHOOK_SECRET, now).await,
        (200, json!({"message": "applied"}))
    );
    assert_eq!(
        deliver(&app, &event, WEBHOOK_SECRET, now).await,
        (200, json!({"message": "already applied"}))
    );
    let paid = app.ok(&c.school.token, INVOICE, json!({"id": id})).await;
    assert_eq!(paid["status"], "PAID");
    assert_eq!(
        paid["payments"],
        json!([{"amountMinor": 9000, "status": "COMPLETED", "method": "STRIPE"}])
    );
    // A late "processing" event does not undo the completed payment.
    let late = json!({"id": "evt_late", "object": "event", "type": "payment_intent.processing",
                      "data": {"object": {"id": intent, "object": "payment_intent"}}});
    assert_eq!(
        deliver(&app, &late, WEBHOOK_SECRET, now).await,
        (200, json!({"message": "recorded; nothing to apply"}))
    );
    assert_eq!(
        app.ok(&c.parent, BALANCE, json!({"f": c.family})).await["balanceMinor"],
        0
    );

    // Another invoice, paid 40.00 in cash first: the card pays the rest
    // with an intent of its own; its event delivered 20 times at once is
    // applied once.
    let second = issued(&app, &c).await;
    app.ok(
        &c.school.token,
        RECORD,
        json!({"i": {"invoiceId": second, "amountMinor": 4000, "method": "CASH"}}),
    )
    .await;
    let started = app
        .ok(&c.parent, PAY, json!({"i": {"invoiceId": second}}))
        .await;
    assert_eq!(started["payment"]["amountMinor"], 5000);
    let intent = started["payment"]["stripePaymentIntentId"]
        .as_str()
        .unwrap()
        .to_owned();
    let event = succeeded("evt_2", &intent);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (app, event) = (app.clone(), event.clone());
            tokio::spawn(async move { deliver(&app, &event, WEBHOOK_SECRET, now).await })
        })
        .collect();
    let mut applied = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
        applied += usize::from(body["message"] == "applied");
    }
    assert_eq!(applied, 1);
    let paid = app
        .ok(&c.school.token, INVOICE, json!({"id": second}))
        .await;
    assert_eq!(
        (paid["status"].as_str(), paid["paidMinor"].as_i64()),
        (Some("PAID"), Some(9000))
    );
    assert_eq!(
        paid["payments"].as_array().unwrap().len(),
        2,
        "cash and one card payment"
    );
}

#[tokio::test]
async fn an_invoice_prints_as_a_page_behind_a_short_lived_link() {
    let app = spawn_app().await;
    let c = cast(&app, "print.example").await;
    let t = &c.school.token;
    let id = app
        .ok(
            t,
            CREATE,
            json!({"i": {"familyId": c.family, "dueDate": "2026-03-15",
                         "lines": [{"description": "Piano, 4 lessons", "quantity": 4, "unitMinor": 2500},
                                   {"description": "<b>Theory</b> & more", "unitMinor": 1234}]}}),
        )
        .await["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(t, ISSUE, json!({"i": {"invoiceId": id}})).await;
    // The family opens it.
    let url = app
        .ok(
            &c.parent,
            "query($id: ID!) { node(id: $id) { ... on Invoice { printUrl } } }",
            json!({"id": id}),
        )
        .await["printUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = app
        .client
        .get(format!("{}{url}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let html = page.text().await.unwrap();
    for shown in [
        "<h2>Invoice 1</h2>",
        "<td class=\"n\" id=\"total\">112.34 GBP</td>",
        "<td class=\"n\" id=\"balance\">112.34 GBP</td>",
        "&lt;b&gt;Theory&lt;/b&gt; &amp; more",
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }
    assert!(!html.contains("<b>Theory</b>"), "text is never markup");
    // A forged link is refused; after ten minutes the link is gone.
    let forged = app
        .client
        .get(format!("{}{url}x", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    app.clock.advance(chrono::Duration::minutes(11));
    let late = app
        .client
        .get(format!("{}{url}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status().as_u16(), 410);
}

#[tokio::test]
async fn a_registration_is_quoted_before_it_is_confirmed_and_charged_as_quoted() {
    let app = spawn_app().await;
    let c = cast(&app, "quotes.example").await;
    let s = &c.school;
    let t = &s.token;
    // Choir: 15.00 a session, or 100.00 for the course of 8.
    app.ok(
        t,
        "mutation($i: UpdateOfferingInput!) { updateOffering(input: $i) { offering { coursePriceMinor } userErrors { code } } }",
        json!({"i": {"offeringId": s.offering, "priceMinor": 1500, "coursePriceMinor": 10000, "dropInPriceMinor": 1800}}),
    )
    .await;
    // A course of 8 Thursdays from 19 February: 2 are past on 1 March.
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                   "startDate": "2026-02-19", "count": 8, "startTime": "17:00", "durationMinutes": 60,
                   "daysOfWeek": [4], "capacity": 8}),
        )
        .await;
    app.ok(
        t,
        crate::helpers::GENERATE,
        json!({"input": {"seriesId": series, "through": "2026-04-30"}}),
    )
    .await;
    const QUOTE: &str = "query($s: ID!, $t: RegistrationType!, $n: Int!) { registrationQuote(seriesId: $s, type: $t, seats: $n) { perSeat { amountMinor } total { amountMinor currency } basis } }";
    let quote = app
        .ok(
            &c.parent,
            QUOTE,
            json!({"s": series, "t": "FULL_SCHEDULE", "n": 2}),
        )
        .await;
    // 6 of 8 left: 100.00 × 6/8 = 75.00 a seat, two seats.
    assert_eq!(
        quote,
        json!({"perSeat": {"amountMinor": 7500}, "total": {"amountMinor": 15000, "currency": "GBP"},
               "basis": "6 of 8 sessions of the course, prorated"})
    );
    // Registering charges exactly that, spread over the six bookings.
    let registered = app
        .ok(
            &c.parent,
            "mutation($i: RegisterInput!) { register(input: $i) { registration { bookings { price { amountMinor } } } userErrors { code message } } }",
            json!({"i": {"seriesId": series, "studentId": s.student, "type": "FULL_SCHEDULE", "seats": 2}}),
        )
        .await;
    let prices: Vec<i64> = registered["registration"]["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["price"]["amountMinor"].as_i64().unwrap())
        .collect();
    assert_eq!(prices.len(), 6);
    assert_eq!(prices.iter().sum::<i64>(), 15000);
}
