#!/usr/bin/env bash
# A private PostgreSQL cluster under a state folder, from Debian's server binaries.
#   pg.sh start STATE_DIR   init (first time) and start; prints the connection string
#   pg.sh stop STATE_DIR
#   pg.sh status STATE_DIR
# As root the server runs as the 'postgres' user (runuser); otherwise as you.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop|status STATE_DIR}
state=$(mkdir -p "${2:?state dir}" && cd "$2" && pwd)
data=$state/pg/data
sock=$state/pg/sock
conninfo_file=$state/pg.conninfo

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg.sh: no PostgreSQL server binaries (run scripts/setup.sh)" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    local p
    for p in $(seq 54320 54420); do
        if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo "pg.sh: no free port in 54320-54420" >&2
    exit 1
}

running() {
    [ -f "$data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start() {
    mkdir -p "$state/pg" "$sock"
    if [ "$(id -u)" -eq 0 ]; then
        # the server runs as 'postgres': it must be able to enter the state folder
        chmod a+x "$state"
        chown postgres:postgres "$state/pg" "$sock"
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$state/pg/initdb.log" 2>&1 \
            || { cat "$state/pg/initdb.log" >&2; exit 1; }
    fi
    if running; then
        cat "$conninfo_file"
        return
    fi
    local port=""
    # a restarted cluster keeps its port, so connection strings handed out stay valid
    if [ -f "$conninfo_file" ]; then
        port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$conninfo_file")
        if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
            port=""
        fi
    fi
    [ -n "$port" ] || port=$(free_port)
    as_owner "$bindir/pg_ctl" -D "$data" -l "$state/pg/server.log" -w -t 60 \
        -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null \
        || { tail -20 "$state/pg/server.log" >&2; exit 1; }
    local conninfo="host=127.0.0.1 port=$port user=postgres dbname=reportflow connect_timeout=5"
    if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'reportflow'" | grep -q 1; then
        "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres reportflow
    fi
    echo "$conninfo" >"$conninfo_file"
    echo "$conninfo"
}

stop() {
    if running; then
        as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    status) if running; then echo "running: $(cat "$conninfo_file")"; else echo "stopped"; exit 1; fi ;;
    *) echo "usage: pg.sh start|stop|status STATE_DIR" >&2; exit 2 ;;
esac
