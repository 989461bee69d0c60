//! The role × operation matrix over HTTP (issue 3): for each role, every
//! operation it may perform succeeds and every other one is refused with
//! `FORBIDDEN`; without a token everything but signUp/login is
//! `UNAUTHENTICATED`. The permission table in the README is this test.

use serde_json::{Value, json};

use crate::helpers::{School, TestApp, school, spawn_app};

/// The people of a school, each with their own login.
pub struct Cast {
    pub school: School,
    pub staff: String,
    /// Logs in as teacher Ada (teaches Lily).
    pub teacher: String,
    /// Parent of the family that holds Lily.
    pub parent: String,
    /// Lily herself.
    pub student: String,
    pub family: String,
    pub parent_user: String,
    /// Sam: another student, taught by Bob, in no family.
    pub sam: String,
    /// A session of Lily with Ada.
    pub lily_session: String,
    /// A session of Sam with Bob.
    pub sam_session: String,
    pub lily_series: String,
    /// A group session (Bob) with Lily booked and Sam waiting.
    pub group_session: String,
    /// Lily's booking in it.
    pub lily_booking: String,
    /// Sam's waitlist entry in it.
    pub sam_entry: String,
    /// A teaching role ("Choir leader").
    pub role: String,
    /// A pool of 4 potter's wheels at the school's location.
    pub wheels: String,
    /// A PRIVATE score granted to Lily.
    pub material: String,
}

const CREATE_USER: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } userErrors { field code message } } }";

async fn user(app: &TestApp, admin: &str, email: &str, roles: &[&str], link: Value) -> String {
    let mut input = json!({"email": email, "password": "s3cret-pass", "firstName": "F", "lastName": "L", "roles": roles});
    if let (Some(i), Some(l)) = (input.as_object_mut(), link.as_object()) {
        i.extend(l.clone());
    }
    let id = app.ok(admin, CREATE_USER, json!({ "input": input })).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = app
        .gql(
            None,
            "mutation($e: String!) { login(input: {email: $e, password: \"s3cret-pass\"}) { token userErrors { code } } }",
            json!({ "e": email }),
        )
        .await;
    let _ = id;
    login["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {login}"))
        .to_owned()
}

