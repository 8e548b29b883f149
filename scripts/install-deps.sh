#!/usr/bin/env bash
# Installs everything the registry needs to build, run and test on Debian 12.
# Idempotent; run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  liblmdb-dev lmdb-utils
  libzstd-dev zstd
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
  tmux zsh fish
  golang-go golang-golang-x-mod-dev
  libkainjow-mustache-dev python3-html5lib
  chromium chromium-driver python3-selenium nodejs
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# axe-core for the headless Chromium test (tests/browser), at the version package-lock.json
# pins; the test itself never fetches anything.
install_browser_test_modules() {
  if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    # Debian's nodejs comes without npm (a separate package); other builds of nodejs bring it.
    if ! command -v npm >/dev/null; then
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends npm
    fi
    echo "install-deps: npm ci in tests/browser"
    npm ci --prefix tests/browser --no-audit --no-fund
  fi
}
cd "$(dirname "$0")/.."

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  install_browser_test_modules
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
install_browser_test_modules
