//! Profiles over HTTP (issue 13, item 0): branding, teachers' and
//! students' profiles, consents changed only by a parent or the office and
//! recorded, what each role may see of them.

use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::roles::cast;

const STUDENT: &str = "mutation($i: UpdateStudentProfileInput!) { updateStudentProfile(input: $i) { student { instruments skillLevel parentalConsent emergencyContact { name phone relation } } userErrors { field code message } } }";
const TEACHER: &str = "mutation($i: UpdateTeacherProfileInput!) { updateTeacherProfile(input: $i) { teacher { bio specialties payRateMinor payBasis } userErrors { field code message } } }";

fn code(body: &Value) -> Value {
    body["errors"][0]["extensions"]["code"].clone()
}

#[tokio::test]
async fn families_keep_profiles_and_only_parents_or_the_office_change_consents() {
    let app = spawn_app().await;
    let c = cast(&app, "profiles.example").await;
    let s = &c.school;
    let lily = &s.student;
    // The parent fills in the profile and gives parental consent.
    let filled = app
        .ok(
            &c.parent,
            STUDENT,
            json!({"i": {"studentId": lily, "instruments": ["Piano", "Voice"], "skillLevel": "ELEMENTARY",
                         "emergencyName": "Grandma Chen", "emergencyPhone": "+44 20 7946 0000", "emergencyRelation": "grandmother",
                         "parentalConsent": true}}),
        )
        .await;
    assert_eq!(filled["student"]["instruments"], json!(["Piano", "Voice"]));
    assert_eq!(filled["student"]["parentalConsent"], true);
    assert_eq!(
        filled["student"]["emergencyContact"],
        json!({"name": "Grandma Chen", "phone": "+442079460000", "relation": "grandmother"})
    );
    // Lily may list an instrument, not give her own consent.
    let own = app
        .ok(
            &c.student,
            STUDENT,
            json!({"i": {"studentId": lily, "instruments": ["Piano", "Voice", "Ukulele"]}}),
        )
        .await;
    assert_eq!(
        own["student"]["skillLevel"], "ELEMENTARY",
        "omitted fields are kept"
    );
    let consent = app
        .gql(
            Some(&c.student),
            STUDENT,
            json!({"i": {"studentId": lily, "socialMediaConsent": true}}),
        )
        .await;
    assert_eq!(code(&consent), "FORBIDDEN", "{consent}");
    // The office withdraws it; every change is on record.
    app.ok(
        &s.token,
        STUDENT,
        json!({"i": {"studentId": lily, "parentalConsent": false}}),
    )
    .await;
    let history = app
        .ok(
            &c.parent,
            "query($s: ID!) { node(id: $s) { ... on Student { consentHistory { consent from to } } } }",
            json!({"s": lily}),
        )
        .await;
    assert_eq!(
        history["consentHistory"],
        json!([
            {"consent": "PARENTAL", "from": true, "to": false},
            {"consent": "PARENTAL", "from": false, "to": true}
        ])
    );
    // Her teacher sees the emergency contact, not the consent record, and
    // may not edit the profile.
    let teacher = app
        .ok(
            &c.teacher,
            "query($s: ID!) { node(id: $s) { ... on Student { emergencyContact { name } consentHistory { to } } } }",
            json!({"s": lily}),
        )
        .await;
    assert_eq!(
        teacher,
        json!({"emergencyContact": {"name": "Grandma Chen"}, "consentHistory": null})
    );
    let edit = app
        .gql(
            Some(&c.teacher),
            STUDENT,
            json!({"i": {"studentId": lily, "instruments": []}}),
        )
        .await;
    assert_eq!(code(&edit), "FORBIDDEN", "{edit}");
    let bad = app
        .gql(
            Some(&c.parent),
            STUDENT,
            json!({"i": {"studentId": lily, "emergencyPhone": "call me"}}),
        )
        .await;
    let e = &bad["data"]["updateStudentProfile"]["userErrors"][0];
    assert_eq!(e["field"], json!(["input", "emergencyPhone"]), "{bad}");
    // The family's billing details: its admin parent, not the teacher.
    const BILLING: &str = "mutation($i: UpdateFamilyBillingInput!) { updateFamilyBilling(input: $i) { family { billingEmail billingAddress } userErrors { field code } } }";
    let billing = app
        .ok(
            &c.parent,
            BILLING,
            json!({"i": {"familyId": c.family, "billingEmail": "Bills@Example.org", "billingAddress": "1 High St, London"}}),
        )
        .await;
    assert_eq!(
        billing["family"],
        json!({"billingEmail": "bills@example.org", "billingAddress": "1 High St, London"})
    );
    let by_teacher = app
        .gql(
            Some(&c.teacher),
            BILLING,
            json!({"i": {"familyId": c.family, "billingAddress": "x"}}),
        )
        .await;
    assert_eq!(code(&by_teacher), "FORBIDDEN");
}

