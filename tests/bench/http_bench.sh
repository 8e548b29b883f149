#!/usr/bin/env bash
# HTTP benchmark: medmij-registry against nginx serving the same ZAL (10 000 providers) on
# loopback, with wrk: full downloads and If-None-Match revalidations (304) of the strict form (what
# the official name serves), of the signed form, and of the gzip representation (the service's,
# prepared at publication, against nginx gzip_static serving the same pre-compressed bytes); and
# the public register's overview page, against nginx serving the exported index.html.
# Prints requests/s and latency percentiles per run, and per case the median over ROUNDS of the
# ratio ours/nginx (goal: >= 1.0 on every case). The two servers take turns in every round, so
# load from elsewhere on the machine falls on both alike.
#
#   tests/bench/http_bench.sh [BUILD_DIR]   (default: build)
#   env: DURATION=5s ROUNDS=3 CONNS=8 THREADS=2 PROVIDERS=10000 CASES="strict signed ..."
#
# nginx runs deploy/nginx/medmij-registry.conf (export dir served as static files, same caching
# headers); both servers get 2 workers. Needs: wrk, nginx, curl, gzip.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
duration=${DURATION:-5s}
rounds=${ROUNDS:-3}
conns=${CONNS:-8}
threads=${THREADS:-2}
providers=${PROVIDERS:-10000}
for tool in wrk nginx curl gzip; do
  command -v "$tool" >/dev/null || { echo "http_bench: $tool is not installed" >&2; exit 2; }
done

bench_name=http_bench
# shellcheck source=tests/bench/http_bench_lib.sh
source "$src/tests/bench/http_bench_lib.sh"

zal=/MedMij_Zorgaanbiederslijst.xml
ours="http://127.0.0.1:$svc_port"
theirs="http://127.0.0.1:$nginx_port"
# The gzip representation comes a moment after the plain one; nginx gets the same bytes as its
# gzip_static files.
for _ in $(seq 1 300); do
  curl -sI -H 'Accept-Encoding: gzip' "$ours$zal" | tr -d '\r' | grep -qi '^content-encoding: gzip' && break
  sleep 0.1
