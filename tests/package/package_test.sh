#!/usr/bin/env bash
# ctest: builds the Debian package from this build tree (scripts/package.sh, reusing the tree
# the suite just built) and checks it (check-package.sh).
#   package_test.sh SOURCE_DIR BUILD_DIR VERSION
set -euo pipefail
src=$1 build=$2 version=$3
out=$(mktemp -d /tmp/medmij-package-test-XXXXXX)
trap 'rm -rf "$out"' EXIT
deb=$(MEDMIJ_BUILD_DIR="$build" "$src/scripts/package.sh" "$out" | tail -n 1)
"$src/tests/package/check-package.sh" "$deb" "$version"