#[tokio::test]
async fn teachers_write_their_bio_and_only_the_office_sets_pay() {
    let app = spawn_app().await;
    let c = cast(&app, "teacher-profile.example").await;
    let s = &c.school;
    let own = app
        .ok(
            &c.teacher,
            TEACHER,
            json!({"i": {"teacherId": s.ada, "bio": "Concert pianist", "specialties": ["Jazz", "Grade exams"]}}),
        )
        .await;
    assert_eq!(
        own["teacher"]["specialties"],
        json!(["Jazz", "Grade exams"])
    );
    let pay_self = app
        .gql(
            Some(&c.teacher),
            TEACHER,
            json!({"i": {"teacherId": s.ada, "payRateMinor": 9000, "payBasis": "PER_HOUR"}}),
        )
        .await;
    assert_eq!(code(&pay_self), "FORBIDDEN");
    let bob = app
        .gql(
            Some(&c.teacher),
            TEACHER,
            json!({"i": {"teacherId": s.bob, "bio": "x"}}),
        )
        .await;
    assert_eq!(code(&bob), "FORBIDDEN", "not another teacher's bio");
    app.ok(
        &s.token,
        TEACHER,
        json!({"i": {"teacherId": s.bob, "payRateMinor": 4500, "payBasis": "PER_SESSION"}}),
    )
    .await;
    let pay = "query($t: ID!) { node(id: $t) { ... on Teacher { bio payRateMinor payBasis } } }";
    assert_eq!(
        app.ok(&c.staff, pay, json!({"t": s.bob})).await,
        json!({"bio": null, "payRateMinor": 4500, "payBasis": "PER_SESSION"})
    );
    assert_eq!(
        app.ok(&c.teacher, pay, json!({"t": s.bob})).await,
        json!({"bio": null, "payRateMinor": null, "payBasis": null}),
        "a teacher does not see a colleague's pay"
    );
    let half = app
        .gql(
            Some(&s.token),
            TEACHER,
            json!({"i": {"teacherId": s.bob, "payRateMinor": 4500}}),
        )
        .await;
    assert_eq!(
        half["data"]["updateTeacherProfile"]["userErrors"][0]["field"],
        json!(["input", "payBasis"])
    );
}

