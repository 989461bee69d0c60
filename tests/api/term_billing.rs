//! Issue 12's scenario, end to end over HTTP: a term of lessons →
//! monthly invoice preview → issue → partial payment → Stripe's webhook
//! completes it → an excused absence grants a credit → the credit books a
//! make-up → the teacher's payout for the month matches the sessions she
//! delivered.

use serde_json::{Value, json};

use crate::billing::{WEBHOOK_SECRET, deliver, fake_stripe};
use crate::helpers::{GENERATE, TestApp, spawn_app_with, test_config};
use crate::roles::cast;

async fn ok(app: &TestApp, token: &str, query: &str, vars: Value) -> Value {
    app.ok(token, query, vars).await
}

#[tokio::test]
async fn a_term_is_invoiced_paid_made_up_and_paid_out() {
    let (stripe, _) = fake_stripe().await;
    let app = spawn_app_with(gateway::Config {
        stripe_api_base: Some(stripe),
        stripe_secret_key: Some("sk_test_ostinato".into()),
        stripe_webhook_secret: Some(WEBHOOK_SECRET.into()),
        ..test_config()
    })
    .await;
    let c = cast(&app, "term.example").await;
    let s = &c.school;
    let t = &s.token;
    // Choir costs 15.00 a session; Ada is paid 20.00 per student taught.
    ok(&app, t, "mutation($i: UpdateOfferingInput!) { updateOffering(input: $i) { offering { id } userErrors { code } } }",
        json!({"i": {"offeringId": s.offering, "priceMinor": 1500}})).await;
    ok(&app, t, "mutation($i: UpdateTeacherProfileInput!) { updateTeacherProfile(input: $i) { teacher { id } userErrors { code } } }",
        json!({"i": {"teacherId": s.ada, "payRateMinor": 2000, "payBasis": "PER_STUDENT"}})).await;
    // A term: Wednesdays 4–25 March at 16:00, Lily registered for all four.
    let series = app
        .create_series(
            t,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location, "roomId": s.room_a,
                   "startDate": "2026-03-04", "count": 4, "startTime": "16:00", "durationMinutes": 60,
                   "daysOfWeek": [3], "capacity": 8}),
        )
        .await;
    let generated = ok(
        &app,
        t,
        GENERATE,
        json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
    )
    .await;
    let sessions: Vec<String> = generated["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sessions.len(), 4, "{generated}");
    ok(&app, &c.parent, "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code message } } }",
        json!({"i": {"seriesId": series, "studentId": s.student, "type": "FULL_SCHEDULE"}})).await;

    // The month's invoice, previewed, then created and issued.
    let preview = ok(&app, t, "{ monthlyInvoicePreview(period: \"2026-03\") { family { id } totalMinor lines { description amountMinor } } }", json!({})).await;
    assert_eq!(
        preview,
        json!([{"family": {"id": c.family}, "totalMinor": 6000, "lines": [
            {"description": "2026-03-04 16:00 Choir", "amountMinor": 1500},
            {"description": "2026-03-11 16:00 Choir", "amountMinor": 1500},
            {"description": "2026-03-18 16:00 Choir", "amountMinor": 1500},
            {"description": "2026-03-25 16:00 Choir", "amountMinor": 1500}]}])
    );
    let made = ok(&app, t, "mutation($i: CreateMonthlyInvoicesInput!) { createMonthlyInvoices(input: $i) { invoices { id totalMinor status } userErrors { code } } }",
        json!({"i": {"period": "2026-03", "dueDate": "2026-03-15"}})).await;
    let invoice = made["invoices"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(made["invoices"][0]["totalMinor"], 6000);
    let again = ok(
        &app,
        t,
        "{ monthlyInvoicePreview(period: \"2026-03\") { totalMinor } }",
        json!({}),
    )
    .await;
    assert_eq!(again, json!([]), "every lesson is billed once");
    ok(&app, t, "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
        json!({"i": {"invoiceId": invoice}})).await;

    // 20.00 in cash at the desk; the rest by card, completed by Stripe.
    ok(&app, t, "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } userErrors { code } } }",
        json!({"i": {"invoiceId": invoice, "amountMinor": 2000, "method": "CASH"}})).await;
    let card = ok(&app, &c.parent, "mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { amountMinor stripePaymentIntentId } userErrors { code } } }",
        json!({"i": {"invoiceId": invoice}})).await;
    assert_eq!(card["payment"]["amountMinor"], 4000);
    let intent = card["payment"]["stripePaymentIntentId"].as_str().unwrap();
    let event = json!({"id": "evt_term", "object": "event", "type": "payment_intent.succeeded",
                       "data": {"object": {"id": intent, "object": "payment_intent"}}});
    let now = crate::helpers::now().timestamp();
    assert_eq!(deliver(&app, &event, WEBHOOK_SECRET, now).await.0, 200);
    let paid = ok(
        &app,
        t,
        "query($id: ID!) { node(id: $id) { ... on Invoice { status paidMinor } } }",
        json!({"id": invoice}),
    )
    .await;
    assert_eq!(paid, json!({"status": "PAID", "paidMinor": 6000}));
    assert_eq!(
        ok(
            &app,
            &c.parent,
            "query($f: ID!) { node(id: $f) { ... on Family { balanceMinor } } }",
            json!({"f": c.family})
        )
        .await["balanceMinor"],
        0
    );

    // 4 March: Lily is excused, and gets a credit.
    app.clock.advance(chrono::Duration::days(4));
    const MARK: &str = "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { code message } } }";
    let mark = |session: &str, status: &str| json!({"i": {"sessionId": session, "entries": [{"studentId": s.student, "status": status}]}});
    ok(&app, &c.teacher, MARK, mark(&sessions[0], "EXCUSED")).await;
    let credit = ok(
        &app,
        &c.parent,
        "query($s: ID!) { node(id: $s) { ... on Student { makeupCredits { id state } } } }",
        json!({"s": s.student}),
    )
    .await;
    assert_eq!(credit["makeupCredits"][0]["state"], "AVAILABLE");
    let credit = credit["makeupCredits"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // It books a make-up: an extra Choir session with Ada on Friday 20th.
    let extra = ok(&app, t, "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code message } } }",
        json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada, "capacity": 4,
                     "startsAt": "2026-03-20T16:00:00Z", "endsAt": "2026-03-20T17:00:00Z"}})).await["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let makeup = ok(&app, &c.parent, "mutation($i: BookMakeupInput!) { bookMakeup(input: $i) { booking { status price { amountMinor } } credit { state } userErrors { code message } } }",
        json!({"i": {"creditId": credit, "sessionId": extra}})).await;
    assert_eq!(
        makeup["booking"],
        json!({"status": "CONFIRMED", "price": {"amountMinor": 0}})
    );

    // The rest of the month: Lily present at every other lesson.
    app.clock.advance(chrono::Duration::days(22));
    for (session, status) in [
        (&sessions[1], "PRESENT"),
        (&sessions[2], "PRESENT"),
        (&extra, "PRESENT"),
        (&sessions[3], "LATE"),
    ] {
        ok(&app, &c.teacher, MARK, mark(session, status)).await;
    }
    // Ada's payout: the four lessons she taught Lily (the excused one pays
    // nothing); the make-up is not invoiced, since it was paid for.
    let payout = ok(&app, t, "mutation($i: ComputePayoutInput!) { computePayout(input: $i) { payout { amountMinor lines { description amountMinor } } userErrors { code message } } }",
        json!({"i": {"teacherId": s.ada, "period": "2026-03"}})).await;
    assert_eq!(
        payout["payout"],
        json!({"amountMinor": 8000, "lines": [
            {"description": "2026-03-11 16:00 Choir", "amountMinor": 2000},
            {"description": "2026-03-18 16:00 Choir", "amountMinor": 2000},
            {"description": "2026-03-20 16:00 Choir", "amountMinor": 2000},
            {"description": "2026-03-25 16:00 Choir", "amountMinor": 2000}]})
    );
    assert_eq!(
        ok(
            &app,
            t,
            "{ monthlyInvoicePreview(period: \"2026-03\") { totalMinor } }",
            json!({})
        )
        .await,
        json!([])
    );
}
