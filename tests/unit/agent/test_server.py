"""The agent as the GUI embeds it (AgentServer in a thread) with a real encrypted-file vault, and
its clients: the JSON one and the plugin's `_socket`/`_json` fast path."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import time

import pytest

from kubewallet.agent import client, fastclient
from kubewallet.agent.paths import ensure_private_dir
from kubewallet.agent.server import AgentServer
from kubewallet.errors import AgentError
from kubewallet.vault import open_vault

PASS = "agent test passphrase"
V1 = '{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}'


@pytest.fixture
def sock_dir():
    path = tempfile.mkdtemp(prefix="kw-agent-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def vault_path(tmp_path):
    path = tmp_path / "vault.json"
    vault = open_vault(path, passphrase=PASS)
    vault.reencrypt(source="passphrase", passphrase=PASS)
    vault.put("users/ann", json.dumps({"token": "ann-token"}),
              meta={"kind": "token", "user": "ann", "expires": "2099-01-01T00:00:00Z",
                    "original": {"token": "ann-token"}})
    return path


@pytest.fixture
def agent(sock_dir, vault_path):
    server = AgentServer(os.path.join(sock_dir, "a", "agent.sock"), timeout=None, passphrase=PASS,
                         vault_factory=lambda pw: open_vault(vault_path, passphrase=pw))
    server.start()
    yield server
    server.stop()


def test_socket_is_private(agent):
    assert stat.S_IMODE(os.stat(agent.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(agent.path.parent).st_mode) == 0o700


def served_token(path) -> str | None:
    """The token the agent hands the plugin for users/ann, or None when it cannot answer."""
    answer = fastclient.exec_credential("users/ann", "ann", V1, path=str(path))
    if answer is None or answer[0] != fastclient.SERVE:
        return None
    return json.loads(answer[1])["status"]["token"]


def test_fast_client_gets_the_finished_exec_credential(agent):
    code, out, err = fastclient.exec_credential("users/ann", "ann", V1, path=str(agent.path))
    assert code == fastclient.SERVE and err == ""
    cred = json.loads(out)
    assert cred["apiVersion"] == "client.authentication.k8s.io/v1"
    assert cred["status"] == {"token": "ann-token", "expirationTimestamp": "2099-01-01T00:00:00Z"}
    beta = V1.replace("/v1\"", "/v1beta1\"")
    assert json.loads(fastclient.exec_credential("users/ann", "ann", beta, path=str(agent.path))[1])[
        "apiVersion"] == "client.authentication.k8s.io/v1beta1"
    code, out, err = fastclient.exec_credential("users/x", None, V1, path=str(agent.path))
    assert code == fastclient.FAIL and out == "" and "no secret 'users/x'" in err
    code, _, err = fastclient.exec_credential("users/ann", None, "{not json", path=str(agent.path))
    assert code == fastclient.FAIL and "KUBERNETES_EXEC_INFO is not JSON" in err


def test_no_agent_means_none_not_an_error(sock_dir):
    assert fastclient.exec_credential("r", None, V1, path=os.path.join(sock_dir, "nope.sock")) is None
    with pytest.raises(client.NoAgent):
        client.request({"op": "status"}, os.path.join(sock_dir, "nope.sock"))


def test_lock_forgets_and_a_passphrase_vault_then_stays_locked(agent):
    assert served_token(agent.path) == "ann-token"
    assert client.request({"op": "status"}, agent.path)["unlocked"] is True
    assert client.request({"op": "lock"}, agent.path)["ok"]
    status = client.request({"op": "status"}, agent.path)
    assert status["unlocked"] is False
    assert not agent.unlocked and agent._passphrase is None
    code, _, _ = fastclient.exec_credential("users/ann", None, V1, path=str(agent.path))
    assert code == fastclient.FALLBACK  # the plugin then tries the vault itself
    assert client.request({"op": "unlock", "passphrase": "wrong"}, agent.path)["error"] == "locked"
    assert client.request({"op": "unlock", "passphrase": PASS}, agent.path)["ok"]
    assert served_token(agent.path) == "ann-token"


def test_the_timeout_forgets(sock_dir, vault_path):
    server = AgentServer(os.path.join(sock_dir, "agent.sock"), timeout=0.3, passphrase=PASS,
                         vault_factory=lambda pw: open_vault(vault_path, passphrase=pw)).start()
    try:
        assert served_token(server.path) == "ann-token"
        deadline = time.monotonic() + 5
        while client.request({"op": "status"}, server.path)["unlocked"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.request({"op": "status"}, server.path)["unlocked"] is False
    finally:
        server.stop()


def test_a_second_agent_on_the_same_socket_is_refused_and_a_stale_socket_replaced(agent, vault_path):
    with pytest.raises(AgentError, match="already running"):
        AgentServer(agent.path).start()
    agent.stop()
    import socket

    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(agent.path))  # a socket file nobody listens on, as a crashed agent leaves
    stale.close()
    again = AgentServer(agent.path, passphrase=PASS,
                        vault_factory=lambda pw: open_vault(vault_path, passphrase=pw)).start()
    try:
        assert served_token(again.path) == "ann-token"
    finally:
        again.stop()
    assert not agent.path.exists()


def test_another_uid_is_refused_by_peer_credentials(agent):
    """Even with the socket opened up (as a misconfiguration would), SO_PEERCRED stops strangers."""
    if os.getuid() != 0:
        pytest.fail("this check needs root to connect as another user (the CI runs as root)")
    os.chmod(agent.path, 0o666)
    os.chmod(agent.path.parent, 0o711)
    os.chmod(agent.path.parent.parent, 0o711)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child becomes "nobody" and asks
        os.close(read)
        try:
            os.setgid(65534)
            os.setuid(65534)
            import socket  # raw: the clients would refuse this agent's folder themselves

            sock = socket.socket(socket.AF_UNIX)
            sock.connect(str(agent.path))  # refused before a byte is read: nothing to send
            os.write(write, sock.recv(65536))
        except BaseException as exc:  # noqa: BLE001 - report anything to the parent
            os.write(write, json.dumps({"exc": repr(exc)}).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    answer = json.loads(os.read(read, 65536))
    os.close(read)
    assert answer.get("error") == "denied", answer
    assert "unlocked" not in answer


def test_a_socket_directory_owned_by_someone_else_is_refused(sock_dir):
    if os.getuid() != 0:
        pytest.fail("this check needs root to chown (the CI runs as root)")
    planted = os.path.join(sock_dir, "planted")
    os.mkdir(planted, 0o777)
    os.chown(planted, 65534, 65534)
    with pytest.raises(AgentError, match="belongs to uid 65534"):
        ensure_private_dir(planted)


def test_lock_forgets_what_wrapped_plugins_answered():
    """`agent lock` (and the timeout) drop the wrapped plugins' credentials with every secret."""
    import time

    from kubewallet.agent.server import AgentServer

    server = AgentServer("/nonexistent/agent.sock")
    assert server.dispatch({"op": "wrapped-put", "key": "k", "user": "eks",
                            "status": {"token": "t"}, "until": time.time() + 60}) == {"ok": True}
    assert server.dispatch({"op": "wrapped-get", "key": "k"})["status"] == {"token": "t"}
    server.lock(notify=False)
    assert server.dispatch({"op": "wrapped-get", "key": "k"})["status"] is None
    assert server.dispatch({"op": "wrapped-list"})["held"] == []


def test_an_answer_past_its_margin_is_not_served():
    from kubewallet.agent.wrapcache import WrapCache

    cache = WrapCache()
    cache.put("k", "eks", {"token": "t"}, until=100.0)
    assert cache.get("k", now=99.0) == {"token": "t"}
    assert cache.get("k", now=100.0) is None
