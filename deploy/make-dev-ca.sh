#!/usr/bin/env bash
# Makes a DEVELOPMENT signing hierarchy for the registry (tests, demo): never use it in production.
#
#   make-dev-ca.sh [--ec] [--force] [--days N] [--subject CN] DIR
#
# Writes into DIR:
#   ca.key, ca.pem                 self-signed root CA (RSA 3072), the participants' trust anchor
#   intermediate.key, .pem         intermediate CA issued by the root (RSA 3072)
#   signing.key (0600), signing.pem  list-signing key + certificate issued by the intermediate
#                                  (RSA 2048 by default, EC P-256 with --ec), valid --days (365)
#   chain.pem                      the intermediate: what goes into KeyInfo after signing.pem
# Idempotent: existing keys are kept (certificates are made only where missing) unless --force.
set -euo pipefail

usage() { echo "usage: $0 [--ec] [--force] [--days N] [--subject CN] DIR" >&2; exit 2; }

ec=0 force=0 days=365 subject="MedMij Registry Development List Signer" dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ec) ec=1 ;;
    --force) force=1 ;;
    --days) [ $# -ge 2 ] || usage; days="$2"; shift ;;
    --subject) [ $# -ge 2 ] || usage; subject="$2"; shift ;;
    -h|--help) usage ;;
    -*) echo "make-dev-ca: unknown option $1" >&2; usage ;;
    *) [ -z "$dir" ] || usage; dir="$1" ;;
  esac
  shift
done
[ -n "$dir" ] || usage
case "$days" in ''|*[!0-9]*) echo "make-dev-ca: --days must be a positive number" >&2; exit 2 ;; esac

mkdir -p "$dir"
cd "$dir"
umask 077

if [ "$force" -eq 1 ]; then
  rm -f ca.key ca.pem intermediate.key intermediate.pem signing.key signing.pem chain.pem
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

cp intermediate.pem chain.pem
chmod 644 ca.pem intermediate.pem signing.pem chain.pem
chmod 600 ca.key intermediate.key signing.key
echo "make-dev-ca: $(pwd): ca.pem intermediate.pem signing.key signing.pem chain.pem"
