#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL cluster for tests. Source it, then
# call start_postgres (exports TEST_POSTGRES_URL) and stop_postgres.
# As root, the cluster runs as the unprivileged `postgres` user.

PG_TMP=""
PG_BIN=""
PG_PORT=""

find_pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [[ -z "$dir" && -x "$(command -v pg_ctl 2>/dev/null)" ]]; then
        dir=$(dirname "$(command -v pg_ctl)")
    fi
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        echo "error: PostgreSQL server binaries (initdb, pg_ctl) not found." >&2
        echo "       Install them (Debian: apt-get install postgresql) or run .ci/run, which does." >&2
        return 1
    fi
    PG_BIN="$dir"
}

as_pg_user() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_postgres() {
    find_pg_bin || return 1
    PG_TMP=$(mktemp -d /tmp/loggia-pg.XXXXXX)
    if [[ $(id -u) -eq 0 ]]; then
        if ! id postgres >/dev/null 2>&1; then
            useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
        fi
        chown postgres: "$PG_TMP"
    fi
    local port
    port=$(free_port)
    as_pg_user "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_TMP/initdb.log" 2>&1 \
        || { cat "$PG_TMP/initdb.log" >&2; return 1; }
    as_pg_user "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/data/server.log" -w -t 60 \
        -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null \
        || { cat "$PG_TMP/data/server.log" >&2; return 1; }
    PG_PORT=$port
    export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

# Creates a database in the running cluster; prints its URL.
create_database() {
    as_pg_user "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$1"
    echo "${TEST_POSTGRES_URL%/postgres}/$1"
}

stop_postgres() {
    if [[ -n "$PG_TMP" && -d "$PG_TMP/data" ]]; then
        as_pg_user "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
    fi
}
