//! Learning materials over HTTP (issue 11): a score uploaded with the
//! GraphQL multipart request, released tomorrow (the clock is the test's),
//! seen by its students only between release and expiry, downloaded over
//! a short-lived signed link and counted; lesson-group and public
//! visibility; bad uploads and links refused with nothing stored.

use serde_json::{Value, json};

use crate::helpers::{
    SCORE_PDF, TestApp, UPLOAD_MATERIAL, school, spawn_app, spawn_app_with, test_config,
};
use crate::roles::cast;

const MATERIALS: &str = "{ materials(first: 50) { totalCount nodes { id title available } } }";
const GRANT: &str = "mutation($i: GrantMaterialInput!) { grantMaterial(input: $i) { material { id } userErrors { field code message } } }";
const LINK: &str = "query($id: ID!) { node(id: $id) { ... on Material { downloadUrl } } }";

fn ids(list: &Value) -> Vec<String> {
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn fetch(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap()
}

async fn link(app: &TestApp, token: &str, material: &str) -> String {
    app.ok(token, LINK, json!({"id": material})).await["downloadUrl"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_score_released_tomorrow_is_seen_from_tomorrow_until_it_expires() {
    let app = spawn_app().await;
    let c = cast(&app, "scores.example").await;
    let s = &c.school;
    let uploaded = app
        .upload(
            Some(&c.teacher),
            UPLOAD_MATERIAL,
            json!({"input": {"file": null, "title": "Ode to Joy", "type": "MUSIC_SCORE", "visibility": "PRIVATE",
                             "releaseAt": "2026-03-02T12:00:00Z", "expiresAt": "2026-03-05T12:00:00Z"}}),
            ("C:\\scores\\Ode to Joy.pdf", "application/pdf", SCORE_PDF),
        )
        .await;
    let m = &uploaded["data"]["uploadMaterial"]["material"];
    assert_eq!(
        uploaded["data"]["uploadMaterial"]["userErrors"],
        json!([]),
        "{uploaded}"
    );
    assert_eq!(m["fileName"], "Ode to Joy.pdf");
    assert_eq!(m["contentType"], "application/pdf");
    assert_eq!(m["sizeBytes"], SCORE_PDF.len());
    assert_eq!(m["available"], false);
    let id = m["id"].as_str().unwrap().to_owned();
    app.ok(
        &c.teacher,
        GRANT,
        json!({"i": {"materialId": id, "studentIds": [s.student]}}),
    )
    .await;

    // Today: the student and her parent do not see it; the office does.
    for token in [&c.student, &c.parent] {
        assert!(!ids(&app.ok(token, MATERIALS, json!({})).await).contains(&id));
        let node = app
            .gql(
                Some(token),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(node["data"]["node"], Value::Null, "{node}");
    }
    assert!(ids(&app.ok(&c.staff, MATERIALS, json!({})).await).contains(&id));

    // Tomorrow it is out.
    app.clock.advance(chrono::Duration::days(1));
    let seen = app.ok(&c.student, MATERIALS, json!({})).await;
    assert!(ids(&seen).contains(&id), "{seen}");
    let url = link(&app, &c.student, &id).await;
    assert!(url.starts_with("/files/"), "{url}");
    let got = fetch(&app, &url).await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "application/pdf");
    let disposition = got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"Ode to Joy.pdf\""),
        "{disposition}"
    );
    assert_eq!(got.bytes().await.unwrap().as_ref(), SCORE_PDF);
    // The parent downloads for Lily: counted for her too.
    let parents = app
        .ok(
            &c.parent,
            "query($id: ID!, $s: ID!) { node(id: $id) { ... on Material { downloadUrl(forStudentId: $s) } } }",
            json!({"id": id, "s": s.student}),
        )
        .await["downloadUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(fetch(&app, &parents).await.status(), 200);
    let stats = app
        .ok(
            &c.staff,
            "query($id: ID!) { node(id: $id) { ... on Material { accessStats { totalCount students { count student { id } lastAccessedAt } } grantedTo { id } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(stats["accessStats"]["totalCount"], 2, "{stats}");
    assert_eq!(stats["accessStats"]["students"][0]["count"], 2);
    assert_eq!(
        stats["accessStats"]["students"][0]["student"]["id"],
        json!(s.student)
    );
    assert_eq!(stats["grantedTo"], json!([{"id": s.student}]));
    let hidden = app
        .ok(
            &c.student,
            "query($id: ID!) { node(id: $id) { ... on Material { accessStats { totalCount } grantedTo { id } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        hidden,
        json!({"accessStats": null, "grantedTo": null}),
        "families do not see who else downloaded"
    );

    // A link works for ten minutes.
    app.clock.advance(chrono::Duration::minutes(11));
    let stale = fetch(&app, &url).await;
    assert_eq!(stale.status(), 410);
    assert!(stale.text().await.unwrap().contains("expired"));

    // A link fetched just before the material expires stops with it.
    app.clock
        .advance(chrono::Duration::days(2) + chrono::Duration::minutes(23 * 60 + 44));
    let last = link(&app, &c.student, &id).await;
    app.clock.advance(chrono::Duration::minutes(6));
    let gone = fetch(&app, &last).await;
    assert_eq!(gone.status(), 410);
    assert!(gone.text().await.unwrap().contains("not available"));
    assert!(!ids(&app.ok(&c.student, MATERIALS, json!({})).await).contains(&id));
    // Teachers and the office still reach it.
    let staff_link = link(&app, &c.staff, &id).await;
    assert_eq!(fetch(&app, &staff_link).await.status(), 200);
}

#[tokio::test]
async fn lesson_group_and_public_materials_reach_the_right_students() {
    let app = spawn_app().await;
    let c = cast(&app, "groups.example").await;
    let s = &c.school;
    let upload = async |input: Value| {
        let body = app
            .upload(
                Some(&s.token),
                UPLOAD_MATERIAL,
                json!({"input": input}),
                ("track.mp3", "audio/mpeg", b"ID3\x04\x00\x00 backing track"),
            )
            .await;
        body["data"]["uploadMaterial"]["material"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned()
    };
    let group = upload(
        json!({"file": null, "title": "Lily's lesson track", "type": "BACKING_TRACK",
                              "visibility": "LESSON_GROUP", "seriesId": c.lily_series}),
    )
    .await;
    let public = upload(
        json!({"file": null, "title": "Practice guide", "type": "PRACTICE_GUIDE", "visibility": "PUBLIC_SCHOOL"}),
    )
    .await;
    let lily = ids(&app.ok(&c.student, MATERIALS, json!({})).await);
    assert!(lily.contains(&group) && lily.contains(&public), "{lily:?}");
    assert!(
        lily.contains(&c.material),
        "the cast's score is granted to Lily"
    );
    let as_sam = app
        .ok(
            &s.token,
            "query($s: ID!) { materials(filter: {studentId: $s}) { nodes { id } } }",
            json!({"s": c.sam}),
        )
        .await;
    assert_eq!(
        ids(&as_sam),
        vec![public.clone()],
        "Sam sees only the public one"
    );
    let by_series = app
        .ok(
            &c.parent,
            "query($s: ID!) { materials(filter: {seriesId: $s, type: BACKING_TRACK}) { nodes { id } } }",
            json!({"s": c.lily_series}),
        )
        .await;
    assert_eq!(ids(&by_series), vec![group]);
}

#[tokio::test]
async fn uploads_are_for_teachers_and_the_office() {
    let app = spawn_app().await;
    let c = cast(&app, "uploaders.example").await;
    let input = json!({"input": {"file": null, "title": "Notes", "type": "LESSON_NOTE"}});
    let file = (
        "notes.txt",
        "text/plain",
        "Keep the wrist loose.".as_bytes(),
    );
    for (who, token, want) in [
        ("admin", Some(c.school.token.as_str()), None),
        ("staff", Some(c.staff.as_str()), None),
        ("teacher", Some(c.teacher.as_str()), None),
        ("parent", Some(c.parent.as_str()), Some("FORBIDDEN")),
        ("student", Some(c.student.as_str()), Some("FORBIDDEN")),
        ("anonymous", None, Some("UNAUTHENTICATED")),
    ] {
        let body = app
            .upload(token, UPLOAD_MATERIAL, input.clone(), file)
            .await;
        match want {
            None => assert_eq!(
                body["data"]["uploadMaterial"]["userErrors"],
                json!([]),
                "{who}: {body}"
            ),
            Some(code) => assert_eq!(
                body["errors"][0]["extensions"]["code"], code,
                "{who}: {body}"
            ),
        }
    }
}

#[tokio::test]
async fn uploads_with_another_schools_series_are_refused() {
    let app = spawn_app().await;
    let a = cast(&app, "a-files.example").await;
    let b = school(&app, "b-files@example.org").await;
    let before = app.ok(&a.school.token, MATERIALS, json!({})).await;
    let body = app
        .upload(
            Some(&b.token),
            UPLOAD_MATERIAL,
            json!({"input": {"file": null, "title": "Intruder", "type": "OTHER", "visibility": "LESSON_GROUP",
                             "seriesId": a.lily_series}}),
            ("x.pdf", "application/pdf", SCORE_PDF),
        )
        .await;
    let e = &body["data"]["uploadMaterial"];
    assert_eq!(e["material"], Value::Null, "{body}");
    assert_eq!(e["userErrors"][0]["code"], "NOT_FOUND");
    assert_eq!(e["userErrors"][0]["field"], json!(["input", "seriesId"]));
    assert_eq!(
        app.ok(&b.token, MATERIALS, json!({})).await["totalCount"],
        0
    );
    assert_eq!(app.ok(&a.school.token, MATERIALS, json!({})).await, before);
    // A's material's link is not B's to make: B cannot even see it.
    let node = app
        .gql(Some(&b.token), LINK, json!({"id": a.material}))
        .await;
    assert_eq!(node["data"]["node"], Value::Null, "{node}");
}

#[tokio::test]
async fn bad_uploads_and_links_are_refused_and_nothing_is_stored() {
    let app = spawn_app_with(gateway::Config {
        max_upload_bytes: 64,
        ..test_config()
    })
    .await;
    let s = school(&app, "bad-files@example.org").await;
    let t = Some(s.token.as_str());
    let score = |extra: Value| {
        let mut input = json!({"file": null, "title": "Score", "type": "MUSIC_SCORE"});
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "input": input })
    };
    let big = [SCORE_PDF, &[b' '; 80]].concat();
    type Case<'a> = (Value, (&'a str, &'a str, &'a [u8]), Value, &'a str);
    let cases: Vec<Case> = vec![
        (
            score(json!({})),
            ("big.pdf", "application/pdf", &big),
            json!(["input", "file"]),
            "LIMIT_EXCEEDED",
        ),
        (
            score(json!({})),
            ("setup.exe", "application/x-msdownload", b"MZ\x90\x00"),
            json!(["input", "file"]),
            "INVALID",
        ),
        (
            score(json!({})),
            ("fake.pdf", "application/pdf", b"MZ\x90\x00 not a pdf"),
            json!(["input", "file"]),
            "INVALID",
        ),
        (
            score(json!({})),
            ("empty.pdf", "application/pdf", b""),
            json!(["input", "file"]),
            "INVALID",
        ),
        (
            score(json!({"visibility": "LESSON_GROUP"})),
            ("s.pdf", "application/pdf", SCORE_PDF),
            json!(["input", "seriesId"]),
            "INVALID",
        ),
        (
            score(
                json!({"releaseAt": "2026-03-05T00:00:00Z", "expiresAt": "2026-03-04T00:00:00Z"}),
            ),
            ("s.pdf", "application/pdf", SCORE_PDF),
            json!(["input", "expiresAt"]),
            "INVALID",
        ),
        (
            score(json!({"title": "   "})),
            ("s.pdf", "application/pdf", SCORE_PDF),
            json!(["input", "title"]),
            "INVALID",
        ),
        (
            score(json!({"visibility": "LESSON_GROUP", "seriesId": s.offering})),
            ("s.pdf", "application/pdf", SCORE_PDF),
            json!(["input", "seriesId"]),
            "NOT_FOUND",
        ),
    ];
    for (vars, file, field, code) in cases {
        let body = app.upload(t, UPLOAD_MATERIAL, vars.clone(), file).await;
        let e = &body["data"]["uploadMaterial"]["userErrors"][0];
        assert_eq!(e["code"], code, "{vars} {}: {body}", file.0);
        assert_eq!(e["field"], field, "{vars}: {body}");
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
    // Far over the limit, the transport refuses before the domain sees it.
    let huge = vec![b'%'; 300 * 1024];
    let body = app
        .upload(
            t,
            UPLOAD_MATERIAL,
            score(json!({})),
            ("huge.pdf", "application/pdf", &huge),
        )
        .await;
    assert_eq!(body["status"], 413, "{body}");
    assert_eq!(
        app.ok(&s.token, MATERIALS, json!({})).await["totalCount"],
        0,
        "nothing was stored"
    );

    // Grants name a material and students of the school.
    let unknown = app
        .gql(
            t,
            GRANT,
            json!({"i": {"materialId": s.offering, "studentIds": [s.student]}}),
        )
        .await;
    assert_eq!(
        unknown["data"]["grantMaterial"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let ok = app
        .upload(
            t,
            UPLOAD_MATERIAL,
            score(json!({})),
            ("s.pdf", "application/pdf", SCORE_PDF),
        )
        .await;
    let id = ok["data"]["uploadMaterial"]["material"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{ok}"))
        .to_owned();
    let stranger = app
        .gql(
            t,
            GRANT,
            json!({"i": {"materialId": id, "studentIds": [s.student, s.ada]}}),
        )
        .await;
    let e = &stranger["data"]["grantMaterial"]["userErrors"][0];
    assert_eq!(e["code"], "NOT_FOUND", "{stranger}");
    assert_eq!(e["field"], json!(["input", "studentIds", "1"]));

    // Forged, altered and garbage links.
    let url = link(&app, &s.token, &id).await;
    let token = url.trim_start_matches("/files/");
    let (payload, tag) = token.split_once('.').unwrap();
    let flipped = if tag.starts_with('A') { "B" } else { "A" };
    for bad in [
        format!("/files/{payload}.{flipped}{}", &tag[1..]),
        "/files/not-a-token".to_owned(),
        format!("/files/{payload}"),
    ] {
        let got = fetch(&app, &bad).await;
        assert_eq!(got.status(), 403, "{bad}");
        assert!(got.text().await.unwrap().contains("not valid"));
    }
    assert_eq!(fetch(&app, &url).await.status(), 200);
}

#[tokio::test]
async fn teachers_prepare_their_own_materials_not_each_others() {
    let app = spawn_app().await;
    let c = cast(&app, "teachers-files.example").await;
    let s = &c.school;
    // The office's PRIVATE score (granted to Lily): Ada neither sees nor
    // grants it.
    assert!(!ids(&app.ok(&c.teacher, MATERIALS, json!({})).await).contains(&c.material));
    let grant = app
        .gql(
            Some(&c.teacher),
            GRANT,
            json!({"i": {"materialId": c.material, "studentIds": [s.student]}}),
        )
        .await;
    assert_eq!(
        grant["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{grant}"
    );
    // A public guide of the office: Ada sees it released, like a student,
    // without its statistics.
    let guide = app
        .upload(
            Some(&s.token),
            UPLOAD_MATERIAL,
            json!({"input": {"file": null, "title": "Guide", "type": "PRACTICE_GUIDE", "visibility": "PUBLIC_SCHOOL"}}),
            ("guide.txt", "text/plain", b"Slow practice."),
        )
        .await["data"]["uploadMaterial"]["material"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stats = app
        .ok(
            &c.teacher,
            "query($id: ID!) { node(id: $id) { ... on Material { accessStats { totalCount } } } }",
            json!({"id": guide}),
        )
        .await;
    assert_eq!(stats, json!({"accessStats": null}));
    // A LESSON_GROUP track for Ada's own series: hers to see early.
    let track = app
        .upload(
            Some(&s.token),
            UPLOAD_MATERIAL,
            json!({"input": {"file": null, "title": "Track", "type": "BACKING_TRACK", "visibility": "LESSON_GROUP",
                             "seriesId": c.lily_series, "releaseAt": "2026-04-01T00:00:00Z"}}),
            ("t.mp3", "audio/mpeg", b"ID3\x04\x00 track"),
        )
        .await["data"]["uploadMaterial"]["material"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(ids(&app.ok(&c.teacher, MATERIALS, json!({})).await).contains(&track));
    assert!(!ids(&app.ok(&c.student, MATERIALS, json!({})).await).contains(&track));
}

#[tokio::test]
async fn a_download_is_counted_only_for_a_student_who_may_see_it() {
    let app = spawn_app().await;
    let c = cast(&app, "siblings.example").await;
    let s = &c.school;
    app.ok(
        &s.token,
        "mutation($i: AddFamilyMemberInput!) { addFamilyMember(input: $i) { family { id } userErrors { code } } }",
        json!({"i": {"familyId": c.family, "studentId": c.sam}}),
    )
    .await;
    const FOR: &str = "query($id: ID!, $s: ID!) { node(id: $id) { ... on Material { downloadUrl(forStudentId: $s) } } }";
    // The score is granted to Lily, not to her brother Sam.
    let sam = app
        .gql(Some(&c.parent), FOR, json!({"id": c.material, "s": c.sam}))
        .await;
    assert_eq!(sam["errors"][0]["extensions"]["code"], "FORBIDDEN", "{sam}");
    let lily = app
        .ok(&c.parent, FOR, json!({"id": c.material, "s": s.student}))
        .await;
    assert!(lily["downloadUrl"].as_str().unwrap().starts_with("/files/"));
}
