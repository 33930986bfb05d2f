#!/usr/bin/env bash
# End-to-end tests of Loggia's web UI: Playwright drives Debian's Chromium
# through the app served by a running Loggia binary.
#
#   tests/web/run.sh BIN DATABASE_URL [FILE.test.mjs…]
#
#   BIN           a built loggia binary (debug binaries serve frontend/dist
#                 from disk, release binaries embed it: build the frontend
#                 before either)
#   DATABASE_URL  instance A's database: sqlite:///tmp/x/loggia.db or
#                 postgres://user@host:port/db (an existing database is fine:
#                 every run uses fresh users)
#   FILE…         only these test files (names in tests/web), default all
#
# Runs `npm ci` in tests/web, starts two Loggia instances on free ports (A on
# DATABASE_URL, B — a partner company — on a fresh SQLite file), creates the
# users, runs `node --test` on tests/web/*.test.mjs one file at a time, stops
# both servers and exits non-zero if anything failed. Screenshots go to
# docs/screenshots (WEB_SCREENSHOTS overrides it).
set -uo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 BIN DATABASE_URL [FILE.test.mjs…]" >&2
    exit 2
fi
BIN=$(realpath "$1") || exit 2
DATABASE_URL=$2
shift 2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
[ -x "$BIN" ] || { echo "not an executable: $BIN" >&2; exit 2; }

log() { printf '\n=== %s\n' "$*"; }

