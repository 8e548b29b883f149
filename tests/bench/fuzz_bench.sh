#!/usr/bin/env bash
# Longer fuzzing runs than .ci/run's 10 s per target: each target (or the NAMEs given) for the
# time given, one after the other, growing a corpus kept between runs. Prints per target the
# hours and executions reached, the coverage and the corpus size; exit 1 on any crash, leak or
# timeout (the input is kept under BUILD/fuzz-artifacts/).
#
#   tests/bench/fuzz_bench.sh [--minutes M | --hours H] [--build-dir DIR] [--merge] [NAME ...]
#
# Default 10 minutes per target, build dir build-fuzz (configured by scripts/fuzz.sh). The corpus
# grows in BUILD/fuzz-corpus/NAME/; --merge then adds the inputs that reach new coverage to the
# committed seeds (tests/fuzz/corpus/NAME/, review and commit them).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

seconds=600 build_dir="${MEDMIJ_FUZZ_BUILD_DIR:-build-fuzz}" merge=0 names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) seconds=$(( $2 * 60 )); shift ;;
    --hours) seconds=$(awk -v h="$2" 'BEGIN { printf "%d", h * 3600 }'); shift ;;
    --build-dir) build_dir="$2"; shift ;;
    --merge) merge=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "fuzz_bench: unknown option $1" >&2; exit 2 ;;
    *) names+=("$1") ;;
  esac
  shift
done
[ "$seconds" -gt 0 ] || { echo "fuzz_bench: the duration must be positive" >&2; exit 2; }

MEDMIJ_FUZZ_BUILD_DIR="$build_dir" ./scripts/fuzz.sh --build-only >/dev/null
manifest="$build_dir/fuzz-targets.txt"
artifacts="$root/$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=0 total_execs=0 total_seconds=0
while IFS=$'\t' read -r name bin corpus dict; do
  if [ ${#names[@]} -gt 0 ] && ! printf '%s\n' "${names[@]}" | grep -qx "$name"; then continue; fi
  grown="$root/$build_dir/fuzz-corpus/$name"
  mkdir -p "$grown"
  dict_opt=()
  [ -z "$dict" ] || dict_opt=("-dict=$dict")
  log="$root/$build_dir/fuzz-bench-$name.log"
  start=$(date +%s)
  rc=0
  "$bin" "-max_total_time=$seconds" -print_final_stats=1 -timeout=10 "${dict_opt[@]}" \
    "-artifact_prefix=$artifacts/$name-" "$grown" "$corpus" >"$log" 2>&1 || rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
  total_execs=$((total_execs + ${execs:-0})) total_seconds=$((total_seconds + elapsed))
  if [ "$rc" -ne 0 ]; then
    echo "fuzz_bench: $name: FAILED after ${elapsed} s (see $log; input under $artifacts/)" >&2
    failed=1
    continue
  fi
  awk -v n="$name" -v s="$elapsed" -v e="${execs:-0}" -v c="$cov" -v k="$(find "$grown" -type f | wc -l)" \
    'BEGIN { printf "fuzz_bench: %-20s %7.3f h  %12d executions  %8.0f/s  %s  corpus %d  0 crashes\n",
             n, s / 3600, e, (s > 0 ? e / s : 0), c, k }'
  if [ "$merge" -eq 1 ]; then
    "$bin" -merge=1 "$corpus" "$grown" >>"$log" 2>&1
    echo "fuzz_bench: $name: merged into $corpus ($(find "$corpus" -type f | wc -l) seeds)"
  fi
done <"$manifest"
awk -v s="$total_seconds" -v e="$total_execs" \
  'BEGIN { printf "fuzz_bench: total %.3f h, %d executions\n", s / 3600, e }'
exit "$failed"
