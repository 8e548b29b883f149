#!/usr/bin/env bash
# Builds the Debian package: scripts/package.sh OUTDIR
# writes OUTDIR/medmij-registry_<version>_<arch>.deb and prints its path.
#
# By default it configures its own Release build (build-package/, with Debian's hardening flags
# from dpkg-buildflags, as a Debian build would). MEDMIJ_BUILD_DIR=DIR packages an existing,
# configured build tree instead (the test suite packages the tree it just built and tested).
# Needs the packages of scripts/install-deps.sh (help2man, dpkg-dev).
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: scripts/package.sh OUTDIR" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

for tool in help2man dpkg-shlibdeps dpkg-deb cpack; do
  if ! command -v "$tool" >/dev/null; then
    echo "package.sh: $tool is missing (run scripts/install-deps.sh)" >&2
    exit 2
  fi
done

if [ -n "${MEDMIJ_BUILD_DIR:-}" ]; then
  build=$(cd "$MEDMIJ_BUILD_DIR" && pwd)
else
  build="$root/build-package"
  if [ ! -f "$build/CMakeCache.txt" ]; then
    CPPFLAGS=$(dpkg-buildflags --get CPPFLAGS) CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) \
$(dpkg-buildflags --get CPPFLAGS)" LDFLAGS=$(dpkg-buildflags --get LDFLAGS) \
      cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
  fi
fi
# Build output goes to stderr: stdout is only the package's path.
cmake --build "$build" -j"$(nproc)" --target medmij-admin medmij-registry medmij-verify medmij-fetch \
  medmij_package_files >&2

staging=$(mktemp -d "$out/.cpack-XXXXXX")
trap 'rm -rf "$staging"' EXIT
# Quiet unless it fails: CPack's own output names temp paths only.
if ! (cd "$build" && cpack -G DEB -B "$staging" >"$staging/cpack.log" 2>&1); then
  cat "$staging/cpack.log" >&2
  exit 1
fi
debs=("$staging"/medmij-registry_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  echo "package.sh: cpack made no single medmij-registry_*.deb" >&2
  cat "$staging/cpack.log" >&2
  exit 1
fi
name=$(basename "${debs[0]}")
mv -f "${debs[0]}" "$out/$name"
echo "$out/$name"
