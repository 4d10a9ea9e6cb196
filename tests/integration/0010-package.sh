#!/usr/bin/env bash
# The Debian package (issue 23): scripts/package.sh builds it for /usr; it names the Debian
# libraries it links (dpkg-shlibdeps) and the converters it calls, marks the configuration a
# conffile, carries the maintainer scripts that make the units' user, and apt resolves its
# dependencies on this Debian without installing anything. Its payload's programs, rule sets
# and configuration work as unpacked. The host's packages are not to be touched by a test:
# installing, running, upgrading, removing and purging it in a clean Debian root (debootstrap)
# is tests/integration/9004-package-chroot.sh (slow).
source "$(dirname "$0")/lib.sh"
deb=$("$RF_ROOT/scripts/package.sh" "$TEST_STATE/build-deb") || fail "scripts/package.sh failed"
[ -f "$deb" ] || fail "no package: '$deb'"
info=$(dpkg-deb -I "$deb")
for want in "Package: reportflow" "librdkafka1" "libpq5" "libjansson4" "libpcre2-8-0" "poppler-utils" "adduser"; do
    grep -q "$want" <<<"$info" || fail "the package's control has no '$want':\n$info"
done
[ "$(dpkg-deb -f "$deb" Package)" = reportflow ] || fail "not the reportflow package"
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)
[ "$conffiles" = /etc/reportflow/reportflow.conf ] || fail "conffiles: '$conffiles'"
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst >"$TEST_STATE/postinst"
sh -n "$TEST_STATE/postinst" || fail "the postinst is no shell script"
grep -q 'adduser --system' "$TEST_STATE/postinst" || fail "the postinst makes no system user"
pass "$(basename "$deb"): Depends $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | wc -l) packages (the libraries by dpkg-shlibdeps), conffile /etc/reportflow/reportflow.conf, a postinst that makes the user"

apt-get install --simulate --no-install-recommends "$deb" >"$TEST_STATE/apt.out" 2>&1 ||
    fail "apt cannot resolve the package's dependencies on this system:\n$(tail -5 "$TEST_STATE/apt.out")"
grep -q '^Inst reportflow' "$TEST_STATE/apt.out" || fail "apt would not install reportflow:\n$(tail -5 "$TEST_STATE/apt.out")"
pass "apt resolves its dependencies from Debian (apt-get install --simulate)"

payload=$TEST_STATE/payload
dpkg-deb -x "$deb" "$payload"
[ -f "$payload/etc/reportflow/reportflow.conf" ] && [ -f "$payload/usr/lib/systemd/system/reportflow-worker@.service" ] ||
    fail "the payload lacks /etc/reportflow/reportflow.conf or the units:\n$(dpkg-deb -c "$deb" | grep -E 'etc|systemd')"
grep -qx 'worker.rules=/usr/share/reportflow/rules' "$payload/etc/reportflow/reportflow.conf" ||
    fail "the packaged configuration does not name /usr/share/reportflow/rules"
family=$(REPORTFLOW_CONFIG="$payload/etc/reportflow/reportflow.conf" "$payload/usr/bin/reportflow-extract" \
    -X "worker.rules=$payload/usr/share/reportflow/rules" "$RF_ROOT"/examples/reports/000_* |
    envelope_family)
[ "$family" = cn-emergency-rule-of-law ] || fail "the packaged extractor read the seed as '$family'"
pass "the packaged reportflow-extract, configuration and rule sets read a seed (family $family)"
