"""Issue 12.1: a socket planted by another user at the agent's path gets nothing from us.

The impostor is real: a child of this test drops to uid 65534 (os.setresuid; the CI runs as root)
and listens on a Unix socket, answering like an agent (a token for `credential get`, "ok" to
everything else) and recording every byte it receives. Each client is then run as the person
would run it — `credential get`, `agent status`, `agent unlock`, `agent start` — against four
plantings: a folder owned by the other uid, our folder left 0755, a symlink to the other uid's
folder, and our private folder in which the other uid's process answers (only SO_PEERCRED tells).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from kubewallet.vault import open_vault
from tests.support.impostor import NOBODY, PLANTED_TOKEN, make_base, plant, received

PASS = "planted-test passphrase"
REAL_TOKEN = "real-token-from-the-vault"
EXEC_INFO = '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}'


@pytest.fixture
def base():
    path = make_base()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(params=["foreign", "open", "symlink", "peer"])
def planted(request, base, monkeypatch, tmp_path):
    sock, log, pid = plant(base, request.param)
    vault = tmp_path / "vault.json"
    open_vault(vault, passphrase=PASS).reencrypt(source="passphrase", passphrase=PASS)
    open_vault(vault, passphrase=PASS).put(
        "users/ann", json.dumps({"token": REAL_TOKEN}),
        meta={"kind": "token", "user": "ann", "expires": "2099-01-01T00:00:00Z"})
    monkeypatch.setenv("KUBEWALLET_AGENT_SOCKET", sock)
    monkeypatch.setenv("KUBEWALLET_VAULT_FILE", str(vault))
    monkeypatch.setenv("KUBEWALLET_VAULT_PASSPHRASE", PASS)
    yield request.param, sock, log
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _run(kubewallet_cmd, *args, env=None):
    return subprocess.run([*kubewallet_cmd, *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **(env or {})))


def test_credential_get_serves_the_vault_not_the_impostor(planted, kubewallet_cmd):
    kind, sock, log = planted
    out = _run(kubewallet_cmd, "credential", "get", "--user", "ann", "--ref", "users/ann",
               env={"KUBERNETES_EXEC_INFO": EXEC_INFO})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"]["token"] == REAL_TOKEN
    assert PLANTED_TOKEN not in out.stdout
    assert f"not using the agent socket {sock}" in out.stderr
    assert out.stderr.count("not using the agent socket") == 1
    assert {"foreign": "belongs to uid 65534", "open": "open to other users",
            "symlink": "symbolic link", "peer": "runs as uid 65534"}[kind] in out.stderr
    assert received(log) == b""


def test_agent_status_and_unlock_do_not_talk_to_the_impostor(planted, kubewallet_cmd):
    _kind, _sock, log = planted
    status = _run(kubewallet_cmd, "agent", "status")
    assert status.returncode == 1
    assert "no agent of yours is running" in status.stdout and "agent running" not in status.stdout
    assert "not using the agent socket" in status.stderr
    unlock = _run(kubewallet_cmd, "agent", "unlock")
    assert unlock.returncode != 0 and "no agent of yours is running" in unlock.stderr
    lock = _run(kubewallet_cmd, "agent", "lock")
    assert "no agent of yours is running" in lock.stdout
    assert received(log) == b""  # no request, and above all no passphrase


def test_agent_start_refuses_a_foreign_folder_and_replaces_an_impostor_in_ours(planted, kubewallet_cmd):
    kind, sock, log = planted
    start = _run(kubewallet_cmd, "agent", "start")
    try:
        if kind in ("foreign", "symlink"):
            assert start.returncode != 0
            assert "the agent will not put its socket there" in start.stderr
            assert "another user may have planted it" in start.stderr
            assert os.stat(sock).st_uid == NOBODY  # left alone, and nothing sent to it
        else:
            assert start.returncode == 0, start.stderr
            assert "starting your own agent in its place" in start.stderr
            assert os.stat(os.path.dirname(sock)).st_mode & 0o777 == 0o700
            status = _run(kubewallet_cmd, "agent", "status")
            assert status.returncode == 0 and "agent running" in status.stdout, status.stderr
            got = _run(kubewallet_cmd, "credential", "get", "--user", "ann", "--ref", "users/ann",
                       env={"KUBERNETES_EXEC_INFO": EXEC_INFO})
            assert json.loads(got.stdout)["status"]["token"] == REAL_TOKEN and got.stderr == ""
    finally:
        _run(kubewallet_cmd, "agent", "stop")
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and kind not in ("foreign", "symlink") and os.path.exists(sock):
        time.sleep(0.05)
    assert received(log) == b""
