#!/usr/bin/env bash
# Serving under republication (issue 10.8): wrk runs DURATION against medmij-registry while a
# change is committed every second (medmij-admin node add: a new Whitelist version each time),
# then the same against nginx serving the service's export dir (which the service rewrites on
# every publication) under the same stream of changes. The wrk clients fetch the signed
# Whitelist (changing) and the signed ZAL (10 000 providers) in turn.
#
# Prints per server: requests/s, p50/p90/p99, errors (socket errors and non-2xx/3xx answers: goal
# 0), the Volgnummers served during the run; and the ratio ours/nginx. Meanwhile a sampler
# fetches both lists from the server under test every SAMPLE_MS; after the run every sample is
# checked with the stock xmlsec1 --verify against the dev CA, Content-Length against the bytes
# received, and the Volgnummers for never going back.
#
#   tests/bench/republish_bench.sh [BUILD_DIR]
#   env: DURATION=60s CONNS=8 THREADS=2 PROVIDERS=10000 SAMPLE_MS=500
# Needs: wrk, nginx, curl, xmlsec1.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
duration=${DURATION:-60s}
conns=${CONNS:-8}
threads=${THREADS:-2}
providers=${PROVIDERS:-10000}
sample_ms=${SAMPLE_MS:-500}
for tool in wrk nginx curl xmlsec1; do
  command -v "$tool" >/dev/null || { echo "republish_bench: $tool is not installed" >&2; exit 2; }
done
admin="$build/admin-cli/medmij-admin"

bench_name=republish_bench
# shellcheck source=tests/bench/http_bench_lib.sh
source "$src/tests/bench/http_bench_lib.sh"

wl=/signed/MedMij_Whitelist.xml
zal=/signed/MedMij_Zorgaanbiederslijst.xml
# wrk: the two lists in turn on every connection.
wrk_script="$work/alternate.lua"
cat >"$wrk_script" <<LUA
local paths = { "$wl", "$zal" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % 2) + 1])
end
LUA

dva=$("$admin" --data-dir "$work/data" participant list | awk 'NR > 1 && $2 ~ /dva/ && !found { print $1; found = 1 }')
[ -n "$dva" ] || { echo "republish_bench: no DVA in the generated registry" >&2; exit 1; }
volgnummer() { sed -n 's:.*<Volgnummer>\([0-9]*\)</Volgnummer>.*:\1:p' "$1" | head -n 1; }

# under NAME BASE_URL: wrk with a change a second and the sampler; prints the figures.
under() {
  local name=$1 base=$2
  local dir="$work/samples-$name"
  mkdir -p "$dir"
  local seconds=${duration%s}
  # One change a second, from the admin CLI as an operator would.
  (
    for i in $(seq 1 "$seconds"); do
      "$admin" --data-dir "$work/data" --operator bench node add "$dva" \
        "n$i-$name.$dva.example.nl" >/dev/null
      sleep 1
    done
  ) &
  local changer=$!
  # The sampler: both lists, with the headers, every SAMPLE_MS.
  (
    local k=0 end=$((SECONDS + seconds))
    while [ "$SECONDS" -lt "$end" ]; do
      k=$((k + 1))
      for p in "$wl" "$zal"; do
        local f
        f="$dir/$(printf '%05d' "$k")-$(basename "$p")"
        curl -sS -D "$f.headers" -o "$f" "$base$p" || echo "curl failed" >"$f.failed"
      done
      sleep "$(awk -v m="$sample_ms" 'BEGIN { print m / 1000 }')"
    done
  ) &
  local sampler=$!
  local figures
  figures=$(run "$base$wl")
  wait "$changer" "$sampler"
  # Check every sample: whole (Content-Length), verifying, Volgnummer never going back.
  local samples=0 bad=0 last_wl=0 last_zal=0 first_wl="" v
  for f in "$dir"/*.xml; do
    samples=$((samples + 1))
    local declared
    declared=$(tr -d '\r' <"$f.headers" | awk -F': ' 'tolower($1)=="content-length"{print $2}')
    if [ -e "$f.failed" ] || [ "$declared" != "$(wc -c <"$f")" ]; then
      echo "   $name: $(basename "$f") is not whole" >&2
      bad=$((bad + 1))
      continue
    fi
    if ! xmlsec1 --verify --enabled-key-data x509 --trusted-pem "$work/pki/ca.pem" \
      --untrusted-pem "$work/pki/chain.pem" "$f" >/dev/null 2>&1; then
      echo "   $name: $(basename "$f") does not verify" >&2
      bad=$((bad + 1))
      continue
    fi
    v=$(volgnummer "$f")
    case "$f" in
      *Whitelist.xml)
        [ -n "$first_wl" ] || first_wl=$v
        if [ "$v" -lt "$last_wl" ]; then echo "   $name: Whitelist went back to $v" >&2; bad=$((bad + 1)); fi
        last_wl=$v ;;
      *)
        if [ "$v" -lt "$last_zal" ]; then echo "   $name: ZAL went back to $v" >&2; bad=$((bad + 1)); fi
        last_zal=$v ;;
    esac
  done
  echo "$figures $samples $bad $first_wl $last_wl" >"$work/result-$name"
}

echo "== $duration of wrk -t$threads -c$conns (signed Whitelist and ZAL in turn, $providers providers) with a Whitelist change every second ($(nproc) cores shared)"
under registry "http://127.0.0.1:$svc_port"
under nginx "http://127.0.0.1:$nginx_port"

echo
status=0
for name in registry nginx; do
  read -r rps p50 p90 p99 errors samples bad first last <"$work/result-$name"
  printf '%-9s %9s req/s  p50 %8s ms  p90 %8s ms  p99 %8s ms  errors %s  samples %s (%s bad)  Whitelist Volgnummer %s -> %s\n' \
    "$name" "$rps" "$p50" "$p90" "$p99" "$errors" "$samples" "$bad" "$first" "$last"
  if [ "$name" = registry ] && { [ "$errors" != 0 ] || [ "$bad" != 0 ] || [ "$samples" = 0 ]; }; then status=1; fi
done
read -r o_rps _ _ o99 o_err _ o_bad _ <"$work/result-registry"
read -r n_rps _ _ n99 _ _ _ _ <"$work/result-nginx"
awk -v o="$o_rps" -v n="$n_rps" -v o99="$o99" -v n99="$n99" -v e="$o_err" -v b="$o_bad" 'BEGIN {
  printf "ratio ours/nginx: throughput %.2f, p99 latency %.2f; registry: %d errors, %d bad samples %s\n",
    o / n, o99 / n99, e, b, (e == 0 && b == 0 ? "(goal met: 0 errors, every sample whole and verifying)" : "(GOAL MISSED)") }'
exit "$status"
