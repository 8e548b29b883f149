#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang-14 with ASan and UBSan, a build directory of
# their own; the normal build stays g++), replays each target's seed corpus, then fuzzes each
# target for SECONDS on new inputs. Exit 0 only when nothing crashed, leaked or timed out.
#
#   scripts/fuzz.sh [--seconds N] [--build-dir DIR] [--only NAME] [--build-only]
#                                                               (default: 10 s, build-fuzz)
#
# New inputs go to a temporary directory (the committed corpora stay as they are); a crashing
# input is kept in DIR/fuzz-artifacts/ and its path printed. tests/bench/fuzz_bench.sh runs
# longer. .ci/run calls this after the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=10 build_dir="${MEDMIJ_FUZZ_BUILD_DIR:-build-fuzz}" only="" build_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --build-dir) build_dir="$2"; shift ;;
    --only) only="$2"; shift ;;
    --build-only) build_only=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--seconds N] [--build-dir DIR] [--only NAME] [--build-only]" >&2; exit 2 ;;
  esac
  shift
done
for tool in clang-14 clang++-14; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool missing (scripts/install-deps.sh)" >&2; exit 2; }
done

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# Warnings are the g++ build's business (MEDMIJ_WERROR there); this build only fuzzes.
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMEDMIJ_FUZZ=ON -DMEDMIJ_WERROR=OFF "${launcher[@]}" >/dev/null
# --only NAME builds that target alone (the manifest lists every target either way).
cmake --build "$build_dir" -j"$(nproc)" --target "${only:+fuzz_}${only:-fuzz}"
[ "$build_only" -eq 0 ] || exit 0
case "$seconds" in ''|*[!0-9]*|0) echo "fuzz: --seconds must be a positive number" >&2; exit 2 ;; esac

manifest="$build_dir/fuzz-targets.txt"
artifacts="$root/$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d /tmp/medmij-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=0 ran=0
while IFS=$'\t' read -r name bin corpus dict; do
  [ -z "$only" ] || [ "$name" = "$only" ] || continue
  ran=$((ran + 1))
  dict_opt=()
  [ -z "$dict" ] || dict_opt=("-dict=$dict")
  inputs=$(find "$corpus" -type f | wc -l)
  if ! "$bin" -runs=0 "-artifact_prefix=$artifacts/$name-" "$corpus" >"$work/$name.replay" 2>&1; then
    echo "fuzz: $name: replaying $corpus FAILED:" >&2
    tail -n 30 "$work/$name.replay" >&2
    failed=1
    continue
  fi
  mkdir -p "$work/$name"
  if "$bin" "-max_total_time=$seconds" -print_final_stats=1 -timeout=10 "${dict_opt[@]}" \
      "-artifact_prefix=$artifacts/$name-" "$work/$name" "$corpus" >"$work/$name.log" 2>&1; then
    execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$work/$name.log")
    grown=$(find "$work/$name" -type f | wc -l)
    echo "fuzz: $name: replayed $inputs seeds; ${seconds} s, ${execs:-?} executions, $grown new inputs, 0 crashes"
  else
    echo "fuzz: $name: FAILED (input kept under $artifacts/):" >&2
    grep -E "ERROR|SUMMARY|artifact|[a-z0-9]_fuzz: |c14n_differential|==[0-9]+==" "$work/$name.log" | head -n 20 >&2
    failed=1
  fi
done <"$manifest"
[ "$ran" -gt 0 ] || { echo "fuzz: no target ${only:+named $only }in $manifest" >&2; exit 2; }
exit "$failed"
