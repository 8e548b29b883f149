#!/usr/bin/env bash
# Starts medmij-registry on localhost with a generated DEVELOPMENT key and the demo data, and
# prints how to fetch a list with curl and check it with medmij-verify. Ctrl-C stops it.
#
#   deploy/run-dev.sh [BUILD_DIR] [WORK_DIR]     (defaults: build, BUILD_DIR/dev)   env: PORT=8080
#
# WORK_DIR keeps the data dir, the dev PKI and the config between runs; the demo data is
# imported only into a fresh data dir.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
work=${2:-$build/dev}
port=${PORT:-8080}
admin="$build/admin-cli/medmij-admin"
registry="$build/registry/http/medmij-registry"
for bin in "$admin" "$registry" "$build/signer/medmij-verify"; do
  [ -x "$bin" ] || { echo "run-dev: $bin is missing: build first" >&2; exit 2; }
done

mkdir -p "$work"
work=$(cd "$work" && pwd)
bash "$src/deploy/make-dev-ca.sh" "$work/pki" >/dev/null
if [ ! -e "$work/data/data.mdb" ]; then
  "$admin" --data-dir "$work/data" --operator dev init >/dev/null
  bash "$src/deploy/demo/demo-data.sh" >"$work/demo.jsonl"
  "$admin" --data-dir "$work/data" --operator dev import "$work/demo.jsonl"
fi
mkdir -p "$work/export"
sed -e "s|^listen = .*|listen = \"127.0.0.1:$port\"|" \
    -e "s|^data_dir = .*|data_dir = \"$work/data\"|" \
    -e "s|^key = .*|key = \"$work/pki/signing.key\"|" \
    -e "s|^certificate = .*|certificate = \"$work/pki/signing.pem\"|" \
    -e "s|^chain = .*|chain = \"$work/pki/chain.pem\"|" \
    -e "s|^export_dir = .*|export_dir = \"$work/export\"|" \
    "$src/deploy/config/registry.example.toml" >"$work/registry.toml"

cat <<TXT
medmij-registry on http://127.0.0.1:$port (config $work/registry.toml); Ctrl-C stops it.
Try, in another terminal:
  curl -si http://127.0.0.1:$port/MedMij_Zorgaanbiederslijst.xml -o /tmp/zal.xml -D -
  $build/signer/medmij-verify --trust $work/pki/ca.pem /tmp/zal.xml
  curl -s http://127.0.0.1:$port/healthz; curl -s http://127.0.0.1:$port/participants
  $admin --data-dir $work/data --operator you participant suspend xisbridge --reason demo
TXT
exec "$registry" --config "$work/registry.toml"
