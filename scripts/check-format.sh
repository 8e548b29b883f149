#!/usr/bin/env bash
# Fails when a C++ file of the tree is not clang-format clean (run from ctest and by hand).
# In a git checkout the tracked files; elsewhere (a copy of the tree) every file outside the
# build directories.
set -euo pipefail
cd "$(dirname "$0")/.."
if git rev-parse --show-toplevel >/dev/null 2>&1 &&
  [ "$(git rev-parse --show-toplevel)" = "$PWD" ]; then
  mapfile -t files < <(git ls-files '*.cc' '*.h')
else
  mapfile -t files < <(find . \( -path './build*' -o -path './.cache' \) -prune -o \
    -type f \( -name '*.cc' -o -name '*.h' \) -print)
fi
[ ${#files[@]} -eq 0 ] && exit 0
clang-format --dry-run -Werror "${files[@]}"
