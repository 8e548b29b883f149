#!/usr/bin/env bash
# Import benchmark (issue 2): `medmij-admin import` of N providers with their participants and
# nodes, side by side with the stock `mdb_load` writing the resulting database's records
# (the raw LMDB cost of the same data); then `participant explain` / `show` on that data.
# Prints wall times, peak RSS, the ratio to mdb_load and the ratio to the 60 s goal.
#
# usage: tests/bench/import_bench.sh [BUILD_DIR] [PROVIDERS]   (default: build 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
providers=${2:-100000}
dvas=$(( providers / 500 > 0 ? providers / 500 : 1 ))
dvps=100
admin="$PWD/$build/admin-cli/medmij-admin"
[ -x "$admin" ] || { echo "import_bench: build $admin first" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "import_bench: needs /usr/bin/time (package time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
from=$(date -u -d "-100 days" +%Y-%m-%d)
until=$(date -u -d "+2 years" +%Y-%m-%d)
audit=$(date -u -d "-20 days" +%Y-%m-%d)

# One DVA per 500 providers, each with 4 nodes; 100 DVPs with an OAuth client each.
awk -v P="$providers" -v D="$dvas" -v V="$dvps" -v from="$from" -v until="$until" -v audit="$audit" '
function letters(n,   s) { s = ""; do { s = s sprintf("%c", 97 + n % 26); n = int(n / 26) } while (n > 0); return s }
function evidence(id) {
  printf "{\"type\":\"certificate\",\"participant\":\"%s\",\"number\":\"NEN-%s\",\"body\":\"Certifier BV\",\"accredited\":true,\"registered\":true,\"valid_from\":\"%s\",\"valid_until\":\"%s\"}\n", id, id, from, until
  printf "{\"type\":\"audit_statement\",\"participant\":\"%s\",\"date\":\"%s\",\"auditor\":\"Audit BV\",\"outcome\":\"conform\"}\n", id, audit
  printf "{\"type\":\"label\",\"participant\":\"%s\"}\n{\"type\":\"activate\",\"participant\":\"%s\"}\n", id, id
}
BEGIN {
  split("Basisgegevens Zorg|Medicatieoverzichten|Laboratoriumresultaten|Documenten|Afspraken", names, "|")
  for (s = 1; s <= 5; s++) printf "{\"type\":\"service\",\"id\":\"%d\",\"name\":\"%s\"}\n", s, names[s]
  for (d = 0; d < D; d++) {
    id = sprintf("dva-%04d", d)
    printf "{\"type\":\"participant\",\"id\":\"%s\",\"name\":\"DVA %d B.V.\",\"kvk\":\"%08d\",\"roles\":[\"dva\"]}\n", id, d, 10000000 + d
    evidence(id)
    for (s = 1; s <= 5; s++) printf "{\"type\":\"qualification\",\"participant\":\"%s\",\"service\":\"%d\"}\n", id, s
    for (n = 0; n < 4; n++) printf "{\"type\":\"node\",\"participant\":\"%s\",\"hostname\":\"n%d.%s.example.nl\"}\n", id, n, id
  }
  for (v = 0; v < V; v++) {
    id = sprintf("pgo-%04d", v)
    printf "{\"type\":\"participant\",\"id\":\"%s\",\"name\":\"PGO %d B.V.\",\"kvk\":\"%08d\",\"roles\":[\"dvp\"]}\n", id, v, 20000000 + v
    evidence(id)
    printf "{\"type\":\"node\",\"participant\":\"%s\",\"hostname\":\"app.%s.example.nl\"}\n", id, id
    printf "{\"type\":\"oauth_client\",\"participant\":\"%s\",\"hostname\":\"app.%s.example.nl\",\"org_name\":\"PGO %d\"}\n", id, id, v
  }
  for (p = 0; p < P; p++) {
    d = p % D; dva = sprintf("dva-%04d", d); host = sprintf("n%d.%s.example.nl", p % 4, dva)
    s1 = 1 + p % 5; s2 = 1 + (p + 2) % 5
    printf "{\"type\":\"provider\",\"name\":\"zorg%s@medmij\",\"dva\":\"%s\",\"services\":[", letters(p) "aanbieder", dva
    printf "{\"service\":\"%d\",\"authorization_uri\":\"https://%s/oauth/authorize\",\"token_uri\":\"https://%s:8443/oauth/token\",\"roles\":[{\"code\":\"MM-1.0.0-BZB-FHIR\",\"uri\":\"https://%s/fhir\"}]},", s1, host, host, host
    printf "{\"service\":\"%d\",\"authorization_uri\":\"https://%s/oauth/authorize\",\"token_uri\":\"https://%s/oauth/token\",\"roles\":[{\"code\":\"LAB-1.0.0-LRB-FHIR\",\"uri\":\"https://%s/fhir\"},{\"code\":\"MM-1.0.0-PDB-FHIR\",\"uri\":\"https://%s:9100/pdfa\"}]}", s2, host, host, host, host
    printf "]}\n"
  }
}' > "$work/registry.jsonl"
lines=$(wc -l < "$work/registry.jsonl")

measure() {  # measure LABEL CMD...  -> prints "LABEL seconds peak_kib"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time.$label" "$@" > "$work/out.$label" 2> "$work/err.$label" ||
    { echo "import_bench: $label failed:" >&2; cat "$work/err.$label" >&2; exit 1; }
  read -r secs kib < "$work/time.$label"
  echo "$secs $kib"
}

export MEDMIJ_OPERATOR=bench
"$admin" --data-dir "$work/data" init > /dev/null
read -r import_s import_kib < <(measure import "$admin" --data-dir "$work/data" import "$work/registry.jsonl")

# The stock tool writing the same records: dump every table of the result, load into a new env.
mdb_dump -a "$work/data" > "$work/dump.txt"
mkdir -p "$work/stock"
read -r load_s load_kib < <(measure mdb_load mdb_load -f "$work/dump.txt" "$work/stock")

read -r explain_s _ < <(measure explain "$admin" --data-dir "$work/data" participant explain dva-0000)
read -r show_s _ < <(measure show "$admin" --data-dir "$work/data" participant show dva-0000)
read -r pshow_s _ < <(measure pshow "$admin" --data-dir "$work/data" provider show zorgaaanbieder@medmij)
read -r verify_s _ < <(measure verify "$admin" --data-dir "$work/data" journal verify)

db_mib=$(( $(stat -c %s "$work/data/data.mdb") / 1048576 ))
echo "import_bench: $providers providers, $dvas DVAs, $dvps DVPs, $lines JSONL lines, database ${db_mib} MiB"
printf "  %-34s %8ss  peak %7d KiB\n" "medmij-admin import" "$import_s" "$import_kib"
printf "  %-34s %8ss  peak %7d KiB\n" "mdb_load (same records, stock)" "$load_s" "$load_kib"
awk -v a="$import_s" -v b="$load_s" 'BEGIN { printf "  ratio import / mdb_load:            %.2f\n", (b > 0 ? a / b : 0) }'
awk -v a="$import_s" 'BEGIN { printf "  ratio import / 60 s goal:          %.2f  (%s)\n", a / 60, (a < 60 ? "met" : "MISSED") }'
printf "  %-34s %8ss\n" "participant explain dva-0000" "$explain_s" "participant show dva-0000" "$show_s" \
  "provider show" "$pshow_s" "journal verify ($lines events)" "$verify_s"
awk -v a="$import_s" 'BEGIN { exit (a < 60 ? 0 : 1) }'
