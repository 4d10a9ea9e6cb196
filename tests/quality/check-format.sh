#!/usr/bin/env bash
# The C sources follow .clang-format (Debian's clang-format): prints the files that do not,
# and how to fix them. Skips (77) where clang-format is missing or the tree is not a git
# checkout.
set -euo pipefail
: "${RF_ROOT:?}"
command -v clang-format >/dev/null || { echo "clang-format missing (scripts/setup.sh installs it)"; exit 77; }
cd "$RF_ROOT"
files=$(git ls-files '*.c' '*.h' 2>/dev/null) || { echo "not a git checkout"; exit 77; }
bad=()
for f in $files; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
    echo "not formatted as .clang-format says (fix: clang-format -i FILE):"
    printf '  %s\n' "${bad[@]}"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "$(wc -w <<<"$files") files formatted"
echo "1 passed, 0 failed"
