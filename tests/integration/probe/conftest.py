"""Fixtures for `kubewallet check`: the API-server stand-in with token and certificate users,
loopback listeners that refuse or never answer, a small HTTP CONNECT proxy, and a runner for the
installed `kubewallet` (on PATH, so a secured user's exec entry finds it as kubectl would)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.apiserver import ApiServer
from tests.support.listeners import ConnectProxy, Silent
from tests.support.kubeconfigs import unsigned_jwt

TOKEN = "alice-bearer-0123456789"
REVOKED = "revoked-bearer-9876543210"
# a JWT whose `sub` (what kubewallet whoami reads offline) differs from whom the server maps it to
JWT = unsigned_jwt({"sub": "carol", "iss": "https://idp.example", "aud": "kubernetes"})


@pytest.fixture
def api(pki):
    with ApiServer(pki, tokens={TOKEN: "alice", JWT: "mallory"},
                   groups={"alice": ("dev", "oncall"), "mallory": ("admins",)}) as server:
        yield server


@pytest.fixture
def silent():
    with Silent() as listener:
        yield listener


@pytest.fixture
def connect_proxy():
    with ConnectProxy() as proxy:
        yield proxy


@pytest.fixture
def check(kubewallet_cmd, tmp_path, monkeypatch):
    """Run `kubewallet check ARGS` against a kubeconfig; returns (exit status, parsed JSON or
    the text, stderr). The venv's bin is first on PATH, as an installed kubewallet would be."""
    bin_dir = str(Path(kubewallet_cmd[0]).parent)
    monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))

    def run(kubeconfig: Path, *args: str, input: str | None = None, as_json: bool = True):
        argv = [*kubewallet_cmd, "check", "--kubeconfig", str(kubeconfig), *args]
        if as_json:
            argv += ["-o", "json"]
        out = subprocess.run(argv, capture_output=True, text=True, input=input, timeout=120)
        if as_json and out.returncode in (0, 1):
            return out.returncode, {r["context"]: r for r in json.loads(out.stdout)}, out.stderr
        return out.returncode, out.stdout, out.stderr

    return run
