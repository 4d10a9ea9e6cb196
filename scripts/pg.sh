#!/usr/bin/env bash
# A private PostgreSQL cluster for a state folder, from Debian's server binaries.
#   pg.sh start STATE_DIR     init (first time) and start; prints the connection string
#   pg.sh stop STATE_DIR
#   pg.sh status STATE_DIR
#   pg.sh destroy STATE_DIR   stop and delete the cluster's files (wherever they are)
# Secure by default: a generated password (scram-sha-256, no 'trust' in pg_hba) kept in
# STATE_DIR/pg.password (mode 0600), and a libpq password file STATE_DIR/pg.pgpass (0600)
# named by the connection string (passfile=), so the string itself holds no secret; the
# socket directory is the server user's alone (0700). No password is ever an argument of
# a command (every user sees arguments in ps): psql reads it from stdin or a file.
# As root the server runs as the 'postgres' user (runuser), and every command as that user
# runs from / (with absolute paths): the caller's folder may be closed to it (a checkout in
# /root), and PostgreSQL's programs would say "could not change directory" on stderr.
# Its files stay under STATE_DIR/pg when 'postgres' can reach that; otherwise (a checkout inside a 0700 home,
# such as /root) they go to /var/lib/reportflow/<hash of STATE_DIR>, owned by postgres,
# mode 0700. STATE_DIR/pg.home records where they are.
# Root working in a checkout another user can write to follows no link planted there:
# each file pg.sh keeps in STATE_DIR (pg.password, pg.pgpass, pg.conninfo, pg.home) must
# be a regular file of its own user (a new one is written under an unguessable name,
# created exclusively, then renamed into place); the cluster's folder must be a real
# folder (not a link) of the server's user at one of the two places above (a pg.home
# naming anything else is refused, so 'destroy' removes nothing else). Anything else
# stops pg.sh with the path to remove.
# RF_PG_ADDRESS=ADDRESS and RF_PG_CLIENTS=CIDR (tests of several hosts, tests/integration/hosts.sh,
# run pg.sh inside the database host's network namespace): the server listens on ADDRESS too, the
# connection string names it, and pg_hba.conf lets CIDR in with the same password (scram-sha-256).
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
me=$(id -u)

die() { echo "pg.sh: $*" >&2; exit 1; }

# as_postgres CMD...: CMD as the server's user, from / (see above)
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

as_owner() {
    if is_root; then
        as_postgres "$@"
    else
        "$@"
    fi
}

# the user of the cluster's files: postgres when root runs the server through it
owner_uid() { if is_root; then id -u postgres; else echo "$me"; fi; }

# check_own_file PATH: PATH is absent, or a regular file (not a link) of this user
check_own_file() {
    local f=$1
    [ ! -L "$f" ] || die "$f is a symbolic link, not a file pg.sh made; remove it"
    if [ -e "$f" ] && { [ ! -f "$f" ] || [ "$(stat -c %u -- "$f")" != "$me" ]; }; then
        die "$f is not a regular file of user $(id -un) (pg.sh did not make it); remove it"
    fi
}

# read_own PATH: the content of a file pg.sh made (nothing when it is absent)
read_own() {
    check_own_file "$1"
    [ ! -e "$1" ] || cat -- "$1"
}

# write_own PATH: stdin into PATH, mode 0600, through a new file created exclusively
# under an unguessable name (set -C: O_EXCL, which follows no link) and a rename (which
# replaces the name, never writes through it)
write_own() {
    local f=$1 tmp
    check_own_file "$f"
    tmp=$(dirname -- "$f")/.pg-new.$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    (umask 077 && set -C && cat >"$tmp") || die "cannot write $tmp"
    mv -T -- "$tmp" "$f" || { rm -f -- "$tmp"; die "cannot replace $f"; }
}

# check_home_dir PATH: PATH is absent, or a real folder (not a link) of the server's user
check_home_dir() {
    local d=$1
    [ ! -L "$d" ] || die "$d is a symbolic link, not the folder pg.sh made; remove it"
    if [ -e "$d" ] && { [ ! -d "$d" ] || [ "$(stat -c %u -- "$d")" != "$(owner_uid)" ]; }; then
        die "$d is not a folder of the server's user (pg.sh did not make it); remove it"
    fi
}

