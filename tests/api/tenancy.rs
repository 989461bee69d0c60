//! Tenant isolation for what exists so far: another school's ids find nothing.

use serde_json::{Value, json};

use crate::helpers::{GENERATE, school, spawn_app};

#[tokio::test]
async fn another_schools_ids_find_nothing_and_change_nothing() {
    let app = spawn_app().await;
    let a = school(&app, "office@a.example").await;
    let b = school(&app, "office@b.example").await;
    let series = app.create_series(&a.token, json!({"offeringId": a.offering, "teacherId": a.ada, "locationId": a.location, "roomId": a.room_a,
                "startDate": "2026-03-02", "count": 2, "startTime": "10:00", "daysOfWeek": [1]})).await;
    let created = app
        .ok(
            &a.token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    let session = created["created"][0]["id"].as_str().unwrap().to_owned();

    // node(id:) with B's token sees none of A's objects.
    for id in [
        &a.location,
        &a.room_a,
        &a.ada,
        &a.student,
        &a.offering,
        &series,
        &session,
    ] {
        let body = app
            .gql(
                Some(&b.token),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(body["data"]["node"], Value::Null, "{id}: {body}");
        let own = app
            .gql(
                Some(&a.token),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(own["data"]["node"]["id"], id.as_str(), "{own}");
    }
    // Calendars filtered by A's ids are empty for B.
    for (key, id) in [
        ("locationId", &a.location),
        ("teacherId", &a.ada),
        ("roomId", &a.room_a),
    ] {
        let query = format!(
            "{{ calendar(filter: {{{key}: \"{id}\"}}, from: \"2026-03-01T00:00:00Z\", to: \"2026-04-01T00:00:00Z\") {{ id }} }}"
        );
        let body = app.gql(Some(&b.token), &query, json!({})).await;
        assert_eq!(body["data"]["calendar"], json!([]), "{key}: {body}");
    }
    // Mutations with A's ids are refused as NOT_FOUND and change nothing.
    let body = app
        .gql(
            Some(&b.token),
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-06-30"}}),
        )
        .await;
    assert_eq!(
        body["data"]["generateSessions"]["userErrors"][0]["code"], "NOT_FOUND",
        "{body}"
    );
    let body = app
        .gql(Some(&b.token), "query($id: ID!) { previewSessions(seriesId: $id, through: \"2026-06-30\") { occurrenceDate } }", json!({"id": series}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{body}"
    );
    let body = app
        .gql(Some(&b.token), "mutation($l: ID!) { createRoom(input: {locationId: $l, name: \"Sneaky\", capacity: 3}) { room { id } userErrors { code field } } }", json!({"l": a.location}))
        .await;
    assert_eq!(
        body["data"]["createRoom"]["userErrors"],
        json!([{"code": "NOT_FOUND", "field": ["input", "locationId"]}])
    );
    let rooms = app
        .gql(
            Some(&a.token),
            "{ locations { nodes { rooms { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        rooms["data"]["locations"]["nodes"][0]["rooms"],
        json!([{"name": "Room A"}, {"name": "Room B"}])
    );
    // Lists show only the viewer's rows.
    let body = app
        .gql(
            Some(&b.token),
            "{ classSeries { totalCount nodes { id } } teachers { totalCount nodes { email } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["classSeries"],
        json!({"totalCount": 0, "nodes": []})
    );
    assert_eq!(body["data"]["teachers"]["totalCount"], 2);
}
