#!/usr/bin/env bash
# Black-box tests of a Loggia binary with real Mastodon client libraries.
#
#   tests/clients/run.sh BIN DATABASE_URL
#
#   BIN           a built loggia binary (e.g. target/release/loggia)
#   DATABASE_URL  sqlite:///tmp/x/loggia.db or postgres://user@host:port/db
#                 (an existing database is fine: every run uses fresh users)
#
# Installs the pinned client libraries (Python venv in tests/clients/.venv,
# npm packages in tests/clients/node/node_modules), starts Loggia on a free
# port, creates the users the suites need, runs the Python suite (pytest:
# toot and Mastodon.py) and the Node suite (node --test: masto), stops the
# server, and exits non-zero if anything failed.
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BIN DATABASE_URL" >&2
    exit 2
fi
BIN=$(realpath "$1") || exit 2
DATABASE_URL=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV=$HERE/.venv
[ -x "$BIN" ] || { echo "not an executable: $BIN" >&2; exit 2; }

log() { printf '\n=== %s\n' "$*"; }

# --- dependencies ----------------------------------------------------------
log "Python client libraries (venv: $VENV)"
stamp=$(cat "$HERE/python/requirements.txt" "$HERE/python/constraints.txt" | sha256sum | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" || exit 1
fi
if [ "$(cat "$VENV/.loggia-stamp" 2>/dev/null)" != "$stamp" ]; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        -r "$HERE/python/requirements.txt" -c "$HERE/python/constraints.txt" || exit 1
    echo "$stamp" > "$VENV/.loggia-stamp"
else
    echo "up to date"
fi

log "Node client libraries"
(
    cd "$HERE/node" || exit 1
    if [ -f package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error
    else
        npm install --no-audit --no-fund --loglevel=error
    fi
) || exit 1

# --- server ----------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loggia-clients.XXXXXX")
PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE_URL=http://localhost:$PORT
# shellcheck source=tests/lib/server.sh
source "$HERE/../lib/server.sh"
server_traps

# The server refuses unknown LOGGIA_* variables: give it exactly its settings,
# nothing inherited, and none of the suites' variables.
server_env=(env "${loggia_unset[@]}" -u CLIENTS_BASE_URL -u CLIENTS_USERS
    LOGGIA_DOMAIN="localhost:$PORT"
    LOGGIA_PROTOCOL=http
    LOGGIA_LISTEN="127.0.0.1:$PORT"
    LOGGIA_DATABASE_URL="$DATABASE_URL"
    LOGGIA_MEDIA_DIR="$WORK/media"
    # A suite makes thousands of requests with few tokens: the limits stay on
    # (clients read the X-RateLimit-* headers) but are far away.
    LOGGIA_RATE_LIMIT_API_PER_TOKEN="100000/5m"
    LOGGIA_RATE_LIMIT_API_PER_IP="100000/5m"
    LOGGIA_RATE_LIMIT_POSTS="100000/5m"
    LOGGIA_RATE_LIMIT_MEDIA_UPLOADS="100000/5m"
    LOGGIA_LOG_LEVEL="${CLIENTS_SERVER_LOG_LEVEL:-warn}")
loggia() {
    (cd "$WORK" && "${server_env[@]}" "$BIN" "$@")
}

log "Users"
RUN_ID=$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 6)
USER_KEYS=(toot_ann toot_ben mpy_alice mpy_bob mpy_carol mpy_dana mpy_erin masto_amy masto_ben masto_cy masto_sam masto_tia masto_uma)
users_json="{"
sep=
for key in "${USER_KEYS[@]}"; do
    name="${key}_${RUN_ID}"
    email="${name}@acme.example"
    password="Client tests ${RUN_ID} ${key} pw"
    loggia admin create-user --username "$name" --email "$email" --password "$password" --role user \
        > "$WORK/create-$key.log" 2>&1 || { cat "$WORK/create-$key.log"; exit 1; }
    users_json+="$sep\"$key\": {\"username\": \"$name\", \"email\": \"$email\", \"password\": \"$password\"}"
    sep=", "
done
users_json+="}"
echo "created ${#USER_KEYS[@]} users with suffix _$RUN_ID"

# The suites run in allowlist federation mode: apps must sign in and work
# exactly as usual when the instance only federates with its partners.
loggia admin domain mode allowlist > "$WORK/mode.log" 2>&1 || { cat "$WORK/mode.log"; exit 1; }
loggia admin domain allow partner.example >> "$WORK/mode.log" 2>&1 || { cat "$WORK/mode.log"; exit 1; }

log "Starting Loggia at $BASE_URL ($DATABASE_URL)"
# `exec`, so that $! is the server itself and the cleanup stops it (a
# function or a plain subshell would leave it running as an orphan).
(cd "$WORK" && exec "${server_env[@]}" "$BIN" serve) > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_healthy "$PORT"

# --- suites ----------------------------------------------------------------
log "Python suite: toot ($("$VENV/bin/toot" --version 2>/dev/null | tr -d '\n')), Mastodon.py, pytest"
env CLIENTS_BASE_URL="$BASE_URL" CLIENTS_USERS="$users_json" \
    "$VENV/bin/python" -m pytest -q --tb=short -p no:cacheprovider ${CLIENTS_PYTEST_ARGS:-} --rootdir "$HERE/python" "$HERE/python"
py_rc=$?

log "Node suite: masto $(cd "$HERE/node" && node -p 'require("./node_modules/masto/package.json").version')"
(cd "$HERE/node" && env CLIENTS_BASE_URL="$BASE_URL" CLIENTS_USERS="$users_json" node --test session.test.mjs streaming.test.mjs)
node_rc=$?

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "Loggia died during the tests:"; tail -50 "$WORK/server.log"; exit 1
fi

log "Result: python exit $py_rc, node exit $node_rc"
if [ $py_rc -ne 0 ] || [ $node_rc -ne 0 ]; then
    echo "--- last lines of the server log ---"
    tail -20 "$WORK/server.log"
    exit 1
fi
exit 0
