#!/usr/bin/env bash
# A private PostgreSQL cluster for a state folder, from Debian's server binaries.
#   pg.sh start STATE_DIR     init (first time) and start; prints the connection string
#   pg.sh stop STATE_DIR
#   pg.sh status STATE_DIR
#   pg.sh destroy STATE_DIR   stop and delete the cluster's files (wherever they are)
# Secure by default: a generated password (scram-sha-256, no 'trust' in pg_hba) kept in
# STATE_DIR/pg.password (mode 0600), and a libpq password file STATE_DIR/pg.pgpass (0600)
# named by the connection string (passfile=), so the string itself holds no secret; the
# socket directory is the server user's alone (0700).
# As root the server runs as the 'postgres' user (runuser). Its files stay under
# STATE_DIR/pg when 'postgres' can reach that; otherwise (a checkout inside a 0700 home,
# such as /root) they go to /var/lib/reportflow/<hash of STATE_DIR>, owned by postgres,
# mode 0700. STATE_DIR/pg.home records where they are.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop|status|destroy STATE_DIR}
state=$(mkdir -p "${2:?state dir}" && cd "$2" && pwd)
conninfo_file=$state/pg.conninfo
password_file=$state/pg.password
pgpass=$state/pg.pgpass
home_file=$state/pg.home

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg.sh: no PostgreSQL server binaries (run scripts/setup.sh)" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

as_owner() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# where the server's files live: STATE_DIR/pg, or a folder 'postgres' can reach
choose_home() {
    if [ -f "$home_file" ]; then
        cat "$home_file"
        return
    fi
    local home=$state/pg
    mkdir -p "$home"
    chmod 0700 "$home"
    if is_root; then
        chmod a+x "$state" # the server must enter the state folder (not list it)
        chown postgres:postgres "$home"
        if ! runuser -u postgres -- test -w "$home" 2>/dev/null; then
            # a folder above the state folder is closed to 'postgres' (e.g. /root is 0700)
            home=/var/lib/reportflow/$(printf '%s' "$state" | sha256sum | cut -c1-16)
            mkdir -p "$home"
            chown postgres:postgres "$home"
            chmod 0700 "$home"
            runuser -u postgres -- test -w "$home" || {
                echo "pg.sh: the postgres user can reach neither $state/pg nor $home;" \
                    "put the state folder (RF_STATE) where postgres can enter" >&2
                exit 1
            }
        fi
    fi
    echo "$home" >"$home_file"
    echo "$home"
}

home=$(if [ "$cmd" = start ]; then choose_home; elif [ -f "$home_file" ]; then cat "$home_file"; else echo "$state/pg"; fi)
data=$home/data
sock=$home/sock
server_log=$home/server.log

# A free port of 54320-54419, searched from one that depends on the state folder, so
# clusters of different folders (tests running side by side) rarely want the same one:
# a cluster restarted while its port was taken by another must move, and clients that
# hold its connection string lose it.
free_port() {
    local first i p
    first=$(( 0x$(printf '%s' "$state" | sha256sum | cut -c1-4) % 100 ))
    for i in $(seq 0 99); do
        p=$(( 54320 + (first + i) % 100 ))
        if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo "pg.sh: no free port in 54320-54419" >&2
    exit 1
}

running() {
    [ -d "$data" ] && as_owner test -f "$data/postmaster.pid" 2>/dev/null &&
        as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# a value for a libpq connection string: single-quoted, \ and ' escaped
conninfo_quote() {
    local v=${1//\\/\\\\}
    printf "'%s'" "${v//\'/\\\'}"
}

# the password (made once, kept 0600) and the libpq password file that carries it
make_secrets() {
    (
        umask 077
        if [ ! -s "$password_file" ]; then
            od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$password_file"
        fi
        # any port: the cluster keeps its port, but may have to move to a free one
        printf '127.0.0.1:*:*:postgres:%s\n' "$(cat "$password_file")" >"$pgpass"
    )
    chmod 0600 "$password_file" "$pgpass"
}

init_cluster() {
    local pwfile=$home/.initdb-pw log
    as_owner sh -c 'umask 077 && cat >"$1"' sh "$pwfile" <"$password_file"
    if ! log=$(as_owner "$bindir/initdb" -D "$data" -U postgres --auth=scram-sha-256 \
        --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 2>&1); then
        as_owner rm -f "$pwfile"
        echo "$log" >&2
        exit 1
    fi
    as_owner rm -f "$pwfile"
}

# A cluster made by an older pg.sh trusts every local user: give 'postgres' the
# password and replace 'trust' in pg_hba.conf (the server must be running).
secure_old_cluster() {
    local port=$1
    as_owner grep -Eq '^[^#]*[[:space:]]trust[[:space:]]*$' "$data/pg_hba.conf" || return 0
    echo "pg.sh: securing a cluster made with 'trust' authentication" >&2
    PGPASSFILE=$state/.no-pgpass "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAtc \
        "ALTER ROLE postgres PASSWORD '$(cat "$password_file")'" >/dev/null
    as_owner sed -i -E 's/^([^#]*[[:space:]])trust[[:space:]]*$/\1scram-sha-256/' "$data/pg_hba.conf"
    as_owner "$bindir/pg_ctl" -D "$data" reload >/dev/null
}

start() {
    make_secrets
    as_owner mkdir -p "$sock"
    as_owner chmod 0700 "$sock"
    if ! as_owner test -f "$data/PG_VERSION"; then
        init_cluster
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
    as_owner "$bindir/pg_ctl" -D "$data" -l "$server_log" -w -t 60 \
        -o "-p $port -k '$sock' -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null \
        || { as_owner tail -20 "$server_log" >&2; exit 1; }
    secure_old_cluster "$port"
    local conninfo
    conninfo="host=127.0.0.1 port=$port user=postgres dbname=reportflow connect_timeout=5 passfile=$(conninfo_quote "$pgpass")"
    if ! PGPASSFILE=$pgpass "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'reportflow'" | grep -q 1; then
        PGPASSFILE=$pgpass "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres reportflow
    fi
    echo "$conninfo" >"$conninfo_file"
    echo "$conninfo"
}

stop() {
    if running; then
        as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
}

destroy() {
    stop
    if [ -f "$home_file" ] && [ "$home" != "$state/pg" ]; then
        rm -rf -- "$home"
    fi
    rm -rf -- "$state/pg" "$home_file" "$conninfo_file" "$password_file" "$pgpass"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    status) if running; then echo "running: $(cat "$conninfo_file")"; else echo "stopped"; exit 1; fi ;;
    destroy) destroy ;;
    *) echo "usage: pg.sh start|stop|status|destroy STATE_DIR" >&2; exit 2 ;;
esac
