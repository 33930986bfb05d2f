#!/usr/bin/env bash
# Starts and stops moto's S3 server for the media tests (tests/it/media_s3.rs).
# Source it, then call start_moto (exports TEST_S3_ENDPOINT) and stop_moto.
# moto comes from PyPI into tests/s3/.venv, pinned by requirements.txt and
# constraints.txt, and is reinstalled only when they change.

MOTO_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MOTO_VENV=$MOTO_HERE/.venv
MOTO_PID=""
MOTO_LOG=""

install_moto() {
    local stamp
    stamp=$(cat "$MOTO_HERE/requirements.txt" "$MOTO_HERE/constraints.txt" | sha256sum | cut -d' ' -f1)
    if [[ ! -x "$MOTO_VENV/bin/python" ]]; then
        python3 -m venv "$MOTO_VENV" || return 1
    fi
    if [[ "$(cat "$MOTO_VENV/.loggia-stamp" 2>/dev/null)" != "$stamp" ]]; then
        "$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check \
            -r "$MOTO_HERE/requirements.txt" -c "$MOTO_HERE/constraints.txt" || return 1
        echo "$stamp" > "$MOTO_VENV/.loggia-stamp"
    fi
}

start_moto() {
    install_moto || { echo "error: cannot install moto (tests/s3/requirements.txt)" >&2; return 1; }
    local port
    port=$("$MOTO_VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    MOTO_LOG=$(mktemp /tmp/loggia-moto.XXXXXX)
    "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$MOTO_LOG" 2>&1 &
    MOTO_PID=$!
    # Ready when it answers; a minute covers a cold start on a slow machine.
    if ! "$MOTO_VENV/bin/python" - "$port" <<'EOF'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/"
for _ in range(600):
    try:
        urllib.request.urlopen(url, timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
EOF
    then
        echo "error: moto did not start; its log:" >&2
        cat "$MOTO_LOG" >&2
        stop_moto
        return 1
    fi
    export TEST_S3_ENDPOINT="http://127.0.0.1:$port"
}

stop_moto() {
    if [[ -n "$MOTO_PID" ]]; then
        kill "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
        MOTO_PID=""
    fi
    if [[ -n "$MOTO_LOG" ]]; then
        rm -f "$MOTO_LOG"
        MOTO_LOG=""
    fi
}
