//! `spawn_app()`: a fresh database and a running server per test.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use gateway::AppState;
use infra::Clock;
use infra::Db;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// "Now" for every test: Sunday 1 March 2026, 12:00 UTC. Fixed so dates in
/// tests (and the two-year horizon) do not drift with the calendar.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// A running server and a handle on its database.
pub struct TestApp {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The server's pool (shares the statement counter).
    pub db: Db,
    /// The server's clock.
    pub clock: Arc<TestClock>,
    /// Where its database is (to break it from outside in a test).
    pub database_url: String,
    /// An HTTP client.
    pub client: reqwest::Client,
    /// The SQLite file to remove when the test ends (none on PostgreSQL,
    /// whose test databases `.ci/run` drops).
    sqlite_file: Option<std::path::PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(path) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                let _ = std::fs::remove_file(file);
            }
        }
    }
}

/// Creates a fresh database: a new SQLite file, or a new PostgreSQL
/// database on the server `TEST_DATABASE_URL` points at.
pub async fn fresh_database_url() -> String {
    let name = format!("ostinato_test_{}", uuid::Uuid::new_v4().simple());
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            let admin = Database::connect(admin_url.as_str())
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("TEST_DATABASE_URL has a database name");
            let base = base.to_owned();
            format!("{base}/{name}")
        }
        _ => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            format!("sqlite://{}?mode=rwc", path.display())
        }
    }
}

/// The clock of a test server: starts at [`now`], can be moved forward,
/// and can be told to panic, which makes the next resolver that reads the
/// time panic (the way to test a panicking resolver without a test-only
/// resolver in the schema).
#[derive(Debug)]
pub struct TestClock {
    now: Mutex<DateTime<Utc>>,
    panic: AtomicBool,
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        if self.panic.swap(false, Ordering::SeqCst) {
            panic!("the test clock was told to panic");
        }
        *self.now.lock().unwrap()
    }
}

impl TestClock {
    /// Moves the clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        *self.now.lock().unwrap() += by;
    }

    /// Makes the next read of the clock panic.
    pub fn panic_once(&self) {
        self.panic.store(true, Ordering::SeqCst);
    }
}

/// The configuration tests run with: the defaults, with a rate limit high
/// enough that only the rate-limit test meets it.
pub fn test_config() -> gateway::Config {
    gateway::Config {
        rate_limit: Some(gateway::config::RateLimit {
            per_second: 100_000,
            burst: 100_000,
        }),
        // Materials' files of every test in one scratch directory: keys
        // are school and material ids, so tests never meet.
        files_at: gateway::config::FilesAt::Dir(std::env::temp_dir().join("ostinato-test-files")),
        ..gateway::Config::default()
    }
}

/// Starts the server on port 0 over a fresh, migrated database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_config()).await
}

/// Starts the server with a given configuration.
pub async fn spawn_app_with(config: gateway::Config) -> TestApp {
    let database_url = fresh_database_url().await;
    let sqlite_file = database_url
        .strip_prefix("sqlite://")
        .and_then(|rest| rest.split('?').next())
        .map(std::path::PathBuf::from);
    let db = Db::connect(&database_url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let clock = Arc::new(TestClock {
        now: Mutex::new(now()),
        panic: AtomicBool::new(false),
    });
    let state = AppState::with_config(db.clone(), clock.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(gateway::serve(listener, state, std::future::pending()));
    TestApp {
        url,
        db,
        clock,
        database_url,
        client: reqwest::Client::new(),
        sqlite_file,
    }
}

impl TestApp {
    /// POSTs a GraphQL request and returns the JSON response.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        assert_eq!(
            response.status(),
            200,
            "GraphQL answered {}",
            response.status()
        );
        response.json().await.expect("JSON body")
    }

    /// Runs a mutation and returns `data.<field>`, asserting no transport
    /// errors and no userErrors.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(Some(token), query, variables).await;
        assert!(body.get("errors").is_none(), "errors: {body}");
        let data = body["data"]
            .as_object()
            .expect("data")
            .values()
            .next()
            .expect("one field")
            .clone();
        if let Some(errors) = data.get("userErrors") {
            assert_eq!(errors, &json!([]), "userErrors: {body}");
        }
        data
    }

    /// Creates a class series from `input` and returns its id.
    /// Sends `query` as a GraphQL multipart request (the spec SPAs use for
    /// uploads) with one file at `variables.input.file`; the whole body.
    pub async fn upload(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        file: (&str, &str, &[u8]),
    ) -> Value {
        let (name, content_type, bytes) = file;
        let boundary = "ostinato-test-boundary-7d1f";
        let mut body: Vec<u8> = Vec::new();
        let mut part = |headers: String, content: &[u8]| {
            body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        };
        let operations = json!({"query": query, "variables": variables}).to_string();
        part(
            "Content-Disposition: form-data; name=\"operations\"".into(),
            operations.as_bytes(),
        );
        part(
            "Content-Disposition: form-data; name=\"map\"".into(),
            br#"{"0": ["variables.input.file"]}"#,
        );
        part(
            format!(
                "Content-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: {content_type}"
            ),
            bytes,
        );
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut request = self
            .client
            .post(format!("{}/graphql", self.url))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        serde_json::from_str(&text)
            .unwrap_or_else(|_| json!({"status": status.as_u16(), "text": text}))
    }

    pub async fn create_series(&self, token: &str, input: Value) -> String {
        self.ok(token, CREATE_SERIES, json!({ "input": input }))
            .await["series"]["id"]
            .as_str()
            .expect("series id")
            .to_owned()
    }

    /// Signs up a school and returns its admin's token.
    pub async fn sign_up(&self, email: &str) -> String {
        let body = self
            .gql(
                None,
                "mutation($input: SignUpInput!) { signUp(input: $input) { token userErrors { field message code } } }",
                json!({ "input": {
                    "schoolName": "Test School", "email": email, "password": "correct horse battery",
                    "firstName": "Ada", "lastName": "Admin", "timezone": "Europe/London", "currency": "GBP"
                }}),
            )
            .await;
        body["data"]["signUp"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("sign up failed: {body}"))
            .to_owned()
    }
}

