#!/usr/bin/env bash
# pin-to-home.sh [PLAIN_DB]: PIN to home shown and to every list filled,
# the first sign-in of a day, before (the daily case refresh inside the
# sign-in) and after (home first, then the refresh), measured in the same
# run by build/tests/bench-crypt: on a 300-household device it generates,
# then on PLAIN_DB (a plain device database, e.g. the 20,000 households of
# `build/tests/bench-store --households 20000 --db /tmp/b20k.db --keep`).
# docs/benchmarks.md, "PIN to home".
set -euo pipefail
cd "$(dirname "$0")/../.."
ninja -C build tests/bench-crypt >/dev/null
run() {
  build/tests/bench-crypt "$@" | grep -E '^database:|^PIN to home, first|^  (before|after) '
}
run --households 300
if [ $# -gt 0 ]; then
  run --plain "$1"
fi