/// Builds a school with a staff member, a teacher, a parent and a student,
/// each logged in, and two 1-on-1 series with one generated session each.
pub async fn cast(app: &TestApp, domain: &str) -> Cast {
    let s = school(app, &format!("admin@{domain}")).await;
    let staff = user(
        app,
        &s.token,
        &format!("staff@{domain}"),
        &["STAFF"],
        json!({}),
    )
    .await;
    let teacher = user(
        app,
        &s.token,
        &format!("ada@{domain}"),
        &["TEACHER"],
        json!({"teacherId": s.ada}),
    )
    .await;
    let student = user(
        app,
        &s.token,
        &format!("lily@{domain}"),
        &["STUDENT"],
        json!({"studentId": s.student}),
    )
    .await;
    let parent_user = app
        .ok(
            &s.token,
            CREATE_USER,
            json!({"input": {"email": format!("parent@{domain}"), "password": "s3cret-pass", "firstName": "Mei", "lastName": "Chen", "roles": ["PARENT"]}}),
        )
        .await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let parent = app
        .gql(
            None,
            "mutation($e: String!) { login(input: {email: $e, password: \"s3cret-pass\"}) { token } }",
            json!({ "e": format!("parent@{domain}") }),
        )
        .await["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let family = app
        .ok(
            &s.token,
            "mutation($input: CreateFamilyInput!) { createFamily(input: $input) { family { id } userErrors { field code } } }",
            json!({"input": {"name": "The Chens", "adminUserId": parent_user, "studentIds": [s.student]}}),
        )
        .await["family"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sam = app
        .ok(&s.token, "mutation { createStudent(input: {firstName: \"Sam\", lastName: \"Stone\"}) { student { id } userErrors { code } } }", json!({}))
        .await["student"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let series = |teacher: &str, student: &str, time: &str| {
        json!({"offeringId": s.offering, "teacherId": teacher, "locationId": s.location, "studentId": student,
               "startDate": "2026-03-02", "count": 1, "startTime": time, "durationMinutes": 30, "daysOfWeek": [1]})
    };
    let lily_series = app
        .create_series(&s.token, series(&s.ada, &s.student, "10:00"))
        .await;
    let sam_series = app
        .create_series(&s.token, series(&s.bob, &sam, "18:00"))
        .await;
    let mut sessions = Vec::new();
    for id in [&lily_series, &sam_series] {
        let generated = app
            .ok(
                &s.token,
                crate::helpers::GENERATE,
                json!({"input": {"seriesId": id, "through": "2026-03-31"}}),
            )
            .await;
        sessions.push(generated["created"][0]["id"].as_str().unwrap().to_owned());
    }
    let group_series = app
        .create_series(
            &s.token,
            json!({"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location, "startDate": "2026-03-04",
                   "count": 1, "startTime": "17:00", "daysOfWeek": [3]}),
        )
        .await;
    let group_session = app
        .ok(
            &s.token,
            crate::helpers::GENERATE,
            json!({"input": {"seriesId": group_series, "through": "2026-03-31"}}),
        )
        .await["created"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lily_booking = app
        .ok(
            &s.token,
            "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"sessionId": group_session, "studentId": s.student}}),
        )
        .await["booking"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sam_entry = app
        .ok(
            &s.token,
            "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { waitlistEntry { id } userErrors { code } } }",
            json!({"i": {"sessionId": group_session, "studentId": sam}}),
        )
        .await["waitlistEntry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Relationships are read per request, so the teacher now teaches Lily
    // and the parent acts for her.
    let role = app
        .ok(
            &s.token,
            "mutation { createTeachingRole(input: {name: \"Choir leader\"}) { role { id } userErrors { code } } }",
            json!({}),
        )
        .await["role"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let wheels = app
        .ok(
            &s.token,
            "mutation($i: CreateEquipmentInput!) { createEquipment(input: $i) { equipment { id } userErrors { code } } }",
            json!({"i": {"locationId": s.location, "name": "Potter's wheel", "quantity": 4}}),
        )
        .await["equipment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let material = app
        .upload(
            Some(&s.token),
            crate::helpers::UPLOAD_MATERIAL,
            json!({"input": {"file": null, "title": "Scales", "type": "MUSIC_SCORE"}}),
            ("scales.pdf", "application/pdf", crate::helpers::SCORE_PDF),
        )
        .await["data"]["uploadMaterial"]["material"]["id"]
        .as_str()
        .expect("the cast's score uploads")
        .to_owned();
    app.ok(
        &s.token,
        "mutation($i: GrantMaterialInput!) { grantMaterial(input: $i) { material { id } userErrors { code } } }",
        json!({"i": {"materialId": material, "studentIds": [s.student]}}),
    )
    .await;
    Cast {
        role,
        wheels,
        material,
        group_session,
        lily_booking,
        sam_entry,
        school: s,
        staff,
        teacher,
        parent,
        student,
        family,
        parent_user,
        sam,
        lily_session: sessions[0].clone(),
        sam_session: sessions[1].clone(),
        lily_series,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Staff,
    Teacher,
    Parent,
    Student,
}

const ALL: [Who; 5] = [
    Who::Admin,
    Who::Staff,
    Who::Teacher,
    Who::Parent,
    Who::Student,
];

/// What a response says: allowed, or refused with which code.
fn outcome(body: &Value) -> String {
    if let Some(errors) = body.get("errors") {
        return errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or("NO CODE")
            .to_owned();
    }
    let field = body["data"].as_object().unwrap().values().next().unwrap();
    match field.get("userErrors") {
        Some(errs) if errs != &json!([]) => format!("USER_ERROR {errs}"),
        _ if field.is_null() => "NULL".to_owned(),
        _ => "ALLOWED".to_owned(),
    }
}

#[tokio::test]
async fn every_role_may_do_exactly_what_the_permission_table_says() {
    let app = spawn_app().await;
    let c = cast(&app, "roles.example").await;
    let s = &c.school;
    let window = json!({"from": "2026-03-01T00:00:00Z", "to": "2026-03-08T00:00:00Z"});
    let cal = |filter: Value| {
        let mut v = window.clone();
        v["filter"] = filter;
        v
    };
    // Lily holds a standing place in a Thursday class (for `unenrol`).
    let thursdays = app
        .create_series(
            &s.token,
            json!({"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location, "startDate": "2026-03-05",
                   "count": 1, "startTime": "18:00", "daysOfWeek": [4]}),
        )
        .await;
    app.ok(
        &s.token,
        crate::helpers::GENERATE,
        json!({"input": {"seriesId": thursdays, "through": "2026-03-31"}}),
    )
    .await;
    app.ok(
        &s.token,
        "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code } } }",
        json!({"i": {"seriesId": thursdays, "studentId": s.student, "type": "FULL_SCHEDULE"}}),
    )
    .await;
    let lily_enrolment = app
        .ok(
            &s.token,
            "query($s: ID!) { node(id: $s) { ... on Student { enrolments { id } } } }",
            json!({"s": s.student}),
        )
        .await["enrolments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const CAL: &str = "query($filter: CalendarFilter!, $from: DateTime!, $to: DateTime!) { calendar(filter: $filter, from: $from, to: $to) { id } }";
    let lily_exam = app
        .ok(
            &s.token,
            "mutation($i: RequestExamInput!) { requestExam(input: $i) { request { id } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "examType": "Grade 1"}}),
        )
        .await["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // An issued invoice of Lily's family, 50.00, with 10.00 paid in cash.
    let invoice = app
        .ok(
            &s.token,
            "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"familyId": c.family, "dueDate": "2026-03-31", "lines": [{"description": "Piano", "unitMinor": 5000}]}}),
        )
        .await["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        &s.token,
        "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
        json!({"i": {"invoiceId": invoice}}),
    )
    .await;
    let payment = app
        .ok(
            &s.token,
            "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } userErrors { code } } }",
            json!({"i": {"invoiceId": invoice, "amountMinor": 1000, "method": "CASH"}}),
        )
        .await["payment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A make-up credit of Lily's (excused from her 1-on-1 lesson), and a
    // February payout of Ada's.
    app.ok(
        &s.token,
        "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { code } } }",
        json!({"i": {"sessionId": c.lily_session, "entries": [{"studentId": s.student, "status": "EXCUSED"}]}}),
    )
    .await;
    let credit = app
        .ok(
            &s.token,
            "query($s: ID!) { node(id: $s) { ... on Student { makeupCredits { id } } } }",
            json!({"s": s.student}),
        )
        .await["makeupCredits"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        &s.token,
        "mutation($i: UpdateTeacherProfileInput!) { updateTeacherProfile(input: $i) { teacher { id } userErrors { code } } }",
        json!({"i": {"teacherId": s.ada, "payRateMinor": 2000, "payBasis": "PER_SESSION"}}),
    )
    .await;
    let payout = app
        .ok(
            &s.token,
            "mutation($i: ComputePayoutInput!) { computePayout(input: $i) { payout { id } userErrors { code } } }",
            json!({"i": {"teacherId": s.ada, "period": "2026-02"}}),
        )
        .await["payout"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // An installment of Lily's subscription, for `invoiceInstallment`.
    let programme = app
        .ok(
            &s.token,
            "mutation { createProgramme(input: {name: \"Little Mozarts\"}) { programme { id } userErrors { code } } }",
            json!({}),
        )
        .await["programme"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let installment = app
        .ok(
            &s.token,
            "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { installments { id } } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "programmeId": programme, "startDate": "2026-03-02", "endDate": "2026-06-30",
                         "installments": [{"dueDate": "2026-04-01", "amountMinor": 9000}]}}),
        )
        .await["subscription"]["installments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const NODE: &str = "query($id: ID!) { node(id: $id) { id } }";
    const AVAIL: &str = "mutation($input: SetTeacherAvailabilityInput!) { setTeacherAvailability(input: $input) { teacher { id } userErrors { code } } }";
    use Who::*;
    let matrix: Vec<(&str, &str, Value, &[Who])> = vec![
        ("users", "{ users { totalCount } }", json!({}), &[Admin]),
        (
            "auditLog",
            "{ auditLog(first: 5) { totalCount } }",
            json!({}),
            &[Admin],
        ),
        (
            "createUser",
            CREATE_USER,
            json!({"input": {"email": "new@roles.example", "password": "s3cret-pass", "firstName": "N", "lastName": "U", "roles": ["STAFF"]}}),
            &[Admin],
        ),
        (
            "createLocation",
            "mutation { createLocation(input: {name: \"Annex\"}) { location { id } userErrors { code } } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "createStudent",
            "mutation { createStudent(input: {firstName: \"X\", lastName: \"Y\"}) { student { id } userErrors { code } } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "createFamily",
            "mutation($input: CreateFamilyInput!) { createFamily(input: $input) { family { id } userErrors { code } } }",
            json!({"input": {"name": "Other", "adminUserId": c.parent_user}}),
            &[Admin, Staff],
        ),
        (
            "addFamilyMember",
            "mutation($input: AddFamilyMemberInput!) { addFamilyMember(input: $input) { family { id } userErrors { code } } }",
            json!({"input": {"familyId": c.family, "studentId": s.student}}),
            &[Admin, Staff, Parent],
        ),
        (
            "previewSessions",
            "query($id: ID!) { previewSessions(seriesId: $id, through: \"2026-03-31\") { occurrenceDate } }",
            json!({"id": c.lily_series}),
            &[Admin, Staff],
        ),
        (
            "generateSessions",
            crate::helpers::GENERATE,
            json!({"input": {"seriesId": c.lily_series, "through": "2026-03-31"}}),
            &[Admin, Staff],
        ),
        ("locations", "{ locations { totalCount } }", json!({}), &ALL),
        ("offerings", "{ offerings { totalCount } }", json!({}), &ALL),
        ("students", "{ students { totalCount } }", json!({}), &ALL),
        (
            "classSeries",
            "{ classSeries { totalCount } }",
            json!({}),
            &ALL,
        ),
        ("node(teacher)", NODE, json!({"id": s.bob}), &ALL),
        ("node(Lily)", NODE, json!({"id": s.student}), &ALL),
        ("node(Sam)", NODE, json!({"id": c.sam}), &[Admin, Staff]),
        (
            "node(Lily's session)",
            NODE,
            json!({"id": c.lily_session}),
            &ALL,
        ),
        (
            "node(Sam's session)",
            NODE,
            json!({"id": c.sam_session}),
            &[Admin, Staff],
        ),
        (
            "node(family)",
            NODE,
            json!({"id": c.family}),
            &[Admin, Staff, Parent],
        ),
        (
            "node(parent user)",
            NODE,
            json!({"id": c.parent_user}),
            &[Admin, Staff, Parent],
        ),
        (
            "calendar(location)",
            CAL,
            cal(json!({"locationId": s.location})),
            &[Admin, Staff],
        ),
        (
            "calendar(room)",
            CAL,
            cal(json!({"roomId": s.room_a})),
            &[Admin, Staff],
        ),
        (
            "calendar(Ada)",
            CAL,
            cal(json!({"teacherId": s.ada})),
            &[Admin, Staff, Teacher],
        ),
        (
            "calendar(Bob)",
            CAL,
            cal(json!({"teacherId": s.bob})),
            &[Admin, Staff],
        ),
        (
            "calendar(Lily)",
            CAL,
            cal(json!({"studentId": s.student})),
            &ALL,
        ),
        (
            "calendar(Sam)",
            CAL,
            cal(json!({"studentId": c.sam})),
            &[Admin, Staff],
        ),
        (
            "setTeacherAvailability(Ada)",
            AVAIL,
            json!({"input": {"teacherId": s.ada, "availability": [{"dayOfWeek": 1, "startTime": "09:00", "endTime": "19:00"}]}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "setTeacherAvailability(Bob)",
            AVAIL,
            json!({"input": {"teacherId": s.bob, "availability": []}}),
            &[Admin, Staff],
        ),
        ("me", "{ me { id } }", json!({}), &ALL),
        (
            "availableSlots",
            "query($t: ID!) { availableSlots(teacherId: $t, from: \"2026-03-02T00:00:00Z\", to: \"2026-03-03T00:00:00Z\", durationMinutes: 30) { startsAt } }",
            json!({"t": s.ada}),
            &ALL,
        ),
        (
            "setBookingPolicy(Ada)",
            "mutation($i: SetBookingPolicyInput!) { setBookingPolicy(input: $i) { policy { minNoticeHours } userErrors { code } } }",
            json!({"i": {"teacherId": s.ada}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "setBookingPolicy(Bob)",
            "mutation($i: SetBookingPolicyInput!) { setBookingPolicy(input: $i) { policy { minNoticeHours } userErrors { code } } }",
            json!({"i": {"teacherId": s.bob}}),
            &[Admin, Staff],
        ),
        (
            "bookSession(Lily)*",
            "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"sessionId": c.group_session, "studentId": s.student}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            "bookSession(Sam)*",
            "mutation($i: BookSessionInput!) { bookSession(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"sessionId": c.group_session, "studentId": c.sam}}),
            &[Admin, Staff],
        ),
        (
            "approveBooking(Bob's lesson)*",
            "mutation($b: ID!) { approveBooking(input: {bookingId: $b}) { booking { id } userErrors { code } } }",
            json!({"b": c.lily_booking}),
            &[Admin, Staff],
        ),
        (
            "recordAttendance(Ada's lesson)*",
            "mutation($i: RecordAttendanceInput!) { recordAttendance(input: $i) { session { id } userErrors { code } } }",
            json!({"i": {"sessionId": c.lily_session, "entries": [{"studentId": s.student, "status": "PRESENT"}]}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "node(Lily's booking)",
            NODE,
            json!({"id": c.lily_booking}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            "node(Sam's waitlist entry)",
            NODE,
            json!({"id": c.sam_entry}),
            &[Admin, Staff],
        ),
        (
            "node(group session)",
            NODE,
            json!({"id": c.group_session}),
            &[Admin, Staff, Parent, Student],
        ),
        ("teachers", "{ teachers { totalCount } }", json!({}), &ALL),
        (
            "teachingRoles",
            "{ teachingRoles { totalCount } }",
            json!({}),
            &ALL,
        ),
        (
            "bookingPolicy",
            "query($t: ID!) { bookingPolicy(teacherId: $t) { minNoticeHours } }",
            json!({"t": s.ada}),
            &ALL,
        ),
        (
            "eligibleStaff",
            "query($s: ID!) { eligibleStaff(sessionId: $s) { id } }",
            json!({"s": c.group_session}),
            &[Admin, Staff],
        ),
        (
            "hybridSlots",
            "query($s: ID!) { hybridSlots(sessionId: $s, durationMinutes: 20) { startsAt } }",
            json!({"s": c.group_session}),
            &ALL,
        ),
        (
            "register(Lily)*",
            "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code } } }",
            json!({"i": {"seriesId": c.lily_series, "studentId": s.student, "type": "FULL_SCHEDULE"}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            "register(Sam)*",
            "mutation($i: RegisterInput!) { register(input: $i) { registration { id } userErrors { code } } }",
            json!({"i": {"seriesId": c.lily_series, "studentId": c.sam, "type": "FULL_SCHEDULE"}}),
            &[Admin, Staff],
        ),
        (
            "bookOneOnOne(Lily)*",
            "mutation($i: BookOneOnOneInput!) { bookOneOnOne(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"teacherId": s.bob, "studentId": s.student, "startsAt": "2026-03-17T17:00:00Z", "durationMinutes": 30}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            "createBookingSeries(Sam)*",
            "mutation($i: CreateBookingSeriesInput!) { createBookingSeries(input: $i) { series { id } userErrors { code } } }",
            json!({"i": {"teacherId": s.bob, "studentId": c.sam, "firstStartsAt": "2026-03-24T17:00:00Z", "durationMinutes": 30, "frequency": "WEEKLY", "count": 2}}),
            &[Admin, Staff],
        ),
        (
            "joinWaitlist(Lily)*",
            "mutation($i: JoinWaitlistInput!) { joinWaitlist(input: $i) { waitlistEntry { id } userErrors { code } } }",
            json!({"i": {"sessionId": c.lily_session, "studentId": s.student}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            "acceptWaitlistOffer(Sam)*",
            "mutation($i: AcceptWaitlistOfferInput!) { acceptWaitlistOffer(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"entryId": c.sam_entry}}),
            &[Admin, Staff],
        ),
        (
            "bookHybridSlot(Lily)*",
            "mutation($i: BookHybridSlotInput!) { bookHybridSlot(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"sessionId": c.group_session, "studentId": s.student, "startsAt": "2026-03-04T17:00:00Z", "durationMinutes": 20}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            "setUserRoles",
            "mutation($i: SetUserRolesInput!) { setUserRoles(input: $i) { user { id } userErrors { code } } }",
            json!({"i": {"userId": c.parent_user, "roles": ["PARENT"]}}),
            &[Admin],
        ),
        (
            "createRoom",
            "mutation($i: CreateRoomInput!) { createRoom(input: $i) { room { id } userErrors { code } } }",
            json!({"i": {"locationId": s.location, "name": "Booth", "capacity": 1}}),
            &[Admin, Staff],
        ),
        (
            "createTeacher*",
            "mutation { createTeacher(input: {email: \"t@roles.example\", firstName: \"T\", lastName: \"T\"}) { teacher { id } userErrors { code } } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "addTeacherTimeOff(Ada)",
            "mutation($i: AddTeacherTimeOffInput!) { addTeacherTimeOff(input: $i) { teacher { id } userErrors { code } } }",
            json!({"i": {"teacherId": s.ada, "startsAt": "2026-06-01T00:00:00Z", "endsAt": "2026-06-02T00:00:00Z"}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "addTeacherTimeOff(Bob)",
            "mutation($i: AddTeacherTimeOffInput!) { addTeacherTimeOff(input: $i) { teacher { id } userErrors { code } } }",
            json!({"i": {"teacherId": s.bob, "startsAt": "2026-06-01T00:00:00Z", "endsAt": "2026-06-02T00:00:00Z"}}),
            &[Admin, Staff],
        ),
        (
            "createOffering",
            "mutation { createOffering(input: {title: \"Drums\", kind: GROUP, defaultDurationMinutes: 45, defaultCapacity: 4}) { offering { id } userErrors { code } } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "createClassSeries",
            crate::helpers::CREATE_SERIES,
            json!({"input": {"offeringId": s.offering, "teacherId": s.bob, "locationId": s.location, "startDate": "2026-05-04",
                   "count": 1, "startTime": "10:00", "daysOfWeek": [1]}}),
            &[Admin, Staff],
        ),
        (
            "setClassSeriesStatus*",
            "mutation($i: SetClassSeriesStatusInput!) { setClassSeriesStatus(input: $i) { series { id } userErrors { code } } }",
            json!({"i": {"seriesId": c.lily_series, "status": "ACTIVE"}}),
            &[Admin, Staff],
        ),
        (
            "createTeachingRole*",
            "mutation { createTeachingRole(input: {name: \"Drum tech\"}) { role { id } userErrors { code } } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "grantTeachingRole*",
            "mutation($i: GrantTeachingRoleInput!) { grantTeachingRole(input: $i) { teacher { id } userErrors { code } } }",
            json!({"i": {"teacherId": s.bob, "roleId": c.role}}),
            &[Admin, Staff],
        ),
        (
            "assignStaff*",
            "mutation($i: AssignStaffInput!) { assignStaff(input: $i) { session { id } userErrors { code } } }",
            json!({"i": {"sessionId": c.group_session, "instructorIds": [s.bob]}}),
            &[Admin, Staff],
        ),
        (
            "previewTerm",
            "{ previewTerm(through: \"2026-03-31\") { sessionCount } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "generateTerm*",
            "mutation { generateTerm(input: {through: \"2026-03-31\"}) { sessionCount userErrors { code } } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "previewSeriesUpdate",
            "query($i: UpdateClassSeriesInput!) { previewSeriesUpdate(input: $i) { moved { previousStartsAt } } }",
            json!({"i": {"seriesId": c.lily_series, "scope": "ALL", "changes": {"startTime": "10:15"}}}),
            &[Admin, Staff],
        ),
        (
            "updateClassSeries*",
            "mutation($i: UpdateClassSeriesInput!) { updateClassSeries(input: $i) { series { id } userErrors { code } } }",
            json!({"i": {"seriesId": c.lily_series, "scope": "ALL", "changes": {"notes": "Bring the red book"}}}),
            &[Admin, Staff],
        ),
        (
            "createSession*",
            "mutation($i: CreateSessionInput!) { createSession(input: $i) { session { id } userErrors { code } } }",
            json!({"i": {"offeringId": s.offering, "locationId": s.location, "teacherId": s.bob, "startsAt": "2026-03-03T17:00:00Z"}}),
            &[Admin, Staff],
        ),
        (
            "updateSession*",
            "mutation($i: UpdateSessionInput!) { updateSession(input: $i) { session { id } userErrors { code } } }",
            json!({"i": {"sessionId": c.sam_session, "notes": "Room change"}}),
            &[Admin, Staff],
        ),
        (
            "completeSession(Ada's)*",
            "mutation($i: CompleteSessionInput!) { completeSession(input: $i) { session { id } userErrors { code } } }",
            json!({"i": {"sessionId": c.lily_session}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "cancelSession(Ada's)*",
            "mutation($i: CancelSessionInput!) { cancelSession(input: $i) { session { id } userErrors { code } } }",
            json!({"i": {"sessionId": c.lily_session, "byTeacher": true}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "classBrowser",
            "{ classBrowser { sessions { id } } }",
            json!({}),
            &ALL,
        ),
        (
            "pendingBookings",
            "{ pendingBookings(first: 5) { totalCount } }",
            json!({}),
            &[Admin, Staff, Teacher],
        ),
        (
            "recordLessonAttendance(Bob's)*",
            "mutation($i: RecordLessonAttendanceInput!) { recordLessonAttendance(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"bookingId": c.lily_booking, "status": "PRESENT"}}),
            &[Admin, Staff],
        ),
        (
            "leaveWaitlist(Sam's)*",
            "mutation($i: LeaveWaitlistInput!) { leaveWaitlist(input: $i) { entry { id } userErrors { code } } }",
            json!({"i": {"entryId": c.sam_entry}}),
            &[Admin, Staff],
        ),
        (
            "setEnrolmentStatus(Lily's)*",
            "mutation($i: SetEnrolmentStatusInput!) { setEnrolmentStatus(input: $i) { enrolment { id } userErrors { code } } }",
            json!({"i": {"enrolmentId": lily_enrolment, "status": "PAUSED"}}),
            &[Admin, Staff],
        ),
        (
            "unenrol(Lily's)*",
            "mutation($i: UnenrolInput!) { unenrol(input: $i) { enrolment { id } userErrors { code } } }",
            json!({"i": {"enrolmentId": lily_enrolment, "from": "2026-03-01"}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            "declineBooking(Bob's lesson)*",
            "mutation($b: ID!) { declineBooking(input: {bookingId: $b}) { booking { id } userErrors { code } } }",
            json!({"b": c.lily_booking}),
            &[Admin, Staff],
        ),
        // Last: they end Lily's booking, which rows above still use.
        (
            "rescheduleBooking(Lily's booking)*",
            "mutation($i: RescheduleBookingInput!) { rescheduleBooking(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"bookingId": c.lily_booking, "sessionId": c.group_session}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            "createEquipment",
            "mutation($i: CreateEquipmentInput!) { createEquipment(input: $i) { equipment { id } userErrors { code } } }",
            json!({"i": {"locationId": s.location, "name": "Clay", "quantity": 50, "consumable": true, "unit": "kg"}}),
            &[Admin, Staff],
        ),
        (
            "setOfferingRequirements",
            "mutation($i: SetOfferingRequirementsInput!) { setOfferingRequirements(input: $i) { offering { id } userErrors { code } } }",
            json!({"i": {"offeringId": s.offering, "items": []}}),
            &[Admin, Staff],
        ),
        (
            "addMaintenanceBlock*",
            "mutation($i: AddMaintenanceBlockInput!) { addMaintenanceBlock(input: $i) { block { quantity } userErrors { code } } }",
            json!({"i": {"equipmentId": c.wheels, "quantity": 1, "from": "2026-07-01T09:00:00Z", "to": "2026-07-01T10:00:00Z"}}),
            &[Admin, Staff],
        ),
        ("equipment", "{ equipment { id name } }", json!({}), &ALL),
        (
            "equipmentAvailability",
            "query($l: ID!) { equipmentAvailability(locationId: $l, from: \"2026-03-01T00:00:00Z\", to: \"2026-03-08T00:00:00Z\") { equipment { id } timeline { available } } }",
            json!({"l": s.location}),
            &ALL,
        ),
        (
            "changeBookingEquipment(Lily's booking)*",
            "mutation($i: ChangeBookingEquipmentInput!) { changeBookingEquipment(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"bookingId": c.lily_booking, "items": [{"equipmentId": c.wheels, "quantity": 1}]}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            // A teacher grants only what they prepare (their uploads,
            // their series'): materials.rs. This score is the office's.
            "grantMaterial(the office's score)",
            "mutation($i: GrantMaterialInput!) { grantMaterial(input: $i) { material { id } userErrors { code } } }",
            json!({"i": {"materialId": c.material, "studentIds": [s.student]}}),
            &[Admin, Staff],
        ),
        (
            "materials",
            "{ materials(first: 5) { nodes { id } } }",
            json!({}),
            &ALL,
        ),
        (
            "updateSchool",
            "mutation { updateSchool(input: {phone: \"020 7946 0958\"}) { school { id } userErrors { code } } }",
            json!({}),
            &[Admin, Staff],
        ),
        ("subjects", "{ subjects }", json!({}), &ALL),
        (
            "createInvoice",
            "mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"familyId": c.family, "dueDate": "2026-03-31", "lines": [{"description": "Theory", "unitMinor": 900}]}}),
            &[Admin, Staff],
        ),
        (
            // Issued already: the office meets INVALID_STATE, others FORBIDDEN.
            "issueInvoice*",
            "mutation($i: InvoiceActionInput!) { issueInvoice(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"invoiceId": invoice}}),
            &[Admin, Staff],
        ),
        (
            // It has a payment: voiding is refused (INVALID_STATE) even so.
            "voidInvoice*",
            "mutation($i: InvoiceActionInput!) { voidInvoice(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"invoiceId": invoice}}),
            &[Admin, Staff],
        ),
        (
            "recordPayment",
            "mutation($i: RecordPaymentInput!) { recordPayment(input: $i) { payment { id } userErrors { code } } }",
            json!({"i": {"invoiceId": invoice, "amountMinor": 100, "method": "CASH"}}),
            &[Admin, Staff],
        ),
        (
            "refundPayment",
            "mutation($i: RefundPaymentInput!) { refundPayment(input: $i) { payment { id } userErrors { code } } }",
            json!({"i": {"paymentId": payment, "amountMinor": 10}}),
            &[Admin, Staff],
        ),
        (
            // Card payments are off in this app: the family reaches the
            // refusal (INVALID_STATE), the teacher and Lily's teacher do not.
            "payInvoice*",
            "mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id } userErrors { code } } }",
            json!({"i": {"invoiceId": invoice}}),
            &[Admin, Staff, Parent],
        ),
        (
            "setAttendanceStatuses",
            "mutation($i: SetAttendanceStatusesInput!) { setAttendanceStatuses(input: $i) { policy { creditExpiryDays } userErrors { code } } }",
            json!({"i": {"statuses": [{"code": "SICK", "countsAs": "ABSENT", "billed": true, "teacherPaid": false, "grantsCredit": true}]}}),
            &[Admin, Staff],
        ),
        (
            "attendanceStatuses",
            "{ attendanceStatuses { statuses { code } } }",
            json!({}),
            &ALL,
        ),
        (
            // The group session is another offering: whoever may book for
            // Lily reaches that refusal; her teacher may not.
            "bookMakeup(Lily's credit)*",
            "mutation($i: BookMakeupInput!) { bookMakeup(input: $i) { booking { id } userErrors { code } } }",
            json!({"i": {"creditId": credit, "sessionId": c.group_session}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            // The office only; once refunded, the credit meets INVALID_STATE.
            "refundCredit*",
            "mutation($i: RefundCreditInput!) { refundCredit(input: $i) { credit { id } userErrors { code } } }",
            json!({"i": {"creditId": credit}}),
            &[Admin, Staff],
        ),
        (
            // The office, or Lily's parent paying it; not Lily, not her teacher.
            "invoiceInstallment",
            "mutation($i: InvoiceInstallmentInput!) { invoiceInstallment(input: $i) { invoice { id } userErrors { code } } }",
            json!({"i": {"installmentId": installment}}),
            &[Admin, Staff, Parent],
        ),
        (
            "computePayout",
            "mutation($i: ComputePayoutInput!) { computePayout(input: $i) { payout { id } userErrors { code } } }",
            json!({"i": {"teacherId": s.ada, "period": "2026-01"}}),
            &[Admin, Staff],
        ),
        (
            // PENDING → PROCESSING once; a repeat meets INVALID_STATE.
            "setPayoutStatus*",
            "mutation($i: SetPayoutStatusInput!) { setPayoutStatus(input: $i) { payout { id } userErrors { code } } }",
            json!({"i": {"payoutId": payout, "status": "PROCESSING"}}),
            &[Admin, Staff],
        ),
        (
            "payouts(Ada)",
            "query($t: ID!) { payouts(teacherId: $t) { id } }",
            json!({"t": s.ada}),
            &[Admin, Staff, Teacher],
        ),
        (
            "registrationQuote",
            "query($s: ID!) { registrationQuote(seriesId: $s, type: FULL_SCHEDULE) { basis } }",
            json!({"s": c.lily_series}),
            &ALL,
        ),
        (
            "monthlyInvoicePreview",
            "{ monthlyInvoicePreview(period: \"2026-03\") { totalMinor } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "createMonthlyInvoices",
            "mutation { createMonthlyInvoices(input: {period: \"2026-03\", dueDate: \"2026-03-31\"}) { invoices { id } userErrors { code } } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "invoices(all)",
            "{ invoices(first: 5) { nodes { id } } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "invoices(Lily's family)",
            "query($f: ID!) { invoices(familyId: $f, first: 5) { nodes { id } } }",
            json!({"f": c.family}),
            &[Admin, Staff, Parent],
        ),
        (
            // Archiving room B may be refused (IN_USE): the row is about
            // who may ask, archive.rs about what happens.
            "archive(room B)*",
            "mutation($i: ArchiveInput!) { archive(input: $i) { node { id } userErrors { code } } }",
            json!({"i": {"id": s.room_b}}),
            &[Admin, Staff],
        ),
        (
            "unarchive(room B)",
            "mutation($i: ArchiveInput!) { unarchive(input: $i) { node { id } userErrors { code } } }",
            json!({"i": {"id": s.room_b}}),
            &[Admin, Staff],
        ),
        (
            "updateRoom",
            "mutation($i: UpdateRoomInput!) { updateRoom(input: $i) { room { id } userErrors { code } } }",
            json!({"i": {"roomId": s.room_b, "capacity": 5}}),
            &[Admin, Staff],
        ),
        (
            "updateLocation",
            "mutation($i: UpdateLocationInput!) { updateLocation(input: $i) { location { id } userErrors { code } } }",
            json!({"i": {"locationId": s.location, "city": "London"}}),
            &[Admin, Staff],
        ),
        (
            "updateOffering",
            "mutation($i: UpdateOfferingInput!) { updateOffering(input: $i) { offering { id } userErrors { code } } }",
            json!({"i": {"offeringId": s.offering, "subject": "Voice"}}),
            &[Admin, Staff],
        ),
        (
            "updateTeacherProfile(Ada's bio)",
            "mutation($i: UpdateTeacherProfileInput!) { updateTeacherProfile(input: $i) { teacher { id } userErrors { code } } }",
            json!({"i": {"teacherId": s.ada, "bio": "Pianist"}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "updateStudentProfile(Lily's instruments)",
            "mutation($i: UpdateStudentProfileInput!) { updateStudentProfile(input: $i) { student { id } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "instruments": ["Piano"]}}),
            &[Admin, Staff, Parent, Student],
        ),
        (
            "updateFamilyBilling",
            "mutation($i: UpdateFamilyBillingInput!) { updateFamilyBilling(input: $i) { family { id } userErrors { code } } }",
            json!({"i": {"familyId": c.family, "billingAddress": "1 High St"}}),
            &[Admin, Staff, Parent],
        ),
        (
            "grantAward(Lily)",
            "mutation($i: GrantAwardInput!) { grantAward(input: $i) { award { title } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "title": "Scales", "type": "SECTION_COMPLETE"}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "requestExam(Lily)",
            "mutation($i: RequestExamInput!) { requestExam(input: $i) { request { id } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "examType": "Grade 2"}}),
            &[Admin, Staff, Teacher, Parent, Student],
        ),
        (
            "advanceExamRequest(Lily's)*",
            "mutation($i: AdvanceExamRequestInput!) { advanceExamRequest(input: $i) { request { status } userErrors { code } } }",
            json!({"i": {"requestId": lily_exam, "status": "APPROVED"}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "createLead",
            "mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { code } } }",
            json!({"i": {"parentName": "Mia", "parentEmail": "mia@roles.example", "childFirstName": "Leo", "childLastName": "Chen"}}),
            &[Admin, Staff],
        ),
        (
            "setLeadStatus(no such lead)*",
            "mutation($i: SetLeadStatusInput!) { setLeadStatus(input: $i) { lead { id } userErrors { code } } }",
            json!({"i": {"leadId": c.lily_session, "status": "ARCHIVED"}}),
            &[Admin, Staff],
        ),
        (
            "bookEvaluation(no such lead)*",
            "mutation($i: BookEvaluationInput!) { bookEvaluation(input: $i) { lead { id } userErrors { code } } }",
            json!({"i": {"leadId": c.lily_session, "sessionId": c.lily_session}}),
            &[Admin, Staff],
        ),
        (
            "convertLead(no such lead)*",
            "mutation($i: ConvertLeadInput!) { convertLead(input: $i) { lead { id } userErrors { code } } }",
            json!({"i": {"leadId": c.lily_session, "parentFirstName": "M", "parentLastName": "C", "parentPassword": "s3cret-pass"}}),
            &[Admin, Staff],
        ),
        (
            "leads",
            "{ leads(first: 5) { totalCount } }",
            json!({}),
            &[Admin, Staff],
        ),
        (
            "createProgramme",
            "mutation { createProgramme(input: {name: \"Therapy\"}) { programme { id } userErrors { code } } }",
            json!({}),
            &[Admin, Staff],
        ),
        ("programmes", "{ programmes { id } }", json!({}), &ALL),
        (
            "createSubscription(no such programme)*",
            "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { id } userErrors { code } } }",
            json!({"i": {"studentId": s.student, "programmeId": c.lily_session, "startDate": "2026-03-02", "endDate": "2026-06-30"}}),
            &[Admin, Staff],
        ),
        (
            "freezeSubscription(no such subscription)*",
            "mutation($i: FreezeSubscriptionInput!) { freezeSubscription(input: $i) { subscription { id } userErrors { code } } }",
            json!({"i": {"subscriptionId": c.lily_session, "from": "2026-04-01", "days": 3}}),
            &[Admin, Staff],
        ),
        (
            "unfreezeSubscription(no such subscription)*",
            "mutation($i: UnfreezeSubscriptionInput!) { unfreezeSubscription(input: $i) { subscription { id } userErrors { code } } }",
            json!({"i": {"subscriptionId": c.lily_session}}),
            &[Admin, Staff],
        ),
        (
            "rotateQrCode(Lily)",
            "mutation($i: RotateQrCodeInput!) { rotateQrCode(input: $i) { student { id } userErrors { code } } }",
            json!({"i": {"studentId": s.student}}),
            &[Admin, Staff],
        ),
        (
            "checkIn(a bad code)*",
            "mutation($i: CheckInInput!) { checkIn(input: $i) { checkIn { at } userErrors { code } } }",
            json!({"i": {"code": "not-a-code", "kind": "CENTER_CHECK_IN"}}),
            &[Admin, Staff, Teacher],
        ),
        (
            "cancelBooking(Lily's booking)*",
            "mutation($i: CancelBookingInput!) { cancelBooking(input: $i) { cancelled { id } userErrors { code } } }",
            json!({"i": {"bookingId": c.lily_booking}}),
            &[Admin, Staff, Parent, Student],
        ),
    ];
    // Every root field has a row (its name before any `(` or `*`), or is
    // named here with the test that holds it to its rule: a new field
    // cannot skip the permission table.
    let elsewhere = [
        ("signUp", "public: hardening.rs and every test's sign-up"),
        ("login", "public: hardening.rs login throttle"),
        ("changePassword", "self only: hardening.rs token revocation"),
        ("logout", "self only: hardening.rs token revocation"),
        (
            "revokeAllSessions",
            "self only: hardening.rs token revocation",
        ),
        (
            "uploadMaterial",
            "multipart only: materials.rs uploads_are_for_teachers_and_the_office",
        ),
    ];
    let schema = app
        .ok(
            &s.token,
            "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let mut uncovered = Vec::new();
    for root in ["queryType", "mutationType"] {
        for field in schema[root]["fields"].as_array().unwrap() {
            let field = field["name"].as_str().unwrap();
            let has_row = matrix
                .iter()
                .any(|(name, ..)| name.split(['(', '*']).next() == Some(field));
            if !has_row && !elsewhere.iter().any(|(f, _)| *f == field) {
                uncovered.push(field.to_owned());
            }
        }
    }
    assert!(
        uncovered.is_empty(),
        "root fields without a row in the role matrix: {uncovered:?}"
    );
    let token = |who: Who| match who {
        Admin => s.token.as_str(),
        Staff => c.staff.as_str(),
        Teacher => c.teacher.as_str(),
        Parent => c.parent.as_str(),
        Student => c.student.as_str(),
    };
    let mut failures = Vec::new();
    for (name, query, vars, allowed) in &matrix {
        for who in ALL {
            // A create that succeeded once would fail on "email taken" the
            // next time: give each role its own email.
            let mut vars = vars.clone();
            if *name == "createUser" {
                vars["input"]["email"] = json!(format!("new-{who:?}@roles.example"));
            }
            let body = app.gql(Some(token(who)), query, vars).await;
            let mut got = outcome(&body);
            let want = if allowed.contains(&who) {
                "ALLOWED"
            } else {
                "FORBIDDEN"
            };
            // Rows marked `*` change state, so a repeat may meet a domain
            // refusal (already booked, not pending): that still means the
            // policy let the request through.
            if name.ends_with('*') && got.starts_with("USER_ERROR") {
                got = "ALLOWED".to_owned();
            }
            if got != want {
                failures.push(format!("{who:?} × {name}: want {want}, got {got} ({body})"));
            }
        }
        let anonymous = app.gql(None, query, vars.clone()).await;
        if outcome(&anonymous) != "UNAUTHENTICATED" {
            failures.push(format!("anonymous × {name}: {anonymous}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn lists_show_each_role_only_its_own_rows() {
    let app = spawn_app().await;
    let c = cast(&app, "scope.example").await;
    let q = "{ students { totalCount nodes { firstName } } classSeries { totalCount } }";
    let counts = |body: &Value| {
        (
            body["data"]["students"]["totalCount"].as_i64().unwrap(),
            body["data"]["classSeries"]["totalCount"].as_i64().unwrap(),
        )
    };
    for (token, want, who) in [
        (&c.school.token, (2, 3), "admin"),
        (&c.staff, (2, 3), "staff"),
        (&c.teacher, (1, 1), "teacher"),
        (&c.parent, (1, 1), "parent"),
        (&c.student, (1, 1), "student"),
    ] {
        let body = app.gql(Some(token), q, json!({})).await;
        assert_eq!(counts(&body), want, "{who}: {body}");
        if want.0 == 1 {
            assert_eq!(
                body["data"]["students"]["nodes"][0]["firstName"], "Lily",
                "{who}"
            );
        }
    }
    // Sam is nobody's but the office's.
    let _ = c.sam;
}
