#!/usr/bin/env bash
# Signing and verification of one large signed list, ours against the stock xmlsec1 side by side:
#   sign:   medmij-sign (Signer::SignValidated: parse once, validate, sign, splice)
#           vs xmlsec1 --sign (same list as a template; no validation)
#   verify: medmij-verify (hardened checks + signature + schema)
#           vs xmlsec1 --verify --enabled-key-data x509 --trusted-pem (signature only)
# Prints wall time and peak RSS (/usr/bin/time -v) and the ratios ours/xmlsec1.
#
#   tests/bench/verify_bench.sh [--build DIR] [--providers N] [--runs R]
# Needs the targets medmij-sign and medmij-verify built in DIR (default: build). Takes ~1 min
# at 100 000 providers; not part of ctest.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build" providers=100000 runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift ;;
    --providers) providers="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    *) echo "usage: $0 [--build DIR] [--providers N] [--runs R]" >&2; exit 2 ;;
  esac
  shift
done
sign_bin="$build/signer/medmij-sign"
verify_bin="$build/signer/medmij-verify"
for b in "$sign_bin" "$verify_bin" /usr/bin/time; do
  [ -x "$b" ] || { echo "verify_bench: missing $b (build medmij-sign medmij-verify; apt install time)" >&2; exit 2; }
done
command -v xmlsec1 >/dev/null || { echo "verify_bench: xmlsec1 not installed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/deploy/make-dev-ca.sh" "$work/ca" >/dev/null

# A ZAL shaped like the reference example: N providers, one data service each.
awk -v n="$providers" 'BEGIN {
  print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
  print "<Zorgaanbiederslijst xmlns=\"xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/\">"
  print "    <Tijdstempel>2026-11-22T10:00:00Z</Tijdstempel>"
  print "    <Volgnummer>1</Volgnummer>"
  print "    <Zorgaanbieders>"
  for (i = 0; i < n; i++) {
    name = ""; k = i
    do { name = sprintf("%c", 97 + k % 26) name; k = int(k / 26) } while (k > 0)
    host = "dva" (i % 500) ".example.nl"
    print "        <Zorgaanbieder>"
    print "            <Zorgaanbiedernaam>zorgaanbieder" name "@medmij</Zorgaanbiedernaam>"
    print "            <Gegevensdiensten>"
    print "                <Gegevensdienst>"
    print "                    <GegevensdienstId>4</GegevensdienstId>"
    print "                    <AuthorizationEndpoint>"
    print "                        <AuthorizationEndpointuri>https://" host "/oauth/authorize</AuthorizationEndpointuri>"
    print "                    </AuthorizationEndpoint>"
    print "                    <TokenEndpoint>"
    print "                        <TokenEndpointuri>https://" host ":8443/oauth/token</TokenEndpointuri>"
    print "                    </TokenEndpoint>"
    print "                    <Systeemrollen>"
    print "                        <Systeemrol>"
    print "                            <Systeemrolcode>LAB-1.0.0-LRB-FHIR</Systeemrolcode>"
    print "                            <ResourceEndpoint>"
    print "                                <ResourceEndpointuri>https://" host "/fhir</ResourceEndpointuri>"
    print "                            </ResourceEndpoint>"
    print "                        </Systeemrol>"
    print "                    </Systeemrollen>"
    print "                </Gegevensdienst>"
    print "            </Gegevensdiensten>"
    print "        </Zorgaanbieder>"
  }
  print "    </Zorgaanbieders>"
  print "</Zorgaanbiederslijst>"
}' >"$work/zal.xml"

# The same list as an xmlsec1 signing template (what our Signer emits, unfilled).
head -n -1 "$work/zal.xml" >"$work/tmpl.xml"
cat >>"$work/tmpl.xml" <<'TMPL'
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature></Zorgaanbiederslijst>
TMPL

ca="$work/ca"
# measure NAME CMD...: best wall time (s) and its peak RSS (KiB) over $runs runs.
measure() {
  local name="$1"; shift
  local best_t="" best_r="" best_c=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || {
      echo "verify_bench: $name failed:" >&2; cat "$work/err.txt" >&2; exit 1; }
    local t r
    t=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
          for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.txt")
    r=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
    c=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/time.txt")
    if [ -z "$best_t" ] || awk -v a="$t" -v b="$best_t" 'BEGIN { exit !(a < b) }'; then
      best_t=$t best_r=$r best_c=$c
    fi
  done
  printf '%-16s wall %7.2f s  cpu %7.2f s  peak RSS %9d KiB\n' "$name" "$best_t" "$best_c" "$best_r"
  eval "${name}_t=$best_t; ${name}_r=$best_r; ${name}_c=$best_c"
}

echo "verify_bench: ZAL with $providers providers, $(stat -c %s "$work/zal.xml") bytes unsigned; best of $runs"
measure sign_ours "$sign_bin" --key "$ca/signing.key" --cert "$ca/signing.pem" --chain "$ca/chain.pem" \
  --list zorgaanbiederslijst "$work/zal.xml" -o "$work/signed.xml"
measure sign_xmlsec "xmlsec1" --sign --privkey-pem "$ca/signing.key,$ca/signing.pem,$ca/chain.pem" \
  --output "$work/signed_xmlsec.xml" "$work/tmpl.xml"
measure verify_ours "$verify_bin" --trust "$ca/ca.pem" "$work/signed.xml"
measure verify_xmlsec xmlsec1 --verify --enabled-key-data x509 --trusted-pem "$ca/ca.pem" "$work/signed.xml"

ratio() {  # ratio WHAT OURS XMLSEC (prefixes of the variables measure set)
  local at="${2}_t" bt="${3}_t" ac="${2}_c" bc="${3}_c" ar="${2}_r" br="${3}_r"
  awk -v w="$1" -v a="${!at}" -v b="${!bt}" -v c="${!ac}" -v d="${!bc}" -v e="${!ar}" -v f="${!br}" \
    'BEGIN { printf "%-6s ours/xmlsec1: wall %.2f  cpu %.2f  peak RSS %.2f\n", w, a / b, c / d, e / f }'
}
ratio sign sign_ours sign_xmlsec
ratio verify verify_ours verify_xmlsec
