"""Fixtures for `kubewallet check`: the API-server stand-in with token and certificate users,
loopback listeners that refuse or never answer, a small HTTP CONNECT proxy, and a runner for the
installed `kubewallet` (on PATH, so a secured user's exec entry finds it as kubectl would)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.support.apiserver import ApiServer
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


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed: the kernel refuses connections)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Silent:
    """A listener that accepts connections and never answers (a black-holed load balancer)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def silent():
    listener = Silent()
    yield listener
    listener.close()


class ConnectProxy:
    """A loopback HTTP CONNECT proxy (RFC 9110 §9.3.6) that records what it was asked to reach."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        method, target = head.split(b" ")[:2]
        self.targets.append(f"{method.decode()} {target.decode()}")
        host, port = target.decode().rsplit(":", 1)
        if host != "127.0.0.1":   # traffic stays on this machine
            client.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            client.close()
            return
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pipe(a: socket.socket, b: socket.socket) -> None:
            try:
                while data := a.recv(65536):
                    b.sendall(data)
            except OSError:
                pass
            finally:
                for s in (a, b):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        pipe(client, upstream)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def connect_proxy():
    proxy = ConnectProxy()
    yield proxy
    proxy.close()


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
