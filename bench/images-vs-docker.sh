#!/usr/bin/env bash
# Benchmark rows for images, Whaleshell vs. a real Docker engine in one run:
# a 6-step Dockerfile built cold (--no-cache; Whaleshell on a fresh state root)
# and cached (the same build again), then pushing and pulling one image
# through a local docker-registry (scripts/registry.sh). Prints each median
# and the ratio next to its target.
#
#   sudo bench/images-vs-docker.sh      (bench/run-vs-docker.sh calls it at its end)
#   sudo BUILD_ROUNDS=5 REGISTRY_PORT=5055 bench/images-vs-docker.sh
#
# Needs a built target/release/whaleshell and a Docker engine that answers;
# run-vs-docker.sh provides both. The push/pull image is debian:bookworm when
# the offline hub offers it, else a stand-in of about the same size (100 MB of
# random bytes in four layers); it goes into Docker by `docker save`/`load` so
# both sides move the same bytes. Docker's classic builder is used (as
# Whaleshell's output copies it). The registry is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "bench/images-vs-docker.sh needs root: run it with sudo" >&2; exit 1; }
BUILD_ROUNDS=${BUILD_ROUNDS:-3}
case $BUILD_ROUNDS in '' | *[!0-9]* | 0) echo "BUILD_ROUNDS must be a positive integer, got '$BUILD_ROUNDS'" >&2; exit 1 ;; esac
PORT=${REGISTRY_PORT:-5055}
WS=target/release/whaleshell
REG=127.0.0.1:$PORT
export DOCKER_BUILDKIT=0

say() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }
[ -x "$WS" ] || die "$WS is missing: cargo build --release"
docker info >/dev/null 2>&1 || die "no Docker engine answers (bench/run-vs-docker.sh starts one)"

WORK=$(mktemp -d /tmp/whaleshell-bench-images.XXXXXX)
# An empty registry each run: layers left by an earlier run would make both pushes "already exists".
export WHALESHELL_REGISTRY_STATE=$WORK/registry
REGISTRY_STARTED=""
DOCKER_TAGS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ ${#DOCKER_TAGS[@]} -eq 0 ] || docker rmi -f "${DOCKER_TAGS[@]}" >/dev/null 2>&1 || true
  [ -z "$REGISTRY_STARTED" ] || scripts/registry.sh stop || true
  for root in "$WORK"/root-*; do
    [ ! -d "$root" ] || "$WS" --root "$root" -c 'docker rm -f $(docker ps -aq)' </dev/null >/dev/null 2>&1 || true
  done
  if grep -qF "$WORK" /proc/mounts; then say "still mounted under $WORK: leaving it"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ws ROOT LINE: one whaleshell line on a state root, logins kept in $WORK.
ws() { DOCKER_CONFIG=$WORK/ws-config "$WS" --root "$1" -c "$2" </dev/null; }
dk() { DOCKER_CONFIG=$WORK/docker-config docker "$@" </dev/null; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fresh_root() { # a new state root with busybox in it
  local root
  root=$(mktemp -d "$WORK/root-XXXXXX")
  ws "$root" 'docker pull busybox' >/dev/null || die "whaleshell could not pull busybox"
  echo "$root"
}

# --- builds: cold and cached ---------------------------------------------------
CTX=$WORK/ctx
mkdir -p "$CTX"
head -c 2000000 /dev/urandom >"$CTX/data.bin"
cat >"$CTX/Dockerfile" <<'EOF'
FROM busybox
ENV GREETING=hello
WORKDIR /app
COPY data.bin /app/
RUN head -c 5000000 /dev/urandom > /app/random && echo "$GREETING" > /app/hello
CMD ["cat", "/app/hello"]
EOF
COLD_WS=() COLD_DK=() CACHED_WS=() CACHED_DK=()
DOCKER_TAGS+=(bench-build:v1)
say "$BUILD_ROUNDS rounds of a 6-step build, cold then cached, on each side"
for _ in $(seq 1 "$BUILD_ROUNDS"); do
  root=$(fresh_root)
  timed t ws "$root" "docker build --no-cache -t bench-build:v1 $CTX"; COLD_WS+=("$t")
  timed t ws "$root" "docker build -t bench-build:v1 $CTX"; CACHED_WS+=("$t")
  grep -q "Using cache" "$WORK/out" || die "whaleshell's second build used no cache"
  timed t dk build --no-cache -t bench-build:v1 "$CTX"; COLD_DK+=("$t")
  timed t dk build -t bench-build:v1 "$CTX"; CACHED_DK+=("$t")
  grep -q "Using cache" "$WORK/out" || die "docker's second build used no cache"
done

# --- the image to push and pull ------------------------------------------------
src=$(fresh_root)
bench_image ws "$src"
dk load -i "$WORK/image.tar" >/dev/null || die "docker could not load $IMAGE"
DOCKER_TAGS+=("$IMAGE")

# --- push and pull through a local registry ---------------------------------------
scripts/registry.sh start "$PORT" >/dev/null
REGISTRY_STARTED=1
for _ in $(seq 1 40); do
  curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/" | grep -q 401 && break
  sleep 0.25
done
echo s3cret | DOCKER_CONFIG=$WORK/ws-config "$WS" --root "$src" -c "docker login -u learner --password-stdin $REG" >/dev/null 2>&1 ||
  die "whaleshell could not log in to $REG"
echo s3cret | DOCKER_CONFIG=$WORK/docker-config docker login -u learner --password-stdin "$REG" >/dev/null 2>&1 || die "docker could not log in to $REG"

# Each side pushes to a repository of its own, so neither finds the other's layers there.
ws "$src" "docker tag $IMAGE $REG/bench/ws:v1" || die "whaleshell tag failed"
dk tag "$IMAGE" "$REG/bench/docker:v1"
DOCKER_TAGS+=("$REG/bench/docker:v1")
say "pushing $IMAGE (${SIZE} MB as a saved archive) from each side"
timed PUSH_WS ws "$src" "docker push $REG/bench/ws:v1"
timed PUSH_DK dk push "$REG/bench/docker:v1"

# Pulls into stores that lack every layer: a fresh root, and Docker without the image.
say "pulling it back on each side"
empty=$(mktemp -d "$WORK/root-XXXXXX")
timed PULL_WS ws "$empty" "docker pull $REG/bench/ws:v1"
dk rmi -f "$IMAGE" "$REG/bench/docker:v1" >/dev/null
timed PULL_DK dk pull "$REG/bench/docker:v1"

echo "images: 6-step build ($BUILD_ROUNDS rounds each, medians); push and pull of $USED, once each"
row "docker build --no-cache (cold)" "$(median_ns "${COLD_WS[@]}")" "$(median_ns "${COLD_DK[@]}")" "at most 0.5x"
row "docker build (cached)" "$(median_ns "${CACHED_WS[@]}")" "$(median_ns "${CACHED_DK[@]}")" "at most 0.3x"
row "docker push (${SIZE} MB)" "$PUSH_WS" "$PUSH_DK" "none"
row "docker pull (${SIZE} MB)" "$PULL_WS" "$PULL_DK" "at most 1.0x"
