#!/usr/bin/env bash
# Remakes docs/screenshots (the pictures in the README), each from a fresh
# copy of one demo database, under Xvfb.  Needs the build (ninja -C build).
# Look at every picture before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
ninja -C build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build/app/cli/clmrs --db "$tmp/demo.db" demo --households 300 --seed 1 >/dev/null
# the database is encrypted: the ids come from its keyring (`clmrs people`),
# by the demo's names (README)
facilitator=$(build/app/cli/clmrs --db "$tmp/demo.db" people | awk '/Zadi Drissa/ { print $1 }')
supervisor=$(build/app/cli/clmrs --db "$tmp/demo.db" people | awk '/Adjoua Kouam/ { print $1 }')

# shot NAME WIDTHxHEIGHT PAGE [PERSON PIN] (LANGUAGE=fr in the environment for French)
shot() {
  local name=$1 size=$2 page=$3 person=${4:-$facilitator} pin=${5:-100000}
  cp "$tmp/demo.db" "$tmp/shot.db"
  cp "$tmp/demo.db.keyring" "$tmp/shot.db.keyring"
  rm -f "$tmp/shot.db-wal" "$tmp/shot.db-shm"
  GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=build/ui CLMRS_LOCALEDIR=build/po \
    xvfb-run -a -s "-screen 0 ${size}x24" \
    build/ui/screenshot "$tmp/shot.db" "$person" "$pin" "$page" "docs/screenshots/$name.png" 2>/dev/null
  echo "docs/screenshots/$name.png"
}

shot signin-360 360x720 signin
shot households-360 360x720 households
shot household-360 360x720 household
shot follow-ups-360 360x720 follow-ups
shot visit-in-school-360 360x720 in-school
shot visit-result-360 360x720 result
shot record-360 360x720 record
shot sync-360 360x720 sync
shot indicators-360 360x720 indicators
LANGUAGE=fr shot visit-result-360-fr 360x720 result
shot households-1280 1280x800 households
shot household-1280 1280x800 household
shot supervisor-1280 1280x800 supervisor "$supervisor" 999999
shot indicators-1280 1280x800 indicators