done
for p in "$zal" "/signed$zal"; do
  curl -sS -o "$work/ours.xml" "$ours$p"
  curl -sS -o "$work/nginx.xml" "$theirs$p"
  cmp -s "$work/ours.xml" "$work/nginx.xml" || { ls -l "$work"/*.xml >&2; echo "http_bench: nginx and the service serve different bytes for $p" >&2; exit 1; }
  curl -sS -H 'Accept-Encoding: gzip' -o "$work/export$p.gz" "$ours$p"
  gzip -dc "$work/export$p.gz" | cmp -s - "$work/ours.xml" || { echo "http_bench: the gzip representation of $p is not the list" >&2; exit 1; }
  curl -sS -H 'Accept-Encoding: gzip' -o "$work/nginx.gz" "$theirs$p"
  cmp -s "$work/nginx.gz" "$work/export$p.gz" || { echo "http_bench: nginx does not serve the .gz file for $p" >&2; exit 1; }
done
curl -sS -o "$work/ours.html" "$ours/"
curl -sS -o "$work/nginx.html" "$theirs/"
cmp -s "$work/ours.html" "$work/nginx.html" || { echo "http_bench: nginx and the service serve different bytes for /" >&2; exit 1; }
size=$(wc -c <"$work/ours.xml")
gz_size=$(wc -c <"$work/export$zal.gz")
# etag URL [HEADER]
etag() { curl -sI ${2:+-H "$2"} "$1" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}'; }
gz='Accept-Encoding: gzip'
# nginx must serve the file itself, not proxy it: its ETag is its own (mtime-size).
[ "$(etag "$ours$zal")" != "$(etag "$theirs$zal")" ] || { echo "http_bench: nginx proxied the list instead of serving the file" >&2; exit 1; }

# case NAME PATH [HEADER] [conditional]: one line per case; conditional ones send the server's
# own ETag for that representation in If-None-Match and must get 304.
cases=()
declare -A case_path case_header case_cond
add_case() { cases+=("$1"); case_path[$1]=$2; case_header[$1]=${3:-}; case_cond[$1]=${4:-}; }
add_case strict "$zal"
add_case signed "/signed$zal"
add_case gzip "$zal" "$gz"
add_case gzip_signed "/signed$zal" "$gz"
add_case strict_304 "$zal" "" 304
add_case signed_304 "/signed$zal" "" 304
add_case gzip_304 "$zal" "$gz" 304
# The public register's overview (issue 13: a page costs what a list costs): prepared at
# publication like the lists, against nginx serving the exported index.html.
add_case page "/"
add_case page_304 "/" "" 304
selected=${CASES:-${cases[*]}}
echo "== ZAL: strict $size bytes, gzip $gz_size bytes; wrk -t$threads -c$conns -d$duration on 127.0.0.1 ($(nproc) cores shared), $rounds rounds"

# one SERVER_URL CASE PIDS... -> the run's figures and the server's CPU ms per request
one() {
  local base=$1 name=$2
  shift 2
  local path=${case_path[$name]} header=${case_header[$name]} cond=${case_cond[$name]} inm=""
  if [ -n "$cond" ]; then
    local tag
    tag=$(etag "$base$path" "$header")
    [ "$(curl -s -o /dev/null -w '%{http_code}' ${header:+-H "$header"} -H "If-None-Match: $tag" "$base$path")" = 304 ] || { echo "http_bench: no 304 for $name at $base" >&2; exit 1; }
    inm="If-None-Match: $tag"
  fi
  local before after figures
  before=$(ticks "$@")
  figures=$(run "$base$path" "$header" "$inm")
  after=$(ticks "$@")
  [ "${figures##* }" = 0 ] || { tail -n 20 "$work/wrk.log" >&2; echo "http_bench: errors from $base$path ($name)" >&2; exit 1; }
  awk -v f="$figures" -v t=$((after - before)) -v c="$clk" -v d="${duration%s}" 'BEGIN {
    split(f, a, " "); printf "%s %s %s %s %.4f\n", a[1], a[2], a[3], a[4], (a[1] > 0 ? 1000 * t / c / (a[1] * d) : 0) }'
}

for r in $(seq 1 "$rounds"); do
  for name in $selected; do
    o=$(one "$ours" "$name" "$svc_pid")
    # shellcheck disable=SC2086
    n=$(one "$theirs" "$name" $nginx_pids)
    read -r o_rps o50 o90 o99 o_cpu <<<"$o"
    read -r n_rps n50 n90 n99 n_cpu <<<"$n"
    printf 'round %d %-12s ours %9s req/s p50 %7s p99 %7s ms %7s cpu-ms/req | nginx %9s req/s p50 %7s p99 %7s ms %7s cpu-ms/req | %s\n' \
      "$r" "$name" "$o_rps" "$o50" "$o99" "$o_cpu" "$n_rps" "$n50" "$n99" "$n_cpu" \
      "$(awk -v o="$o_rps" -v n="$n_rps" 'BEGIN { printf "%.2f", o / n }')"
    echo "$name $(awk -v o="$o_rps" -v n="$n_rps" 'BEGIN { printf "%.4f", o / n }') $(awk -v o="$o_cpu" -v n="$n_cpu" 'BEGIN { printf "%.4f", (o > 0 ? n / o : 0) }')" >>"$work/ratios"
  done
done

echo
echo "median over $rounds rounds: requests/s ours/nginx (the goal), and CPU efficiency (nginx's CPU per request / ours):"
median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f (min %.2f, max %.2f)", m, v[1], v[NR] }'; }
for name in $selected; do
  thr=$(awk -v n="$name" '$1 == n { print $2 }' "$work/ratios" | median)
  eff=$(awk -v n="$name" '$1 == n { print $3 }' "$work/ratios" | median)
  printf '  %-12s throughput %s %-14s  cpu efficiency %s\n' "$name" "$thr" \
    "$(awk -v m="${thr%% *}" 'BEGIN { print (m >= 1.0 ? "goal met" : "below goal 1.0") }')" "$eff"
done