# --- prerequisites -----------------------------------------------------------
CHROMIUM=${WEB_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
    echo "Chromium not found at $CHROMIUM: install Debian's package (apt-get install chromium)" >&2
    exit 2
fi
if [ ! -f "$ROOT/frontend/dist/index.html" ]; then
    echo "frontend/dist/index.html is missing:" \
        "build the frontend first: npm --prefix frontend ci && npm --prefix frontend run build" >&2
    exit 2
fi

log "Node packages (playwright-core, axe-core)"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || exit 1

# --- servers -----------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loggia-web.XXXXXX")
# shellcheck source=tests/lib/server.sh
source "$HERE/../lib/server.sh"
free_port() {
    node -e 'const s = require("net").createServer();
        s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# server.sh's trap stops one server (SERVER_PID = A); B is stopped here first.
B_PID=
stop_both() {
    local rc=$?
    if [ -n "$B_PID" ] && kill -0 "$B_PID" 2>/dev/null; then
        kill -TERM "$B_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$B_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$B_PID" 2>/dev/null
        wait "$B_PID" 2>/dev/null
    fi
    (exit $rc)
    stop_server
}
trap stop_both EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT_A=$(free_port) || exit 1
PORT_B=$(free_port) || exit 1
while [ "$PORT_B" = "$PORT_A" ]; do PORT_B=$(free_port) || exit 1; done
mkdir -p "$WORK/a" "$WORK/b"

# The server refuses unknown LOGGIA_* variables: give each instance exactly
# its settings, nothing inherited, and none of the suite's variables.
# `loggia_env NAME PORT DATABASE_URL` prints nothing; it fills `server_env`.
loggia_env() {
    server_env=(env "${loggia_unset[@]}" -u WEB_A_URL -u WEB_B_URL -u WEB_USERS -u WEB_SCREENSHOTS -u WEB_ARTIFACTS
        LOGGIA_DOMAIN="localhost:$2"
        LOGGIA_PROTOCOL=http
        LOGGIA_LISTEN="127.0.0.1:$2"
        LOGGIA_DATABASE_URL="$3"
        LOGGIA_MEDIA_DIR="$WORK/$1/media"
        LOGGIA_ALLOW_PRIVATE_NETWORKS=true
        # A suite makes thousands of requests with few tokens: the limits stay on
        # (clients read the X-RateLimit-* headers) but are far away.
        LOGGIA_RATE_LIMIT_API_PER_TOKEN="100000/5m"
        LOGGIA_RATE_LIMIT_API_PER_IP="100000/5m"
        LOGGIA_RATE_LIMIT_POSTS="100000/5m"
        LOGGIA_RATE_LIMIT_MEDIA_UPLOADS="100000/5m"
        LOGGIA_LOG_LEVEL="${WEB_SERVER_LOG_LEVEL:-warn}")
}
# `loggia a|b ARGS…` runs the CLI against instance A or B.
loggia() {
    local name=$1
    shift
    if [ "$name" = a ]; then loggia_env a "$PORT_A" "$DATABASE_URL"; else loggia_env b "$PORT_B" "sqlite://$WORK/b/loggia.db"; fi
    (cd "$WORK/$name" && "${server_env[@]}" "$BIN" "$@")
}
wait_up() {
    local name=$1 port=$2 pid=$3
    for _ in $(seq 150); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "Loggia $name exited during start-up:"; cat "$WORK/$name/server.log"; exit 1
        fi
        sleep 0.2
    done
    echo "Loggia $name did not become healthy"; cat "$WORK/$name/server.log"; exit 1
}

log "Starting Loggia A at http://localhost:$PORT_A ($DATABASE_URL) and B at http://localhost:$PORT_B (SQLite)"
# `exec`, so that the PID is the server itself and the cleanup stops it.
loggia_env a "$PORT_A" "$DATABASE_URL"
(cd "$WORK/a" && exec "${server_env[@]}" "$BIN" serve) > "$WORK/a/server.log" 2>&1 &
SERVER_PID=$!
loggia_env b "$PORT_B" "sqlite://$WORK/b/loggia.db"
(cd "$WORK/b" && exec "${server_env[@]}" "$BIN" serve) > "$WORK/b/server.log" 2>&1 &
B_PID=$!
wait_up a "$PORT_A" "$SERVER_PID"
wait_up b "$PORT_B" "$B_PID"

# --- users -------------------------------------------------------------------
log "Users"
RUN_ID=$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 6)
# key:instance:role — the tests refer to users by key (see README.md).
USERS=(admin:a:admin reviewer:a:reviewer employee:a:user colleague:a:user partner:b:user mover:a:user)
users_json="{"
sep=
for spec in "${USERS[@]}"; do
    IFS=: read -r key instance role <<< "$spec"
    name="web_${key}_${RUN_ID}"
    if [ "$instance" = a ]; then port=$PORT_A; else port=$PORT_B; fi
    email="${name}@acme.example"
    password="Web tests ${RUN_ID} ${key} pw"
    printf '%s\n' "$password" | loggia "$instance" admin create-user --username "$name" --email "$email" \
        --role "$role" --password-stdin > "$WORK/create-$key.log" 2>&1 || { cat "$WORK/create-$key.log"; exit 1; }
    users_json+="$sep\"$key\": {\"username\": \"$name\", \"email\": \"$email\", \"password\": \"$password\","
    users_json+=" \"role\": \"$role\", \"url\": \"http://localhost:$port\", \"acct\": \"$name@localhost:$port\"}"
    sep=", "
done
users_json+="}"
echo "created ${#USERS[@]} users with suffix _$RUN_ID"

# --- tests -------------------------------------------------------------------
SCREENSHOTS=${WEB_SCREENSHOTS:-$ROOT/docs/screenshots}
mkdir -p "$SCREENSHOTS" || exit 1
if [ $# -gt 0 ]; then
    files=()
    for f in "$@"; do files+=("$HERE/$(basename "$f")"); done
else
    files=("$HERE"/*.test.mjs)
fi
log "Web UI suite: playwright-core $(cd "$HERE" && node -p 'require("./node_modules/playwright-core/package.json").version'), $("$CHROMIUM" --version 2>/dev/null), ${#files[@]} files"
(cd "$HERE" && env WEB_A_URL="http://localhost:$PORT_A" WEB_B_URL="http://localhost:$PORT_B" \
    WEB_USERS="$users_json" WEB_SCREENSHOTS="$SCREENSHOTS" WEB_CHROMIUM="$CHROMIUM" \
    WEB_ARTIFACTS="$WORK/failures" FORCE_COLOR=0 \
    node --test --test-concurrency=1 --test-timeout=120000 --test-reporter=tap ${WEB_NODE_TEST_ARGS:-} "${files[@]}")
rc=$?

for pair in a:$SERVER_PID b:$B_PID; do
    if ! kill -0 "${pair#*:}" 2>/dev/null; then
        echo "Loggia ${pair%%:*} died during the tests:"; tail -50 "$WORK/${pair%%:*}/server.log"; rc=1
    fi
done
if [ $rc -ne 0 ]; then
    echo "--- last lines of the server logs ---"
    tail -n 20 "$WORK/a/server.log" "$WORK/b/server.log"
    exit 1
fi
exit 0
