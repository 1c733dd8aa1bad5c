#!/usr/bin/env bash
# Benchmark rows for the local ECR lab (`whaleshell lab ecr …`), in one run:
#
# 1. Install check: `lab ecr up` on a fresh state root with WHALESHELL_LAB_VENV
#    pointing at a new, empty venv directory, so moto really comes from PyPI
#    (and docker-registry from apt if it is missing). It must come up:
#    `lab ecr status` exits 0 and `aws sts get-caller-identity` answers. Its
#    time (install + start) is printed; then `lab ecr down` and START_ROUNDS
#    more `lab ecr up` (already installed: start only), median printed.
# 2. The tutorial's ECR round trip through the lab (restarted, empty, for each
#    round), Whaleshell vs. real Docker: create-repository,
#    `get-login-password | docker login`, push, rmi, pull. Docker talks to the
#    same lab registry (127.0.0.1:PORT, plain HTTP as Docker allows for
#    loopback) with a token from the same lab, so the lab's ECR rules hold for
#    both sides (checked: a push to a missing repository says `name unknown`
#    on each). Install time is not in any ratio.
#
#   sudo bench/ecr-lab.sh               (bench/run-vs-docker.sh calls it; SKIP_ECR=1 leaves it out there)
#   sudo ECR_ROUNDS=5 START_ROUNDS=5 bench/ecr-lab.sh
#
# Needs a built target/release/whaleshell, a Docker engine that answers
# (run-vs-docker.sh provides both) and the network to PyPI. The image is
# debian:bookworm from the offline hub, else a stand-in of about the same size;
# it goes into Docker by `docker save`/`load` so both sides move the same bytes.
# The lab is stopped and the temporary venv removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "bench/ecr-lab.sh needs root: run it with sudo" >&2; exit 1; }
ECR_ROUNDS=${ECR_ROUNDS:-3}
START_ROUNDS=${START_ROUNDS:-3}
case $ECR_ROUNDS in '' | *[!0-9]* | 0) echo "ECR_ROUNDS must be a positive integer, got '$ECR_ROUNDS'" >&2; exit 1 ;; esac
case $START_ROUNDS in '' | *[!0-9]* | 0) echo "START_ROUNDS must be a positive integer, got '$START_ROUNDS'" >&2; exit 1 ;; esac
WS=$PWD/target/release/whaleshell
ACCOUNT=123456789012
ECR=$ACCOUNT.dkr.ecr.us-east-1.amazonaws.com

say() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }
[ -x "$WS" ] || die "$WS is missing: cargo build --release"
# Fail before the (long) install rather than after it.
docker info >/dev/null 2>&1 || die "no Docker engine answers (bench/run-vs-docker.sh starts one)"

