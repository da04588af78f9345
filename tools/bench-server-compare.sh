#!/usr/bin/env bash
# Two builds of clmrs-server under the same load, alternately, so that a
# shared machine's changing load falls on both (docs/benchmarks.md):
# before, after, before, after; each time PostgreSQL (one `serve`
# process, a throw-away cluster with fsync on), then SQLite.
#   tools/bench-server-compare.sh OLD-CLMRS-SERVER [bench-server options...]
#   e.g. tools/bench-server-compare.sh /tmp/old/clmrs-server --records 20000 --devices 20 --no-baseline
# "after" is CLMRS_SERVER, else this build's; CLMRS_BENCH_SERVER names the
# bench-server program (else this build's).
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:-}
if [[ -z "$before" || ! -x "$before" ]]; then
  echo "usage: $0 OLD-CLMRS-SERVER [bench-server options...]" >&2
  exit 2
fi
shift
after=${CLMRS_SERVER:-build/sync/server/clmrs-server}
bench=${CLMRS_BENCH_SERVER:-build/tests/bench-server}
[[ -x $bench && -x $after ]] || { echo "$0: build first (meson setup build && ninja -C build)" >&2; exit 1; }

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/clmrs-bench-pg.XXXXXX")
trap 'tools/pg-test-cluster.sh stop "$pg_dir"' EXIT
CLMRS_PG_FSYNC=on tools/pg-test-cluster.sh start "$pg_dir" >/dev/null

status=0
n=0
for round in 1 2; do
  for which in before after; do
    server=$before
    [[ $which == after ]] && server=$after
    n=$((n + 1))
    uri=$(tools/pg-test-cluster.sh createdb "$pg_dir" "compare_$n")
    echo "== $which, PostgreSQL, 1 process (round $round)"
    CLMRS_SERVER=$server "$bench" --db "$uri" "$@" || status=1
    echo "== $which, SQLite (round $round)"
    CLMRS_SERVER=$server "$bench" "$@" || status=1
  done
done
exit $status
