"""The demo workspace as kubectl itself reads it."""

import json
import os
import subprocess

from kubewallet.demo import build


def test_kubectl_reads_the_demo_workspace(tmp_path, kubectl):
    ws = build(tmp_path)
    out = subprocess.run([kubectl, "config", "view", "--raw", "-o", "json"], capture_output=True,
                         text=True, env=dict(os.environ, KUBECONFIG=ws.kubeconfig), check=True)
    doc = json.loads(out.stdout)
    assert doc["current-context"] == "staging"
    assert {"prod-eu", "staging", "team-a"} <= {c["name"] for c in doc["contexts"]}
