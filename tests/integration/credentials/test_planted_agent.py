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
import socket
import subprocess
import tempfile
import time

import pytest

from kubewallet.vault import open_vault

NOBODY = 65534
PASS = "planted-test passphrase"
REAL_TOKEN = "real-token-from-the-vault"
PLANTED_TOKEN = "planted-token-of-the-attacker"
EXEC_INFO = '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}'


def _serve_as_nobody(path: str, log: str, ready: int) -> None:
    """The impostor (runs in the forked child): answers like an agent, records what it gets."""
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(8)
    os.write(ready, b"x")
    answer_exec = ('0\n{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
                   '"status":{"token":"%s"}}\n' % PLANTED_TOKEN).encode()
    answer_json = b'{"ok":true,"protocol":1,"pid":1,"socket":"planted","unlocked":true,"served":0}\n'
    while True:
        conn, _ = server.accept()
        conn.settimeout(2)
        data = b""
        try:
            while not data.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        with open(log, "ab") as fh:
            fh.write(data)
        try:
            conn.sendall(answer_exec if data.startswith(b'{"op":"exec"') else answer_json)
        except OSError:
            pass
        conn.close()


@pytest.fixture
def base():
    """A short folder (a socket path must stay under 108 bytes) that uid 65534 can traverse."""
    if os.getuid() != 0:
        pytest.fail("these tests need root to run a process as another uid (the CI runs as root)")
    path = tempfile.mkdtemp(prefix="kw-plant-")
    os.chmod(path, 0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _plant(base: str, kind: str) -> tuple[str, str, int]:
    """(socket path the victim uses, log of what the impostor received, impostor pid)."""
    folder = os.path.join(base, "kubewallet-0")
    os.mkdir(folder)
    os.chmod(folder, 0o777)
    if kind in ("foreign", "symlink"):
        os.chown(folder, NOBODY, NOBODY)
        os.chmod(folder, 0o755)
    logs = os.path.join(base, "logs")
    os.mkdir(logs, 0o777)
    os.chmod(logs, 0o777)
    log = os.path.join(logs, "received")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            _serve_as_nobody(os.path.join(folder, "agent.sock"), log, write)
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"x", "the impostor did not start"
    os.close(read)
    if kind == "open":
        os.chmod(folder, 0o755)
    elif kind == "peer":
        os.chmod(folder, 0o700)
    where = folder
    if kind == "symlink":
        where = os.path.join(base, "link")
        os.symlink(folder, where)
    return os.path.join(where, "agent.sock"), log, pid


@pytest.fixture(params=["foreign", "open", "symlink", "peer"])
def planted(request, base, monkeypatch, tmp_path):
    sock, log, pid = _plant(base, request.param)
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


def _received(log: str) -> bytes:
    try:
        with open(log, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return b""


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
    assert _received(log) == b""


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
    assert _received(log) == b""  # no request, and above all no passphrase


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
    assert _received(log) == b""
