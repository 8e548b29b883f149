#!/usr/bin/env bash
# Makes a DEVELOPMENT signing hierarchy for the registry (tests, demo): never use it in production.
#
#   make-dev-ca.sh [--ec] [--force] [--days N] [--subject CN] [--log-origin NAME] DIR
#
# Writes into DIR:
#   ca.key, ca.pem                 self-signed root CA (RSA 3072), the participants' trust anchor
#   intermediate.key, .pem         intermediate CA issued by the root (RSA 3072)
#   signing.key (0600), signing.pem  list-signing key + certificate issued by the intermediate
#                                  (RSA 2048 by default, EC P-256 with --ec), valid --days (365)
#   chain.pem                      the intermediate: what goes into KeyInfo after signing.pem
#   log.key (0600)                 transparency-log key (Ed25519, PEM): [transparency] key
#   log.vkey                       its verifier key for --log-origin (default
#                                  localhost/medmij-registry-dev), Go `note` form
#                                  <name>+<hex key id>+<base64(0x01 || public key)>, also printed
# Idempotent: existing keys are kept (certificates are made only where missing) unless --force.
set -euo pipefail
export LC_ALL=C

usage() {
  echo "usage: $0 [--ec] [--force] [--days N] [--subject CN] [--log-origin NAME] DIR" >&2
  exit 2
}

ec=0 force=0 days=365 subject="MedMij Registry Development List Signer" dir=""
log_origin="localhost/medmij-registry-dev"
while [ $# -gt 0 ]; do
  case "$1" in
    --ec) ec=1 ;;
    --force) force=1 ;;
    --days) [ $# -ge 2 ] || usage; days="$2"; shift ;;
    --subject) [ $# -ge 2 ] || usage; subject="$2"; shift ;;
    --log-origin) [ $# -ge 2 ] || usage; log_origin="$2"; shift ;;
    -h|--help) usage ;;
    -*) echo "make-dev-ca: unknown option $1" >&2; usage ;;
    *) [ -z "$dir" ] || usage; dir="$1" ;;
  esac
  shift
done
[ -n "$dir" ] || usage
case "$days" in ''|*[!0-9]*) echo "make-dev-ca: --days must be a positive number" >&2; exit 2 ;; esac
# The note key name rules the registry applies to [transparency] origin: printable ASCII, no
# spaces, no '+'.
case "$log_origin" in
  ''|*[!!-~]*|*+*)
    echo "make-dev-ca: --log-origin must be printable ASCII without spaces or '+'" >&2; exit 2 ;;
esac

mkdir -p "$dir"
cd "$dir"
umask 077

if [ "$force" -eq 1 ]; then
  rm -f ca.key ca.pem intermediate.key intermediate.pem signing.key signing.pem chain.pem \
    log.key log.vkey
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/ext.cnf" <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[signing]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

newkey() {  # newkey FILE rsa BITS | newkey FILE ec
  if [ -s "$1" ]; then return 0; fi
  if [ "$2" = ec ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  else
    openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$3" -out "$1" 2>/dev/null
  fi
  chmod 600 "$1"
}

serial() { echo "0x$(openssl rand -hex 16)"; }

newkey ca.key rsa 3072
if [ ! -s ca.pem ]; then
  openssl req -new -x509 -key ca.key -sha256 -days 3650 -set_serial "$(serial)" \
    -subj "/O=MedMij Development/CN=MedMij Development Root CA" \
    -extensions ca -config "$tmp/ext.cnf" -out ca.pem
  rm -f intermediate.pem
fi

newkey intermediate.key rsa 3072
if [ ! -s intermediate.pem ]; then
  openssl req -new -key intermediate.key -subj "/O=MedMij Development/CN=MedMij Development Lists CA" \
    -out "$tmp/intermediate.csr"
  openssl x509 -req -in "$tmp/intermediate.csr" -CA ca.pem -CAkey ca.key -set_serial "$(serial)" \
    -sha256 -days 1825 -extfile "$tmp/ext.cnf" -extensions intermediate -out intermediate.pem \
    2>/dev/null
  rm -f signing.pem
fi

if [ "$ec" -eq 1 ]; then newkey signing.key ec; else newkey signing.key rsa 2048; fi
if [ ! -s signing.pem ]; then
  openssl req -new -key signing.key -subj "/O=MedMij Development/CN=$subject" -out "$tmp/signing.csr"
  openssl x509 -req -in "$tmp/signing.csr" -CA intermediate.pem -CAkey intermediate.key \
    -set_serial "$(serial)" -sha256 -days "$days" -extfile "$tmp/ext.cnf" -extensions signing \
    -out signing.pem 2>/dev/null
fi

# The transparency log's key and its verifier key: key id = SHA-256(name || 0x0A || 0x01 ||
# public key)[:4] in hex, then base64(0x01 || public key) (C2SP signed-note, Ed25519).
if [ ! -s log.key ]; then
  openssl genpkey -algorithm ed25519 -out log.key 2>/dev/null
fi
log_kind=$(openssl pkey -in log.key -noout -text 2>/dev/null | sed -n 1p) || log_kind=""
if [ "$log_kind" != "ED25519 Private-Key:" ]; then
  echo "make-dev-ca: $(pwd)/log.key is not an Ed25519 key (remove it, or use --force)" >&2
  exit 1
fi
# The DER SubjectPublicKeyInfo of an Ed25519 key ends in the 32-byte key.
openssl pkey -in log.key -pubout -outform DER | tail -c 32 >"$tmp/log.pub"
key_id=$({ printf '%s\n\001' "$log_origin"; cat "$tmp/log.pub"; } | openssl dgst -sha256 -binary |
  od -An -tx1 -N4 | tr -d ' \n')
key_b64=$({ printf '\001'; cat "$tmp/log.pub"; } | openssl base64 -A)
vkey="$log_origin+$key_id+$key_b64"
printf '%s\n' "$vkey" >log.vkey

cp intermediate.pem chain.pem
chmod 644 ca.pem intermediate.pem signing.pem chain.pem log.vkey
chmod 600 ca.key intermediate.key signing.key log.key
echo "make-dev-ca: $(pwd): ca.pem intermediate.pem signing.key signing.pem chain.pem log.key log.vkey"
echo "make-dev-ca: log verifier key: $vkey"
