# Helpers the image and ECR benches share. Source it after defining $WORK
# (where `timed` keeps a command's output) and `die`.

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
