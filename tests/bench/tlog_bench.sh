#!/usr/bin/env bash
# Transparency-log and auditor-read benchmark (issue 11 point 8), at N journal events (default
# 100 000), each figure beside a stock tool run on the same data in the same run where one exists:
#   - append cost per event with the tree and the state history, without the tree, and without
#     either (medmij-tlog-bench and its two store variants writing the same events, the minimum
#     of ROUNDS runs taking turns, default 3), in transactions of BATCH events, each against
#     the stock `mdb_load` of that store's own dump (the raw LMDB cost of the same records); the
#     tree's share against Go's sumdb/tlog computing the same stored hashes (tlogproof);
#   - one commit per event at N (what an operator's command waits for, fsync included);
#   - inclusion and consistency proof time at size N against Go's tlog.ProveRecord/ProveTree over
#     the same hashes held in memory (and the two roots checked equal);
#   - StateAt against the full journal replay it replaced, and against `mdb_dump` of the journal
#     (the stock tool reading what a replay must read);
#   - checkpoint latency: from a `medmij-admin participant enrol` commit to the real service's
#     GET /log/checkpoint showing the new tree size (a log key configured), against its
#     check_interval_ms.
#
# usage: tests/bench/tlog_bench.sh [BUILD_DIR] [EVENTS]      (default: build 100000)
# Environment: ROUNDS (3), BATCH (1000), SINGLES (200), SAMPLES (2000 proofs of each kind),
# STATEAT_SAMPLES (50), REPLAYS (3), COMMITS (20).
# Builds nothing: needs the targets medmij-tlog-bench, medmij-tlog-bench-without-tree,
# medmij-tlog-bench-without-index, tlogproof, medmij-admin, medmij-registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
build=$(cd "${1:-build}" && pwd)
events=${2:-100000}
batch=${BATCH:-1000}
singles=${SINGLES:-200}
samples=${SAMPLES:-2000}
stateat_samples=${STATEAT_SAMPLES:-50}
replays=${REPLAYS:-3}
commits=${COMMITS:-20}
rounds=${ROUNDS:-3}

bench="$build/tests/bench/medmij-tlog-bench"
goproof="$build/tests/bench/tlogproof"
admin="$build/admin-cli/medmij-admin"
registry="$build/registry/service/medmij-registry"
for tool in "$bench" "$bench-without-tree" "$bench-without-index" "$goproof" "$admin" "$registry" \
  mdb_load mdb_dump openssl curl python3; do
  command -v "$tool" >/dev/null || { echo "tlog_bench: missing $tool (build it first)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/medmij-tlog-bench-XXXXXX)
svc_pid=""
cleanup() {
  [ -z "$svc_pid" ] || { kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null; } || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
# field FILE KEY [N]: the Nth word (default 3) of the line starting with KEY.
field() { awk -v k="$2" -v n="${3:-3}" '$1 == k { print $n }' "$1"; }
calc() { python3 -c "print(format($1, '$2'))"; }

echo "== tlog_bench: $events events, $batch per transaction, then $singles single commits"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- append: ROUNDS rounds of the three variants taking turns (the machine is shared: the
# minimum of each is its cost), then mdb_load of each one's dump (the minimum of ROUNDS too).
min_of() { sort -g | head -1; }
for round in $(seq 1 "$rounds"); do
  for variant in "" -without-tree -without-index; do
    rm -rf "$work/data$variant"
    sync  # no earlier run's dirty pages in this run's fsyncs
    "$bench$variant" append --data-dir "$work/data$variant" --events "$events" --batch "$batch" \
      --singles "$singles" >"$work/append$variant.$round.txt"
  done
done
printf '%-34s %12s %12s %8s %14s\n' "append (per event, min of $rounds)" "ours us" "mdb_load us" "ratio" "single commit"
for variant in "" -without-tree -without-index; do
  dir="$work/data$variant"
  # mdb_dump writes db_pagesize, which this mdb_load does not know (it warns and ignores it).
  mdb_dump -a "$dir" | grep -v '^db_pagesize=' >"$work/dump$variant.txt"
  load=$(for _ in $(seq 1 "$rounds"); do
    rm -rf "$work/stock$variant" && mkdir -p "$work/stock$variant"
    sync
    t0=$(now)
    mdb_load -f "$work/dump$variant.txt" "$work/stock$variant"
    t1=$(now)
    calc "$t1 - $t0" .6f
  done | min_of)
  ours=$(for f in "$work/append$variant".*.txt; do field "$f" append; done | min_of)
  single=$(for f in "$work/append$variant".*.txt; do field "$f" single; done | min_of)
  case "$variant" in
    "") label="tree + state history (schema 5)" ;;
    -without-tree) label="state history, no tree" ;;
    *) label="neither (journal + tables)" ;;
  esac
  printf '%-34s %12s %12s %8s %11s ms\n' "$label" \
    "$(calc "$ours / $events * 1e6" .2f)" "$(calc "$load / $events * 1e6" .2f)" \
    "$(calc "$ours / $load" .2f)" "$(calc "$single / $singles * 1e3" .2f)"
  eval "append_s${variant//-/_}=$ours"
