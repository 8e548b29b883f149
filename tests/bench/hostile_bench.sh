#!/usr/bin/env bash
# Hostile XML against medmij-verify (issue 8 item 6): every case the issue names (and the same 15
# million empty elements outside the signature), each beside a
# genuine signed list of the same size verified in the same run (and the stock xmlsec1 --verify
# on that genuine list, for scale). Goal: each hostile case finishes (refused) in under 2x the
# genuine list's wall time and under 512 MB peak RSS.
#
#   tests/bench/hostile_bench.sh [--build DIR] [--runs R]
#
# Needs the targets medmij-sign, medmij-verify and medmij-hostile-gen built in DIR (default:
# build), xmlsec1 and /usr/bin/time. About a minute; not part of ctest. Exit 1 if a case misses
# the goal.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build" runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--build DIR] [--runs R]" >&2; exit 2 ;;
  esac
  shift
done
sign="$build/signer/medmij-sign" verify="$build/signer/medmij-verify"
gen="$build/tests/bench/medmij-hostile-gen"
for b in "$sign" "$verify" "$gen" /usr/bin/time; do
  [ -x "$b" ] || { echo "hostile_bench: missing $b (build medmij-sign medmij-verify medmij-hostile-gen; apt install time)" >&2; exit 2; }
done
command -v xmlsec1 >/dev/null || { echo "hostile_bench: xmlsec1 not installed" >&2; exit 2; }

work=$(mktemp -d /tmp/medmij-hostile-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$root/deploy/make-dev-ca.sh" "$work/ca" >/dev/null
ca="$work/ca"
signed() {  # signed UNSIGNED OUT
  "$sign" --key "$ca/signing.key" --cert "$ca/signing.pem" --chain "$ca/chain.pem" \
    --list zorgaanbiederslijst "$1" -o "$2"
}

# measure EXPECTED_EXIT CMD...: sets t (best wall s) and r (its peak RSS, KiB) over $runs runs.
measure() {
  local want="$1"; shift
  t="" r=""
  for _ in $(seq "$runs"); do
    local rc=0
    /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || rc=$?
    if [ "$rc" -ne "$want" ]; then
      echo "hostile_bench: expected exit $want, got $rc: $*" >&2; cat "$work/err.txt" >&2; exit 1
    fi
    local tt rr
    read -r tt rr < <(tail -n 1 "$work/time.txt")
    if [ -z "$t" ] || awk -v a="$tt" -v b="$t" 'BEGIN { exit !(a < b) }'; then t=$tt r=$rr; fi
  done
}

ts=2026-11-22T10:00:00Z
# The base of every case: a genuine signed ZAL of about 1 MB.
"$gen" genuine 1000000 "$work/base_unsigned.xml" "$ts"
signed "$work/base_unsigned.xml" "$work/base.xml"

printf '%-18s %10s | %-22s | %-22s | %-12s | %s\n' case bytes "hostile (refused)" \
  "genuine, same size" "xmlsec1 gen." "hostile/genuine"
failed=0
for c in attributes-40k attributes-200k certificates-9000 xmlns-200k signature-15m content-15m; do
  "$gen" "$c" "$work/base.xml" "$work/hostile.xml"
  size=$(stat -c %s "$work/hostile.xml")
  "$gen" genuine "$((size > 4000 ? size - 4000 : size))" "$work/genuine_unsigned.xml" "$ts"
  signed "$work/genuine_unsigned.xml" "$work/genuine.xml"
  measure 1 "$verify" --trust "$ca/ca.pem" "$work/hostile.xml"
  ht=$t hr=$r
  reason=$(sed 's/^medmij-verify: [^:]*: //' "$work/err.txt")
  measure 0 "$verify" --trust "$ca/ca.pem" "$work/genuine.xml"
  gt=$t gr=$r
  measure 0 xmlsec1 --verify --enabled-key-data x509 --trusted-pem "$ca/ca.pem" "$work/genuine.xml"
  xt=$t
  verdict=$(awk -v h="$ht" -v g="$gt" -v m="$hr" 'BEGIN {
    ok = h < 2 * g && m < 512 * 1024; printf "%s", ok ? "ok" : "MISSED" }')
  [ "$verdict" = ok ] || failed=1
  printf '%-18s %10d | %6.2f s %9d KiB | %6.2f s %9d KiB | %6.2f s     | wall %.2f  %s\n' \
    "$c" "$size" "$ht" "$hr" "$gt" "$gr" "$xt" "$(awk -v h="$ht" -v g="$gt" 'BEGIN { print h / g }')" \
    "$verdict"
  echo "    refused: $reason"
done
echo "hostile_bench: goal: hostile < 2x genuine wall and < 512 MB peak RSS; best of $runs"
exit "$failed"
