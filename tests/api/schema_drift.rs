//! `schema.graphql` is the committed contract; it must match the code.

#[test]
fn committed_schema_matches_the_code() {
    let committed = include_str!("../../schema.graphql");
    let actual = gateway::schema::sdl();
    assert!(
        committed == actual,
        "schema.graphql is out of date: run `just schema` (cargo run -p gateway -- print-schema > schema.graphql) and commit it"
    );
}
