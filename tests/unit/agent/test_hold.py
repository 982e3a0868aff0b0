"""The agent's `hold` operation: an OIDC refresh token kept in memory where the vault cannot
be opened (an SSH session without a D-Bus session bus), forgotten on lock."""

from __future__ import annotations

import shutil
import tempfile

import pytest

from kubewallet.agent import client
from kubewallet.agent.server import AgentServer

REF = "oidc/0123456789abcdef0123456789abcdef/refresh-token"


@pytest.fixture
def agent():
    folder = tempfile.mkdtemp(prefix="kw-agent-")
    server = AgentServer(f"{folder}/agent.sock", timeout=None)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_holds_a_refresh_token_until_lock(agent):
    assert client.hold(REF, "rt-1", agent.path)["ok"]
    answer = client.held(REF, agent.path)
    assert answer["ok"] and answer["value"] == "rt-1"
    assert client.hold(REF, "", agent.path)["ok"]       # an empty value forgets it
    assert client.held(REF, agent.path).get("value") != "rt-1"
    client.hold(REF, "rt-2", agent.path)
    client.request({"op": "lock"}, agent.path)
    assert client.held(REF, agent.path).get("value") != "rt-2"


@pytest.mark.parametrize("ref", ["users/admin", "oidc/x/client-secret", 42])
def test_holds_nothing_but_oidc_refresh_tokens(agent, ref):
    """A held value never shadows a secret the vault serves (a user's token, a client secret)."""
    answer = client.request({"op": "hold", "ref": ref, "value": "planted"}, agent.path)
    assert answer["ok"] is False and answer["error"] == "bad-request"
