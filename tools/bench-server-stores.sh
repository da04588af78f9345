#!/usr/bin/env bash
# The server benchmark on both stores, one after the other on this machine:
# SQLite, PostgreSQL with one `serve` process, PostgreSQL with two
# (docs/benchmarks.md).  PostgreSQL is a throw-away cluster with fsync on.
#   tools/bench-server-stores.sh [bench-server options...]
#   e.g. tools/bench-server-stores.sh --records 100000 --no-baseline
# CLMRS_BENCH_SERVER (the bench-server program) and CLMRS_SERVER (the
# clmrs-server it runs) may name copies, so that a rebuild during a long
# run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${CLMRS_BENCH_SERVER:-build/tests/bench-server}
[[ -x $bench ]] || { echo "$0: build first (meson setup build && ninja -C build)" >&2; exit 1; }

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/clmrs-bench-pg.XXXXXX")
trap 'tools/pg-test-cluster.sh stop "$pg_dir"' EXIT
CLMRS_PG_FSYNC=on tools/pg-test-cluster.sh start "$pg_dir" >/dev/null

# each run goes on after one that failed (a push answered busy, say): exit 1 at the end
status=0
echo "== SQLite"
"$bench" "$@" || status=1
for servers in 1 2; do
  uri=$(tools/pg-test-cluster.sh createdb "$pg_dir" "bench_$servers")
  echo "== PostgreSQL, $servers process(es)"
  "$bench" --db "$uri" --servers "$servers" "$@" || status=1
done
exit $status
