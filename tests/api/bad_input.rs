//! Bad input: each case answers a userError naming the field, and writes nothing.

use serde_json::{Value, json};

use crate::helpers::{CREATE_SERIES, GENERATE, school, spawn_app};

#[tokio::test]
async fn invalid_series_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let s = school(&app, "office@bad.example").await;
    let other = school(&app, "office@other.example").await;
    let valid = json!({
        "offeringId": s.offering, "teacherId": s.ada, "locationId": s.location, "roomId": s.room_a,
        "startDate": "2026-03-02", "endDate": "2026-06-30", "startTime": "17:00", "durationMinutes": 60,
        "daysOfWeek": [2], "capacity": 8
    });
    let with = |changes: Value| {
        let mut input = valid.clone();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                input.as_object_mut().unwrap().remove(k);
            } else {
                input[k] = v.clone();
            }
        }
        json!({ "input": input })
    };
    let cases: Vec<(Value, &str, &str, &str)> = vec![
        (
            json!({"daysOfWeek": null, "rrule": "FREQ=WEEKLY;BYDAY=XX"}),
            "rrule",
            "INVALID_RRULE",
            "could not be read",
        ),
        (
            json!({"timezone": "Europe/Londn"}),
            "timezone",
            "UNKNOWN_TIME_ZONE",
            "not a known IANA time zone",
        ),
        (
            json!({"endDate": "2026-02-01"}),
            "endDate",
            "INVALID",
            "before startDate",
        ),
        (
            json!({"durationMinutes": 0}),
            "durationMinutes",
            "INVALID",
            "between 1 and",
        ),
        (
            json!({"durationMinutes": -15}),
            "durationMinutes",
            "INVALID",
            "between 1 and",
        ),
        (json!({"capacity": 0}), "capacity", "INVALID", "at least 1"),
        (
            json!({"daysOfWeek": null}),
            "rrule",
            "INVALID",
            "exactly one of rrule or daysOfWeek",
        ),
        (
            json!({"rrule": "FREQ=WEEKLY"}),
            "rrule",
            "INVALID",
            "exactly one of rrule or daysOfWeek",
        ),
        (
            json!({"teacherId": other.ada}),
            "teacherId",
            "NOT_FOUND",
            "no teacher",
        ),
        (
            json!({"locationId": other.location}),
            "locationId",
            "NOT_FOUND",
            "no location",
        ),
        (
            json!({"roomId": other.room_a}),
            "roomId",
            "NOT_FOUND",
            "no room",
        ),
        (
            json!({"offeringId": other.offering}),
            "offeringId",
            "NOT_FOUND",
            "no offering",
        ),
        (
            json!({"studentId": other.student}),
            "studentId",
            "NOT_FOUND",
            "no student",
        ),
        // A room id passed as a teacher id is refused too.
        (
            json!({"teacherId": s.room_a}),
            "teacherId",
            "NOT_FOUND",
            "no teacher",
        ),
        (
            json!({"teacherId": "not-a-global-id"}),
            "teacherId",
            "NOT_FOUND",
            "no teacher",
        ),
    ];
    for (changes, field, code, needle) in cases {
        let body = app
            .gql(Some(&s.token), CREATE_SERIES, with(changes.clone()))
            .await;
        let payload = &body["data"]["createClassSeries"];
        assert_eq!(payload["series"], Value::Null, "{changes}: {body}");
        let errors = payload["userErrors"]
            .as_array()
            .unwrap_or_else(|| panic!("{changes}: {body}"));
        let hit = errors
            .iter()
            .find(|e| e["field"] == json!(["input", field]));
        let hit = hit.unwrap_or_else(|| panic!("{changes}: no error on {field}: {body}"));
        assert_eq!(hit["code"], code, "{changes}: {body}");
        assert!(
            hit["message"].as_str().unwrap().contains(needle),
            "{changes}: {}",
            hit["message"]
        );
    }
    // The rrule message carries the parser's reason.
    let body = app
        .gql(
            Some(&s.token),
            CREATE_SERIES,
            with(json!({"daysOfWeek": null, "rrule": "FREQ=WEEKLY;BYDAY=XX"})),
        )
        .await;
    assert!(
        body["data"]["createClassSeries"]["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("XX"),
        "{body}"
    );

    // Nothing was written.
    let listed = app
        .gql(
            Some(&s.token),
            "{ classSeries { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["classSeries"],
        json!({"totalCount": 0, "nodes": []}),
        "{listed}"
    );
}

#[tokio::test]
async fn generation_more_than_two_years_ahead_is_refused() {
    let app = spawn_app().await;
    let s = school(&app, "office@horizon.example").await;
    let series = app
        .create_series(
            &s.token,
            json!({"offeringId": s.offering, "locationId": s.location, "startDate": "2026-03-02",
                "startTime": "09:00", "daysOfWeek": [1]}),
        )
        .await;
    let body = app
        .gql(
            Some(&s.token),
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2028-06-01"}}),
        )
        .await;
    let error = &body["data"]["generateSessions"]["userErrors"][0];
    assert_eq!(error["field"], json!(["input", "through"]), "{body}");
    assert_eq!(error["code"], "BEYOND_HORIZON");
    assert_eq!(body["data"]["generateSessions"]["created"], json!([]));
    let preview = app
        .gql(Some(&s.token), "query($id: ID!) { previewSessions(seriesId: $id, through: \"2028-06-01\") { occurrenceDate } }", json!({"id": series}))
        .await;
    assert_eq!(
        preview["errors"][0]["extensions"]["code"], "BEYOND_HORIZON",
        "{preview}"
    );
}

