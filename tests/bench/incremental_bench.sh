#!/usr/bin/env bash
# incremental_bench.sh [--build-dir DIR] [N ...]: one publication after a single Whitelist change
# (`node add`), full derivation vs incremental (registry/publisher/incremental.h), on a registry
# of N providers made by medmij-gen-registry (default: 10000 100000). Prints each timing and the
# median ratio; see medmij-incremental-bench (tests/bench/incremental_bench.cc).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build="$src/build"
sizes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$2"; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) sizes+=("$1") ;;
  esac
  shift
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)

gen="$build/tests/bench/medmij-gen-registry"
bench="$build/tests/bench/medmij-incremental-bench"
for tool in "$gen" "$bench"; do
  command -v "$tool" >/dev/null || { echo "incremental_bench: missing $tool" >&2; exit 2; }
done

work=$(mktemp -d /tmp/medmij-incremental-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
bash "$src/deploy/make-dev-ca.sh" "$work/keys" >/dev/null 2>&1
at=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
for n in "${sizes[@]}"; do
  echo "== $n providers"
  "$gen" --data-dir "$work/n$n" --providers "$n" --at "$at" >/dev/null
  "$bench" --data-dir "$work/n$n" --key "$work/keys/signing.key" --cert "$work/keys/signing.pem" \
    --chain "$work/keys/chain.pem" --at "$at"
  rm -rf "$work/n$n"
done
