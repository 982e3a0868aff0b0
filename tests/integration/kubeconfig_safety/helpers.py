"""Shared pieces of the kubeconfig safety tests: documents, processes, and file checks."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from kubewallet.kubeconfig.yamlio import dump_yaml

VENV_BIN = Path(sys.executable).parent
KUBEWALLET = str(VENV_BIN / "kubewallet")


def big_kubeconfig(n: int, blob_bytes: int = 1200) -> bytes:
    """A kubeconfig of `n` clusters, users (with certificate-sized data) and contexts, written
    as kubewallet writes it, so a rewrite that only adds a context changes nothing else."""
    blob = base64.b64encode(os.urandom(blob_bytes)).decode()
    doc = {
        "apiVersion": "v1", "kind": "Config", "current-context": "ctx-0", "preferences": {},
        "clusters": [{"name": f"cluster-{i:05}", "cluster": {"server": f"https://10.0.{i // 250}.{i % 250}:6443",
                                                              "certificate-authority-data": blob}}
                     for i in range(n)],
        "users": [{"name": f"user-{i:05}", "user": {"client-certificate-data": blob, "client-key-data": blob}}
                  for i in range(n)],
        "contexts": [{"name": f"ctx-{i:05}", "context": {"cluster": f"cluster-{i:05}", "user": f"user-{i:05}",
                                                         "namespace": "default"}}
                     for i in range(n)],
    }
    return dump_yaml(doc).encode()


def small_kubeconfig() -> bytes:
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "base",
           "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
           "users": [{"name": "u", "user": {"token": "not-a-real-token"}}],
           "contexts": [{"name": "base", "context": {"cluster": "c", "user": "u"}}]}
    return dump_yaml(doc).encode()


def context_names(raw: bytes) -> list[str]:
    """The context names of a kubeconfig's bytes (raises if they do not parse)."""
    data = yaml.load(raw, Loader=yaml.CSafeLoader) or {}
    return [c["name"] for c in data.get("contexts") or []]


def kubewallet(*args: str, check: bool = True, timeout: float = 60, env: dict | None = None
               ) -> subprocess.CompletedProcess:
    proc = subprocess.run([KUBEWALLET, *args], capture_output=True, text=True, timeout=timeout,
                          env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"kubewallet {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


def temp_files(directory: Path, name: str) -> list[Path]:
    """What a writer leaves while it works: new content, and the private file a lock is made from."""
    return sorted(directory.glob(f".{name}.kubewallet-*.tmp")) + sorted(directory.glob(f".{name}.lock.kubewallet-*.tmp"))


def kubectl_lock_file(path: Path) -> Path:
    """The lock as client-go makes it: `<file>.lock`, created exclusively, empty, mode 0."""
    lock = path.with_name(path.name + ".lock")
    os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0))
    return lock


def wait_stopped(pid: int) -> None:
    """Until every thread of `pid` is in the stopped state (kubectl is a Go program)."""
    tasks = Path(f"/proc/{pid}/task")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        states = []
        for task in (tasks.iterdir() if tasks.exists() else []):
            try:
                states.append((task / "stat").read_text().rsplit(")", 1)[1].split()[0])
            except (FileNotFoundError, ProcessLookupError):
                continue
        if all(state in "TtZX" for state in states):  # stopped, or already exited
            return
        time.sleep(0.0005)