WORK=$(mktemp -d /tmp/whaleshell-bench-ecr.XXXXXX)
ROOT=$WORK/root            # the lab's state root (the lab lives in ROOT/lab/ecr)
VENV=$WORK/lab/venv        # a venv that does not exist yet: moto is installed into it
DOCKER_TAGS=()
mkdir -p "$ROOT" "$WORK/home" "$WORK/ws-config" "$WORK/docker-config"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ ${#DOCKER_TAGS[@]} -eq 0 ] || dk rmi -f "${DOCKER_TAGS[@]}" >/dev/null 2>&1 || true
  if [ -d "$ROOT" ]; then
    "$WS" --root "$ROOT" lab ecr down </dev/null >/dev/null 2>&1 || true
    "$WS" --root "$ROOT" -c 'docker rm -f $(docker ps -aq)' </dev/null >/dev/null 2>&1 || true
  fi
  if grep -qF "$WORK" /proc/mounts; then say "still mounted under $WORK: leaving it"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Whaleshell with the temporary venv, an empty HOME (no ~/.aws of the caller's,
# no pip cache: the install really downloads) and logins kept in $WORK.
export WHALESHELL_LAB_VENV=$VENV
ws() { HOME=$WORK/home DOCKER_CONFIG=$WORK/ws-config "$WS" --root "$ROOT" "$@" </dev/null; }
wsc() { ws -c "$1"; }
dk() { DOCKER_CONFIG=$WORK/docker-config docker "$@" </dev/null; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# lab_is_up: status exits 0 and STS answers with the lab's account.
lab_is_up() {
  ws lab ecr status >"$WORK/status" 2>&1 || { cat "$WORK/status" >&2; return 1; }
  wsc 'aws sts get-caller-identity' >"$WORK/sts" 2>&1 || { cat "$WORK/sts" >&2; return 1; }
  grep -q "\"Account\": \"$ACCOUNT\"" "$WORK/sts" || { cat "$WORK/sts" >&2; return 1; }
}

# --- 1. install check, then start times ----------------------------------------
installing="moto (PyPI, into a new venv)"
if command -v docker-registry >/dev/null; then
  have_registry="docker-registry was already installed"
else
  installing="$installing and docker-registry (apt)"
  have_registry="docker-registry was missing"
fi
say "lab ecr up on a fresh state root and venv: installs $installing"
timed INSTALL_NS ws lab ecr up
grep -q '^Installing ' "$WORK/out" || { cat "$WORK/out" >&2; die "the first lab ecr up installed nothing: is WHALESHELL_LAB_VENV honoured?"; }
[ -x "$VENV/bin/moto_server" ] || die "no moto_server in $VENV after lab ecr up"
lab_is_up || die "the lab did not come up after its install"
MOTO=$("$VENV/bin/python" -c 'import moto; print(moto.__version__)')

START_NS=()
say "$START_ROUNDS × (lab ecr down, then lab ecr up, already installed)"
for _ in $(seq 1 "$START_ROUNDS"); do
  ws lab ecr down >/dev/null || die "lab ecr down failed"
  timed t ws lab ecr up
  ! grep -q '^Installing ' "$WORK/out" || die "lab ecr up installed again though it was installed"
  START_NS+=("$t")
done
lab_is_up || die "the lab did not come up again after down"
START_MED=$(median_ns "${START_NS[@]}")

# --- 2. the image ------------------------------------------------------------------
bench_image wsc

# --- 3. a fresh lab, and logins as the tutorial does them --------------------------
# Every round gets a lab of its own (new ports, empty registry): Docker remembers
# which repositories of a registry hold a layer and mounts it from there
# instead of uploading it ("Mounted from …"), which Whaleshell does not do, so
# a second push to the same lab would not time the same work on both sides.
fresh_lab() {
  ws lab ecr down >/dev/null || die "lab ecr down failed"
  ws lab ecr up >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; die "lab ecr up failed"; }
  lab_is_up || die "the lab did not come up"
  # The address `lab ecr status` prints: "registry  <acct>.dkr.ecr… → 127.0.0.1:PORT".
  REG=$(grep -oE '→ 127\.0\.0\.1:[0-9]+' "$WORK/status" | grep -oE '127\.0\.0\.1:[0-9]+' || true)
  [ -n "$REG" ] || { cat "$WORK/status" >&2; die "no registry address in lab ecr status"; }
  wsc "aws ecr get-login-password | docker login --username AWS --password-stdin $ECR" >"$WORK/out" 2>&1 ||
    { cat "$WORK/out" >&2; die "whaleshell: get-login-password | docker login failed"; }
  # Real Docker gets a token of its own from the same lab, for the lab's loopback address.
  wsc 'aws ecr get-login-password' 2>/dev/null |
    DOCKER_CONFIG=$WORK/docker-config docker login -u AWS --password-stdin "$REG" >"$WORK/out" 2>&1 ||
    { cat "$WORK/out" >&2; die "docker could not log in to the lab registry $REG"; }
}

# --- 4. push and pull, alternating which side goes first ---------------------------
# Each side pushes to a repository of its own in a fresh lab, created first
# (ECR's rule), so no push finds its layers already there; each pull starts
# with neither the image nor its layers on that side.
ws_round() {
  local r=$1 repo=bench-ws-$1
  wsc "aws ecr create-repository --repository-name $repo" >/dev/null 2>&1 || die "create-repository $repo failed"
  # Back from the archive: the previous round's rmi deleted it (and a stand-in is in no hub).
  wsc "docker load -i $WORK/image.tar" >/dev/null || die "whaleshell could not load $IMAGE"
  wsc "docker tag $IMAGE $ECR/$repo:v1" || die "whaleshell tag failed"
  timed t wsc "docker push $ECR/$repo:v1"; PUSH_WS+=("$t")
  grep -q 'Pushed' "$WORK/out" || { cat "$WORK/out" >&2; die "whaleshell pushed no layer"; }
  wsc "docker rmi $IMAGE $ECR/$repo:v1" >/dev/null || die "whaleshell rmi failed"
  timed t wsc "docker pull $ECR/$repo:v1"; PULL_WS+=("$t")
  wsc "docker rmi $ECR/$repo:v1" >/dev/null || die "whaleshell rmi failed"
  say "round $r: whaleshell push $((PUSH_WS[-1] / 1000000)) ms, pull $((PULL_WS[-1] / 1000000)) ms"
}
dk_round() {
  local r=$1 repo=bench-docker-$1
  wsc "aws ecr create-repository --repository-name $repo" >/dev/null 2>&1 || die "create-repository $repo failed"
  dk load -i "$WORK/image.tar" >/dev/null || die "docker could not load $IMAGE"
  DOCKER_TAGS+=("$IMAGE" "$REG/$repo:v1")
  dk tag "$IMAGE" "$REG/$repo:v1"
  timed t dk push "$REG/$repo:v1"; PUSH_DK+=("$t")
  grep -q 'Pushed' "$WORK/out" || { cat "$WORK/out" >&2; die "docker pushed no layer"; }
  dk rmi -f "$IMAGE" "$REG/$repo:v1" >/dev/null
  timed t dk pull "$REG/$repo:v1"; PULL_DK+=("$t")
  dk rmi -f "$REG/$repo:v1" >/dev/null
  say "round $r: docker push $((PUSH_DK[-1] / 1000000)) ms, pull $((PULL_DK[-1] / 1000000)) ms"
}
# A push without the repository must fail the ECR way on both sides.
fresh_lab
wsc "docker tag $IMAGE $ECR/bench-missing:v1" || die "whaleshell tag failed"
if wsc "docker push $ECR/bench-missing:v1" >"$WORK/out" 2>&1; then die "whaleshell pushed to a repository that does not exist"; fi
grep -q 'name unknown' "$WORK/out" || { cat "$WORK/out" >&2; die "whaleshell's push to a missing repository did not say 'name unknown'"; }
dk load -i "$WORK/image.tar" >/dev/null || die "docker could not load $IMAGE"
DOCKER_TAGS+=("$IMAGE" "$REG/bench-missing:v1")
dk tag "$IMAGE" "$REG/bench-missing:v1"
if dk push "$REG/bench-missing:v1" >"$WORK/out" 2>&1; then die "docker pushed to a repository that does not exist"; fi
grep -q 'name unknown' "$WORK/out" || { cat "$WORK/out" >&2; die "docker's push to a missing repository did not say 'name unknown'"; }
dk rmi -f "$IMAGE" "$REG/bench-missing:v1" >/dev/null
wsc "docker rmi $ECR/bench-missing:v1" >/dev/null || true

PUSH_WS=() PULL_WS=() PUSH_DK=() PULL_DK=()
say "$ECR_ROUNDS rounds of push + rmi + pull of $IMAGE (${SIZE} MB as a saved archive) through the lab, each side"
for r in $(seq 1 "$ECR_ROUNDS"); do
  fresh_lab
  if [ $((r % 2)) -eq 1 ]; then ws_round "$r"; dk_round "$r"; else dk_round "$r"; ws_round "$r"; fi
done

# --- 5. stop everything, check nothing of ours is left ------------------------------
ws lab ecr down >/dev/null || die "lab ecr down failed"
rm -rf "$VENV"
left=$(pgrep -af 'moto|docker-registry|ecr-front' | grep -F -e "$ROOT" -e "$VENV" || true)
[ -z "$left" ] || die "still running after lab ecr down: $left"

echo "ECR lab: moto $MOTO into a new venv ($have_registry)"
awk -v i="$INSTALL_NS" -v s="$START_MED" -v n="$START_ROUNDS" 'BEGIN {
  printf "  lab ecr up, first (install + start)   %8.1f s\n", i / 1e9
  printf "  lab ecr up, installed (start only)    %8.1f s   (median of %d)\n", s / 1e9, n
}'
echo "ECR round trip through the lab (install excluded): $USED, $ECR_ROUNDS rounds each, medians"
row "docker push to ECR lab (${SIZE} MB)" "$(median_ns "${PUSH_WS[@]}")" "$(median_ns "${PUSH_DK[@]}")"
row "docker pull from ECR lab (${SIZE} MB)" "$(median_ns "${PULL_WS[@]}")" "$(median_ns "${PULL_DK[@]}")"
