//! The foundation scenario: sign up, set up a school, create two series
//! that overlap (one MARK, one SKIP), preview, generate, regenerate, and
//! read the calendar.

use serde_json::{Value, json};

use crate::helpers::{CREATE_SERIES, GENERATE, school, spawn_app};

fn dates(sessions: &Value) -> Vec<&str> {
    sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["occurrenceDate"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_term_of_overlapping_series_is_previewed_generated_and_shown() {
    let app = spawn_app().await;
    let s = school(&app, "office@flow.example").await;

    // Series 1 (MARK): Ada teaches choir in Room A, Tue + Thu 17:00, all March and April.
    let choir = app
        .ok(
            &s.token,
            CREATE_SERIES,
            json!({"input": {
                "offeringId": s.offering, "teacherId": s.ada, "locationId": s.location, "roomId": s.room_a,
                "startDate": "2026-03-02", "endDate": "2026-04-30", "startTime": "17:00", "durationMinutes": 60,
                "daysOfWeek": [2, 4], "capacity": 8, "conflictPolicy": "MARK"
            }}),
        )
        .await["series"]
        .clone();
    // The zone defaults to the location's, then the school's.
    assert_eq!(choir["timezone"], "Europe/London");
    assert_eq!(choir["rrule"], "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH;WKST=MO");
    let choir = choir["id"].as_str().unwrap().to_owned();

    // March only, for now: 9 sessions, no conflicts. 29 March is the UK's
    // spring-forward: 17:00 local is 17:00Z before it and 16:00Z after.
    let first = app
        .ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": choir, "through": "2026-03-31"}}),
        )
        .await;
    assert_eq!(
        dates(&first["created"]),
        [
            "2026-03-03",
            "2026-03-05",
            "2026-03-10",
            "2026-03-12",
            "2026-03-17",
            "2026-03-19",
            "2026-03-24",
            "2026-03-26",
            "2026-03-31"
        ]
    );
    assert_eq!(first["created"][7]["startsAt"], "2026-03-26T17:00:00Z");
    assert_eq!(first["created"][8]["startsAt"], "2026-03-31T16:00:00Z");
    assert_eq!(first["conflicts"], json!([]));
    assert_eq!(first["series"]["lastGeneratedThrough"], "2026-03-31");
    let march_tuesday = first["created"][2]["id"].as_str().unwrap().to_owned(); // 10 March

    // Series 2 (SKIP): Bob, same room, Tue + Wed 17:30, through April.
    let band = app.create_series(&s.token, json!({
                "offeringId": s.offering, "teacherId": s.bob, "locationId": s.location, "roomId": s.room_a,
                "startDate": "2026-03-02", "endDate": "2026-04-30", "startTime": "17:30", "durationMinutes": 60,
                "rrule": "FREQ=WEEKLY;BYDAY=TU,WE", "capacity": 6, "conflictPolicy": "SKIP"
            })).await;

    // Preview lists every occurrence and its conflicts, and writes nothing.
    let preview = app
        .gql(
            Some(&s.token),
            "query($id: ID!) { previewSessions(seriesId: $id, through: \"2026-03-31\") { occurrenceDate startsAt conflicts { kind message otherSessionId resourceId } } }",
            json!({"id": band}),
        )
        .await;
    let preview = &preview["data"]["previewSessions"];
    assert_eq!(dates(preview).len(), 9, "{preview}");
    let tuesday = preview
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["occurrenceDate"] == "2026-03-10")
        .unwrap();
    assert_eq!(tuesday["conflicts"][0]["kind"], "ROOM_DOUBLE_BOOKED");
    assert_eq!(
        tuesday["conflicts"][0]["otherSessionId"],
        march_tuesday.as_str()
    );
    assert_eq!(tuesday["conflicts"][0]["resourceId"], s.room_a.as_str());
    let wednesday = preview
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["occurrenceDate"] == "2026-03-11")
        .unwrap();
    assert_eq!(wednesday["conflicts"], json!([]));

    // Generate through April: March Tuesdays clash with the choir and are
    // skipped; April has no choir sessions yet, so everything else is created.
    let band_run = app
        .ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": band, "through": "2026-04-30"}}),
        )
        .await;
    assert_eq!(
        band_run["skippedDates"],
        json!([
            "2026-03-03",
            "2026-03-10",
            "2026-03-17",
            "2026-03-24",
            "2026-03-31"
        ])
    );
    assert_eq!(
        dates(&band_run["created"]).len(),
        4 + 4 + 5,
        "March Wednesdays, April Tuesdays and Wednesdays"
    );
    assert!(
        band_run["created"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "SCHEDULED")
    );
    assert_eq!(band_run["conflicts"].as_array().unwrap().len(), 5);

    // Now the choir's April Tuesdays clash with the band: MARK creates them
    // as CONFLICTED, naming the band session.
    let april = app
        .ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": choir, "through": "2026-04-30"}}),
        )
        .await;
    let created = april["created"].as_array().unwrap();
    assert_eq!(created.len(), 9, "April Tuesdays and Thursdays");
    let conflicted: Vec<&Value> = created
        .iter()
        .filter(|c| c["status"] == "CONFLICTED")
        .collect();
    assert_eq!(
        conflicted
            .iter()
            .map(|c| c["occurrenceDate"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["2026-04-07", "2026-04-14", "2026-04-21", "2026-04-28"]
    );
    assert_eq!(conflicted[0]["conflicts"][0]["kind"], "ROOM_DOUBLE_BOOKED");
    let band_april_7 = band_run["created"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["occurrenceDate"] == "2026-04-07")
        .unwrap();
    assert_eq!(
        conflicted[0]["conflicts"][0]["otherSessionId"],
        band_april_7["id"]
    );

    // Regenerating creates nothing new, for both series.
    for id in [&choir, &band] {
        let again = app
            .ok(
                &s.token,
                GENERATE,
                json!({"input": {"seriesId": id, "through": "2026-04-30"}}),
            )
            .await;
        assert_eq!(again["created"], json!([]), "{again}");
        assert_eq!(again["series"]["lastGeneratedThrough"], "2026-04-30");
    }

    // The room's calendar for the week of 6 April shows both series, with
    // the conflict reasons, teachers and rooms resolved.
    let calendar = app
        .gql(
            Some(&s.token),
            "query($room: ID!) { calendar(filter: {roomId: $room}, from: \"2026-04-06T00:00:00Z\", to: \"2026-04-13T00:00:00Z\") {
                occurrenceDate startsAt endsAt timezone status capacity teacher { id } room { id } series { id }
                conflicts { kind message }
            } }",
            json!({"room": s.room_a}),
        )
        .await;
    let week = calendar["data"]["calendar"]
        .as_array()
        .unwrap_or_else(|| panic!("{calendar}"));
    let summary: Vec<(String, String, String)> = week
        .iter()
        .map(|w| {
            (
                w["occurrenceDate"].as_str().unwrap().to_owned(),
                w["startsAt"].as_str().unwrap().to_owned(),
                w["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = [
        ("2026-04-07", "2026-04-07T16:00:00Z", "CONFLICTED"),
        ("2026-04-07", "2026-04-07T16:30:00Z", "SCHEDULED"),
        ("2026-04-08", "2026-04-08T16:30:00Z", "SCHEDULED"),
        ("2026-04-09", "2026-04-09T16:00:00Z", "SCHEDULED"),
    ];
    assert_eq!(
        summary,
        expect.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    );
    assert_eq!(week[0]["teacher"]["id"], s.ada.as_str());
    assert_eq!(week[1]["teacher"]["id"], s.bob.as_str());
    assert_eq!(week[0]["room"]["id"], s.room_a.as_str());
    assert_eq!(week[0]["series"]["id"], choir.as_str());
    assert_eq!(week[0]["timezone"], "Europe/London");
    assert!(
        week[0]["conflicts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("the room is already in session")
    );

    // Ada's own calendar has only her sessions.
    let ada = app
        .gql(
            Some(&s.token),
            "query($t: ID!) { calendar(filter: {teacherId: $t}, from: \"2026-04-06T00:00:00Z\", to: \"2026-04-13T00:00:00Z\") { occurrenceDate } }",
            json!({"t": s.ada}),
        )
        .await;
    assert_eq!(
        dates(&ada["data"]["calendar"]),
        ["2026-04-07", "2026-04-09"]
    );
}

#[tokio::test]
async fn fail_policy_refuses_the_whole_generation_and_writes_nothing() {
    let app = spawn_app().await;
    let s = school(&app, "office@fail.example").await;
    // Room B holds 4; a 6-seat series there conflicts on every date.
    let series = app.create_series(&s.token, json!({
                "offeringId": s.offering, "teacherId": s.ada, "locationId": s.location, "roomId": s.room_b,
                "startDate": "2026-03-02", "count": 3, "startTime": "10:00", "rrule": "FREQ=WEEKLY;BYDAY=MO",
                "capacity": 6, "conflictPolicy": "FAIL"
            })).await;
    let body = app
        .gql(
            Some(&s.token),
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-06-30"}}),
        )
        .await;
    let payload = &body["data"]["generateSessions"];
    assert_eq!(payload["userErrors"][0]["code"], "CONFLICT", "{body}");
    assert_eq!(payload["created"], json!([]));
    assert_eq!(payload["conflicts"].as_array().unwrap().len(), 3);
    assert_eq!(payload["conflicts"][0]["kind"], "ROOM_TOO_SMALL");
    assert!(
        payload["conflicts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("holds 4")
    );
    let calendar = app
        .gql(
            Some(&s.token),
            "query($l: ID!) { calendar(filter: {locationId: $l}, from: \"2026-03-01T00:00:00Z\", to: \"2026-04-01T00:00:00Z\") { id } }",
            json!({"l": s.location}),
        )
        .await;
    assert_eq!(calendar["data"]["calendar"], json!([]));
}

#[tokio::test]
async fn concurrent_generations_of_one_series_create_each_session_once() {
    let app = spawn_app().await;
    let s = school(&app, "office@race.example").await;
    let series = app.create_series(&s.token, json!({
                "offeringId": s.offering, "teacherId": s.ada, "locationId": s.location, "roomId": s.room_a,
                "startDate": "2026-03-02", "startTime": "10:00", "daysOfWeek": [1, 3, 5]
            })).await;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (url, token, series) = (app.url.clone(), s.token.clone(), series.clone());
            tokio::spawn(async move {
                let body: Value = reqwest::Client::new()
                    .post(format!("{url}/graphql"))
                    .bearer_auth(token)
                    .json(&json!({"query": GENERATE, "variables": {"input": {"seriesId": series, "through": "2026-05-31"}}}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                body["data"]["generateSessions"]["created"].as_array().map(Vec::len).unwrap_or_else(|| panic!("{body}"))
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    // Mon/Wed/Fri from 2 March through 31 May: 39 occurrences, created once in all.
    assert_eq!(total, 39);
}

#[tokio::test]
async fn paused_series_do_not_generate_and_ending_cancels_future_sessions() {
    let app = spawn_app().await;
    let s = school(&app, "office@life.example").await;
    let series = app
        .create_series(
            &s.token,
            json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                "startDate": "2026-02-02", "startTime": "10:00", "daysOfWeek": [1]}),
        )
        .await;
    const SET: &str = "mutation($id: ID!, $s: SeriesStatus!) { setClassSeriesStatus(input: {seriesId: $id, status: $s}) {
        series { status } cancelledSessions userErrors { field code message } } }";
    // February (two past Mondays, "now" is 1 March) and March (five future Mondays).
    let made = app
        .ok(
            &s.token,
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-03-31"}}),
        )
        .await;
    assert_eq!(made["created"].as_array().unwrap().len(), 9);

    let paused = app
        .ok(&s.token, SET, json!({"id": series, "s": "PAUSED"}))
        .await;
    assert_eq!(paused["series"]["status"], "PAUSED");
    let refused = app
        .gql(
            Some(&s.token),
            GENERATE,
            json!({"input": {"seriesId": series, "through": "2026-04-30"}}),
        )
        .await;
    assert_eq!(
        refused["data"]["generateSessions"]["userErrors"][0]["code"], "INVALID_STATE",
        "{refused}"
    );

    let ended = app
        .ok(&s.token, SET, json!({"id": series, "s": "ENDED"}))
        .await;
    assert_eq!(
        ended["cancelledSessions"], 5,
        "only sessions that have not started"
    );
    let again = app
        .gql(Some(&s.token), SET, json!({"id": series, "s": "ACTIVE"}))
        .await;
    let error = &again["data"]["setClassSeriesStatus"]["userErrors"][0];
    assert_eq!(error["code"], "INVALID_STATE");
    assert!(
        error["message"].as_str().unwrap().contains("final"),
        "{again}"
    );

    let calendar = app
        .gql(
            Some(&s.token),
            "query($t: ID!) { calendar(filter: {teacherId: $t}, from: \"2026-02-01T00:00:00Z\", to: \"2026-04-01T00:00:00Z\") { occurrenceDate status } }",
            json!({"t": s.ada}),
        )
        .await;
    let statuses: Vec<(&str, &str)> = calendar["data"]["calendar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["occurrenceDate"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses[..2],
        [("2026-02-02", "SCHEDULED"), ("2026-02-09", "SCHEDULED")]
    );
    assert!(
        statuses[4..].iter().all(|(_, s)| *s == "CANCELLED"),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn advance_series_are_kept_generated_eight_weeks_ahead_by_the_job() {
    let app = spawn_app().await;
    let s = school(&app, "office@advance.example").await;
    let series = app.create_series(&s.token, json!({"offeringId": s.offering, "teacherId": s.ada, "locationId": s.location,
                "startDate": "2026-03-02", "startTime": "10:00", "daysOfWeek": [1], "generationMode": "ADVANCE"})).await;
    // An ON_DEMAND series is left alone by the job.
    app.ok(
        &s.token,
        CREATE_SERIES,
        json!({"input": {"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location,
            "startDate": "2026-03-02", "startTime": "18:00", "daysOfWeek": [2]}}),
    )
    .await;
    let report = infra::scheduling::advance(&app.db, crate::helpers::now())
        .await
        .unwrap();
    // "Now" is 1 March; eight weeks ahead is 26 April: Mondays 2 March … 20 April.
    assert_eq!((report.series, report.created, report.refused), (1, 8, 0));
    let again = infra::scheduling::advance(&app.db, crate::helpers::now())
        .await
        .unwrap();
    assert_eq!(again, Default::default(), "nothing is due the second time");
    let node = app
        .gql(
            Some(&s.token),
            "query($id: ID!) { node(id: $id) { ... on ClassSeries { lastGeneratedThrough } } }",
            json!({"id": series}),
        )
        .await;
    assert_eq!(node["data"]["node"]["lastGeneratedThrough"], "2026-04-26");
}
