#!/usr/bin/env bash
# Install the Debian packages reportflow needs to build, test and run; skip what is there.
set -euo pipefail

packages=(
    gcc make cmake pkg-config
    librdkafka-dev libjansson-dev libpcre2-dev libpq-dev libmicrohttpd-dev libcmocka-dev libssl-dev libxml2-dev
    postgresql kcat python3 python3-jsonschema python3-yaml clang-format
    prometheus
)
# a real Apache Kafka for the stack and the tests (scripts/kafka.sh); RF_SETUP_KAFKA=0 skips it
# (an image that talks to a Kafka elsewhere)
kafka=${RF_SETUP_KAFKA:-1}
if [ "$kafka" = 1 ]; then
    packages+=(default-jre-headless maven)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

install_missing() {
    if [ ${#missing[@]} -eq 0 ]; then
        echo "setup: all ${#packages[@]} packages present"
        return
    fi
    echo "setup: installing ${missing[*]}"
    local sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo_cmd=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "setup: done"
}

install_missing
# Kafka's jars, once, from Maven Central (cached outside the source tree)
if [ "$kafka" = 1 ]; then
    "$(dirname "$0")/kafka.sh" fetch
fi
