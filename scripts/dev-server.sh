#!/usr/bin/env bash
# A throwaway Loggia for working on the web UI: port $1 (default 3000),
# SQLite under $TMPDIR/loggia-dev/PORT, users alice (admin), bob and carol
# with the password "password-123456". Build first: cargo build and
# npm --prefix frontend run build (debug binaries read frontend/dist live).
set -euo pipefail
PORT=${1:-3000}
DIR=${TMPDIR:-/tmp}/loggia-dev/$PORT
mkdir -p "$DIR"
export LOGGIA_DOMAIN=localhost:$PORT LOGGIA_PROTOCOL=http LOGGIA_LISTEN=127.0.0.1:$PORT LOGGIA_DATABASE_URL=sqlite://$DIR/loggia.db LOGGIA_MEDIA_DIR=$DIR/media LOGGIA_LOG_LEVEL=warn
BIN=${LOGGIA_BIN:-$(cd "$(dirname "$0")/.." && pwd)/target/debug/loggia}
for u in alice:admin bob:user carol:user; do
  name=${u%%:*}; role=${u##*:}
  echo password-123456 | "$BIN" admin create-user --username $name --email $name@example.com --role $role --password-stdin >/dev/null 2>&1 || true
done
cd "$DIR" && exec "$BIN" serve
