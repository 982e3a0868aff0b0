"""Kubeconfigs written at test time, and a way to run the real `kubewallet` entry point on them."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
import yaml

UTC = dt.timezone.utc


def write_kubeconfig(path: Path, *, clusters=(), users=(), contexts=(), current="", mode=0o600) -> Path:
    """clusters/users/contexts are (name, body) pairs, as a kubeconfig lists them."""
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": current,
           "clusters": [{"name": n, "cluster": b} for n, b in clusters],
           "users": [{"name": n, "user": b} for n, b in users],
           "contexts": [{"name": n, "context": b} for n, b in contexts]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc))
    os.chmod(path, mode)
    return path


@pytest.fixture
def run(kubewallet_cmd):
    """Run `kubewallet ARGS` as a separate process; returns CompletedProcess (text)."""

    def _run(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([*kubewallet_cmd, *args], input=stdin, capture_output=True, text=True,
                              timeout=60, env={**os.environ, **(env or {})})

    return _run


@pytest.fixture
def now():
    return dt.datetime.now(UTC)
