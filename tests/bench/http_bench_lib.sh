# Shared by the HTTP benchmarks (http_bench.sh, republish_bench.sh): a generated registry of
# $providers providers, medmij-registry serving it with an export dir, nginx serving that
# export dir with deploy/nginx/medmij-registry.conf (gzip_static on), the wrk runner and CPU
# accounting. Source it after setting src, build and providers; it sets work, svc_port,
# svc_pid, nginx_port, nginx_pid, nginx_pids and removes everything on exit.
# shellcheck shell=bash

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
  gzip_static on; gzip_vary on;
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

nginx_pids="$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')"

# run URL HEADER... -> "rps p50 p90 p99 errors" (latencies in ms; errors: wrk's socket errors
# plus answers other than 2xx/3xx). With $wrk_script set, wrk runs that Lua script too.
run() {
  local url=$1 out
  shift
  local args=()
  for h in "$@"; do [ -z "$h" ] || args+=(-H "$h"); done
  [ -z "${wrk_script:-}" ] || args+=(-s "$wrk_script")
  out=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency "${args[@]}" "$url")
  echo "$out" >>"$work/wrk.log"
  echo "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    /^ +50%/ { p50=ms($2) } /^ +90%/ { p90=ms($2) } /^ +99%/ { p99=ms($2) }
    /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { errors += $5 }
    END { printf "%.1f %.3f %.3f %.3f %d\n", rps, p50, p90, p99, errors }'
}

# CPU ticks (user + system) of the processes PIDS... (all threads).
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
clk=$(getconf CLK_TCK)

