# The dev loop. `just` lists the recipes.

pg_url := env_var_or_default("PG_URL", "postgres://postgres@127.0.0.1:5432")

default:
    @just --list

# Serve the API and GraphiQL on 127.0.0.1:8080 (SQLite ostinato.db); `just run --demo` seeds a demo school.
run *ARGS:
    cargo run --release -- {{ARGS}}

# The whole suite on SQLite.
test:
    cargo test --workspace

# The whole suite on a fresh PostgreSQL database (PG_URL, default postgres@127.0.0.1:5432).
test-pg:
    #!/usr/bin/env bash
    set -euo pipefail
    db="ostinato_dev_$(date +%s)"
    psql "{{pg_url}}/postgres" -qc "CREATE DATABASE $db"
    TEST_DATABASE_URL="{{pg_url}}/$db" cargo test --workspace

# Regenerate the committed GraphQL SDL.
schema:
    cargo run -q -p gateway -- print-schema > schema.graphql

# Clippy (warnings are errors) and rustfmt.
lint:
    cargo clippy --workspace --all-targets -- -D warnings
    cargo fmt --all --check

# Scheduling (1,000 weekly series), slot search (50 teachers x 4 weeks),
# booking throughput under contention and a school year of 1,000 series by
# one generateTerm, and a week's calendar of 500 sessions at four depths of
# selection (SQLite; BENCH_DATABASE_URL=postgres://… for PostgreSQL).
bench:
    cargo bench -p scheduling --bench expand_and_check
    cargo bench -p booking --bench slot_search
    cargo bench -p ostinato-blackbox --bench booking_contention
    cargo bench -p ostinato-blackbox --bench term_generation
    cargo bench -p ostinato-blackbox --bench calendar_week
