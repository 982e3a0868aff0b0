"""`kubewallet import` and `export`, checked with the real kubectl."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml

from kubewallet.demo import build


def run(cmd, env, check=True):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=check, stdin=subprocess.DEVNULL)


@pytest.fixture
def demo(tmp_path):
    ws = build(tmp_path / "demo")
    env = dict(os.environ, KUBECONFIG=str(ws.files[0]))
    return ws, env


def test_conflicts_are_reported_and_nothing_is_written(kubewallet_cmd, demo):
    ws, env = demo
    before = ws.files[0].read_bytes()
    out = run(kubewallet_cmd + ["import", str(ws.files[1])], env, check=False)
    assert out.returncode == 1
    assert "cluster 'staging'" in out.stderr and "--rename" in out.stderr
    assert ws.files[0].read_bytes() == before


def test_rename_keeps_both_and_contexts_follow_and_reimport_is_idempotent(kubewallet_cmd, kubectl, demo, tmp_path):
    ws, env = demo
    extra = tmp_path / "extra.yaml"
    extra.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "staging", "cluster": {"server": "https://other", "certificate-authority": "ca.pem"}}],
        "users": [{"name": "u-extra", "user": {"token": "t"}}],
        "contexts": [{"name": "extra", "context": {"cluster": "staging", "user": "u-extra"}}]}))
    (tmp_path / "ca.pem").write_text("not really a CA")
    out = run(kubewallet_cmd + ["import", str(extra), "--rename"], env)
    assert "renamed cluster staging -> staging-extra" in out.stdout
    view = json.loads(run([kubectl, "config", "view", "--raw", "-o", "json"], env).stdout)
    clusters = {c["name"]: c["cluster"] for c in view["clusters"]}
    contexts = {c["name"]: c["context"] for c in view["contexts"]}
    assert clusters["staging"]["certificate-authority"] == "certs/ca.crt"      # untouched
    assert clusters["staging-extra"]["server"] == "https://other"
    assert clusters["staging-extra"]["certificate-authority"] == str(tmp_path / "ca.pem")  # still points at it
    assert contexts["extra"]["cluster"] == "staging-extra"
    again = run(kubewallet_cmd + ["import", str(extra), "--rename"], env)
    assert "nothing to import" in again.stdout


def test_export_is_self_contained_and_private(kubewallet_cmd, kubectl, demo, tmp_path):
    ws, env = demo
    out_file = tmp_path / "elsewhere" / "staging.yaml"
    out_file.parent.mkdir()
    run(kubewallet_cmd + ["export", "staging", "-o", str(out_file)], env)
    assert out_file.stat().st_mode & 0o777 == 0o600
    # Moved away from the demo folder, it still works: every file reference was inlined.
    doc = json.loads(run([kubectl, "config", "view", "--raw", "-o", "json"],
                         dict(env, KUBECONFIG=str(out_file))).stdout)
    assert doc["current-context"] == "staging" and len(doc["contexts"]) == 1
    user = doc["users"][0]["user"]
    assert user["client-certificate-data"] and user["client-key-data"]
    assert "client-certificate" not in user and "certificate-authority" not in doc["clusters"][0]["cluster"]
    refused = run(kubewallet_cmd + ["export", "staging", "-o", str(out_file)], env, check=False)
    assert refused.returncode == 1 and "--force" in refused.stderr


def test_export_force_over_a_world_readable_file_leaves_it_0600(kubewallet_cmd, kubectl, demo, tmp_path):
    """Issue 12.6: `--force` over a 0644 file used to keep 0644 and still print "mode 0600"."""
    ws, env = demo
    out_file = tmp_path / "staging.yaml"
    out_file.write_text("old export\n")
    out_file.chmod(0o644)
    out = run(kubewallet_cmd + ["export", "staging", "-o", str(out_file), "--force"], env)
    assert out_file.stat().st_mode & 0o777 == 0o600
    assert "mode 0600" in out.stdout
    view = run([kubectl, "config", "view", "--raw", "-o", "json"], dict(env, KUBECONFIG=str(out_file)))
    assert json.loads(view.stdout)["users"][0]["user"]["client-key-data"]
