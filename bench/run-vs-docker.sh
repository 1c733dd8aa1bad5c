#!/usr/bin/env bash
# Benchmark: `docker run --rm busybox true` in Whaleshell vs. a real Docker engine.
#
#   sudo bench/run-vs-docker.sh               30 timed runs of each (plus 3 warm-ups)
#   sudo ITERATIONS=100 bench/run-vs-docker.sh
#
# A measurement, not a test: it prints the median wall time of each side, their
# ratio, and the peak memory (max RSS) of one run of each client. Runs alternate
# between the two so machine noise hits both equally; both sides run warm (the
# image is already present on each). Self-sufficient: it builds Whaleshell,
# installs Debian's docker.io / busybox-static / time when missing, starts
# dockerd when none answers (and stops it again at the end, only then), and
# imports busybox:latest into Docker from /bin/busybox. No registry is reachable
# from the machines this runs on, so nothing is ever pulled from the network.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/run-vs-docker.sh needs root (both sides run real containers): run it with sudo" >&2
  exit 1
fi

ITERATIONS=${ITERATIONS:-30}
WARMUP=3
case $ITERATIONS in '' | *[!0-9]* | 0) echo "ITERATIONS must be a positive integer, got '$ITERATIONS'" >&2; exit 1 ;; esac

WS=target/release/whaleshell
LINE='docker run --rm busybox true'

ROOT=""         # whaleshell's temporary state root
WORK=""         # scratch: command output, GNU time output
DOCKERD_PID=""  # set only when this script started dockerd
DOCKERD_LOG=""

say() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

stop_dockerd() {
  [ -n "$DOCKERD_PID" ] || return 0
  local pid=$DOCKERD_PID
  DOCKERD_PID=""
  say "stopping the dockerd this script started (pid $pid)"
  kill "$pid" 2>/dev/null || true
  # It is our child: once it exits it stays a zombie (kill -0 still succeeds)
  # until reaped, so check its state rather than its existence.
  local _state
  for _ in $(seq 1 60); do
    _state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
    [ -z "$_state" ] || [ "$_state" = Z ] && break
    sleep 0.5
  done
  if [ -n "$_state" ] && [ "$_state" != Z ]; then
    say "dockerd did not stop within 30 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$ROOT" ] && [ -d "$ROOT" ]; then
    # Nothing may stay mounted under the state root before it is removed
    # (a container overlay left behind by an aborted run): deepest first.
    awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || say "could not unmount $m"; done
    if grep -qF "$ROOT" /proc/mounts; then
      say "still mounted under $ROOT: leaving it in place"
    else
      rm -rf "$ROOT"
    fi
  fi
  [ -n "$WORK" ] && rm -rf "$WORK"
  stop_dockerd
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d /tmp/whaleshell-bench-work.XXXXXX)

# --- 1. Whaleshell, release build ---------------------------------------------
say "building whaleshell (cargo build --release)"
cargo build --release --quiet || die "cargo build --release failed"
[ -x "$WS" ] || die "$WS not found after the build"

