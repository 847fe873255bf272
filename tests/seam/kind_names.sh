#!/bin/sh
# The report-kind seam is real when no kind is named outside the kind
# folders (core/src/kinds/<kind>/, core/include/rua/kinds/) and the two
# registration lists (core/src/kinds/registry.cpp, writers.cpp, with the
# declarations they use in kinds.hpp). Fails, listing the lines, otherwise.
# Usage: kind_names.sh SOURCE_DIR
set -u
ROOT=${1:?usage: kind_names.sh SOURCE_DIR}
PATTERN='\b(Aggregate|Tlsrpt|Tls|Failure)(Report|Kind|Writer|Batch|Policy|Record)\b|\b(aggregate|tlsrpt|failure)_(report|record|policy|failure|kind|writer|summary)\b|kinds/(aggregate|tlsrpt|failure)/|"(aggregate|tlsrpt|failure)"'
hits=$(cd "$ROOT" && grep -rnE "$PATTERN" core/src core/include milter ruactl \
  --include='*.cpp' --include='*.hpp' |
  grep -vE '^core/src/kinds/(aggregate|tlsrpt|failure)/|^core/include/rua/kinds/|^core/src/kinds/(registry|writers)\.cpp:|^core/src/kinds/kinds\.hpp:')
if [ -n "$hits" ]; then
  echo "a report kind is named outside kinds/ and the registration lists:"
  echo "$hits"
  echo "1 passed, 1 failed... FAIL"
  exit 1
fi
# The check must be able to fail: it finds the registration lines.
if ! (cd "$ROOT" && grep -qE "$PATTERN" core/src/kinds/registry.cpp core/src/kinds/kinds.hpp); then
  echo "the pattern no longer finds the registration list: the check is broken"
  exit 1
fi
echo "no kind named outside kinds/ and the registration lists: PASS"
