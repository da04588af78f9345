#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing CLMRS needs,
# only those missing, so a second run is instant and needs no network.
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libjson-glib-dev libsqlite3-dev libxml2-dev zlib1g-dev
  libgcrypt20-dev libsodium-dev libcurl4-openssl-dev libmicrohttpd-dev libpq-dev postgresql
  libgtk-4-dev libadwaita-1-dev
  libgdk-pixbuf-2.0-dev libxml2-utils sqlite3 python3
  clang libclang-rt-14-dev
  xvfb xauth imagemagick desktop-file-utils appstream
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "Installing: ${missing[*]}"
sudo=""
if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