# --- 2. A real Docker engine with busybox:latest ------------------------------
need() { command -v "$1" >/dev/null 2>&1; }
pkgs=()
{ need dockerd && need docker; } || pkgs+=(docker.io)
[ -x /bin/busybox ] || pkgs+=(busybox-static)
[ -x /usr/bin/time ] || pkgs+=(time)
if [ ${#pkgs[@]} -gt 0 ]; then
  say "installing ${pkgs[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  if pgrep -x dockerd >/dev/null; then
    # Someone else's dockerd, maybe still starting: give it a moment, never start a second one.
    say "a dockerd is running but not answering yet: waiting for it"
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || die "a dockerd is running (pid $(pgrep -x dockerd | tr '\n' ' ')) but 'docker info' fails"
  else
    rm -f /var/run/docker.pid
    DOCKERD_LOG=/tmp/whaleshell-bench-dockerd.log
    say "starting dockerd (log: $DOCKERD_LOG)"
    dockerd >"$DOCKERD_LOG" 2>&1 &
    DOCKERD_PID=$!
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      kill -0 "$DOCKERD_PID" 2>/dev/null || break
      sleep 0.5
    done
    if ! docker info >/dev/null 2>&1; then
      tail -n 15 "$DOCKERD_LOG" >&2 || true
      die "dockerd did not start (full log: $DOCKERD_LOG)"
    fi
  fi
fi

if ! docker image inspect busybox:latest >/dev/null 2>&1; then
  say "importing busybox:latest into docker from /bin/busybox"
  rootfs=$WORK/busybox-rootfs
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" "$rootfs/var/www"
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for a in $("$rootfs/bin/busybox" --list); do [ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . |
    docker import -c 'CMD ["sh"]' \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - busybox:latest >/dev/null
  rm -rf "$rootfs"
fi

# --- 3. Whaleshell: fresh state root, image pre-pulled ------------------------
ROOT=$(mktemp -d /tmp/whaleshell-bench.XXXXXX)
say "pulling busybox into whaleshell's state root $ROOT"
if ! "$WS" --root "$ROOT" -c 'docker pull busybox' </dev/null >"$WORK/out" 2>&1; then
  cat "$WORK/out" >&2
  die "whaleshell could not pull busybox"
fi

# --- 4. Timed runs, alternating ------------------------------------------------
WS_NS=()
DOCKER_NS=()

# timed ARRAY LABEL CMD...: runs CMD once, appends its wall time (ns) to ARRAY.
timed() {
  local -n into=$1
  local label=$2
  shift 2
  local start end status=0
  start=$(date +%s%N)
  "$@" </dev/null >"$WORK/out" 2>&1 || status=$?
  end=$(date +%s%N)
  if [ "$status" -ne 0 ]; then
    echo "--- output of the failed run:" >&2
    cat "$WORK/out" >&2
    if [ "$label" = docker ] && [ ! -e /sys/class/net/docker0 ]; then
      echo "(dockerd has no docker0 bridge: it may have been removed under it; restart dockerd)" >&2
    fi
    die "$label run of '$LINE' exited with status $status"
  fi
  into+=($((end - start)))
}

run_pair() { # run_pair WS_ARRAY DOCKER_ARRAY
  timed "$1" whaleshell "$WS" --root "$ROOT" -c "$LINE"
  timed "$2" docker docker run --rm busybox true
}

WARM_WS=()
WARM_DOCKER=()
say "$WARMUP warm-up runs of each, then $ITERATIONS timed runs of each, alternating"
for _ in $(seq 1 "$WARMUP"); do run_pair WARM_WS WARM_DOCKER; done
for _ in $(seq 1 "$ITERATIONS"); do run_pair WS_NS DOCKER_NS; done

# median_ns VALUES...: the middle value, or the mean of the two middle ones.
median_ns() {
  printf '%s\n' "$@" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.0f\n", v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ws_med=$(median_ns "${WS_NS[@]}")
docker_med=$(median_ns "${DOCKER_NS[@]}")

# --- 5. Peak memory of one run of each client ---------------------------------
# GNU time reports ru_maxrss from wait4: the largest of the process and the
# descendants it waited for. For whaleshell that includes its monitor child
# (under which the container's processes run); for docker it is only the CLI,
# the container runs under dockerd/containerd, which are not its children.
maxrss_kb() {
  if ! /usr/bin/time -f %M -o "$WORK/rss" "$@" </dev/null >"$WORK/out" 2>&1; then
    cat "$WORK/out" >&2
    die "'$*' failed while measuring its memory"
  fi
  tail -n 1 "$WORK/rss"
}
ws_rss=$(maxrss_kb "$WS" --root "$ROOT" -c "$LINE")
docker_rss=$(maxrss_kb docker run --rm busybox true)

# --- 6. Report -----------------------------------------------------------------
echo "$LINE   ($ITERATIONS runs each, alternating)"
awk -v w="$ws_med" -v d="$docker_med" 'BEGIN {
  printf "  whaleshell  median %6.1f ms\n", w / 1e6
  printf "  docker      median %6.1f ms\n", d / 1e6
  printf "  ratio       %.2fx  (target: at most 0.10x)\n", w / d
}'
awk -v w="$ws_rss" -v d="$docker_rss" 'BEGIN {
  printf "whaleshell peak memory (max RSS): %.1f MB\n", w / 1024
  printf "docker CLI peak memory (max RSS): %.1f MB\n", d / 1024
}'
