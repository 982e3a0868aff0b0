"""`kubewallet restore` end to end: the backups every write leaves, listed and put back."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.integration.kubeconfig_safety.helpers import context_names, kubewallet, small_kubeconfig


def _edits(path, *names: str) -> None:
    for name in names:
        kubewallet("config", "--kubeconfig", str(path), "set-context", name, "--cluster", "c")


def _rows(listing: str) -> list[list[str]]:
    """The table rows (header and hint lines dropped), split on runs of 2+ spaces."""
    return [re.split(r"\s{2,}", line.strip()) for line in listing.splitlines()
            if re.match(r"^\d+\s", line)]


def test_list_shows_newest_first_with_size_and_context_count(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    _edits(path, "one", "two", "three")
    out = kubewallet("restore", str(path)).stdout
    rows = _rows(out)
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert [r[4] for r in rows] == ["3", "2", "1"]  # contexts before each write, newest first
    assert all(r[5] == str(path) for r in rows)
    assert all(r[3].endswith("B") for r in rows)
    assert f"kubewallet restore {path} --pick N" in out
    everything = kubewallet("restore").stdout  # all files
    assert _rows(everything) == rows


def test_latest_restores_the_content_before_the_last_write_and_is_undoable(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    _edits(path, "one", "two")
    before_restore = path.read_bytes()
    out = kubewallet("restore", str(path), "--latest").stdout
    assert out.startswith(f"Restored {path} from the backup taken ")
    assert context_names(path.read_bytes()) == ["base", "one"]
    # The restore itself was a safe write: what it replaced is now the newest backup ...
    assert _rows(kubewallet("restore", str(path)).stdout)[0][4] == "3"
    # ... so the restore can be undone.
    kubewallet("restore", str(path), "--latest")
    assert path.read_bytes() == before_restore


def test_pick_restores_an_older_backup_and_diff_only_shows_it(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    _edits(path, "one", "two", "three")
    current = path.read_bytes()
    diff = kubewallet("restore", str(path), "--pick", "3", "--diff").stdout
    assert "-  name: one" in diff and "-  name: three" in diff
    assert path.read_bytes() == current  # --diff writes nothing
    kubewallet("restore", "--kubeconfig", str(path), "--pick", "3")
    assert path.read_bytes() == small_kubeconfig()


def test_restore_defaults_to_the_kubeconfig_kubectl_would_write(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    _edits(path, "one")
    kubewallet("restore", "--latest", env=dict(os.environ, KUBECONFIG=str(path)))
    assert context_names(path.read_bytes()) == ["base"]


def test_clear_errors_for_a_wrong_pick_and_a_file_without_backups(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    none = kubewallet("restore", str(path), "--latest", check=False)
    assert none.returncode == 1
    assert f"there are no backups of {path}" in none.stderr and "Traceback" not in none.stderr
    _edits(path, "one")
    wrong = kubewallet("restore", str(path), "--pick", "5", check=False)
    assert wrong.returncode == 2
    assert "there is no backup 5" in wrong.stderr and "pick 1 to 1" in wrong.stderr
    assert kubewallet("restore", "--diff", check=False).returncode == 2


def test_a_symlinked_kubeconfig_keeps_its_link_and_shares_its_targets_backups(tmp_path):
    real = tmp_path / "dotfiles" / "kubeconfig"
    real.parent.mkdir()
    real.write_bytes(small_kubeconfig())
    link = tmp_path / "config"
    link.symlink_to(real)
    _edits(link, "one")
    assert link.is_symlink() and context_names(real.read_bytes()) == ["base", "one"]
    rows = _rows(kubewallet("restore", str(link)).stdout)
    assert len(rows) == 1 and rows[0][5] == str(real)
    kubewallet("restore", str(link), "--latest")
    assert link.is_symlink() and real.read_bytes() == small_kubeconfig()
    backup_files = list(Path(os.environ["XDG_STATE_HOME"]).glob("kubewallet/backups/*/*.yaml"))
    assert len(backup_files) == 2 and all(p.stat().st_mode & 0o777 == 0o600 for p in backup_files)


def test_diff_redacts_secret_values(tmp_path):
    path = tmp_path / "config"
    path.write_text("apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: old-secret-token\n")
    path.chmod(0o600)
    kubewallet("config", "set-credentials", "u", "--token=new-secret-token", "--kubeconfig", str(path))
    diff = kubewallet("restore", str(path), "--latest", "--diff").stdout
    assert "-    token: REDACTED" in diff and "+    token: REDACTED" in diff
    assert "secret-token" not in diff
