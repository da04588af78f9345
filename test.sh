#!/usr/bin/env bash
# Runs every test.  ./test.sh            the normal build (build/)
#                   ./test.sh --sanitize AddressSanitizer + UBSan (build-asan/)
set -euo pipefail
cd "$(dirname "$0")"
tools/install-deps.sh

dir=build
opts=()
if [[ "${1:-}" == "--sanitize" ]]; then
  dir=build-asan
  opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
  export CLMRS_SANITIZED=1
  # the crash test runs its full 200 kills in the normal build
  export CLMRS_CRASH_ROUNDS=${CLMRS_CRASH_ROUNDS:-40}
fi

# The sync tests run a second time with the server on PostgreSQL (the -pg
# tests): on a throw-away cluster in a temporary folder, stopped at the end,
# unless CLMRS_TEST_PG_URI names one already.  Without PostgreSQL they
# report skipped; CI (CLMRS_TEST_REQUIRE_PG=1) makes that a failure.
if [[ -z "${CLMRS_TEST_PG_URI:-}" ]]; then
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/clmrs-pg.XXXXXX")
  trap 'tools/pg-test-cluster.sh stop "$pg_dir"' EXIT
  if CLMRS_TEST_PG_URI=$(tools/pg-test-cluster.sh start "$pg_dir"); then
    export CLMRS_TEST_PG_URI
  else
    echo "test.sh: could not start a PostgreSQL cluster; the -pg sync tests will say skipped" >&2
    [[ -z "${CLMRS_TEST_REQUIRE_PG:-}" ]] || exit 1
  fi
fi

if [[ ! -f $dir/build.ninja ]]; then
  meson setup "$dir" "${opts[@]}"
fi
ninja -C "$dir"
status=0
meson test -C "$dir" --print-errorlogs --num-processes 2 || status=$?
python3 tools/tap-summary.py "$dir/meson-logs/testlog.json" || true
exit $status
