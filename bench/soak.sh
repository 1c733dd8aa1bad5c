#!/usr/bin/env bash
# Soak test: many detached containers through Whaleshell, then a leak check.
#
#   sudo bench/soak.sh          500 containers
#   sudo bench/soak.sh 100      100 containers
#
# Not part of the test run. In a fresh temporary state root it starts N times
#   docker run -d -p 127.0.0.1:0:80 -v soakvol:/data busybox sleep 1000
# (port 0: the system picks a free port), and after every 50 started containers
# removes them all (docker rm -f $(docker ps -aq)), so at most 50 run at once.
# At the end it removes what is left and the volume, then checks that nothing
# leaked: mounts, processes, cgroups, network devices, container and runtime
# state, volumes. It prints one PASS/FAIL line per check and exits non-zero if
# any fails. The state root is removed at the end; anything still mounted under
# it is unmounted first, as a safety net only, and that counts as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/soak.sh needs root (it runs real containers): run it with sudo" >&2
  exit 1
fi

N=${1:-500}
case $N in '' | *[!0-9]* | 0) echo "usage: bench/soak.sh [N]   (N a positive integer, got '$N')" >&2; exit 1 ;; esac
BATCH=50
LINE='docker run -d -p 127.0.0.1:0:80 -v soakvol:/data busybox sleep 1000'

WS=target/release/whaleshell
ROOT=""       # the temporary state root
WORK=""       # scratch: command output, the IDs created
FAILED=0      # number of failed checks (and of failures of the soak itself)

say() { echo "soak: $*" >&2; }
die() { echo "soak: error: $*" >&2; exit 1; }
pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*"; FAILED=$((FAILED + 1)); }

# ws LINE: runs LINE in whaleshell against ROOT, output into $WORK/out.
ws() { "$WS" --root "$ROOT" -c "$1" </dev/null >"$WORK/out" 2>&1; }

# mounts_under: the mount points at or under ROOT, deepest first.
mounts_under() {
  awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r
}