done
rm -rf "$work"/stock* "$work"/dump*.txt "$work/data-without-tree" "$work/data-without-index"

# ---- proofs
"$bench" proofs --data-dir "$work/data" --samples "$samples" --leaves "$work/leaves" >"$work/proofs.txt"
"$goproof" -leaves "$work/leaves" >"$work/go.txt"
root=$(field "$work/proofs.txt" root 2)
[ "$root" = "$(field "$work/go.txt" root 2)" ] ||
  { echo "tlog_bench: our root $root is not Go's $(field "$work/go.txt" root 2)" >&2; exit 1; }
n=$(( events + singles ))
tree_ours=$(calc "($append_s - $append_s_without_tree) / $events * 1e6" .2f)
tree_go=$(calc "$(field "$work/go.txt" tree) / $n * 1e6" .2f)
echo "tree: root of $n leaves equal to Go's tlog ($root)"
printf '%-34s %12s %12s %8s\n' "at $n leaves" "ours us" "Go tlog us" "ratio"
printf '%-34s %12s %12s %8s\n' "tree hashes per append (difference)" "$tree_ours" "$tree_go" "$(calc "$tree_ours / $tree_go" .2f)"
for kind in inclusion consistency; do
  ours=$(calc "$(field "$work/proofs.txt" "$kind") / $samples * 1e6" .2f)
  go=$(calc "$(field "$work/go.txt" "$kind") / $samples * 1e6" .2f)
  printf '%-34s %12s %12s %8s\n' "$kind proof (own read txn)" "$ours" "$go" "$(calc "$ours / $go" .2f)"
done

# ---- StateAt
"$bench" stateat --data-dir "$work/data" --samples "$stateat_samples" --replays "$replays" >"$work/stateat.txt"
t0=$(now)
mdb_dump -s journal "$work/data" >/dev/null
t1=$(now)
dump_ms=$(calc "($t1 - $t0) * 1e3" .1f)
stateat_ms=$(calc "$(field "$work/stateat.txt" stateat) / $stateat_samples * 1e3" .2f)
replay_ms=$(calc "$(field "$work/stateat.txt" replay) / $replays * 1e3" .1f)
printf '%-34s %12s %12s %8s\n' "state at a time" "ms" "/ replay" "/ mdb_dump journal"
printf '%-34s %12s %12s %8s\n' "StateAt ($stateat_samples random times)" "$stateat_ms" \
  "$(calc "$stateat_ms / $replay_ms" .5f)" "$(calc "$stateat_ms / $dump_ms" .4f)"
printf '%-34s %12s %12s %8s\n' "full replay ($replays of them)" "$replay_ms" "1" "$(calc "$replay_ms / $dump_ms" .2f)"
printf '%-34s %12s\n' "mdb_dump -s journal" "$dump_ms"

# ---- checkpoint latency
bash "$src/deploy/make-dev-ca.sh" --ec "$work/pki" >/dev/null 2>&1
openssl genpkey -algorithm ed25519 -out "$work/log.key" 2>/dev/null
interval=250
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
check_interval_ms = $interval
[transparency]
key = "$work/log.key"
origin = "bench.medmij.invalid/log"
TOML
"$registry" --config "$work/registry.toml" --port-file "$work/port" 2>"$work/registry.err" &
svc_pid=$!
for _ in $(seq 1 600); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/registry.err" >&2; exit 1; }
port=$(cat "$work/port")
MEDMIJ_OPERATOR=bench python3 - "$admin" "$work/data" "$port" "$commits" "$interval" <<'PY'
import statistics, subprocess, sys, time, urllib.request
admin, data, port, commits, interval = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
url = f"http://127.0.0.1:{port}/log/checkpoint"
def size():
    with urllib.request.urlopen(url) as r:
        return int(r.read().decode().split("\n")[1])
# The service publishes the lists of the generated registry first; wait until it has settled.
last, still = -1, 0
while still < 8:
    s = size()
    still, last = (still + 1, s) if s == last else (0, s)
    time.sleep(interval / 1000)
lat, cmd = [], []
for i in range(commits):
    before = size()
    t0 = time.monotonic()
    subprocess.run([admin, "--data-dir", data, "participant", "enrol", f"bench-late-{i:03d}",
                    "--name", "Late B.V.", "--kvk", "12345678", "--role", "dvp"],
                   check=True, stdout=subprocess.DEVNULL)
    t1 = time.monotonic()
    while size() <= before:
        time.sleep(0.001)
    lat.append((time.monotonic() - t1) * 1e3)
    cmd.append((t1 - t0) * 1e3)
    time.sleep((i % 7) * interval / 7000)  # commit at different points of the service's interval
lat.sort()
print(f"checkpoint after commit ({commits} commits): median {statistics.median(lat):.1f} ms, "
      f"max {lat[-1]:.1f} ms = {statistics.median(lat) / interval:.2f} / {lat[-1] / interval:.2f} "
      f"of check_interval_ms {interval}; the medmij-admin command itself {statistics.median(cmd):.1f} ms")
PY
