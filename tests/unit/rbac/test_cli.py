"""The commands as a user runs them: exit status, stdout, stderr (in-process, plus one real process)."""

from __future__ import annotations

import json
import subprocess

import pytest

from kubewallet.cli.main import main
from tests.unit.rbac.policies import SAMPLE


@pytest.fixture()
def policy(tmp_path):
    path = tmp_path / "rbac.yaml"
    path.write_text(SAMPLE + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv,code,stdout", [
    (["get", "pods", "-n", "dev", "--as", "alice"], 0, "yes\n"),
    (["get", "pods", "-n", "prod", "--as", "alice"], 1, "no\n"),
    (["get", "pods", "--subresource", "log", "-n", "dev", "--as", "alice"], 0, "yes\n"),
    (["get", "secrets/db", "-n", "dev", "--as", "alice"], 0, "yes\n"),
    (["list", "secrets", "-n", "dev", "--as", "alice"], 1, "no\n"),
    (["update", "deployments.apps/web", "--subresource", "scale", "-n", "dev",
      "--as", "system:serviceaccount:dev:ci"], 0, "yes\n"),
    (["update", "deploy", "-n", "dev", "--as", "system:serviceaccount:prod:ci"], 1, "no\n"),
    (["get", "/logs/app.log", "--as", "dave", "--as-group", "ops"], 0, "yes\n"),
    (["get", "/metrics", "--as", "bob", "--as-group", "deployers"], 1, "no\n"),
    (["create", "Deployment", "-A", "--as", "dave", "--as-group", "ops"], 0, "yes\n"),
    (["impersonate", "users/alice", "--as", "support"], 0, "yes\n"),
    (["impersonate", "users/root", "--as", "support"], 1, "no\n"),
    (["delete", "nodes/n1", "--as", "x", "--as-group", "system:masters"], 0, "yes\n"),
    (["get", "pods", "-n", "dev", "--as", "eve"], 1,
     'no - RBAC: [clusterrole.rbac.authorization.k8s.io "no-such-role" not found, '
     'role.rbac.authorization.k8s.io "gone" not found]\n'),
])
def test_can_i_answers(capsys, policy, argv, code, stdout):
    got = run(capsys, "can-i", *argv, "--rbac", policy)
    assert got[:2] == (code, stdout)
    assert "note: ignored 1 object(s) that are not RBAC (1 ConfigMap)" in got[2]


def test_quiet_prints_nothing(capsys, policy):
    assert run(capsys, "can-i", "get", "pods", "-n", "dev", "--as", "alice", "-q", "--rbac", policy) == (0, "", "")
    assert run(capsys, "can-i", "get", "pods", "-n", "x", "--as", "alice", "-q", "--rbac", policy) == (1, "", "")


def test_defaults_and_aggregation_into_edit(capsys, policy):
    code, out, _ = run(capsys, "can-i", "create", "widgets.example.com", "-n", "x", "--as", "carol",
                       "--rbac", policy, "--with-defaults")
    assert (code, out) == (0, "yes\n")
    assert run(capsys, "can-i", "get", "/version", "--as", "anyone", "--with-defaults")[:2] == (0, "yes\n")


