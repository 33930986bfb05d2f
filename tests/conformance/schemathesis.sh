#!/usr/bin/env bash
# Schema conformance: schemathesis (PyPI) fuzzes a live Loggia with the
# operations Loggia claims and checks every response against Mastodon's
# OpenAPI description.
#
#   tests/conformance/schemathesis.sh BIN DATABASE_URL
#
#   BIN           a built loggia binary (e.g. target/release/loggia)
#   DATABASE_URL  sqlite:///tmp/x/loggia.db or postgres://user@host:port/db
#                 (an existing database is fine: every run uses fresh users)
#
# The operations are those of tests/conformance/operations.txt, less the
# EXCLUDED ones below. The schema is the vendored
# tests/fixtures/mastodon-openapi/schema.json with the corrections of
# schema-overrides.json applied (places where it contradicts Mastodon's
# documentation and behaviour; each says why).
#
# Installs the pinned schemathesis into tests/conformance/.venv, starts
# Loggia on a free port, creates six users, signs in as the first by the
# password grant, seeds data (seed.py: statuses, a reply, favourites,
# boosts, follows, follow requests, direct messages, lists, filters, media,
# notifications) and binds the operations' ids to it, then runs
#
#   schemathesis run --checks response_schema_conformance,not_a_server_error
#
# in a bounded run (CONFORMANCE_MAX_EXAMPLES test cases per operation and
# phase, default 10): first every operation but the LAST ones, then those.
# Exits non-zero on any failure. The closing line is `N passed, N failed,
# N skipped in Ts`, counted per operation (plus one for each run's
# stateful phase), which the summing awk of scripts/test.sh reads.
#
# Knobs: CONFORMANCE_MAX_EXAMPLES, CONFORMANCE_SEED (a number, or `random`;
# fixed by default, printed either way), CONFORMANCE_ARGS
# (more arguments for `schemathesis run`), CONFORMANCE_NO_OVERRIDES=1 (the
# schema as vendored, to re-check the overrides), CONFORMANCE_SERVER_LOG_LEVEL,
# KEEP_WORK=1 (keep the server log, configuration, JUnit and HAR reports).
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BIN DATABASE_URL" >&2
    exit 2
fi
BIN=$(realpath "$1") || exit 2
DATABASE_URL=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCHEMA=$ROOT/tests/fixtures/mastodon-openapi/schema.json
VENV=$HERE/.venv
[ -x "$BIN" ] || { echo "not an executable: $BIN" >&2; exit 2; }
[ -f "$SCHEMA" ] || { echo "missing $SCHEMA" >&2; exit 2; }

# Claimed operations this check leaves out, and why. `METHOD PATH`. The
# server-sent-event streams: a successful answer never ends, so a generated
# request would hang the run (they are tested by tests/it/api/streaming.rs,
# masto in tests/clients and the web UI's tests). Nothing else: the
# destructive ones are given throwaway objects by seed.py (DELETEs,
# dismissals, follow-request decisions), block and mute aim at an account
# of their own, and POST /oauth/revoke only ever gets the credentials of a
# separate app, so it cannot revoke the run's token.
EXCLUDED=(
    "GET /api/v1/streaming/user"
    "GET /api/v1/streaming/user/notification"
    "GET /api/v1/streaming/public"
    "GET /api/v1/streaming/public/local"
    "GET /api/v1/streaming/public/remote"
    "GET /api/v1/streaming/hashtag"
    "GET /api/v1/streaming/hashtag/local"
    "GET /api/v1/streaming/list"
    "GET /api/v1/streaming/direct"
)
# Operations tested in a second run, after all the others, because they take
# away what the others need: clearing the notifications would leave
# GET /api/v1/notifications/{id} and the dismissal nothing but 404s, and
# unlocking the account (locked=false) accepts the pending follow requests
# that the authorize and reject operations are given, as Mastodon does.
LAST=(
    "POST /api/v1/notifications/clear"
    "PATCH /api/v1/accounts/update_credentials"
)

