#!/usr/bin/env bash
# Fails when a file of the tree names a path outside the repository (a sibling folder such as
# ../shared, the machine's own layout, or CMake climbing out of the source dir). The repository
# must build, test and package from a clone with nothing beside it; .ci/run proves that by
# running the suite in an empty temporary directory, this check says where it would break.
set -euo pipefail
cd "$(dirname "$0")/.."
self=scripts/check-self-contained.sh
pattern='\.\./shared|/work/|(SOURCE_DIR|CMAKE_CURRENT_LIST_DIR)\}/\.\.'
if hits=$(grep -rnE "$pattern" . --exclude-dir='build*' --exclude-dir=.git --exclude=.git --exclude-dir=.cache \
  --exclude-dir=demo-data | grep -v "^\./$self:"); then
  echo "check-self-contained: these lines name a path outside the repository:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "check-self-contained: no path outside the repository is named"