@pytest.mark.parametrize("argv,message", [
    (["get"], "you must specify two arguments"),
    (["get", "pods", "extra"], "you must specify two arguments"),
    (["get", "/healthz", "--subresource", "x", "--as", "a"], "--subresource can not be used with NonResourceURL"),
    (["--list", "get", "pods", "--as", "a"], "list option must be specified with no arguments"),
    (["--list", "-q", "--as", "a"], "list option can't be specified"),
    (["get", "pods", "--no-headers", "--as", "a"], "--no-headers cannot be set without --list"),
    (["get", "pods", "--as-group", "g"], "requested [Group g] without impersonating a user"),
    (["get", "pods", "--as-uid", "42"], "requested [UID 42] without impersonating a user"),
    (["get", "pods", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_usage_errors_exit_3(capsys, policy, argv, message):
    code, out, err = run(capsys, "can-i", *argv, "--rbac", policy)
    assert code == 3 and out == ""
    assert err.startswith("error: ") and message in err


def test_no_manifests_and_broken_manifest_exit_3(capsys, tmp_path):
    code, _, err = run(capsys, "can-i", "get", "pods", "--as", "a")
    assert code == 3 and "no RBAC manifests" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Role\nmetadata: [\n")
    code, _, err = run(capsys, "can-i", "get", "pods", "--as", "a", "--rbac", str(bad))
    assert code == 3 and f"{bad}:3:1: YAML:" in err and "Traceback" not in err


def test_warnings_like_kubectl(capsys, policy):
    _, _, err = run(capsys, "can-i", "frobnicate", "pods", "-n", "dev", "--as", "a", "--rbac", policy)
    assert "Warning: verb 'frobnicate' is not a known verb" in err
    _, _, err = run(capsys, "can-i", "get", "nodes", "-n", "dev", "--as", "a", "--rbac", policy)
    assert "Warning: resource 'nodes' is not namespace scoped" in err
    _, _, err = run(capsys, "can-i", "get", "gizmos", "--as", "a", "--rbac", policy)
    assert "'gizmos' is not a built-in resource type" in err


def test_explain_yes_names_binding_role_and_rule(capsys, policy):
    code, out, _ = run(capsys, "can-i", "create", "widgets.example.com", "-n", "x", "--as", "carol",
                       "--rbac", policy, "--with-defaults", "--explain")
    assert code == 0 and out.startswith("yes\n")
    assert 'allowed by: ClusterRoleBinding "carol-edit" of ClusterRole "edit" to User "carol"' in out
    assert "role:    ClusterRole edit (aggregated from system:aggregate-to-edit, view, widget-admin)" in out
    assert "resources=[widgets, widgets/status]" in out


def test_explain_no_gives_the_nearest_misses(capsys, policy):
    code, out, _ = run(capsys, "can-i", "get", "pods", "-n", "prod", "--as", "alice", "--rbac", policy, "--explain")
    assert code == 1 and "RoleBinding dev/alice-reads grants this, but in namespace dev" in out
    _, out, _ = run(capsys, "can-i", "get", "secrets", "-n", "dev", "--as", "alice", "--rbac", policy, "--explain")
    assert "allows only the resource names [db, api-key]; a request without a name (get) never matches" in out
    _, out, _ = run(capsys, "can-i", "get", "secrets/tls", "-n", "dev", "--as", "alice", "--rbac", policy, "--explain")
    assert "allows only the resource names [db, api-key], not 'tls'" in out
    _, out, _ = run(capsys, "can-i", "delete", "pods", "-n", "dev", "--as", "alice", "--rbac", policy, "--explain")
    assert "allows verbs [get, list, watch] on pods, not 'delete'" in out
    _, out, _ = run(capsys, "can-i", "get", "pods", "--subresource", "exec", "-n", "dev", "--as", "alice",
                    "--rbac", policy, "--explain")
    assert "grants pods but not its subresource pods/exec" in out
    _, out, _ = run(capsys, "can-i", "update", "deployments.apps", "-n", "dev",
                    "--as", "system:serviceaccount:prod:ci", "--rbac", policy, "--explain")
    assert "grants this to ServiceAccount dev/ci, not prod/ci" in out
    _, out, _ = run(capsys, "can-i", "get", "/metrics", "--as", "bob", "--as-group", "deployers",
                    "--rbac", policy, "--explain")
    assert "non-resource URLs are granted only through ClusterRoleBindings" in out
    _, out, _ = run(capsys, "can-i", "get", "pods", "-n", "dev", "--as", "eve", "--rbac", policy, "--explain")
    assert "ClusterRoleBinding eve-missing refers to ClusterRole no-such-role, which does not exist" in out


def test_list_prints_kubectls_table(capsys, policy):
    code, out, _ = run(capsys, "can-i", "--list", "-n", "dev", "--as", "alice", "--rbac", policy)
    assert code == 0
    assert out == (
        "Resources   Non-Resource URLs   Resource Names   Verbs\n"
        "pods/log    []                  []               [get list watch]\n"
        "pods        []                  []               [get list watch]\n"
        "secrets     []                  [api-key]        [get]\n"
        "secrets     []                  [db]             [get]\n")
    _, out, _ = run(capsys, "can-i", "--list", "-n", "dev", "--as", "alice", "--rbac", policy, "--no-headers")
    assert not out.startswith("Resources")


def test_who_can(capsys, policy):
    code, out, _ = run(capsys, "who-can", "update", "deployments.apps", "-n", "dev", "--rbac", policy)
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("Group system:masters")
    assert any(line.startswith("ServiceAccount dev/ci") and "RoleBinding dev/ci-deploys" in line for line in lines)
    assert any(line.startswith("Group deployers") for line in lines)
    assert any(line.startswith("Group ops") and "ClusterRoleBinding ops-deploy" in line for line in lines)
    assert not any("alice" in line for line in lines)
    _, out, _ = run(capsys, "who-can", "update", "deployments.apps", "-n", "prod", "--rbac", policy, "-o", "json")
    doc = json.loads(out)
    assert [(s["kind"], s["name"]) for s in doc["subjects"]] == [("Group", "ops")]


def test_access_matrix(capsys, policy):
    code, out, _ = run(capsys, "access-matrix", "--as", "alice", "-n", "dev", "--rbac", policy, "-o", "json")
    doc = json.loads(out)
    assert code == 0 and doc["namespace"] == "dev"
    assert doc["resources"]["pods"] == {"get": True, "list": True, "watch": True, "create": False, "update": False,
                                        "patch": False, "delete": False, "deletecollection": False}
    assert doc["resources"]["widgets.example.com"]["get"] is False
    _, out, _ = run(capsys, "access-matrix", "--as", "alice", "-n", "dev", "--rbac", policy, "--verbs", "get,list",
                    "--ascii")
    assert out.splitlines()[0].split() == ["NAME", "GET", "LIST"]
    assert "pods" in out and "yes" in out


def test_rbac_risks(capsys, tmp_path, policy):
    code, out, _ = run(capsys, "rbac", "risks", "--rbac", policy, "--with-defaults", "-o", "json")
    risks = json.loads(out)
    assert code == 0
    found = {(r["check"], r["subject"]["name"]) for r in risks}
    assert ("wildcard-all", "system:masters") in found
    assert ("masters-binding", "system:masters") in found
    assert ("impersonate", "support") in found
    support = next(r for r in risks if r["subject"]["name"] == "support")
    assert support["severity"] == "high" and "only the names [alice]" in support["title"]
    assert ("secrets-namespace", "carol") not in found and ("secrets-cluster", "carol") in found
    severities = [r["severity"] for r in risks]
    order = ["critical", "high", "medium", "low"]
    assert severities == sorted(severities, key=order.index)
    _, out, _ = run(capsys, "rbac", "risks", "--rbac", policy, "--min-severity", "high")
    assert out.splitlines()[0].split()[:3] == ["SEVERITY", "SUBJECT", "RISK"]
    assert "User support" in out and "MEDIUM" not in out


def test_real_process_exit_status(kubewallet_cmd, policy):
    yes = subprocess.run([*kubewallet_cmd, "can-i", "get", "pods", "-n", "dev", "--as", "alice", "--rbac", policy],
                         capture_output=True, text=True, timeout=30)
    no = subprocess.run([*kubewallet_cmd, "can-i", "get", "pods", "-n", "x", "--as", "alice", "--rbac", policy],
                        capture_output=True, text=True, timeout=30)
    err = subprocess.run([*kubewallet_cmd, "can-i", "get", "--as", "alice", "--rbac", policy],
                         capture_output=True, text=True, timeout=30)
    assert (yes.returncode, yes.stdout, no.returncode, no.stdout, err.returncode) == (0, "yes\n", 1, "no\n", 3)
