#!/usr/bin/env bash
# The Debian package on a clean Debian (issue 23): in a fresh bookworm root made by
# debootstrap (minbase), apt installs scripts/package.sh's .deb with its dependencies from
# Debian's mirror (the Depends line is complete); the programs, the units, the reportflow user
# and /etc/reportflow/reportflow.conf (root:reportflow, 640) are in place; the installed
# worker, run in the root as its unit runs it (ExecStart=, Environment=, User=, Group=), reads
# a seed from the test stack's Kafka and writes its envelope, which the stack's sink stores;
# an upgrade to a higher version (the same package repacked, its default configuration
# changed) keeps the admin's edit of the conffile, the data in /var/lib/reportflow and the
# user; remove keeps the configuration and the data; purge removes the configuration (the data
# and the user stay, as postrm says). Needs root (debootstrap, chroot, mount) and debootstrap
# (scripts/setup.sh --slow); skips (77) without them. The base root is cached as a tarball
# under ${XDG_CACHE_HOME:-~/.cache}/reportflow/ (a first run fetches it: minutes).
source "$(dirname "$0")/lib.sh"
passed=0
suite=bookworm
# the host's mirrors (/etc/apt/sources.list.d/debian.sources)
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
[ "$(id -u)" = 0 ] || { echo "not root: debootstrap, chroot and mount need root"; exit 77; }
command -v debootstrap >/dev/null ||
    { echo "debootstrap is not installed: run scripts/setup.sh --slow"; exit 77; }

