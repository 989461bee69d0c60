//! Tenant isolation, driven by the schema itself (issue 3): two schools of
//! the same shape; for every `Node` type and every root query or mutation
//! that takes an id (directly or inside its input), school B's admin tries
//! school A's ids. Nothing of A is returned, and A's data is unchanged.
//!
//! The lists of node types and id-taking operations come from
//! introspection, so a new type or mutation without an entry in the tables
//! below fails this test until someone decides how to attack it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::roles::{Cast, cast};

const INTROSPECT: &str = r#"{
  node: __type(name: "Node") { possibleTypes { name } }
  query: __type(name: "Query") { fields { name args { name type { ...T } } } }
  mutation: __type(name: "Mutation") { fields { name args { name type { ...T } } } }
  inputs: __schema { types { name kind inputFields { name type { ...T } } } }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

fn base_name(t: &Value) -> String {
    let mut t = t;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    t["name"].as_str().unwrap().to_owned()
}

/// Root fields that take an `ID` somewhere in their arguments.
fn id_taking_fields(schema: &Value) -> BTreeSet<String> {
    let inputs: BTreeMap<String, Vec<String>> = schema["inputs"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "INPUT_OBJECT")
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["inputFields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| base_name(&f["type"]))
                    .collect(),
            )
        })
        .collect();
    fn takes_id(ty: &str, inputs: &BTreeMap<String, Vec<String>>, depth: usize) -> bool {
        ty == "ID"
            || (depth < 5
                && inputs
                    .get(ty)
                    .is_some_and(|fields| fields.iter().any(|f| takes_id(f, inputs, depth + 1))))
    }
    let mut out = BTreeSet::new();
    for root in ["query", "mutation"] {
        for field in schema[root]["fields"].as_array().unwrap() {
            if field["args"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| takes_id(&base_name(&a["type"]), &inputs, 0))
            {
                out.insert(field["name"].as_str().unwrap().to_owned());
            }
        }
    }
    out
}

