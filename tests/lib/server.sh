# Shared by the scripts that test a running Loggia binary
# (tests/clients/run.sh, tests/conformance/*.sh). Source it, then:
#
#   WORK=…            the run's directory (server log, files)
#   server_traps      stop the server and clean WORK on exit (kept when the
#                     run failed or KEEP_WORK=1)
#   loggia_unset      `env` arguments unsetting every inherited LOGGIA_*
#                     variable (the server refuses unknown ones)
#   SERVER_PID=$!     after starting `… exec "$BIN" serve &`
#   wait_healthy PORT until /health answers, or fail with the server log

SERVER_PID=

stop_server() {
    local rc=$?
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ "${KEEP_WORK:-}" = 1 ] || [ $rc -ne 0 ]; then
        echo "server log and work files kept in $WORK"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}

server_traps() {
    trap stop_server EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

loggia_unset=()
while IFS= read -r name; do loggia_unset+=(-u "$name"); done < <(compgen -e | grep '^LOGGIA_')

wait_healthy() {
    local port=$1
    for _ in $(seq 150); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "Loggia exited during start-up:"; cat "$WORK/server.log"; exit 1
        fi
        sleep 0.2
    done
    echo "Loggia did not become healthy"; cat "$WORK/server.log"; exit 1
}
