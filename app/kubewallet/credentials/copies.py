"""Private folders holding copies of credentials (`kubewallet shell`'s kubeconfig copy, the demo
workspace), and the rule that none outlives its process: each is named after the pid that made
it, and the next one made removes every folder of the same kind whose process is gone (a SIGKILL
leaves no chance to clean up).

Made under `$XDG_RUNTIME_DIR` when it is ours and private (a per-user tmpfs), else in the temp
folder; `tempfile.mkdtemp` makes it 0700.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

SHELL, DEMO = "kubewallet-shell-", "kubewallet-demo-"


def runtime_dir() -> str | None:
    """`$XDG_RUNTIME_DIR` when it is ours and private, else None."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        try:
            st = os.stat(runtime)
            if st.st_uid == os.getuid() and st.st_mode & 0o077 == 0:
                return runtime
        except OSError:
            pass
    return None


def _folders(prefix: str) -> Iterator[tuple[str, bool]]:
    """(folder, its process still runs) for every folder of this kind that is ours."""
    for parent in dict.fromkeys(p for p in (runtime_dir(), tempfile.gettempdir()) if p):
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            if not name.startswith(prefix):
                continue
            pid = name[len(prefix):].split("-", 1)[0]
            path = os.path.join(parent, name)
            try:
                if not pid.isdigit() or os.stat(path).st_uid != os.getuid():
                    continue
                os.kill(int(pid), 0)
            except ProcessLookupError:
                yield path, False
            except OSError:
                continue
            else:
                yield path, True


def sweep(prefix: str) -> list[str]:
    """Remove the folders of this kind left by processes that are gone (ours only); returns them."""
    removed = []
    for path, alive in _folders(prefix):
        if not alive:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def live_copies(prefix: str, name: str) -> list[Path]:
    """The file `name` in each folder of this kind whose process still runs."""
    return [Path(path, name) for path, alive in _folders(prefix) if alive and os.path.isfile(os.path.join(path, name))]


def private_dir(prefix: str, *, runtime: bool = True) -> str:
    """A new 0700 folder for this process (after sweeping the leftovers of dead ones)."""
    sweep(prefix)
    parent = (runtime_dir() if runtime else None) or tempfile.gettempdir()
    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent)
