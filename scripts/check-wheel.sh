#!/usr/bin/env bash
# Builds the wheel, installs it into a fresh venv outside the checkout, and runs it there, so
# resources are proven to come from the installed wheel and not from the source tree.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/.venv/bin/python" -m build --wheel --outdir "$work/dist" "$here" >/dev/null
python3.11 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q "$work"/dist/*.whl 2> >(grep -v '^WARNING: Location' >&2)
cd "$work"
"$work/venv/bin/kubewallet" --version
cat > "$work/config" <<'YAML'
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: https://127.0.0.1:6443}
users:
- name: u1
  user: {token: secret-token}
contexts:
- name: ctx
  context: {cluster: c1, user: u1, namespace: ns1}
current-context: ctx
YAML
KUBECONFIG="$work/config" "$work/venv/bin/kubewallet" config view
KUBECONFIG="$work/config" "$work/venv/bin/kubewallet" config view | grep -q 'token: REDACTED'
echo "wheel check: ok ($(ls "$work"/dist/*.whl | xargs -n1 basename), $(du -k "$work"/dist/*.whl | cut -f1) KiB)"
