#!/usr/bin/env bash
# Publication benchmark (issue 3 point 6): our full ZAL publication (snapshot, derive, build,
# validate, sign, archive) against the stock `xmlsec1 --sign` of the same document with the same
# key, side by side on the same data. Prints wall time and peak RSS of each and the ratios
# (ours / xmlsec1; <= 1.0 is the goal).
#
#   publish_bench.sh [--build-dir DIR] [--phases] [N ...]     (default N: 10000 100000)
#
# --phases adds a per-step breakdown of our publication (what dominates). Needs /usr/bin/time
# (Debian package `time`), xmlsec1, and the targets medmij-gen-registry and medmij-publish-bench.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build="$src/build"
phases=0
sizes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$2"; shift ;;
    --phases) phases=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) sizes+=("$1") ;;
  esac
  shift
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)

gen="$build/tests/bench/medmij-gen-registry"
pub="$build/tests/bench/medmij-publish-bench"
for tool in "$gen" "$pub" /usr/bin/time xmlsec1; do
  command -v "$tool" >/dev/null || { echo "publish_bench: missing $tool" >&2; exit 2; }
done

work=$(mktemp -d /tmp/medmij-publish-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
bash "$src/deploy/make-dev-ca.sh" "$work/keys" >/dev/null 2>&1
key="$work/keys/signing.key" cert="$work/keys/signing.pem" chain="$work/keys/chain.pem"
ca="$work/keys/ca.pem"
at=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)

# "<seconds> <peak RSS KB>" of a command; its own output goes to $work/last.out.
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/last.out" 2>&1 || {
    echo "publish_bench: failed: $*" >&2; cat "$work/last.out" >&2; exit 1; }
  cat "$work/time"
}

printf '%-8s %9s | %9s %9s | %9s %9s | %6s %6s\n' providers "ZAL MB" "ours s" "ours MB" \
  "xmlsec1 s" "xmlsec MB" "t" "rss"
for n in "${sizes[@]}"; do
  d="$work/n$n"
  mkdir -p "$d"
  "$gen" --data-dir "$d/db" --providers "$n" --at "$at" >/dev/null
  read -r ours_s ours_kb < <(measure "$pub" publish --data-dir "$d/db" --key "$key" \
    --cert "$cert" --chain "$chain" --at "$at")
  "$pub" extract --data-dir "$d/db" --out-dir "$d" >/dev/null
  read -r x_s x_kb < <(measure xmlsec1 --sign --privkey-pem "$key,$cert,$chain" \
    --output "$d/zal.xmlsec.xml" "$d/zal.template.xml")
  # Both results must verify against the CA, or the comparison means nothing.
  for f in "$d/zal.signed.xml" "$d/zal.xmlsec.xml"; do
    xmlsec1 --verify --enabled-key-data x509 --trusted-pem "$ca" "$f" >/dev/null 2>&1 || {
      echo "publish_bench: $f does not verify" >&2; exit 1; }
  done
  mb=$(stat -c %s "$d/zal.signed.xml")
  awk -v n="$n" -v b="$mb" -v os="$ours_s" -v ok="$ours_kb" -v xs="$x_s" -v xk="$x_kb" 'BEGIN {
    printf "%-8s %9.1f | %9.2f %9.0f | %9.2f %9.0f | %6.2f %6.2f\n", n, b/1e6, os, ok/1024,
      xs, xk/1024, (xs > 0 ? os/xs : 0), ok/xk }'
  if [ "$phases" -eq 1 ]; then
    "$pub" phases --data-dir "$d/db" --key "$key" --cert "$cert" --chain "$chain" --at "$at" |
      sed 's/^/    /'
  fi
  rm -rf "$d"
done
