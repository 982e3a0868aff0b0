"""`--context`: the identity comes from the kubeconfig context's credential (a real certificate)."""

from __future__ import annotations

import pytest

from kubewallet.cli.main import main
from kubewallet.errors import RbacError
from kubewallet.rbac.kubeidentity import identity_from_context
from tests.unit.rbac.policies import SAMPLE


@pytest.fixture()
def kubeconfig(tmp_path, pki):
    alice = pki.issue("alice", ["deployers", "ops"])
    path = tmp_path / "config"
    path.write_text(f"""apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c
  cluster: {{server: "https://127.0.0.1:6443"}}
contexts:
- name: dev
  context: {{cluster: c, user: alice, namespace: dev}}
- name: nobody
  context: {{cluster: c}}
users:
- name: alice
  user:
    client-certificate-data: {alice.cert_b64}
    client-key-data: {alice.key_b64}
""")
    return str(path)


def test_identity_from_a_client_certificate(kubeconfig):
    who = identity_from_context("dev", kubeconfig)
    assert who.user == "alice"
    assert who.groups == ("deployers", "ops", "system:authenticated")
    assert identity_from_context(None, kubeconfig) == who  # the current context
    assert identity_from_context("nobody", kubeconfig).groups == ("system:unauthenticated",)


def test_can_i_with_context(capsys, tmp_path, kubeconfig):
    policy = tmp_path / "rbac.yaml"
    policy.write_text(SAMPLE)
    argv = ["can-i", "get", "/metrics", "--context", "dev", "--kubeconfig", kubeconfig, "--rbac", str(policy)]
    assert main(argv) == 0 and capsys.readouterr().out == "yes\n"  # through Group ops
    assert main(["can-i", "delete", "pods", "-n", "dev", "--context", "dev", "--kubeconfig", kubeconfig,
                 "--rbac", str(policy)]) == 1


def test_unknown_context_is_an_rbac_error(kubeconfig):
    with pytest.raises(RbacError, match="context 'prod' not found"):
        identity_from_context("prod", kubeconfig)
