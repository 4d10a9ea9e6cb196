#!/usr/bin/env bash
# The example alerting rules in config/prometheus/ are valid (promtool check
# rules) and fire on the cases they are for (promtool test rules).
set -euo pipefail
: "${RF_ROOT:?}"
command -v promtool >/dev/null || { echo "promtool missing (scripts/setup.sh installs prometheus)"; exit 77; }
cd "$RF_ROOT/config/prometheus"
promtool check rules alerts.yml
promtool test rules alerts_test.yml