/// A school with one location, two rooms, two teachers, a student and an offering.
pub struct School {
    pub token: String,
    pub location: String,
    pub room_a: String,
    pub room_b: String,
    pub ada: String,
    pub bob: String,
    pub student: String,
    pub offering: String,
}

/// Builds a [`School`] through the API.
pub async fn school(app: &TestApp, email: &str) -> School {
    let token = app.sign_up(email).await;
    let location = app
        .ok(&token, "mutation { createLocation(input: {name: \"Main\", address: \"1 High St\"}) { location { id } userErrors { code } } }", json!({}))
        .await["location"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let room = |name: &str, capacity: i32| json!({ "input": { "locationId": location, "name": name, "capacity": capacity } });
    const CREATE_ROOM: &str = "mutation($input: CreateRoomInput!) { createRoom(input: $input) { room { id } userErrors { code } } }";
    let room_a = app.ok(&token, CREATE_ROOM, room("Room A", 10)).await["room"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let room_b = app.ok(&token, CREATE_ROOM, room("Room B", 4)).await["room"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const CREATE_TEACHER: &str = "mutation($input: CreateTeacherInput!) { createTeacher(input: $input) { teacher { id } userErrors { code } } }";
    let weekdays: Vec<Value> = (1..=5)
        .map(|d| json!({"dayOfWeek": d, "startTime": "09:00", "endTime": "19:00"}))
        .collect();
    let ada = app
        .ok(&token, CREATE_TEACHER, json!({"input": {"email": "ada@example.org", "firstName": "Ada", "lastName": "Byron", "availability": weekdays}}))
        .await["teacher"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob = app
        .ok(&token, CREATE_TEACHER, json!({"input": {"email": "bob@example.org", "firstName": "Bob", "lastName": "Marley",
            "availability": [{"dayOfWeek": 2, "startTime": "17:00", "endTime": "20:00"}, {"dayOfWeek": 3, "startTime": "17:00", "endTime": "20:00"}]}}))
        .await["teacher"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let student = app
        .ok(&token, "mutation { createStudent(input: {firstName: \"Lily\", lastName: \"Chen\", dateOfBirth: \"2014-05-01\"}) { student { id } userErrors { code } } }", json!({}))
        .await["student"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let offering = app
        .ok(&token, "mutation { createOffering(input: {title: \"Choir\", kind: GROUP, defaultDurationMinutes: 60, defaultCapacity: 8}) { offering { id } userErrors { code } } }", json!({}))
        .await["offering"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    School {
        token,
        location,
        room_a,
        room_b,
        ada,
        bob,
        student,
        offering,
    }
}

pub const CREATE_SERIES: &str = "mutation($input: CreateClassSeriesInput!) {
  createClassSeries(input: $input) { series { id timezone rrule } userErrors { field message code } }
}";

pub const GENERATE: &str = "mutation($input: GenerateSessionsInput!) {
  generateSessions(input: $input) {
    created { id occurrenceDate startsAt endsAt status conflicts { kind otherSessionId } }
    skippedDates
    conflicts { kind message sessionId otherSessionId resourceId }
    series { lastGeneratedThrough }
    userErrors { field message code }
  }
}";

/// The UUID inside a global id (`base64url("Type:uuid")`), for tests that
/// reach around the API into the database.
pub fn uuid_of(global: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in global.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base64url") as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    let text = String::from_utf8(out).expect("utf-8");
    text.split_once(':').expect("Type:uuid").1.to_owned()
}

/// `uploadMaterial`, selecting what tests look at.
pub const UPLOAD_MATERIAL: &str = "mutation($input: UploadMaterialInput!) {
  uploadMaterial(input: $input) {
    material { id title type visibility fileName contentType sizeBytes releaseAt expiresAt available }
    userErrors { field message code }
  }
}";

/// A one-page PDF's worth of bytes (the check reads only the header).
pub const SCORE_PDF: &[u8] = b"%PDF-1.7\n% Ode to Joy, first line\n%%EOF\n";
