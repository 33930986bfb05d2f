#!/usr/bin/env bash
# Runs tests/clients/run.sh BIN against a throw-away PostgreSQL cluster.
#
#   tests/clients/run-postgres.sh BIN
#
# Needs the PostgreSQL server binaries (PG_BIN, default: the newest
# /usr/lib/postgresql/*/bin) and, when run as root, a `postgres` system user
# to own the cluster. The cluster lives in a temp dir, listens on a free
# port on 127.0.0.1 only, trusts local connections, and is stopped and
# removed on exit.
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 BIN" >&2
    exit 2
fi
BIN=$(realpath "$1") || exit 2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server binaries (set PG_BIN)" >&2; exit 2; }

PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/loggia-clients-pg.XXXXXX")
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
[ "$(id -u)" = 0 ] && chown postgres: "$PGDIR"
PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PGUSER=$([ "$(id -u)" = 0 ] && echo postgres || id -un)

cleanup() {
    local rc=$?
    as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop > /dev/null 2>&1
    rm -rf "$PGDIR"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$PG_BIN/initdb" -D "$PGDIR/data" --auth=trust -U "$PGUSER" > "$PGDIR/initdb.log" 2>&1 \
    || { cat "$PGDIR/initdb.log"; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w \
    -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null \
    || { cat "$PGDIR/postgres.log"; exit 1; }
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER" loggia || exit 1

"$HERE/run.sh" "$BIN" "postgres://$PGUSER@127.0.0.1:$PGPORT/loggia"
