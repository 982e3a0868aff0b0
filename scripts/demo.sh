#!/usr/bin/env bash
# The README's first command: create the environment and open kubewallet on a demo workspace
# (generated in a temporary folder; your own ~/.kube/config is never touched).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/bootstrap.sh" demo
exec "$here/.venv/bin/kubewallet" --demo "$@"
