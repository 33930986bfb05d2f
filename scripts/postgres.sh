#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL cluster for tests. Source it, then
# call start_postgres (exports TEST_POSTGRES_URL) and stop_postgres.
# start_postgres_replica starts a second, small primary with a streaming hot
# standby that applies commits REPLICA_APPLY_DELAY late (exports
# TEST_POSTGRES_REPLICA_PRIMARY_URL and TEST_POSTGRES_REPLICA_URL);
# stop_postgres stops them too.
# start_postgres_faults starts one more small cluster that the fault tests
# stop and start again (exports TEST_POSTGRES_FAULTS_URL, its data directory
# TEST_POSTGRES_FAULTS_DATA and TEST_POSTGRES_BIN); stop_postgres stops it.
# As root, the cluster runs as the unprivileged `postgres` user.
# PG_SETTINGS replaces start_postgres's server options (tests turn
# durability off for speed; the benchmarks keep PostgreSQL's defaults).

PG_TMP=""
PG_BIN=""
PG_PORT=""
PG_REPLICA_TMP=""
PG_FAULTS_TMP=""
# How late the replica applies each commit: long enough that the tests see
# it behind, short enough that they can wait for it.
REPLICA_APPLY_DELAY="${REPLICA_APPLY_DELAY:-3s}"

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
        -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 ${PG_SETTINGS:--c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300}" \
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

# A pair for the read-replica tests: a primary and a hot standby of it,
# copied with pg_basebackup and kept up to date by streaming replication
# (initdb's pg_hba.conf already trusts replication from 127.0.0.1). The pair
# is its own cluster, apart from start_postgres's, so that the standby does
# not copy every database of the whole test run.
start_postgres_replica() {
    find_pg_bin || return 1
    PG_REPLICA_TMP=$(mktemp -d /tmp/loggia-pg-replica.XXXXXX)
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$PG_REPLICA_TMP"
    fi
    local dir=$PG_REPLICA_TMP primary replica
    primary=$(free_port)
    as_pg_user "$PG_BIN/initdb" -D "$dir/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    as_pg_user "$PG_BIN/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 \
        -o "-p $primary -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=100 -c wal_level=replica" \
        start >/dev/null \
        || { cat "$dir/primary.log" >&2; return 1; }
    as_pg_user "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres \
        -D "$dir/replica" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 \
        || { cat "$dir/basebackup.log" >&2; return 1; }
    # A hot standby needs at least the primary's max_connections.
    replica=$(free_port)
    as_pg_user "$PG_BIN/pg_ctl" -D "$dir/replica" -l "$dir/replica.log" -w -t 60 \
        -o "-p $replica -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100 -c hot_standby=on -c hot_standby_feedback=on -c recovery_min_apply_delay=$REPLICA_APPLY_DELAY" \
        start >/dev/null \
        || { cat "$dir/replica.log" >&2; return 1; }
    export TEST_POSTGRES_REPLICA_PRIMARY_URL="postgres://postgres@127.0.0.1:$primary/postgres"
    export TEST_POSTGRES_REPLICA_URL="postgres://postgres@127.0.0.1:$replica/postgres"
}

stop_postgres_replica() {
    if [[ -n "$PG_REPLICA_TMP" && -d "$PG_REPLICA_TMP" ]]; then
        local data
        for data in replica primary; do
            if [[ -d "$PG_REPLICA_TMP/$data" ]]; then
                as_pg_user "$PG_BIN/pg_ctl" -D "$PG_REPLICA_TMP/$data" -m immediate -w stop >/dev/null 2>&1 || true
            fi
        done
        rm -rf "$PG_REPLICA_TMP"
        PG_REPLICA_TMP=""
    fi
}

# A cluster of its own for tests that take PostgreSQL down (tests/it/faults):
# restarting the shared one would break the tests running beside them. Its
# settings are in postgresql.conf, so a plain `pg_ctl start` brings it back
# as it was.
start_postgres_faults() {
    find_pg_bin || return 1
    PG_FAULTS_TMP=$(mktemp -d /tmp/loggia-pg-faults.XXXXXX)
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$PG_FAULTS_TMP"
    fi
    local dir=$PG_FAULTS_TMP port
    port=$(free_port)
    as_pg_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    printf '%s\n' "port = $port" "unix_socket_directories = '$dir'" "listen_addresses = '127.0.0.1'" \
        "fsync = off" "synchronous_commit = off" "max_connections = 50" \
        | as_pg_user tee -a "$dir/data/postgresql.conf" >/dev/null
    as_pg_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; return 1; }
    export TEST_POSTGRES_FAULTS_URL="postgres://postgres@127.0.0.1:$port/postgres"
    export TEST_POSTGRES_FAULTS_DATA="$dir/data"
    export TEST_POSTGRES_BIN="$PG_BIN"
}

stop_postgres_faults() {
    if [[ -n "$PG_FAULTS_TMP" && -d "$PG_FAULTS_TMP" ]]; then
        as_pg_user "$PG_BIN/pg_ctl" -D "$PG_FAULTS_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_FAULTS_TMP"
        PG_FAULTS_TMP=""
    fi
}

stop_postgres() {
    stop_postgres_replica
    stop_postgres_faults
    if [[ -n "$PG_TMP" && -d "$PG_TMP/data" ]]; then
        as_pg_user "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
    fi
}
