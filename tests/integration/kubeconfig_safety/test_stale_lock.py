"""A kubewallet killed while it holds kubectl's `<file>.lock` must not leave kubectl refusing
every edit: the next kubewallet removes a lock whose kubewallet is gone (and says so), while a
lock held by anyone else -- kubectl's own, or a kubewallet that still runs -- is never removed."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.integration.kubeconfig_safety.helpers import (KUBEWALLET, big_kubeconfig, context_names,
                                                         kubectl_lock_file, kubewallet, wait_stopped)


def _freeze_at_the_lock(path: Path, name: str) -> subprocess.Popen:
    """A kubewallet `set-context` stopped (SIGSTOP) while it holds the lock of `path`."""
    lock = path.with_name(path.name + ".lock")
    for _ in range(20):
        writer = subprocess.Popen([KUBEWALLET, "config", "--kubeconfig", str(path), "set-context",
                                   name, "--cluster", "c"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while writer.poll() is None and not lock.exists():
            pass
        if writer.poll() is None:
            writer.send_signal(signal.SIGSTOP)
            wait_stopped(writer.pid)
            if lock.exists():
                return writer
            writer.send_signal(signal.SIGCONT)
        writer.wait(timeout=30)
    raise AssertionError("kubewallet was never caught holding the lock")


def _kubectl_set_context(kubectl: str, path: Path, name: str) -> subprocess.CompletedProcess:
    return subprocess.run([kubectl, "--kubeconfig", str(path), "config", "set-context", name,
                           "--cluster", "c"], capture_output=True, text=True)


def test_a_lock_left_by_a_killed_kubewallet_is_removed_by_the_next_one(tmp_path, kubectl):
    path = tmp_path / "config"
    lock = tmp_path / "config.lock"
    path.write_bytes(big_kubeconfig(300))
    writer = _freeze_at_the_lock(path, "killed")
    owner = lock.read_text()
    assert owner.startswith(f"kubewallet pid {writer.pid} start ")
    writer.send_signal(signal.SIGKILL)
    writer.wait()

    blocked = _kubectl_set_context(kubectl, path, "by-kubectl")
    assert blocked.returncode != 0 and "lock" in blocked.stderr  # what the user hit before

    nxt = kubewallet("config", "--kubeconfig", str(path), "use-context", "ctx-00007")
    assert nxt.stdout.strip() == 'Switched to context "ctx-00007".'
    assert nxt.stderr.count(f"removed the lock file {lock}") == 1
    assert f"kubewallet process {writer.pid}, which is no longer running" in nxt.stderr
    assert not lock.exists()

    assert _kubectl_set_context(kubectl, path, "by-kubectl").returncode == 0
    assert "by-kubectl" in context_names(path.read_bytes())


def _start_of(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]


def test_a_lock_naming_a_live_process_is_only_reported_and_a_reused_pid_is_seen(tmp_path):
    """A stopped kubewallet also holds our directory lock, so the live owner here is another
    process (a `sleep`) named in the lock as a kubewallet would name itself."""
    path = tmp_path / "config"
    lock = tmp_path / "config.lock"
    path.write_bytes(big_kubeconfig(3))
    before = path.read_bytes()
    live = subprocess.Popen(["sleep", "60"])
    try:
        lock.write_text(f"kubewallet pid {live.pid} start {_start_of(live.pid)}\n")
        out = kubewallet("config", "--kubeconfig", str(path), "use-context", "ctx-00001", check=False,
                         env=dict(os.environ, KUBEWALLET_LOCK_WAIT="0.5"))
        assert out.returncode == 1 and f"{lock} is held by another program" in out.stderr
        assert "removed" not in out.stderr and lock.exists() and path.read_bytes() == before

        # the same pid with another start time: that kubewallet is gone, its pid reused
        lock.write_text(f"kubewallet pid {live.pid} start 1\n")
        out = kubewallet("config", "--kubeconfig", str(path), "use-context", "ctx-00001")
        assert f"removed the lock file {lock}" in out.stderr and not lock.exists()
    finally:
        live.kill()
        live.wait()


def test_kubectls_own_lock_is_never_removed(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(big_kubeconfig(3))
    before = path.read_bytes()
    lock = kubectl_lock_file(path)
    old = time.time() - 600
    os.utime(lock, (old, old))  # even an old one: kubectl may be stopped, not gone
    out = kubewallet("config", "--kubeconfig", str(path), "use-context", "ctx-00001", check=False,
                     env=dict(os.environ, KUBEWALLET_LOCK_WAIT="0.5"))
    assert out.returncode == 1 and f"the lock file {lock} was left behind" in out.stderr
    assert lock.exists() and lock.stat().st_size == 0 and path.read_bytes() == before
    fresh = path.with_name("other")
    fresh.write_bytes(before)
    lock2 = kubectl_lock_file(fresh)
    out = kubewallet("config", "--kubeconfig", str(fresh), "use-context", "ctx-00001", check=False,
                     env=dict(os.environ, KUBEWALLET_LOCK_WAIT="0.5"))
    assert out.returncode == 1 and "held by another program" in out.stderr and lock2.exists()
