#!/usr/bin/env bash
# The whole test suite: formatting, lints, the web UI's build and unit tests,
# then everything twice — on SQLite and on a real PostgreSQL that this script
# starts in a temporary directory and stops afterwards: the Rust tests (unit
# and integration), then the client-library suites (toot, Mastodon.py, masto)
# and the web UI's end-to-end tests (Playwright, Chromium) against a running
# Loggia, then other people's suites (toot's integration tests, schemathesis
# with Mastodon's OpenAPI description); everything ends with a short fuzzing
# run of the parsers (scripts/fuzz.sh). The benchmark harness (bench/,
# scripts/bench.sh) runs once at reduced size on both databases, to check
# that it still works (its timings are not judged).
# Fails (never skips) when PostgreSQL is missing (or its streaming replica
# cannot be started).
#
#   scripts/test.sh              everything
#   scripts/test.sh sqlite       only the SQLite run (plus fmt and clippy)
#   scripts/test.sh postgres     only the PostgreSQL run (plus fmt and clippy)
set -euo pipefail
cd "$(dirname "$0")/.."

which="${1:-all}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

# Every cargo test run is logged so that the totals can be summed at the end.
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
run_tests() {
    cargo test --locked --workspace --all-targets 2>&1 | tee -a "$RESULTS"
}
run_clients() {
    cargo build --locked --quiet
    tests/clients/run.sh "${CARGO_TARGET_DIR:-target}/debug/loggia" "$1" 2>&1 | tee -a "$RESULTS"
}
# The web UI driven by Chromium, on two running instances (tests/web/).
run_web() {
    tests/web/run.sh "${CARGO_TARGET_DIR:-target}/debug/loggia" "$1" 2>&1 | tee -a "$RESULTS"
}
# Other people's test suites: toot's integration tests and schemathesis
# against Mastodon's OpenAPI description, each on a fresh database.
run_conformance() {
    local bin="${CARGO_TARGET_DIR:-target}/debug/loggia"
    tests/conformance/toot.sh "$bin" "$1" 2>&1 | tee -a "$RESULTS"
    tests/conformance/schemathesis.sh "$bin" "$2" 2>&1 | tee -a "$RESULTS"
}

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

# Debug binaries serve frontend/dist from disk: build it before any server runs.
step "web UI: build and unit tests (vitest)"
scripts/check-node.sh
npm --prefix frontend ci --no-audit --no-fund
npm --prefix frontend run build
NO_COLOR=1 npm --prefix frontend test 2>&1 | tee -a "$RESULTS"

# The media tests against S3 (tests/it/media_s3.rs) use moto's S3 server,
# installed from PyPI into tests/s3/.venv; here they fail without it.
step "starting an S3-compatible server (moto)"
# shellcheck source=tests/s3/moto.sh
source tests/s3/moto.sh
start_moto
export LOGGIA_TEST_REQUIRE_S3=1
# The fault tests (tests/it/faults) fail instead of skipping without a
# tmpfs mount (a full disk) or, on PostgreSQL, their own cluster.
export LOGGIA_TEST_REQUIRE_FAULTS=1
trap 'stop_moto; rm -f "$RESULTS"' EXIT

if [[ "$which" == all || "$which" == sqlite ]]; then
    step "tests on SQLite"
    TEST_BACKEND=sqlite run_tests
    step "client libraries on SQLite"
    CLIENTS_DB=$(mktemp -d)
    run_clients "sqlite://$CLIENTS_DB/loggia.db"
    step "web UI end to end on SQLite"
    run_web "sqlite://$CLIENTS_DB/web.db"
    step "toot's integration suite and schemathesis on SQLite"
    run_conformance "sqlite://$CLIENTS_DB/toot.db" "sqlite://$CLIENTS_DB/schemathesis.db"
    rm -rf "$CLIENTS_DB"
    step "an independent ActivityPub implementation (Fedify) federating with Loggia"
    tests/peers/fedify/run.sh "${CARGO_TARGET_DIR:-target}/debug/loggia" 2>&1 | tee -a "$RESULTS"
fi

if [[ "$which" == all || "$which" == postgres ]]; then
    step "starting a throwaway PostgreSQL"
    # shellcheck source=scripts/postgres.sh
    source scripts/postgres.sh
    start_postgres
    trap 'stop_postgres; stop_moto; rm -f "$RESULTS"' EXIT
    # A primary with a streaming replica applying commits 3 s late, for the
    # read-replica tests (tests/it/api/replica.rs), which fail without it here.
    start_postgres_replica
    # A cluster that tests/it/faults/database.rs stops and starts again.
    start_postgres_faults
    step "tests on PostgreSQL ($TEST_POSTGRES_URL; replica $TEST_POSTGRES_REPLICA_URL)"
    TEST_BACKEND=postgres TEST_REQUIRE_REPLICA=1 run_tests
    stop_postgres_replica
    stop_postgres_faults
    step "client libraries on PostgreSQL"
    run_clients "$(create_database clients)"
    step "web UI end to end on PostgreSQL"
    run_web "$(create_database web)"
    step "toot's integration suite and schemathesis on PostgreSQL"
    run_conformance "$(create_database toot)" "$(create_database schemathesis)"
    step "benchmark harness, reduced size (checks that it runs, not how fast)"
    BENCH_WORK=$(mktemp -d)
    scripts/bench.sh --smoke --loggia "${CARGO_TARGET_DIR:-target}/debug/loggia" \
        --postgres "$TEST_POSTGRES_URL" --work "$BENCH_WORK"
    rm -rf "$BENCH_WORK"
fi

# The parsers of what other servers and users send, fuzzed for a bounded
# time each (scripts/fuzz.sh, docs/fuzzing.md); they touch no database.
if [[ "$which" == all ]]; then
    step "fuzzing the parsers (20 s per target)"
    scripts/fuzz.sh 20
fi

step "all tests passed"
# Totals of cargo test, pytest, node --test and vitest together.
awk '
    { gsub(/\033\[[0-9;]*m/, "") }
    /^test result:/ { p += $4; f += $6; i += $8 }
    /^[0-9]+ (passed|failed).* in [0-9.]+s/ {
        for (n = 1; n < NF; n++) {
            if ($(n + 1) ~ /^passed/) p += $n
            if ($(n + 1) ~ /^failed/) f += $n
            if ($(n + 1) ~ /^(skipped|xfailed)/) i += $n
        }
    }
    /^# pass [0-9]+$/ { p += $3 }
    /^# fail [0-9]+$/ { f += $3 }
    /^# skipped [0-9]+$/ { i += $3 }
    /^ +Tests  +[0-9]+ (passed|failed|skipped|todo)/ {
        for (n = 2; n < NF; n++) {
            if ($(n + 1) ~ /^passed/) p += $n
            if ($(n + 1) ~ /^failed/) f += $n
            if ($(n + 1) ~ /^(skipped|todo)/) i += $n
        }
    }
    END { printf "%d passed, %d failed, %d skipped\n", p, f, i }' "$RESULTS"
