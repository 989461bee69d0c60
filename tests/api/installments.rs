//! Installment plans paid like every other invoice (issue 12): an
//! installment is invoiced once, paid in parts by cash and by card through
//! Stripe's webhook, refunded, moved by a freeze together with its
//! invoice, re-invoiced after a void, and marked OVERDUE by the job.

use infra::Clock;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::billing::{WEBHOOK_SECRET, deliver, fake_stripe};
use crate::helpers::{TestApp, spawn_app_with, test_config};
use crate::roles::cast;

const INVOICE_IT: &str = "mutation($i: InvoiceInstallmentInput!) { invoiceInstallment(input: $i) { installment { id status dueDate } invoice { id number status dueDate totalMinor family { id } } userErrors { field code message } } }";
const PLAN: &str = "query($s: ID!) { node(id: $s) { ... on StudentSubscription { installments { id dueDate originalDueDate amountMinor paidMinor status paid invoice { id status dueDate paidMinor } } } } }";
const RECORD: &str = "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } userErrors { field code message } } }";

async fn plan(app: &TestApp, token: &str, sub: &str) -> Vec<Value> {
    app.ok(token, PLAN, json!({"s": sub})).await["installments"]
        .as_array()
        .unwrap()
        .clone()
}

/// (dueDate, paidMinor, status, invoice's dueDate or null) per installment.
fn summary(plan: &[Value]) -> Vec<(String, i64, String, Value)> {
    plan.iter()
        .map(|i| {
            (
                i["dueDate"].as_str().unwrap().to_owned(),
                i["paidMinor"].as_i64().unwrap(),
                i["status"].as_str().unwrap().to_owned(),
                i["invoice"]["dueDate"].clone(),
            )
        })
        .collect()
}

fn row(due: &str, paid: i64, status: &str, invoice_due: Value) -> (String, i64, String, Value) {
    (due.to_owned(), paid, status.to_owned(), invoice_due)
}