root=$TEST_STATE/root
cache_tmp=
# Processes whose root is inside the chroot, killed; its mounts unmounted (lazily if busy);
# then the root removed, never across a mount (a root still mounted is moved out of the test's
# folder). Runs before lib.sh's cleanup, which removes the test's folder.
teardown_root() {
    [ -d "$root" ] || return 0
    local p r m left
    for p in /proc/[0-9]*; do
        r=$(readlink "$p/root" 2>/dev/null) || continue
        case "$r" in "$root" | "$root"/*) kill -9 "${p#/proc/}" 2>/dev/null || true ;; esac
    done
    mounts_under_root() { awk -v r="$root" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo | sort -r; }
    for m in $(mounts_under_root); do
        umount "$m" 2>/dev/null || umount -l "$m" || true
    done
    left=$(mounts_under_root)
    if [ -n "$left" ]; then
        # out of the test's folder, which lib.sh's cleanup removes (rm -rf would cross them)
        mv "$root" "/tmp/rf-stale-root.$$" &&
            echo "teardown: still mounted, the root is left at /tmp/rf-stale-root.$$: $left" >&2
        return 1
    fi
    rm -rf --one-file-system "$root"
}
finish() {
    local rc=$?
    set +e
    teardown_root || rc=1
    [ -z "$cache_tmp" ] || rm -f "$cache_tmp"
    cleanup "$rc" # lib.sh's
}
trap finish EXIT
# a signal, too, goes through finish: no mount is left behind
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# in_root COMMAND...: COMMAND in the chroot, as root, with a clean environment
in_root() {
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}
# copy_in FILE: FILE into the root's /tmp, readable by apt's unprivileged download user
copy_in() { cp "$1" "$root/tmp/" && chmod 0644 "$root/tmp/$(basename "$1")"; }
installed_count() { in_root dpkg-query -W -f "\${db:Status-Abbrev}\n" | grep -c '^ii'; }
owner_mode() { in_root stat -c '%U:%G %a' "$1"; }
programs="reportflow-producer reportflow-worker reportflow-sink reportflow-lag reportflow-topics
    reportflow-reprocess reportflow-report reportflow-extract reportflow-eval reportflow-officetext"
units="reportflow-producer.service reportflow-worker@.service reportflow-sink.service"
conf=/etc/reportflow/reportflow.conf

# 1. the package
t=$SECONDS
deb=$("$RF_ROOT/scripts/package.sh" "$TEST_STATE/build-deb") || fail "scripts/package.sh failed"
[ -f "$deb" ] || fail "no package: '$deb'"
version=$(dpkg-deb -f "$deb" Version)
echo "figure: package built in $((SECONDS - t)) s: $(basename "$deb"), $(stat -c %s "$deb") bytes"

# 2. a clean Debian root, from the cache or from debootstrap
t=$SECONDS
arch=$(dpkg --print-architecture)
cache_dir=${XDG_CACHE_HOME:-$HOME/.cache}/reportflow
cache=$cache_dir/debootstrap-$suite-$arch-minbase.tar.gz
mkdir -p "$root"
if [ -s "$cache" ]; then
    tar -C "$root" --numeric-owner -xpzf "$cache" 2>"$TEST_STATE/untar.err" ||
        fail "cannot unpack the cached root $cache (remove it to make it again):\n$(tail -3 "$TEST_STATE/untar.err")"
    how="unpacked from $cache"
else
    debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$TEST_STATE/debootstrap.out" 2>&1 ||
        fail "debootstrap $suite from $mirror failed:\n$(tail -5 "$TEST_STATE/debootstrap.out")"
    mkdir -p "$cache_dir"
    # the root as debootstrap left it, written whole or not at all
    cache_tmp=$(mktemp "$cache.tmp.XXXXXX")
    tar -C "$root" --numeric-owner -czf "$cache_tmp" . || fail "cannot write the cache $cache_tmp"
    mv -f "$cache_tmp" "$cache"
    cache_tmp=
    how="debootstrap from $mirror, cached in $cache"
fi
[ -x "$root/usr/bin/apt-get" ] || fail "the root of $suite has no apt-get"
echo "figure: clean $suite root ($arch, minbase) in $((SECONDS - t)) s: $how"

# 3. ready for apt and dpkg: names resolve, /proc and /dev/pts, no service may start; then the install
t=$SECONDS
rm -f "$root/etc/resolv.conf"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
# apt logs the terminal's output through a pty (a devpts of the root's own)
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
printf '#!/bin/sh\n# 9004-package-chroot: start no service in this root\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
in_root apt-get update -q >"$TEST_STATE/apt-update.out" 2>&1 ||
    fail "apt-get update in the root failed:\n$(tail -5 "$TEST_STATE/apt-update.out")"
before=$(installed_count)
copy_in "$deb"
# without Recommends (LibreOffice, tesseract: hundreds of MB); Depends alone must be enough
in_root apt-get install -y --no-install-recommends "/tmp/$(basename "$deb")" >"$TEST_STATE/apt-install.out" 2>&1 ||
    fail "apt-get install of the package in a clean $suite root failed:\n$(tail -15 "$TEST_STATE/apt-install.out")"
pulled=$(($(installed_count) - before - 1))
echo "figure: installed in $((SECONDS - t)) s (apt-get update included); apt pulled in $pulled packages besides reportflow"
pass "apt-get install ./$(basename "$deb") in a clean $suite root: its $pulled dependencies came from Debian"
passed=$((passed + 1))

# 4. what the install put in place
t=$SECONDS
for p in $programs; do
    [ -x "$root/usr/bin/$p" ] || fail "not installed: /usr/bin/$p"
done
for u in $units; do
    [ -f "$root/usr/lib/systemd/system/$u" ] || fail "not installed: /usr/lib/systemd/system/$u"
done
[ "$(owner_mode $conf)" = "root:reportflow 640" ] || fail "$conf is '$(owner_mode $conf)', want 'root:reportflow 640'"
user=$(in_root getent passwd reportflow) || fail "the postinst made no reportflow user"
uid=$(cut -d: -f3 <<<"$user")
[ "$uid" -lt 1000 ] || fail "reportflow is no system user: $user"
gid=$(in_root getent group reportflow | cut -d: -f3) || fail "no reportflow group"
[ -n "$gid" ] || fail "no reportflow group"
[ "$(owner_mode /var/lib/reportflow)" = "root:root 755" ] ||
    fail "the user's home /var/lib/reportflow is '$(owner_mode /var/lib/reportflow)', want 'root:root 755' (as the units' StateDirectory= makes it)"
if said=$(grep -i 'adduser.*warning' "$TEST_STATE/apt-install.out"); then
    fail "the postinst's adduser warned:\n$said"
fi
# the programs load with Debian's libraries and read the installed configuration and rule sets
seed=$(echo "$RF_ROOT"/examples/reports/000_*.txt)
cp "$seed" "$root/tmp/seed.txt"
family=$(in_root env REPORTFLOW_CONFIG=$conf reportflow-extract /tmp/seed.txt 2>"$TEST_STATE/extract.err" |
    envelope_family) ||
    fail "the installed reportflow-extract failed:\n$(tail -5 "$TEST_STATE/extract.err")"
[ "$family" = cn-emergency-rule-of-law ] || fail "the installed reportflow-extract read the seed as '$family'"
echo "figure: install checked in $((SECONDS - t)) s"
pass "installed: $(wc -w <<<"$programs") programs in /usr/bin, the 3 units, $conf root:reportflow 640, user $user; reportflow-extract reads a seed (family $family)"
passed=$((passed + 1))

# 5. the installed worker, as its unit runs it, against the stack's Kafka; the stack's sink
t=$SECONDS
stack up 0 >/dev/null
stack_env
BROKER=$(cat "$REPORTFLOW_BROKER_ADDRESS_FILE")
unit=$root/usr/lib/systemd/system/reportflow-worker@.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
unit_env=$(sed -n 's/^Environment=//p' "$unit" | tr '\n' ' ')
unit_user=$(sed -n 's/^User=//p' "$unit")
unit_group=$(sed -n 's/^Group=//p' "$unit")
[ "${exec_start:0:1}" = / ] || fail "the worker's unit has no plain ExecStart=: '$exec_start'"
[ "$unit_user:$unit_group" = reportflow:reportflow ] || fail "the worker's unit runs as '$unit_user:$unit_group'"
read -ra cmd <<<"$exec_start"
read -ra envs <<<"$unit_env"
grep -q '^kafka\.bootstrap\.servers=' "$root$conf" || fail "$conf names no kafka.bootstrap.servers"
# (numeric: chroot(1) would look the names up on the host)
chroot --userspec="$uid:$gid" "$root" /usr/bin/env -i PATH=/usr/bin:/bin "${envs[@]}" "${cmd[@]}" \
    -X "kafka.bootstrap.servers=$BROKER" >"$TEST_STATE/chroot-worker.log" 2>&1 &
worker_pid=$!
doc_id=$(sha256sum "$seed" | cut -d' ' -f1)
drop "$seed"
wait_for 120 "the seed in documents, extracted by the chroot's worker" doc_count_is 1 ||
    fail "documents: $(q 'SELECT count(*) FROM documents'); the chroot's worker said:\n$(tail -5 "$TEST_STATE/chroot-worker.log")"
keys=$(topic_keys reports.events | tr '\n' ' ')
[ "$keys" = "$doc_id " ] || fail "reports.events has keys '$keys', want the seed's id $doc_id"
family=$(kcat -b "$BROKER" -C -t reports.events -e -q -c 1 -f '%s' |
    envelope_family)
[ "$family" = cn-emergency-rule-of-law ] || fail "the chroot's worker read the seed as '$family'"
row=$(q "SELECT doc_id, report_family FROM documents")
[ "$row" = "$doc_id|$family" ] || fail "documents holds '$row', want '$doc_id|$family'"
uid_seen=$(awk '/^Uid:/ {print $2}' "/proc/$worker_pid/status" 2>/dev/null) ||
    fail "the chroot's worker is gone:\n$(tail -5 "$TEST_STATE/chroot-worker.log")"
[ "$uid_seen" = "$uid" ] || fail "the chroot's worker runs as uid $uid_seen, not reportflow's $uid"
kill -TERM "$worker_pid"
worker_gone() { ! kill -0 "$worker_pid" 2>/dev/null; }
wait_for 30 "the chroot's worker to stop on SIGTERM" worker_gone
wait "$worker_pid" || fail "the chroot's worker exited $? on SIGTERM:\n$(tail -5 "$TEST_STATE/chroot-worker.log")"
stack down >/dev/null
echo "figure: worker run in $((SECONDS - t)) s (the stack's start included)"
pass "the installed worker, run as its unit says (uid $uid, $conf), wrote the seed's envelope (key $doc_id, family $family); the sink stored it"
passed=$((passed + 1))

# 6. upgrade to a higher version: the package repacked, its default configuration changed
t=$SECONDS
new_version=$version+9004
dpkg --compare-versions "$new_version" gt "$version" || fail "$new_version is not above $version"
repack=$TEST_STATE/repack
dpkg-deb -R "$deb" "$repack"
sed -i "s/^Version: .*/Version: $new_version/" "$repack/DEBIAN/control"
echo "# a default of $new_version" >>"$repack$conf"
if [ -f "$repack/DEBIAN/md5sums" ]; then
    (cd "$repack" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | sort | xargs md5sum >DEBIAN/md5sums)
fi
new_deb=$TEST_STATE/reportflow_${new_version}_$arch.deb
dpkg-deb --root-owner-group -b "$repack" "$new_deb" >/dev/null || fail "dpkg-deb -b of the repacked package failed"
# the admin's edit, and data the units would have made (done/ is the producer's)
echo "# edited by the admin (9004)" >>"$root$conf"
mkdir -p "$root/var/lib/reportflow/done"
echo "a report sent" >"$root/var/lib/reportflow/done/sent.txt"
chown -R "$uid:$gid" "$root/var/lib/reportflow/done"
copy_in "$new_deb"
in_root apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "/tmp/$(basename "$new_deb")" >"$TEST_STATE/apt-upgrade.out" 2>&1 ||
    fail "the upgrade to $new_version failed:\n$(tail -15 "$TEST_STATE/apt-upgrade.out")"
now=$(in_root dpkg-query -W -f "\${Version}" reportflow)
[ "$now" = "$new_version" ] || fail "after the upgrade reportflow is at '$now', want $new_version"
grep -qx "# edited by the admin (9004)" "$root$conf" || fail "the upgrade lost the admin's edit of $conf"
grep -qx "# a default of $new_version" "$root$conf.dpkg-dist" ||
    fail "the new version's configuration is not beside the admin's as $conf.dpkg-dist"
[ "$(owner_mode $conf)" = "root:reportflow 640" ] || fail "after the upgrade $conf is '$(owner_mode $conf)'"
[ -f "$root/var/lib/reportflow/done/sent.txt" ] || fail "the upgrade removed /var/lib/reportflow/done/sent.txt"
[ "$(in_root getent passwd reportflow)" = "$user" ] || fail "the upgrade changed the user: '$(in_root getent passwd reportflow)'"
in_root reportflow-worker --print-config >/dev/null || fail "the upgraded reportflow-worker does not run"
echo "figure: upgrade $version -> $new_version in $((SECONDS - t)) s"
pass "upgrade $version -> $new_version: the admin's $conf kept (the new one as .dpkg-dist), root:reportflow 640; the data and the user kept"
passed=$((passed + 1))

# 7. remove, then purge
t=$SECONDS
in_root apt-get remove -y reportflow >"$TEST_STATE/apt-remove.out" 2>&1 ||
    fail "apt-get remove reportflow failed:\n$(tail -10 "$TEST_STATE/apt-remove.out")"
for p in $programs; do
    [ ! -e "$root/usr/bin/$p" ] || fail "removed, yet /usr/bin/$p is still there"
done
for u in $units; do
    [ ! -e "$root/usr/lib/systemd/system/$u" ] || fail "removed, yet the unit $u is still there"
done
grep -qx "# edited by the admin (9004)" "$root$conf" || fail "remove took the admin's $conf"
[ -f "$root/var/lib/reportflow/done/sent.txt" ] || fail "remove took the data in /var/lib/reportflow"
status=$(in_root dpkg-query -W -f "\${db:Status-Abbrev}" reportflow)
[ "${status% }" = rc ] || fail "after remove dpkg says '$status', want rc (removed, configuration kept)"
pass "remove: the programs and units gone; $conf and /var/lib/reportflow kept"
passed=$((passed + 1))
in_root dpkg --purge reportflow >"$TEST_STATE/dpkg-purge.out" 2>&1 ||
    fail "dpkg --purge reportflow failed:\n$(tail -10 "$TEST_STATE/dpkg-purge.out")"
[ ! -e "$root/etc/reportflow" ] || fail "purged, yet /etc/reportflow holds: $(ls -A "$root/etc/reportflow")"
status=$(in_root dpkg-query -W -f "\${db:Status-Abbrev}" reportflow 2>/dev/null) || status=
case "$status" in "" | un* | pn*) ;; *) fail "purged, yet dpkg says reportflow is '$status'" ;; esac
[ -f "$root/var/lib/reportflow/done/sent.txt" ] || fail "purge took the data in /var/lib/reportflow (postrm says it stays)"
in_root getent passwd reportflow >/dev/null || fail "purge removed the user (postrm says it stays)"
echo "figure: remove and purge in $((SECONDS - t)) s"
pass "purge: /etc/reportflow gone; /var/lib/reportflow and the user stay (they may own data)"
passed=$((passed + 1))
echo "$passed passed, 0 failed"