#[tokio::test]
async fn the_office_brands_the_school_and_describes_places_and_offerings() {
    let app = spawn_app().await;
    let c = cast(&app, "branding.example").await;
    let s = &c.school;
    const SCHOOL: &str = "mutation($i: UpdateSchoolInput!) { updateSchool(input: $i) { school { name brandColor logoUrl customDomain website phone } userErrors { field code message } } }";
    let branded = app
        .ok(
            &s.token,
            SCHOOL,
            json!({"i": {"brandColor": "#1F8A70", "logoUrl": "https://cdn.example.org/logo.png",
                         "customDomain": "Lessons.Example.org", "website": "https://example.org", "phone": "+1 555 010 9999"}}),
        )
        .await;
    assert_eq!(
        branded["school"],
        json!({"name": "Test School", "brandColor": "#1f8a70", "logoUrl": "https://cdn.example.org/logo.png",
               "customDomain": "lessons.example.org", "website": "https://example.org", "phone": "+15550109999"})
    );
    let bad = app
        .gql(Some(&s.token), SCHOOL, json!({"i": {"brandColor": "teal"}}))
        .await;
    let e = &bad["data"]["updateSchool"]["userErrors"][0];
    assert_eq!(e["field"], json!(["input", "brandColor"]), "{bad}");
    let by_teacher = app
        .gql(Some(&c.teacher), SCHOOL, json!({"i": {"name": "Mine"}}))
        .await;
    assert_eq!(code(&by_teacher), "FORBIDDEN");
    let location = app
        .ok(
            &s.token,
            "mutation($i: UpdateLocationInput!) { updateLocation(input: $i) { location { name city state phone address } userErrors { code } } }",
            json!({"i": {"locationId": s.location, "city": "London", "state": "", "phone": "020 7946 0958"}}),
        )
        .await;
    assert_eq!(
        location["location"],
        json!({"name": "Main", "city": "London", "state": null, "phone": "02079460958", "address": "1 High St"})
    );
    const ROOM: &str = "mutation($i: UpdateRoomInput!) { updateRoom(input: $i) { room { name capacity kind } userErrors { field code message } } }";
    let room = app
        .ok(
            &s.token,
            ROOM,
            json!({"i": {"roomId": s.room_b, "name": "Booth 2", "kind": "BOOTH"}}),
        )
        .await;
    assert_eq!(
        room["room"],
        json!({"name": "Booth 2", "capacity": 4, "kind": "BOOTH"}),
        "the capacity is kept"
    );
    let empty = app
        .gql(
            Some(&s.token),
            ROOM,
            json!({"i": {"roomId": s.room_b, "capacity": 0}}),
        )
        .await;
    assert_eq!(
        empty["data"]["updateRoom"]["userErrors"][0]["field"],
        json!(["input", "capacity"]),
        "{empty}"
    );
    let offering = app
        .ok(
            &s.token,
            "mutation($i: UpdateOfferingInput!) { updateOffering(input: $i) { offering { title description subject } userErrors { code } } }",
            json!({"i": {"offeringId": s.offering, "description": "Sing together", "subject": "Voice"}}),
        )
        .await;
    assert_eq!(
        offering["offering"],
        json!({"title": "Choir", "description": "Sing together", "subject": "Voice"})
    );
    // Families find it by its subject.
    assert_eq!(
        app.ok(&c.parent, "{ subjects }", json!({})).await,
        json!(["Voice"])
    );
    let browse = "query($s: String!) { classBrowser(filter: {subject: $s}) { sessions { id } } }";
    let by_subject = app.ok(&c.parent, browse, json!({"s": "voice"})).await;
    assert!(
        by_subject["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == json!(c.group_session)),
        "{by_subject}"
    );
    let other = app.ok(&c.parent, browse, json!({"s": "pottery"})).await;
    assert_eq!(other["sessions"], json!([]));
}

#[tokio::test]
async fn names_defaults_and_prices_are_edited_and_validated_like_new_ones() {
    let app = spawn_app().await;
    let c = cast(&app, "renames.example").await;
    let s = &c.school;
    const OFFERING: &str = "mutation($i: UpdateOfferingInput!) { updateOffering(input: $i) { offering { title defaultDurationMinutes defaultCapacity priceMinor } userErrors { field code message } } }";
    let changed = app
        .ok(
            &s.token,
            OFFERING,
            json!({"i": {"offeringId": s.offering, "defaultDurationMinutes": 45, "priceMinor": 1800}}),
        )
        .await;
    assert_eq!(
        changed["offering"],
        json!({"title": "Choir", "defaultDurationMinutes": 45, "defaultCapacity": 8, "priceMinor": 1800})
    );
    let refused = app
        .gql(
            Some(&s.token),
            OFFERING,
            json!({"i": {"offeringId": s.offering, "defaultCapacity": 0}}),
        )
        .await;
    assert_eq!(
        refused["data"]["updateOffering"]["userErrors"][0]["field"],
        json!(["input", "defaultCapacity"])
    );
    // The family corrects Lily's name; the office Ada's surname.
    let renamed = app
        .ok(
            &c.parent,
            "mutation($i: UpdateStudentProfileInput!) { updateStudentProfile(input: $i) { student { firstName lastName dateOfBirth } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "firstName": "Lilly", "dateOfBirth": "2014-06-01"}}),
        )
        .await;
    assert_eq!(
        renamed["student"],
        json!({"firstName": "Lilly", "lastName": "Chen", "dateOfBirth": "2014-06-01"})
    );
    let renamed = app
        .ok(
            &s.token,
            TEACHER_NAMES,
            json!({"i": {"teacherId": s.ada, "lastName": "Lovelace"}}),
        )
        .await;
    assert_eq!(renamed["teacher"]["lastName"], "Lovelace");
    let refused = app
        .gql(
            Some(&s.token),
            TEACHER_NAMES,
            json!({"i": {"teacherId": s.ada, "email": "not an email"}}),
        )
        .await;
    assert_eq!(
        refused["data"]["updateTeacherProfile"]["userErrors"][0]["field"],
        json!(["input", "email"])
    );
}

const TEACHER_NAMES: &str = "mutation($i: UpdateTeacherProfileInput!) { updateTeacherProfile(input: $i) { teacher { lastName } userErrors { field code } } }";