#[tokio::test]
async fn an_installment_plan_is_invoiced_paid_frozen_and_marked_overdue() {
    let (stripe, _) = fake_stripe().await;
    let app = spawn_app_with(gateway::Config {
        stripe_api_base: Some(stripe),
        stripe_secret_key: Some("sk_test_ostinato".into()),
        stripe_webhook_secret: Some(WEBHOOK_SECRET.into()),
        ..test_config()
    })
    .await;
    let c = cast(&app, "plans.example").await;
    let office = c.school.token.as_str();
    let programme = app
        .ok(office, "mutation { createProgramme(input: {name: \"Little Mozarts\"}) { programme { id } userErrors { code } } }", json!({}))
        .await["programme"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub = app
        .ok(
            office,
            "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { id } userErrors { field code message } } }",
            json!({"i": {"studentId": c.school.student, "programmeId": programme,
                         "startDate": "2026-03-01", "endDate": "2026-06-30", "freezeDaysAllowed": 10,
                         "installments": [
                             {"dueDate": "2026-03-05", "amountMinor": 9000},
                             {"dueDate": "2026-03-12", "amountMinor": 9000},
                             {"dueDate": "2026-03-19", "amountMinor": 9000}]}}),
        )
        .await["subscription"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = plan(&app, &c.parent, &sub).await;
    assert_eq!(
        summary(&first),
        vec![
            row("2026-03-05", 0, "PENDING", Value::Null),
            row("2026-03-12", 0, "PENDING", Value::Null),
            row("2026-03-19", 0, "PENDING", Value::Null),
        ]
    );
    let ids: Vec<String> = first
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();

    // A teacher may not invoice a student's installment; the parent may
    // (to pay it now), and asking twice gives one invoice.
    let refused = app
        .gql(
            Some(&c.teacher),
            INVOICE_IT,
            json!({"i": {"installmentId": ids[0]}}),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let invoiced = app
        .ok(
            &c.parent,
            INVOICE_IT,
            json!({"i": {"installmentId": ids[0]}}),
        )
        .await;
    let inv = invoiced["invoice"].clone();
    assert_eq!(inv["status"], "OPEN");
    assert_eq!(inv["dueDate"], "2026-03-05");
    assert_eq!(inv["totalMinor"], 9000);
    assert_eq!(inv["family"]["id"], c.family, "billed to Lily's family");
    let again = app
        .ok(office, INVOICE_IT, json!({"i": {"installmentId": ids[0]}}))
        .await;
    assert_eq!(again["invoice"]["id"], inv["id"], "invoiced once");
    let inv1 = inv["id"].as_str().unwrap().to_owned();

    // 40.00 in cash, then the rest by card, completed by Stripe's webhook.
    let cash = app
        .ok(
            office,
            RECORD,
            json!({"i": {"invoiceId": inv1, "amountMinor": 4000, "method": "CASH"}}),
        )
        .await["payment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        summary(&plan(&app, &c.parent, &sub).await)[0],
        row("2026-03-05", 4000, "PENDING", json!("2026-03-05"))
    );
    let intent = app
        .ok(
            &c.parent,
            "mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { amountMinor stripePaymentIntentId } userErrors { field code message } } }",
            json!({"i": {"invoiceId": inv1}}),
        )
        .await["payment"]
        .clone();
    assert_eq!(intent["amountMinor"], 5000, "the card pays what is left");
    let event = json!({"id": "evt_plan_1", "object": "event", "type": "payment_intent.succeeded",
        "data": {"object": {"id": intent["stripePaymentIntentId"], "object": "payment_intent", "status": "succeeded"}}});
    let now = crate::helpers::now().timestamp();
    assert_eq!(deliver(&app, &event, WEBHOOK_SECRET, now).await.0, 200);
    let paid = plan(&app, &c.parent, &sub).await;
    assert_eq!(
        summary(&paid)[0],
        row("2026-03-05", 9000, "PAID", json!("2026-03-05"))
    );
    assert_eq!(paid[0]["paid"], true);
    assert_eq!(paid[0]["invoice"]["status"], "PAID");

    // Refunding the cash makes it owed again.
    app.ok(
        office,
        "mutation($i: RefundPaymentInput!) { refundPayment(input: $i) { payment { status } userErrors { field code message } } }",
        json!({"i": {"paymentId": cash}}),
    )
    .await;
    assert_eq!(
        summary(&plan(&app, &c.parent, &sub).await)[0],
        row("2026-03-05", 5000, "PENDING", json!("2026-03-05"))
    );

    // The second installment is invoiced; a freeze from 8 March for 5
    // days moves it and its invoice, and the third; not the first.
    let inv2 = app
        .ok(office, INVOICE_IT, json!({"i": {"installmentId": ids[1]}}))
        .await["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        office,
        "mutation($i: FreezeSubscriptionInput!) { freezeSubscription(input: $i) { subscription { id } userErrors { field code message } } }",
        json!({"i": {"subscriptionId": sub, "from": "2026-03-08", "days": 5}}),
    )
    .await;
    let frozen = plan(&app, office, &sub).await;
    assert_eq!(
        summary(&frozen),
        vec![
            row("2026-03-05", 5000, "PENDING", json!("2026-03-05")),
            row("2026-03-17", 0, "PENDING", json!("2026-03-17")),
            row("2026-03-24", 0, "PENDING", Value::Null),
        ]
    );
    assert_eq!(frozen[1]["originalDueDate"], "2026-03-12");

    // Voiding its invoice uninvoices it; invoicing again numbers a new one.
    app.ok(
        office,
        "mutation($i: InvoiceActionInput!) { voidInvoice(input: $i) { invoice { status } userErrors { field code message } } }",
        json!({"i": {"invoiceId": inv2}}),
    )
    .await;
    assert_eq!(plan(&app, office, &sub).await[1]["invoice"], Value::Null);
    let renewed = app
        .ok(office, INVOICE_IT, json!({"i": {"installmentId": ids[1]}}))
        .await["invoice"]
        .clone();
    assert_ne!(renewed["id"], json!(inv2));
    assert_eq!(renewed["dueDate"], "2026-03-17");

    // On 21 March the first two are overdue, the third is not yet; the
    // job stores that once, and a second run finds nothing new.
    app.clock.advance(chrono::Duration::days(20));
    assert_eq!(
        summary(&plan(&app, office, &sub).await),
        vec![
            row("2026-03-05", 5000, "OVERDUE", json!("2026-03-05")),
            row("2026-03-17", 0, "OVERDUE", json!("2026-03-17")),
            row("2026-03-24", 0, "PENDING", Value::Null),
        ]
    );
    let marked = infra::overdue::mark(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!((marked.invoices, marked.installments), (2, 2));
    let twice = infra::overdue::mark(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!((twice.invoices, twice.installments), (0, 0));
    // What the job stored, as the office's lists will read it.
    let mut stored = Vec::new();
    for id in &ids {
        let uuid: uuid::Uuid = crate::helpers::uuid_of(id).parse().unwrap();
        let row = infra::entity::subscription_installment::Entity::find_by_id(uuid)
            .one(app.db.conn())
            .await
            .unwrap()
            .unwrap();
        stored.push(row.status);
    }
    assert_eq!(stored, ["OVERDUE", "OVERDUE", "PENDING"]);
    // Paying an overdue installment in full settles it.
    app.ok(
        office,
        RECORD,
        json!({"i": {"invoiceId": renewed["id"], "amountMinor": 9000, "method": "BANK_TRANSFER"}}),
    )
    .await;
    let settled = plan(&app, office, &sub).await;
    assert_eq!(
        summary(&settled)[1],
        row("2026-03-17", 9000, "PAID", json!("2026-03-17"))
    );
    assert_eq!(settled[1]["invoice"]["status"], "PAID");
}
