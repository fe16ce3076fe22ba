#!/usr/bin/env bash
# Installs the Debian packages Qt needs (offscreen, in a window, and on a virtual screen for the tests)
# when any is missing. Does nothing when all are there; prints a hint when it can't install.
set -eu
pkgs="xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-shape0
      libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libegl1 libgl1
      libfontconfig1 libdbus-1-3 fonts-dejavu-core"
command -v dpkg >/dev/null 2>&1 || exit 0   # not Debian: trust the system
need=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "rnnviz: please install these Debian packages:$need" >&2; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq $need >/dev/null
