#!/usr/bin/env bash
# The Debian package: a release build configured for /usr (its configuration and units name
# /usr/bin, /usr/share/reportflow, /etc/reportflow), packed by CPack. Prints the .deb's path.
#   package.sh [BUILD_DIR]     (default: build-deb)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build-deb}
log=$(mktemp /tmp/rf-package.XXXXXX)
trap 'rm -f "$log"' EXIT
if ! { cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRF_BUILD_TESTS=OFF \
        -DCMAKE_INSTALL_PREFIX=/usr &&
        cmake --build "$dir" -j"${RF_BUILD_JOBS:-$(nproc)}" &&
        (cd "$dir" && cpack -G DEB); } >"$log" 2>&1; then
    cat "$log" >&2
    echo "package.sh: building the package in $dir failed" >&2
    exit 1
fi
ls "$dir"/reportflow_*.deb
