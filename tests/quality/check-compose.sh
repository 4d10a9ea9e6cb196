#!/usr/bin/env bash
# Docker cannot run here, so check what can be checked: docker-compose.yml
# parses, every REPORTFLOW_* variable in it names a real configuration key (as
# the programs themselves judge it), and the image is built by the scripts the
# tests use.
set -euo pipefail
: "${RF_BIN:?}" "${RF_ROOT:?}"
py=/usr/bin/python3
"$py" -c 'import yaml' 2>/dev/null || { echo "python3-yaml missing (scripts/setup.sh installs it)"; exit 77; }
vars=$("$py" - "$RF_ROOT/docker-compose.yml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert {"kafka", "topics", "postgres", "producer", "worker", "sink", "lag"} <= set(doc["services"]), doc["services"].keys()
for name, svc in doc["services"].items():
    for key, value in (svc.get("environment") or {}).items():
        if key.startswith("REPORTFLOW_"):
            print(f"{key}={value}")
PY
)
[ -n "$vars" ] || { echo "no REPORTFLOW_ variables found"; exit 1; }
count=0
while IFS= read -r kv; do
    # the program refuses an unknown key or a bad value at start, naming it
    env -i PATH="$PATH" "$kv" REPORTFLOW_CONFIG="$RF_ROOT/config/reportflow.conf" \
        "$RF_BIN/bin/reportflow-worker" --print-config >/dev/null \
        || { echo "docker-compose.yml: $kv is not a valid reportflow setting"; exit 1; }
    count=$((count + 1))
done <<<"$vars"
grep -q 'scripts/setup.sh && scripts/build.sh release' "$RF_ROOT/Dockerfile" \
    || { echo "Dockerfile does not build with scripts/setup.sh and scripts/build.sh"; exit 1; }
# inbox, done and failed on one volume: archiving is a rename, never a copy across mounts
"$py" - "$RF_ROOT/docker-compose.yml" <<'PY' || exit 1
import sys, yaml
svc = yaml.safe_load(open(sys.argv[1]))["services"]["producer"]
env, vols = svc["environment"], svc.get("volumes", [])
dirs = [env[k] for k in ("REPORTFLOW_WATCH_DIR", "REPORTFLOW_ARCHIVE_DIR", "REPORTFLOW_FAILED_DIR")]
mounts = [v.split(":")[1] for v in vols]
owners = {next((m for m in mounts if d == m or d.startswith(m.rstrip("/") + "/")), None) for d in dirs}
if len(owners) != 1 or None in owners:
    sys.exit(f"docker-compose.yml: inbox, done and failed must share one volume, got {dirs} on {mounts}")
PY
count=$((count + 1))
echo "$count passed, 0 failed"
