//! What the benches share: a fresh database for each run, and the demo
//! school's API served on loopback, logged in as its admin. Each bench
//! uses part of it (hence `#[allow(dead_code)]` where it is included).

use gateway::AppState;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// A fresh SQLite file, or a fresh database on the PostgreSQL server
/// `BENCH_DATABASE_URL` points at.
pub async fn database() -> String {
    let name = format!("ostinato_bench_{}", uuid::Uuid::new_v4().simple());
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let admin = sea_orm::Database::connect(url.as_str())
                .await
                .expect("connect");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            let (base, _) = url.rsplit_once('/').expect("a database name");
            format!("{base}/{name}")
        }
        _ => format!(
            "sqlite://{}?mode=rwc",
            std::env::temp_dir().join(format!("{name}.db")).display()
        ),
    }
}

/// Which database a URL names, for the printed results.
pub fn backend(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

/// The API of `state` on a loopback port, with the demo admin's token.
pub struct Api {
    base: String,
    client: reqwest::Client,
    /// The demo admin's bearer token.
    pub token: String,
}

impl Api {
    /// Serves `state` and logs in as the demo admin.
    pub async fn serve(state: AppState) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(gateway::serve(listener, state, std::future::pending()));
        let mut api = Self {
            base,
            client: reqwest::Client::new(),
            token: String::new(),
        };
        let login = api
            .post(
                "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }",
                json!({"e": gateway::demo::DEMO_EMAIL, "p": gateway::demo::DEMO_PASSWORD}),
            )
            .await;
        api.token = login["data"]["login"]["token"]
            .as_str()
            .expect("token")
            .to_owned();
        api
    }

    /// POSTs a GraphQL request (with the token, once logged in).
    pub async fn post(&self, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({"query": query, "variables": variables}));
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        request
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json")
    }
}
