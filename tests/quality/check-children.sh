#!/usr/bin/env bash
# One home per fact: sink/children.c (the child tables) must match the tables
# the migrations build and schema/envelope.schema.json; the "core_keys" of each
# rule set of config/rules must be the columns of its "summary_view" (report_summary
# by default). check_children applies the migrations (the sink's own code) to a
# private PostgreSQL.
set -euo pipefail
: "${RF_BIN:?}" "${RF_ROOT:?}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "no PostgreSQL server binaries (scripts/setup.sh installs them)" >&2
    exit 77
fi
state=$(mktemp -d /tmp/rf-check-children.XXXXXX)
chmod 0755 "$state"
cleanup() { "$RF_ROOT/scripts/pg.sh" destroy "$state" >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT
conninfo=$("$RF_ROOT/scripts/pg.sh" start "$state")
"$RF_BIN/bin/check_children" "$conninfo" "$RF_ROOT/schema/envelope.schema.json" \
    "$RF_ROOT/config/rules"
