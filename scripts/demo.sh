#!/usr/bin/env bash
# The main job on the local default (a real Kafka broker and a private PostgreSQL): install,
# build, start the local stack,
# drop the sample reports into the inbox, wait until they are in PostgreSQL,
# print the summary. The stack keeps running; `scripts/stack.sh down` stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
timeout_s=${RF_DEMO_TIMEOUT:-180}

"$root/scripts/setup.sh"
echo "building..."
"$root/scripts/build.sh" release >/dev/null
"$root/scripts/stack.sh" up 2
eval "$("$root/scripts/stack.sh" env)"
state=${RF_STATE:-$root/.reportflow}
bin=$root/build

before=$("$bin/bin/reportflow-report" --count 2>/dev/null || echo 0)
# write-then-rename: the producer only takes finished files
n=0
for f in "$root"/examples/reports/*; do
    cp "$f" "$REPORTFLOW_WATCH_DIR/.$(basename "$f").part"
    mv "$REPORTFLOW_WATCH_DIR/.$(basename "$f").part" "$REPORTFLOW_WATCH_DIR/$(basename "$f")"
    n=$((n + 1))
done
echo "dropped $n report(s) into $REPORTFLOW_WATCH_DIR; waiting for them in PostgreSQL (up to ${timeout_s}s)"

# the samples are fixed, so after a first run they are already stored: wait for their ids
want_ids=$(for f in "$root"/examples/reports/*; do sha256sum "$f" | cut -c1-64; done | paste -sd, -)
psql_cmd=(psql "$REPORTFLOW_PG_CONNINFO" -tAc)
deadline=$((SECONDS + timeout_s))
shown=-1
while :; do
    have=$("${psql_cmd[@]}" "SELECT count(*) FROM documents WHERE doc_id = ANY(string_to_array('$want_ids', ','))" 2>/dev/null || echo 0)
    if [ "$have" != "$shown" ]; then
        echo "  $have/$n documents stored"
        shown=$have
    fi
    [ "$have" -ge "$n" ] && break
    if [ $SECONDS -ge $deadline ]; then
        echo
        echo "demo: only $have of $n documents arrived within ${timeout_s}s." >&2
        echo "demo: see the logs in $state/logs/ and 'scripts/stack.sh status'." >&2
        exit 1
    fi
    sleep 1
done
echo
"$bin/bin/reportflow-report"

# A report to suggest that is not stored yet: the samples are, and a file with their bytes
# is the same document (its id is the SHA-256 of the bytes), stored again in its place. The
# extraction fixtures are reports too, in other encodings.
suggest="any report not stored yet, e.g. your own: cp report.txt $REPORTFLOW_WATCH_DIR/"
for f in "$root"/tests/fixtures/extract/*/report.*; do
    id=$(sha256sum "$f" | cut -c1-64)
    if [ "$("${psql_cmd[@]}" "SELECT count(*) FROM documents WHERE doc_id = '$id'" 2>/dev/null)" = 0 ]; then
        suggest="cp $f $REPORTFLOW_WATCH_DIR/$(basename "$(dirname "$f")").${f##*.}"
        break
    fi
done
cat <<EOT

Where the data is: PostgreSQL, $REPORTFLOW_PG_CONNINFO
  psql "$REPORTFLOW_PG_CONNINFO" -c 'SELECT agency, year, key, largest FROM metric_by_agency_year ORDER BY 1, 2, 3'
  psql "$REPORTFLOW_PG_CONNINFO" -c "SELECT evidence, value FROM metrics WHERE key = 'hazards.found'"
Drop a new report:  $suggest
                    (sent once closed and unchanged for 2 s; one renamed in, at once: a slow or
                    remote writer writes it as .NAME.part in the inbox, then mv it to NAME). A
                    file with the bytes of a stored report (a sample again) is stored again in
                    its place, not as a new document: the producer's log says "stored again
                    (same content ...)".
Stack status:       scripts/stack.sh status      logs: $state/logs/
Stop everything:    scripts/stack.sh down
EOT
