#!/usr/bin/env bash
# Installs what Whaleshell needs on a Debian machine, once: Debian's
# busybox-static (the offline hub builds busybox:latest from it), debootstrap
# (and debian:bookworm from Debian's packages), tini
# (`docker run --init`), curl and procps (tutorial lines, `docker top`),
# libseccomp-dev and Docker's default seccomp profile, Podman's network
# backend (netavark and aardvark-dns: bridges, firewall rules and DNS for
# `docker network`), and for the tests
# Debian's docker-registry and apache2-utils.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail

missing=()
[ -x /bin/busybox ] || missing+=(busybox-static)
command -v debootstrap >/dev/null || missing+=(debootstrap)
[ -x /usr/bin/tini-static ] || missing+=(tini)
command -v curl >/dev/null || missing+=(curl)
command -v ps >/dev/null || missing+=(procps)
# libcontainer's seccomp support links libseccomp.
[ -e /usr/include/seccomp.h ] || missing+=(libseccomp-dev)
# Networks: netavark sets them up (with iptables), aardvark-dns answers container names.
[ -x /usr/lib/podman/netavark ] || missing+=(netavark)
[ -x /usr/lib/podman/aardvark-dns ] || missing+=(aardvark-dns)
command -v iptables >/dev/null || missing+=(iptables)
# For the tests: a real registry server (CNCF Distribution) and htpasswd for its logins.
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v htpasswd >/dev/null || missing+=(apache2-utils)
command -v skopeo >/dev/null || missing+=(skopeo)  # interop test: skopeo inspect reads what Whaleshell pushed

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "whaleshell: installing ${missing[*]} needs root: run this with sudo" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    echo "whaleshell: could not install ${missing[*]}:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi

# Docker's default seccomp profile, its own default.json from Debian's
# source package of Docker (only that file: the package is Go sources).
profile=/usr/local/share/whaleshell/seccomp/default.json
if [ ! -s "$profile" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "whaleshell: installing Docker's seccomp profile needs root: run this with sudo" >&2
    exit 1
  fi
  work=$(mktemp -d)
  fetch() { (cd "$work" && apt-get download -q golang-github-docker-docker-dev); }
  if ! { fetch || { apt-get update -qq && fetch; }; } >"$work/log" 2>&1; then
    echo "whaleshell: could not download golang-github-docker-docker-dev (Docker's default seccomp profile):" >&2
    cat "$work/log" >&2
    rm -rf "$work"
    exit 1
  fi
  dpkg-deb -x "$work"/golang-github-docker-docker-dev_*.deb "$work/pkg"
  install -D -m 0644 "$work/pkg/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json" "$profile"
  rm -rf "$work"
fi

# The local ECR lab (moto in .lab/venv, docker-registry): the ECR tests start it.
"$(dirname "${BASH_SOURCE[0]}")/../ecr/install-lab.sh"
