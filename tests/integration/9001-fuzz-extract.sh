#!/usr/bin/env bash
# Slow suite: libFuzzer over decode + extract for RF_FUZZ_SECONDS (default 60),
# with ASan and UBSan, seeded with the sample reports, the fixtures and the
# hostile shapes (tests/hostile/make-content.py, 64 KB versions); then over a
# PDF's word boxes and the tables read from them (fuzz_pdftable.c) for half as
# long, seeded with the disclosure fixture printed to PDF; then over the sink's
# reading of envelopes (fuzz_envelope.c) for half as long, seeded with the
# seeds' envelopes. Every input
# must finish within RF_FUZZ_INPUT_TIMEOUT seconds (default 5): a 64 KB input
# takes well under a second when the work is linear, and minutes when it is not.
set -euo pipefail
: "${RF_ROOT:?run through ctest}"
seconds=${RF_FUZZ_SECONDS:-60}
if ! command -v clang >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
    echo "SKIP: clang or libFuzzer missing (scripts/setup.sh --slow installs them)"
    exit 77
fi
work=$(mktemp -d /tmp/rf-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
srcs=("$RF_ROOT"/extract/*.c
      "$RF_ROOT"/common/src/{buf,clock,fs,hex,log,sha256,utf8,vec}.c)
# shellcheck disable=SC2046
clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DRF_VERSION='"fuzz"' \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$RF_ROOT/extract" -I"$RF_ROOT/common/include" $(pkg-config --cflags jansson libpcre2-8 libxml-2.0 libcrypto libzip libseccomp) \
    "$RF_ROOT/tests/fuzz/fuzz_extract.c" "${srcs[@]}" \
    $(pkg-config --libs jansson libpcre2-8 libxml-2.0 libcrypto libzip libseccomp) -lm -o "$work/fuzz_extract"
# shellcheck disable=SC2046
clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$RF_ROOT/extract" -I"$RF_ROOT/common/include" $(pkg-config --cflags jansson libpcre2-8 libcrypto) \
    "$RF_ROOT/tests/fuzz/fuzz_pdftable.c" "$RF_ROOT"/extract/{pdftable,pdflines,pdfwords,tablegrid,runcells,rulefile,text}.c \
    "$RF_ROOT"/common/src/{buf,clock,fs,hex,log,sha256,utf8,vec}.c \
    $(pkg-config --libs jansson libpcre2-8 libcrypto) -lm -o "$work/fuzz_pdftable"
# shellcheck disable=SC2046
clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$RF_ROOT/sink" -I"$RF_ROOT/common/include" $(pkg-config --cflags jansson) \
    "$RF_ROOT/tests/fuzz/fuzz_envelope.c" "$RF_ROOT"/sink/{jsontok,rows,children,pgtext}.c \
    "$RF_ROOT"/common/src/{buf,hex,utf8,vec}.c $(pkg-config --libs jansson) -o "$work/fuzz_envelope"
mkdir -p "$work/corpus"
cp "$RF_ROOT"/examples/reports/* "$work/corpus/"
find "$RF_ROOT/tests/fixtures/extract" -type f ! -name gold.json -exec cp {} "$work/corpus/" \;
# the disclosure family's tables: between bars (HTML) and run together (text)
cp "$RF_ROOT/tests/fixtures/disclosure/report.html" "$RF_ROOT/tests/fixtures/disclosure/run-together.txt" \
    "$work/corpus/"
python3 "$RF_ROOT/tests/hostile/make-content.py" "$work/hostile" >/dev/null
find "$work/hostile" -type f -size -65k -exec cp {} "$work/corpus/" \;
# a crashing or slow input is kept in the build folder (BUILD/artefacts/fuzz/), outside the
# temporary folder
artifacts=${RF_FUZZ_ARTIFACTS:-${RF_BIN:+$RF_BIN/artefacts/fuzz}}
artifacts=${artifacts:-/tmp/rf-fuzz-artifacts}
mkdir -p "$artifacts"
cd "$RF_ROOT"
# -error_exitcode=1: libFuzzer's own, 77, is ctest's "skipped" here (SKIP_RETURN_CODE), and
# made a finding look like a missing fuzzer
RF_FUZZ_RULES="$RF_ROOT/config/rules" "$work/fuzz_extract" -max_total_time="$seconds" \
    -max_len=65536 -timeout="${RF_FUZZ_INPUT_TIMEOUT:-5}" -print_final_stats=1 -error_exitcode=1 \
    -artifact_prefix="$artifacts/" "$work/corpus" 2>&1 | grep -Ev '^#[0-9]+ +(NEW|REDUCE|pulse)' | tail -n 40
mkdir -p "$work/tsv"
if command -v soffice >/dev/null && command -v pdftotext >/dev/null; then
    (cd "$work" && timeout 120 soffice --headless --convert-to pdf --outdir "$work" \
        "$RF_ROOT/tests/fixtures/disclosure/report.html" >/dev/null 2>&1) || true
    [ -f "$work/report.pdf" ] && pdftotext -tsv "$work/report.pdf" "$work/tsv/report.tsv"
fi
"$work/fuzz_pdftable" -max_total_time="$((seconds / 2))" -max_len=65536 \
    -timeout="${RF_FUZZ_INPUT_TIMEOUT:-5}" -print_final_stats=1 -error_exitcode=1 -artifact_prefix="$artifacts/" \
    "$work/tsv" 2>&1 | grep -Ev '^#[0-9]+ +(NEW|REDUCE|pulse)' | tail -n 20
# the sink's reading of envelopes, seeded with the seeds' envelopes
mkdir -p "$work/envelopes"
for f in "$RF_ROOT"/examples/reports/*; do
    "$RF_BIN/bin/reportflow-extract" -X "worker.rules=$RF_ROOT/config/rules" "$f" \
        >"$work/envelopes/$(basename "$f").json"
done
"$work/fuzz_envelope" -max_total_time="$((seconds / 2))" -max_len=65536 \
    -timeout="${RF_FUZZ_INPUT_TIMEOUT:-5}" -print_final_stats=1 -error_exitcode=1 -artifact_prefix="$artifacts/" \
    "$work/envelopes" 2>&1 | grep -Ev '^#[0-9]+ +(NEW|REDUCE|pulse)' | tail -n 20
echo "1 passed, 0 failed"
