//! A whole term at once: `previewTerm` and `generateTerm` over every
//! ON_DEMAND series, one sweep for conflicts across series, each series'
//! own policy, and reads that do not grow with the number of series.

use serde_json::{Value, json};

use crate::helpers::{GENERATE, TestApp, school, spawn_app};

const TERM: &str = "mutation($i: GenerateTermInput!) { generateTerm(input: $i) {
  sessionCount
  series { series { id lastGeneratedThrough } sessionCount skippedDates refusal { code message } }
  conflicts { kind sessionId otherSessionId }
  userErrors { field code message } } }";

const PREVIEW: &str =
    "query($t: LocalDate!, $ids: [ID!]) { previewTerm(through: $t, seriesIds: $ids) {
  sessionCount series { series { id } sessionCount refusal { code } } conflicts { kind } } }";

async fn series(app: &TestApp, token: &str, input: Value) -> String {
    app.create_series(token, input).await
}

#[tokio::test]
async fn a_term_generates_every_on_demand_series_with_one_sweep_and_each_policy() {
    let app = spawn_app().await;
    let s = school(&app, "term@example.org").await;
    let t = &s.token;
    let base = |teacher: &str, time: &str, days: Vec<u32>, policy: &str| {
        json!({"offeringId": s.offering, "teacherId": teacher, "locationId": s.location,
               "startDate": "2026-03-02", "endDate": "2026-03-29", "startTime": time,
               "durationMinutes": 60, "daysOfWeek": days, "conflictPolicy": policy})
    };
    // Two series of Ada that clash every Monday (MARK),
    // one of Bob under FAIL that clashes with a stored one-off, and an
    // ADVANCE series the term leaves to its job.
    let a = series(&app, t, base(&s.ada, "10:00", vec![1], "MARK")).await;
    let b = series(&app, t, base(&s.ada, "10:30", vec![1], "MARK")).await;
    app.ok(
        t,
        "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code } } }",
        json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.bob, "startsAt": "2026-03-10T17:00:00Z"}}),
    )
    .await;
    let c = series(&app, t, base(&s.bob, "17:00", vec![2], "FAIL")).await;
    let mut advance = base(&s.bob, "18:30", vec![3], "MARK");
    advance["generationMode"] = json!("ADVANCE");
    let d = series(&app, t, advance).await;

    let preview = app
        .ok(t, PREVIEW, json!({"t": "2026-03-31", "ids": null}))
        .await;
    let done = app
        .ok(t, TERM, json!({"i": {"through": "2026-03-31"}}))
        .await;
    // A and B: four Mondays each, every one CONFLICTED with the other.
    assert_eq!(done["sessionCount"], 8);
    assert_eq!(preview["sessionCount"], 8);
    let ids: Vec<&str> = done["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["series"]["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&d.as_str()), "ADVANCE series are the job's");
    let entry = |id: &str| {
        done["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["series"]["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(entry(&a)["sessionCount"], 4);
    assert_eq!(entry(&b)["sessionCount"], 4);
    assert_eq!(entry(&a)["series"]["lastGeneratedThrough"], "2026-03-31");
    // C is refused alone, with its conflict named.
    assert_eq!(entry(&c)["sessionCount"], 0);
    assert_eq!(entry(&c)["refusal"]["code"], "CONFLICT");
    let kinds: Vec<&str> = done["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    // As if generated one after another: B (created after A) meets A's
    // four new Mondays; A is not held to B's, and C's clash is the stored
    // one-off.
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "TEACHER_DOUBLE_BOOKED")
            .count(),
        5,
        "B against A four times, and C's: {kinds:?}"
    );
    let statuses = app
        .ok(
            t,
            "query($f: CalendarFilter!) { calendar(filter: $f, from: \"2026-03-02T00:00:00Z\", to: \"2026-03-03T00:00:00Z\") { status series { id } } }",
            json!({"f": {"teacherId": s.ada}}),
        )
        .await;
    let status_of = |id: &str| {
        statuses
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["series"]["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status_of(&a), "SCHEDULED");
    assert_eq!(status_of(&b), "CONFLICTED");
    // Preview and commit agree, series by series.
    let counts = |v: &Value| -> Vec<(String, i64)> {
        v["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["series"]["id"].as_str().unwrap().to_owned(),
                    x["sessionCount"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(counts(&preview), counts(&done));
    // Idempotent: again, or per series, nothing new.
    let again = app
        .ok(t, TERM, json!({"i": {"through": "2026-03-31"}}))
        .await;
    assert_eq!(again["sessionCount"], 0);
    let per_series = app
        .ok(
            t,
            GENERATE,
            json!({"input": {"seriesId": a, "through": "2026-03-31"}}),
        )
        .await;
    assert_eq!(per_series["created"], json!([]));
    // A listed series of another school, or a malformed id, is NOT_FOUND.
    let other = school(&app, "term-other@example.org").await;
    let body = app
        .gql(
            Some(&other.token),
            TERM,
            json!({"i": {"through": "2026-03-31", "seriesIds": [a]}}),
        )
        .await;
    assert_eq!(
        body["data"]["generateTerm"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn a_terms_statements_do_not_grow_with_its_series() {
    let app = spawn_app().await;
    let s = school(&app, "term-count@example.org").await;
    let t = &s.token;
    let add = async |n: usize| -> Vec<String> {
        let mut teachers = Vec::new();
        for i in 0..n {
            let teacher = app
                .ok(
                    t,
                    "mutation($e: String!) { createTeacher(input: {email: $e, firstName: \"T\", lastName: \"T\"}) { teacher { id } userErrors { code } } }",
                    json!({"e": format!("t{n}-{i}@term.example")}),
                )
                .await["teacher"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            series(
                &app,
                t,
                json!({"offeringId": s.offering, "teacherId": teacher, "locationId": s.location,
                       "startDate": "2026-03-02", "count": 4, "startTime": "10:00",
                       "durationMinutes": 60, "daysOfWeek": [(i % 5) as u32 + 1]}),
            )
            .await;
            teachers.push(teacher);
        }
        teachers
    };
    let run = async || {
        let before = app.db.statements();
        let done = app
            .ok(t, TERM, json!({"i": {"through": "2026-04-30"}}))
            .await;
        (
            app.db.statements() - before,
            done["sessionCount"].as_i64().unwrap(),
        )
    };
    // Both runs meet stored sessions of their teachers (the second the
    // first run's), so both read the same tables.
    let first = add(2).await;
    app.ok(
        t,
        "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code } } }",
        json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": first[0], "startsAt": "2026-03-02T15:00:00Z"}}),
    )
    .await;
    let (small, created_small) = run().await;
    add(12).await;
    let (large, created_large) = run().await;
    assert_eq!((created_small, created_large), (8, 48));
    assert_eq!(small, large, "statements for 2 series and for 12");
}
