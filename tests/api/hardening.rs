//! API hardening (issue 3): complexity, page size and body size refusals,
//! rate limiting, token expiry and revocation, login throttling, idempotent
//! replay, masked database errors, a panicking resolver, the audit log, and
//! production switches for introspection and GraphiQL.

use serde_json::{Value, json};

use crate::helpers::{TestApp, school, spawn_app, spawn_app_with, test_config};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token userErrors { code message } } }";
const PASSWORD: &str = "correct horse battery";

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.gql(None, LOGIN, json!({"e": email, "p": password}))
        .await["data"]["login"]
        .clone()
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn oversized_queries_pages_and_bodies_are_refused() {
    let app = spawn_app().await;
    let token = app.sign_up("limits@example.org").await;
    // Complexity: many aliased fields, each cheap, together too much.
    let wide: String = (0..1100)
        .map(|i| format!("f{i}: me {{ email }} "))
        .collect();
    let body = app
        .gql(Some(&token), &format!("{{ {wide} }}"), json!({}))
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too complex"),
        "{body}"
    );
    // Page size.
    let body = app
        .gql(
            Some(&token),
            "{ locations(first: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "LIMIT_EXCEEDED", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100")
    );
    let body = app
        .gql(
            Some(&token),
            "{ auditLog(last: 1000) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "LIMIT_EXCEEDED", "{body}");
    // Body size.
    let huge = format!("{{ __typename }} # {}", "x".repeat(300 * 1024));
    let response = app
        .client
        .post(format!("{}/graphql", app.url))
        .json(&json!({ "query": huge }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn pages_walk_the_whole_list_once() {
    let app = spawn_app().await;
    let token = app.sign_up("pages@example.org").await;
    for i in 0..7 {
        app.ok(
            &token,
            "mutation($n: String!) { createLocation(input: {name: $n}) { location { id } userErrors { code } } }",
            json!({"n": format!("Branch {i}")}),
        )
        .await;
    }
    let q = "query($after: String) { locations(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }";
    let mut after = Value::Null;
    let mut names = Vec::new();
    loop {
        let page = app.ok(&token, q, json!({"after": after})).await;
        assert_eq!(page["totalCount"], 7);
        names.extend(
            page["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["name"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let want: Vec<Value> = (0..7).map(|i| json!(format!("Branch {i}"))).collect();
    assert_eq!(names, want);
}

#[tokio::test]
async fn a_client_over_its_rate_is_answered_429_and_others_are_not() {
    let mut config = test_config();
    config.rate_limit = Some(gateway::config::RateLimit {
        per_second: 1,
        burst: 3,
    });
    let app = spawn_app_with(config).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let r = app
            .client
            .post(format!("{}/graphql", app.url))
            .json(&json!({"query": "{ __typename }"}))
            .send()
            .await
            .unwrap();
        statuses.push((
            r.status().as_u16(),
            r.headers().get("retry-after").is_some(),
            r.text().await.unwrap(),
        ));
    }
    assert_eq!(
        statuses.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec![200, 200, 200, 429, 429]
    );
    assert!(statuses[3].1, "429 carries Retry-After");
    assert!(statuses[3].2.contains("RATE_LIMITED"), "{}", statuses[3].2);
    // Health checks are not rate limited.
    let health = app
        .client
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn tokens_expire_and_can_be_revoked() {
    let app = spawn_app().await;
    let first = app.sign_up("tokens@example.org").await;
    let me = "{ me { email } }";
    let second = login(&app, "tokens@example.org", PASSWORD).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let third = login(&app, "tokens@example.org", PASSWORD).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // logout revokes only the token it was sent with.
    let out = app
        .ok(
            &first,
            "mutation { logout { revoked userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(out["revoked"], 1);
    assert_eq!(
        code(&app.gql(Some(&first), me, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert!(
        app.gql(Some(&second), me, json!({}))
            .await
            .get("errors")
            .is_none()
    );
    // changePassword keeps the current token and revokes the others.
    let changed = app
        .ok(
            &second,
            "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { revoked userErrors { code } } }",
            json!({"i": {"currentPassword": PASSWORD, "newPassword": "a new long password"}}),
        )
        .await;
    assert_eq!(changed["revoked"], 1);
    assert_eq!(
        code(&app.gql(Some(&third), me, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert!(
        app.gql(Some(&second), me, json!({}))
            .await
            .get("errors")
            .is_none()
    );
    assert_eq!(
        login(&app, "tokens@example.org", PASSWORD).await["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    // A wrong current password changes nothing.
    let refused = app
        .gql(
            Some(&second),
            "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { revoked userErrors { field code } } }",
            json!({"i": {"currentPassword": "wrong password", "newPassword": "another long one"}}),
        )
        .await;
    assert_eq!(
        refused["data"]["changePassword"]["userErrors"],
        json!([{"field": ["input", "currentPassword"], "code": "INVALID_CREDENTIALS"}])
    );
    // revokeAllSessions logs out everywhere, this token included.
    let fourth = login(&app, "tokens@example.org", "a new long password").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        &second,
        "mutation { revokeAllSessions { revoked userErrors { code } } }",
        json!({}),
    )
    .await;
    for t in [&second, &fourth] {
        assert_eq!(
            code(&app.gql(Some(t), me, json!({})).await),
            "UNAUTHENTICATED"
        );
    }
    // Tokens expire after 30 days.
    let fifth = login(&app, "tokens@example.org", "a new long password").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.advance(chrono::Duration::days(29));
    assert!(
        app.gql(Some(&fifth), me, json!({}))
            .await
            .get("errors")
            .is_none()
    );
    app.clock.advance(chrono::Duration::days(2));
    let expired = app.gql(Some(&fifth), me, json!({})).await;
    assert_eq!(code(&expired), "UNAUTHENTICATED");
    assert!(
        expired["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn login_is_throttled_per_account_and_per_address() {
    let app = spawn_app().await;
    app.sign_up("guess@example.org").await;
    for _ in 0..5 {
        let r = login(&app, "guess@example.org", "wrong password").await;
        assert_eq!(r["userErrors"][0]["code"], "INVALID_CREDENTIALS", "{r}");
    }
    // Now even the right password is refused, with a clear message.
    let blocked = login(&app, "guess@example.org", PASSWORD).await;
    assert_eq!(
        blocked["userErrors"][0]["code"], "TOO_MANY_ATTEMPTS",
        "{blocked}"
    );
    assert!(
        blocked["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("try again in")
    );
    assert_eq!(blocked["token"], Value::Null);
    // After the window the account may log in again.
    app.clock.advance(chrono::Duration::minutes(16));
    assert!(login(&app, "guess@example.org", PASSWORD).await["token"].is_string());

    // One address guessing across many accounts is stopped too.
    let other = spawn_app().await;
    other.sign_up("victim@example.org").await;
    for i in 0..20 {
        let r = login(&other, &format!("nobody{i}@example.org"), "whatever").await;
        assert_eq!(r["userErrors"][0]["code"], "INVALID_CREDENTIALS");
    }
    let r = login(&other, "victim@example.org", PASSWORD).await;
    assert_eq!(r["userErrors"][0]["code"], "TOO_MANY_ATTEMPTS", "{r}");
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_first_result() {
    let app = spawn_app().await;
    let token = app.sign_up("idem@example.org").await;
    const CREATE: &str = "mutation($i: CreateStudentInput!) { createStudent(input: $i) { student { id firstName } userErrors { field code } } }";
    let input = json!({"i": {"firstName": "Ana", "lastName": "Ito", "idempotencyKey": "k-1"}});
    // Ten concurrent retries of one request create one student.
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (app_url, client, token, input) = (
                app.url.clone(),
                app.client.clone(),
                token.clone(),
                input.clone(),
            );
            tokio::spawn(async move {
                let body: Value = client
                    .post(format!("{app_url}/graphql"))
                    .bearer_auth(token)
                    .json(&json!({"query": CREATE, "variables": input}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                body["data"]["createStudent"]["student"]["id"].clone()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    assert!(ids[0].is_string(), "{ids:?}");
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
    let count = app
        .ok(&token, "{ students { totalCount } }", json!({}))
        .await;
    assert_eq!(count["totalCount"], 1);
    // The same key for a different request is refused and creates nothing.
    let other = app
        .gql(
            Some(&token),
            CREATE,
            json!({"i": {"firstName": "Bea", "lastName": "Ito", "idempotencyKey": "k-1"}}),
        )
        .await;
    assert_eq!(
        other["data"]["createStudent"]["userErrors"],
        json!([{"field": ["input", "idempotencyKey"], "code": "IDEMPOTENCY_KEY_REUSED"}])
    );
    // Booking mutations take keys too: a retried booking is the same one.
    let session = {
        let l = app
            .ok(&token, "mutation { createLocation(input: {name: \"Hall\"}) { location { id } userErrors { code } } }", json!({}))
            .await["location"]["id"]
            .clone();
        let o = app
            .ok(&token, "mutation { createOffering(input: {title: \"Band\", kind: GROUP, defaultDurationMinutes: 60, defaultCapacity: 5}) { offering { id } userErrors { code } } }", json!({}))
            .await["offering"]["id"]
            .clone();
        let series = app
            .create_series(&token, json!({"offeringId": o, "locationId": l, "startDate": "2026-03-04", "count": 1, "startTime": "18:00", "daysOfWeek": [3]}))
            .await;
        app.ok(
            &token,
            crate::helpers::GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await["created"][0]["id"]
            .clone()
    };
    const BOOK: &str = "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id session { seatsTaken } } userErrors { code } } }";
    let book =
        json!({"i": {"sessionId": session, "studentId": ids[0], "idempotencyKey": "book-1"}});
    let first = app.ok(&token, BOOK, book.clone()).await;
    let again = app.ok(&token, BOOK, book).await;
    assert_eq!(first["booking"]["id"], again["booking"]["id"]);
    assert_eq!(again["booking"]["session"]["seatsTaken"], 1);
    // Without a key, each request creates.
    for _ in 0..2 {
        app.ok(
            &token,
            CREATE,
            json!({"i": {"firstName": "Cy", "lastName": "Ito"}}),
        )
        .await;
    }
    let count = app
        .ok(&token, "{ students { totalCount } }", json!({}))
        .await;
    assert_eq!(count["totalCount"], 3);
}

#[tokio::test]
async fn database_errors_are_masked_and_a_panicking_resolver_does_not_stop_the_server() {
    let app = spawn_app().await;
    let token = app.sign_up("faults@example.org").await;
    // Break the database underneath the server.
    let outside = sea_orm::Database::connect(app.database_url.as_str())
        .await
        .unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(
        &outside,
        "ALTER TABLE offerings RENAME TO offerings_gone",
    )
    .await
    .unwrap();
    let body = app
        .gql(Some(&token), "{ offerings { totalCount } }", json!({}))
        .await;
    assert_eq!(code(&body), "INTERNAL", "{body}");
    assert!(
        body["errors"][0]["extensions"]["errorId"].is_string(),
        "{body}"
    );
    let text = body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_lowercase();
    for secret in ["offerings", "select", "sql", "table", "relation"] {
        assert!(
            !text.contains(secret),
            "the response mentions {secret:?}: {body}"
        );
    }

    // A resolver that panics answers a masked error; the server keeps serving.
    app.clock.panic_once();
    let body = app
        .gql(
            None,
            LOGIN,
            json!({"e": "faults@example.org", "p": PASSWORD}),
        )
        .await;
    assert_eq!(code(&body), "INTERNAL", "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["login"]), "{body}");
    assert!(body["errors"][0]["extensions"]["errorId"].is_string());
    assert!(!body.to_string().contains("panic"), "{body}");
    let again = login(&app, "faults@example.org", PASSWORD).await;
    assert!(again["token"].is_string(), "{again}");
}

#[tokio::test]
async fn every_change_is_in_the_audit_log() {
    let app = spawn_app().await;
    let s = school(&app, "audit@example.org").await;
    let log = app
        .ok(
            &s.token,
            "{ auditLog(first: 100) { totalCount nodes { action at user { email } targetIds } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = log["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    // Newest first; the fixture signed up and created its setup.
    assert_eq!(
        actions,
        vec![
            "createOffering",
            "createStudent",
            "createTeacher",
            "createTeacher",
            "createRoom",
            "createRoom",
            "createLocation",
            "signUp"
        ]
    );
    let offering = &log["nodes"][0];
    assert_eq!(offering["user"]["email"], "audit@example.org");
    assert_eq!(offering["targetIds"], json!([s.offering]));
    assert_eq!(offering["at"], "2026-03-01T12:00:00Z");
    // A refused mutation leaves no entry.
    app.gql(
        Some(&s.token),
        "mutation { createRoom(input: {locationId: \"nope\", name: \"X\", capacity: 1}) { userErrors { code } } }",
        json!({}),
    )
    .await;
    let filtered = app
        .ok(
            &s.token,
            "{ auditLog(action: \"createRoom\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(filtered["totalCount"], 2);
}

#[tokio::test]
async fn production_can_turn_off_introspection_and_graphiql() {
    let mut config = test_config();
    config.introspection = false;
    config.graphiql = false;
    let app = spawn_app_with(config).await;
    // Introspection answers nothing: the schema is not revealed.
    let body = app
        .gql(None, "{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(body["data"]["__schema"], Value::Null, "{body}");
    assert!(!body.to_string().contains("Session"), "{body}");
    let page = app
        .client
        .get(format!("{}/", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    // The API itself still answers.
    let token = app.sign_up("prod@example.org").await;
    assert!(
        app.gql(Some(&token), "{ me { email } }", json!({}))
            .await
            .get("errors")
            .is_none()
    );
}
