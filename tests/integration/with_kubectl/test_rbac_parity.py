"""kubewallet's can-i against the real kubectl 1.35, both reading the same arguments.

kubectl talks to `FakeApiServer` (discovery plus the two review endpoints, answered by
kubewallet's evaluator); the tests check that kubectl sends exactly the request kubewallet
builds from the same arguments, and prints byte for byte what kubewallet prints (`yes`,
`no - reason`, the `--list` table).
"""

from __future__ import annotations

import subprocess

import pytest

from kubewallet.rbac.authorizer import Authorizer
from kubewallet.rbac.defaults import with_defaults
from kubewallet.rbac.listing import render_list, review_rules
from kubewallet.rbac.loading import load_text
from kubewallet.rbac.impersonation import impersonate
from kubewallet.rbac.model import Request
from kubewallet.rbac.resources import resolve_type
from tests.unit.rbac.fakeapi import FakeApiServer
from tests.unit.rbac.policies import SAMPLE

pytestmark = pytest.mark.kubectl

AUTHZ = Authorizer(with_defaults(load_text(SAMPLE)[0]))
STATE: dict = {}


def _ssar(spec: dict) -> dict:
    ra = spec.get("resourceAttributes")
    if ra is not None:
        req = Request(ra.get("verb", ""), ra.get("resource", ""), ra.get("group", ""), ra.get("subresource", ""),
                      ra.get("name", ""), ra.get("namespace", ""))
    else:
        nra = spec["nonResourceAttributes"]
        req = Request(nra.get("verb", ""), path=nra.get("path", ""))
    d = AUTHZ.decide(STATE["identity"], req)
    out = {"allowed": d.allowed}
    if d.reason and not d.allowed:
        out["reason"] = d.reason
    return out


def _ssrr(spec: dict) -> dict:
    rules = review_rules(AUTHZ, STATE["identity"], spec.get("namespace", ""))
    res, nonres = [], []
    for r in rules:
        if r.resources:
            item = {"verbs": list(r.verbs), "apiGroups": list(r.api_groups), "resources": list(r.resources)}
            if r.resource_names:
                item["resourceNames"] = list(r.resource_names)
            res.append(item)
        else:
            nonres.append({"verbs": list(r.verbs), "nonResourceURLs": list(r.non_resource_urls)})
    return {"resourceRules": res, "nonResourceRules": nonres, "incomplete": False}


@pytest.fixture(scope="module")
def server():
    with FakeApiServer(_ssar, _ssrr) as s:
        yield s


def _kubectl(kubectl, server, tmp_path, *args):
    kc = server.kubeconfig(tmp_path / "kubeconfig")
    return subprocess.run([kubectl, "--kubeconfig", kc, "--cache-dir", str(tmp_path / "cache"), "auth", "can-i", *args],
                          capture_output=True, text=True, timeout=60)


IDENTITIES = [
    impersonate("alice"),
    impersonate("system:serviceaccount:dev:ci"),
    impersonate("carol"),
    impersonate("dave", ["ops"]),
    impersonate("system:anonymous"),
    impersonate("eve"),
]


@pytest.mark.parametrize("namespace", ["dev", ""])
@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i.user)
def test_list_output_is_kubectls(kubectl, server, tmp_path, identity, namespace):
    STATE["identity"] = identity
    args = ["--list", "-n", namespace] if namespace else ["--list", "-n", ""]
    done = _kubectl(kubectl, server, tmp_path, *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout == render_list(review_rules(AUTHZ, identity, namespace))


@pytest.mark.parametrize("target", [
    "pod", "po", "Pod", "deploy", "Deployment", "deployments.apps", "deployments.v1.apps",
    "hpa.autoscal", "ev", "events.events.k8s.io", "crd", "no", "pods/mypod", "widgets.example.com",
    "users", "*", "rolebindings.rbac.authorization.k8s.io", "leases.coordination.k8s.io/lock",
])
def test_type_argument_is_read_like_kubectl(kubectl, server, tmp_path, target):
    STATE["identity"] = impersonate("carol")
    server.reviews.clear()
    done = _kubectl(kubectl, server, tmp_path, "get", target, "-n", "dev")
    assert done.returncode in (0, 1), done.stderr
    ra = server.reviews[-1]["spec"]["resourceAttributes"]
    type_arg, _, name = target.partition("/")
    resolved = resolve_type(type_arg)
    assert (ra.get("resource", ""), ra.get("group", ""), ra.get("name", "")) == (resolved.resource, resolved.group, name)


@pytest.mark.parametrize("argv", [
    ["get", "pods", "-n", "dev", "--as", "alice"],
    ["delete", "pods", "-n", "dev", "--as", "alice"],
    ["get", "pods", "--subresource", "log", "-n", "dev", "--as", "alice"],
    ["get", "secrets/db", "-n", "dev", "--as", "alice"],
    ["list", "secrets", "-n", "dev", "--as", "alice"],
    ["get", "/metrics", "--as", "dave", "--as-group", "ops"],
    ["get", "/logs/kube.log", "--as", "dave", "--as-group", "ops"],
    ["create", "deployments.apps", "-A", "--as", "dave", "--as-group", "ops"],
    ["impersonate", "users/alice", "-A", "--as", "support"],
    ["list", "widgets.example.com", "-n", "x", "--as", "carol"],
    ["get", "pods", "-n", "dev", "--as", "eve"],
    ["get", "nodes", "-A", "--as", "eve"],
])
def test_answer_and_exit_status_are_kubectls(kubectl, server, tmp_path, kubewallet_cmd, argv):
    as_user = argv[argv.index("--as") + 1]
    groups = [argv[i + 1] for i, a in enumerate(argv) if a == "--as-group"]
    STATE["identity"] = impersonate(as_user, groups)
    theirs = _kubectl(kubectl, server, tmp_path, *argv)
    policy = tmp_path / "p.yaml"
    policy.write_text(SAMPLE)
    ours = subprocess.run([*kubewallet_cmd, "can-i", *argv, "--rbac", str(policy), "--with-defaults"],
                          capture_output=True, text=True, timeout=60)
    assert (ours.stdout, ours.returncode) == (theirs.stdout, theirs.returncode), (ours.stderr, theirs.stderr)
