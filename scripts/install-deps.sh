#!/usr/bin/env bash
# Installs everything the registry needs to build, run and test on Debian 12.
# Idempotent; run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  liblmdb-dev lmdb-utils
  libxml2-dev libxml2-utils zlib1g-dev
  libxmlsec1-dev xmlsec1 libssl-dev openssl
  libpistache-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev
  libcurl4-openssl-dev curl
  nginx-light wrk
  clang-format time
  help2man lintian fakeroot
  clang-14 libfuzzer-14-dev
  faketime
  golang-go golang-golang-x-mod-dev
  libkainjow-mustache-dev python3-html5lib
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
