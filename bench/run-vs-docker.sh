#!/usr/bin/env bash
# Benchmark: `docker run --rm busybox true` in Whaleshell vs. a real Docker engine.
#
#   sudo bench/run-vs-docker.sh               30 timed runs of each (plus 3 warm-ups)
#   sudo ITERATIONS=100 bench/run-vs-docker.sh
#   sudo BATCH=50 ROUNDS=3 bench/run-vs-docker.sh   (the defaults of the batch below)
#
# A measurement, not a test: it prints the median wall time of each side, their
# ratio, and the peak memory (max RSS) of one run of each client. Then, in the
# same run: the median wall time of a batch of BATCH detached containers, each
# `docker run -d busybox sleep 1000` + `docker stop -t 0` + `docker rm` (ROUNDS
# batches of each side, alternating which goes first), and the resident memory
# (VmRSS) of what supervises one idle detached container: whaleshell's monitor
# process vs. Docker's containerd-shim. Runs alternate
# between the two so machine noise hits both equally; both sides run warm (the
# image is already present on each). Self-sufficient: it builds Whaleshell,
# installs Debian's docker.io / busybox-static / time when missing, starts
# dockerd when none answers (and stops it again at the end, only then), and
# imports busybox:latest into Docker from /bin/busybox. No registry is reachable
# from the machines this runs on, so nothing is ever pulled from the network.
# At the end, bench/images-vs-docker.sh adds the image rows: builds cold and
# cached, push and pull through a local registry (SKIP_IMAGES=1 leaves them out).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/run-vs-docker.sh needs root (both sides run real containers): run it with sudo" >&2
  exit 1
fi

ITERATIONS=${ITERATIONS:-30}
WARMUP=3
case $ITERATIONS in '' | *[!0-9]* | 0) echo "ITERATIONS must be a positive integer, got '$ITERATIONS'" >&2; exit 1 ;; esac
BATCH=${BATCH:-50}
ROUNDS=${ROUNDS:-3}
case $BATCH in '' | *[!0-9]* | 0) echo "BATCH must be a positive integer, got '$BATCH'" >&2; exit 1 ;; esac
case $ROUNDS in '' | *[!0-9]* | 0) echo "ROUNDS must be a positive integer, got '$ROUNDS'" >&2; exit 1 ;; esac

WS=target/release/whaleshell
LINE='docker run --rm busybox true'

