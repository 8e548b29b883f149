#!/usr/bin/env bash
# Installs what is needed, builds everything with warnings as errors, and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
build_dir=${MEDMIJ_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEDMIJ_WERROR=ON
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
ctest --output-on-failure -j2 --timeout 600
