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
