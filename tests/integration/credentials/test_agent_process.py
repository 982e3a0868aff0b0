"""The agent daemon as a real process: a passphrase from the environment does not defeat lock and
timeout (issue 12.7), and after a lock its memory holds no copy of a served secret (issue 13.5).

The memory scan reads /proc/PID/mem over every writable mapping of the agent. The CI runs as
root, which bypasses the agent's non-dumpable flag, so the scan measures the copies themselves.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time

import pytest

from kubewallet.agent import client
from kubewallet.vault import open_vault

PASS = "agent-process passphrase"
EXEC_INFO = '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}'


@pytest.fixture
def secret_token():
    return "memscan-" + secrets.token_hex(24)


@pytest.fixture
def setup(tmp_path, monkeypatch, secret_token):
    sock_dir = tempfile.mkdtemp(prefix="kw-proc-")
    sock = os.path.join(sock_dir, "agent.sock")
    vault = tmp_path / "vault.json"
    open_vault(vault, passphrase=PASS).reencrypt(source="passphrase", passphrase=PASS)
    open_vault(vault, passphrase=PASS).put(
        "users/mem", json.dumps({"token": secret_token}),
        meta={"kind": "token", "user": "mem", "expires": "2099-01-01T00:00:00Z",
              "original": {"token": secret_token}})
    monkeypatch.setenv("KUBEWALLET_AGENT_SOCKET", sock)
    monkeypatch.setenv("KUBEWALLET_VAULT_FILE", str(vault))
    monkeypatch.delenv("KUBEWALLET_VAULT_PASSPHRASE", raising=False)
    yield sock
    shutil.rmtree(sock_dir, ignore_errors=True)


@pytest.fixture
def run_agent(kubewallet_cmd, setup):
    procs = []

    def start(*args: str) -> subprocess.Popen:
        proc = subprocess.Popen([*kubewallet_cmd, "agent", "run", *args],
                                env=dict(os.environ, KUBEWALLET_VAULT_PASSPHRASE=PASS),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        procs.append(proc)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                client.request({"op": "status"}, timeout=1.0)
                return proc
            except client.NoAgent:
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.05)
        raise AssertionError("the agent did not answer")

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=20)


def get(kubewallet_cmd, **env):
    return subprocess.run([*kubewallet_cmd, "credential", "get", "--user", "mem", "--ref", "users/mem"],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, KUBERNETES_EXEC_INFO=EXEC_INFO, **env))


def status() -> dict:
    return client.request({"op": "status"})


def test_a_passphrase_from_the_environment_is_read_once_and_lock_is_real(kubewallet_cmd, run_agent,
                                                                          secret_token):
    proc = run_agent()
    with open(f"/proc/{proc.pid}/environ", "rb") as fh:
        environ = fh.read()
    assert PASS.encode() not in environ and b"KUBEWALLET_VAULT_PASSPHRASE=\0" not in environ.split(b"\0")
    served = get(kubewallet_cmd)
    assert json.loads(served.stdout)["status"]["token"] == secret_token
    assert status()["served"] == 1
    lock = subprocess.run([*kubewallet_cmd, "agent", "lock"], capture_output=True, text=True, timeout=60)
    assert "forgot every secret" in lock.stdout
    assert status()["unlocked"] is False
    after = get(kubewallet_cmd)  # no passphrase here: only an unlocked agent could serve it
    assert after.returncode != 0 and "needs its passphrase" in after.stderr
    assert secret_token not in after.stdout
    assert status() == {**status(), "unlocked": False, "served": 1}
    unlock = subprocess.run([*kubewallet_cmd, "agent", "unlock"], capture_output=True, text=True,
                            timeout=60, env=dict(os.environ, KUBEWALLET_VAULT_PASSPHRASE=PASS))
    assert unlock.returncode == 0, unlock.stderr
    assert json.loads(get(kubewallet_cmd).stdout)["status"]["token"] == secret_token


def test_the_timeout_locks_with_a_passphrase_in_the_environment(kubewallet_cmd, run_agent, secret_token):
    run_agent("--timeout", "2")
    assert json.loads(get(kubewallet_cmd).stdout)["status"]["token"] == secret_token
    deadline = time.monotonic() + 15
    while status()["unlocked"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status()["unlocked"] is False
    after = get(kubewallet_cmd)
    assert after.returncode != 0 and secret_token not in after.stdout
    assert status()["served"] == 1


def _writable_memory(pid: int):
    """(mapping line, bytes) for every writable mapping of the process, read from /proc/PID/mem."""
    with open(f"/proc/{pid}/maps") as maps:
        lines = maps.read().splitlines()
    fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
    try:
        for line in lines:
            fields = line.split()
            span, perms = fields[0], fields[1]
            if "w" not in perms or "r" not in perms or line.endswith(("[vvar]", "[vsyscall]")):
                continue
            start, end = (int(x, 16) for x in span.split("-"))
            try:
                yield line, os.pread(fd, end - start, start)
            except OSError:
                continue
    finally:
        os.close(fd)


def test_after_a_lock_the_agent_holds_no_copy_of_a_served_secret(kubewallet_cmd, run_agent, secret_token):
    proc = run_agent()
    for _ in range(3):
        assert json.loads(get(kubewallet_cmd).stdout)["status"]["token"] == secret_token
    held = status()
    assert held["dumpable"] == 0 and held["locked_memory"] is True and held["hardened_allocator"] is True
    said = subprocess.run([*kubewallet_cmd, "agent", "status"], capture_output=True, text=True, timeout=60)
    assert ("memory: non-dumpable; secrets in locked memory (never swapped); freed memory cleared"
            in said.stdout), said.stdout
    found_while_unlocked = sum(data.count(secret_token.encode()) for _, data in _writable_memory(proc.pid))
    assert found_while_unlocked >= 1  # the scan does see the store while it holds the secret
    subprocess.run([*kubewallet_cmd, "agent", "lock"], capture_output=True, timeout=60, check=True)
    assert status()["unlocked"] is False
    where = [line for line, data in _writable_memory(proc.pid) if secret_token.encode() in data]
    assert where == [], f"the served secret is still in the agent's memory: {where}"
    passphrase_left = [line for line, data in _writable_memory(proc.pid) if PASS.encode() in data]
    assert passphrase_left == [], f"the passphrase is still in the agent's memory: {passphrase_left}"
