#!/usr/bin/env bash
# HTTP benchmark: medmij-registry against nginx serving the same ZAL (10 000 providers; the strict
# form its official name serves) on
# loopback, with wrk. Full downloads and If-None-Match revalidations (304); prints requests/s,
# latency percentiles and the ratio ours/nginx (goal: >= 1.0 on both).
#
#   tests/bench/http_bench.sh [BUILD_DIR]   (default: build)   env: DURATION=10s CONNS=8 THREADS=2
#
# nginx runs deploy/nginx/medmij-registry.conf (export dir served as static files, same caching
# headers); both servers get 2 workers. Needs: wrk, nginx, curl.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
duration=${DURATION:-10s}
conns=${CONNS:-8}
threads=${THREADS:-2}
providers=${PROVIDERS:-10000}
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "http_bench: $tool is not installed" >&2; exit 2; }
done

work=$(mktemp -d)
svc_pid="" nginx_pid=""
cleanup() {
  [ -n "$svc_pid" ] && kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  if [ -n "${KEEP_LOGS:-}" ]; then for f in "$work/nginx/logs/error.log" "$work/registry.err"; do echo "== $f" >&2; tail -n 20 "$f" >&2 || true; done; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== preparing a registry with $providers providers"
"$build/tests/bench/medmij-gen-registry" --data-dir "$work/data" --providers "$providers" >/dev/null
bash "$src/deploy/make-dev-ca.sh" --ec "$work/pki" >/dev/null
mkdir -p "$work/export"
# nginx workers (www-data when started as root) must be able to read the export dir.
chmod 755 "$work" "$work/export"
svc_port=$(free_port)
cat >"$work/registry.toml" <<TOML
[server]
listen = "127.0.0.1:$svc_port"
threads = 2
[storage]
data_dir = "$work/data"
[signing]
key = "$work/pki/signing.key"
certificate = "$work/pki/signing.pem"
chain = "$work/pki/chain.pem"
[publish]
max_age_s = 60
export_dir = "$work/export"
TOML
"$build/registry/service/medmij-registry" --config "$work/registry.toml" 2>"$work/registry.err" &
svc_pid=$!
for _ in $(seq 1 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$svc_port/healthz" && break
  sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$svc_port/healthz" || { cat "$work/registry.err"; exit 1; }

nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
sed -e "s|listen 80;|listen 127.0.0.1:$nginx_port;|" \
    -e "s|root /var/www/medmij-lists;|root $work/export;|" \
    -e "s|server 127.0.0.1:8080;|server 127.0.0.1:$svc_port;|" \
    "$src/deploy/nginx/medmij-registry.conf" >"$work/nginx/site.conf"
n="$work/nginx"
cat >"$n/nginx.conf" <<CONF
worker_processes 2;
pid $n/nginx.pid;
error_log $n/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  client_body_temp_path $n/body; proxy_temp_path $n/proxy; fastcgi_temp_path $n/fcgi;
  uwsgi_temp_path $n/uwsgi; scgi_temp_path $n/scgi;
  include $n/site.conf;
}
CONF
nginx -p "$n" -c "$n/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/MedMij_Zorgaanbiederslijst.xml" && break
  sleep 0.1
done

path=/MedMij_Zorgaanbiederslijst.xml
ours="http://127.0.0.1:$svc_port$path"
theirs="http://127.0.0.1:$nginx_port$path"
curl -sS -o "$work/ours.xml" "$ours"
curl -sS -o "$work/nginx.xml" "$theirs"
size=$(wc -c <"$work/ours.xml")
cmp "$work/ours.xml" "$work/nginx.xml" || { ls -l "$work"/*.xml >&2; echo "http_bench: nginx and the service serve different bytes" >&2; exit 1; }
etag() { curl -sI "$1" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}'; }
ours_etag=$(etag "$ours")
theirs_etag=$(etag "$theirs")
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ours_etag" "$ours")" = 304 ]
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $theirs_etag" "$theirs")" = 304 ]
# nginx must serve the file itself, not proxy it: its ETag is its own (mtime-size).
[ "$ours_etag" != "$theirs_etag" ] || { echo "http_bench: nginx proxied the list instead of serving the file" >&2; exit 1; }
echo "== ZAL: $size bytes; wrk -t$threads -c$conns -d$duration on 127.0.0.1 ($(nproc) cores shared)"

# run NAME URL [HEADER] -> "rps p50 p90 p99" (latencies in ms)
run() {
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency -H "$3" "$2")
  else
    out=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency "$2")
  fi
  if echo "$out" | grep -qE "Non-2xx or 3xx"; then echo "$out" >&2; echo "http_bench: errors in $1" >&2; exit 1; fi
  errors=$(echo "$out" | sed -n "s/.*Socket errors: //p")
  [ -z "$errors" ] || echo "   ($1: socket errors: $errors)" >&2
  echo "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    /^ +50%/ { p50=ms($2) } /^ +90%/ { p90=ms($2) } /^ +99%/ { p99=ms($2) }
    END { printf "%.1f %.3f %.3f %.3f\n", rps, p50, p90, p99 }'
}

report() {  # report LABEL "ours" "nginx"
  read -r o_rps o50 o90 o99 <<<"$2"
  read -r n_rps n50 n90 n99 <<<"$3"
  printf '%-22s %-8s %10s req/s   p50 %8s ms  p90 %8s ms  p99 %8s ms\n' "$1" ours "$o_rps" "$o50" "$o90" "$o99"
  printf '%-22s %-8s %10s req/s   p50 %8s ms  p90 %8s ms  p99 %8s ms\n' "" nginx "$n_rps" "$n50" "$n90" "$n99"
  awk -v o="$o_rps" -v n="$n_rps" -v l="$1" 'BEGIN { printf "%-22s ratio ours/nginx throughput: %.2f %s\n", l, o/n, (o/n >= 1.0 ? "(goal met)" : "(below goal 1.0)") }'
}

full_ours=$(run full-ours "$ours")
full_nginx=$(run full-nginx "$theirs")
inm_ours=$(run inm-ours "$ours" "If-None-Match: $ours_etag")
inm_nginx=$(run inm-nginx "$theirs" "If-None-Match: $theirs_etag")
echo
report "full download (200)" "$full_ours" "$full_nginx"
report "If-None-Match (304)" "$inm_ours" "$inm_nginx"
