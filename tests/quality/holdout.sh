#!/usr/bin/env bash
# Extraction quality on reports nobody tuned on (issue 20): the labels of
# docs/labels/holdout-*.json, scored against their texts laid beside the
# project in ../holdout/texts (public text, never in the repository; the
# addresses are in the label files). Floors just under today's figures on
# holdout-1; skips (77) where the texts are absent, as on a fresh machine.
set -euo pipefail
: "${RF_BIN:?}" "${RF_ROOT:?}"
texts=${RF_HOLDOUT:-$RF_ROOT/../holdout}/texts
if [ ! -d "$texts" ]; then
    echo "holdout: $texts is absent; skipping (docs/corpus.md says how to lay it beside)" >&2
    exit 77
fi
exec "$RF_BIN/bin/reportflow-eval" \
    -X "worker.rules=$RF_ROOT/config/rules/emergency-management-annual.json" \
    --gold "$RF_ROOT/docs/labels/holdout-1.json" --dir "$texts" \
    --min-core-precision 0.95 --min-core-recall 0.85 \
    --min-all-precision 0.88 --min-all-recall 0.80 --min-agency 0.85 --min-year 0.95
