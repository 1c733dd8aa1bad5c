#!/usr/bin/env bash
# A local registry for a class or for trying push/pull by hand: Debian's
# docker-registry on 127.0.0.1 with one htpasswd login.
#
#   scripts/registry.sh start [PORT] [USER] [PASSWORD]   (default 5000 learner s3cret)
#   scripts/registry.sh stop
#
# WHALESHELL_REGISTRY_STATE=DIR keeps its data and pid there instead of
# /run/whaleshell-registry (the bench starts from an empty registry that way).
#
# Then: docker login -u learner 127.0.0.1:5000, docker tag busybox 127.0.0.1:5000/busybox, docker push …
set -euo pipefail
state=${WHALESHELL_REGISTRY_STATE:-/run/whaleshell-registry}
case "${1:-}" in
  start)
    port=${2:-5000} user=${3:-learner} password=${4:-s3cret}
    "$(dirname "$0")/install-deps.sh"
    mkdir -p "$state/data"
    htpasswd -Bbn "$user" "$password" >"$state/htpasswd"
    cat >"$state/config.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $state/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: whaleshell
auth:
  htpasswd:
    realm: basic-realm
    path: $state/htpasswd
YAML
    nohup docker-registry serve "$state/config.yml" >"$state/log" 2>&1 &
    echo $! >"$state/pid"
    echo "registry on 127.0.0.1:$port (user $user); log: $state/log; stop: $0 stop"
    ;;
  stop)
    [ -f "$state/pid" ] && kill "$(cat "$state/pid")" 2>/dev/null || true
    rm -f "$state/pid"
    ;;
  *) echo "usage: $0 start [PORT] [USER] [PASSWORD] | stop" >&2; exit 2 ;;
esac
