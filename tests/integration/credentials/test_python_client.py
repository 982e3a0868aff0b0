"""The official `kubernetes` Python client runs exec plugins itself (`load_kube_config`): a second,
independent consumer of the ExecCredential kubewallet writes — with and without the agent."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.apiserver import ApiServer
from tests.support.kubeconfigs import write_kubeconfig

TOKEN = "py-client-token-42"

LIST_PODS = """
import sys
from kubernetes import client, config
config.load_kube_config(context=sys.argv[1])
pods = client.CoreV1Api().list_namespaced_pod("team-a")
print(" ".join(p.metadata.name for p in pods.items))
"""


@pytest.fixture
def setup(secret_service, tmp_path, pki, monkeypatch, kw):
    frank = pki.issue("frank", ("qa",))
    with ApiServer(pki, tokens={TOKEN: "dora"}) as api:
        path = write_kubeconfig(tmp_path / "config", api.cluster_entry(), {
            "dora": {"token": TOKEN},
            "frank": {"client-certificate-data": frank.cert_b64, "client-key-data": frank.key_b64},
        }, "dora")
        monkeypatch.setenv("KUBECONFIG", str(path))
        kw("secure", "--all")
        assert TOKEN not in path.read_text()
        yield api


def list_pods(context: str) -> subprocess.CompletedProcess:
    # A process of its own, as an application would run: the client starts the plugin.
    return subprocess.run([sys.executable, "-c", LIST_PODS, context], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("with_agent", [False, True], ids=["vault", "agent"])
def test_python_client_lists_pods_through_the_plugin(setup, kw, with_agent):
    if with_agent:
        kw("agent", "start")
    for context in ("dora", "frank"):
        out = list_pods(context)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.split() == ["hello-kubewallet"]
    seen = setup.authenticated()
    assert {r.token for r in seen if r.token} == {TOKEN}
    assert {r.client_cn for r in seen if r.client_cn} == {"frank"}
    if with_agent:
        assert "served 0 " not in kw("agent", "status").stdout
