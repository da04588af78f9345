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

if [[ ! -f $db ]]; then
  echo "== Making the demo database $db (once)"
  $clmrs --db "$db" demo --households 300 --seed 1
fi

echo
echo "== Follow-ups due (clmrs --db $db due)"
$clmrs --db "$db" due --limit 12
echo
echo "== Waiting to sync, by facilitator (clmrs --db $db queue)"
$clmrs --db "$db" queue
echo
echo "== Classify a child (clmrs classify --rules gh)"
echo '{"age":10,"sex":"female","in_school":true,"econ_hours_7d":6,"chores_hours_7d":4,"night_work_7d":false,"tasks_7d":["heavy_loads"],"tasks_12m":["heavy_loads"],"hazard_conditions":[],"abuse":[],"wfcl_signals":[],"immediate_danger":false}' \
  | $clmrs classify --rules gh
echo
echo "More: $clmrs --db $db indicators --json | export --csv DIR | households PREFIX | --help"