# make_home_dir PATH: the cluster's folder, made 0700 from the start (mkdir refuses any
# existing name, a link included) and given to postgres with chown -h (never through a link)
make_home_dir() {
    local d=$1
    check_home_dir "$d"
    if [ ! -e "$d" ]; then
        mkdir -m 0700 -- "$d"
        if is_root; then
            chown -h postgres:postgres -- "$d"
        fi
    fi
    check_home_dir "$d"
}

# the folder under /var/lib/reportflow for this state folder
shared_home() { echo "/var/lib/reportflow/$(printf '%s' "$state" | sha256sum | cut -c1-16)"; }

# /var/lib/reportflow: root's, writable by root alone, not a link
check_shared_parent() {
    local p=/var/lib/reportflow
    if [ ! -e "$p" ] && [ ! -L "$p" ]; then
        mkdir -m 0755 -- "$p"
    fi
    if [ -L "$p" ] || [ ! -d "$p" ] || [ "$(stat -c %u -- "$p")" != 0 ] ||
        [ $((8#$(stat -c %a -- "$p") & 8#022)) -ne 0 ]; then
        die "$p is not a folder of root's alone (a link, or writable by others); remove it"
    fi
}

# where pg.home says the files are: one of the two places pg.sh uses, nothing else
read_home() {
    local h
    h=$(read_own "$home_file")
    if [ "$h" != "$state/pg" ] && [ "$h" != "$(shared_home)" ]; then
        die "$home_file names '$h', not a folder pg.sh makes ($state/pg or $(shared_home)); remove it"
    fi
    if [ "$h" != "$state/pg" ]; then
        check_shared_parent
    fi
    echo "$h"
}

# where the server's files live: STATE_DIR/pg, or a folder 'postgres' can reach
choose_home() {
    if [ -e "$home_file" ] || [ -L "$home_file" ]; then
        read_home
        return
    fi
    local home=$state/pg
    if is_root; then
        chmod a+x "$state" # the server must enter the state folder (not list it)
    fi
    make_home_dir "$home"
    if is_root && ! as_postgres test -w "$home" 2>/dev/null; then
        # a folder above the state folder is closed to 'postgres' (e.g. /root is 0700)
        home=$(shared_home)
        check_shared_parent
        make_home_dir "$home"
        as_postgres test -w "$home" || {
            echo "pg.sh: the postgres user can reach neither $state/pg nor $home;" \
                "put the state folder (RF_STATE) where postgres can enter" >&2
            exit 1
        }
    fi
    echo "$home" | write_own "$home_file"
    echo "$home"
}

if [ "$cmd" = start ]; then
    home=$(choose_home)
elif [ -e "$home_file" ] || [ -L "$home_file" ]; then
    home=$(read_home)
else
    home=$state/pg
fi
check_home_dir "$home"
data=$home/data
sock=$home/sock
server_log=$home/server.log

# A free port of 25432-25531, searched from one that depends on the state folder, so
# clusters of different folders (tests running side by side) rarely want the same one:
# a cluster restarted while its port was taken by another must move, and clients that
# hold its connection string lose it. Below the kernel's ephemeral range (32768 on): a
# port there can be a client's outgoing one, free to connect to but not to bind (a test
# failed so: "could not bind ... Address already in use" on 54384).
free_port() {
    local first i p
    first=$(( 0x$(printf '%s' "$state" | sha256sum | cut -c1-4) % 100 ))
    for i in $(seq 0 99); do
        p=$(( 25432 + (first + i) % 100 ))
        if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo "pg.sh: no free port in 25432-25531" >&2
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
    local pw
    pw=$(read_own "$password_file")
    if [ -z "$pw" ]; then
        pw=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
        printf '%s' "$pw" | write_own "$password_file"
    fi
    # any port: the cluster keeps its port, but may have to move to a free one
    # and any host: the cluster's connection string names 127.0.0.1 or RF_PG_ADDRESS, whichever
    # the start that made it was given
    printf '*:*:*:postgres:%s\n' "$pw" | write_own "$pgpass"
}

# RF_PG_CLIENTS: let that network in (once), by password like loopback
allow_clients() {
    [ -n "${RF_PG_CLIENTS:-}" ] || return 0
    [[ "$RF_PG_CLIENTS" =~ ^[0-9.]+/[0-9]+$ ]] || die "RF_PG_CLIENTS: '$RF_PG_CLIENTS' is not an IPv4 CIDR"
    local line="host all all $RF_PG_CLIENTS scram-sha-256"
    as_owner grep -qxF "$line" "$data/pg_hba.conf" ||
        printf '%s\n' "$line" | as_owner sh -c 'cat >>"$1"' sh "$data/pg_hba.conf"
}

init_cluster() {
    local pwfile=$home/.initdb-pw log
    read_own "$password_file" | as_owner sh -c 'umask 077 && cat >"$1"' sh "$pwfile"
    if ! log=$(as_owner "$bindir/initdb" -D "$data" -U postgres --auth=scram-sha-256 \
        --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 2>&1); then
        as_owner rm -f "$pwfile"
        echo "$log" >&2
        exit 1
    fi
    as_owner rm -f "$pwfile"
}

# A cluster made by an older pg.sh trusts every local user: give 'postgres' the
# password and replace 'trust' in pg_hba.conf (the server must be running). The
# statement goes to psql on stdin: an argument would show the password in ps.
secure_old_cluster() {
    local port=$1 pw
    as_owner grep -Eq '^[^#]*[[:space:]]trust[[:space:]]*$' "$data/pg_hba.conf" || return 0
    echo "pg.sh: securing a cluster made with 'trust' authentication" >&2
    pw=$(read_own "$password_file")
    [[ "$pw" =~ ^[0-9a-f]+$ ]] || die "$password_file holds no password pg.sh made; remove it"
    # printf is bash's own: the password reaches psql through the pipe, in no argument
    printf "ALTER ROLE postgres PASSWORD '%s';\n" "$pw" |
        PGPASSFILE=/dev/null "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres \
            -qAt -v ON_ERROR_STOP=1 -f - >/dev/null
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
        read_own "$conninfo_file"
        return
    fi
    local port=""
    # a restarted cluster keeps its port, so connection strings handed out stay valid
    port=$(read_own "$conninfo_file" | sed -n 's/.*port=\([0-9]*\).*/\1/p')
    if [ -n "$port" ] && (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
        port=""
    fi
    [ -n "$port" ] || port=$(free_port)
    local listen=127.0.0.1 host=127.0.0.1
    if [ -n "${RF_PG_ADDRESS:-}" ]; then
        [[ "$RF_PG_ADDRESS" =~ ^[0-9.]+$ ]] || die "RF_PG_ADDRESS: '$RF_PG_ADDRESS' is not an IPv4 address"
        listen="127.0.0.1,$RF_PG_ADDRESS" host=$RF_PG_ADDRESS
    fi
    allow_clients
    as_owner "$bindir/pg_ctl" -D "$data" -l "$server_log" -w -t 60 \
        -o "-p $port -k '$sock' -c listen_addresses=$listen -c fsync=on" start >/dev/null \
        || { as_owner tail -20 "$server_log" >&2; exit 1; }
    secure_old_cluster "$port"
    local conninfo
    conninfo="host=$host port=$port user=postgres dbname=reportflow connect_timeout=5 passfile=$(conninfo_quote "$pgpass")"
    if ! PGPASSFILE=$pgpass "$bindir/psql" -h "$host" -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'reportflow'" | grep -q 1; then
        PGPASSFILE=$pgpass "$bindir/createdb" -h "$host" -p "$port" -U postgres reportflow
    fi
    echo "$conninfo" | write_own "$conninfo_file"
    echo "$conninfo"
}

stop() {
    if running; then
        as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
}

destroy() {
    stop
    # $home is checked: $state/pg or this state folder's own folder in /var/lib/reportflow,
    # a real folder of the server's user
    if [ "$home" != "$state/pg" ]; then
        rm -rf -- "$home"
    fi
    check_home_dir "$state/pg"
    for f in "$home_file" "$conninfo_file" "$password_file" "$pgpass"; do
        check_own_file "$f"
    done
    rm -rf -- "$state/pg" "$home_file" "$conninfo_file" "$password_file" "$pgpass"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    status) if running; then echo "running: $(read_own "$conninfo_file")"; else echo "stopped"; exit 1; fi ;;
    destroy) destroy ;;
    *) echo "usage: pg.sh start|stop|status|destroy STATE_DIR" >&2; exit 2 ;;
esac
