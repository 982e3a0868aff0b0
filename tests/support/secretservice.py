"""A private D-Bus session with gnome-keyring-daemon's Secret Service, unlocked: the real OS
keyring of a Linux desktop, for the tests (tests/conftest.py) and the benchmarks alike."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def start_secret_service(home: Path, **extra_env: str) -> tuple[dict[str, str], int]:
    """The full environment of a process on that bus (HOME and XDG dirs under `home`, plus
    `extra_env`) and the bus daemon's pid; the keyring daemon exits with its bus."""
    (home / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=str(home / "run"),
               XDG_DATA_HOME=str(home / "data"), **extra_env)
    out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                         env=env, capture_output=True, text=True, check=True, timeout=20)
    address, pid = out.stdout.split()[:2]
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"], input="test-password",
                   env=env, capture_output=True, text=True, check=True, timeout=20)
    return env, int(pid)
