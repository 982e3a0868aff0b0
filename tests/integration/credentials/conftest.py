"""Fixtures for the credential tests: a second, private Secret Service that a test may lock."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest


@pytest.fixture
def own_secret_service(tmp_path, monkeypatch):
    """A Secret Service of this test's own (a private D-Bus and gnome-keyring, unlocked), so the
    test can lock it without disturbing the session-wide one. Yields the environment to use."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(run), XDG_DATA_HOME=str(tmp_path / "data"))
    out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                         env=env, capture_output=True, text=True, check=True, timeout=20)
    address, pid = out.stdout.split()[:2]
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"], input="pw",
                   env=env, capture_output=True, text=True, check=True, timeout=20)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    monkeypatch.setenv("KUBEWALLET_KEYRING_SERVICE", "kubewallet-own")
    yield env
    os.kill(int(pid), signal.SIGTERM)  # gnome-keyring-daemon leaves with its bus


@pytest.fixture
def runtime_dir(monkeypatch):
    """A short, private XDG_RUNTIME_DIR for this test, so its agent socket is its own (a Unix
    socket path must stay under 108 bytes, which pytest's tmp_path may not)."""
    import shutil
    import tempfile

    path = tempfile.mkdtemp(prefix="kw-run-")
    monkeypatch.setenv("XDG_RUNTIME_DIR", path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def kw(kubewallet_cmd, monkeypatch, runtime_dir):
    """Run the installed `kubewallet` (and make it the one kubectl finds on PATH)."""
    from pathlib import Path

    bin_dir = str(Path(kubewallet_cmd[0]).parent)
    monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))
    started: list[bool] = []

    def run(*args, input=None, env=None, check=True):
        if args[:2] == ("agent", "start"):
            started.append(True)
        out = subprocess.run([*kubewallet_cmd, *args], capture_output=True, text=True, input=input,
                             env=env, timeout=60)
        if check and out.returncode != 0:
            raise AssertionError(f"kubewallet {' '.join(args)} exited {out.returncode}: {out.stderr}")
        return out

    yield run
    if started or os.path.exists(os.path.join(runtime_dir, "kubewallet", "agent.sock")):
        subprocess.run([*kubewallet_cmd, "agent", "stop"], capture_output=True, timeout=30)
