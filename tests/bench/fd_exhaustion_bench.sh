#!/usr/bin/env bash
# Descriptor exhaustion: the CPU medmij-registry and nginx burn while twice their descriptor
# limit of idle client sockets is held open (issue 8.6: Pistache 0.0.5's accept loop spun at
# 100% CPU there). Both run side by side in the same run, each with RLIMIT_NOFILE=LIMIT.
#
# Two phases per server:
#   capped    the limit is set before start: the service caps its connections below it (a
#             connection beyond the cap is accepted and closed at once);
#   lowered   the limit is lowered with prlimit(1) after start, below what is already open:
#             accept(2) itself fails with EMFILE (the case the old accept loop spun on).
# For each it prints the CPU seconds used while the sockets are held, as a share of one core,
# whether a new request during the flood is answered or refused at once (not left hanging),
# and that the server answers normally once the sockets are gone.
#
#   tests/bench/fd_exhaustion_bench.sh [BUILD_DIR]   env: LIMIT=256 HOLD_S=10
# Needs: nginx, curl, prlimit, python3. Goal: well under 5% of a core while held (ratio printed).
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
limit=${LIMIT:-256}
hold=${HOLD_S:-10}
for tool in nginx curl prlimit python3; do
  command -v "$tool" >/dev/null || { echo "fd_exhaustion_bench: $tool is not installed" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
clk=$(getconf CLK_TCK)
# CPU seconds (user + system) of a process and its children threads, from /proc.
cpu_of() {  # cpu_of PID...
  local total=0 p
  for p in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

"$build/tests/bench/medmij-gen-registry" --data-dir "$work/data" --providers 100 >/dev/null
bash "$src/deploy/make-dev-ca.sh" --ec "$work/pki" >/dev/null
mkdir -p "$work/www"
echo "hello" >"$work/www/index.html"
chmod 755 "$work" "$work/www"

start_registry() {  # start_registry NOFILE -> sets svc_pid svc_port
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
TOML
  prlimit --nofile="$1:$1" "$build/registry/service/medmij-registry" --config "$work/registry.toml" \
    2>>"$work/registry.err" &
  svc_pid=$!
  pids+=("$svc_pid")
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$svc_port/healthz" && return 0
    sleep 0.1
  done
  cat "$work/registry.err" >&2
  exit 1
}

start_nginx() {  # start_nginx NOFILE -> sets nginx_pid nginx_port
  nginx_port=$(free_port)
  local n="$work/nginx-$nginx_port"
  mkdir -p "$n/logs"
  # Workers as our own user (when root), so prlimit(1) may lower their limit later.
  local user=""
  [ "$(id -u)" != 0 ] || user="user root;"
  cat >"$n/nginx.conf" <<CONF
$user
worker_processes 2;
worker_rlimit_nofile $1;
pid $n/nginx.pid;
error_log $n/logs/error.log crit;
events { worker_connections $((4 * limit)); }
http {
  access_log off;
  client_body_temp_path $n/body; proxy_temp_path $n/proxy; fastcgi_temp_path $n/fcgi;
  uwsgi_temp_path $n/uwsgi; scgi_temp_path $n/scgi;
  server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
  prlimit --nofile="$1:$1" nginx -p "$n" -c "$n/nginx.conf" -g 'daemon off;' &
  nginx_pid=$!
  pids+=("$nginx_pid")
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/" && return 0
    sleep 0.1
  done
  echo "fd_exhaustion_bench: nginx did not start" >&2
  exit 1
}

# flood PORT COUNT HOLD_S: opens COUNT idle connections (as many as the kernel lets it), holds
# them HOLD_S seconds, meanwhile probes one request; prints "opened probe" where probe is
# "answered", "refused" (closed or reset at once) or "hung" (no answer within 2 s).
flood() {
  python3 - "$@" <<'PY'
import socket, sys, time, resource
port, count, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count + 64)), hard))
socks = []
for _ in range(count):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    except OSError:
        s.close()
        break
    socks.append(s)
time.sleep(0.5)
p = socket.create_connection(("127.0.0.1", port), timeout=2)
probe = "hung"
try:
    p.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = p.recv(64)
    probe = "answered" if data.startswith(b"HTTP/1.1 ") else "refused"
except (ConnectionResetError, BrokenPipeError):
    probe = "refused"
except socket.timeout:
    probe = "hung"
p.close()
time.sleep(max(0.0, hold - 0.5))
print(len(socks), probe)
for s in socks:
    s.close()
PY
}

# measure NAME URL PIDS...: floods, prints CPU share while held, checks recovery.
measure() {
  local name=$1 port=$2 url=$3
  shift 3
  local before after opened probe cpu
  before=$(cpu_of "$@")
  read -r opened probe < <(flood "$port" $((2 * limit)) "$hold")
  after=$(cpu_of "$@")
  cpu=$(awk -v t=$((after - before)) -v c="$clk" -v h="$hold" 'BEGIN { printf "%.3f", t / c / h }')
  local ok=no
  for _ in $(seq 1 50); do
    if curl -sf -o /dev/null --max-time 2 "$url"; then ok=yes; break; fi
    sleep 0.1
  done
  printf '%-26s %5d sockets held %ss: CPU %6.1f%% of a core; new request during: %-8s; after: %s\n' \
    "$name" "$opened" "$hold" "$(awk -v c="$cpu" 'BEGIN { print c * 100 }')" "$probe" \
    "$([ "$ok" = yes ] && echo answered || echo FAILED)"
  echo "$cpu" >"$work/cpu-$name"
  [ "$ok" = yes ]
}

echo "== RLIMIT_NOFILE=$limit, $((2 * limit)) idle sockets held ${hold}s against each ($(nproc) cores shared)"
start_registry "$limit"
measure registry-capped "$svc_port" "http://127.0.0.1:$svc_port/healthz" "$svc_pid"
start_nginx "$limit"
nginx_workers=$(pgrep -P "$nginx_pid" | tr '\n' ' ')
# shellcheck disable=SC2086
measure nginx-capped "$nginx_port" "http://127.0.0.1:$nginx_port/" "$nginx_pid" $nginx_workers

# The limit lowered under a running server: accept(2) fails with EMFILE.
prlimit --pid "$svc_pid" --nofile=64:64
measure registry-lowered "$svc_port" "http://127.0.0.1:$svc_port/healthz" "$svc_pid"
for w in $nginx_workers; do prlimit --pid "$w" --nofile=64:64; done
# shellcheck disable=SC2086
measure nginx-lowered "$nginx_port" "http://127.0.0.1:$nginx_port/" "$nginx_pid" $nginx_workers

echo
for phase in capped lowered; do
  awk -v o="$(cat "$work/cpu-registry-$phase")" -v n="$(cat "$work/cpu-nginx-$phase")" -v p="$phase" 'BEGIN {
    printf "%-8s CPU while held: registry %.1f%%, nginx %.1f%% of a core; ", p, o * 100, n * 100
    if (n > 0.0005) printf "ratio registry/nginx %.2f", o / n; else printf "(nginx ~0: ratio undefined)"
    printf "  %s\n", (o < 0.05 ? "(goal met: no busy loop)" : "(BUSY LOOP: goal < 5% of a core)") }'
done
