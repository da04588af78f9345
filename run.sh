#!/usr/bin/env bash
# Installs what is missing, builds, and runs the CLMRS field app on demo
# data: --demo, the demo database in ~/.local/share/clmrs (made on first
# run), never a device's own.  ./run.sh --cli runs the command-line demo
# instead (tools/demo.sh); other arguments go to the app (./run.sh --db
# PATH: demo data at PATH, made there when new).
set -euo pipefail
cd "$(dirname "$0")"
tools/install-deps.sh
[[ -f build/build.ninja ]] || meson setup build
ninja -C build

if [[ ${1:-} == --cli ]]; then
  shift
  exec tools/demo.sh "$@"
fi
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  echo "run.sh: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the app cannot open a window."
  echo "run.sh: running the command-line demo instead (the same as ./run.sh --cli)."
  echo
  exec tools/demo.sh "$@"
fi

# without a session bus (a bare X server, a kiosk) dconf cannot save the
# settings: keep them in a key file (~/.config/glib-2.0/settings/keyfile)
if [[ -z ${DBUS_SESSION_BUS_ADDRESS:-} && -z ${GSETTINGS_BACKEND:-} ]]; then
  export GSETTINGS_BACKEND=keyfile
fi
# from the build tree: its compiled settings schema and translations
export GSETTINGS_SCHEMA_DIR="$PWD/build/ui"
export CLMRS_LOCALEDIR="$PWD/build/po"
exec build/ui/clmrs-field --demo "$@"
