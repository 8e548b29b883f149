#!/usr/bin/env bash
# Test-suite health (issue 9): the wall time of `ctest -L 'unit|integration|interop' -j2` and
# the integration label repeated until it fails, to show that no test races another or the clock.
#
#   tests/bench/repeat_bench.sh [BUILD_DIR] [N]   (defaults: build, 20)
#
# Prints the suite's wall time, then the N-fold integration run's wall time and its verdict
# (ctest --repeat until-fail:N stops at the first failure and names it). Exit 0 only when every
# run passed. Not part of ctest or CI: N rounds of the integration label take minutes.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
rounds=${2:-20}
[ -f "$build/CTestTestfile.cmake" ] || { echo "repeat_bench: $build is not a build dir" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "repeat_bench: N must be a positive integer" >&2; exit 2; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Wall seconds of one ctest invocation (its output in $log); the exit code is ctest's.
timed_ctest() {
  local start end rc=0
  start=$(date +%s.%N)
  (cd "$build" && ctest "$@") >"$log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  return "$rc"
}

echo "== ctest -L 'unit|integration|interop' -j2 (cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg))"
suite_rc=0
timed_ctest -L 'unit|integration|interop' -j2 --timeout 600 || suite_rc=$?
grep -E 'tests passed|tests failed' "$log" || true
printf 'suite wall time: %.1f s\n' "$wall"
if [ "$suite_rc" -ne 0 ]; then
  sed -n '/The following tests FAILED/,$p' "$log"
fi

echo "== ctest -L integration -j2 --repeat until-fail:$rounds"
repeat_rc=0
timed_ctest -L integration -j2 --timeout 600 --repeat "until-fail:$rounds" || repeat_rc=$?
grep -E 'tests passed|tests failed' "$log" || true
printf 'integration x%d wall time: %.1f s\n' "$rounds" "$wall"
if [ "$repeat_rc" -ne 0 ]; then
  sed -n '/The following tests FAILED/,$p' "$log"
  echo "repeat_bench: FLAKY (a test failed within $rounds rounds)"
  exit 1
fi
echo "repeat_bench: every integration test passed $rounds rounds in a row"
exit "$suite_rc"
