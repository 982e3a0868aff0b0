#!/usr/bin/env bash
# The README's test command: set up everything on a fresh machine (scripts/bootstrap.sh), then
# run the whole suite with the real kubectl, Secret Service and OpenID provider.
# Extra arguments go to pytest (for example: scripts/test.sh tests/unit -x).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/bootstrap.sh" test
cd "$here"
export QT_QPA_PLATFORM=offscreen
export KUBECTL="$here/.cache/kubectl/kubectl"
export PATH="$here/.venv/bin:$PATH"
mkdir -p artifacts
set +e
"$here/.venv/bin/python" -m pytest -p no:cacheprovider "$@"
rc=$?
set -e
# pytest exits 5 when it collected nothing: that is a failure of the suite, not a pass.
exit $rc
