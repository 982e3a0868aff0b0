"""With a person at a terminal (`spec.interactive: true`, interactiveMode IfAvailable), the plugin
asks for the encrypted vault's passphrase on the terminal instead of failing — driven through a
real pseudo-terminal, the way kubectl hands its terminal to the plugin."""

from __future__ import annotations

import json
import os
import pty
import select
import time

from kubewallet.vault import open_vault

PASS = "typed at the terminal"


def _run_on_pty(argv: list[str], env: dict, answer: str, timeout: float = 30) -> tuple[str, int]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the plugin with the pty as its controlling terminal
        os.execve(argv[0], argv, env)
    out, answered, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        if not answered and b"Passphrase" in out:
            os.write(fd, answer.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return out.decode(errors="replace"), os.waitstatus_to_exitcode(status)


def test_the_passphrase_is_asked_on_the_terminal(tmp_path, kubewallet_cmd, monkeypatch, runtime_dir):
    monkeypatch.delenv("KUBEWALLET_VAULT_PASSPHRASE", raising=False)
    vault = open_vault(passphrase=PASS)
    vault.reencrypt(source="passphrase", passphrase=PASS)
    vault.put("users/tty", json.dumps({"token": "tty-token"}), meta={"user": "tty", "kind": "token"})
    env = dict(os.environ, KUBERNETES_EXEC_INFO=json.dumps(
        {"apiVersion": "client.authentication.k8s.io/v1", "spec": {"interactive": True}}))
    out, code = _run_on_pty([*kubewallet_cmd, "credential", "get", "--ref", "users/tty"], env, PASS)
    assert code == 0, out
    assert "Passphrase for the kubewallet vault" in out
    assert PASS not in out  # not echoed
    assert '"token":"tty-token"' in out

    wrong, code = _run_on_pty([*kubewallet_cmd, "credential", "get", "--ref", "users/tty"], env, "nope")
    assert code == 1 and "wrong passphrase" in wrong
