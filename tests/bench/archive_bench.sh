#!/usr/bin/env bash
# Archive benchmark (issue 10 point 6): what one one-provider change adds to the LMDB map once
# the archive compactor has re-encoded the previous version (keyframes and deltas), against the
# ZAL's own size (goal: at most 1 %), and the time to fetch an old version (two zstd decodes)
# beside the stock `zstd -d` of the same version compressed whole, in the same run.
#
#   archive_bench.sh [--build-dir DIR] [--changes C] [N ...]     (default N: 10000 100000)
#
# Needs zstd and the targets medmij-gen-registry and medmij-publish-bench.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build="$src/build"
changes=4
sizes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$2"; shift ;;
    --changes) changes="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) sizes+=("$1") ;;
  esac
  shift
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)

gen="$build/tests/bench/medmij-gen-registry"
pub="$build/tests/bench/medmij-publish-bench"
for tool in "$gen" "$pub" zstd; do
  command -v "$tool" >/dev/null || { echo "archive_bench: missing $tool" >&2; exit 2; }
done

work=$(mktemp -d /tmp/medmij-archive-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
bash "$src/deploy/make-dev-ca.sh" "$work/keys" >/dev/null 2>&1
at=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)

for n in "${sizes[@]}"; do
  d="$work/n$n"
  mkdir -p "$d"
  "$gen" --data-dir "$d/db" --providers "$n" --at "$at" >/dev/null
  echo "== $n providers, $changes one-provider changes"
  "$pub" archive --data-dir "$d/db" --key "$work/keys/signing.key" \
    --cert "$work/keys/signing.pem" --chain "$work/keys/chain.pem" --at "$at" \
    --out-dir "$d" --changes "$changes" | tee "$d/ours.txt" | grep -v '^stored ZAL' || true
  grep '^stored ZAL' "$d/ours.txt" | tail -n 4
  ours_ms=$(sed -n 's/^fetch old version [0-9]*: \([0-9.]*\) ms$/\1/p' "$d/ours.txt")
  zstd -q -3 -f "$d/old.xml" -o "$d/old.xml.zst"
  start=$(date +%s%N)
  zstd -q -d -c "$d/old.xml.zst" >/dev/null
  zstd_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  awk -v o="$ours_ms" -v z="$zstd_ms" -v s="$(stat -c %s "$d/old.xml.zst")" \
    'BEGIN { printf "stock zstd -d of the same version (%d bytes compressed): %d ms; ours / zstd = %.2f\n", s, z, (z > 0 ? o / z : 0) }'
done
