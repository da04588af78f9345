#!/usr/bin/env bash
# The command-line demo: CLMRS on a demo database made on first run in
# ${XDG_DATA_HOME:-~/.local/share}/clmrs/demo.db (or $CLMRS_DEMO_DB).
# Never $CLMRS_DB: that names a device's own database, which demo data
# must not go into (clmrs demo would refuse it anyway once it holds records).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${XDG_DATA_HOME:-$HOME/.local/share}/clmrs"
db="${CLMRS_DEMO_DB:-$data/demo.db}"
clmrs=build/app/cli/clmrs
mkdir -p "$(dirname "$db")"

if [[ -f $db && ! -f $db.keyring ]]; then
  echo "== $db was made before databases were encrypted: making it again"
  rm -f "$db" "$db-wal" "$db-shm"
fi
if [[ ! -f $db ]]; then
  echo "== Making the demo database $db (once; encrypted, every demo person signs in with their PIN)"
  $clmrs --db "$db" demo --households 300 --seed 1
fi
# the demo's supervisor signs in: PIN 999999, given on a file descriptor
# (a PIN is never an argument: scripts use --pin-fd, people the terminal)
supervisor=$($clmrs --db "$db" people | head -n 1 | cut -d ' ' -f 1)
signin=(--db "$db" --person "$supervisor" --pin-fd 3)

echo
echo "== Follow-ups due (clmrs --db $db --person ID due)"
$clmrs "${signin[@]}" due --limit 12 3<<<999999
echo
echo "== Waiting to sync, by facilitator (clmrs --db $db --person ID queue)"
$clmrs "${signin[@]}" queue 3<<<999999
echo
echo "== Classify a child (clmrs classify --rules gh)"
echo '{"age":10,"sex":"female","in_school":true,"econ_hours_7d":6,"chores_hours_7d":4,"night_work_7d":false,"tasks_7d":["heavy_loads"],"tasks_12m":["heavy_loads"],"hazard_conditions":[],"abuse":[],"wfcl_signals":[],"immediate_danger":false}' \
  | $clmrs classify --rules gh
echo
echo "More: $clmrs --db $db --person $supervisor (PIN 999999) indicators --json | export --csv DIR | households PREFIX | --help"
