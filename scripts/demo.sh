#!/usr/bin/env bash
# Sets everything up and runs the registry on localhost: installs dependencies, builds, makes a
# development CA and signing key, initialises a demo data dir with demo participants, and serves
# the signed lists on http://127.0.0.1:${MEDMIJ_DEMO_PORT:-8080}/ until Ctrl-C.
#
# Environment: MEDMIJ_DEMO_DIR (default ./demo-data), MEDMIJ_DEMO_PORT (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j"$(nproc)" --target medmij-admin medmij-registry medmij-verify

demo=${MEDMIJ_DEMO_DIR:-$root/demo-data}
port=${MEDMIJ_DEMO_PORT:-8080}
mkdir -p "$demo"
demo=$(cd "$demo" && pwd)
admin="$root/build/admin-cli/medmij-admin"
verify="$root/build/signer/medmij-verify"
export MEDMIJ_DATA_DIR="$demo/registry" MEDMIJ_OPERATOR=${MEDMIJ_OPERATOR:-demo}

deploy/make-dev-ca.sh "$demo/pki" > /dev/null
mkdir -p "$demo/export"
if [ ! -e "$MEDMIJ_DATA_DIR/data.mdb" ]; then
  "$admin" init
  deploy/demo/demo-data.sh > "$demo/demo.jsonl"
  "$admin" import "$demo/demo.jsonl"
fi
echo
"$admin" participant list
echo
"$admin" participant explain staleaudit-dva || true

cat > "$demo/registry.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
threads = 2
[storage]
data_dir = "$MEDMIJ_DATA_DIR"
[signing]
key = "$demo/pki/signing.key"
certificate = "$demo/pki/signing.pem"
chain = "$demo/pki/chain.pem"
trust_anchor = "$demo/pki/ca.pem"
[publish]
check_interval_ms = 250
max_age_s = 60
export_dir = "$demo/export"
TOML

cat <<MSG

The registry is starting on http://127.0.0.1:$port/ (Ctrl-C stops it). In another terminal:

  # what an existing consumer polls: the strict form, valid against the official XSD
  curl -s http://127.0.0.1:$port/MedMij_Zorgaanbiederslijst.xml?api=2 -o zal.xml
  xmllint --noout --schema $root/schemas/reference/MedMij_Zorgaanbiederslijst.xsd zal.xml
  # what a verifying node fetches: the signed form beside it
  curl -s http://127.0.0.1:$port/signed/MedMij_Zorgaanbiederslijst.xml -o zal-signed.xml
  $verify --trust $demo/pki/ca.pem zal-signed.xml
  curl -s http://127.0.0.1:$port/participants | head
  curl -s http://127.0.0.1:$port/lists/whitelist/versions
  MEDMIJ_DATA_DIR=$MEDMIJ_DATA_DIR $admin node add deenigeechtepgo api.deenigeechtepgo.nl
      (the Whitelist gets a new Volgnummer within a second)

MSG
exec "$root/build/registry/service/medmij-registry" --config "$demo/registry.toml"
