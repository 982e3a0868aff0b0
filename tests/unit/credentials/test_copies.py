"""Private folders of credential copies never outlive their process: the next one made removes
those whose process is gone (a killed demo or shell), never a live one's."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from kubewallet.credentials.copies import DEMO, private_dir, sweep


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_demos_folder_is_removed_at_the_next_start(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # let tempfile read TMPDIR again
    left = tmp_path / f"{DEMO}{dead_pid()}-abc"
    left.mkdir()
    (left / "config").write_text("token: leftover-secret\n")
    live = tmp_path / f"{DEMO}{os.getpid()}-xyz"
    live.mkdir()
    other = tmp_path / "kubewallet-demo-notapid"
    other.mkdir()

    made = private_dir(DEMO, runtime=False)

    assert not left.exists() and live.exists() and other.exists()
    assert os.path.basename(made).startswith(f"{DEMO}{os.getpid()}-") and os.stat(made).st_mode & 0o777 == 0o700
    assert sweep(DEMO) == []