# remove_all: docker rm -f every container in ROOT; fine when there are none.
remove_all() {
  local ids
  "$WS" --root "$ROOT" -c 'docker ps -aq' </dev/null >"$WORK/ps" 2>&1 || {
    cat "$WORK/ps" >&2
    return 1
  }
  ids=$(tr -s '[:space:]' ' ' <"$WORK/ps")
  [ -n "${ids// /}" ] || return 0
  ws 'docker rm -f $(docker ps -aq)' || {
    cat "$WORK/out" >&2
    return 1
  }
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$ROOT" ] && [ -d "$ROOT" ]; then
    # After an interruption containers may still run: remove them the ordinary way.
    [ -x "$WS" ] && remove_all >/dev/null 2>&1 || true
    # Safety net only: whatever is still there now is a leak.
    local pids m left
    pids=$(pgrep -f -- "$ROOT" || true)
    if [ -n "$pids" ]; then
      echo "FAIL  safety net: processes still running with $ROOT in their command line, killed: $(echo "$pids" | tr '\n' ' ')"
      for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
      status=1
    fi
    left=$(mounts_under)
    if [ -n "$left" ]; then
      echo "FAIL  safety net: still mounted under $ROOT, unmounted now: $(echo "$left" | tr '\n' ' ')"
      while read -r m; do umount -l "$m" 2>/dev/null || say "could not unmount $m"; done <<<"$left"
      status=1
    fi
    if [ -n "$(mounts_under)" ]; then
      say "still mounted under $ROOT: leaving it in place"
      status=1
    else
      rm -rf "$ROOT"
    fi
  fi
  [ -n "$WORK" ] && rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

START=$(date +%s%N)   # reset once the build and the pull are done
elapsed() { awk -v s="$START" -v e="$(date +%s%N)" 'BEGIN { printf "%.1f s", (e - s) / 1e9 }'; }

# --- 1. Build, state root, image ----------------------------------------------
say "building whaleshell (cargo build --release)"
cargo build --release --quiet || die "cargo build --release failed"
[ -x "$WS" ] || die "$WS not found after the build"

WORK=$(mktemp -d /tmp/whaleshell-soak-work.XXXXXX)
: >"$WORK/ids"
ROOT=$(mktemp -d /tmp/whaleshell-soak.XXXXXX)
links_before=$(ip -o link | wc -l)

say "pulling busybox into the state root $ROOT"
ws 'docker pull busybox' || { cat "$WORK/out" >&2; die "whaleshell could not pull busybox"; }

# --- 2. The soak ----------------------------------------------------------------
say "$N × '$LINE', removing all every $BATCH"
START=$(date +%s%N)
started=0
batch_start=$(date +%s%N)
soak_ok=1
for i in $(seq 1 "$N"); do
  if ! ws "$LINE"; then
    echo "--- output of the failed run (container $i):" >&2
    cat "$WORK/out" >&2
    fail "soak: container $i of $N: '$LINE' failed (stopping the soak, checking for leaks anyway)"
    soak_ok=0
    break
  fi
  id=$(tr -d '[:space:]' <"$WORK/out")
  if ! [[ $id =~ ^[0-9a-f]{64}$ ]]; then
    fail "soak: container $i of $N: 'docker run -d' printed '$id', not a container ID (stopping the soak)"
    soak_ok=0
    break
  fi
  echo "$id" >>"$WORK/ids"
  started=$i
  if [ $((i % BATCH)) -eq 0 ]; then
    "$WS" --root "$ROOT" -c 'docker ps -q' </dev/null >"$WORK/ps" 2>&1 || true
    running=$(grep -c . "$WORK/ps" || true)
    t_run=$(( ($(date +%s%N) - batch_start) / 1000000 ))
    r_start=$(date +%s%N)
    if ! remove_all; then
      fail "soak: removing the containers after $i failed (stopping the soak)"
      soak_ok=0
      break
    fi
    t_rm=$(( ($(date +%s%N) - r_start) / 1000000 ))
    say "$i/$N started ($running running; started in $t_run ms, removed in $t_rm ms; $(elapsed) so far)"
    batch_start=$(date +%s%N)
  fi
done
[ "$soak_ok" -eq 1 ] && pass "soak: $started of $N containers started and removed"

# --- 3. Remove what is left, and the volume ------------------------------------
remove_all || fail "final 'docker rm -f \$(docker ps -aq)' failed"
if ws 'docker volume rm soakvol'; then
  pass "docker volume rm soakvol"
else
  cat "$WORK/out" >&2
  fail "docker volume rm soakvol"
fi

# --- 4. Leak checks ---------------------------------------------------------------
created=$(grep -c . "$WORK/ids" || true)
say "checking for leaks ($created container IDs recorded)"

mounts=$(mounts_under)
if [ -z "$mounts" ] && ! grep -qF "$ROOT" /proc/mounts; then
  pass "mounts: no line in /proc/mounts mentions $ROOT"
else
  fail "mounts: $(grep -cF "$ROOT" /proc/mounts) line(s) in /proc/mounts mention $ROOT, e.g. $(grep -F "$ROOT" /proc/mounts | head -n 1)"
fi

pids=$(pgrep -f -- "$ROOT" || true)
if [ -z "$pids" ]; then
  pass "processes: none has $ROOT in its command line"
else
  fail "processes: $(echo "$pids" | wc -l) still have $ROOT in their command line: $(pgrep -af -- "$ROOT" | head -n 3 | tr '\n' ';')"
fi

# The cgroup dirs named after any of the recorded IDs, in every controller.
leaked_cg=$(for d in /sys/fs/cgroup/*/whaleshell; do
  [ -d "$d" ] && ls "$d"
done | grep -E '^[0-9a-f]{64}$' | grep -Fxf "$WORK/ids" || true)
if [ -z "$leaked_cg" ]; then
  pass "cgroups: no /sys/fs/cgroup/*/whaleshell/<id> left for the $created containers"
else
  fail "cgroups: $(echo "$leaked_cg" | wc -l) dir(s) left (controllers × containers), e.g. $(echo "$leaked_cg" | head -n 1)"
fi

links_after=$(ip -o link | wc -l)
if [ "$links_after" -le "$links_before" ]; then
  pass "network devices: $links_after now, $links_before before"
else
  fail "network devices: $links_after now, $links_before before"
fi

left=$(find "$ROOT/containers" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
if [ "$left" -eq 0 ]; then
  pass "state: nothing left under ROOT/containers"
else
  fail "state: $left entries left under ROOT/containers"
fi

left=$(find "$ROOT/run" -mindepth 1 ! -type d 2>/dev/null | wc -l)
dirs=$(find "$ROOT/run" -mindepth 1 -type d 2>/dev/null | wc -l)
if [ "$left" -eq 0 ]; then
  pass "runtime state: no files under ROOT/run ($dirs empty dir(s))"
else
  fail "runtime state: $left file(s) under ROOT/run, e.g. $(find "$ROOT/run" -mindepth 1 ! -type d | head -n 1)"
fi

vols=""
if ws 'docker volume ls -q'; then
  vols=$(tr -s '[:space:]' ' ' <"$WORK/out")
  vols=${vols// /}
else
  vols="(docker volume ls -q failed)"
fi
vol_entries=$(find "$ROOT/volumes" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
if [ -z "$vols" ] && [ "$vol_entries" -eq 0 ]; then
  pass "volumes: none left (docker volume ls, ROOT/volumes)"
else
  fail "volumes: docker volume ls says '$(tr '\n' ' ' <"$WORK/out")', $vol_entries entr(y/ies) under ROOT/volumes"
fi

echo "elapsed: $(elapsed) for $started containers, their removal and the checks (build and pull not counted)"
if [ "$FAILED" -eq 0 ]; then
  echo "soak: all checks passed"
else
  echo "soak: $FAILED check(s) failed"
  exit 1
fi
