#!/usr/bin/env bash
# Interoperability test of a Loggia binary with an independent ActivityPub
# implementation: a small server built on Fedify (peer.mjs).
#
#   tests/peers/fedify/run.sh BIN
#
#   BIN  a built loggia binary (e.g. target/release/loggia)
#
# Installs the pinned npm packages (tests/peers/fedify/node_modules, skipped
# when package-lock.json has not changed), starts Loggia on SQLite in a
# temporary directory and the Fedify peer on another free port, and runs
# scenario.mjs: carol@peer follows alice@loggia (WebFinger, signed Follow,
# Accept), alice posts through the Mastodon API and Loggia delivers the
# Create(Note) to carol, carol replies and alice gets the mention and sees
# the reply in the thread. Every inbox POST is signature-checked on both
# sides. Exits 0 if all of it worked.
#
# Environment: KEEP_WORK=1 keeps the temporary directory (logs, database);
# PEER_SERVER_LOG_LEVEL (Loggia's, default info,loggia=debug,tower_http=debug:
# one line per request) and PEER_LOG_LEVEL (Fedify's, default
# info; debug says why a signature was refused); PEER_TIMEOUT_S, how long to
# wait for each delivery (default 30).
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 BIN" >&2
    exit 2
fi
BIN=$(realpath "$1") || exit 2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -x "$BIN" ] || { echo "not an executable: $BIN" >&2; exit 2; }

log() { printf '\n=== %s\n' "$*"; }

# --- dependencies ----------------------------------------------------------
log "Node and the Fedify peer's npm packages"
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    echo "Node $(node --version) is too old: the Fedify peer needs Node >= 20" >&2
    exit 1
fi
stamp=$( (node --version; cat "$HERE/package.json" "$HERE/package-lock.json") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$HERE/node_modules/.loggia-stamp" 2>/dev/null)" != "$stamp" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || exit 1
    echo "$stamp" > "$HERE/node_modules/.loggia-stamp"
else
    echo "up to date"
fi
echo "node $(node --version), @fedify/fedify $(cd "$HERE" && node -p 'require("./node_modules/@fedify/fedify/package.json").version')"

# --- servers ---------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loggia-fedify.XXXXXX")
free_port() {
    node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}
PORT=$(free_port) || exit 1
PEER_PORT=$(free_port) || exit 1
while [ "$PEER_PORT" = "$PORT" ]; do PEER_PORT=$(free_port) || exit 1; done
SERVER_PID=
PEER_PID=

stop() { # PID
    local pid=$1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}
show_logs() {
    echo "--- last lines of the Loggia log ($WORK/loggia.log) ---"
    tail -n "${1:-40}" "$WORK/loggia.log" 2>/dev/null
    echo "--- last lines of the Fedify peer log ($WORK/peer.log) ---"
    tail -n "${1:-40}" "$WORK/peer.log" 2>/dev/null
}
cleanup() {
    local rc=$?
    stop "$PEER_PID"
    stop "$SERVER_PID"
    if [ "${KEEP_WORK:-}" = 1 ] || [ $rc -ne 0 ]; then
        echo "logs and work files kept in $WORK"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The server refuses unknown LOGGIA_* variables: give it exactly its settings.
unset_loggia=()
while IFS= read -r name; do unset_loggia+=(-u "$name"); done < <(compgen -e | grep '^LOGGIA_')
loggia_env=(env "${unset_loggia[@]}"
    LOGGIA_DOMAIN="localhost:$PORT"
    LOGGIA_PROTOCOL=http
    LOGGIA_LISTEN="127.0.0.1:$PORT"
    LOGGIA_DATABASE_URL="sqlite://$WORK/loggia.db"
    LOGGIA_MEDIA_DIR="$WORK/media"
    LOGGIA_ALLOW_PRIVATE_NETWORKS=true
    LOGGIA_LOG_LEVEL="${PEER_SERVER_LOG_LEVEL:-info,loggia=debug,tower_http=debug}")
loggia() { (cd "$WORK" && exec "${loggia_env[@]}" "$BIN" "$@"); }

ALICE_EMAIL=alice@acme.example
ALICE_PASSWORD='correct horse battery staple'
log "Loggia user alice ($WORK)"
loggia admin create-user --username alice --email "$ALICE_EMAIL" --password "$ALICE_PASSWORD" --role user \
    > "$WORK/create-user.log" 2>&1 || { rc=$?; cat "$WORK/create-user.log"; echo "creating alice failed (exit $rc)"; exit 1; }
echo "created alice <$ALICE_EMAIL>"

log "Starting Loggia at http://localhost:$PORT"
# Not through the function: `( ... ) &` with exec leaves the server's own PID
# in $!, where a backgrounded function would leave a shell that a kill does
# not pass on to the server.
(cd "$WORK" && exec "${loggia_env[@]}" "$BIN" serve) > "$WORK/loggia.log" 2>&1 &
SERVER_PID=$!
log "Starting the Fedify peer at http://localhost:$PEER_PORT"
(cd "$HERE" && exec env PEER_LOG_LEVEL="${PEER_LOG_LEVEL:-info}" node peer.mjs "$PEER_PORT") > "$WORK/peer.log" 2>&1 &
PEER_PID=$!

wait_up() { # NAME PID URL
    for _ in $(seq 150); do
        if curl -fsS -o /dev/null "$3" 2>/dev/null; then echo "$1 is up"; return 0; fi
        if ! kill -0 "$2" 2>/dev/null; then echo "$1 exited during start-up"; show_logs 60; return 1; fi
        sleep 0.2
    done
    echo "$1 did not answer $3 within 30 s"; show_logs 60; return 1
}
wait_up Loggia "$SERVER_PID" "http://127.0.0.1:$PORT/health" || exit 1
wait_up "the Fedify peer" "$PEER_PID" "http://127.0.0.1:$PEER_PORT/_peer/state" || exit 1

# --- scenario --------------------------------------------------------------
started=$(date +%s)
(cd "$HERE" && env SCENARIO_USER=alice SCENARIO_USER_EMAIL="$ALICE_EMAIL" SCENARIO_USER_PASSWORD="$ALICE_PASSWORD" \
    SCENARIO_TIMEOUT_S="${PEER_TIMEOUT_S:-30}" node scenario.mjs "$PORT" "$PEER_PORT")
rc=$?

for pair in "Loggia:$SERVER_PID" "the Fedify peer:$PEER_PID"; do
    if ! kill -0 "${pair##*:}" 2>/dev/null; then
        echo "${pair%:*} died during the scenario"; rc=1
    fi
done
log "Result: scenario exit $rc ($(( $(date +%s) - started )) s)"
if [ $rc -ne 0 ]; then
    show_logs 40
    exit 1
fi
exit 0