#[tokio::test]
async fn missing_or_bad_tokens_get_an_auth_error() {
    let app = spawn_app().await;
    for token in [None, Some("ost_not-a-real-token")] {
        let body = app.gql(token, "{ me { email } }", json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{body}"
        );
        let body = app
            .gql(
                token,
                "mutation { createLocation(input: {name: \"X\"}) { location { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{body}"
        );
    }
    // A malformed header is an auth error as well, not a crash.
    let response = app
        .client
        .post(format!("{}/graphql", app.url))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .json(&json!({"query": "{ me { email } }"}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
}

#[tokio::test]
async fn sign_up_and_login_validate_and_refuse_wrong_passwords() {
    let app = spawn_app().await;
    let token = app.sign_up("owner@login.example").await;
    assert!(token.starts_with("ost_"));
    // The same email cannot sign up twice.
    let body = app
        .gql(
            None,
            "mutation { signUp(input: {schoolName: \"Dup\", email: \"OWNER@login.example\", password: \"long enough pw\", firstName: \"A\", lastName: \"B\", timezone: \"Mars/Base\", currency: \"EURO\"}) { token userErrors { field code } } }",
            json!({}),
        )
        .await;
    let errors = &body["data"]["signUp"]["userErrors"];
    assert_eq!(body["data"]["signUp"]["token"], Value::Null);
    let fields: Vec<&Value> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["field"][1])
        .collect();
    assert_eq!(fields, [&json!("timezone"), &json!("currency")], "{body}");
    let taken = app
        .gql(
            None,
            "mutation { signUp(input: {schoolName: \"Dup\", email: \"OWNER@login.example\", password: \"long enough pw\", firstName: \"A\", lastName: \"B\", timezone: \"Europe/Paris\", currency: \"EUR\"}) { token userErrors { field code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        taken["data"]["signUp"]["userErrors"],
        json!([{"field": ["input", "email"], "code": "TAKEN"}]),
        "{taken}"
    );
    let login = "mutation($p: String!) { login(input: {email: \"owner@login.example\", password: $p}) { token userErrors { code } } }";
    let ok = app
        .gql(None, login, json!({"p": "correct horse battery"}))
        .await;
    let token = ok["data"]["login"]["token"].as_str().unwrap();
    let me = app
        .gql(
            Some(token),
            "{ me { email roles school { name timezone currency } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        me["data"]["me"],
        json!({"email": "owner@login.example", "roles": ["ADMIN"], "school": {"name": "Test School", "timezone": "Europe/London", "currency": "GBP"}})
    );
    let wrong = app.gql(None, login, json!({"p": "wrong password!"})).await;
    assert_eq!(
        wrong["data"]["login"],
        json!({"token": null, "userErrors": [{"code": "INVALID_CREDENTIALS"}]})
    );
}

#[tokio::test]
async fn setup_mutations_refuse_bad_values_with_the_field_named() {
    let app = spawn_app().await;
    let s = school(&app, "office@setup.example").await;
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "mutation($i: CreateLocationInput!) { createLocation(input: $i) { location { id } userErrors { field code message } } }",
            json!({"name": "Branch", "timezone": "Atlantis/Capital"}),
            "timezone",
            "UNKNOWN_TIME_ZONE",
        ),
        (
            "mutation($i: CreateLocationInput!) { createLocation(input: $i) { location { id } userErrors { field code message } } }",
            json!({"name": "   "}),
            "name",
            "INVALID",
        ),
        (
            "mutation($i: CreateRoomInput!) { createRoom(input: $i) { room { id } userErrors { field code message } } }",
            json!({"locationId": s.location, "name": "Closet", "capacity": 0}),
            "capacity",
            "INVALID",
        ),
        (
            "mutation($i: CreateTeacherInput!) { createTeacher(input: $i) { teacher { id } userErrors { field code message } } }",
            json!({"email": "t@example.org", "firstName": "T", "lastName": "T",
                   "availability": [{"dayOfWeek": 8, "startTime": "09:00", "endTime": "17:00"}]}),
            "availability",
            "INVALID",
        ),
        (
            "mutation($i: CreateTeacherInput!) { createTeacher(input: $i) { teacher { id } userErrors { field code message } } }",
            json!({"email": "t@example.org", "firstName": "T", "lastName": "T",
                   "availability": [{"dayOfWeek": 1, "startTime": "17:00", "endTime": "09:00"}]}),
            "availability",
            "INVALID",
        ),
        (
            "mutation($i: CreateTeacherInput!) { createTeacher(input: $i) { teacher { id } userErrors { field code message } } }",
            json!({"email": "not-an-email", "firstName": "T", "lastName": "T"}),
            "email",
            "INVALID",
        ),
        (
            "mutation($i: CreateOfferingInput!) { createOffering(input: $i) { offering { id } userErrors { field code message } } }",
            json!({"title": "Piano", "kind": "INDIVIDUAL", "defaultDurationMinutes": 30, "defaultCapacity": 0}),
            "defaultCapacity",
            "INVALID",
        ),
    ];
    for (mutation, input, field, code) in cases {
        let body = app.gql(Some(&s.token), mutation, json!({"i": input})).await;
        let payload = body["data"]
            .as_object()
            .and_then(|d| d.values().next())
            .unwrap_or_else(|| panic!("{body}"));
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", field]),
            "{input}: {body}"
        );
        assert_eq!(payload["userErrors"][0]["code"], code, "{input}: {body}");
        assert!(
            !payload["userErrors"][0]["message"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    // Nothing half-written: still one location, no extra teachers.
    let body = app
        .gql(
            Some(&s.token),
            "{ locations { nodes { rooms { name } } } teachers { totalCount } offerings { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["locations"]["nodes"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        body["data"]["locations"]["nodes"][0]["rooms"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(body["data"]["teachers"]["totalCount"], 2);
    assert_eq!(body["data"]["offerings"]["totalCount"], 1);
}