log() { printf '\n=== %s\n' "$*"; }
started=$(date +%s)

# --- dependencies ----------------------------------------------------------
log "schemathesis (venv: $VENV)"
stamp=$(cat "$HERE/requirements.txt" "$HERE/constraints.txt" | sha256sum | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" || exit 1
fi
if [ "$(cat "$VENV/.loggia-stamp" 2>/dev/null)" != "$stamp" ]; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        -r "$HERE/requirements.txt" -c "$HERE/constraints.txt" || exit 1
    echo "$stamp" > "$VENV/.loggia-stamp"
else
    echo "up to date"
fi

# --- server ----------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loggia-conformance.XXXXXX")
PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE_URL=http://127.0.0.1:$PORT
# shellcheck source=tests/lib/server.sh
source "$HERE/../lib/server.sh"
server_traps

# The server refuses unknown LOGGIA_* variables: give it exactly its
# settings. A contact address, as a real instance has: without one Loggia,
# like Mastodon, publishes "" where the schema wants an e-mail address.
server_env=(env "${loggia_unset[@]}"
    LOGGIA_DOMAIN="localhost:$PORT"
    LOGGIA_PROTOCOL=http
    LOGGIA_LISTEN="127.0.0.1:$PORT"
    LOGGIA_DATABASE_URL="$DATABASE_URL"
    LOGGIA_MEDIA_DIR="$WORK/media"
    LOGGIA_CONTACT_EMAIL="admin@acme.example"
    LOGGIA_REGISTRATIONS=open
    LOGGIA_EMAIL_CONFIRMATION=false
    LOGGIA_SIGN_UP_MAX_PER_ADDRESS=0
    # A suite makes thousands of requests with few tokens: the limits stay on
    # (clients read the X-RateLimit-* headers) but are far away.
    LOGGIA_RATE_LIMIT_API_PER_TOKEN="100000/5m"
    LOGGIA_RATE_LIMIT_API_PER_IP="100000/5m"
    LOGGIA_RATE_LIMIT_POSTS="100000/5m"
    LOGGIA_RATE_LIMIT_MEDIA_UPLOADS="100000/5m"
    LOGGIA_LOG_LEVEL="${CONFORMANCE_SERVER_LOG_LEVEL:-warn}")
loggia() {
    (cd "$WORK" && "${server_env[@]}" "$BIN" "$@")
}

log "Users"
RUN_ID=$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 6)
users_json="{"
sep=
for key in a b c d e f; do
    name="sm_${key}_${RUN_ID}"
    email="${name}@acme.example"
    password="Conformance ${RUN_ID} ${key} pw"
    loggia admin create-user --username "$name" --email "$email" --password "$password" --role user \
        > "$WORK/create-$key.log" 2>&1 || { cat "$WORK/create-$key.log"; exit 1; }
    users_json+="$sep\"$key\": {\"username\": \"$name\", \"email\": \"$email\", \"password\": \"$password\"}"
    sep=", "
done
users_json+="}"
echo "created 6 users with suffix _$RUN_ID"

log "Starting Loggia at $BASE_URL ($DATABASE_URL)"
# `exec`, so that $! is the server itself and the cleanup stops it.
(cd "$WORK" && exec "${server_env[@]}" "$BIN" serve) > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_healthy "$PORT"

# --- operations, schema, data ----------------------------------------------
OPS=$WORK/operations
grep -v '^[[:space:]]*#' "$HERE/operations.txt" | awk 'NF' > "$OPS.all"
: > "$OPS.main"
: > "$OPS.last"
while read -r method path status; do
    run=main
    for op in ${EXCLUDED[@]+"${EXCLUDED[@]}"}; do [ "$op" = "$method $path" ] && run=; done
    for op in "${LAST[@]}"; do [ "$op" = "$method $path" ] && run=last; done
    [ -z "$run" ] || echo "$method $path $status" >> "$OPS.$run"
