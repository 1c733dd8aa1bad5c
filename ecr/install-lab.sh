#!/usr/bin/env bash
# Installs what the local ECR lab runs: moto's server (an AWS API emulator)
# from PyPI into a project venv, and Debian's docker-registry.
# Usage: install-lab.sh [VENV] [MOTO_VERSION]. Safe to run again, and
# concurrently (a lock serialises installers).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" 2>/dev/null && pwd || pwd)
venv=${1:-${WHALESHELL_LAB_VENV:-$here/../.lab/venv}}
moto_version=${2:-5.2.5}

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9

if ! command -v docker-registry >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "whaleshell: installing docker-registry needs root: run this with sudo" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq >/dev/null && apt-get install -y -qq docker-registry >/dev/null
fi

if [ ! -x "$venv/bin/moto_server" ]; then
  # Debian's own Python, not whatever a version manager put first on PATH.
  python=/usr/bin/python3
  [ -x "$python" ] || python=$(command -v python3)
  if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt-get update -qq >/dev/null && apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version"
fi
