//! Tidy tests, in the spirit of rust-analyzer's: the architecture's
//! invariants (ARCHITECTURE.md) checked on the source tree itself, so a
//! change that breaks one fails `cargo test` instead of waiting for review.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The crate names listed in a manifest's `[dependencies]`,
/// `[dev-dependencies]` and `[build-dependencies]` sections.
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line.ends_with("dependencies]");
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once(['=', '.']) {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                out.push(name.to_owned());
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

const DOMAIN: [&str; 6] = [
    "kernel",
    "scheduling",
    "booking",
    "resources",
    "billing",
    "crm",
];
const IO: [&str; 9] = [
    "sea-orm",
    "sea-orm-migration",
    "sqlx",
    "tokio",
    "axum",
    "async-graphql",
    "reqwest",
    "hyper",
    "infra",
];

#[test]
fn domain_crates_depend_on_no_io_crate() {
    for name in DOMAIN {
        let deps = dependencies(&root().join("crates").join(name).join("Cargo.toml"));
        let bad: Vec<_> = deps.iter().filter(|d| IO.contains(&d.as_str())).collect();
        assert!(bad.is_empty(), "domain crate {name} depends on {bad:?}");
    }
}

#[test]
fn the_wire_is_only_in_the_gateway() {
    // Input field names and client codes are the gateway's: a domain error
    // says what went wrong, `gateway::error` says which field and code.
    for name in DOMAIN {
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(name).join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for wire in [
                "FieldError",
                "UserErrorCode",
                "field: &'static str",
                "async_graphql",
            ] {
                assert!(
                    !text.contains(wire),
                    "{} mentions `{wire}`; map domain errors to the wire in gateway::error",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn the_gateway_cannot_reach_the_database() {
    let deps = dependencies(&root().join("crates/gateway/Cargo.toml"));
    for forbidden in ["sea-orm", "sea-orm-migration", "sqlx", "migration"] {
        assert!(
            !deps.iter().any(|d| d == forbidden),
            "the gateway depends on {forbidden}; resolvers call infra instead"
        );
    }
    let mut files = Vec::new();
    rust_files(&root().join("crates/gateway"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("sea_orm"),
            "{} names sea_orm; go through an infra function or loader",
            file.display()
        );
    }
}

#[test]
fn source_files_stay_small_and_say_what_they_own() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    rust_files(&root().join("migration/src"), &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let lines = text.lines().count();
        if lines > 1200 {
            problems.push(format!(
                "{}: {lines} lines (split it by concern)",
                file.display()
            ));
        }
        let in_src = file.components().any(|c| c.as_os_str() == "src");
        if in_src && !text.starts_with("//!") {
            problems.push(format!("{}: no module doc (`//!`)", file.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
