"""Kubeconfig folders for the folder tests: one small, valid file per customer."""

from __future__ import annotations

import os
from pathlib import Path

import yaml


def write_kubeconfig(path: Path, contexts: list[str], current: str = "", mode: int = 0o600,
                     namespace: str = "") -> Path:
    """A kubeconfig whose contexts each have their own cluster (`https://NAME.example`) and share
    one token user; kubectl accepts it as is."""
    doc = {
        "apiVersion": "v1", "kind": "Config", "current-context": current,
        "clusters": [{"name": c, "cluster": {"server": f"https://{c}.example:6443"}} for c in contexts],
        "users": [{"name": "me", "user": {"token": "not-a-real-token"}}],
        "contexts": [{"name": c, "context": {"cluster": c, "user": "me",
                                             **({"namespace": namespace} if namespace else {})}}
                     for c in contexts],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    path.chmod(mode)
    return path


def age(path: Path, seconds: float = 60.0) -> None:
    """Date a file back, as a file written a minute ago (the index trusts only settled files)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))
