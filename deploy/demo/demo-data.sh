#!/usr/bin/env bash
# Prints the demo registry as JSON Lines for `medmij-admin import`, with evidence dated relative
# to today so the demo participants are in good standing whenever it runs. A few participants are
# deliberately not, to show `explain`.
set -euo pipefail

day() { date -u -d "$1" +%Y-%m-%d; }
cert_from=$(day "-200 days")
cert_until=$(day "+2 years")
audit=$(day "-30 days")
stale_audit=$(day "-400 days")

cat <<JSONL
{"type":"service","id":"1","name":"Basisgegevens Zorg"}
{"type":"service","id":"4","name":"Laboratoriumresultaten"}
{"type":"service","id":"6","name":"Documenten"}
{"type":"service","id":"7","name":"Afspraken"}
{"type":"participant","id":"deenigeechtepgo","name":"De Enige Echte PGO B.V.","kvk":"12345678","email":"beheer@deenigeechtepgo.example","roles":["dvp"]}
{"type":"certificate","participant":"deenigeechtepgo","number":"NEN7510-2031","body":"Certificeringsbureau Noord","accredited":true,"registered":true,"valid_from":"$cert_from","valid_until":"$cert_until","scope":"PGO-dienstverlening"}
{"type":"audit_statement","participant":"deenigeechtepgo","date":"$audit","auditor":"Audit & Assurance BV","outcome":"conform","pentest":true}
{"type":"label","participant":"deenigeechtepgo","reason":"label granted after qualification"}
{"type":"activate","participant":"deenigeechtepgo","reason":"participant agreement signed"}
{"type":"node","participant":"deenigeechtepgo","hostname":"medmij.deenigeechtepgo.nl"}
{"type":"oauth_client","participant":"deenigeechtepgo","hostname":"medmij.deenigeechtepgo.nl","org_name":"De Enige Echte PGO"}
{"type":"participant","id":"xisbridge","name":"XIS Bridge B.V.","kvk":"87654321","email":"ops@xisbridge.example","roles":["dva"]}
{"type":"certificate","participant":"xisbridge","number":"NEN7510-1107","body":"Certificeringsbureau Zuid","accredited":true,"registered":true,"valid_from":"$cert_from","valid_until":"$cert_until"}
{"type":"audit_statement","participant":"xisbridge","date":"$audit","auditor":"Audit & Assurance BV","outcome":"conform","pentest":true}
{"type":"label","participant":"xisbridge"}
{"type":"activate","participant":"xisbridge"}
{"type":"qualification","participant":"xisbridge","service":"1"}
{"type":"qualification","participant":"xisbridge","service":"4"}
{"type":"qualification","participant":"xisbridge","service":"6"}
{"type":"node","participant":"xisbridge","hostname":"medmij.xisbridge.net"}
{"type":"node","participant":"xisbridge","hostname":"medmij.za982.xisbridge.net"}
{"type":"node","participant":"xisbridge","hostname":"78834.umcharderwijk.nl"}
{"type":"provider","name":"umcharderwijk@medmij","dva":"xisbridge","provider_type":"ZA","identifiers":{"agb":"06010101"},"services":[{"service":"4","authorization_uri":"https://medmij.za982.xisbridge.net/oauth/authorize","token_uri":"https://medmij.xisbridge.net/oauth/token","roles":[{"code":"LAB-1.0.0-LRB-FHIR","uri":"https://medmij.za982.xisbridge.net/fhir"}],"interface_versions":["1.4.0"],"subscription":{"max_days":365,"uri":"https://medmij.xisbridge.net/subscription"}},{"service":"6","authorization_uri":"https://78834.umcharderwijk.nl/oauth/authorize","token_uri":"https://78834.umcharderwijk.nl:8099/oauth/token","roles":[{"code":"MM-1.0.0-PDB-FHIR","uri":"https://78834.umcharderwijk.nl:9100/pdfa"},{"code":"MM-1.0.0-PLB-FHIR","uri":"https://78834.umcharderwijk.nl:9100/pdfa"}],"interface_versions":["1.4.0"]},{"service":"7","authorization_uri":"https://medmij.za982.xisbridge.net/oauth/authorize","token_uri":"https://medmij.xisbridge.net/oauth/token","roles":[{"code":"AFS-1.0.0-FHIR","uri":"https://medmij.xisbridge.net/fhir"}]}]}
{"type":"provider","name":"radiologencentraalflevoland@medmij","dva":"xisbridge","provider_type":"BAZB","identifiers":{"oin":"23885731954438865098","ura":"12345678"},"services":[{"service":"1","authorization_uri":"https://medmij.za982.xisbridge.net/oauth/authorize","token_uri":"https://medmij.xisbridge.net/oauth/token","roles":[{"code":"MM-1.0.0-BZB-FHIR","uri":"https://medmij.xisbridge.net/fhir-stu3"}],"interface_versions":["1.3.0","1.4.0"]}]}
{"type":"participant","id":"staleaudit-dva","name":"Stale Audit Zorg B.V.","kvk":"11223344","roles":["dva"]}
{"type":"certificate","participant":"staleaudit-dva","number":"NEN7510-0042","body":"Certificeringsbureau Oost","accredited":true,"registered":true,"valid_from":"$cert_from","valid_until":"$cert_until"}
{"type":"audit_statement","participant":"staleaudit-dva","date":"$stale_audit","auditor":"Audit & Assurance BV","outcome":"conform"}
{"type":"label","participant":"staleaudit-dva"}
{"type":"node","participant":"staleaudit-dva","hostname":"api.staleaudit.example"}
{"type":"participant","id":"nieuwe-pgo","name":"Nieuwe PGO B.V.","kvk":"55667788","roles":["dvp"]}
JSONL
