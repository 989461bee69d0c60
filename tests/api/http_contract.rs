//! GraphQL-over-HTTP behaviour the SPA and tools rely on.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn mutations_over_get_are_refused_with_405() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/graphql", app.url))
        .query(&[(
            "query",
            "mutation { login(input: {email: \"a@b.c\", password: \"x\"}) { token } }",
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    // Queries over GET work.
    let response = app
        .client
        .get(format!("{}/graphql", app.url))
        .query(&[("query", "{ __typename }")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
}

#[tokio::test]
async fn invalid_requests_get_400_under_the_graphql_response_media_type() {
    let app = spawn_app().await;
    let post = |accept: &'static str, body: Value| {
        app.client
            .post(format!("{}/graphql", app.url))
            .header("accept", accept)
            .json(&body)
            .send()
    };
    let modern = post(
        "application/graphql-response+json",
        json!({"query": "{ noSuchField }"}),
    )
    .await
    .unwrap();
    assert_eq!(modern.status(), 400);
    assert_eq!(
        modern.headers()["content-type"],
        "application/graphql-response+json"
    );
    let legacy = post("application/json", json!({"query": "{ noSuchField }"}))
        .await
        .unwrap();
    assert_eq!(legacy.status(), 200);
    assert_eq!(legacy.headers()["content-type"], "application/json");
    let unparsable = post(
        "application/graphql-response+json",
        json!({"query": "{ me {"}),
    )
    .await
    .unwrap();
    assert_eq!(unparsable.status(), 400);
    // A valid request that fails in a resolver is still 200: it was executed.
    let executed = post(
        "application/graphql-response+json",
        json!({"query": "{ me { email } }"}),
    )
    .await
    .unwrap();
    assert_eq!(executed.status(), 200);
    let not_json = app
        .client
        .post(format!("{}/graphql", app.url))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let wrong_type = app
        .client
        .post(format!("{}/graphql", app.url))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
}

#[tokio::test]
async fn graphiql_is_served_from_the_binary_and_health_answers() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(format!("{}/", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/graphiql/graphiql.min.js"));
    assert!(
        !page.contains("https://"),
        "GraphiQL must not load anything from a CDN"
    );
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "start.js",
    ] {
        let response = app
            .client
            .get(format!("{}/graphiql/{asset}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        assert!(response.bytes().await.unwrap().len() > 100, "{asset}");
    }
    assert_eq!(
        app.client
            .get(format!("{}/healthz", app.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.client
            .get(format!("{}/readyz", app.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn introspection_fits_the_depth_limit_but_deep_queries_do_not() {
    let app = spawn_app().await;
    // GraphiQL's schema fetch must keep working under the limits.
    let introspection = "query { __schema { types { name fields { name type { name kind ofType { name kind ofType { name kind ofType { name kind ofType { name kind ofType { name kind ofType { name kind } } } } } } } } } } }";
    let body = app.gql(None, introspection, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let mut deep = String::from("{ __schema { types { fields { type ");
    for _ in 0..20 {
        deep.push_str("{ ofType ");
    }
    deep.push_str("{ name }");
    for _ in 0..20 {
        deep.push('}');
    }
    deep.push_str(" } } } }");
    let body = app.gql(None, &deep, json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );
}

#[tokio::test]
async fn readyz_answers_503_promptly_when_the_database_cannot_serve() {
    use sea_orm::TransactionTrait;
    let app = spawn_app().await;
    // Every pooled connection held, as by a database that stopped
    // answering: requests would wait the pool's 10 s acquire timeout.
    let mut held = Vec::new();
    for _ in 0..infra::db::pool_size(&app.database_url) {
        held.push(app.db.conn().begin().await.unwrap());
    }
    // A probe gets its answer, not a hang: a client that gives up after
    // 5 s still hears 503 (the handler stops waiting after 800 ms).
    let probe = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let response = probe
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("an answer within the client's 5 s");
    assert_eq!(response.status(), 503);
    drop(held);
    let response = probe
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