ROOT=""         # whaleshell's temporary state root
WORK=""         # scratch: command output, GNU time output
DOCKERD_PID=""  # set only when this script started dockerd
DOCKERD_LOG=""
DOCKER_IDS=()   # containers this script created in docker, removed on exit
DOCKER_RUN_PENDING=""  # set while a `docker run -d` runs whose ID is not yet in DOCKER_IDS

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
  if [ -n "$ROOT" ] && [ -d "$ROOT" ] && [ -x "$WS" ]; then
    # Detached whaleshell containers (and their monitors) left by an aborted
    # batch: remove them the ordinary way first, so their overlays, cgroups and
    # monitor processes go too. Fails harmlessly when there are none.
    "$WS" --root "$ROOT" -c 'docker rm -f $(docker ps -aq)' </dev/null >/dev/null 2>&1 || true
  fi
  # Interrupted while `docker run -d` ran: bash runs the trap once it has
  # exited, so the ID it printed is in $WORK/out, not yet in DOCKER_IDS.
  if [ -n "$DOCKER_RUN_PENDING" ] && [ -f "$WORK/out" ]; then
    local pending
    pending=$(grep -oE '^[0-9a-f]{64}$' "$WORK/out" || true)
    [ -n "$pending" ] && DOCKER_IDS+=("$pending")
  fi
  if [ ${#DOCKER_IDS[@]} -gt 0 ]; then
    docker rm -f "${DOCKER_IDS[@]}" </dev/null >/dev/null 2>&1 || true
  fi
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

# --- 7. A batch of detached containers: run -d, stop -t 0, rm ------------------
# BATCH containers one after the other, each started detached, stopped with no
# grace period and removed; the whole batch is timed. ROUNDS batches per side,
# the side that goes first alternating from round to round.

# must IDVAR LABEL CMD...: runs CMD, dies with its output when it fails, else
# stores its stdout (trimmed) in IDVAR.
must() {
  local -n _out=$1
  local label=$2
  shift 2
  if ! "$@" </dev/null >"$WORK/out" 2>&1; then
    echo "--- output of the failed command:" >&2
    cat "$WORK/out" >&2
    die "$label: '$*' failed"
  fi
  _out=$(tr -d '[:space:]' <"$WORK/out")
}

is_id() { [[ $1 =~ ^[0-9a-f]{64}$ ]]; }

ws_batch() {
  local id junk i
  for i in $(seq 1 "$BATCH"); do
    must id whaleshell "$WS" --root "$ROOT" -c 'docker run -d busybox sleep 1000'
    is_id "$id" || die "whaleshell: 'docker run -d' printed '$id', not a container ID"
    must junk whaleshell "$WS" --root "$ROOT" -c "docker stop -t 0 $id"
    must junk whaleshell "$WS" --root "$ROOT" -c "docker rm $id"
  done
}

docker_batch() {
  local id junk i
  for i in $(seq 1 "$BATCH"); do
    DOCKER_RUN_PENDING=1
    must id docker docker run -d busybox sleep 1000
    is_id "$id" || die "docker: 'docker run -d' printed '$id', not a container ID"
    DOCKER_IDS+=("$id")
    DOCKER_RUN_PENDING=""
    must junk docker docker stop -t 0 "$id"
    must junk docker docker rm "$id"
    unset 'DOCKER_IDS[-1]'
  done
}

# timed_batch ARRAY FUNCTION: runs FUNCTION, appends its wall time (ns) to ARRAY.
timed_batch() {
  local -n into=$1
  local start end
  start=$(date +%s%N)
  "$2"
  end=$(date +%s%N)
  into+=($((end - start)))
}

WS_BATCH_NS=()
DOCKER_BATCH_NS=()
say "$ROUNDS rounds of a batch of $BATCH × (run -d + stop -t 0 + rm) on each side, alternating"
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then
    timed_batch WS_BATCH_NS ws_batch
    timed_batch DOCKER_BATCH_NS docker_batch
  else
    timed_batch DOCKER_BATCH_NS docker_batch
    timed_batch WS_BATCH_NS ws_batch
  fi
  say "round $r: whaleshell $((WS_BATCH_NS[-1] / 1000000)) ms, docker $((DOCKER_BATCH_NS[-1] / 1000000)) ms"
done
ws_batch_med=$(median_ns "${WS_BATCH_NS[@]}")
docker_batch_med=$(median_ns "${DOCKER_BATCH_NS[@]}")

echo "$BATCH × (run -d + stop -t 0 + rm)   ($ROUNDS batches each, alternating)"
awk -v w="$ws_batch_med" -v d="$docker_batch_med" -v n="$BATCH" 'BEGIN {
  printf "  whaleshell  median %8.1f ms per batch  (%6.1f ms per container)\n", w / 1e6, w / 1e6 / n
  printf "  docker      median %8.1f ms per batch  (%6.1f ms per container)\n", d / 1e6, d / 1e6 / n
  printf "  ratio       %.2fx  (target: at most 0.20x)\n", w / d
}'

# --- 8. Memory of what supervises one idle detached container ------------------
# whaleshell: the monitor process (`__whaleshell-monitor ROOT ID`) that stays
# behind a detached container. Docker: the containerd-shim that containerd
# starts for each container (`containerd-shim-runc-v2 -namespace moby -id ID`).
# VmRSS of that one process, read once the container has been idle a moment.

# rss_kb PID [FIELD]: its VmRSS (or another /proc/PID/status field) in kB.
rss_kb() { awk -v f="${2:-VmRSS}:" '$1 == f { print $2 }' "/proc/$1/status"; }

# one_pid WHAT PATTERN: the one PID whose command line matches PATTERN (pgrep -f).
one_pid() {
  local pids
  pids=$(pgrep -f -- "$2" || true)
  [ -n "$pids" ] || die "no process found for $1 (pgrep -f '$2')"
  [ "$(echo "$pids" | wc -l)" -eq 1 ] || die "more than one process for $1: $(echo "$pids" | tr '\n' ' ')"
  echo "$pids"
}

say "measuring the memory of one idle detached container's supervisor on each side"
must ws_id whaleshell "$WS" --root "$ROOT" -c 'docker run -d busybox sleep 1000'
is_id "$ws_id" || die "whaleshell: 'docker run -d' printed '$ws_id', not a container ID"
DOCKER_RUN_PENDING=1
must docker_id docker docker run -d busybox sleep 1000
is_id "$docker_id" || die "docker: 'docker run -d' printed '$docker_id', not a container ID"
DOCKER_IDS+=("$docker_id")
DOCKER_RUN_PENDING=""
sleep 2

monitor_pid=$(one_pid "whaleshell's monitor of $ws_id" "__whaleshell-monitor $ROOT $ws_id")
shim_pid=$(one_pid "docker's containerd-shim of $docker_id" "containerd-shim.*-id $docker_id")
monitor_kb=$(rss_kb "$monitor_pid")
shim_kb=$(rss_kb "$shim_pid")
[ -n "$monitor_kb" ] && [ -n "$shim_kb" ] || die "could not read VmRSS of pid $monitor_pid or $shim_pid"
# VmRSS counts the pages of the executable and libraries the process has
# touched, which every other instance shares; RssAnon is what is its own.
monitor_anon_kb=$(rss_kb "$monitor_pid" RssAnon)
shim_anon_kb=$(rss_kb "$shim_pid" RssAnon)

must junk whaleshell "$WS" --root "$ROOT" -c "docker rm -f $ws_id"
must junk docker docker rm -f "$docker_id"
unset 'DOCKER_IDS[-1]'

awk -v w="$monitor_kb" -v d="$shim_kb" -v wa="$monitor_anon_kb" -v da="$shim_anon_kb" 'BEGIN {
  printf "idle monitor RSS: whaleshell %.1f MiB, docker containerd-shim %.1f MiB (target: under 2 MiB)\n", w / 1024, d / 1024
  if (wa != "" && da != "")
    printf "  of which anonymous (RssAnon): whaleshell %.1f MiB, docker containerd-shim %.1f MiB\n", wa / 1024, da / 1024
}'

# --- 9. Images: builds, push and pull (their own script) -----------------------
[ -n "${SKIP_IMAGES:-}" ] || bench/images-vs-docker.sh
