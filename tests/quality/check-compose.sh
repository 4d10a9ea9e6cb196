#!/usr/bin/env bash
# Docker cannot run here, so check what can be checked: docker-compose.yml
# parses, every REPORTFLOW_* variable in it names a real configuration key (as
# the programs themselves judge it), and the image is built by the scripts the
# tests use. Secure by default: no port published beyond 127.0.0.1, no password
# written in the file, the sink not logging in as the superuser, our programs not
# running as root (compose and the Dockerfile's USER), a .dockerignore that keeps
# build folders, .reportflow/ and .git out of the build context and every tracked
# file in it, and the runtime image installing every library the programs link.
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

# secure by default
"$py" - "$RF_ROOT/docker-compose.yml" <<'PY' || exit 1
import re, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
services = doc["services"]
problems = []

def resolve(text):
    """A value as compose would see it with no variable set: ${X:-default} -> default."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}", lambda m: m.group(1) or "", str(text))

LOOPBACK = {"127.0.0.1", "::1", "[::1]", "localhost"}
for name, svc in services.items():
    if svc.get("network_mode") == "host":
        problems.append(f"{name}: network_mode host binds its listeners on every interface")
    for port in svc.get("ports") or []:
        if isinstance(port, dict):
            host_ip = port.get("host_ip")
        else:
            spec = resolve(port).split("/")[0]
            m = re.match(r"^(\[[^]]*\]|[^:]*):[^:]*:[^:]*$", spec)  # HOST_IP:HOST:CONTAINER
            host_ip = m.group(1) if m else None
        if host_ip not in LOOPBACK:
            problems.append(f"{name}: port {port!r} is published beyond 127.0.0.1")

SECRET_NAME = re.compile(r"PASS|PWD|SECRET|TOKEN|CREDENTIAL|API_?KEY", re.I)
INLINE = [re.compile(r"password\s*=\s*'?[^\s'&]", re.I),      # conninfo, URI query
          re.compile(r"://[^/@\s:]*:[^/@\s]+@")]                  # scheme://user:secret@host
for name, svc in services.items():
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, None) for e in env)
    for key, value in env.items():
        value = "" if value is None else str(value)
        if SECRET_NAME.search(key) and not key.endswith("_FILE") and resolve(value).strip():
            problems.append(f"{name}: {key} holds a password in the file (use a generated file: {key}_FILE)")
        if any(p.search(value) for p in INLINE):
            problems.append(f"{name}: {key} holds a password in the file")
        if key == "POSTGRES_HOST_AUTH_METHOD" and value.strip().lower() == "trust":
            problems.append(f"{name}: PostgreSQL trusts every client")
    conninfo = env.get("REPORTFLOW_PG_CONNINFO")
    if conninfo is not None:
        user = re.search(r"(?:^|\s)user\s*=\s*'?([^\s']+)", str(conninfo))
        if not user or user.group(1) == "postgres":
            problems.append(f"{name}: logs in to PostgreSQL as the superuser (or an unnamed user)")
    if "build" in svc:  # our image: our programs
        user = resolve(svc.get("user", "")).split(":")[0]
        if user in ("root", "0"):
            problems.append(f"{name}: runs our programs as root")
        if svc.get("init") is not True:
            problems.append(f"{name}: our program would be PID 1, which reaps no orphan (init: true)")
for p in problems:
    print("docker-compose.yml:", p)
sys.exit(1 if problems else 0)
PY
count=$((count + 1))

# the image's own user: the last USER of the Dockerfile (its final stage) is not root
user=$(sed -n 's/^USER[[:space:]]\+\([^[:space:]]*\).*/\1/p' "$RF_ROOT/Dockerfile" | tail -n 1)
case "${user%%:*}" in
    "" | root | 0) echo "Dockerfile: the image runs as '${user:-root}'"; exit 1 ;;
esac
count=$((count + 1))

# .dockerignore: local build folders, the stack's state and git stay out of the context;
# every tracked file goes in
"$py" - "$RF_ROOT" <<'PY' || exit 1
import os, re, subprocess, sys
root = sys.argv[1]
path = os.path.join(root, ".dockerignore")
if not os.path.exists(path):
    sys.exit(".dockerignore is missing: a local build folder and .reportflow/ would enter the image's build context")
rules = []
for line in open(path):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    neg = line.startswith("!")
    pat = os.path.normpath(line.lstrip("!").lstrip("/"))
    rx = ""
    i = 0
    while i < len(pat):  # Go's filepath.Match, as docker reads it, with ** for any folders
        if pat.startswith("**", i):
            rx += ".*"
            i += 2
        elif pat[i] == "*":
            rx += "[^/]*"
            i += 1
        elif pat[i] == "?":
            rx += "[^/]"
            i += 1
        else:
            rx += re.escape(pat[i])
            i += 1
    rules.append((neg, re.compile(rx + "$")))

def excluded(rel):
    parts = rel.split("/")
    out = False
    for neg, rx in rules:
        # a pattern excludes a path when it matches the path or a folder above it
        if any(rx.match("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            out = not neg
    return out

problems = []
for rel in ("build/CMakeCache.txt", "build-test/CMakeCache.txt", "build-release/bin/reportflow-worker",
            ".reportflow/pg.password", ".reportflow/pg.pgpass", ".reportflow/inbox/report.txt",
            ".git/config", "data/inbox/report.txt", ".env"):
    if not excluded(rel):
        problems.append(f"{rel} would enter the build context")
try:
    tracked = subprocess.run(["git", "-C", root, "ls-files"], check=True, capture_output=True,
                             text=True).stdout.split()
except (OSError, subprocess.CalledProcessError):
    tracked = []  # not a git checkout: nothing more to compare
for rel in tracked:
    if excluded(rel):
        problems.append(f"the tracked file {rel} would be left out of the build context")
for p in problems:
    print(".dockerignore:", p)
sys.exit(1 if problems else 0)
PY
count=$((count + 1))

# the runtime image installs the package of every library our programs link (on this
# Debian machine, dpkg names the package of each)
programs=$(grep -o '/src/build/bin/reportflow-[a-z]*' "$RF_ROOT/Dockerfile" | sed 's:.*/::' | sort -u)
[ -n "$programs" ] || { echo "Dockerfile copies no program"; exit 1; }
runtime=$(awk '/^FROM/ {stage = $0} stage ~ /slim/' "$RF_ROOT/Dockerfile" | tr -s ' \\' '\n')
missing=""
for b in $programs; do
    for lib in $(readelf -d "$RF_BIN/bin/$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        case "$lib" in libc.so.* | libm.so.* | libasan.so.* | libubsan.so.* | ld-linux*) continue ;; esac
        pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -n 1 | cut -d: -f1) || true
        [ -n "$pkg" ] || { echo "no Debian package holds $lib (needed by $b)"; exit 1; }
        grep -qx -- "$pkg" <<<"$runtime" || missing+=" $pkg($b: $lib)"
    done
done
[ -z "$missing" ] || { echo "Dockerfile: the runtime image lacks$missing"; exit 1; }
count=$((count + 1))
echo "$count passed, 0 failed"
