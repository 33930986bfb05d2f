#!/usr/bin/env bash
# Loggia's benchmarks (docs/benchmarks.md): builds the harness (bench/) and
# runs it. Without --postgres (or BENCH_POSTGRES_URL) it starts a PostgreSQL
# of its own with the server's default durability (fsync and synchronous
# commit on) and stops it afterwards.
#
#   scripts/bench.sh                 the full run: builds loggia in release,
#                                    1M statuses, both databases, ~1 hour;
#                                    report in target/bench/report/
#   scripts/bench.sh --smoke --loggia target/debug/loggia
#                                    CI's reduced run: checks that the
#                                    harness works, not the timings
#   scripts/bench.sh --only timeline --reps 1    (see loggia-bench --help)
#   scripts/bench.sh --reuse --backends postgres --only startup --soak 30
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
for arg in "$@"; do
    # The smoke run measures nothing: a debug harness saves a release build.
    [[ "$arg" == --smoke ]] && profile=dev
done
cargo build --locked --quiet --profile "$profile" -p loggia-bench
dir=$([[ $profile == dev ]] && echo debug || echo release)
harness="${CARGO_TARGET_DIR:-target}/$dir/loggia-bench"

if [[ -z "${BENCH_POSTGRES_URL:-}" && ! " $* " =~ " --postgres " ]]; then
    # shellcheck source=scripts/postgres.sh
    source scripts/postgres.sh
    PG_SETTINGS="-c shared_buffers=1GB -c max_connections=100" start_postgres
    trap stop_postgres EXIT
    export BENCH_POSTGRES_URL="$TEST_POSTGRES_URL"
fi
"$harness" --require-postgres "$@"