done < "$OPS.all"
cat "$OPS.main" "$OPS.last" > "$OPS.tested"
echo "$(wc -l < "$OPS.tested") of $(wc -l < "$OPS.all") claimed operations under test (${#EXCLUDED[@]} excluded)"

SCHEMA_RUN=$WORK/schema.json
if [ "${CONFORMANCE_NO_OVERRIDES:-}" = 1 ]; then
    log "Schema: $SCHEMA, as it is (CONFORMANCE_NO_OVERRIDES=1)"
    cp "$SCHEMA" "$SCHEMA_RUN"
else
    log "Schema: $SCHEMA, corrected by schema-overrides.json"
    "$VENV/bin/python" "$HERE/tools.py" patch-schema "$SCHEMA" "$HERE/schema-overrides.json" "$SCHEMA_RUN" || exit 1
fi

log "Seeding data"
CONFIG=$WORK/schemathesis.toml
"$VENV/bin/python" "$HERE/seed.py" "$BASE_URL" "$users_json" "$OPS.tested" "$CONFIG" > "$WORK/seed.json" || exit 1
echo "seeded: $(cut -c1-200 "$WORK/seed.json")…"

# --- schemathesis ----------------------------------------------------------
# A fixed seed by default, so that a run is repeatable (near enough: two
# workers interleave) and CI does not fail at random on a rare input;
# CONFORMANCE_SEED=random explores.
SEED=${CONFORMANCE_SEED:-20261123}
[ "$SEED" != random ] || SEED=$(( (RANDOM << 15) | RANDOM ))
REPORTS=$WORK/reports
mkdir -p "$REPORTS"
st_rc=0
# run_schemathesis NAME OPERATIONS_FILE [ARGS...]
run_schemathesis() {
    local name=$1 ops=$2 include=() method path
    shift 2
    while read -r method path _; do include+=(--include-name "$method $path"); done < "$ops"
    [ ${#include[@]} -gt 0 ] || return 0
    log "schemathesis $("$VENV/bin/schemathesis" --version | awk '{print $NF}'), $name run: $(wc -l < "$ops") operations (seed $SEED, ${CONFORMANCE_MAX_EXAMPLES:-10} examples per operation and phase)"
    # shellcheck disable=SC2086 # CONFORMANCE_ARGS is a list of words
    (cd "$WORK" && "$VENV/bin/schemathesis" --config-file "$CONFIG" run "$SCHEMA_RUN" \
        --url "$BASE_URL" \
        "${include[@]}" \
        --checks response_schema_conformance,not_a_server_error \
        --max-examples "${CONFORMANCE_MAX_EXAMPLES:-10}" \
        --seed "$SEED" \
        --workers 2 \
        --request-timeout 20 \
        --no-color \
        --output-sanitize false \
        --output-truncate false \
        --report junit,har \
        --report-junit-path "$REPORTS/junit-$name.xml" \
        --report-har-path "$REPORTS/$name.har" \
        "$@" ${CONFORMANCE_ARGS:-}) || st_rc=1
}
run_schemathesis main "$OPS.main"
# No stateful phase: it needs links between the run's operations.
run_schemathesis last "$OPS.last" --phases examples,coverage,fuzzing

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "Loggia died during the run:"; tail -50 "$WORK/server.log"; exit 1
fi
if [ $st_rc -ne 0 ]; then
    echo "--- last lines of the server log ---"
    tail -20 "$WORK/server.log"
fi
log "Result"
"$VENV/bin/python" "$HERE/tools.py" coverage "$OPS.tested" "$REPORTS"/*.har
"$VENV/bin/python" "$HERE/tools.py" summary "$(( $(date +%s) - started ))" "$REPORTS"/junit-*.xml || st_rc=1
exit $st_rc