/// Everything of school A an attack could change, read as A's admin.
async fn snapshot(app: &TestApp, a: &Cast) -> Value {
    let body = app
        .gql(
            Some(&a.school.token),
            r#"query($family: ID!, $from: DateTime!, $to: DateTime!, $l: ID!, $lily: ID!) {
              locations { nodes { id name rooms { id name capacity } } }
              teachers { nodes { id availability { dayOfWeek startTime endTime } teachingRoles { id } timeOff { startsAt } } }
              students { totalCount }
              equipment { id name quantity }
              leads { nodes { id status } }
              lily: node(id: $lily) { ... on Student { qrCode awards { title } examRequests { status }
                instruments parentalConsent consentHistory { to }
                subscriptions { endDate freezes { days } installments { dueDate status paidMinor invoice { id } } }
                makeupCreditBalance makeupCredits { state } } }
              materials { nodes { id title grantedTo { id } accessStats { totalCount } } }
              invoices { nodes { id number status paidMinor payments { status refundedMinor } } }
              offerings { nodes { id requirements { perStudent } } }
              users { nodes { id email roles } }
              classSeries { nodes { id status lastGeneratedThrough } }
              family: node(id: $family) { ... on Family { students { id } members { id } } }
              calendar(filter: {locationId: $l}, from: $from, to: $to) {
                id status seatsTaken roster { booking { id status } attendance } waitlist { id status }
                instructors { id } assistants { id }
              }
            }"#,
            json!({"family": a.family, "from": "2026-03-01T00:00:00Z", "to": "2026-05-01T00:00:00Z", "l": a.school.location, "lily": a.school.student}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn no_id_of_school_a_works_for_school_b() {
    let app = spawn_app().await;
    let a = cast(&app, "a.example").await;
    let b = cast(&app, "b.example").await;
    let schema = app.gql(Some(&b.school.token), INTROSPECT, json!({})).await;
    assert!(schema.get("errors").is_none(), "{schema}");

    // CRM rows of A (and a lead of B, to aim A's ids from).
    let crm_row = async |token: &str, query: &str, vars: Value, path: [&str; 2]| {
        app.ok(token, query, vars).await[path[0]][path[1]]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let lead_of = |email: &str| json!({"i": {"parentName": "Mia", "parentEmail": email, "childFirstName": "Leo", "childLastName": "Chen"}});
    let a_lead = crm_row(
        &a.school.token,
        crate::crm::CREATE_LEAD,
        lead_of("mia@a.example"),
        ["lead", "id"],
    )
    .await;
    let b_lead = crm_row(
        &b.school.token,
        crate::crm::CREATE_LEAD,
        lead_of("mia@b.example"),
        ["lead", "id"],
    )
    .await;
    let a_programme = crm_row(
        &a.school.token,
        "mutation { createProgramme(input: {name: \"Therapy\"}) { programme { id } userErrors { code } } }",
        json!({}),
        ["programme", "id"],
    )
    .await;
    let a_sub = crm_row(
        &a.school.token,
        "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { id } userErrors { code } } }",
        json!({"i": {"studentId": a.school.student, "programmeId": a_programme, "startDate": "2026-03-02", "endDate": "2026-06-30", "freezeDaysAllowed": 10,
                     "installments": [{"dueDate": "2026-04-01", "amountMinor": 9000}]}}),
        ["subscription", "id"],
    )
    .await;
    let a_installment = app
        .ok(
            &a.school.token,
            "query($s: ID!) { node(id: $s) { ... on StudentSubscription { installments { id } } } }",
            json!({"s": a_sub}),
        )
        .await["installments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a_exam = crm_row(
        &a.school.token,
        "mutation($i: RequestExamInput!) { requestExam(input: $i) { request { id } userErrors { code } } }",
        json!({"i": {"studentId": a.school.student, "examType": "Grade 1"}}),
        ["request", "id"],
    )
    .await;
    // An issued invoice of A's family with a payment on it.
    let a_invoice = crm_row(
        &a.school.token,
        "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
        json!({"i": {"familyId": a.family, "dueDate": "2026-03-31", "lines": [{"description": "Piano", "unitMinor": 5000}]}}),
        ["invoice", "id"],
    )
    .await;
    app.ok(
        &a.school.token,
        "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
        json!({"i": {"invoiceId": a_invoice}}),
    )
    .await;
    let a_payment = crm_row(
        &a.school.token,
        "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } userErrors { code } } }",
        json!({"i": {"invoiceId": a_invoice, "amountMinor": 1000, "method": "CASH"}}),
        ["payment", "id"],
    )
    .await;
    // A make-up credit in each school (excused from the 1-on-1 lesson),
    // and a payout of A's Ada.
    let credit_of = async |x: &Cast| {
        app.ok(
            &x.school.token,
            "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { code } } }",
            json!({"i": {"sessionId": x.lily_session, "entries": [{"studentId": x.school.student, "status": "EXCUSED"}]}}),
        )
        .await;
        app.ok(
            &x.school.token,
            "query($s: ID!) { node(id: $s) { ... on Student { makeupCredits { id } } } }",
            json!({"s": x.school.student}),
        )
        .await["makeupCredits"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let a_credit = credit_of(&a).await;
    let b_credit = credit_of(&b).await;
    app.ok(
        &a.school.token,
        "mutation($i: UpdateTeacherProfileInput!) { updateTeacherProfile(input: $i) { teacher { id } userErrors { code } } }",
        json!({"i": {"teacherId": a.school.ada, "payRateMinor": 2000, "payBasis": "PER_SESSION"}}),
    )
    .await;
    let a_payout = crm_row(
        &a.school.token,
        "mutation($i: ComputePayoutInput!) { computePayout(input: $i) { payout { id } userErrors { code } } }",
        json!({"i": {"teacherId": a.school.ada, "period": "2026-02"}}),
        ["payout", "id"],
    )
    .await;
    let b_code = app
        .ok(
            &b.school.token,
            "query($s: ID!) { node(id: $s) { ... on Student { qrCode } } }",
            json!({"s": b.school.student}),
        )
        .await["qrCode"]
        .as_str()
        .unwrap()
        .to_owned();

    // Every Node type, by A's id.
    let ids: BTreeMap<&str, &str> = [
        ("Location", a.school.location.as_str()),
        ("Room", a.school.room_a.as_str()),
        ("Teacher", a.school.ada.as_str()),
        ("Student", a.school.student.as_str()),
        ("Offering", a.school.offering.as_str()),
        ("ClassSeries", a.lily_series.as_str()),
        ("Session", a.lily_session.as_str()),
        ("User", a.parent_user.as_str()),
        ("Family", a.family.as_str()),
        ("Booking", a.lily_booking.as_str()),
        ("WaitlistEntry", a.sam_entry.as_str()),
        ("Equipment", a.wheels.as_str()),
        ("Material", a.material.as_str()),
        ("Lead", a_lead.as_str()),
        ("Programme", a_programme.as_str()),
        ("StudentSubscription", a_sub.as_str()),
        ("ExamRequest", a_exam.as_str()),
        ("Invoice", a_invoice.as_str()),
        ("Installment", a_installment.as_str()),
    ]
    .into();
    let a_ids: Vec<&str> = ids.values().copied().collect();
    // A standing place of A's Lily, for `unenrol`.
    let thursdays = app
        .create_series(
            &a.school.token,
            json!({"offeringId": a.school.offering, "teacherId": a.school.bob, "locationId": a.school.location,
                   "startDate": "2026-03-05", "count": 1, "startTime": "18:00", "daysOfWeek": [4]}),
        )
        .await;
    app.ok(
        &a.school.token,
        crate::helpers::GENERATE,
        json!({"input": {"seriesId": thursdays, "through": "2026-03-31"}}),
    )
    .await;
    app.ok(
        &a.school.token,
        "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code } } }",
        json!({"i": {"seriesId": thursdays, "studentId": a.school.student, "type": "FULL_SCHEDULE"}}),
    )
    .await;
    let a_enrolment = app
        .ok(
            &a.school.token,
            "query($s: ID!) { node(id: $s) { ... on Student { enrolments { id } } } }",
            json!({"s": a.school.student}),
        )
        .await["enrolments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for t in schema["data"]["node"]["possibleTypes"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let id = ids.get(name).unwrap_or_else(|| {
            panic!("Node type {name} has no id in the isolation table: add one")
        });
        let q = "query($id: ID!) { node(id: $id) { id } }";
        let own = app.gql(Some(&a.school.token), q, json!({"id": id})).await;
        assert_eq!(
            own["data"]["node"]["id"],
            json!(id),
            "A reads its own {name}: {own}"
        );
        let other = app.gql(Some(&b.school.token), q, json!({"id": id})).await;
        assert_eq!(
            other["data"]["node"],
            Value::Null,
            "B reads A's {name}: {other}"
        );
    }

    // Every root field taking an id, with A's ids, as B's admin.
    let cal = |filter: Value| json!({"filter": filter, "from": "2026-03-01T00:00:00Z", "to": "2026-05-01T00:00:00Z"});
    const CAL: &str = "query($filter: CalendarFilter!, $from: DateTime!, $to: DateTime!) { calendar(filter: $filter, from: $from, to: $to) { id } }";
    let s = &a.school;
    let attacks: Vec<(&str, &str, Value)> = vec![
        (
            "node",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": a.lily_session}),
        ),
        (
            "previewSessions",
            "query($id: ID!) { previewSessions(seriesId: $id, through: \"2026-04-30\") { occurrenceDate } }",
            json!({"id": a.lily_series}),
        ),
        ("calendar", CAL, cal(json!({"locationId": s.location}))),
        ("calendar", CAL, cal(json!({"teacherId": s.ada}))),
        ("calendar", CAL, cal(json!({"roomId": s.room_a}))),
        ("calendar", CAL, cal(json!({"studentId": s.student}))),
        (
            "createEquipment",
            "mutation($i: CreateEquipmentInput!) { createEquipment(input: $i) { equipment { id } userErrors { code } } }",
            json!({"i": {"locationId": s.location, "name": "Intruder", "quantity": 3}}),
        ),
        (
            "setOfferingRequirements",
            "mutation($i: SetOfferingRequirementsInput!) { setOfferingRequirements(input: $i) { offering { id } userErrors { code } } }",
            json!({"i": {"offeringId": s.offering, "items": []}}),
        ),
        (
            "setOfferingRequirements",
            "mutation($i: SetOfferingRequirementsInput!) { setOfferingRequirements(input: $i) { offering { id } userErrors { code } } }",
            json!({"i": {"offeringId": b.school.offering, "items": [{"equipmentId": a.wheels, "perStudent": 1}]}}),
        ),
        (
            "addMaintenanceBlock",
            "mutation($i: AddMaintenanceBlockInput!) { addMaintenanceBlock(input: $i) { block { quantity } userErrors { code } } }",
            json!({"i": {"equipmentId": a.wheels, "quantity": 4, "from": "2026-03-04T00:00:00Z", "to": "2026-03-05T00:00:00Z"}}),
        ),
        (
            "changeBookingEquipment",
            "mutation($i: ChangeBookingEquipmentInput!) { changeBookingEquipment(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"bookingId": a.lily_booking, "items": [{"equipmentId": b.wheels, "quantity": 1}]}}),
        ),
        (
            "changeBookingEquipment",
            "mutation($i: ChangeBookingEquipmentInput!) { changeBookingEquipment(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"bookingId": b.lily_booking, "items": [{"equipmentId": a.wheels, "quantity": 1}]}}),
        ),
        (
            "grantMaterial",
            "mutation($i: GrantMaterialInput!) { grantMaterial(input: $i) { material { id } userErrors { code } } }",
            json!({"i": {"materialId": a.material, "studentIds": [b.school.student]}}),
        ),
        (
            "updateRoom",
            "mutation($i: UpdateRoomInput!) { updateRoom(input: $i) { room { id } userErrors { code } } }",
            json!({"i": {"roomId": s.room_a, "capacity": 1}}),
        ),
        (
            "archive",
            "mutation($i: ArchiveInput!) { archive(input: $i) { node { id } userErrors { code } } }",
            json!({"i": {"id": s.student}}),
        ),
        (
            "unarchive",
            "mutation($i: ArchiveInput!) { unarchive(input: $i) { node { id } userErrors { code } } }",
            json!({"i": {"id": s.offering}}),
        ),
        (
            "updateLocation",
            "mutation($i: UpdateLocationInput!) { updateLocation(input: $i) { location { id } userErrors { code } } }",
            json!({"i": {"locationId": s.location, "city": "Elsewhere"}}),
        ),
        (
            "updateOffering",
            "mutation($i: UpdateOfferingInput!) { updateOffering(input: $i) { offering { id } userErrors { code } } }",
            json!({"i": {"offeringId": s.offering, "subject": "x"}}),
        ),
        (
            "updateTeacherProfile",
            "mutation($i: UpdateTeacherProfileInput!) { updateTeacherProfile(input: $i) { teacher { id } userErrors { code } } }",
            json!({"i": {"teacherId": s.ada, "bio": "x"}}),
        ),
        (
            "updateStudentProfile",
            "mutation($i: UpdateStudentProfileInput!) { updateStudentProfile(input: $i) { student { id } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "parentalConsent": true}}),
        ),
        (
            "updateFamilyBilling",
            "mutation($i: UpdateFamilyBillingInput!) { updateFamilyBilling(input: $i) { family { id } userErrors { code } } }",
            json!({"i": {"familyId": a.family, "billingAddress": "x"}}),
        ),
        (
            "grantAward",
            "mutation($i: GrantAwardInput!) { grantAward(input: $i) { award { title } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "title": "x", "type": "CUSTOM"}}),
        ),
        (
            "requestExam",
            "mutation($i: RequestExamInput!) { requestExam(input: $i) { request { id } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "examType": "x"}}),
        ),
        (
            "advanceExamRequest",
            "mutation($i: AdvanceExamRequestInput!) { advanceExamRequest(input: $i) { request { id } userErrors { code } } }",
            json!({"i": {"requestId": a_exam, "status": "REJECTED"}}),
        ),
        (
            "setLeadStatus",
            "mutation($i: SetLeadStatusInput!) { setLeadStatus(input: $i) { lead { id } userErrors { code } } }",
            json!({"i": {"leadId": a_lead, "status": "ARCHIVED"}}),
        ),
        (
            "bookEvaluation",
            "mutation($i: BookEvaluationInput!) { bookEvaluation(input: $i) { lead { id } userErrors { code } } }",
            json!({"i": {"leadId": b_lead, "sessionId": a.lily_session}}),
        ),
        (
            "bookEvaluation",
            "mutation($i: BookEvaluationInput!) { bookEvaluation(input: $i) { lead { id } userErrors { code } } }",
            json!({"i": {"leadId": a_lead, "sessionId": b.lily_session}}),
        ),
        (
            "convertLead",
            "mutation($i: ConvertLeadInput!) { convertLead(input: $i) { lead { id } userErrors { code } } }",
            json!({"i": {"leadId": a_lead, "parentFirstName": "M", "parentLastName": "C", "parentPassword": "s3cret-pass"}}),
        ),
        (
            "createSubscription",
            "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { id } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "programmeId": a_programme, "startDate": "2026-03-02", "endDate": "2026-06-30"}}),
        ),
        (
            "freezeSubscription",
            "mutation($i: FreezeSubscriptionInput!) { freezeSubscription(input: $i) { subscription { id } userErrors { code } } }",
            json!({"i": {"subscriptionId": a_sub, "from": "2026-04-01", "days": 3}}),
        ),
        (
            "unfreezeSubscription",
            "mutation($i: UnfreezeSubscriptionInput!) { unfreezeSubscription(input: $i) { subscription { id } userErrors { code } } }",
            json!({"i": {"subscriptionId": a_sub}}),
        ),
        (
            "rotateQrCode",
            "mutation($i: RotateQrCodeInput!) { rotateQrCode(input: $i) { student { id } userErrors { code } } }",
            json!({"i": {"studentId": s.student}}),
        ),
        (
            "checkIn",
            "mutation($i: CheckInInput!) { checkIn(input: $i) { checkIn { at } userErrors { code } } }",
            json!({"i": {"code": b_code, "kind": "SESSION_CHECK_IN", "sessionId": a.group_session}}),
        ),
        (
            "grantMaterial",
            "mutation($i: GrantMaterialInput!) { grantMaterial(input: $i) { material { id } userErrors { code } } }",
            json!({"i": {"materialId": b.material, "studentIds": [s.student]}}),
        ),
        (
            "materials",
            "query($s: ID!) { materials(filter: {seriesId: $s}) { nodes { id } } }",
            json!({"s": a.lily_series}),
        ),
        (
            "materials",
            "query($s: ID!) { materials(filter: {studentId: $s}) { nodes { id } } }",
            json!({"s": s.student}),
        ),
        (
            "equipment",
            "query($l: ID!) { equipment(locationId: $l) { id } }",
            json!({"l": s.location}),
        ),
        (
            "equipmentAvailability",
            "query($l: ID!) { equipmentAvailability(locationId: $l, from: \"2026-03-01T00:00:00Z\", to: \"2026-03-08T00:00:00Z\") { equipment { id } } }",
            json!({"l": s.location}),
        ),
        (
            "createRoom",
            "mutation($input: CreateRoomInput!) { createRoom(input: $input) { room { id } userErrors { code } } }",
            json!({"input": {"locationId": s.location, "name": "Intruder", "capacity": 3}}),
        ),
        (
            "createClassSeries",
            crate::helpers::CREATE_SERIES,
            json!({"input": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.ada, "roomId": s.room_a,
                "studentId": s.student, "startDate": "2026-03-02", "startTime": "10:00", "daysOfWeek": [1]}}),
        ),
        (
            "generateSessions",
            crate::helpers::GENERATE,
            json!({"input": {"seriesId": a.lily_series, "through": "2026-04-30"}}),
        ),
        (
            "setClassSeriesStatus",
            "mutation($input: SetClassSeriesStatusInput!) { setClassSeriesStatus(input: $input) { series { id } userErrors { code } } }",
            json!({"input": {"seriesId": a.lily_series, "status": "ENDED"}}),
        ),
        (
            "setTeacherAvailability",
            "mutation($input: SetTeacherAvailabilityInput!) { setTeacherAvailability(input: $input) { teacher { id } userErrors { code } } }",
            json!({"input": {"teacherId": s.ada, "availability": []}}),
        ),
        (
            "createUser",
            "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } userErrors { code } } }",
            json!({"input": {"email": "spy@b.example", "password": "s3cret-pass", "firstName": "S", "lastName": "P",
                "roles": ["TEACHER"], "teacherId": s.ada}}),
        ),
        (
            "createUser",
            "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } userErrors { code } } }",
            json!({"input": {"email": "spy2@b.example", "password": "s3cret-pass", "firstName": "S", "lastName": "P",
                "roles": ["STUDENT"], "studentId": s.student}}),
        ),
        (
            "setUserRoles",
            "mutation($input: SetUserRolesInput!) { setUserRoles(input: $input) { user { id } userErrors { code } } }",
            json!({"input": {"userId": a.parent_user, "roles": ["ADMIN"]}}),
        ),
        (
            "createFamily",
            "mutation($input: CreateFamilyInput!) { createFamily(input: $input) { family { id } userErrors { code } } }",
            json!({"input": {"name": "Spies", "adminUserId": a.parent_user}}),
        ),
        (
            "createFamily",
            "mutation($input: CreateFamilyInput!) { createFamily(input: $input) { family { id } userErrors { code } } }",
            json!({"input": {"name": "Spies", "adminUserId": b.parent_user, "studentIds": [s.student]}}),
        ),
        (
            "addFamilyMember",
            "mutation($input: AddFamilyMemberInput!) { addFamilyMember(input: $input) { family { id } userErrors { code } } }",
            json!({"input": {"familyId": a.family, "studentId": b.sam}}),
        ),
        (
            "addFamilyMember",
            "mutation($input: AddFamilyMemberInput!) { addFamilyMember(input: $input) { family { id } userErrors { code } } }",
            json!({"input": {"familyId": b.family, "studentId": s.student}}),
        ),
        (
            "addFamilyMember",
            "mutation($input: AddFamilyMemberInput!) { addFamilyMember(input: $input) { family { id } userErrors { code } } }",
            json!({"input": {"familyId": b.family, "userId": a.parent_user}}),
        ),
    ];
    let attacks = {
        let mut more = attacks;
        let m = |name: &'static str, q: &'static str, v: Value| (name, q, v);
        more.extend([
            m("setBookingPolicy", "mutation($i: SetBookingPolicyInput!) { setBookingPolicy(input: $i) { policy { minNoticeHours } userErrors { code } } }",
              json!({"i": {"teacherId": s.ada, "minNoticeHours": 99}})),
            m("setBookingPolicy", "mutation($i: SetBookingPolicyInput!) { setBookingPolicy(input: $i) { policy { minNoticeHours } userErrors { code } } }",
              json!({"i": {"teacherId": b.school.ada, "offeringId": s.offering}})),
            m("bookSession", "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code } } }",
              json!({"i": {"sessionId": a.group_session, "studentId": b.sam}})),
            m("bookSession", "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code } } }",
              json!({"i": {"sessionId": b.group_session, "studentId": s.student}})),
            m("register", "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code } } }",
              json!({"i": {"seriesId": a.lily_series, "studentId": b.sam, "type": "FULL_SCHEDULE"}})),
            m("register", "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code } } }",
              json!({"i": {"seriesId": b.lily_series, "studentId": b.sam, "type": "DROP_IN", "sessionIds": [a.lily_session]}})),
            m("bookOneOnOne", "mutation($i: BookOneOnOneInput!) { bookOneOnOne(input: $i) { booking { id } userErrors { code } } }",
              json!({"i": {"teacherId": s.ada, "studentId": b.sam, "startsAt": "2026-03-03T15:00:00Z", "durationMinutes": 30}})),
            m("bookOneOnOne", "mutation($i: BookOneOnOneInput!) { bookOneOnOne(input: $i) { booking { id } userErrors { code } } }",
              json!({"i": {"teacherId": b.school.ada, "studentId": s.student, "startsAt": "2026-03-03T15:00:00Z", "durationMinutes": 30}})),
            m("createBookingSeries", "mutation($i: CreateBookingSeriesInput!) { createBookingSeries(input: $i) { booked { id } userErrors { code } } }",
              json!({"i": {"teacherId": s.ada, "studentId": b.sam, "firstStartsAt": "2026-03-03T15:00:00Z", "durationMinutes": 30, "frequency": "WEEKLY", "count": 2}})),
            m("approveBooking", "mutation($b: ID!) { approveBooking(input: {bookingId: $b}) { booking { id } userErrors { code } } }",
              json!({"b": a.lily_booking})),
            m("declineBooking", "mutation($b: ID!) { declineBooking(input: {bookingId: $b}) { booking { id } userErrors { code } } }",
              json!({"b": a.lily_booking})),
            m("cancelBooking", "mutation($b: ID!) { cancelBooking(input: {bookingId: $b}) { cancelled { id } userErrors { code } } }",
              json!({"b": a.lily_booking})),
            m("rescheduleBooking", "mutation($b: ID!, $s: ID!) { rescheduleBooking(input: {bookingId: $b, sessionId: $s}) { booking { id } userErrors { code } } }",
              json!({"b": a.lily_booking, "s": b.group_session})),
            m("rescheduleBooking", "mutation($b: ID!, $s: ID!) { rescheduleBooking(input: {bookingId: $b, sessionId: $s}) { booking { id } userErrors { code } } }",
              json!({"b": b.lily_booking, "s": a.group_session})),
            m("joinWaitlist", "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { waitlistEntry { id } userErrors { code } } }",
              json!({"i": {"sessionId": a.group_session, "studentId": b.sam}})),
            m("acceptWaitlistOffer", "mutation($e: ID!) { acceptWaitlistOffer(input: {entryId: $e}) { booking { id } userErrors { code } } }",
              json!({"e": a.sam_entry})),
            m("recordAttendance", "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { code } } }",
              json!({"i": {"sessionId": a.group_session, "entries": [{"studentId": s.student, "status": "ABSENT"}]}})),
            m("availableSlots", "query($t: ID!) { availableSlots(teacherId: $t, from: \"2026-03-02T00:00:00Z\", to: \"2026-03-09T00:00:00Z\", durationMinutes: 30) { startsAt } }",
              json!({"t": s.ada})),
            m("createOffering", "mutation($r: ID!) { createOffering(input: {title: \"X\", kind: GROUP, defaultDurationMinutes: 30, defaultCapacity: 2, requiredRoleId: $r}) { offering { id } userErrors { code } } }",
              json!({"r": a.role})),
            m("grantTeachingRole", "mutation($t: ID!, $r: ID!) { grantTeachingRole(input: {teacherId: $t, roleId: $r}) { teacher { id } userErrors { code } } }",
              json!({"t": s.ada, "r": b.role})),
            m("grantTeachingRole", "mutation($t: ID!, $r: ID!) { grantTeachingRole(input: {teacherId: $t, roleId: $r}) { teacher { id } userErrors { code } } }",
              json!({"t": b.school.ada, "r": a.role})),
            m("assignStaff", "mutation($i: AssignStaffInput!) { assignStaff(input: $i) { series { id } userErrors { code } } }",
              json!({"i": {"seriesId": a.lily_series, "instructorIds": [b.school.bob]}})),
            m("assignStaff", "mutation($i: AssignStaffInput!) { assignStaff(input: $i) { session { id } userErrors { code } } }",
              json!({"i": {"sessionId": b.group_session, "instructorIds": [s.bob]}})),
            m("assignStaff", "mutation($i: AssignStaffInput!) { assignStaff(input: $i) { session { id } userErrors { code } } }",
              json!({"i": {"sessionId": a.group_session, "assistantIds": [b.school.bob]}})),
            m("eligibleStaff", "query($s: ID!) { eligibleStaff(sessionId: $s) { id } }", json!({"s": a.group_session})),
            m("hybridSlots", "query($s: ID!) { hybridSlots(sessionId: $s, durationMinutes: 30) { startsAt } }", json!({"s": a.group_session})),
            m("bookHybridSlot", "mutation($i: BookHybridSlotInput!) { bookHybridSlot(input: $i) { booking { id } userErrors { code } } }",
              json!({"i": {"sessionId": a.group_session, "studentId": b.sam, "startsAt": "2026-03-04T17:00:00Z", "durationMinutes": 30}})),
            m("bookHybridSlot", "mutation($i: BookHybridSlotInput!) { bookHybridSlot(input: $i) { booking { id } userErrors { code } } }",
              json!({"i": {"sessionId": b.group_session, "studentId": s.student, "startsAt": "2026-03-04T17:00:00Z", "durationMinutes": 30}})),
            m("addTeacherTimeOff", "mutation($t: ID!) { addTeacherTimeOff(input: {teacherId: $t, startsAt: \"2026-03-02T09:00:00Z\", endsAt: \"2026-03-02T19:00:00Z\"}) { teacher { id } userErrors { code } } }",
              json!({"t": s.ada})),
            m("bookingPolicy", "query($t: ID!) { bookingPolicy(teacherId: $t) { minNoticeHours } }",
              json!({"t": s.ada})),
            m("previewTerm", "query($ids: [ID!]) { previewTerm(through: \"2026-03-31\", seriesIds: $ids) { sessionCount } }",
              json!({"ids": [a.lily_series]})),
            m("generateTerm", "mutation($ids: [ID!]) { generateTerm(input: {through: \"2026-03-31\", seriesIds: $ids}) { sessionCount userErrors { code } } }",
              json!({"ids": [a.lily_series]})),
            m("previewSeriesUpdate", "query($i: UpdateClassSeriesInput!) { previewSeriesUpdate(input: $i) { moved { previousStartsAt } } }",
              json!({"i": {"seriesId": a.lily_series, "scope": "ALL", "changes": {"startTime": "09:00"}}})),
            m("updateClassSeries", "mutation($i: UpdateClassSeriesInput!) { updateClassSeries(input: $i) { series { id } userErrors { code } } }",
              json!({"i": {"seriesId": a.lily_series, "scope": "ALL", "changes": {"startTime": "09:00"}}})),
            m("updateClassSeries", "mutation($i: UpdateClassSeriesInput!) { updateClassSeries(input: $i) { series { id } userErrors { code } } }",
              json!({"i": {"seriesId": b.lily_series, "scope": "THIS_AND_FOLLOWING", "fromSessionId": a.lily_session, "changes": {}}})),
            m("updateClassSeries", "mutation($i: UpdateClassSeriesInput!) { updateClassSeries(input: $i) { series { id } userErrors { code } } }",
              json!({"i": {"seriesId": b.lily_series, "scope": "ALL", "changes": {"teacherId": s.ada}}})),
            m("createSession", "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code } } }",
              json!({"i": {"offeringId": s.offering, "locationId": b.school.location, "startsAt": "2026-03-05T10:00:00Z"}})),
            m("createSession", "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code } } }",
              json!({"i": {"offeringId": b.school.offering, "locationId": b.school.location, "teacherId": s.ada, "startsAt": "2026-03-05T10:00:00Z"}})),
            m("updateSession", "mutation($i: UpdateSessionInput!) { updateSession(input: $i) { session { id } userErrors { code } } }",
              json!({"i": {"sessionId": a.lily_session, "capacity": 3}})),
            m("updateSession", "mutation($i: UpdateSessionInput!) { updateSession(input: $i) { session { id } userErrors { code } } }",
              json!({"i": {"sessionId": b.group_session, "roomId": s.room_a}})),
            m("cancelSession", "mutation($i: CancelSessionInput!) { cancelSession(input: $i) { session { id } userErrors { code } } }",
              json!({"i": {"sessionId": a.group_session}})),
            m("completeSession", "mutation($i: CompleteSessionInput!) { completeSession(input: $i) { session { id } userErrors { code } } }",
              json!({"i": {"sessionId": a.lily_session}})),
            m("classBrowser", "query($l: ID!) { classBrowser(filter: {locationId: $l}) { sessions { id } series { id } } }",
              json!({"l": s.location})),
            m("leaveWaitlist", "mutation($i: LeaveWaitlistInput!) { leaveWaitlist(input: $i) { entry { id } userErrors { code } } }",
              json!({"i": {"entryId": a.sam_entry}})),
            m("setEnrolmentStatus", "mutation($i: SetEnrolmentStatusInput!) { setEnrolmentStatus(input: $i) { enrolment { id } userErrors { code } } }",
              json!({"i": {"enrolmentId": a_enrolment, "status": "DROPPED"}})),
            m("unenrol", "mutation($i: UnenrolInput!) { unenrol(input: $i) { enrolment { id } userErrors { code } } }",
              json!({"i": {"enrolmentId": a_enrolment, "from": "2026-03-01"}})),
            m("recordLessonAttendance", "mutation($i: RecordLessonAttendanceInput!) { recordLessonAttendance(input: $i) { booking { id } userErrors { code } } }",
              json!({"i": {"bookingId": a.lily_booking, "status": "PRESENT"}})),
            m("createInvoice", "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
              json!({"i": {"familyId": a.family, "dueDate": "2026-03-31", "lines": [{"description": "x", "unitMinor": 1}]}})),
            m("createInvoice", "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
              json!({"i": {"studentId": s.student, "dueDate": "2026-03-31", "lines": [{"description": "x", "unitMinor": 1}]}})),
            m("issueInvoice", "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
              json!({"i": {"invoiceId": a_invoice}})),
            m("voidInvoice", "mutation($i: InvoiceActionInput!) { voidInvoice(input: $i) { invoice { id } userErrors { code } } }",
              json!({"i": {"invoiceId": a_invoice}})),
            m("recordPayment", "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } userErrors { code } } }",
              json!({"i": {"invoiceId": a_invoice, "amountMinor": 100, "method": "CASH"}})),
            m("refundPayment", "mutation($i: RefundPaymentInput!) { refundPayment(input: $i) { payment { id } userErrors { code } } }",
              json!({"i": {"paymentId": a_payment, "amountMinor": 100}})),
            m("payInvoice", "mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id } userErrors { code } } }",
              json!({"i": {"invoiceId": a_invoice}})),
            m("invoices", "query($f: ID!) { invoices(familyId: $f) { nodes { id } } }",
              json!({"f": a.family})),
            m("bookMakeup", "mutation($i: BookMakeupInput!) { bookMakeup(input: $i) { booking { id } userErrors { code } } }",
              json!({"i": {"creditId": a_credit, "sessionId": b.group_session}})),
            m("bookMakeup", "mutation($i: BookMakeupInput!) { bookMakeup(input: $i) { booking { id } userErrors { code } } }",
              json!({"i": {"creditId": b_credit, "sessionId": a.group_session}})),
            m("invoiceInstallment", "mutation($i: InvoiceInstallmentInput!) { invoiceInstallment(input: $i) { invoice { id } userErrors { code } } }",
              json!({"i": {"installmentId": a_installment}})),
            m("refundCredit", "mutation($i: RefundCreditInput!) { refundCredit(input: $i) { credit { id } userErrors { code } } }",
              json!({"i": {"creditId": a_credit}})),
            m("refundCredit", "mutation($i: RefundCreditInput!) { refundCredit(input: $i) { credit { id } userErrors { code } } }",
              json!({"i": {"creditId": b_credit, "paymentId": a_payment, "amountMinor": 100}})),
            m("computePayout", "mutation($i: ComputePayoutInput!) { computePayout(input: $i) { payout { id } userErrors { code } } }",
              json!({"i": {"teacherId": s.ada, "period": "2026-02"}})),
            m("setPayoutStatus", "mutation($i: SetPayoutStatusInput!) { setPayoutStatus(input: $i) { payout { id } userErrors { code } } }",
              json!({"i": {"payoutId": a_payout, "status": "PROCESSING"}})),
            m("payouts", "query($t: ID!) { payouts(teacherId: $t) { id } }",
              json!({"t": s.ada})),
            m("registrationQuote", "query($s: ID!) { registrationQuote(seriesId: $s, type: FULL_SCHEDULE) { basis } }",
              json!({"s": a.lily_series})),
        ]);
        more
    };
    // Multipart-only fields are attacked in their own files.
    let elsewhere = [(
        "uploadMaterial",
        "materials.rs uploads_with_another_schools_series_are_refused",
    )];
    let covered: BTreeSet<String> = attacks
        .iter()
        .map(|(n, _, _)| (*n).to_owned())
        .chain(elsewhere.iter().map(|(n, _)| (*n).to_owned()))
        .collect();
    let needed = id_taking_fields(&schema["data"]);
    let missing: Vec<_> = needed.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "root fields taking ids without an isolation attack: {missing:?}; add them to this test"
    );

    let before = snapshot(&app, &a).await;
    for (name, query, vars) in &attacks {
        let body = app.gql(Some(&b.school.token), query, vars.clone()).await;
        let text = body.to_string();
        for id in &a_ids {
            assert!(!text.contains(id), "{name} leaked A's id {id}: {body}");
        }
        let field = &body["data"][name];
        let refused = field.is_null()
            || field == &json!([])
            // A list-shaped answer (the class browser) with nothing in it.
            || field
                .as_object()
                .is_some_and(|o| o.values().all(|v| v == &json!([])))
            || field["userErrors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["code"] == "NOT_FOUND"));
        assert!(refused, "{name} with A's ids was not refused: {body}");
    }
    assert_eq!(snapshot(&app, &a).await, before, "school A changed");
}
