#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests (and the server benchmark).
#   tools/pg-test-cluster.sh start DIR   makes DIR/data, starts it on a unix
#                                        socket in DIR, prints its URI
#   tools/pg-test-cluster.sh stop DIR    stops it and deletes DIR
#   tools/pg-test-cluster.sh createdb DIR NAME
#                                        makes database NAME in it, prints its URI
# Nothing listens on the network.  Run as root, the cluster belongs to the
# postgres user (initdb refuses root); DIR must be new or empty.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [[ -z "$action" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR, or createdb DIR NAME" >&2
  exit 2
fi
bindir=${CLMRS_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "$0: no PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb); install the postgresql package" >&2
  exit 77
fi

as_owner=()
if [[ $(id -u) == 0 ]]; then
  as_owner=(runuser -u postgres --)
fi

case "$action" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ $(id -u) == 0 ]]; then chown postgres: "$dir"; fi
    "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # a unix socket in DIR only; fsync off for tests (thrown away), on
    # for a benchmark (CLMRS_PG_FSYNC=on), as SQLite's synchronous=FULL
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=${CLMRS_PG_FSYNC:-off} -c max_connections=200" start \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql:///postgres?host=$dir&user=postgres"
    ;;
  createdb)
    name=${3:?usage: $0 createdb DIR NAME}
    dir=$(cd "$dir" && pwd)
    "${as_owner[@]}" "$bindir/createdb" -h "$dir" -U postgres "$name"
    echo "postgresql:///$name?host=$dir&user=postgres"
    ;;
  stop)
    if [[ -d "$dir/data" ]]; then
      "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -w -s -m immediate stop || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR, or createdb DIR NAME" >&2
    exit 2
    ;;
esac
