#!/usr/bin/env bash
# commit_to_served_bench.sh [BUILD] [N ...]: the time from a committed `medmij-admin node add`
# (the command has returned) to the new hostname being served in /MedMij_Whitelist.xml by a
# running medmij-registry, on a registry of N providers (default 10000 100000), ROUNDS times
# (default 5). Polls every 10 ms, so figures are that coarse. What it covers beyond one
# publication (incremental_bench.sh): noticing the commit (check_interval_ms = 50 here), the
# publication loop's reload of the archive and of the public register (no [transparency]).
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build="$src/build"
if [ $# -gt 0 ] && [ -d "$1" ]; then build=$(cd "$1" && pwd); shift; fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
rounds=${ROUNDS:-5}
admin="$build/admin-cli/medmij-admin"
registry="$build/registry/service/medmij-registry"
for tool in "$admin" "$registry" "$build/tests/bench/medmij-gen-registry" curl python3; do
  command -v "$tool" >/dev/null || { echo "commit_to_served_bench: missing $tool" >&2; exit 2; }
done

work=$(mktemp -d /tmp/medmij-commit-to-served-XXXXXX)
svc_pid=""
cleanup() {
  [ -n "$svc_pid" ] && kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
bash "$src/deploy/make-dev-ca.sh" "$work/pki" >/dev/null 2>&1
now_ms() { date +%s%3N; }

for n in "${sizes[@]}"; do
  echo "== $n providers"
  rm -rf "$work/data"
  "$build/tests/bench/medmij-gen-registry" --data-dir "$work/data" --providers "$n" >/dev/null
  cat >"$work/registry.toml" <<TOML
[server]
listen = "127.0.0.1:0"
threads = 2
[storage]
data_dir = "$work/data"
[signing]
key = "$work/pki/signing.key"
certificate = "$work/pki/signing.pem"
chain = "$work/pki/chain.pem"
[publish]
check_interval_ms = 50
TOML
  rm -f "$work/port"
  "$registry" --config "$work/registry.toml" --port-file "$work/port" 2>"$work/registry.err" &
  svc_pid=$!
  for _ in $(seq 1 600); do [ -s "$work/port" ] && break; sleep 0.1; done
  port=$(cat "$work/port")
  url="http://127.0.0.1:$port/MedMij_Whitelist.xml"
  for _ in $(seq 1 1200); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
  dva=$(MEDMIJ_DATA_DIR="$work/data" "$admin" participant list |
    awk 'NR > 1 && $2 ~ /dva/ && $3 == "active" && !found { print $1; found = 1 }')
  [ -n "$dva" ] || { echo "commit_to_served_bench: no active DVA" >&2; exit 1; }
  times=()
  for r in $(seq 1 "$rounds"); do
    host="served$r.$dva.example"
    MEDMIJ_DATA_DIR="$work/data" MEDMIJ_OPERATOR=bench "$admin" node add "$dva" "$host" >/dev/null
    start=$(now_ms)
    until curl -sf "$url" | grep -q "<Hostname>$host</Hostname>"; do sleep 0.01; done
    times+=($(( $(now_ms) - start )))
    echo "node add $host -> served after ${times[-1]} ms"
    sleep 1  # the next change in another second (one version per list per second)
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  echo "median commit -> served: ${sorted[$(( ${#sorted[@]} / 2 ))]} ms ($n providers)"
  kill "$svc_pid"; wait "$svc_pid" 2>/dev/null || true; svc_pid=""
done
