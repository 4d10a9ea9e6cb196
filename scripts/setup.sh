#!/usr/bin/env bash
# Install the Debian packages reportflow needs to build, test and run; skip what is there.
#   setup.sh            what building, the test build, the local stack and the demo need
#   setup.sh --test     also what only some tests need: chromium (0008 renders the lag page),
#                       strace (1021); scripts/test.sh runs this
#   setup.sh --slow     also what only the slow suite needs: clang and libFuzzer (9001),
#                       iptables (9003), debootstrap (9004); scripts/test.sh --slow runs this
# No test installs anything: a test whose tool is missing skips (exit 77) and names the flag.
# It starts no service: apt starts the service of what it installs (Debian's postgresql
# would run its own cluster on port 5432, prometheus an unauthenticated server on *:9090),
# and reportflow needs neither (scripts/pg.sh runs a private cluster on 127.0.0.1, the
# tests their own Prometheus). While apt installs, a policy-rc.d (Debian's switch for
# invoke-rc.d and deb-systemd-invoke) forbids starting services, unless one is in place
# already; then the services of the packages this run installed are stopped and kept
# from starting at boot. Services installed before are left as they are.
set -euo pipefail

want_test=0 want_slow=0
for arg in "$@"; do
    case "$arg" in
        --test) want_test=1 ;;
        --slow) want_slow=1 ;;
        *) echo "usage: setup.sh [--test] [--slow]" >&2; exit 2 ;;
    esac
done

packages=(
    gcc make cmake pkg-config
    librdkafka-dev libjansson-dev libpcre2-dev libpq-dev libmicrohttpd-dev libcmocka-dev libssl-dev libxml2-dev libseccomp-dev libzip-dev
    postgresql kcat python3 python3-jsonschema python3-yaml clang-format
    prometheus
    poppler-utils libreoffice-writer-nogui # PDF and word-processor documents (extract/convert.c)
    tesseract-ocr tesseract-ocr-chi-sim    # scanned PDF pages (OCR)
)
if [ "$want_test" = 1 ]; then
    packages+=(chromium strace) # chromium: about 250 MB to download with its dependencies
    packages+=(dpkg-dev) # the Debian package (cpack: dpkg-shlibdeps)
    packages+=(fonts-wqy-zenhei qpdf img2pdf) # Chinese glyphs for the PDFs tests/quality/formats.sh
                                              # makes, an encrypted one, and scans of them
fi
if [ "$want_slow" = 1 ]; then
    packages+=(clang libclang-rt-14-dev)
    packages+=(iproute2 iptables) # the hosts of the multi-host test and their faults (9003)
    packages+=(debootstrap) # a clean Debian root for the package (9004)
fi
# a real Apache Kafka for the stack and the tests (scripts/kafka.sh); RF_SETUP_KAFKA=0 skips it
# (an image that talks to a Kafka elsewhere)
kafka=${RF_SETUP_KAFKA:-1}
if [ "$kafka" = 1 ]; then
    packages+=(default-jre-headless maven)
fi
# package -> the services it brings that must not run
declare -A quiet=([postgresql]=postgresql [prometheus]=prometheus)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
fi

policy=/usr/sbin/policy-rc.d
policy_text='#!/bin/sh
# written by reportflow scripts/setup.sh while it installs packages: start no service
exit 101'
policy_ours=0

# Our policy-rc.d goes, if it is still ours: never a file someone else put there.
remove_policy() {
    [ "$policy_ours" = 1 ] || return 0
    if [ ! -L "$policy" ] && [ -f "$policy" ] && [ "$(cat "$policy")" = "$policy_text" ]; then
        "${sudo_cmd[@]}" rm -f "$policy"
    fi
    policy_ours=0
}

forbid_service_starts() {
    if [ -e "$policy" ] || [ -L "$policy" ]; then
        return 0 # one is in place (Docker's images ship one): it decides
    fi
    local tmp
    tmp=$(mktemp)
    printf '%s\n' "$policy_text" >"$tmp"
    chmod 0755 "$tmp"
    trap remove_policy EXIT
    # a new name, then a rename: never a write through a link planted at the path
    "${sudo_cmd[@]}" install -m 0755 -o root -g root "$tmp" "$policy.rf-new"
    "${sudo_cmd[@]}" mv -T "$policy.rf-new" "$policy"
    rm -f "$tmp"
    policy_ours=1
}

# stop_and_disable SERVICE: not running now, not started at boot
stop_and_disable() {
    local svc=$1
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        "${sudo_cmd[@]}" systemctl disable --now "$svc.service" >/dev/null 2>&1 || true
        return
    fi
    if command -v service >/dev/null; then
        "${sudo_cmd[@]}" service "$svc" stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null; then
        "${sudo_cmd[@]}" update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
}

# the services of what this run installed: stopped, and off at boot; Debian's own
# PostgreSQL cluster (made by the install) set to start by hand only
quiet_new_services() {
    local p conf
    for p in "${missing[@]}"; do
        [ -n "${quiet[$p]:-}" ] || continue
        stop_and_disable "${quiet[$p]}"
        if [ "$p" = postgresql ]; then
            for conf in /etc/postgresql/*/*/start.conf; do
                [ -f "$conf" ] && [ ! -L "$conf" ] || continue
                if command -v pg_ctlcluster >/dev/null; then
                    local dir ver name
                    dir=$(dirname "$conf")
                    ver=$(basename "$(dirname "$dir")")
                    name=$(basename "$dir")
                    # from /: pg_ctlcluster runs pg_ctl as postgres, who may not enter this folder
                    (cd / && "${sudo_cmd[@]}" pg_ctlcluster "$ver" "$name" stop) >/dev/null 2>&1 || true
                fi
                printf 'manual\n' | "${sudo_cmd[@]}" tee "$conf" >/dev/null
            done
        fi
        echo "setup: ${quiet[$p]} (installed with $p) is stopped and will not start at boot"
    done
}

install_missing() {
    if [ ${#missing[@]} -eq 0 ]; then
        echo "setup: all ${#packages[@]} packages present"
        return
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    forbid_service_starts
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    remove_policy
    quiet_new_services
    echo "setup: done"
}

install_missing
# Kafka's jars, once, from Maven Central (cached outside the source tree)
if [ "$kafka" = 1 ]; then
    "$(dirname "$0")/kafka.sh" fetch
fi
