#!/usr/bin/env bash
# Installs what is missing, builds, and runs CLMRS on its embedded default:
# a demo database in ~/.local/share/clmrs (made on first run).
set -euo pipefail
cd "$(dirname "$0")"
tools/install-deps.sh
[[ -f build/build.ninja ]] || meson setup build
ninja -C build
exec tools/demo.sh "$@"
