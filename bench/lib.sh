# Helpers the image and ECR benches share. Source it after defining $WORK
# (where `timed` keeps a command's output), `say` and `die`.

# timed VAR CMD...: runs CMD (its output to $WORK/out), stores its wall time in ns.
timed() {
  local -n into=$1
  shift
  local start end
  start=$(date +%s%N)
  "$@" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; die "'$*' failed"; }
  end=$(date +%s%N)
  into=$((end - start))
}

median_ns() {
  printf '%s\n' "$@" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.0f\n", v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# row LABEL WS_NS DOCKER_NS [TARGET]: one line of the table, with the ratio.
row() {
  awk -v l="$1" -v w="$2" -v d="$3" -v t="${4:-}" 'BEGIN {
    printf "%-34s whaleshell %8.1f ms   docker %8.1f ms   ratio %.2fx", l, w / 1e6, d / 1e6, w / d
    if (t != "") printf "  (target: %s)", t
    printf "\n"
  }'
}

# bench_image RUN...: the push/pull image, debian:bookworm from the hub, else a
# stand-in of similar size; RUN runs one whaleshell line (e.g. `ws "$root"`).
# Sets IMAGE and USED and saves the image to $WORK/image.tar (size in SIZE, MB).
bench_image() {
  if "$@" 'docker pull debian:bookworm' >"$WORK/out" 2>&1; then
    IMAGE=debian:bookworm
    USED="debian:bookworm from the offline hub"
  else
    say "the hub has no debian:bookworm here: building a stand-in of similar size"
    mkdir -p "$WORK/standin"
    printf 'FROM busybox\n' >"$WORK/standin/Dockerfile"
    for i in 1 2 3 4; do printf 'RUN head -c 25000000 /dev/urandom > /blob%s\n' "$i" >>"$WORK/standin/Dockerfile"; done
    "$@" "docker build -q -t bench-standin:v1 $WORK/standin" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; die "could not build the stand-in"; }
    IMAGE=bench-standin:v1
    USED="a stand-in (busybox + 4 layers of 25 MB of random bytes): the hub has no debian:bookworm"
  fi
  "$@" "docker save -o $WORK/image.tar $IMAGE" || die "whaleshell could not save $IMAGE"
  SIZE=$(du -m "$WORK/image.tar" | cut -f1)
}
