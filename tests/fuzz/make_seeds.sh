#!/usr/bin/env bash
# Regenerates the fuzz targets' fixed data and seed corpora (run after a change of the list
# formats; commit the result):
#   data/ca.pem, data/verify-at.txt   a fresh development trust anchor and the time the targets
#                                     verify at (its signing certificate's lifetime covers it)
#   corpus/verifier/                  lists of every kind signed under that anchor, some byte
#                                     variants, one signed by the stock xmlsec1
#   corpus/c14n_differential/         list content in and near the plain form
# The CA's private keys are not kept: nothing else may sign for this anchor.
#
#   tests/fuzz/make_seeds.sh [BUILD_DIR]      (needs medmij-sign built there; default: build)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="${1:-$root/build}"
sign="$build/signer/medmij-sign"
[ -x "$sign" ] || { echo "make_seeds: build medmij-sign first ($sign)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/deploy/make-dev-ca.sh" --days 3650 "$work/ca" >/dev/null

ts=2026-11-22T10:00:00Z
head() {  # head ROOT NS VOLGNUMMER
  printf '<?xml version="1.0" encoding="UTF-8"?>\n<%s xmlns="xmlns://afsprakenstelsel.medmij.nl/%s">\n    <Tijdstempel>%s</Tijdstempel>\n    <Volgnummer>%s</Volgnummer>\n' "$1" "$2" "$ts" "$3"
}
{
  head Whitelist whitelist/release2/ 7
  printf '    <MedMijNodes>\n'
  for i in 0 1 2; do printf '        <MedMijNode>\n            <Hostname>node%s.example.nl</Hostname>\n        </MedMijNode>\n' "$i"; done
  printf '    </MedMijNodes>\n</Whitelist>\n'
} >"$work/whitelist.xml"
{ head Whitelist whitelist/release2/ 1; printf '    <MedMijNodes/>\n</Whitelist>\n'; } >"$work/whitelist_empty.xml"
{
  head OAuthclientlist oauthclientlist/release2/ 3
  printf '    <OAuthclients>\n        <OAuthclient>\n            <Hostname>pgo.example.nl</Hostname>\n            <OAuthclientOrganisatienaam>PGO &amp; Co</OAuthclientOrganisatienaam>\n        </OAuthclient>\n    </OAuthclients>\n</OAuthclientlist>\n'
} >"$work/oauthclientlist.xml"
{
  head Zorgaanbiederslijst zorgaanbiederslijst/release2/ 12
  printf '    <Zorgaanbieders>\n        <Zorgaanbieder>\n            <Zorgaanbiedernaam>zorga@medmij</Zorgaanbiedernaam>\n            <Gegevensdiensten>\n                <Gegevensdienst>\n                    <GegevensdienstId>4</GegevensdienstId>\n                    <AuthorizationEndpoint>\n                        <AuthorizationEndpointuri>https://dva.example.nl/oauth/authorize</AuthorizationEndpointuri>\n                    </AuthorizationEndpoint>\n                    <TokenEndpoint>\n                        <TokenEndpointuri>https://dva.example.nl/oauth/token</TokenEndpointuri>\n                    </TokenEndpoint>\n                    <Systeemrollen>\n                        <Systeemrol>\n                            <Systeemrolcode>LAB-1.0.0-LRB-FHIR</Systeemrolcode>\n                            <ResourceEndpoint>\n                                <ResourceEndpointuri>https://dva.example.nl/fhir</ResourceEndpointuri>\n                            </ResourceEndpoint>\n                        </Systeemrol>\n                    </Systeemrollen>\n                </Gegevensdienst>\n            </Gegevensdiensten>\n        </Zorgaanbieder>\n    </Zorgaanbieders>\n</Zorgaanbiederslijst>\n'
} >"$work/zorgaanbiederslijst.xml"
{
  head Gegevensdienstnamenlijst gegevensdienstnamenlijst/release1/ 2
  printf '    <Gegevensdiensten>\n        <Gegevensdienst>\n            <GegevensdienstId>1</GegevensdienstId>\n            <Weergavenaam>Basisgegevens</Weergavenaam>\n        </Gegevensdienst>\n    </Gegevensdiensten>\n</Gegevensdienstnamenlijst>\n'
} >"$work/gegevensdienstnamenlijst.xml"

out="$here/corpus/verifier"
rm -rf "$out" && mkdir -p "$out"
for l in whitelist whitelist_empty oauthclientlist zorgaanbiederslijst gegevensdienstnamenlijst; do
  kind=${l%_empty}
  "$sign" --key "$work/ca/signing.key" --cert "$work/ca/signing.pem" --chain "$work/ca/chain.pem" \
    --list "$kind" "$work/$l.xml" -o "$out/$l.xml"
done
sed 's/$/\r/' "$out/whitelist.xml" >"$out/whitelist_crlf.xml"
{ printf '\xef\xbb\xbf'; cat "$out/oauthclientlist.xml"; } >"$out/oauthclientlist_bom.xml"
sed 's|<MedMijNodes>|<MedMijNodes><!-- c -->|' "$out/whitelist.xml" >"$out/whitelist_comment.xml"
# Signed by the stock xmlsec1 from a template with line breaks between the signature's elements.
sed '$d' "$work/whitelist.xml" >"$work/tmpl.xml"
cat >>"$work/tmpl.xml" <<'TMPL'
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
<ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
<ds:Reference URI="">
<ds:Transforms>
<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
</ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<ds:DigestValue/>
</ds:Reference>
</ds:SignedInfo>
<ds:SignatureValue/>
<ds:KeyInfo>
<ds:X509Data/>
</ds:KeyInfo>
</ds:Signature></Whitelist>
TMPL
xmlsec1 --sign --privkey-pem "$work/ca/signing.key,$work/ca/signing.pem,$work/ca/chain.pem" \
  --output "$out/whitelist_xmlsec1.xml" "$work/tmpl.xml"

mkdir -p "$here/data"
cp "$work/ca/ca.pem" "$here/data/ca.pem"
date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ >"$here/data/verify-at.txt"
# Every seed verifies at that time (with the stock tool too).
for f in "$out"/*.xml; do
  xmlsec1 --verify --enabled-key-data x509 --trusted-pem "$here/data/ca.pem" \
    --verification-time "$(sed 's/T/ /; s/Z//' "$here/data/verify-at.txt")" "$f" >/dev/null 2>&1 ||
    { echo "make_seeds: $f does not verify" >&2; exit 1; }
done

# c14n_differential: one byte for the list (0 Whitelist, 1 OAuth client list, 2 ZAL, 3 GNL),
# then the content between the root start tag and end tag.
c14n="$here/corpus/c14n_differential"
rm -rf "$c14n" && mkdir -p "$c14n"
body() {  # body LIST_FILE: the content of an unsigned list
  sed '1,2d;$d' "$1"
}
{ printf '\x00\n'; body "$work/whitelist.xml"; } >"$c14n/whitelist"
{ printf '\x00\n'; body "$work/whitelist_empty.xml"; } >"$c14n/whitelist_empty"
{ printf '\x01\n'; body "$work/oauthclientlist.xml"; } >"$c14n/oauthclientlist"
{ printf '\x02\n'; body "$work/zorgaanbiederslijst.xml"; } >"$c14n/zorgaanbiederslijst"
{ printf '\x03\n'; body "$work/gegevensdienstnamenlijst.xml"; } >"$c14n/gegevensdienstnamenlijst"
printf '\x01<A>x &amp; y &lt;z&gt; "q" '"'"'a'"'"' ]]&gt;</A><B/><C></C>\t\n' >"$c14n/escapes"
printf '\x01<A>\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80</A>' >"$c14n/utf8"
printf '\x01<A>&#x263A;</A><!-- c --><?pi?><![CDATA[<x>]]>' >"$c14n/not_plain"
echo "make_seeds: $(ls "$out" | wc -l) verifier seeds, $(ls "$c14n" | wc -l) c14n seeds; verify at $(cat "$here/data/verify-at.txt")"
